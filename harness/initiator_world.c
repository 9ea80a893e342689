#include "initiator_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "fuzz_invariants.h"
#include "initiator_mutate.h"

static const struct ike_endpoint us_ep = {PEER_ADDR, 500}, shadow_ep = {RESPONDER_ADDR, 500};

static void broken(const char *what) { invariant_broken("fuzz_initiator", what); }

/* ---- datagram stores ---- */

static struct iw_dgram *fifo_push(struct iw_fifo *f)
{
  if (f->n == IW_QUEUE) /* full: the oldest is lost, as on a busy wire */
    f->head = (f->head + 1) % IW_QUEUE, f->n--;
  struct iw_dgram *d = &f->d[(f->head + f->n++) % IW_QUEUE];
  d->len = d->plain_len = 0;
  d->authentic = true;
  return d;
}

static bool fifo_pop(struct iw_fifo *f, struct iw_dgram *out)
{
  if (f->n == 0)
    return false;
  *out = f->d[f->head];
  f->head = (f->head + 1) % IW_QUEUE;
  f->n--;
  return true;
}

static void ring_put(struct iw_dgram *ring, size_t *n, const uint8_t *pkt, size_t len,
                     bool authentic)
{
  struct iw_dgram *d = &ring[(*n)++ % IW_RING];
  d->len = len <= IW_DGRAM ? len : 0;
  memcpy(d->wire, pkt, d->len);
  d->authentic = authentic;
}

/* The last cipher block of an encrypted datagram names it among resends. */
static bool tail_of(const uint8_t *pkt, size_t len, uint8_t tail[16])
{
  struct buf_reader r;
  br_init(&r, pkt, len);
  return len >= ISAKMP_HDR_LEN + 16 && br_skip(&r, len - 16) && br_copy(&r, tail, 16);
}

static bool encrypted(const uint8_t *pkt, size_t len)
{
  struct buf_reader r;
  uint8_t flags;
  br_init(&r, pkt, len);
  return br_peek_u8(&r, 19, &flags) && (flags & ISAKMP_FLAG_E);
}

/* Gives a shadow datagram its plaintext: the clear copy just reported, or
 * for a resend the one kept from its first sending. */
static void attach_plain(struct init_world *w, struct iw_dgram *d)
{
  struct iw_clear_book *b = &w->clears;
  uint8_t tail[16];
  if (!encrypted(d->wire, d->len) || !tail_of(d->wire, d->len, tail))
    return;
  if (w->fresh_clear_len) {
    size_t i = b->n++ % 4;
    memcpy(b->x[i].tail, tail, 16);
    b->x[i].len = d->len;
    memcpy(b->x[i].plain, w->fresh_clear, w->fresh_clear_len);
    b->x[i].plain_len = w->fresh_clear_len;
    w->fresh_clear_len = 0;
  }
  for (size_t i = 0; i < 4 && i < b->n; i++)
    if (b->x[i].len == d->len && memcmp(b->x[i].tail, tail, 16) == 0) {
      memcpy(d->plain, b->x[i].plain, b->x[i].plain_len);
      d->plain_len = b->x[i].plain_len;
    }
}

/* ---- sinks ---- */

static void check_common(const struct init_world *w, const struct ike_event *ev,
                         const char *who)
{
  char line[256];
  invariant_event("fuzz_initiator", ev, line, sizeof line);
  if (ev->kind == IKE_EV_LOG && w->trace)
    fprintf(stderr, "  %s log: %s\n", who, line);
}

static bool us_sink(void *ctx, const struct ike_event *ev)
{
  struct init_world *w = ctx;
  check_common(w, ev, "us");
  if (ev->kind == IKE_EV_SA_ADD || ev->kind == IKE_EV_SA_DEL)
    w->sa_events++;
  if (ev->kind != IKE_EV_SEND)
    return true;
  const uint8_t *pkt = ev->u.send.data;
  size_t len = ev->u.send.len;
  if (len >= sizeof w->last_hdr)
    memcpy(w->last_hdr, pkt, sizeof w->last_hdr);
  ring_put(w->sent, &w->nsent, pkt, len, true);
  if (w->fail_next_send) {
    w->fail_next_send = false;
    return false;
  }
  struct iw_dgram *d = fifo_push(&w->to_shadow);
  d->len = len <= IW_DGRAM ? len : 0;
  memcpy(d->wire, pkt, d->len);
  return true;
}

