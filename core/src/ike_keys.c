/* RFC 2409 key derivation: SKEYID and its children for the pre-shared key
 * method (§5), the Appendix B encryption-key extension, the Phase 1 and
 * Phase 2 IVs (Appendix B), HASH_I/HASH_R (§5), the Quick Mode and
 * informational hashes (§5.5, §5.7) and KEYMAT (§5.5). */
#include <string.h>

#include <openssl/crypto.h>

#include "ikelab/ike_crypto.h"

static void put_u32(uint8_t out[4], uint32_t v)
{
  out[0] = (uint8_t)(v >> 24);
  out[1] = (uint8_t)(v >> 16);
  out[2] = (uint8_t)(v >> 8);
  out[3] = (uint8_t)v;
}

/* Appendix B: when the cipher needs more key than SKEYID_e holds,
 * Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), K(n+1) = prf(SKEYID_e, Kn);
 * otherwise the key is the leading bytes of SKEYID_e. */
static bool encryption_key(struct ike_phase1_keys *k)
{
  if (k->key_len <= k->prf_len) {
    memcpy(k->enc_key, k->skeyid_e, k->key_len);
    return true;
  }
  static const uint8_t zero = 0;
  uint8_t kn[IKE_HASH_MAX];
  struct ike_piece prev = {&zero, 1};
  size_t done = 0;
  bool ok = true;
  while (ok && done < k->key_len) {
    ok = ike_prf(k->hash, k->skeyid_e, k->prf_len, &prev, 1, kn);
    size_t take = k->key_len - done < k->prf_len ? k->key_len - done : k->prf_len;
    if (ok)
      memcpy(k->enc_key + done, kn, take);
    done += take;
    prev = (struct ike_piece){kn, k->prf_len};
  }
  OPENSSL_cleanse(kn, sizeof kn);
  return ok;
}

bool ike_phase1_keys_psk(const struct ike_phase1_input *in, struct ike_phase1_keys *out)
{
  struct ike_phase1_keys k = {.hash = in->hash, .encr = in->encr};
  k.prf_len = ike_hash_len(in->hash);
  k.key_len = ike_cipher_key_len(in->encr, in->key_length);
  k.block_len = ike_cipher_block_size(in->encr);
  if (k.prf_len == 0 || k.key_len == 0 || k.block_len == 0)
    return false;
  static const uint8_t d = 0, a = 1, e = 2;
  const struct ike_piece cky_i = {in->cky_i, IKE_COOKIE_LEN};
  const struct ike_piece cky_r = {in->cky_r, IKE_COOKIE_LEN};
  const struct ike_piece last_d = {k.skeyid_d, k.prf_len};
  const struct ike_piece last_a = {k.skeyid_a, k.prf_len};
  uint8_t iv[IKE_HASH_MAX];
  bool ok =
      ike_prf(in->hash, in->psk.ptr, in->psk.len, IKE_PIECES(in->ni_b, in->nr_b), k.skeyid) &&
      ike_prf(in->hash, k.skeyid, k.prf_len,
              IKE_PIECES(in->gxy, cky_i, cky_r, {&d, 1}), k.skeyid_d) &&
      ike_prf(in->hash, k.skeyid, k.prf_len,
              IKE_PIECES(last_d, in->gxy, cky_i, cky_r, {&a, 1}), k.skeyid_a) &&
      ike_prf(in->hash, k.skeyid, k.prf_len,
              IKE_PIECES(last_a, in->gxy, cky_i, cky_r, {&e, 1}), k.skeyid_e) &&
      encryption_key(&k) &&
      ike_hash(in->hash, IKE_PIECES(in->gxi, in->gxr), iv);
  if (ok) {
    memcpy(k.iv, iv, k.block_len);
    *out = k;
  }
  OPENSSL_cleanse(&k, sizeof k);
  return ok;
}

