/* The world of fuzz_responder: one responder engine with a fixed config,
 * a seeded generator and a virtual clock, driven by a script of steps read
 * from the fuzzer's bytes. The seed maker uses the same world, so recorded
 * exchanges replay exactly. */
#ifndef IKELAB_RESPONDER_ENV_H
#define IKELAB_RESPONDER_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"

/* Script steps, each one byte of opcode then its operands, multi-byte
 * numbers big-endian. A step cut short ends the script.
 *   STEP_PACKET   u16 length, then that many bytes: a datagram from the peer
 *   STEP_CLOCK    u8 seconds: advance the clock and tick
 *   STEP_REPLAY   u8 k: bit 7 clear: the (k & 0x7f)-th datagram this script
 *                 delivered (PACKET, RAW, SEALED; the last 16 kept) again,
 *                 modulo how many; set: the engine's (k & 0x7f)-th sent
 *                 datagram (the last 16 kept) reflected back to it
 *   STEP_RAW      u8 flags, u16 n, n bytes: a datagram of those bytes, except
 *                 what RAW_* flags (raw_datagram.h) copy in from the engine's
 *                 last sent datagram: 0x01 cookies (bytes 0-15), 0x02
 *                 message ID (20-23), 0x04 the real length (24-27)
 *   STEP_SEALED   u8 flags, u8 exchange, u32 M-ID, u8 first payload type,
 *                 u16 n, n bytes: a plaintext payload chain sealed with the
 *                 keys of the engine's first Phase 1 SA as fuzz_quick_mode's
 *                 QSTEP_QM does (quick_peer.h; flags are SEAL_*). Exchange
 *                 0: Quick Mode, 1: Informational, 2: Main Mode message 5
 *                 (SEALED_MM5 below), anything else: reserved (nothing
 *                 happens). No Phase 1 SA with keys: nothing.
 *   STEP_FAIL_SEND  the engine's next send fails (the sink returns false once)
 *   STEP_TRIGGER  u8 rule: traffic for rule N (ike_engine_trigger)
 *   STEP_TEMPLATE u8 flags, u8 n, n x {u8 op, u16 offset, u8 value}: the
 *                 shadow initiator (shadow_peer.h, initiator_config) reads
 *                 what the engine sent since the last template, then its
 *                 oldest datagram the engine has not had (MM1, MM3, MM5,
 *                 AM1, AM3, QM1, QM3, Informationals) is changed by the n
 *                 mutations (MUT_* of template_mutate.h; on the plaintext
 *                 when it is encrypted, sealed again after) and delivered.
 *                 Flags are TPL_*. Nothing queued: nothing happens.
 *   STEP_SHADOW   u8 action (modulo SHADOW_ACTIONS): the shadow initiator
 *                 0: starts rule 1 (Main Mode), 1: rule 2 (Aggressive), 2:
 *                 takes rule 1 down, 3: rule 2, 4: spends all of its first
 *                 IPsec SA's kilobyte lifetime (a Delete), 5: most of it
 *                 (it starts the successor's Quick Mode)
 * Any other opcode ends the script. */
enum {
  STEP_PACKET = 0x00, STEP_CLOCK = 0x01, STEP_REPLAY = 0x02, STEP_RAW = 0x03,
  STEP_SEALED = 0x04, STEP_FAIL_SEND = 0x05, STEP_TRIGGER = 0x06, STEP_TEMPLATE = 0x07,
  STEP_SHADOW = 0x08, STEP_COUNT
};
/* STEP_SEALED's exchange byte. MM5: the chain sealed as Main Mode message
 * 5 with the keys of the engine's first Phase 1 SA that has sent message
 * 4 (quick_peer_seal_phase1: no HASH added, M-ID as given). */
enum { SEALED_QUICK = 0, SEALED_INFO = 1, SEALED_MM5 = 2 };
enum { SHADOW_ACTIONS = 6 };

/* Every stateful target (fuzz_responder, fuzz_quick_mode, fuzz_initiator)
 * runs at most this many steps of a script and ignores the rest. A whole
 * Main Mode, Quick Mode and Informational exchange takes about a dozen;
 * unbounded, libFuzzer grew inputs of over a thousand steps (clock ticks,
 * each with its resends, most of them), which then took most of the time
 * and halved the rate at which anything new was tried. */
enum { SCRIPT_MAX_STEPS = 32 };

#define RESPONDER_ADDR 0x0a000002u /* 10.0.0.2, us */
#define PEER_ADDR 0x0a000001u      /* 10.0.0.1, the static rule's gateway */
#define ENV_SEED 0x1ce1abull
#define SHADOW_SEED 0x5eedf00dull /* fuzz_responder's shadow initiator */
#define ENV_START_MS 1000000ull

/* Rule 1: Main Mode with 10.0.0.1. Rule 2: Aggressive Mode, dynamic
 * (Secure Gateway 0.0.0.0). Each accepts four Phase 1 proposals (first
 * 3DES/SHA1/MODP768 and AES/SHA2-256/MODP1024) and four Phase 2 ones (first
 * ESP AES/SHA1 tunnel and AH SHA2-256 transport with PFS); the other two
 * of each, responder_env.c, cover the rest of the algorithms. */
void responder_config(struct ike_config *cfg);
/* The mirror image with only the first two of each: the seed makers'
 * initiators, fuzz_quick_mode's peer and fuzz_initiator's engine. */
void initiator_config(struct ike_config *cfg);

void env_random(void *ctx, uint8_t *out, size_t len);

/* Fuzz builds: ike_hash and ike_prf become the cheap stand-in
 * (ike_crypto.h) for a world whose exchanges are all made in the run, so
 * both sides compute the same values (all three stateful targets and
 * their seed makers). Other builds: nothing. Call before any engine. */
void env_stand_in_crypto(void);

#endif
