#include "shadow_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "fuzz_invariants.h"
#include "raw_datagram.h"
#include "responder_env.h" /* env_random */

/* ---- datagram stores ---- */

static struct sp_dgram *fifo_push(struct sp_fifo *f)
{
  if (f->n == SP_QUEUE) /* full: the oldest is lost, as on a busy wire */
    f->head = (f->head + 1) % SP_QUEUE, f->n--;
  struct sp_dgram *d = &f->d[(f->head + f->n++) % SP_QUEUE];
  d->len = d->plain_len = 0;
  d->authentic = true;
  return d;
}

/* The oldest datagram, or NULL; it stays valid until the next push to f
 * (not copied out: a datagram is 16 KiB, and this runs for every step). */
static const struct sp_dgram *fifo_pop(struct sp_fifo *f)
{
  if (f->n == 0)
    return NULL;
  const struct sp_dgram *d = &f->d[f->head];
  f->head = (f->head + 1) % SP_QUEUE;
  f->n--;
  return d;
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
static void attach_plain(struct shadow_peer *s, struct sp_dgram *d)
{
  struct sp_clear_book *b = &s->clears;
  uint8_t tail[16];
  if (!encrypted(d->wire, d->len) || !tail_of(d->wire, d->len, tail))
    return;
  if (s->fresh_clear_len) {
    size_t i = b->n++ % 4;
    memcpy(b->x[i].tail, tail, 16);
    b->x[i].len = d->len;
    memcpy(b->x[i].plain, s->fresh_clear, s->fresh_clear_len);
    b->x[i].plain_len = s->fresh_clear_len;
    s->fresh_clear_len = 0;
  }
  for (size_t i = 0; i < 4 && i < b->n; i++)
    if (b->x[i].len == d->len && memcmp(b->x[i].tail, tail, 16) == 0) {
      memcpy(d->plain, b->x[i].plain, b->x[i].plain_len);
      d->plain_len = b->x[i].plain_len;
    }
}

/* ---- the shadow's engine ---- */

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct shadow_peer *s = ctx;
  char line[256];
  invariant_event(s->target, ev, line, sizeof line);
  if (ev->kind == IKE_EV_LOG && s->trace)
    fprintf(stderr, "  shadow log: %s\n", line);
  if (ev->kind != IKE_EV_SEND || ev->u.send.len > SP_DGRAM)
    return true;
  struct sp_dgram *d = fifo_push(&s->said);
  d->len = ev->u.send.len;
  memcpy(d->wire, ev->u.send.data, d->len);
  attach_plain(s, d);
  return true;
}

static void clear_copy(void *ctx, const struct ike_clear *c)
{
  struct shadow_peer *s = ctx;
  nonce_book_saw(&s->nonces, c->msg, c->len);
  if (c->sent && c->len <= SP_DGRAM) {
    memcpy(s->fresh_clear, c->msg, c->len);
    s->fresh_clear_len = c->len;
  }
}

void shadow_new(struct shadow_peer *s, const char *target, const struct ike_config *cfg,
                struct ike_endpoint self, struct ike_endpoint other)
{
  char why[256];
  memset(s, 0, sizeof *s);
  s->target = target;
  s->self = self;
  s->other = other;
  s->trace = getenv("IKELAB_TRACE") != NULL;
  struct ike_host h = {.random = env_random, .random_ctx = &s->rng, .sink = sink,
                       .sink_ctx = s, .clear = clear_copy, .clear_ctx = s, .local = self};
  s->e = ike_engine_new(cfg, &h, why, sizeof why);
  if (!s->e)
    invariant_broken(target, why);
}

void shadow_reset(struct shadow_peer *s, uint64_t seed)
{
  ike_engine_clear(s->e);
  s->rng = seed;
  s->heard.n = s->said.n = 0;
  s->nonces.n = s->clears.n = 0;
  s->fresh_clear_len = 0;
}

void shadow_heard(struct shadow_peer *s, const uint8_t *pkt, size_t len)
{
  struct sp_dgram *d = fifo_push(&s->heard);
  d->len = len <= SP_DGRAM ? len : 0;
  memcpy(d->wire, pkt, d->len);
}

/* The shadow reads everything the engine sent. */
static void read_heard(struct shadow_peer *s, uint64_t now)
{
  const struct sp_dgram *d;
  /* The shadow's answers go to said, never to heard: d stays valid. */
  while ((d = fifo_pop(&s->heard)))
    ike_engine_input(s->e, now, s->other, s->self, d->wire, d->len);
}

/* The shadow's Phase 1 keys for a datagram's cookies: from its key
 * exchange on, so Main Mode message 5 is sealed again too. */
static bool shadow_keys(const struct shadow_peer *s, const uint8_t *pkt, size_t len,
                        struct ike_phase1_keys *k)
{
  struct ike_sa_info info;
  struct ike_p1_keys_info keys;
  for (size_t i = 0; len >= 16 && i < ike_engine_sa_count(s->e); i++)
    if (ike_engine_sa_info(s->e, i, &info) && memcmp(info.icookie, pkt, 8) == 0 &&
        memcmp(info.rcookie, pkt + 8, 8) == 0 && ike_engine_p1_keys(s->e, i, &keys)) {
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

bool shadow_template(struct shadow_peer *s, uint64_t now, struct buf_reader *r, uint8_t *out,
                     size_t cap, size_t *len, bool *authentic)
{
  static uint8_t mut[SP_DGRAM];
  struct ike_phase1_keys k;
  struct buf_slice muts;
  struct buf_reader mr;
  uint8_t flags, n, op, value;
  uint16_t offset;
  *len = 0;
  if (!br_u8(r, &flags) || !br_u8(r, &n) || !br_slice(r, (size_t)n * 4, &muts))
    return false;
  read_heard(s, now);
  /* Nothing runs the shadow from here on: t stays valid. */
  const struct sp_dgram *t = fifo_pop(&s->said);
  if (!t || (flags & TPL_DROP))
    return true;
  /* Clear Quick Mode and Informational messages prove nothing. */
  bool sealed = t->plain_len && shadow_keys(s, t->wire, t->len, &k);
  *authentic = encrypted(t->wire, t->len) || !protected_kind(t->wire, t->len);
  if (n == 0 && !(flags & (TPL_CLEAR | TPL_FIX_HASH))) {
    *len = t->len <= cap ? t->len : 0;
    memcpy(out, t->wire, *len);
    return true;
  }
  size_t mlen = sealed ? t->plain_len : t->len;
  memcpy(mut, sealed ? t->plain : t->wire, mlen);
  br_from_slice(&mr, muts, 0);
  while (br_u8(&mr, &op) && br_u16(&mr, &offset) && br_u8(&mr, &value))
    tmut_apply(mut, &mlen, sizeof mut, op, offset, value);
  if (sealed) {
    *len = seal_again(&k, &s->nonces, slice_of(t->wire, t->len),
                      slice_of(t->plain, t->plain_len), mut, mlen, flags, out, cap, authentic);
    return true;
  }
  if (!(flags & TPL_KEEP_LEN))
    raw_set_length(mut, mlen);
  /* Still encrypted without keys to open it (ciphertext mutated): not
   * judged; in the clear: judged as the original was. */
  *len = mlen <= cap ? mlen : 0;
  memcpy(out, mut, *len);
  return true;
}
