/* The world of fuzz_quick_mode: our engine (RESPONDER_ADDR) with a Phase 1
 * SA already established with a peer engine (PEER_ADDR), so that every
 * input starts inside Phase 1 and goes straight to Quick Mode and
 * Informational exchanges. The Phase 1 is negotiated once per variant by
 * two real engines; the fuzz target keeps our side as a snapshot and the
 * seed maker keeps both sides to record real exchanges. */
#ifndef IKELAB_QUICK_ENV_H
#define IKELAB_QUICK_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"
#include "responder_env.h"

/* A script (fuzz_quick_mode's input): byte 0 picks the variant (modulo
 * QUICK_VARIANTS), then steps follow, each an opcode byte (modulo
 * QSTEP_COUNT) and its operands, multi-byte numbers big-endian. A step cut
 * short ends the script; at most SCRIPT_MAX_STEPS (responder_env.h) run.
 *   QSTEP_QM      u8 flags, u32 M-ID, u8 first payload type, u16 n, n bytes:
 *                 a Quick Mode message whose plaintext payload chain is
 *                 those bytes, sealed by the peer (quick_peer.h: flags are
 *                 SEAL_*: HASH computed, M-ID copied, clear, extra padding)
 *   QSTEP_INFO    the same, as an Informational exchange
 *   QSTEP_RAW     u16 n, n bytes: a datagram of the Phase 1 cookies followed
 *                 by those bytes (next payload, version, exchange, flags,
 *                 M-ID, length, body: nothing fixed up)
 *   QSTEP_CLOCK   u16 seconds: the clock moves on, the engine ticks
 *   QSTEP_REPLAY  u8 k: bit 7 clear: our k-th datagram of this script again
 *                 (k modulo how many); set: the engine's k-th sent datagram
 *                 reflected back to it
 *   QSTEP_FAIL_SEND  the engine's next send fails (K20)
 *   QSTEP_TRIGGER u8 rule: traffic for rule N (rule 1: we start Quick Mode)
 *   QSTEP_DOWN    u8 rule: rule N taken down (Deletes)
 *   QSTEP_VOLUME  u8 k: bit 7 set: hard, clear: soft; the kilobyte lifetime
 *                 of IPsec SA (k & 0x7f) modulo how many is spent */
enum {
  QSTEP_QM, QSTEP_INFO, QSTEP_RAW, QSTEP_CLOCK, QSTEP_REPLAY, QSTEP_FAIL_SEND,
  QSTEP_TRIGGER, QSTEP_DOWN, QSTEP_VOLUME, QSTEP_COUNT
};

/* Variant 0: rule 1, Main Mode AES128/SHA1/MODP768; Phase 2 ESP-AES128-SHA1
 *            tunnel, or AH-SHA2-256 transport with PFS (the fuzz_responder
 *            world).
 * Variant 1: rule 1, Main Mode AES128/SHA2-256/MODP1024; Phase 2 first
 *            ESP-3DES-MD5 tunnel with PFS MODP1024 (so Quick Modes we start
 *            use PFS), then ESP-AES256-SHA2-256 without.
 * Variant 2: rule 2 (dynamic), Aggressive Mode 3DES/SHA1/MODP768, DPD on. */
enum { QUICK_VARIANTS = 3 };

/* Our config (us) and the peer's mirror image of it, for a variant. */
void quick_config(int variant, struct ike_config *us, struct ike_config *peer);
/* The rule the peer negotiates Phase 1 with, and we answer with. */
int quick_rule(int variant);
/* The generator's seed for our engine after each restore. */
#define QUICK_SEED 0x9e3779b97f4a7c15ull

/* Datagrams one engine sent and the other has not yet been given. */
struct quick_queue {
  uint8_t pkt[8][2048];
  size_t len[8];
  size_t n;
};
/* A sink that queues every datagram (ctx: the queue). */
bool quick_queue_sink(void *ctx, const struct ike_event *ev);
void quick_queue_push(struct quick_queue *q, const struct ike_event *ev);

/* Phase 1 between us (responder) and peer, each created from
 * quick_config() with a sink that queues into uq and pq: the peer starts
 * rule quick_rule(variant) at now and the two talk until Phase 1 is up.
 * The peer then starts its Quick Mode; that first message is left
 * undelivered in pq, so we hold the Phase 1 SA and nothing else. True when
 * both sides are established. */
bool quick_phase1(int variant, struct ike_engine *us, struct quick_queue *uq,
                  struct ike_engine *peer, struct quick_queue *pq, uint64_t now);

#endif
