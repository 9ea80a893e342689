/* Sealing a mutated plaintext again as the shadow responder sealed the
 * original (fuzz_initiator, initiator_env.h). No exchange state is kept
 * for it: the CBC IV is recovered from the original itself (the first
 * cipher block decrypts to IV ^ first plaintext block), and the kind of
 * HASH a Quick Mode or Informational message carries is found by
 * computing each candidate over the original and keeping the one that
 * matches. Only the nonces of each Quick Mode, read from the shadow's
 * clear copies, are remembered. */
#ifndef IKELAB_INITIATOR_SEAL_H
#define IKELAB_INITIATOR_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"
#include "ikelab/ike_crypto.h"

enum { NONCE_BOOK = 8 };

/* Ni and Nr of recent Quick Modes, by message ID. */
struct nonce_book {
  struct {
    uint32_t msgid;
    uint8_t ni[256], nr[256];
    size_t ni_len, nr_len;
  } x[NONCE_BOOK];
  size_t n;
};

/* A clear copy (sent or received) the shadow reported: the first NONCE of
 * a Quick Mode is Ni, another one Nr. */
void nonce_book_saw(struct nonce_book *b, const uint8_t *msg, size_t len);

/* The datagram to deliver for an encrypted template: wire is what the
 * shadow sent, orig its plaintext (ike_clear), mut the mutated plaintext
 * (the HASH in it is rewritten under TPL_FIX_HASH). authentic: false when
 * the result surely fails authentication (a Quick Mode or Informational
 * message sent in the clear, or changed where its HASH reaches and not
 * hashed again). Returns the length, 0 when the keys do not open wire. */
size_t seal_again(const struct ike_phase1_keys *k, const struct nonce_book *b,
                  struct buf_slice wire, struct buf_slice orig, uint8_t *mut, size_t mut_len,
                  unsigned flags, uint8_t *out, size_t cap, bool *authentic);

#endif
