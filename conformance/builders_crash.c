#include "builders_crash.h"

#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "remote_world.h"

enum { HASHLEN = 20, BLOCK = 16 };

/* The Diffie-Hellman group: B's rule 1 first proposal (MODP1024 in the
 * in-memory world; what a real peer under test is configured with). */
static uint16_t group = OAKLEY_GROUP_MODP1024;

static struct isakmp_msg m; /* large: one scratch message, single-threaded */

static void put32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void header(uint8_t *out, const struct mini_peer *p, uint8_t next, uint8_t exchange,
                   uint8_t flags, uint32_t msgid, size_t len)
{
  memcpy(out, p->icookie, 8);
  memcpy(out + 8, p->rcookie, 8);
  out[16] = next;
  out[17] = 0x10;
  out[18] = exchange;
  out[19] = flags;
  put32(out + 20, msgid);
  put32(out + 24, (uint32_t)len);
}

/* B's answer to what we just injected (under our initiator cookie; a real
 * peer may send others between): taken off the queue so that side A's
 * engine never sees it. */
static size_t take_reply(struct world *w, const struct mini_peer *p, uint8_t *out, size_t cap)
{
  struct net *n = &w->net;
  for (size_t i = 0; i < n->nq; i++) {
    if (n->queue[i].to != SIDE_A || n->queue[i].len > cap || n->queue[i].len < 8 ||
        memcmp(n->queue[i].data, p->icookie, 8) != 0)
      continue;
    size_t len = n->queue[i].len;
    memcpy(out, n->queue[i].data, len);
    memmove(&n->queue[i], &n->queue[i + 1], (n->nq - i - 1) * sizeof n->queue[0]);
    n->nq--;
    return len;
  }
  return 0;
}

static void begin(const struct mini_peer *p, uint8_t exchange)
{
  isakmp_msg_reset(&m);
  memcpy(m.hdr.icookie, p->icookie, 8);
  memcpy(m.hdr.rcookie, p->rcookie, 8);
  m.hdr.major = 1;
  m.hdr.exchange = exchange;
}

/* Pads the clear chain with zeros to the block size and encrypts it in
 * place after a header; iv_out gets the last ciphertext block. */
static size_t encrypt_after_header(const struct mini_peer *p, const uint8_t *iv, uint8_t *out,
                                   size_t chain_len, size_t cap, uint8_t *iv_out)
{
  size_t padded = (chain_len + BLOCK - 1) / BLOCK * BLOCK;
  if (ISAKMP_HDR_LEN + padded > cap)
    return 0;
  memset(out + ISAKMP_HDR_LEN + chain_len, 0, padded - chain_len);
  if (!ike_cbc_encrypt(p->keys.encr, p->keys.enc_key, p->keys.key_len, iv, out + ISAKMP_HDR_LEN,
                       padded, out + ISAKMP_HDR_LEN))
    return 0;
  if (iv_out)
    memcpy(iv_out, out + ISAKMP_HDR_LEN + padded - BLOCK, BLOCK);
  return ISAKMP_HDR_LEN + padded;
}

static size_t mm1(struct mini_peer *p, uint8_t *out, size_t cap)
{
  begin(p, ISAKMP_XCHG_IDPROT);
  struct isakmp_payload *sa = isakmp_add_payload(&m, ISAKMP_NP_SA);
  sa->u.sa.doi = ISAKMP_DOI_IPSEC;
  sa->u.sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
  struct isakmp_proposal *prop = isakmp_add_proposal(&m, sa, 1, ISAKMP_PROTO_ISAKMP,
                                                     slice_of(NULL, 0));
  if (!prop || !isakmp_add_transform(&m, prop, 1, ISAKMP_TRANSFORM_KEY_IKE))
    return 0;
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, OAKLEY_ENCR_AES_CBC);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_KEY_LENGTH, 128);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_HASH_ALGORITHM, OAKLEY_HASH_SHA1);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_GROUP_DESCRIPTION, group);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
  isakmp_add_attr_tv(&m, OAKLEY_ATTR_LIFE_DURATION, 28800);
  return isakmp_encode(&m, out, cap);
}

static const uint8_t *data_of(const struct isakmp_msg *msg, uint8_t type, size_t *len)
{
  for (size_t i = 0; i < msg->npayloads; i++)
    if (msg->payloads[i].type == type) {
      *len = msg->payloads[i].u.data.len;
      return msg->payloads[i].u.data.ptr;
    }
  return NULL;
}

/* Everything Main Mode needs across its messages. */
struct mm_state {
  uint8_t sai_b[256];
  size_t sai_len;
  struct ike_dh dh;
  uint8_t gxr[IKE_DH_MAX], nr[256];
  size_t nr_len;
  struct ike_phase1_input in;
  uint8_t gxy[IKE_DH_MAX];
};

