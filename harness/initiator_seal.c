#include "initiator_seal.h"

#include <string.h>

#include "ikelab/isakmp.h"
#include "initiator_env.h"

struct hdr {
  uint8_t next, exchange;
  uint32_t msgid;
};

static bool read_hdr(struct buf_slice m, struct hdr *h)
{
  struct buf_reader r;
  br_from_slice(&r, m, 0);
  return br_skip(&r, 16) && br_u8(&r, &h->next) && br_skip(&r, 1) && br_u8(&r, &h->exchange) &&
         br_skip(&r, 1) && br_u32(&r, &h->msgid) && br_skip(&r, 4);
}

/* The chain after the header, without the padding the decoder finds. */
static struct buf_slice chain_of(struct buf_slice m, uint8_t first, size_t from,
                                 struct buf_slice *nonce)
{
  static struct isakmp_msg d;
  struct isakmp_error err;
  struct buf_reader r;
  struct buf_slice chain = slice_of(NULL, 0);
  *nonce = slice_of(NULL, 0);
  br_from_slice(&r, m, 0);
  if (!br_skip(&r, from))
    return chain;
  chain = br_rest(&r);
  isakmp_msg_reset(&d);
  if (!isakmp_decode_chain(&d, first, chain, from, true, &err))
    return chain;
  for (size_t i = 0; i < d.npayloads && !nonce->len; i++)
    if (d.payloads[i].type == ISAKMP_NP_NONCE)
      *nonce = d.payloads[i].u.data;
  br_from_slice(&r, chain, 0);
  br_slice(&r, chain.len - d.padding.len, &chain);
  return chain;
}

void nonce_book_saw(struct nonce_book *b, const uint8_t *msg, size_t len)
{
  struct hdr h;
  struct buf_slice nonce, m = slice_of(msg, len);
  if (!read_hdr(m, &h) || h.exchange != ISAKMP_XCHG_QUICK)
    return;
  chain_of(m, h.next, ISAKMP_HDR_LEN, &nonce);
  if (!nonce.len)
    return;
  size_t have = b->n < NONCE_BOOK ? b->n : NONCE_BOOK;
  for (size_t i = 0; i < have; i++)
    if (b->x[i].msgid == h.msgid) {
      if (!slice_eq_bytes(nonce, b->x[i].ni, b->x[i].ni_len))
        b->x[i].nr_len = slice_copy(nonce, b->x[i].nr, sizeof b->x[i].nr);
      return;
    }
  size_t i = b->n++ % NONCE_BOOK;
  b->x[i].msgid = h.msgid;
  b->x[i].ni_len = slice_copy(nonce, b->x[i].ni, sizeof b->x[i].ni);
  b->x[i].nr_len = 0;
}

enum hash_kind { HK_INFO, HK_QM1, HK_QM2, HK_QM3, HK_COUNT };

static bool compute(const struct ike_phase1_keys *k, const struct nonce_book *b,
                    enum hash_kind kind, uint32_t msgid, struct buf_slice rest, uint8_t *out)
{
  struct ike_piece r = {rest.ptr, rest.len}, ni = {NULL, 0}, nr = {NULL, 0};
  size_t have = b->n < NONCE_BOOK ? b->n : NONCE_BOOK;
  for (size_t i = 0; i < have; i++)
    if (b->x[i].msgid == msgid) {
      ni = (struct ike_piece){b->x[i].ni, b->x[i].ni_len};
      nr = (struct ike_piece){b->x[i].nr, b->x[i].nr_len};
    }
  switch (kind) {
  case HK_INFO:
    return ike_info_hash(k, msgid, r, out);
  case HK_QM1:
    return ike_qm_hash1(k, msgid, r, out);
  case HK_QM2:
    return ni.len && ike_qm_hash2(k, msgid, ni, r, out);
  default:
    return ni.len && nr.len && ike_qm_hash3(k, msgid, ni, nr, out);
  }
}

/* Where a message's leading HASH payload keeps its value, and what follows. */
static bool split_hash(struct buf_slice m, const struct hdr *h, size_t prf_len,
                       struct buf_slice *value, struct buf_slice *rest)
{
  struct buf_reader r;
  uint8_t next;
  uint16_t len;
  struct buf_slice nonce;
  br_from_slice(&r, m, 0);
  if (h->next != ISAKMP_NP_HASH || !br_skip(&r, ISAKMP_HDR_LEN) || !br_u8(&r, &next) ||
      !br_skip(&r, 1) || !br_u16(&r, &len) || len != 4 + prf_len || !br_slice(&r, prf_len, value))
    return false;
  *rest = chain_of(m, next, ISAKMP_HDR_LEN + len, &nonce);
  return true;
}

/* Which HASH the shadow wrote into orig (HK_COUNT: none we know). */
static enum hash_kind kind_of(const struct ike_phase1_keys *k, const struct nonce_book *b,
                              struct buf_slice orig)
{
  struct hdr h;
  struct buf_slice value, rest;
  uint8_t out[IKE_HASH_MAX];
  if (!read_hdr(orig, &h) || !split_hash(orig, &h, k->prf_len, &value, &rest))
    return HK_COUNT;
  for (int kind = h.exchange == ISAKMP_XCHG_INFO ? HK_INFO : HK_QM1; kind < HK_COUNT; kind++)
    if (compute(k, b, kind, h.msgid, rest, out) && slice_eq_bytes(value, out, k->prf_len))
      return kind;
  return HK_COUNT;
}