static bool shadow_sink(void *ctx, const struct ike_event *ev)
{
  struct init_world *w = ctx;
  check_common(w, ev, "shadow");
  if (ev->kind != IKE_EV_SEND || ev->u.send.len > IW_DGRAM)
    return true;
  struct iw_dgram *d = fifo_push(&w->to_us);
  d->len = ev->u.send.len;
  memcpy(d->wire, ev->u.send.data, d->len);
  attach_plain(w, d);
  return true;
}

static void shadow_clear(void *ctx, const struct ike_clear *c)
{
  struct init_world *w = ctx;
  nonce_book_saw(&w->nonces, c->msg, c->len);
  if (c->sent && c->len <= IW_DGRAM) {
    memcpy(w->fresh_clear, c->msg, c->len);
    w->fresh_clear_len = c->len;
  }
}

/* ---- the world ---- */

void init_world_new(struct init_world *w, int variant)
{
  static struct ike_config us_cfg, shadow_cfg;
  char why[256];
  memset(w, 0, sizeof *w);
  env_stand_in_crypto();
  w->variant = variant;
  w->trace = getenv("IKELAB_TRACE") != NULL;
  initiator_variant(variant, &us_cfg, &shadow_cfg);
  struct ike_host uh = {.random = env_random, .random_ctx = &w->us_rng, .sink = us_sink,
                        .sink_ctx = w, .local = us_ep};
  struct ike_host sh = {.random = env_random, .random_ctx = &w->shadow_rng,
                        .sink = shadow_sink, .sink_ctx = w, .clear = shadow_clear,
                        .clear_ctx = w, .local = shadow_ep};
  w->us = ike_engine_new(&us_cfg, &uh, why, sizeof why);
  w->shadow = w->us ? ike_engine_new(&shadow_cfg, &sh, why, sizeof why) : NULL;
  if (!w->shadow)
    broken(why);
}

void init_world_reset(struct init_world *w)
{
  ike_engine_clear(w->us);
  ike_engine_clear(w->shadow);
  w->us_rng = INIT_US_SEED;
  w->shadow_rng = INIT_SHADOW_SEED;
  w->now = ENV_START_MS;
  w->to_shadow.n = w->to_us.n = 0;
  w->ndelivered = w->nsent = 0;
  w->nonces.n = w->clears.n = 0;
  w->fresh_clear_len = 0;
  memset(w->last_hdr, 0, sizeof w->last_hdr);
  w->fail_next_send = false;
  ike_engine_trigger(w->us, w->now, 1);
}

static void deliver(struct init_world *w, const uint8_t *pkt, size_t len, bool authentic)
{
  ring_put(w->delivered, &w->ndelivered, pkt, len, authentic);
  if (w->trace)
    fprintf(stderr, " deliver %zu bytes%s\n", len, authentic ? "" : " (not authentic)");
  invariant_deliver("fuzz_initiator", w->us, w->now, shadow_ep, us_ep, pkt, len, authentic,
                    &w->sa_events);
}

/* The shadow reads everything our engine sent. */
static void feed_shadow(struct init_world *w)
{
  static struct iw_dgram d;
  while (fifo_pop(&w->to_shadow, &d))
    ike_engine_input(w->shadow, w->now, us_ep, shadow_ep, d.wire, d.len);
}

static bool shadow_keys(const struct init_world *w, const uint8_t *pkt, size_t len,
                        struct ike_phase1_keys *k)
{
  struct ike_sa_info info;
  struct ike_p1_keys_info keys;
  for (size_t i = 0; len >= 16 && i < ike_engine_sa_count(w->shadow); i++)
    if (ike_engine_sa_info(w->shadow, i, &info) && memcmp(info.icookie, pkt, 8) == 0 &&
        memcmp(info.rcookie, pkt + 8, 8) == 0 && ike_engine_p1_keys(w->shadow, i, &keys)) {
      *k = keys.keys;
      return true;
    }
  return false;
}

static bool protected_kind(const uint8_t *pkt, size_t len)
{
  struct buf_reader r;
  uint8_t exchange;
  br_init(&r, pkt, len);
  return br_peek_u8(&r, 18, &exchange) &&
         (exchange == ISAKMP_XCHG_QUICK || exchange == ISAKMP_XCHG_INFO);
}

