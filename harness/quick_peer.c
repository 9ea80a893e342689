#include "quick_peer.h"

#include <string.h>

#include "ikelab/ike_crypto.h"
#include "ikelab/isakmp.h"

enum { SEAL_MAX_BODY = 16384 };

void quick_peer_init(struct quick_peer *p, const struct ike_p1_keys_info *k)
{
  p->k = *k;
  p->nx = 0;
  p->last_engine_msgid = 0;
}

static struct quick_exchange *find(struct quick_peer *p, uint32_t msgid)
{
  size_t n = p->nx < QUICK_PEER_EXCHANGES ? p->nx : QUICK_PEER_EXCHANGES;
  for (size_t i = 0; i < n; i++)
    if (p->x[i].msgid == msgid)
      return &p->x[i];
  return NULL;
}

/* A new exchange; the oldest is forgotten when the table is full. */
static struct quick_exchange *add(struct quick_peer *p, uint32_t msgid, bool engine_started)
{
  struct quick_exchange *x = &p->x[p->nx++ % QUICK_PEER_EXCHANGES];
  memset(x, 0, sizeof *x);
  x->msgid = msgid;
  x->engine_started = engine_started;
  return x;
}

/* What a plaintext chain says: its NONCE body (if any) and its length
 * without the bytes after the last payload (they are padding to the
 * engine, and no HASH covers padding). */
struct chain_facts {
  struct buf_slice nonce;
  size_t len;
};

static void chain_facts(uint8_t first, struct buf_slice chain, struct chain_facts *f)
{
  static struct isakmp_msg m;
  struct isakmp_error err;
  f->nonce = slice_of(NULL, 0);
  f->len = slice_len(chain);
  isakmp_msg_reset(&m);
  if (!isakmp_decode_chain(&m, first, chain, ISAKMP_HDR_LEN, true, &err))
    return;
  f->len -= slice_len(m.padding);
  for (size_t i = 0; i < m.npayloads; i++)
    if (m.payloads[i].type == ISAKMP_NP_NONCE) {
      f->nonce = m.payloads[i].u.data;
      return;
    }
}

/* The header fields the peer follows, read from a message's first bytes. */
struct hdr_facts {
  uint8_t next, exchange, flags;
  uint32_t msgid;
};

static bool read_hdr(struct buf_reader *r, struct hdr_facts *h)
{
  uint32_t len;
  return br_skip(r, 16) && br_u8(r, &h->next) && br_skip(r, 1) && br_u8(r, &h->exchange) &&
         br_u8(r, &h->flags) && br_u32(r, &h->msgid) && br_u32(r, &len);
}

void quick_peer_saw_clear(struct quick_peer *p, const struct ike_clear *c)
{
  struct buf_reader r;
  struct hdr_facts h;
  struct chain_facts f;
  if (!c->sent)
    return;
  br_init(&r, c->msg, c->len);
  if (!read_hdr(&r, &h) || h.exchange != ISAKMP_XCHG_QUICK)
    return;
  chain_facts(h.next, br_rest(&r), &f);
  struct quick_exchange *x = find(p, h.msgid);
  if (!x) {
    x = add(p, h.msgid, true); /* the engine's QM1: its nonce is Ni */
    x->ni_len = slice_copy(f.nonce, x->ni, sizeof x->ni);
  } else if (!x->engine_started && slice_len(f.nonce)) {
    x->nr_len = slice_copy(f.nonce, x->nr, sizeof x->nr); /* its QM2: Nr */
  }
}

/* The last cipher block of a datagram: the next IV of its exchange. */
static bool last_block(const uint8_t *pkt, size_t len, size_t block, uint8_t *out)
{
  struct buf_reader r;
  br_init(&r, pkt, len);
  return len >= ISAKMP_HDR_LEN + block && br_skip(&r, len - block) && br_copy(&r, out, block);
}

void quick_peer_saw_send(struct quick_peer *p, const uint8_t *pkt, size_t len)
{
  struct buf_reader r;
  struct hdr_facts h;
  br_init(&r, pkt, len);
  if (!read_hdr(&r, &h) || !(h.flags & ISAKMP_FLAG_E))
    return;
  p->last_engine_msgid = h.msgid;
  struct quick_exchange *x = h.exchange == ISAKMP_XCHG_QUICK ? find(p, h.msgid) : NULL;
  if (x && last_block(pkt, len, p->k.keys.block_len, x->iv))
    x->live = true;
}

uint32_t quick_peer_msgid(const struct quick_peer *p, unsigned flags, uint32_t msgid)
{
  return (flags & SEAL_COPY_MSGID) ? p->last_engine_msgid : msgid;
}

