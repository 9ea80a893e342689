/* The catalogue rows (from the X-macro in log.h) and the one renderer that
 * turns a row's format plus an event's fields into the router's text. */
#include "ikelab/log.h"

#include <stdio.h>
#include <string.h>

#define LOG_ROW(id, code, cat, sev, fmt) {LOG_##id, code, cat, sev, fmt},
static const struct log_row log_rows[] = {IKELAB_LOG_CATALOGUE(LOG_ROW)};
#undef LOG_ROW

_Static_assert(sizeof log_rows / sizeof log_rows[0] == LOG_ID_COUNT,
               "one catalogue row per log id");

const struct log_row *log_row(enum log_id id)
{
  if ((unsigned)id >= LOG_ID_COUNT)
    return NULL;
  return &log_rows[id];
}

const struct log_row *log_row_by_code(const char *code)
{
  if (code == NULL)
    return NULL;
  for (size_t i = 0; i < LOG_ID_COUNT; i++)
    if (strcmp(log_rows[i].code, code) == 0)
      return &log_rows[i];
  return NULL;
}

/* snprintf-like accumulator: counts every byte, stores only what fits, so
 * the caller learns the full length even from a too-small buffer. */
struct render_out {
  char *buf;
  size_t cap;
  size_t len;
};

static void out_append(struct render_out *o, const char *s, size_t n)
{
  if (o->cap > 0 && o->len < o->cap - 1) {
    size_t room = o->cap - 1 - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void out_ipv4(struct render_out *o, uint32_t a)
{
  char text[16];
  int n = snprintf(text, sizeof text, "%u.%u.%u.%u", (unsigned)(a >> 24) & 0xffu,
                   (unsigned)(a >> 16) & 0xffu, (unsigned)(a >> 8) & 0xffu, (unsigned)a & 0xffu);
  out_append(o, text, (size_t)n);
}

/* One placeholder; returns 0 when the letter is not one of ours, so the
 * caller copies "%x" through unchanged rather than dropping text. */
static int out_placeholder(struct render_out *o, char letter, const struct log_fields *f)
{
  char text[16];
  int n;
  switch (letter) {
  case 'R':
    n = snprintf(text, sizeof text, "#%d", f->rule);
    out_append(o, text, (size_t)n);
    return 1;
  case 'A':
    out_ipv4(o, f->addr);
    return 1;
  case 'S':
    out_ipv4(o, f->range_start);
    return 1;
  case 'E':
    out_ipv4(o, f->range_end);
    return 1;
  case 'P':
    /* strnlen: the array may be filled to the brim without a terminator. */
    out_append(o, f->payloads, strnlen(f->payloads, sizeof f->payloads));
    return 1;
  default:
    return 0;
  }
}

size_t log_render(const struct log_event *ev, char *out, size_t outlen)
{
  struct render_out o = {out, out ? outlen : 0, 0};
  const struct log_row *row = ev ? log_row(ev->id) : NULL;
  const char *p = row ? row->format : "";

  while (*p != '\0') {
    const char *pct = strchr(p, '%');
    size_t literal = pct ? (size_t)(pct - p) : strlen(p);
    out_append(&o, p, literal);
    if (pct == NULL)
      break;
    if (pct[1] != '\0' && out_placeholder(&o, pct[1], &ev->f)) {
      p = pct + 2;
    } else {
      out_append(&o, "%", 1);
      p = pct + 1;
    }
  }
  if (o.cap > 0)
    o.buf[o.len < o.cap ? o.len : o.cap - 1] = '\0';
  return o.len;
}
