/* Builders for the crash-pattern cases (scenarios_crash.c).
 *
 * The scripted peer: a minimal Main Mode initiator, written against the
 * public codec and crypto API only, that stands where side A stands
 * (10.0.0.1, side A's engine is never asked) and completes Phase 1 with
 * side B. It then holds the IKE SA's keys, so it can seal Quick Mode and
 * Informational messages whose bodies no engine would send: a hostile
 * proposal, an FQDN proxy ID, a malformed chain under a valid HASH(1).
 * Everything it says to B is injected; B's answers are taken off the queue
 * before the network delivers them. */
#ifndef IKELAB_CONFORM_BUILDERS_CRASH_H
#define IKELAB_CONFORM_BUILDERS_CRASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "craft.h"
#include "ikelab/ike_crypto.h"
#include "world.h"

struct mini_peer {
  uint8_t icookie[8], rcookie[8];
  struct ike_phase1_keys keys;
  uint8_t last_block[IKE_BLOCK_MAX]; /* last Phase 1 CBC block (MM6's) */
  uint8_t ni[16];
};

/* Main Mode with side B, AES-128/SHA1/MODP1024 and B's rule-1 key. False
 * when B did not answer as a responder must (the case then fails). */
bool mini_main_mode(struct world *w, struct mini_peer *p);

/* A Quick Mode first message from the peer: the clear chain after HASH(1)
 * is `rest` (first payload type `first`), HASH(1) is computed over it, and
 * the whole is padded and encrypted under the IKE SA. Returns its length. */
size_t mini_seal(const struct mini_peer *p, uint8_t exchange, uint32_t msgid, uint8_t first,
                 const uint8_t *rest, size_t rest_len, uint8_t *out, size_t cap);

/* The chain after HASH(1) of an honest Quick Mode 1 (ESP AES-128/SHA1
 * tunnel, 192.168.1.0/24 <-> 192.168.2.0/24), as a clear message whose
 * header is a placeholder: craft_build() can patch it, and
 * mini_rest_of() strips the header again. */
void mini_qm1_msg(const struct mini_peer *p, struct isakmp_msg *m);
/* The chain of a clear crafted message (out of craft_build) without its
 * header: returns its length and the first payload type in *first. */
size_t mini_rest_of(const uint8_t *msg, size_t len, uint8_t *first, uint8_t *rest, size_t cap);

#endif
