/* The log catalogue: every line the engine can emit, byte for byte as the
 * Prestige 652 manual (chapter 27) prints it, plus the sinks that write it.
 *
 * A log event is a catalogue id plus structured fields. Rendering is the only
 * place a catalogue format becomes text, so tests compare whole lines and
 * JSON sinks carry the same fields the text was made from. */
#ifndef IKELAB_LOG_H
#define IKELAB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum log_category { LOG_CAT_IKE, LOG_CAT_IPSEC };
enum log_severity { LOG_SEV_INFO, LOG_SEV_WARNING };

/* One row per message: X(id, code, category, severity, format).
 * Placeholders: %R rule number, %A peer/own address, %S range start,
 * %E range end, %P payload symbols. Rendering keeps the angle brackets. */
#define IKELAB_LOG_CATALOGUE(X)                                                            \
  X(K1, "K1", LOG_CAT_IKE, LOG_SEV_INFO, "Cannot find outbound SA for rule <%R>")           \
  X(K2, "K2", LOG_CAT_IKE, LOG_SEV_INFO, "Send Main Mode request to <%A>")                  \
  X(K3, "K3", LOG_CAT_IKE, LOG_SEV_INFO, "Send Aggressive Mode request to <%A>")            \
  X(K4, "K4", LOG_CAT_IKE, LOG_SEV_INFO, "Recv Main Mode request from <%A>")                \
  X(K5, "K5", LOG_CAT_IKE, LOG_SEV_INFO, "Recv Aggressive Mode request from <%A>")          \
  X(K6, "K6", LOG_CAT_IKE, LOG_SEV_INFO, "Send:%P")                                         \
  X(K7, "K7", LOG_CAT_IKE, LOG_SEV_INFO, "Recv:%P")                                         \
  X(K8, "K8", LOG_CAT_IKE, LOG_SEV_INFO, "Phase 1 IKE SA process done")                     \
  X(K9, "K9", LOG_CAT_IKE, LOG_SEV_INFO, "Start Phase 2: Quick Mode")                       \
  X(K10, "K10", LOG_CAT_IKE, LOG_SEV_WARNING, "!! IKE Negotiation is in process")           \
  X(K11, "K11", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Duplicate requests with the same cookie") \
  X(K12, "K12", LOG_CAT_IKE, LOG_SEV_WARNING, "!! No proposal chosen")                      \
  X(K13, "K13", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Verifying Local ID failed")               \
  X(K14, "K14", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Verifying Remote ID failed")              \
  X(K15, "K15", LOG_CAT_IKE, LOG_SEV_WARNING,                                               \
    "!! Local / remote IPs of incoming request conflict with rule <%R>")                    \
  X(K16, "K16", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Invalid IP <%S>/<%E>")                    \
  X(K17, "K17", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Remote IP <%S> / <%E> conflicts")         \
  X(K18, "K18", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Active connection allowed exceeded")      \
  X(K19, "K19", LOG_CAT_IKE, LOG_SEV_WARNING, "!! IKE Packet Retransmit")                   \
  X(K20, "K20", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Failed to send IKE Packet")               \
  X(K21, "K21", LOG_CAT_IKE, LOG_SEV_WARNING, "!! Too many errors! Deleting SA")            \
  X(P1, "P1", LOG_CAT_IPSEC, LOG_SEV_WARNING, "!! WAN IP changed to <%A>")                  \
  X(P2, "P2", LOG_CAT_IPSEC, LOG_SEV_WARNING, "!! Cannot find Phase 2 SA")                  \
  X(P3, "P3", LOG_CAT_IPSEC, LOG_SEV_WARNING, "!! Discard REPLAY packet")                   \
  X(P4, "P4", LOG_CAT_IPSEC, LOG_SEV_WARNING, "!! Inbound packet authentication failed")    \
  X(P5, "P5", LOG_CAT_IPSEC, LOG_SEV_WARNING, "!! Inbound packet decryption failed")        \
  X(P6, "P6", LOG_CAT_IPSEC, LOG_SEV_INFO, "Rule <%R> idle time out, disconnect")

enum log_id {
#define IKELAB_LOG_ENUM(id, code, cat, sev, fmt) LOG_##id,
  IKELAB_LOG_CATALOGUE(IKELAB_LOG_ENUM)
#undef IKELAB_LOG_ENUM
  LOG_ID_COUNT
};

struct log_row {
  enum log_id id;
  const char *code;   /* "K1" .. "P6", as LOGS.md numbers the rows */
  enum log_category category;
  enum log_severity severity;
  const char *format; /* catalogue format with %R %A %S %E %P placeholders */
};

/* Room for %P in an event: 17 of the longest symbol, then "...". */
enum { LOG_PAYLOADS_MAX = 160 };

/* The structured fields of one event. Addresses are IPv4 in host byte
 * order (the Prestige is IPv4 only). Unused fields stay zero. */
struct log_fields {
  int rule;                 /* %R: VPN rule number, from 1 */
  uint32_t addr;            /* %A: peer (or, for P1, our own) address */
  uint32_t range_start;     /* %S */
  uint32_t range_end;       /* %E */
  char payloads[LOG_PAYLOADS_MAX]; /* %P: e.g. "<SA><VID>" (Table 27-3 symbols; a
                                   * longer list ends "...": isakmp.h) */
  uint8_t icookie[8];       /* JSON only: the IKE SA's cookies, when known */
  uint8_t rcookie[8];
  uint32_t spi;             /* JSON only: the IPsec SA's SPI, when known */
  uint32_t peer;            /* JSON only: peer address, when not in %A */
};

struct log_event {
  enum log_id id;
  uint64_t time_ms;         /* milliseconds since the Unix epoch (virtual or wall) */
  struct log_fields f;
  unsigned suppressed;      /* JSON only: lines of this kind the engine's rate
                               limit held back just before this one */
};

const struct log_row *log_row(enum log_id id);
/* Finds a row by its code ("K11"); NULL when there is none. */
const struct log_row *log_row_by_code(const char *code);

/* Renders the message part (no index, no time) into out. Returns the length
 * the full line needs, like snprintf; the output is always terminated. */
size_t log_render(const struct log_event *ev, char *out, size_t outlen);

/* ---- rate limits ------------------------------------------------------- */

/* One second's budget of lines of one kind: what bounds the lines a peer
 * can make us write (the engine's catalogue lines, the datapath's P2-P5).
 * Zeroed = not open yet; time is the caller's (virtual or wall). */
enum { LOG_WINDOW_MS = 1000 };
struct log_window {
  bool open;
  uint64_t start_ms;        /* start of the current second */
  unsigned lines;           /* written in it */
  unsigned held;            /* held back since the last line written */
};
/* True when no second is running (a new line would open one). */
bool log_window_idle(const struct log_window *w, uint64_t now_ms);
/* True: write the line; *held_before = lines held back just before it.
 * False: this second's burst is spent, the line is held back (counted). */
bool log_window_pass(struct log_window *w, uint64_t now_ms, unsigned burst, unsigned *held_before);

/* ---- sinks ------------------------------------------------------------- */

/* A memory ring of the last `capacity` events; the oldest is overwritten.
 * Tests read it back in order. The router view numbers lines from 001 on. */
struct log_ring {
  struct log_event *events;
  size_t capacity;
  size_t count;             /* events held, <= capacity */
  size_t head;              /* index of the oldest event */
  uint64_t total;           /* events ever written, for the router's index */
};

int log_ring_init(struct log_ring *ring, size_t capacity);
void log_ring_free(struct log_ring *ring);
void log_ring_clear(struct log_ring *ring);
void log_ring_push(struct log_ring *ring, const struct log_event *ev);
/* i-th held event, 0 = oldest; NULL past the end. */
const struct log_event *log_ring_at(const struct log_ring *ring, size_t i);

/* The router's numbered view, e.g. "001 01 Jan 08:08:07 Recv:<SA>".
 * index is 1-based; time is rendered in UTC. */
size_t log_format_router_line(const struct log_event *ev, unsigned index, char *out,
                              size_t outlen);
/* Writes the heading ("Index: Date/Time: Log:" and the rule) and every held
 * event of the ring in the router's view. */
void log_write_router_view(const struct log_ring *ring, FILE *out);

/* One JSON object per line: {"id":"K7","category":"IKE","severity":...,
 * "time_ms":...,"rule":...,"peer":"10.0.0.2","icookie":"hex",...,
 * "message":"Recv:<SA>","suppressed":12}. Fields that are zero are left out. */
int log_write_json_line(const struct log_event *ev, FILE *out);

/* syslog(3) with LOG_USER; the message part is the catalogue string unchanged,
 * prefixed by nothing. Severity maps to LOG_WARNING / LOG_INFO. */
void log_write_syslog(const struct log_event *ev);

#endif
