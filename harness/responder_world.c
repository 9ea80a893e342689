/* fuzz_responder's world (responder_env.h): the engine, the datagrams of
 * the input so far, the peer that seals payload chains with the engine's
 * Phase 1 keys, and the script steps. The invariants are checked here,
 * after every step and in the sink, so the seed maker runs under them too:
 *  - after every step the engine's tables are consistent;
 *  - every log line is a catalogue row and renders to a non-empty line;
 *  - every datagram sent is a message our own decoder accepts;
 *  - an installed IPsec SA has keys for its algorithms;
 *  - a message that cannot authenticate (sealed without a correct HASH or
 *    in the clear, or a replay of one such) neither installs nor deletes an
 *    IPsec SA, and leaves every established one as it was. PACKET and RAW
 *    datagrams are not judged: the corpus holds genuine encrypted messages,
 *    and the fuzzer can move one into either (the engine is deterministic,
 *    so a genuine QM3 of another input is genuine in this one too). */
#include "responder_world.h"

#include <string.h>

#include "ikelab/isakmp.h"
#include "dgram_ring.h"
#include "fuzz_invariants.h"
#include "quick_peer.h"
#include "raw_datagram.h"
#include "shadow_peer.h"

enum { DGRAM_MAX = DGRAM_RING_MAX };

static struct dgram_ring ours, theirs; /* for replay and reflection */
static struct quick_peer peer;
static struct shadow_peer shadow; /* an initiator writing the genuine next message */
static bool peer_ready; /* peer holds the keys of the engine's first Phase 1 SA */
static uint8_t last_hdr[RAW_HDR]; /* the engine's last datagram: cookies .. M-ID */
static bool fail_next_send;
static unsigned sa_events; /* SA_ADD and SA_DEL seen in this delivery */

static size_t steps_run; /* by the last run */
static const struct resp_observer *observer; /* the seed maker's counters, or NULL */

static void broken(const char *what) { invariant_broken("fuzz_responder", what); }

static void saw_send(const uint8_t *pkt, size_t len)
{
  quick_peer_saw_send(&peer, pkt, len);
  dgram_ring_put(&theirs, pkt, len, true);
  if (len >= RAW_HDR)
    memcpy(last_hdr, pkt, RAW_HDR);
}

static bool sink(void *ctx, const struct ike_event *ev)
{
  (void)ctx;
  invariant_event("fuzz_responder", ev, NULL, 0);
  if (observer && observer->event)
    observer->event(observer->ctx, ev);
  if (ev->kind == IKE_EV_SA_ADD || ev->kind == IKE_EV_SA_DEL)
    sa_events++;
  if (ev->kind != IKE_EV_SEND)
    return true;
  saw_send(ev->u.send.data, ev->u.send.len);
  if (fail_next_send) {
    fail_next_send = false;
    return false;
  }
  shadow_heard(&shadow, ev->u.send.data, ev->u.send.len);
  return true;
}

static void clear_copy(void *ctx, const struct ike_clear *c)
{
  (void)ctx;
  quick_peer_saw_clear(&peer, c);
  if (observer && observer->clear)
    observer->clear(observer->ctx, c);
}

/* The peer takes the keys of the engine's first Phase 1 SA once it is
 * established, and again when another SA takes its place. What it saw of
 * Quick Modes before then is kept only when the SA is the same one. */
static void follow_keys(const struct ike_engine *e)
{
  struct ike_p1_keys_info k;
  if (!ike_engine_p1_keys(e, 0, &k) || !k.established) {
    peer_ready = false;
    return;
  }
  if (peer_ready && !memcmp(k.icookie, peer.k.icookie, 8) &&
      !memcmp(k.rcookie, peer.k.rcookie, 8))
    return;
  quick_peer_init(&peer, &k);
  peer_ready = true;
}

static void deliver(struct ike_engine *e, uint64_t now, const uint8_t *pkt, size_t len,
                    bool authentic)
{
  invariant_deliver("fuzz_responder", e, now, (struct ike_endpoint){PEER_ADDR, 500},
                    (struct ike_endpoint){RESPONDER_ADDR, 500}, pkt, len, authentic, &sa_events);
}

/* Kept for replay, then delivered. */
static void deliver_new(struct ike_engine *e, uint64_t now, const uint8_t *pkt, size_t len,
                        bool authentic)
{
  dgram_ring_put(&ours, pkt, len, authentic);
  deliver(e, now, pkt, len, authentic);
}