bool ike_phase1_hash(const struct ike_phase1_keys *k, bool initiator,
                     const struct ike_phase1_input *in, struct ike_piece sai_b,
                     struct ike_piece id_b, uint8_t out[IKE_HASH_MAX])
{
  const struct ike_piece cky_i = {in->cky_i, IKE_COOKIE_LEN};
  const struct ike_piece cky_r = {in->cky_r, IKE_COOKIE_LEN};
  if (initiator)
    return ike_prf(k->hash, k->skeyid, k->prf_len,
                   IKE_PIECES(in->gxi, in->gxr, cky_i, cky_r, sai_b, id_b), out);
  return ike_prf(k->hash, k->skeyid, k->prf_len,
                 IKE_PIECES(in->gxr, in->gxi, cky_r, cky_i, sai_b, id_b), out);
}

bool ike_phase2_iv(const struct ike_phase1_keys *k, const uint8_t *last_block,
                   uint32_t msgid, uint8_t out[IKE_BLOCK_MAX])
{
  uint8_t mid[4], h[IKE_HASH_MAX];
  put_u32(mid, msgid);
  if (k->block_len == 0 || k->block_len > IKE_BLOCK_MAX ||
      !ike_hash(k->hash, IKE_PIECES({last_block, k->block_len}, {mid, 4}), h))
    return false;
  memcpy(out, h, k->block_len);
  return true;
}

bool ike_qm_hash1(const struct ike_phase1_keys *k, uint32_t msgid,
                  struct ike_piece rest, uint8_t out[IKE_HASH_MAX])
{
  uint8_t mid[4];
  put_u32(mid, msgid);
  return ike_prf(k->hash, k->skeyid_a, k->prf_len, IKE_PIECES({mid, 4}, rest), out);
}

bool ike_qm_hash2(const struct ike_phase1_keys *k, uint32_t msgid, struct ike_piece ni_b,
                  struct ike_piece rest, uint8_t out[IKE_HASH_MAX])
{
  uint8_t mid[4];
  put_u32(mid, msgid);
  return ike_prf(k->hash, k->skeyid_a, k->prf_len, IKE_PIECES({mid, 4}, ni_b, rest), out);
}

bool ike_qm_hash3(const struct ike_phase1_keys *k, uint32_t msgid, struct ike_piece ni_b,
                  struct ike_piece nr_b, uint8_t out[IKE_HASH_MAX])
{
  static const uint8_t zero = 0;
  uint8_t mid[4];
  put_u32(mid, msgid);
  return ike_prf(k->hash, k->skeyid_a, k->prf_len,
                 IKE_PIECES({&zero, 1}, {mid, 4}, ni_b, nr_b), out);
}

bool ike_info_hash(const struct ike_phase1_keys *k, uint32_t msgid,
                   struct ike_piece payload, uint8_t out[IKE_HASH_MAX])
{
  return ike_qm_hash1(k, msgid, payload, out); /* same shape, §5.7 */
}

bool ike_qm_keymat(const struct ike_phase1_keys *k, struct ike_piece gxy_qm,
                   uint8_t protocol, struct ike_piece spi, struct ike_piece ni_b,
                   struct ike_piece nr_b, uint8_t *out, size_t outlen)
{
  uint8_t kn[IKE_HASH_MAX];
  struct ike_piece prev = {NULL, 0}; /* K1 has no previous block */
  size_t done = 0;
  bool ok = k->prf_len > 0;
  while (ok && done < outlen) {
    ok = ike_prf(k->hash, k->skeyid_d, k->prf_len,
                 IKE_PIECES(prev, gxy_qm, {&protocol, 1}, spi, ni_b, nr_b), kn);
    size_t take = outlen - done < k->prf_len ? outlen - done : k->prf_len;
    if (ok)
      memcpy(out + done, kn, take);
    done += take;
    prev = (struct ike_piece){kn, k->prf_len};
  }
  OPENSSL_cleanse(kn, sizeof kn);
  return ok;
}
