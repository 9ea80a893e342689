/* fuzz_quick_mode: Quick Mode and Informational exchanges inside an
 * established Phase 1. The Phase 1 is negotiated once per variant by two
 * real engines (quick_env.h) and our side is restored from that snapshot
 * before every input (ike_engine_copy_state: about a microsecond, where
 * negotiating it again costs two Diffie-Hellman computations). The input is
 * a script (quick_env.h) whose messages are plaintext payload chains the
 * harness seals with the Phase 1 keys (quick_peer.h), so the fuzzer works
 * behind the encryption and, when it asks for it, behind the HASH check.
 *
 * Invariants, each an abort when broken:
 *  - after every step the engine's tables are consistent;
 *  - every log line is a catalogue row and renders to a non-empty line;
 *  - every datagram sent is a message our own decoder accepts;
 *  - an installed IPsec SA has keys for its algorithms;
 *  - a message that cannot authenticate (no correct HASH, or not
 *    encrypted) neither installs nor deletes an IPsec SA, and leaves every
 *    established one as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/engine.h"
#include "ikelab/isakmp.h"
#include "dgram_ring.h"
#include "fuzz_invariants.h"
#include "quick_env.h"
#include "quick_peer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { DGRAM_MAX = 16384 + 64 };

struct world {
  struct ike_engine *e, *snapshot;
  uint64_t start_ms;
};

static struct quick_peer peer;
static struct dgram_ring ours, theirs; /* for replay and reflection */
static bool fail_next_send;
static unsigned sa_events; /* SA_ADD and SA_DEL seen in this step */
static bool trace;         /* IKELAB_TRACE set: log rows and SA events to stderr */

static void broken(const char *what) { invariant_broken("fuzz_quick_mode", what); }

static bool sink(void *ctx, const struct ike_event *ev)
{
  char line[256];
  (void)ctx;
  invariant_event("fuzz_quick_mode", ev, line, sizeof line);
  switch (ev->kind) {
  case IKE_EV_SEND:
    quick_peer_saw_send(&peer, ev->u.send.data, ev->u.send.len);
    dgram_ring_put(&theirs, ev->u.send.data, ev->u.send.len, true);
    if (fail_next_send) {
      fail_next_send = false;
      return false;
    }
    break;
  case IKE_EV_LOG:
    if (trace)
      fprintf(stderr, "  log: %s\n", line);
    break;
  case IKE_EV_SA_ADD:
  case IKE_EV_SA_DEL:
    sa_events++;
    if (trace)
      fprintf(stderr, "  %s spi_in %08x\n", ev->kind == IKE_EV_SA_ADD ? "SA_ADD" : "SA_DEL",
              (unsigned)ev->u.sa.spi_in);
    break;
  default:
    break;
  }
  return true;
}

static void clear_copy(void *ctx, const struct ike_clear *c)
{
  (void)ctx;
  quick_peer_saw_clear(&peer, c);
}

static uint64_t rng;

/* Negotiates the variant's Phase 1 once, with a throw-away peer. */
static void world_init(struct world *w, int variant)
{
  static struct ike_config us_cfg, peer_cfg;
  static struct quick_queue uq, pq;
  uint64_t setup_rng = ENV_SEED, peer_rng = 77;
  char why[256];
  env_stand_in_crypto();
  quick_config(variant, &us_cfg, &peer_cfg);
  struct ike_host snap_host = {.random = env_random, .random_ctx = &setup_rng,
                               .sink = quick_queue_sink, .sink_ctx = &uq,
                               .local = {RESPONDER_ADDR, 500}};
  struct ike_host peer_host = {.random = env_random, .random_ctx = &peer_rng,
                               .sink = quick_queue_sink, .sink_ctx = &pq,
                               .local = {PEER_ADDR, 500}};
  struct ike_host host = {.random = env_random, .random_ctx = &rng, .sink = sink,
                          .clear = clear_copy, .local = {RESPONDER_ADDR, 500}};
  struct ike_engine *p = ike_engine_new(&peer_cfg, &peer_host, why, sizeof why);
  w->snapshot = ike_engine_new(&us_cfg, &snap_host, why, sizeof why);
  w->e = ike_engine_new(&us_cfg, &host, why, sizeof why);
  w->start_ms = ENV_START_MS;
  if (!p || !w->snapshot || !w->e)
    broken(why);
  if (!quick_phase1(variant, w->snapshot, &uq, p, &pq, w->start_ms))
    broken("the variant's Phase 1 did not come up");
  ike_engine_free(p);
}

static void restore(struct world *w)
{
  if (!ike_engine_copy_state(w->e, w->snapshot))
    broken("the Phase 1 snapshot did not restore");
}

static bool read_chain(struct buf_reader *r, uint8_t *flags, uint32_t *msgid, uint8_t *first,
                       struct buf_slice *chain)
{
  uint16_t len;
  return br_u8(r, flags) && br_u32(r, msgid) && br_u8(r, first) && br_u16(r, &len) &&
         br_slice(r, len, chain);
}

