#include "initiator_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "fuzz_invariants.h"
#include "template_mutate.h"

static const struct ike_endpoint us_ep = {PEER_ADDR, 500}, shadow_ep = {RESPONDER_ADDR, 500};

static void broken(const char *what) { invariant_broken("fuzz_initiator", what); }

/* ---- datagram stores ---- */

static void ring_put(struct sp_dgram *ring, size_t *n, const uint8_t *pkt, size_t len,
                     bool authentic)
{
  struct sp_dgram *d = &ring[(*n)++ % IW_RING];
  d->len = len <= IW_DGRAM ? len : 0;
  memcpy(d->wire, pkt, d->len);
  d->authentic = authentic;
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
  shadow_heard(&w->shadow, pkt, len);
  return true;
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
  w->us = ike_engine_new(&us_cfg, &uh, why, sizeof why);
  if (!w->us)
    broken(why);
  shadow_new(&w->shadow, "fuzz_initiator", &shadow_cfg, shadow_ep, us_ep);
}

void init_world_reset(struct init_world *w)
{
  ike_engine_clear(w->us);
  shadow_reset(&w->shadow, INIT_SHADOW_SEED);
  w->us_rng = INIT_US_SEED;
  w->now = ENV_START_MS;
  w->ndelivered = w->nsent = 0;
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

static bool step_template(struct init_world *w, struct buf_reader *r)
{
  static uint8_t out[IW_DGRAM];
  size_t len;
  bool authentic;
  if (!shadow_template(&w->shadow, w->now, r, out, sizeof out, &len, &authentic))
    return false;
  if (len)
    deliver(w, out, len, authentic);
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
    ike_engine_trigger(w->shadow.e, w->now, 1);
    break;
  case 1:
    ike_engine_down(w->shadow.e, w->now, 1);
    break;
  default: /* hard: a Delete; soft: the shadow starts the successor */
    if (ike_engine_ipsec_info(w->shadow.e, 0, &sa))
      ike_engine_sa_volume(w->shadow.e, w->now, sa.spi_in, action % 4 == 2);
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
    ike_engine_tick(w->shadow.e, w->now);
    return true;
  case ISTEP_REPLAY: {
    if (!br_u8(r, &b))
      return false;
    struct sp_dgram *ring = (b & 0x80) ? w->sent : w->delivered;
    size_t have = (b & 0x80) ? w->nsent : w->ndelivered;
    have = have < IW_RING ? have : IW_RING;
    if (have) {
      /* Copied out first: delivering adds to the ring it came from. */
      struct sp_dgram *d = &ring[(b & 0x7f) % have];
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
    w->shadow.heard.n = 0;
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
      !ike_engine_consistent(w->shadow.e, why, sizeof why))
    broken(why);
  return true;
}