static bool step_packet(struct ike_engine *e, struct buf_reader *r, uint64_t now)
{
  static uint8_t pkt[DGRAM_MAX];
  uint16_t len;
  struct buf_slice body;
  if (!br_u16(r, &len) || !br_slice(r, len, &body))
    return false;
  /* Fuzzer bytes may be a genuine recorded message: not judged. */
  deliver_new(e, now, pkt, slice_copy(body, pkt, sizeof pkt), true);
  return true;
}

static bool step_replay(struct ike_engine *e, struct buf_reader *r, uint64_t now)
{
  static uint8_t pkt[DGRAM_MAX];
  uint8_t k;
  if (!br_u8(r, &k))
    return false;
  size_t n;
  bool authentic;
  if (dgram_ring_take((k & 0x80) ? &theirs : &ours, k & 0x7f, pkt, sizeof pkt, &n, &authentic))
    deliver(e, now, pkt, n, authentic);
  return true;
}

static bool step_raw(struct ike_engine *e, struct buf_reader *r, uint64_t now)
{
  static uint8_t pkt[DGRAM_MAX];
  struct buf_slice body;
  uint8_t flags;
  uint16_t n;
  if (!br_u8(r, &flags) || !br_u16(r, &n) || !br_slice(r, n, &body))
    return false;
  /* Not judged: see the top of the file. */
  deliver_new(e, now, pkt, raw_build(flags, last_hdr, body, pkt, sizeof pkt), true);
  return true;
}

/* Main Mode message 5 sealed with the keys of the engine's first Phase 1
 * SA that has them and is not established yet (it has sent message 4). */
static bool sealed_mm5(struct ike_engine *e, uint64_t now, uint8_t flags, uint32_t msgid,
                       uint8_t first, struct buf_slice chain)
{
  static uint8_t pkt[DGRAM_MAX];
  struct ike_p1_keys_info k;
  for (size_t i = 0; i < ike_engine_sa_count(e); i++)
    if (ike_engine_p1_keys(e, i, &k) && !k.established) {
      size_t len = quick_peer_seal_phase1(&k, msgid, flags, first, chain, pkt, sizeof pkt);
      /* Not judged: no IPsec SA comes or goes in Main Mode. */
      if (len)
        deliver_new(e, now, pkt, len, true);
      break;
    }
  return true;
}

static bool step_template(struct ike_engine *e, struct buf_reader *r, uint64_t now)
{
  static uint8_t pkt[SP_DGRAM];
  size_t len;
  bool authentic;
  if (!shadow_template(&shadow, now, r, pkt, sizeof pkt, &len, &authentic))
    return false;
  if (len)
    deliver_new(e, now, pkt, len, authentic);
  return true;
}

/* The shadow initiator: 0, 1 starts rule 1 (Main Mode) or 2 (Aggressive
 * Mode); 2, 3 takes rule 1 or 2 down (Deletes); 4, 5 spends all (a
 * Delete) or most (a rekey) of its first IPsec SA's kilobyte lifetime. */
static void shadow_act(uint64_t now, uint8_t action)
{
  struct ike_ipsec_sa sa;
  switch (action % SHADOW_ACTIONS) {
  case 0:
  case 1:
    ike_engine_trigger(shadow.e, now, action % SHADOW_ACTIONS + 1);
    break;
  case 2:
  case 3:
    ike_engine_down(shadow.e, now, action % SHADOW_ACTIONS - 1);
    break;
  default:
    if (ike_engine_ipsec_info(shadow.e, 0, &sa))
      ike_engine_sa_volume(shadow.e, now, sa.spi_in, action % SHADOW_ACTIONS == 4);
    ike_engine_tick(shadow.e, now); /* a successor starts at the next tick */
    break;
  }
}

