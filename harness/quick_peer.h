/* The fuzzer's side of an established Phase 1: it holds the Phase 1 keys
 * (ike_engine_p1_keys), follows the engine's Quick Mode exchanges from what
 * the engine sends, and seals messages as a real peer would: HASH(1),
 * HASH(2), HASH(3) or the informational HASH(1) over the payloads after
 * HASH, then CBC encryption with the IV RFC 2409 Appendix B gives (a new
 * exchange: hash(last Phase 1 block | M-ID); an exchange under way: the
 * last ciphertext block either side sent in it). */
#ifndef IKELAB_QUICK_PEER_H
#define IKELAB_QUICK_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"
#include "ikelab/engine.h"

/* Flags of a sealed message (fuzz_quick_mode's script format). */
enum {
  SEAL_HASH = 0x01,       /* prepend a HASH payload computed correctly */
  SEAL_COPY_MSGID = 0x02, /* message ID of the engine's last protected message */
  SEAL_CLEAR = 0x04,      /* leave the body unencrypted (E flag clear) */
  SEAL_EXTRA_PAD = 0x08,  /* one more block of (non-zero) padding */
};

enum { QUICK_PEER_EXCHANGES = 16 };

/* One Quick Mode exchange, as the peer sees it. */
struct quick_exchange {
  uint32_t msgid;
  bool engine_started;    /* the engine sent the first message (we answer QM2) */
  bool live;              /* the engine has sent in it: the CBC chain runs on */
  uint8_t iv[IKE_BLOCK_MAX]; /* the last ciphertext block sent in it */
  uint8_t ni[256], nr[256];
  size_t ni_len, nr_len;
};

struct quick_peer {
  struct ike_p1_keys_info k;
  struct quick_exchange x[QUICK_PEER_EXCHANGES];
  size_t nx;
  uint32_t last_engine_msgid; /* of the last protected message the engine sent */
};

void quick_peer_init(struct quick_peer *p, const struct ike_p1_keys_info *k);
/* The engine's cleartext copy of a message it sent (ike_host.clear). */
void quick_peer_saw_clear(struct quick_peer *p, const struct ike_clear *c);
/* A datagram the engine sent (IKE_EV_SEND), after its clear copy. */
void quick_peer_saw_send(struct quick_peer *p, const uint8_t *pkt, size_t len);

/* Builds a protected message of exchange type `exchange` (QUICK or INFO)
 * into out: with SEAL_HASH the body is HASH then `chain`, whose first
 * payload is of type `first`; without, the body is `chain` alone and
 * `first` goes to the header. Returns the datagram length (0: no room). */
size_t quick_peer_seal(struct quick_peer *p, uint8_t exchange, uint32_t msgid, unsigned flags,
                       uint8_t first, struct buf_slice chain, uint8_t *out, size_t cap);
/* Main Mode message 5 as the peer would seal it: `chain` (first payload
 * `first`) encrypted with k's keys from the Phase 1 exchange's CBC state
 * (k->iv, ike_engine_p1_keys before the SA is established) under k's
 * cookies, exchange Identity Protection, message ID msgid. No HASH is
 * added (SEAL_HASH is ignored: HASH_I covers the whole exchange, which a
 * shadow initiator's template brings genuinely). */
size_t quick_peer_seal_phase1(const struct ike_p1_keys_info *k, uint32_t msgid, unsigned flags,
                              uint8_t first, struct buf_slice chain, uint8_t *out, size_t cap);
/* The message ID a sealed message with these flags and operand gets. */
uint32_t quick_peer_msgid(const struct quick_peer *p, unsigned flags, uint32_t msgid);

#endif