static bool mm3_mm4(struct world *w, struct mini_peer *p, struct mm_state *s, uint8_t *buf,
                    size_t cap)
{
  static const uint8_t priv[32] = {0x5a, 0x17, 0xc3, 0x99, 0x21, 0x42, 0x08, 0x7e,
                                   0x31, 0x64, 0xa9, 0x0d, 0xee, 0x12, 0x55, 0x73,
                                   0x19, 0x2b, 0x6f, 0x80, 0x44, 0x3c, 0xd1, 0x07,
                                   0x9a, 0x61, 0x28, 0xf4, 0x0b, 0x5e, 0x72, 0x33};
  struct isakmp_error err;
  size_t len, ke_len = 0;
  if (!ike_dh_generate(group, priv, sizeof priv, &s->dh))
    return false;
  memset(p->ni, 0x4e, sizeof p->ni);
  begin(p, ISAKMP_XCHG_IDPROT);
  isakmp_add_payload(&m, ISAKMP_NP_KE)->u.data = slice_of(s->dh.pub, s->dh.len);
  isakmp_add_payload(&m, ISAKMP_NP_NONCE)->u.data = slice_of(p->ni, sizeof p->ni);
  len = isakmp_encode(&m, buf, cap);
  world_inject(w, SIDE_B, buf, len);
  len = take_reply(w, p, buf, cap);
  if (!len || !isakmp_decode(&m, buf, len, &err))
    return false;
  const uint8_t *ke = data_of(&m, ISAKMP_NP_KE, &ke_len), *nr = data_of(&m, ISAKMP_NP_NONCE,
                                                                         &s->nr_len);
  if (!ke || !nr || ke_len != s->dh.len || s->nr_len > sizeof s->nr)
    return false;
  memcpy(s->gxr, ke, ke_len);
  memcpy(s->nr, nr, s->nr_len);
  return ike_dh_shared(&s->dh, s->gxr, ke_len, s->gxy);
}

/* MM5 (ID, HASH_I) encrypted; MM6's last block is where Phase 2 IVs start. */
static bool mm5_mm6(struct world *w, struct mini_peer *p, struct mm_state *s, uint8_t *buf,
                    size_t cap)
{
  const struct ike_rule *r = &w->cfg[SIDE_B].rules[0];
  uint8_t id_b[8] = {ISAKMP_ID_IPV4_ADDR, 17, 0x01, 0xf4}, hash[IKE_HASH_MAX];
  put32(id_b + 4, w->net.side[SIDE_A].addr.addr);
  s->in = (struct ike_phase1_input){
      .hash = OAKLEY_HASH_SHA1, .encr = OAKLEY_ENCR_AES_CBC, .key_length = 128,
      .psk = {r->psk, r->psk_len}, .ni_b = {p->ni, sizeof p->ni}, .nr_b = {s->nr, s->nr_len},
      .gxi = {s->dh.pub, s->dh.len}, .gxr = {s->gxr, s->dh.len}, .gxy = {s->gxy, s->dh.len}};
  memcpy(s->in.cky_i, p->icookie, 8);
  memcpy(s->in.cky_r, p->rcookie, 8);
  if (!ike_phase1_keys_psk(&s->in, &p->keys) ||
      !ike_phase1_hash(&p->keys, true, &s->in, (struct ike_piece){s->sai_b, s->sai_len},
                       (struct ike_piece){id_b, sizeof id_b}, hash))
    return false;
  begin(p, ISAKMP_XCHG_IDPROT);
  struct isakmp_payload *id = isakmp_add_payload(&m, ISAKMP_NP_ID);
  id->u.id.type = ISAKMP_ID_IPV4_ADDR;
  id->u.id.protocol = 17;
  id->u.id.port = 500;
  id->u.id.data = slice_of(id_b + 4, 4);
  isakmp_add_payload(&m, ISAKMP_NP_HASH)->u.data = slice_of(hash, HASHLEN);
  size_t len = isakmp_encode(&m, buf, cap);
  uint8_t iv[IKE_BLOCK_MAX];
  len = len ? encrypt_after_header(p, p->keys.iv, buf, len - ISAKMP_HDR_LEN, cap, iv) : 0;
  if (!len)
    return false;
  header(buf, p, ISAKMP_NP_ID, ISAKMP_XCHG_IDPROT, ISAKMP_FLAG_E, 0, len);
  world_inject(w, SIDE_B, buf, len);
  len = take_reply(w, p, buf, cap);
  if (len < ISAKMP_HDR_LEN + BLOCK || !(buf[19] & ISAKMP_FLAG_E))
    return false;
  memcpy(p->last_block, buf + len - BLOCK, BLOCK);
  return true;
}