static bool step_sealed(struct ike_engine *e, struct buf_reader *r, uint64_t now)
{
  static uint8_t pkt[DGRAM_MAX];
  uint8_t flags, exchange, first;
  uint32_t msgid;
  uint16_t n;
  struct buf_slice chain;
  if (!br_u8(r, &flags) || !br_u8(r, &exchange) || !br_u32(r, &msgid) || !br_u8(r, &first) ||
      !br_u16(r, &n) || !br_slice(r, n, &chain))
    return false;
  if (exchange == SEALED_MM5)
    return sealed_mm5(e, now, flags, msgid, first, chain);
  if (!peer_ready || (exchange != SEALED_QUICK && exchange != SEALED_INFO))
    return true;
  uint8_t xchg = exchange == SEALED_QUICK ? ISAKMP_XCHG_QUICK : ISAKMP_XCHG_INFO;
  msgid = quick_peer_msgid(&peer, flags, msgid);
  size_t len = quick_peer_seal(&peer, xchg, msgid, flags, first, chain, pkt, sizeof pkt);
  if (len)
    deliver_new(e, now, pkt, len, (flags & SEAL_HASH) && !(flags & SEAL_CLEAR));
  return true;
}

/* One step; false when the script ends here. */
static bool step(struct ike_engine *e, struct buf_reader *r, uint64_t *now)
{
  uint8_t op, b;
  if (!br_u8(r, &op))
    return false;
  switch (op) {
  case STEP_PACKET:
    return step_packet(e, r, *now);
  case STEP_CLOCK:
    if (!br_u8(r, &b))
      return false;
    *now += (uint64_t)b * 1000;
    ike_engine_tick(e, *now);
    ike_engine_tick(shadow.e, *now);
    return true;
  case STEP_REPLAY:
    return step_replay(e, r, *now);
  case STEP_RAW:
    return step_raw(e, r, *now);
  case STEP_SEALED:
    return step_sealed(e, r, *now);
  case STEP_FAIL_SEND:
    fail_next_send = true;
    return true;
  case STEP_TRIGGER:
    if (!br_u8(r, &b))
      return false;
    ike_engine_trigger(e, *now, b);
    return true;
  case STEP_TEMPLATE:
    return step_template(e, r, *now);
  case STEP_SHADOW:
    if (!br_u8(r, &b))
      return false;
    shadow_act(*now, b);
    return true;
  default:
    return false;
  }
}

static void input_start(struct ike_engine *e, uint64_t *rng)
{
  ike_engine_clear(e);
  *rng = ENV_SEED;
  ours.n = theirs.n = 0;
  quick_peer_init(&peer, &(struct ike_p1_keys_info){0});
  peer_ready = fail_next_send = false;
  shadow_reset(&shadow, SHADOW_SEED);
  memset(last_hdr, 0, sizeof last_hdr);
}

/* One engine for the whole run, cleared per input: allocating ~1 MiB
 * per input cost more than the input itself. */
static struct ike_engine *engine(uint64_t **rng)
{
  static struct ike_config cfg;
  static struct ike_engine *e;
  static uint64_t seed;
  char why[256];
  *rng = &seed;
  if (!e) {
    static struct ike_config shadow_cfg;
    env_stand_in_crypto();
    initiator_config(&shadow_cfg);
    shadow_new(&shadow, "fuzz_responder", &shadow_cfg, (struct ike_endpoint){PEER_ADDR, 500},
               (struct ike_endpoint){RESPONDER_ADDR, 500});
    responder_config(&cfg);
    struct ike_host host = {.random = env_random, .random_ctx = &seed, .sink = sink,
                            .clear = clear_copy, .local = {RESPONDER_ADDR, 500}};
    e = ike_engine_new(&cfg, &host, why, sizeof why);
    if (!e)
      broken(why);
  }
  return e;
}

struct ike_engine *resp_world_run(const uint8_t *script, size_t len,
                                  const struct resp_observer *obs)
{
  uint64_t *rng, now = ENV_START_MS;
  struct ike_engine *e = engine(&rng);
  char why[256];
  observer = obs;
  input_start(e, rng);
  struct buf_reader r;
  br_init(&r, script, len);
  for (steps_run = 0; steps_run < SCRIPT_MAX_STEPS && step(e, &r, &now); steps_run++) {
    if (!ike_engine_consistent(e, why, sizeof why) ||
        !ike_engine_consistent(shadow.e, why, sizeof why))
      broken(why);
    follow_keys(e);
  }
  return e;
}

size_t resp_world_steps(void)
{
  return steps_run;
}

void resp_world_end(void)
{
  uint64_t *rng;
  ike_engine_clear(engine(&rng));
  ike_engine_clear(shadow.e);
  observer = NULL;
}
