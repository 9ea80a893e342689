/* The world of fuzz_initiator: our engine is the INITIATOR (PEER_ADDR,
 * initiator_config) and starts rule 1 at the beginning of every input; the
 * fuzzer plays the responder. Behind the fuzzer stands a real second engine
 * (RESPONDER_ADDR, responder_config), the "shadow responder": it reads what
 * our engine sends and writes the genuine next message (MM2, MM4, MM6, AM2,
 * QM2, an Informational), which the script takes as a template, mutates and
 * delivers. Encrypted templates are mutated as plaintext and sealed again
 * with the shadow's Phase 1 keys (initiator_seal.h), so the fuzzer works
 * behind the encryption without the harness knowing any exchange's rules.
 *
 * A script (fuzz_initiator's input): byte 0 picks the variant (modulo
 * INIT_VARIANTS), then steps follow, each an opcode byte (modulo
 * ISTEP_COUNT) and its operands, multi-byte numbers big-endian. A step cut
 * short ends the script; at most SCRIPT_MAX_STEPS (responder_env.h) run.
 *   ISTEP_TEMPLATE u8 flags, u8 n, n x {u8 op, u16 offset, u8 value}: the
 *                  shadow reads every datagram our engine sent that it has
 *                  not read yet; then the oldest datagram it sent and we have
 *                  not had is taken, changed by the n mutations (MUT_*, on
 *                  the plaintext when it is encrypted) and delivered. Flags
 *                  are TPL_*. Nothing queued: nothing happens.
 *   ISTEP_RAW      u8 flags, u16 n, n bytes: a datagram of those bytes as
 *                  they are, except what RAW_* flags copy in
 *   ISTEP_CLOCK    u16 seconds: the clock moves on, both engines tick
 *   ISTEP_REPLAY   u8 k: bit 7 clear: the k-th datagram delivered to our
 *                  engine in this script again (k modulo how many); set: our
 *                  engine's k-th sent datagram reflected back to it
 *   ISTEP_FAIL_SEND  our engine's next send fails (K20)
 *   ISTEP_TRIGGER  u8 rule: traffic for rule N (rule 1 again: K10)
 *   ISTEP_LOSE     what our engine sent and the shadow has not read is lost
 *   ISTEP_PEER     u8 action (modulo 4): the shadow 0: triggers its rule 1,
 *                  1: takes rule 1 down (Deletes), 2: spends all of the
 *                  kilobyte lifetime of its first IPsec SA (a Delete), 3:
 *                  most of it (it starts the successor's Quick Mode) */
#ifndef IKELAB_INITIATOR_ENV_H
#define IKELAB_INITIATOR_ENV_H

#include <stdbool.h>

#include "ikelab/engine.h"
#include "raw_datagram.h" /* RAW_* */
#include "responder_env.h"
#include "template_mutate.h" /* TPL_*, MUT_*, PMUT_* */

enum {
  ISTEP_TEMPLATE, ISTEP_RAW, ISTEP_CLOCK, ISTEP_REPLAY, ISTEP_FAIL_SEND, ISTEP_TRIGGER,
  ISTEP_LOSE, ISTEP_PEER, ISTEP_COUNT
};

/* Variant 0: Main Mode 3DES/SHA1/MODP768, ESP-AES128-SHA1 tunnel, NAT-T
 *            offered (responder_env's rule 1 on both sides).
 * Variant 1: Main Mode AES128/SHA2-256/MODP1024, ESP-3DES-MD5 with PFS
 *            MODP1024.
 * Variant 2: Aggressive Mode 3DES/SHA1/MODP768, NAT-T offered, DPD on.
 * Variant 3: Aggressive Mode AES256/SHA2-512/MODP1536, ESP-AES256-SHA2-256
 *            with PFS MODP1024.
 * Variant 4: Main Mode, no Phase 1 proposal in common (NO-PROPOSAL-CHOSEN
 *            in the clear).
 * Variant 5: Main Mode, no Phase 2 proposal in common (NO-PROPOSAL-CHOSEN
 *            protected). */
enum { INIT_VARIANTS = 6 };

/* Our config (the initiator) and the shadow responder's. */
void initiator_variant(int variant, struct ike_config *us, struct ike_config *shadow);

#define INIT_US_SEED 0x5eedf00dull
#define INIT_SHADOW_SEED ENV_SEED

#endif