bool mini_main_mode(struct world *w, struct mini_peer *p)
{
  static uint8_t buf[NET_MAX_PACKET];
  static struct mm_state s;
  struct isakmp_error err;
  memset(p, 0, sizeof *p);
  memcpy(p->icookie, "\x6d\x69\x6e\x69\x70\x65\x65\x72", 8); /* "minipeer" */
  /* A real peer remembers earlier cases' SAs: a fresh cookie each time. */
  if (w->remote)
    remote_random(NULL, p->icookie + 4, 4);
  group = w->cfg[SIDE_B].rules[0].p1[0].group;
  size_t len = mm1(p, buf, sizeof buf);
  size_t sa_len = len > 32 ? (size_t)(buf[30] << 8 | buf[31]) : 0;
  if (sa_len < 4 || sa_len - 4 > sizeof s.sai_b)
    return false;
  s.sai_len = sa_len - 4;
  memcpy(s.sai_b, buf + ISAKMP_HDR_LEN + 4, s.sai_len);
  world_inject(w, SIDE_B, buf, len);
  len = take_reply(w, p, buf, sizeof buf);
  if (!len || !isakmp_decode(&m, buf, len, &err) || m.hdr.exchange != ISAKMP_XCHG_IDPROT ||
      m.npayloads == 0 || m.payloads[0].type != ISAKMP_NP_SA)
    return false;
  memcpy(p->rcookie, m.hdr.rcookie, 8);
  if (!mm3_mm4(w, p, &s, buf, sizeof buf) || !mm5_mm6(w, p, &s, buf, sizeof buf))
    return false;
  if (w->remote) { /* the report can then read the peer's notifies */
    uint8_t cookies[16];
    memcpy(cookies, p->icookie, 8);
    memcpy(cookies + 8, p->rcookie, 8);
    remote_world_mini_keys(w, cookies, &p->keys, p->last_block);
  }
  return true;
}

size_t mini_seal(const struct mini_peer *p, uint8_t exchange, uint32_t msgid, uint8_t first,
                 const uint8_t *rest, size_t rest_len, uint8_t *out, size_t cap)
{
  uint8_t iv[IKE_BLOCK_MAX], hash[IKE_HASH_MAX];
  size_t chain = 4 + HASHLEN + rest_len;
  if (ISAKMP_HDR_LEN + chain + BLOCK > cap ||
      !ike_phase2_iv(&p->keys, p->last_block, msgid, iv) ||
      !ike_qm_hash1(&p->keys, msgid, (struct ike_piece){rest, rest_len}, hash))
    return 0;
  uint8_t *c = out + ISAKMP_HDR_LEN;
  c[0] = first;
  c[1] = 0;
  c[2] = 0;
  c[3] = 4 + HASHLEN;
  memcpy(c + 4, hash, HASHLEN);
  memcpy(c + 4 + HASHLEN, rest, rest_len);
  size_t len = encrypt_after_header(p, iv, out, chain, cap, NULL);
  if (len)
    header(out, p, ISAKMP_NP_HASH, exchange, ISAKMP_FLAG_E, msgid, len);
  return len;
}

static uint8_t qm_spi[4] = {0x5e, 0xed, 0x00, 0x01};
static uint8_t qm_ids[2][8] = {{192, 168, 1, 0, 255, 255, 255, 0},
                               {192, 168, 2, 0, 255, 255, 255, 0}};

void mini_qm1_msg(const struct mini_peer *p, struct isakmp_msg *out)
{
  isakmp_msg_reset(out);
  memcpy(out->hdr.icookie, p->icookie, 8);
  memcpy(out->hdr.rcookie, p->rcookie, 8);
  out->hdr.major = 1;
  out->hdr.exchange = ISAKMP_XCHG_QUICK;
  struct isakmp_payload *sa = isakmp_add_payload(out, ISAKMP_NP_SA);
  sa->u.sa.doi = ISAKMP_DOI_IPSEC;
  sa->u.sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
  struct isakmp_proposal *prop = isakmp_add_proposal(out, sa, 1, ISAKMP_PROTO_ESP,
                                                     slice_of(qm_spi, 4));
  isakmp_add_transform(out, prop, 1, ISAKMP_ESP_AES_CBC);
  isakmp_add_attr_tv(out, IPSEC_ATTR_SA_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
  isakmp_add_attr_tv(out, IPSEC_ATTR_SA_LIFE_DURATION, 3600);
  isakmp_add_attr_tv(out, IPSEC_ATTR_ENCAPSULATION_MODE, IPSEC_ENCAP_TUNNEL);
  isakmp_add_attr_tv(out, IPSEC_ATTR_AUTH_ALGORITHM, IPSEC_AUTH_HMAC_SHA1);
  isakmp_add_attr_tv(out, IPSEC_ATTR_KEY_LENGTH, 128);
  isakmp_add_payload(out, ISAKMP_NP_NONCE)->u.data = slice_of(p->ni, sizeof p->ni);
  for (int i = 0; i < 2; i++) {
    struct isakmp_payload *id = isakmp_add_payload(out, ISAKMP_NP_ID);
    id->u.id.type = ISAKMP_ID_IPV4_ADDR_SUBNET;
    id->u.id.data = slice_of(qm_ids[i], 8);
  }
}

size_t mini_rest_of(const uint8_t *msg, size_t len, uint8_t *first, uint8_t *rest, size_t cap)
{
  if (len <= ISAKMP_HDR_LEN || len - ISAKMP_HDR_LEN > cap)
    return 0;
  *first = msg[16];
  memcpy(rest, msg + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN);
  return len - ISAKMP_HDR_LEN;
}