static bool step_template(struct init_world *w, struct buf_reader *r)
{
  static struct iw_dgram t;
  static uint8_t mut[IW_DGRAM], out[IW_DGRAM];
  struct ike_phase1_keys k;
  struct buf_slice muts;
  struct buf_reader mr;
  uint8_t flags, n, op, value;
  uint16_t offset;
  if (!br_u8(r, &flags) || !br_u8(r, &n) || !br_slice(r, (size_t)n * 4, &muts))
    return false;
  feed_shadow(w);
  if (!fifo_pop(&w->to_us, &t) || (flags & TPL_DROP))
    return true;
  /* Clear Quick Mode and Informational messages prove nothing. */
  bool sealed = t.plain_len && shadow_keys(w, t.wire, t.len, &k);
  bool authentic = encrypted(t.wire, t.len) || !protected_kind(t.wire, t.len);
  if (n == 0 && !(flags & (TPL_CLEAR | TPL_FIX_HASH))) {
    deliver(w, t.wire, t.len, authentic);
    return true;
  }
  size_t len = sealed ? t.plain_len : t.len;
  memcpy(mut, sealed ? t.plain : t.wire, len);
  br_from_slice(&mr, muts, 0);
  while (br_u8(&mr, &op) && br_u16(&mr, &offset) && br_u8(&mr, &value))
    tmut_apply(mut, &len, sizeof mut, op, offset, value);
  if (sealed) {
    len = seal_again(&k, &w->nonces, slice_of(t.wire, t.len), slice_of(t.plain, t.plain_len),
                     mut, len, flags, out, sizeof out, &authentic);
    if (len)
      deliver(w, out, len, authentic);
    return true;
  }
  if (!(flags & TPL_KEEP_LEN))
    raw_set_length(mut, len);
  /* Still encrypted without keys to open it (ciphertext mutated): not
   * judged; in the clear: judged as the original was. */
  deliver(w, mut, len, authentic);
  return true;
}

static bool step_raw(struct init_world *w, struct buf_reader *r)
{
  static uint8_t pkt[65536];
  struct buf_slice body;
  uint8_t flags;
  uint16_t n;
  if (!br_u8(r, &flags) || !br_u16(r, &n) || !br_slice(r, n, &body))
    return false;
  size_t len = raw_build(flags, w->last_hdr, body, pkt, sizeof pkt);
  deliver(w, pkt, len, false);
  return true;
}

static void step_peer(struct init_world *w, uint8_t action)
{
  struct ike_ipsec_sa sa;
  switch (action % 4) {
  case 0:
    ike_engine_trigger(w->shadow, w->now, 1);
    break;
  case 1:
    ike_engine_down(w->shadow, w->now, 1);
    break;
  default: /* hard: a Delete; soft: the shadow starts the successor */
    if (ike_engine_ipsec_info(w->shadow, 0, &sa))
      ike_engine_sa_volume(w->shadow, w->now, sa.spi_in, action % 4 == 2);
    break;
  }
}

static bool step(struct init_world *w, struct buf_reader *r)
{
  static uint8_t pkt[IW_DGRAM];
  uint8_t op, b;
  uint16_t secs;
  if (!br_u8(r, &op))
    return false;
  if (w->trace)
    fprintf(stderr, "step %u\n", op % ISTEP_COUNT);
  switch (op % ISTEP_COUNT) {
  case ISTEP_TEMPLATE:
    return step_template(w, r);
  case ISTEP_RAW:
    return step_raw(w, r);
  case ISTEP_CLOCK:
    if (!br_u16(r, &secs))
      return false;
    w->now += (uint64_t)secs * 1000;
    ike_engine_tick(w->us, w->now);
    ike_engine_tick(w->shadow, w->now);
    return true;
  case ISTEP_REPLAY: {
    if (!br_u8(r, &b))
      return false;
    struct iw_dgram *ring = (b & 0x80) ? w->sent : w->delivered;
    size_t have = (b & 0x80) ? w->nsent : w->ndelivered;
    have = have < IW_RING ? have : IW_RING;
    if (have) {
      /* Copied out first: delivering adds to the ring it came from. */
      struct iw_dgram *d = &ring[(b & 0x7f) % have];
      size_t len = d->len;
      memcpy(pkt, d->wire, len);
      /* A reflected Quick Mode can pass its own HASH(1) (the keys are the
       * same both ways): reflections are not judged. */
      deliver(w, pkt, len, d->authentic);
    }
    return true;
  }
  case ISTEP_FAIL_SEND:
    w->fail_next_send = true;
    return true;
  case ISTEP_TRIGGER:
    if (!br_u8(r, &b))
      return false;
    ike_engine_trigger(w->us, w->now, b);
    return true;
  case ISTEP_LOSE:
    w->to_shadow.n = 0;
    return true;
  default:
    if (!br_u8(r, &b))
      return false;
    step_peer(w, b);
    return true;
  }
}

bool init_world_step(struct init_world *w, struct buf_reader *r)
{
  char why[256];
  if (!step(w, r))
    return false;
  if (!ike_engine_consistent(w->us, why, sizeof why) ||
      !ike_engine_consistent(w->shadow, why, sizeof why))
    broken(why);
  return true;
}
