/* Where rendered events go: a memory ring (what tests and the router view
 * read), JSON lines (ours, beside the text) and syslog. */
#include "ikelab/log.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* Enough for any catalogue line: the longest format plus a full payloads
 * array and a few addresses. */
#define LOG_LINE_MAX 512

/* ---- ring ---------------------------------------------------------------- */

int log_ring_init(struct log_ring *ring, size_t capacity)
{
  memset(ring, 0, sizeof *ring);
  if (capacity == 0)
    return -1;
  ring->events = calloc(capacity, sizeof *ring->events);
  if (ring->events == NULL)
    return -1;
  ring->capacity = capacity;
  return 0;
}

void log_ring_free(struct log_ring *ring)
{
  free(ring->events);
  memset(ring, 0, sizeof *ring);
}

/* Like the router's "clear log": the numbering starts over too. */
void log_ring_clear(struct log_ring *ring)
{
  ring->count = 0;
  ring->head = 0;
  ring->total = 0;
}

void log_ring_push(struct log_ring *ring, const struct log_event *ev)
{
  ring->total++;
  if (ring->capacity == 0)
    return;
  if (ring->count < ring->capacity) {
    ring->events[(ring->head + ring->count) % ring->capacity] = *ev;
    ring->count++;
  } else {
    /* Full: the oldest slot takes the new event and the next one is oldest. */
    ring->events[ring->head] = *ev;
    ring->head = (ring->head + 1) % ring->capacity;
  }
}

const struct log_event *log_ring_at(const struct log_ring *ring, size_t i)
{
  if (i >= ring->count)
    return NULL;
  return &ring->events[(ring->head + i) % ring->capacity];
}

/* ---- router view --------------------------------------------------------- */

/* Our own table: strftime's %b would follow the locale, the router's doesn't. */
static const char *const month_abbrev[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

size_t log_format_router_line(const struct log_event *ev, unsigned index, char *out,
                              size_t outlen)
{
  struct tm tm;
  time_t secs = (time_t)(ev->time_ms / 1000);
  if (gmtime_r(&secs, &tm) == NULL)
    memset(&tm, 0, sizeof tm);
  const char *month = (tm.tm_mon >= 0 && tm.tm_mon < 12) ? month_abbrev[tm.tm_mon] : "???";

  char prefix[64];
  int n = snprintf(prefix, sizeof prefix, "%03u %02d %s %02d:%02d:%02d ", index, tm.tm_mday,
                   month, tm.tm_hour, tm.tm_min, tm.tm_sec);
  /* A truncated prefix counts only what prefix holds (it cannot be cut:
   * the fields add up to under 40 characters). */
  size_t plen = n <= 0 ? 0 : (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1;

  if (out == NULL || outlen == 0)
    return plen + log_render(ev, NULL, 0);
  if (plen >= outlen) {
    memcpy(out, prefix, outlen - 1); /* outlen - 1 < plen < sizeof prefix */
    out[outlen - 1] = '\0';
    return plen + log_render(ev, NULL, 0);
  }
  memcpy(out, prefix, plen);
  return plen + log_render(ev, out + plen, outlen - plen);
}

void log_write_router_view(const struct log_ring *ring, FILE *out)
{
  char line[LOG_LINE_MAX];
  fputs("Index: Date/Time: Log:\n", out);
  fputs("------------------------------------------------------------\n", out);
  /* The router numbers what it shows from 001, oldest first. */
  for (size_t i = 0; i < ring->count; i++) {
    log_format_router_line(log_ring_at(ring, i), (unsigned)(i + 1), line, sizeof line);
    fprintf(out, "%s\n", line);
  }
}

/* ---- JSON lines ---------------------------------------------------------- */

static void json_put_string(json_object *obj, const char *key, const char *value)
{
  json_object_object_add(obj, key, json_object_new_string(value));
}

static void json_put_ipv4(json_object *obj, const char *key, uint32_t a)
{
  char text[16];
  snprintf(text, sizeof text, "%u.%u.%u.%u", (unsigned)(a >> 24) & 0xffu,
           (unsigned)(a >> 16) & 0xffu, (unsigned)(a >> 8) & 0xffu, (unsigned)a & 0xffu);
  json_put_string(obj, key, text);
}

static void json_put_cookie(json_object *obj, const char *key, const uint8_t cookie[8])
{
  static const uint8_t zero[8];
  if (memcmp(cookie, zero, sizeof zero) == 0)
    return;
  char hex[17];
  for (size_t i = 0; i < 8; i++)
    snprintf(hex + 2 * i, 3, "%02x", cookie[i]);
  json_put_string(obj, key, hex);
}

/* The peer is f.peer when set; otherwise %A, except for P1 where %A is our
 * own WAN address, not a peer's. */
static uint32_t json_peer(const struct log_event *ev)
{
  if (ev->f.peer != 0)
    return ev->f.peer;
  return ev->id == LOG_P1 ? 0 : ev->f.addr;
}

int log_write_json_line(const struct log_event *ev, FILE *out)
{
  const struct log_row *row = log_row(ev->id);
  if (row == NULL)
    return -1;
  json_object *obj = json_object_new_object();
  if (obj == NULL)
    return -1;

  json_put_string(obj, "id", row->code);
  json_put_string(obj, "category", row->category == LOG_CAT_IPSEC ? "IPSEC" : "IKE");
  json_put_string(obj, "severity", row->severity == LOG_SEV_WARNING ? "warning" : "info");
  if (ev->time_ms != 0)
    json_object_object_add(obj, "time_ms", json_object_new_int64((int64_t)ev->time_ms));
  if (ev->f.rule != 0)
    json_object_object_add(obj, "rule", json_object_new_int(ev->f.rule));
  uint32_t peer = json_peer(ev);
  if (peer != 0)
    json_put_ipv4(obj, "peer", peer);
  json_put_cookie(obj, "icookie", ev->f.icookie);
  json_put_cookie(obj, "rcookie", ev->f.rcookie);
  if (ev->f.spi != 0) {
    char spi[11];
    snprintf(spi, sizeof spi, "0x%08" PRIx32, ev->f.spi);
    json_put_string(obj, "spi", spi);
  }
  char message[LOG_LINE_MAX];
  log_render(ev, message, sizeof message);
  json_put_string(obj, "message", message);
  if (ev->suppressed != 0)
    json_object_object_add(obj, "suppressed", json_object_new_int64((int64_t)ev->suppressed));

  /* PLAIN keeps it on one line; no "\/" so messages read as in LOGS.md. */
  const char *text =
      json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  int rc = (text != NULL && fprintf(out, "%s\n", text) >= 0) ? 0 : -1;
  json_object_put(obj);
  return rc;
}

/* ---- syslog -------------------------------------------------------------- */

void log_write_syslog(const struct log_event *ev)
{
  const struct log_row *row = log_row(ev->id);
  if (row == NULL)
    return;
  char message[LOG_LINE_MAX];
  log_render(ev, message, sizeof message);
  int priority = row->severity == LOG_SEV_WARNING ? LOG_WARNING : LOG_INFO;
  /* "%s": the message carries '%'-free text today, but never trust that. */
  syslog(LOG_USER | priority, "%s", message);
}
