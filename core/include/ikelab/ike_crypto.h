/* IKEv1 cryptography: hashes, the HMAC prf, MODP Diffie-Hellman, CBC
 * ciphers and the RFC 2409 key derivations, all done by OpenSSL 3 libcrypto.
 *
 * Algorithms are the Oakley attribute numbers of isakmp_types.h
 * (OAKLEY_HASH_*, OAKLEY_ENCR_*, OAKLEY_GROUP_*) so a decoded transform is
 * passed straight in; unknown numbers make every call return false (or a
 * size of 0). Buffers are caller-owned and fixed-size; no randomness is
 * drawn here: the engine injects it (DH private values). The only global
 * state is a cache of fetched OpenSSL algorithms and re-used contexts (not
 * thread-safe: the engine is single-threaded), invisible in the results.
 * Fuzz builds differ in two ways: ike_prf remembers its last results
 * (exact matches, same answers), and a target may switch the hash and prf
 * to a cheap stand-in (below); the engine decides what else to skip. */
#ifndef IKELAB_IKE_CRYPTO_H
#define IKELAB_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/isakmp_types.h"

enum {
  IKE_HASH_MAX = 64,   /* SHA2-512 */
  IKE_KEY_MAX = 32,    /* AES-256 */
  IKE_BLOCK_MAX = 16,  /* AES */
  IKE_DH_MAX = 512,    /* MODP-4096 */
  IKE_COOKIE_LEN = 8,
};

/* One input byte string; IKE hashes concatenations of several. A NULL ptr
 * is allowed when len is 0. */
struct ike_piece {
  const uint8_t *ptr;
  size_t len;
};

/* Array + count of pieces in one expression:
 *   ike_hash(alg, IKE_PIECES({a, alen}, {b, blen}), out) */
#define IKE_PIECES(...)                          \
  (const struct ike_piece[]){__VA_ARGS__},       \
      sizeof((const struct ike_piece[]){__VA_ARGS__}) / sizeof(struct ike_piece)

/* ---- hash and prf (ike_prf.c) ---- */

/* Output length of OAKLEY_HASH_* alg, 0 if unknown. */
size_t ike_hash_len(unsigned alg);
/* out = hash(piece[0] | ... | piece[n-1]); writes ike_hash_len(alg) bytes. */
bool ike_hash(unsigned alg, const struct ike_piece *pieces, size_t n,
              uint8_t out[IKE_HASH_MAX]);
/* out = HMAC-alg(key, pieces...), the IKEv1 prf when no PRF attribute is
 * negotiated (RFC 2409 §4); writes ike_hash_len(alg) bytes. */
bool ike_prf(unsigned alg, const uint8_t *key, size_t keylen,
             const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX]);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* Fuzz builds only: from now on ike_hash and ike_prf compute a keyed
 * 64-bit mix of the same length instead of SHA and HMAC, and the CBC
 * ciphers chain a keyed invertible 64-bit mix of the same block size
 * instead of DES or AES (deterministic, every byte counts), for targets
 * whose exchanges are all made in the run. Set once, before any engine
 * exists. */
void ike_crypto_fuzz_stand_in(bool on);
bool ike_crypto_fuzz_stand_in_active(void);
#endif
/* Constant-time comparison, for received HASH payloads. */
bool ike_mem_equal(const void *a, const void *b, size_t len);

/* ---- MODP Diffie-Hellman (ike_dh.c) ---- */

/* One side's key pair. Plain bytes, no OpenSSL objects: it can be copied
 * and needs no free, but ike_dh_clear() wipes the private value. */
struct ike_dh {
  unsigned group;
  size_t len;                /* prime length in bytes = KE data length */
  uint8_t priv[IKE_DH_MAX];  /* private exponent, big-endian */
  size_t privlen;
  uint8_t pub[IKE_DH_MAX];   /* g^x mod p, big-endian, padded to len */
};

/* Groups 1, 2, 5, 14, 15, 16 (RFC 2409 §6, RFC 3526). */
bool ike_dh_group_known(unsigned group);
/* Prime length in bytes (96 .. 512), 0 if unknown. */
size_t ike_dh_len(unsigned group);
/* Computes pub = g^x mod p for the caller's private exponent x (big-endian,
 * 1..ike_dh_len bytes, taken from the injected generator). x must satisfy
 * 1 < x < p-1; draw ike_dh_len bytes, or at least twice the group's
 * strength in bits (RFC 3526 §8). False for an unknown group or a bad x. */
bool ike_dh_generate(unsigned group, const uint8_t *priv, size_t privlen,
                     struct ike_dh *out);
/* shared = peer^x mod p, padded big-endian to dh->len bytes (g^xy as used in
 * SKEYID derivation). Rejects a peer value whose length is not the prime's
 * (RFC 2409 §5: KE data is exactly that long) or that is 0, 1, p-1 or >= p.
 * A value outside the subgroup of order (p-1)/2 that g = 2 generates (e.g.
 * p-2) is refused too, in every group; honest peers never send one. */
bool ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peerlen,
                   uint8_t out[IKE_DH_MAX]);
/* The cheap half of ike_dh_shared's checks: the length is the prime's and
 * 1 < value < p-1 (no subgroup check). */
bool ike_dh_peer_in_range(unsigned group, const uint8_t *peer, size_t peerlen);
/* Bytes of private exponent the engine draws for group: 20 (groups 1, 2),
 * 25, 29, 35, 41 (groups 5, 14, 15, 16); 0 if unknown. */
