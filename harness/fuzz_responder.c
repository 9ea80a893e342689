/* fuzz_responder: a responder engine fed a script of fuzzer-made packets
 * and clock steps (responder_env.h). Fuzz builds fix the DH key pair per
 * group and the generator is seeded per input, so a crash replays exactly.
 *
 * Invariants, each an abort when broken:
 *  - after every step the engine's tables are consistent;
 *  - every log line is a catalogue row and renders to a non-empty line;
 *  - every datagram sent is a message our own decoder accepts;
 *  - an installed IPsec SA has keys for its algorithms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/engine.h"
#include "ikelab/isakmp.h"
#include "exact_copy.h"
#include "fuzz_invariants.h"
#include "responder_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what) { invariant_broken("fuzz_responder", what); }

static bool sink(void *ctx, const struct ike_event *ev)
{
  (void)ctx;
  invariant_event("fuzz_responder", ev, NULL, 0);
  return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  /* One engine for the whole run, cleared per input: allocating ~1 MiB
   * per input cost more than the input itself. */
  static struct ike_config cfg;
  static struct ike_engine *e;
  static uint64_t rng;
  char why[256];
  uint64_t now = ENV_START_MS;
  if (!e) {
    responder_config(&cfg);
    struct ike_host host = {.random = env_random, .random_ctx = &rng, .sink = sink,
                            .local = {RESPONDER_ADDR, 500}};
    e = ike_engine_new(&cfg, &host, why, sizeof why);
    if (!e)
      broken(why);
  }
  ike_engine_clear(e);
  rng = ENV_SEED;
  struct buf_reader r;
  uint8_t op;
  size_t steps = 0;
  br_init(&r, data, size);
  while (steps++ < SCRIPT_MAX_STEPS && br_u8(&r, &op)) {
    if (op == STEP_PACKET) {
      uint16_t len;
      struct buf_slice pkt;
      if (!br_u16(&r, &len) || !br_slice(&r, len, &pkt))
        break;
      /* An exact-size copy, so ASan sees any read past the datagram. */
      static uint8_t bytes[65536];
      slice_copy(pkt, bytes, pkt.len);
      ike_engine_input(e, now, (struct ike_endpoint){PEER_ADDR, 500},
                       (struct ike_endpoint){RESPONDER_ADDR, 500}, exact_copy(bytes, pkt.len),
                       pkt.len);
    } else if (op == STEP_CLOCK) {
      uint8_t secs;
      if (!br_u8(&r, &secs))
        break;
      now += (uint64_t)secs * 1000;
      ike_engine_tick(e, now);
    } else {
      break;
    }
    if (!ike_engine_consistent(e, why, sizeof why))
      broken(why);
  }
  /* Cleared at the end as well: what the input made the engine allocate
   * (copies kept for resending) is freed within the same run, so libFuzzer
   * does not take the run for a leak and execute it a second time. */
  ike_engine_clear(e);
  return 0;
}