static void deliver(struct ike_engine *e, uint64_t now, const uint8_t *pkt, size_t len,
                    bool authentic)
{
  invariant_deliver("fuzz_quick_mode", e, now, (struct ike_endpoint){PEER_ADDR, 500},
                    (struct ike_endpoint){RESPONDER_ADDR, 500}, pkt, len, authentic, &sa_events);
}

/* One step; false when the script ends here. */
static bool step(struct ike_engine *e, struct buf_reader *r, uint64_t *now)
{
  static uint8_t pkt[DGRAM_MAX];
  uint8_t op, flags, first, b;
  uint16_t u16;
  uint32_t msgid;
  struct buf_slice chain;
  if (!br_u8(r, &op))
    return false;
  switch (op % QSTEP_COUNT) {
  case QSTEP_QM:
  case QSTEP_INFO: {
    if (!read_chain(r, &flags, &msgid, &first, &chain))
      return false;
    uint8_t xchg = op % QSTEP_COUNT == QSTEP_QM ? ISAKMP_XCHG_QUICK : ISAKMP_XCHG_INFO;
    msgid = quick_peer_msgid(&peer, flags, msgid);
    size_t n = quick_peer_seal(&peer, xchg, msgid, flags, first, chain, pkt, sizeof pkt);
    bool authentic = (flags & SEAL_HASH) && !(flags & SEAL_CLEAR);
    if (n) {
      dgram_ring_put(&ours, pkt, n, authentic);
      deliver(e, *now, pkt, n, authentic);
    }
    return true;
  }
  case QSTEP_RAW: {
    struct buf_writer w;
    if (!br_u16(r, &u16) || !br_slice(r, u16, &chain))
      return false;
    bw_init(&w, pkt, sizeof pkt);
    bw_bytes(&w, peer.k.icookie, 8);
    bw_bytes(&w, peer.k.rcookie, 8);
    bw_slice(&w, chain);
    if (bw_ok(&w)) {
      dgram_ring_put(&ours, pkt, bw_pos(&w), false);
      deliver(e, *now, pkt, bw_pos(&w), false);
    }
    return true;
  }
  case QSTEP_CLOCK:
    if (!br_u16(r, &u16))
      return false;
    *now += (uint64_t)u16 * 1000;
    ike_engine_tick(e, *now);
    return true;
  case QSTEP_REPLAY: {
    if (!br_u8(r, &b))
      return false;
    size_t n;
    bool authentic;
    if (dgram_ring_take((b & 0x80) ? &theirs : &ours, b & 0x7f, pkt, sizeof pkt, &n,
                        &authentic))
      deliver(e, *now, pkt, n, authentic);
    return true;
  }
  case QSTEP_FAIL_SEND:
    fail_next_send = true;
    return true;
  case QSTEP_TRIGGER:
    if (!br_u8(r, &b))
      return false;
    ike_engine_trigger(e, *now, b);
    return true;
  case QSTEP_DOWN:
    if (!br_u8(r, &b))
      return false;
    ike_engine_down(e, *now, b);
    return true;
  case QSTEP_VOLUME: {
    struct ike_ipsec_sa sa;
    size_t have = ike_engine_ipsec_count(e);
    if (!br_u8(r, &b))
      return false;
    if (have && ike_engine_ipsec_info(e, (b & 0x7f) % have, &sa))
      ike_engine_sa_volume(e, *now, sa.spi_in, b & 0x80);
    return true;
  }
  default:
    return false;
  }
}

static struct world worlds[QUICK_VARIANTS];

static void worlds_ready(void)
{
  for (int v = 0; v < QUICK_VARIANTS; v++)
    if (!worlds[v].e) {
      trace = getenv("IKELAB_TRACE") != NULL;
      world_init(&worlds[v], v);
      restore(&worlds[v]);
    }
}

/* Every variant's Phase 1 is negotiated before the first input, so an
 * input covers the same code whether or not it is the first of its
 * variant (AFL++ measured 61% stability when the set-up ran lazily). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  worlds_ready();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct buf_reader r;
  struct ike_p1_keys_info keys;
  uint8_t variant;
  char why[256];
  br_init(&r, data, size);
  if (!br_u8(&r, &variant))
    return 0;
  worlds_ready(); /* a no-op unless the driver skipped LLVMFuzzerInitialize */
  struct world *w = &worlds[variant % QUICK_VARIANTS];
  if (!ike_engine_p1_keys(w->e, 0, &keys))
    broken("the Phase 1 snapshot has no keys");
  rng = QUICK_SEED;
  quick_peer_init(&peer, &keys);
  ours.n = theirs.n = 0;
  fail_next_send = false;
  uint64_t now = w->start_ms;
  size_t steps = 0;
  while (steps++ < SCRIPT_MAX_STEPS && step(w->e, &r, &now))
    if (!ike_engine_consistent(w->e, why, sizeof why))
      broken(why);
  /* Restored at the end, not the start: what the input made the engine
   * allocate (copies kept for resending) is freed within the same run, so
   * libFuzzer does not take every such run for a leak and run it again. */
  restore(w);
  return 0;
}