size_t ike_dh_priv_len(unsigned group);
void ike_dh_clear(struct ike_dh *dh);

/* ---- CBC ciphers (ike_cipher.c) ---- */

/* Block size of OAKLEY_ENCR_* alg (DES, 3DES: 8; AES: 16), 0 if unknown. */
size_t ike_cipher_block_size(unsigned alg);
/* Key length in bytes for alg and its Key Length attribute in bits (0 when
 * absent): DES 8, 3DES 24 (attribute 0 or the exact size), AES 128/192/256
 * bits, AES-128 when absent. 0 if unknown or not allowed. */
size_t ike_cipher_key_len(unsigned alg, unsigned key_length_bits);
/* CBC without padding (IKEv1 pads itself): len must be a multiple of the
 * block size and keylen must equal a valid key length, else false. in and
 * out may be the same buffer. DES weak and semi-weak keys (16 of 2^56) are
 * not refused here; the engine decides. iv is not updated: the next IV is
 * the last ciphertext block, which the caller holds. */
bool ike_cbc_encrypt(unsigned alg, const uint8_t *key, size_t keylen,
                     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);
bool ike_cbc_decrypt(unsigned alg, const uint8_t *key, size_t keylen,
                     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out);

/* ---- RFC 2409 key derivation (ike_keys.c) ---- */

/* What Phase 1 negotiated and exchanged. Nonces and g^x are the bodies of
 * the NONCE and KE payloads (no generic header); gxy is ike_dh_shared(). */
struct ike_phase1_input {
  unsigned hash;        /* OAKLEY_HASH_*: prf is HMAC with it */
  unsigned encr;        /* OAKLEY_ENCR_* */
  unsigned key_length;  /* Key Length attribute in bits, 0 if absent */
  struct ike_piece psk, ni_b, nr_b, gxi, gxr, gxy;
  uint8_t cky_i[IKE_COOKIE_LEN], cky_r[IKE_COOKIE_LEN];
};

/* Everything Phase 1 derives, with lengths. */
struct ike_phase1_keys {
  unsigned hash, encr;
  size_t prf_len;    /* = ike_hash_len(hash) */
  size_t key_len;    /* encryption key */
  size_t block_len;  /* cipher block = IV length */
  uint8_t skeyid[IKE_HASH_MAX];
  uint8_t skeyid_d[IKE_HASH_MAX];
  uint8_t skeyid_a[IKE_HASH_MAX];
  uint8_t skeyid_e[IKE_HASH_MAX];
  uint8_t enc_key[IKE_KEY_MAX];  /* from SKEYID_e, Appendix B extension */
  uint8_t iv[IKE_BLOCK_MAX];     /* hash(g^xi | g^xr), truncated */
};

/* Pre-shared key method (RFC 2409 §5): SKEYID = prf(psk, Ni_b | Nr_b), then
 * SKEYID_d/a/e, the encryption key and the initial Phase 1 IV. */
bool ike_phase1_keys_psk(const struct ike_phase1_input *in, struct ike_phase1_keys *out);
/* HASH_I (initiator true) = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b |
 * IDii_b); HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
 * sai_b is the SA payload body, id_b the sender's ID payload body. */
bool ike_phase1_hash(const struct ike_phase1_keys *k, bool initiator,
                     const struct ike_phase1_input *in, struct ike_piece sai_b,
                     struct ike_piece id_b, uint8_t out[IKE_HASH_MAX]);
/* IV of a Quick Mode or informational exchange: hash(last Phase 1 CBC block
 * | M-ID), truncated to block_len. last_block is block_len bytes. */
bool ike_phase2_iv(const struct ike_phase1_keys *k, const uint8_t *last_block,
                   uint32_t msgid, uint8_t out[IKE_BLOCK_MAX]);
/* Quick Mode (RFC 2409 §5.5). rest is the message after the HASH payload.
 * HASH(1) = prf(SKEYID_a, M-ID | rest)
 * HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 * HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
bool ike_qm_hash1(const struct ike_phase1_keys *k, uint32_t msgid,
                  struct ike_piece rest, uint8_t out[IKE_HASH_MAX]);
bool ike_qm_hash2(const struct ike_phase1_keys *k, uint32_t msgid, struct ike_piece ni_b,
                  struct ike_piece rest, uint8_t out[IKE_HASH_MAX]);
bool ike_qm_hash3(const struct ike_phase1_keys *k, uint32_t msgid, struct ike_piece ni_b,
                  struct ike_piece nr_b, uint8_t out[IKE_HASH_MAX]);
/* Informational HASH(1) = prf(SKEYID_a, M-ID | N/D payload). */
bool ike_info_hash(const struct ike_phase1_keys *k, uint32_t msgid,
                   struct ike_piece payload, uint8_t out[IKE_HASH_MAX]);
/* KEYMAT = K1 | K2 | ... truncated to outlen, K1 = prf(SKEYID_d, [g(qm)^xy |]
 * protocol | SPI | Ni_b | Nr_b), K(n+1) = prf(SKEYID_d, Kn | same). gxy_qm
 * has len 0 without PFS. spi is as sent in the proposal (4 bytes for ESP/AH). */
bool ike_qm_keymat(const struct ike_phase1_keys *k, struct ike_piece gxy_qm,
                   uint8_t protocol, struct ike_piece spi, struct ike_piece ni_b,
                   struct ike_piece nr_b, uint8_t *out, size_t outlen);

#endif
