/* fuzz_responder: a responder engine fed a script (responder_env.h) of
 * fuzzer-made packets, clock steps, replays and reflections, datagrams with
 * the engine's cookies copied in, and payload chains sealed with the
 * engine's Phase 1 keys (so the fuzzer reaches the parsers behind the
 * encryption), and templates: the genuine next message of a shadow
 * initiator engine, mutated (behind the encryption too). The steps and the invariants checked after each are in
 * responder_world.c. Fuzz builds fix the DH key pair per group and the
 * generator is seeded per input, so a crash replays exactly. */
#include <stddef.h>
#include <stdint.h>

#include "responder_world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  resp_world_run(data, size, NULL);
  /* Cleared at the end: what the input made the engine allocate (copies
   * kept for resending) is freed within the same run, so libFuzzer does
   * not take the run for a leak and execute it a second time. */
  resp_world_end();
  return 0;
}