/* The HASH a correct peer sends here (RFC 2409 §5.5, §5.7). */
static bool compute_hash(const struct quick_peer *p, uint8_t exchange, uint32_t msgid,
                         const struct quick_exchange *x, struct ike_piece rest, uint8_t *out)
{
  const struct ike_phase1_keys *k = &p->k.keys;
  if (exchange != ISAKMP_XCHG_QUICK)
    return ike_info_hash(k, msgid, rest, out);
  if (x && x->live && x->engine_started)
    return ike_qm_hash2(k, msgid, (struct ike_piece){x->ni, x->ni_len}, rest, out);
  if (x && x->live)
    return ike_qm_hash3(k, msgid, (struct ike_piece){x->ni, x->ni_len},
                        (struct ike_piece){x->nr, x->nr_len}, out);
  return ike_qm_hash1(k, msgid, rest, out);
}

/* Zero padding to the block, as the engine pads; the extra block ends in
 * its own length, as some peers write it. */
static void pad(struct buf_writer *w, size_t block, bool extra)
{
  size_t n = bw_pos(w) % block ? block - bw_pos(w) % block : 0;
  bw_zeros(w, n);
  if (extra) {
    bw_zeros(w, block - 1);
    bw_u8(w, (uint8_t)block);
  }
}

/* Pads the body in w, encrypts it under iv (unless SEAL_CLEAR) and writes
 * header and body to out. Returns the datagram length, 0 when it fails. */
static size_t finish(const struct ike_p1_keys_info *ki, const uint8_t *iv, uint8_t exchange,
                     uint32_t msgid, unsigned flags, uint8_t next, struct buf_writer *w,
                     uint8_t *out, size_t cap)
{
  const struct ike_phase1_keys *k = &ki->keys;
  uint8_t *body = w->data;
  pad(w, k->block_len, flags & SEAL_EXTRA_PAD);
  size_t len = bw_pos(w);
  bool encrypt = !(flags & SEAL_CLEAR);
  if (!bw_ok(w) || (encrypt && !ike_cbc_encrypt(k->encr, k->enc_key, k->key_len, iv, body,
                                                len, body)))
    return 0;
  struct buf_writer o;
  bw_init(&o, out, cap);
  bw_bytes(&o, ki->icookie, 8);
  bw_bytes(&o, ki->rcookie, 8);
  bw_u8(&o, next);
  bw_u8(&o, 0x10);
  bw_u8(&o, exchange);
  bw_u8(&o, encrypt ? ISAKMP_FLAG_E : 0);
  bw_u32(&o, msgid);
  bw_u32(&o, (uint32_t)(ISAKMP_HDR_LEN + len));
  bw_bytes(&o, body, len);
  return bw_ok(&o) ? bw_pos(&o) : 0;
}

size_t quick_peer_seal(struct quick_peer *p, uint8_t exchange, uint32_t msgid, unsigned flags,
                       uint8_t first, struct buf_slice chain, uint8_t *out, size_t cap)
{
  static uint8_t body[SEAL_MAX_BODY];
  const struct ike_phase1_keys *k = &p->k.keys;
  size_t block = k->block_len;
  struct quick_exchange *x = exchange == ISAKMP_XCHG_QUICK ? find(p, msgid) : NULL;
  uint8_t iv[IKE_BLOCK_MAX], hash[IKE_HASH_MAX];
  struct chain_facts f;
  struct buf_writer w;
  if (x && x->live)
    memcpy(iv, x->iv, block);
  else if (!ike_phase2_iv(k, p->k.iv, msgid, iv))
    return 0;
  chain_facts(first, chain, &f);
  bw_init(&w, body, sizeof body);
  uint8_t next = first;
  if (flags & SEAL_HASH) {
    struct buf_reader r;
    struct buf_slice rest;
    br_from_slice(&r, chain, 0);
    if (!br_slice(&r, f.len, &rest) ||
        !compute_hash(p, exchange, msgid, x, (struct ike_piece){rest.ptr, rest.len}, hash))
      return 0;
    bw_u8(&w, first);
    bw_u8(&w, 0);
    bw_u16(&w, (uint16_t)(4 + k->prf_len));
    bw_bytes(&w, hash, k->prf_len);
    next = ISAKMP_NP_HASH;
  }
  bw_slice(&w, chain);
  size_t n = finish(&p->k, iv, exchange, msgid, flags, next, &w, out, cap);
  /* A message the engine will accept moves its exchange's CBC chain. */
  if (n && (flags & SEAL_HASH) && !(flags & SEAL_CLEAR) && exchange == ISAKMP_XCHG_QUICK) {
    if (!x)
      x = add(p, msgid, false);
    if (!x->live)
      x->ni_len = slice_copy(f.nonce, x->ni, sizeof x->ni);
    last_block(out, n, block, x->iv);
  }
  return n;
}

size_t quick_peer_seal_phase1(const struct ike_p1_keys_info *k, uint32_t msgid, unsigned flags,
                              uint8_t first, struct buf_slice chain, uint8_t *out, size_t cap)
{
  static uint8_t body[SEAL_MAX_BODY];
  struct buf_writer w;
  bw_init(&w, body, sizeof body);
  bw_slice(&w, chain);
  return finish(k, k->iv, ISAKMP_XCHG_IDPROT, msgid, flags & ~SEAL_HASH, first, &w, out, cap);
}
