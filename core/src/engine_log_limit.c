/* The rate limit on catalogue lines a peer can cause at will.
 *
 * A flood of first messages, duplicates or malformed packets must show in
 * the log without filling it: for one key (the catalogue row and the peer's
 * address; for Send:/Recv: lines their payload symbols too) at most a burst
 * of lines per second of the engine's clock reaches the sink; the rest are
 * counted, and the next line of that key written carries how many were held
 * back (the JSON form shows it). Lines that only our own actions cause
 * (K1-K3, K8, K9, P1, P6) are never held back. Keys in use are never
 * evicted: a key that finds the table busy shares one overflow slot with
 * every other such key, so a flood of new keys cannot reset a window.
 * Time is the engine's, so this is deterministic. */
#include <string.h>

#include "engine_internal.h"

/* Lines per window for a row: 0 = not limited. Send:/Recv: lines come
 * several per exchange, so they get more room than a warning. */
static unsigned burst_of(enum log_id id)
{
  switch (id) {
  case LOG_K6:
  case LOG_K7:
    return ENGINE_LOG_BURST_PAYLOADS;
  case LOG_K4:
  case LOG_K5:
    return ENGINE_LOG_BURST;
  default:
    return log_row(id)->severity == LOG_SEV_WARNING && log_row(id)->category == LOG_CAT_IKE
               ? ENGINE_LOG_BURST
               : 0;
  }
}

/* FNV-1a over the fields that tell one repeated line from another. */
static uint32_t key_of(const struct log_event *ev)
{
  uint32_t h = 2166136261u;
  uint8_t head[12];
  uint32_t id = (uint32_t)ev->id;
  memcpy(head, &id, 4);
  memcpy(head + 4, &ev->f.addr, 4);
  memcpy(head + 8, &ev->f.peer, 4);
  for (size_t i = 0; i < sizeof head; i++)
    h = (h ^ head[i]) * 16777619u;
  for (const char *p = ev->f.payloads; *p; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  return h;
}

static bool idle(const struct ike_engine *e, const struct log_limit_slot *s)
{
  return !s->used || log_window_idle(&s->w, e->now);
}

/* The slot of key; else a free or idle one (whose held-back count, if any,
 * stays only in the counters); else the shared overflow slot. */
static struct log_limit_slot *slot_for(struct ike_engine *e, uint32_t key)
{
  struct log_limit_slot *reuse = NULL;
  for (size_t i = 0; i < ENGINE_LOG_KEYS; i++) {
    struct log_limit_slot *s = &e->limits[i];
    if (s->used && s->key == key)
      return s;
    if (!reuse && idle(e, s))
      reuse = s;
  }
  if (!reuse)
    return &e->limits[ENGINE_LOG_KEYS];
  memset(reuse, 0, sizeof *reuse);
  reuse->used = true;
  reuse->key = key;
  return reuse;
}

bool log_limit_pass(struct ike_engine *e, struct log_event *ev)
{
  unsigned burst = burst_of(ev->id);
  if (burst == 0)
    return true;
  struct log_limit_slot *s = slot_for(e, key_of(ev));
  s->used = true; /* the overflow slot is never handed out by key */
  if (!log_window_pass(&s->w, e->now, burst, &ev->suppressed)) {
    e->counters.log_suppressed++;
    return false;
  }
  return true;
}
