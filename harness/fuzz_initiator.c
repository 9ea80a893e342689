/* fuzz_initiator: our engine as the INITIATOR, the fuzzer as the
 * responder. Every input starts our engine on rule 1 (Main or Aggressive
 * Mode by the variant byte, Quick Mode after) and is a script
 * (initiator_env.h) whose main step takes the genuine next message of a
 * real responder engine as a template, mutates it (behind the encryption
 * when it is encrypted) and delivers it. Invariants: initiator_world.h.
 *
 * Why a real responder rather than hand-built templates: it writes every
 * message of every exchange (MM2/4/6, AM2, QM2 with or without PFS, its
 * notifies, Deletes, DPD) with its own cookies, KE, nonces and keys, so
 * the harness keeps no protocol state beyond the nonces of HASH(2)/(3),
 * and the unmutated script is a real conversation. Fuzz builds fix the DH
 * key pair and remember shared secrets (engine_io.c), so the second engine
 * costs a few hashes per message. */
#include <stdlib.h>

#include "initiator_world.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct init_world *worlds[INIT_VARIANTS];

static void worlds_ready(void)
{
  for (int v = 0; v < INIT_VARIANTS; v++)
    if (!worlds[v]) {
      worlds[v] = malloc(sizeof *worlds[v]);
      if (!worlds[v])
        abort();
      init_world_new(worlds[v], v);
    }
}

/* Every variant's world is made before the first input, so an input covers
 * the same code whether or not it is the first of its variant. */
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
  uint8_t variant;
  br_init(&r, data, size);
  if (!br_u8(&r, &variant))
    return 0;
  worlds_ready(); /* a no-op unless the driver skipped LLVMFuzzerInitialize */
  struct init_world **w = &worlds[variant % INIT_VARIANTS];
  init_world_reset(*w);
  for (size_t steps = 0; steps < SCRIPT_MAX_STEPS && init_world_step(*w, &r); steps++)
    ;
  /* Freed within the run (copies kept for resending), so that libFuzzer
   * does not take the run for a leak and execute it a second time. */
  ike_engine_clear((*w)->us);
  ike_engine_clear((*w)->shadow.e);
  return 0;
}