/* The HASH of the mutated message, computed as the original's was. */
static bool fix_hash(const struct ike_phase1_keys *k, const struct nonce_book *b,
                     struct buf_slice orig, uint8_t *mut, size_t mut_len)
{
  struct hdr h;
  struct buf_slice value, rest;
  uint8_t out[IKE_HASH_MAX];
  enum hash_kind kind = kind_of(k, b, orig);
  struct buf_slice m = slice_of(mut, mut_len);
  if (kind == HK_COUNT || !read_hdr(m, &h) || !split_hash(m, &h, k->prf_len, &value, &rest) ||
      !compute(k, b, kind, h.msgid, rest, out))
    return false;
  memcpy(mut + ISAKMP_HDR_LEN + 4, out, k->prf_len); /* value sits right there */
  return true;
}

/* True when mut still carries orig's HASH over the same bytes: everything
 * a HASH covers (cookies, M-ID, the payloads after it) is unchanged. The
 * HASH payload's own header is not covered and may differ. */
static bool hash_still_holds(struct buf_slice orig, const uint8_t *mut, size_t mut_len)
{
  struct buf_reader r;
  uint8_t a[ISAKMP_HDR_LEN + 4];
  size_t n = orig.len;
  br_from_slice(&r, orig, 0);
  if (mut_len < n || !br_copy(&r, a, sizeof a))
    return false;
  return memcmp(a, mut, 17) == 0 && memcmp(a + 20, mut + 20, 4) == 0 &&
         slice_eq_bytes(br_rest(&r), mut + sizeof a, n - sizeof a);
}

/* The IV the shadow encrypted wire with: D(C1) ^ P1 (CBC). */
static bool recover_iv(const struct ike_phase1_keys *k, struct buf_slice wire,
                       struct buf_slice orig, uint8_t *iv)
{
  static const uint8_t zero[IKE_BLOCK_MAX];
  uint8_t c1[IKE_BLOCK_MAX], p1[IKE_BLOCK_MAX];
  struct buf_reader w, p;
  size_t block = k->block_len;
  br_from_slice(&w, wire, 0);
  br_from_slice(&p, orig, 0);
  if (block == 0 || block > IKE_BLOCK_MAX || !br_skip(&w, ISAKMP_HDR_LEN) ||
      !br_copy(&w, c1, block) || !br_skip(&p, ISAKMP_HDR_LEN) || !br_copy(&p, p1, block) ||
      !ike_cbc_decrypt(k->encr, k->enc_key, k->key_len, zero, c1, block, c1))
    return false;
  for (size_t i = 0; i < block; i++)
    iv[i] = c1[i] ^ p1[i];
  return true;
}

size_t seal_again(const struct ike_phase1_keys *k, const struct nonce_book *b,
                  struct buf_slice wire, struct buf_slice orig, uint8_t *mut, size_t mut_len,
                  unsigned flags, uint8_t *out, size_t cap, bool *authentic)
{
  struct hdr h;
  uint8_t iv[IKE_BLOCK_MAX];
  bool encrypt = !(flags & TPL_CLEAR), fixed = false;
  bool judged;
  if (!read_hdr(orig, &h) || !recover_iv(k, wire, orig, iv) || mut_len > cap)
    return 0;
  judged = h.exchange == ISAKMP_XCHG_QUICK || h.exchange == ISAKMP_XCHG_INFO;
  if ((flags & TPL_FIX_HASH) && judged)
    fixed = fix_hash(k, b, orig, mut, mut_len);
  size_t body = mut_len > ISAKMP_HDR_LEN ? mut_len - ISAKMP_HDR_LEN : 0;
  size_t padded = encrypt && body % k->block_len ? body + k->block_len - body % k->block_len
                                                 : body;
  if (ISAKMP_HDR_LEN + padded > cap)
    return 0;
  memcpy(out, mut, mut_len);
  memset(out + mut_len, 0, ISAKMP_HDR_LEN + padded - mut_len);
  /* Judged as the engine will read it: zero padding can give a cut
   * payload its bytes back. */
  *authentic = !judged || (encrypt && (fixed || hash_still_holds(orig, out,
                                                                  ISAKMP_HDR_LEN + padded)));
  if (mut_len < ISAKMP_HDR_LEN) /* no header left to seal under */
    return mut_len;
  if (encrypt) {
    out[19] |= ISAKMP_FLAG_E;
    if (padded == 0 || !ike_cbc_encrypt(k->encr, k->enc_key, k->key_len, iv,
                                        out + ISAKMP_HDR_LEN, padded, out + ISAKMP_HDR_LEN))
      return 0;
  }
  if (!(flags & TPL_KEEP_LEN)) {
    size_t total = ISAKMP_HDR_LEN + padded;
    for (int i = 0; i < 4; i++)
      out[24 + i] = (uint8_t)(total >> (24 - 8 * i));
  }
  return ISAKMP_HDR_LEN + padded;
}
