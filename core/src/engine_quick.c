/* Quick Mode (RFC 2409 §5.5) in both roles, under an established Phase 1:
 *   I -> R  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]
 *   R -> I  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *   I -> R  HDR*, HASH(3)
 * Each exchange has its own message ID and its own CBC chain. The proxy IDs
 * are judged by the rule model (K13-K17), the number of exchanges under way
 * by "Active connection allowed" (K18). */
#include <string.h>

#include "engine_internal.h"
#include "ikelab/esp.h"


static size_t enc_key_len(const struct ike_p2_proposal *p)
{
  if (p->protocol != ISAKMP_PROTO_ESP)
    return 0;
  switch (p->encr) {
  case ISAKMP_ESP_DES: return 8;
  case ISAKMP_ESP_3DES: return 24;
  case ISAKMP_ESP_AES_CBC: return p->key_bits / 8u;
  case ISAKMP_ESP_AES_GCM_16: return p->key_bits / 8u + 4; /* + salt, RFC 4106 §8.1 */
  default: return 0;
  }
}


static void put_u32(uint8_t out[4], uint32_t v)
{
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t)(v >> (24 - 8 * i));
}

void p2_sa_event(struct ike_engine *e, const struct p2_sa *sa, enum ike_event_kind kind)
{
  struct ike_event ev = {.kind = kind};
  struct ike_ipsec_sa *out = &ev.u.sa;
  const struct ike_p2_proposal *p = &sa->chosen;
  out->rule = sa->rule;
  out->protocol = p->protocol;
  out->encr = p->protocol == ISAKMP_PROTO_ESP ? p->encr : 0;
  out->key_bits = p->key_bits;
  out->auth = p->auth;
  out->encap = p->encap;
  out->spi_in = sa->spi_in;
  out->spi_out = sa->spi_out;
  out->life_seconds = p->life_seconds;
  out->life_kbytes = p->life_kbytes;
  out->udp_encap = sa->udp_encap;
  out->local = sa->local;
  out->peer = sa->peer;
  out->local_net = sa->local_net;
  out->remote_net = sa->remote_net;
  out->enc_key_len = enc_key_len(p);
  out->auth_key_len = esp_auth_key_len(p->auth);
  if (kind == IKE_EV_SA_ADD && sa->p1 < e->p1_top) {
    const struct p1_sa *p1 = &e->p1[sa->p1];
    uint8_t spi[4];
    size_t len = out->enc_key_len + out->auth_key_len;
    struct ike_piece gxy = {sa->gxy, sa->gxy_len};
    struct ike_piece ni = {sa->ni, sa->ni_len}, nr = {sa->nr, sa->nr_len};
    /* One KEYMAT per direction, each from the SPI its receiver chose. */
    put_u32(spi, sa->spi_in);
    ike_qm_keymat(&p1->keys, gxy, p->protocol, (struct ike_piece){spi, 4}, ni, nr, out->key_in,
                  len);
    put_u32(spi, sa->spi_out);
    ike_qm_keymat(&p1->keys, gxy, p->protocol, (struct ike_piece){spi, 4}, ni, nr, out->key_out,
                  len);
  }
  e->host.sink(e->host.sink_ctx, &ev);
}

static void p2_established(struct ike_engine *e, struct p2_sa *sa, struct p1_sa *p1)
{
  sa->state = P2_ESTABLISHED;
  sa->local = p1->local;
  sa->peer = p1->peer;
  sa->udp_encap = natt_detected(p1);
  sa->expires_ms = e->now + (uint64_t)sa->chosen.life_seconds * 1000;
  sa->rekey_ms = sa->initiator ? e->now + (uint64_t)sa->chosen.life_seconds * ENGINE_REKEY_PERMILLE
                               : UINT64_MAX;
  p2_sa_event(e, sa, IKE_EV_SA_ADD);
  emit_result(e, IKE_RESULT_PHASE2_UP, sa->rule, 0, p1->peer);
}

static uint32_t new_msgid(struct ike_engine *e, const struct p1_sa *p1)
{
  size_t idx = p1_index(e, p1);
  for (;;) {
    uint32_t id;
    bool used = false;
    random_bytes(e, (uint8_t *)&id, sizeof id);
    if (id == 0)
      continue;
    for (size_t i = 0; i < e->p2_top && !used; i++)
      used = e->p2[i].state != P2_FREE && e->p2[i].p1 == idx && e->p2[i].msgid == id;
    if (!used)
      return id;
  }
}

static uint32_t new_spi(struct ike_engine *e)
{
  uint32_t spi;
  do
    random_bytes(e, (uint8_t *)&spi, sizeof spi);
  while (spi < 256); /* 1-255 are reserved (RFC 4303 §2.1) */
  return spi;
}

static bool make_pfs(struct ike_engine *e, struct p2_sa *sa, unsigned group)
{
  sa->pfs = true;
  return engine_dh(e, group, &sa->dh);
}

/* Fills the HASH payload (payload 0) of m: prf over M-ID [| Ni_b] | rest. */
static bool seal_hash(struct ike_engine *e, const struct p1_sa *p1, struct p2_sa *sa,
                      struct isakmp_msg *m, uint8_t hash[IKE_HASH_MAX], bool second)
{
  uint8_t rest[ENGINE_MAX_MSG];
  size_t n = encode_payloads_from(m, 1, rest, sizeof rest);
  (void)e;
  if (!n)
    return false;
  bool ok = second ? ike_qm_hash2(&p1->keys, sa->msgid, (struct ike_piece){sa->ni, sa->ni_len},
                                  (struct ike_piece){rest, n}, hash)
                   : ike_qm_hash1(&p1->keys, sa->msgid, (struct ike_piece){rest, n}, hash);
  m->payloads[0].u.data = slice_of(hash, p1->keys.prf_len);
  return ok;
}

static uint8_t id_scratch[2][8];

static void add_id(struct isakmp_msg *m, const struct addr_range *r, int which)
{
  uint8_t type = 0;
  size_t n = addr_range_to_id(r, &type, id_scratch[which]);
  struct isakmp_payload *id = isakmp_add_payload(m, ISAKMP_NP_ID);
  id->u.id.type = type;
  id->u.id.data = slice_of(id_scratch[which], n);
}

bool quick_start(struct ike_engine *e, struct p1_sa *p1, const struct ike_rule *r)
{
  struct isakmp_msg *out = &e->out_msg;
  uint8_t hash[IKE_HASH_MAX];
  if (!ike_phase2_allowed(&e->cfg.g, p2_active_count(e))) {
    log_simple(e, LOG_K18, r->number, p1->peer.addr);
    emit_result(e, IKE_RESULT_PHASE2_FAILED, r->number, 0, p1->peer);
    return false;
  }
  struct p2_sa *sa = p2_new(e, p1);
  if (!sa)
    return false;
  sa->initiator = true;
  sa->rule = r->number;
  sa->msgid = new_msgid(e, p1);
  sa->spi_in = new_spi(e);
  sa->local_net = r->local;
  sa->remote_net = r->remote;
  random_bytes(e, sa->ni, ENGINE_NONCE_LEN);
  sa->ni_len = ENGINE_NONCE_LEN;
  if (!ike_phase2_iv(&p1->keys, p1->iv, sa->msgid, sa->iv) ||
      (r->p2[0].pfs && !make_pfs(e, sa, r->p2[0].pfs)))
    goto fail;
  sa->state = P2_I_QM1_SENT;
  log_simple(e, LOG_K9, r->number, p1->peer.addr);
  header_for(out, p1, ISAKMP_XCHG_QUICK, sa->msgid, 0);
  isakmp_add_payload(out, ISAKMP_NP_HASH);
  if (!p2_add_sa(out, r, sa->spi_in, natt_detected(p1) ? (p1->natt_draft ? 2 : 1) : 0))
    goto fail;
  isakmp_add_payload(out, ISAKMP_NP_NONCE)->u.data = slice_of(sa->ni, sa->ni_len);
  if (sa->pfs)
    isakmp_add_payload(out, ISAKMP_NP_KE)->u.data = slice_of(sa->dh.pub, sa->dh.len);
  add_id(out, &r->local, 0);
  add_id(out, &r->remote, 1);
  if (!seal_hash(e, p1, sa, out, hash, false))
    goto fail;
  send_message(e, p1, &sa->sent, out, true, sa->iv, true);
  return true;
fail:
  p2_free(e, sa);
  return false;
}

/* Opens a Quick Mode message with iv; next_iv is adopted by the caller
 * once the HASH proved it. */
static bool open_qm(struct ike_engine *e, const struct p1_sa *p1, const uint8_t *iv,
                    uint8_t *next_iv)
{
  struct isakmp_error err;
  if (!(e->in_msg.hdr.flags & ISAKMP_FLAG_E) || !decrypt_body(e, p1, iv, next_iv, &err))
    return false;
  const struct isakmp_msg *m = &e->body_msg;
  return m->npayloads > 0 && m->payloads[0].type == ISAKMP_NP_HASH &&
         m->payloads[0].u.data.len == p1->keys.prf_len;
}

/* A Quick Mode message that did not prove itself: counted against the
 * Phase 1 SA (K21 when the budget is spent) and answered with a protected
 * notify while the SA lives. */
static void qm_error(struct ike_engine *e, struct p1_sa *p1, uint16_t notify)
{
  if (!p1_error(e, p1))
    send_notify(e, p1, p1->icookie, p1->rcookie, p1->local, p1->peer, notify,
                ISAKMP_PROTO_ISAKMP, 0);
}

static bool hash_is(const struct isakmp_msg *m, const uint8_t *want, size_t len)
{
  uint8_t got[IKE_HASH_MAX];
  slice_copy(m->payloads[0].u.data, got, sizeof got);
  return ike_mem_equal(got, want, len);
}

static void fail_p2(struct ike_engine *e, struct p1_sa *p1, struct p2_sa *sa, int rule,
                    uint16_t notify)
{
  if (notify)
    send_notify(e, p1, p1->icookie, p1->rcookie, p1->local, p1->peer, notify,
                ISAKMP_PROTO_ISAKMP, 0);
  emit_result(e, IKE_RESULT_PHASE2_FAILED, rule, notify, p1->peer);
  if (sa)
    p2_free(e, sa);
}

/* The established (local, remote) pairs, for the conflict checks. */
static size_t active_conns(const struct ike_engine *e, struct ike_conn *out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < e->p2_top && n < max; i++) {
    const struct p2_sa *q = &e->p2[i];
    if (q->state != P2_ESTABLISHED)
      continue;
    out[n].rule = q->rule;
    out[n].peer = q->peer.addr;
    out[n].local = q->local_net;
    out[n].remote = q->remote_net;
    n++;
  }
  return n;
}

/* False with the row an unreadable ID earns: an IDcr (our side) or IDci
 * that is no address range, an FQDN say, is not the rule's local (K13) or
 * remote (K14) range either. */
static bool read_ids(const struct isakmp_msg *m, const struct p1_sa *p1, struct addr_range *idci,
                     struct addr_range *idcr, enum log_id *row)
{
  size_t first;
  if (!find_payload(m, ISAKMP_NP_ID, &first)) {
    /* RFC 2409 §5.5: no IDs means the Phase 1 addresses. */
    *idci = addr_single(p1->peer.addr);
    *idcr = addr_single(p1->local.addr);
    return true;
  }
  *row = LOG_K13;
  if (first + 1 >= m->npayloads || m->payloads[first + 1].type != ISAKMP_NP_ID)
    return false;
  const struct isakmp_id *ci = &m->payloads[first].u.id, *cr = &m->payloads[first + 1].u.id;
  if (!addr_range_from_id(cr->type, cr->data, idcr))
    return false;
  *row = LOG_K14;
  return addr_range_from_id(ci->type, ci->data, idci);
}

static void log_verdict(struct ike_engine *e, const struct ike_p2_result *res, uint32_t peer)
{
  switch (res->verdict) {
  case IKE_P2_LOCAL_ID_FAILED: log_simple(e, LOG_K13, res->rule_number, peer); break;
  case IKE_P2_REMOTE_ID_FAILED: log_simple(e, LOG_K14, res->rule_number, peer); break;
  case IKE_P2_RULE_CONFLICT: log_simple(e, LOG_K15, res->rule_number, peer); break;
  case IKE_P2_INVALID_IP: log_range(e, LOG_K16, res->rule_number, res->start, res->end); break;
  case IKE_P2_REMOTE_CONFLICT: log_range(e, LOG_K17, res->rule_number, res->start, res->end); break;
  case IKE_P2_OK: break;
  }
}

static void responder_qm1(struct ike_engine *e, struct p1_sa *p1, const uint8_t digest[20])
{
  struct isakmp_msg *in = &e->body_msg, *out = &e->out_msg;
  uint8_t iv[IKE_BLOCK_MAX], next_iv[IKE_BLOCK_MAX], want[IKE_HASH_MAX], rest[ENGINE_MAX_MSG];
  uint32_t msgid = e->in_msg.hdr.msgid;
  const struct ike_rule *r = rule_of(e, p1->rule);
  if (!r || !ike_phase2_iv(&p1->keys, p1->iv, msgid, iv) || !open_qm(e, p1, iv, next_iv)) {
    qm_error(e, p1, ISAKMP_N_PAYLOAD_MALFORMED);
    return;
  }
  size_t n = encode_payloads_from(in, 1, rest, sizeof rest);
  if (!n || !ike_qm_hash1(&p1->keys, msgid, (struct ike_piece){rest, n}, want) ||
      !hash_is(in, want, p1->keys.prf_len)) {
    /* Forged or corrupt: nothing established is touched. */
    qm_error(e, p1, ISAKMP_N_INVALID_HASH_INFORMATION);
    return;
  }
  natt_authenticated(e, p1);
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  log_simple(e, LOG_K9, p1->rule, p1->peer.addr);
  const struct isakmp_payload *offer = find_payload(in, ISAKMP_NP_SA, NULL);
  const struct isakmp_payload *nonce = find_payload(in, ISAKMP_NP_NONCE, NULL);
  if (!offer || !nonce || nonce->u.data.len > sizeof((struct p2_sa *)0)->ni) {
    fail_p2(e, p1, NULL, p1->rule, ISAKMP_N_PAYLOAD_MALFORMED);
    return;
  }
  if (!ike_phase2_allowed(&e->cfg.g, p2_active_count(e))) {
    log_simple(e, LOG_K18, p1->rule, p1->peer.addr);
    fail_p2(e, p1, NULL, p1->rule, 0);
    return;
  }
  struct ike_conn conns[ENGINE_MAX_P2];
  struct ike_p2_request req = {.rule = r, .peer = p1->peer.addr, .active = conns};
  struct ike_p2_result res;
  req.nactive = active_conns(e, conns, ENGINE_MAX_P2);
  enum log_id row;
  if (!read_ids(in, p1, &req.idci, &req.idcr, &row)) {
    log_simple(e, row, p1->rule, p1->peer.addr);
    fail_p2(e, p1, NULL, p1->rule, ISAKMP_N_INVALID_ID_INFORMATION);
    return;
  }
  if (ike_p2_check(&e->cfg, &req, &res) != IKE_P2_OK) {
    log_verdict(e, &res, p1->peer.addr);
    fail_p2(e, p1, NULL, p1->rule, ISAKMP_N_INVALID_ID_INFORMATION);
    return;
  }
  struct p2_sa *sa = p2_new(e, p1);
  if (!sa)
    return;
  sa->rule = p1->rule;
  sa->msgid = msgid;
  sa->spi_in = new_spi(e);
  sa->local_net = res.conn.local;
  sa->remote_net = res.conn.remote;
  sa->ni_len = slice_copy(nonce->u.data, sa->ni, sizeof sa->ni);
  header_for(out, p1, ISAKMP_XCHG_QUICK, msgid, 0);
  isakmp_add_payload(out, ISAKMP_NP_HASH);
  bool shortened = false;
  if (!p2_choose(in, offer, r, sa->spi_in, &sa->chosen, &sa->spi_out, out, &shortened)) {
    log_simple(e, LOG_K12, p1->rule, p1->peer.addr);
    fail_p2(e, p1, sa, p1->rule, ISAKMP_N_NO_PROPOSAL_CHOSEN);
    return;
  }
  random_bytes(e, sa->nr, ENGINE_NONCE_LEN);
  sa->nr_len = ENGINE_NONCE_LEN;
  isakmp_add_payload(out, ISAKMP_NP_NONCE)->u.data = slice_of(sa->nr, sa->nr_len);
  if (sa->chosen.pfs) {
    uint8_t peer[IKE_DH_MAX];
    const struct isakmp_payload *ke = find_payload(in, ISAKMP_NP_KE, NULL);
    size_t kl = ke ? slice_copy(ke->u.data, peer, sizeof peer) : 0;
    if (!ke || kl != ke->u.data.len || !make_pfs(e, sa, sa->chosen.pfs) ||
        !engine_dh_shared(&sa->dh, peer, kl, sa->gxy)) {
      fail_p2(e, p1, sa, p1->rule, ISAKMP_N_INVALID_KEY_INFORMATION);
      return;
    }
    sa->gxy_len = sa->dh.len;
    isakmp_add_payload(out, ISAKMP_NP_KE)->u.data = slice_of(sa->dh.pub, sa->dh.len);
  }
  /* The proxy IDs go back as they came (RFC 2409 §5.5). */
  for (size_t i = 0; i < in->npayloads; i++)
    if (in->payloads[i].type == ISAKMP_NP_ID)
      *isakmp_add_payload(out, ISAKMP_NP_ID) = in->payloads[i];
  uint8_t spi_bytes[4];
  if (shortened) {
    struct isakmp_payload *rl = isakmp_add_payload(out, ISAKMP_NP_N);
    put_u32(spi_bytes, sa->spi_in);
    rl->u.notify.doi = ISAKMP_DOI_IPSEC;
    rl->u.notify.protocol = sa->chosen.protocol;
    rl->u.notify.type = ISAKMP_N_RESPONDER_LIFETIME;
    rl->u.notify.spi = slice_of(spi_bytes, 4);
    rl->u.notify.data = p2_lifetime_attrs(&sa->chosen);
  }
  uint8_t hash[IKE_HASH_MAX];
  memcpy(sa->iv, next_iv, p1->keys.block_len);
  if (!seal_hash(e, p1, sa, out, hash, true)) {
    fail_p2(e, p1, sa, p1->rule, 0);
    return;
  }
  sa->state = P2_R_QM2_SENT;
  memcpy(sa->last_recv, digest, 20);
  sa->have_last_recv = true;
  send_message(e, p1, &sa->sent, out, true, sa->iv, true);
}

static void initiator_qm2(struct ike_engine *e, struct p1_sa *p1, struct p2_sa *sa)
{
  struct isakmp_msg *in = &e->body_msg, *out = &e->out_msg;
  uint8_t next_iv[IKE_BLOCK_MAX], want[IKE_HASH_MAX], rest[ENGINE_MAX_MSG], hash[IKE_HASH_MAX];
  const struct ike_rule *r = rule_of(e, sa->rule);
  if (!r || !open_qm(e, p1, sa->iv, next_iv)) {
    qm_error(e, p1, ISAKMP_N_PAYLOAD_MALFORMED);
    return;
  }
  size_t n = encode_payloads_from(in, 1, rest, sizeof rest);
  if (!n || !ike_qm_hash2(&p1->keys, sa->msgid, (struct ike_piece){sa->ni, sa->ni_len},
                          (struct ike_piece){rest, n}, want) ||
      !hash_is(in, want, p1->keys.prf_len)) {
    qm_error(e, p1, ISAKMP_N_INVALID_HASH_INFORMATION);
    return;
  }
  memcpy(sa->iv, next_iv, p1->keys.block_len);
  natt_authenticated(e, p1);
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  const struct isakmp_payload *answer = find_payload(in, ISAKMP_NP_SA, NULL);
  const struct isakmp_payload *nonce = find_payload(in, ISAKMP_NP_NONCE, NULL);
  if (!answer || !nonce || nonce->u.data.len > sizeof sa->nr) {
    fail_p2(e, p1, sa, sa->rule, ISAKMP_N_PAYLOAD_MALFORMED);
    return;
  }
  if (!p2_accept(in, answer, r, &sa->chosen, &sa->spi_out)) {
    log_simple(e, LOG_K12, sa->rule, p1->peer.addr);
    fail_p2(e, p1, sa, sa->rule, ISAKMP_N_NO_PROPOSAL_CHOSEN);
    return;
  }
  sa->nr_len = slice_copy(nonce->u.data, sa->nr, sizeof sa->nr);
  for (size_t i = 0; i < in->npayloads; i++)
    if (in->payloads[i].type == ISAKMP_NP_N &&
        in->payloads[i].u.notify.type == ISAKMP_N_RESPONDER_LIFETIME)
      p2_apply_lifetime(&sa->chosen, in->payloads[i].u.notify.data);
  if (sa->pfs) {
    uint8_t peer[IKE_DH_MAX];
    const struct isakmp_payload *ke = find_payload(in, ISAKMP_NP_KE, NULL);
    size_t kl = ke ? slice_copy(ke->u.data, peer, sizeof peer) : 0;
    if (!ke || kl != ke->u.data.len || !engine_dh_shared(&sa->dh, peer, kl, sa->gxy)) {
      fail_p2(e, p1, sa, sa->rule, ISAKMP_N_INVALID_KEY_INFORMATION);
      return;
    }
    sa->gxy_len = sa->dh.len;
  }
  header_for(out, p1, ISAKMP_XCHG_QUICK, sa->msgid, 0);
  if (!ike_qm_hash3(&p1->keys, sa->msgid, (struct ike_piece){sa->ni, sa->ni_len},
                    (struct ike_piece){sa->nr, sa->nr_len}, hash))
    return;
  isakmp_add_payload(out, ISAKMP_NP_HASH)->u.data = slice_of(hash, p1->keys.prf_len);
  /* QM3 is kept (not retransmitted) to answer a repeated QM2. */
  send_message(e, p1, &sa->sent, out, true, sa->iv, false);
  p2_established(e, sa, p1);
}

static void responder_qm3(struct ike_engine *e, struct p1_sa *p1, struct p2_sa *sa)
{
  uint8_t next_iv[IKE_BLOCK_MAX], want[IKE_HASH_MAX];
  if (!open_qm(e, p1, sa->iv, next_iv) ||
      !ike_qm_hash3(&p1->keys, sa->msgid, (struct ike_piece){sa->ni, sa->ni_len},
                    (struct ike_piece){sa->nr, sa->nr_len}, want) ||
      !hash_is(&e->body_msg, want, p1->keys.prf_len)) {
    qm_error(e, p1, ISAKMP_N_INVALID_HASH_INFORMATION);
    return;
  }
  memcpy(sa->iv, next_iv, p1->keys.block_len);
  natt_authenticated(e, p1);
  log_payloads(e, LOG_K7, &e->body_msg, NULL, e->in_from.addr);
  sent_forget(&sa->sent);
  p2_established(e, sa, p1);
}

void quick_input(struct ike_engine *e, struct p1_sa *p1, const uint8_t digest[20])
{
  const struct isakmp_hdr *h = &e->in_msg.hdr;
  if (p1->state != P1_ESTABLISHED) {
    p1_error(e, p1);
    return;
  }
  struct p2_sa *sa = NULL;
  size_t idx = p1_index(e, p1);
  for (size_t i = 0; i < e->p2_top && !sa; i++)
    if (e->p2[i].state != P2_FREE && e->p2[i].p1 == idx && e->p2[i].msgid == h->msgid)
      sa = &e->p2[i];
  if (!sa) {
    responder_qm1(e, p1, digest);
    return;
  }
  /* The same message again: as in Phase 1 (engine.c, duplicate()). */
  if (sa->have_last_recv && memcmp(sa->last_recv, digest, 20) == 0) {
    e->counters.duplicate_requests++;
    if (!sa->initiator && sa->state != P2_ESTABLISHED)
      log_simple(e, LOG_K11, sa->rule, p1->peer.addr);
    if (!sa->initiator || sa->sent.next_ms == UINT64_MAX)
      sent_resend(e, p1->local, p1->peer, &sa->sent);
    return;
  }
  memcpy(sa->last_recv, digest, 20);
  sa->have_last_recv = true;
  switch (sa->state) {
  case P2_I_QM1_SENT: initiator_qm2(e, p1, sa); break;
  case P2_R_QM2_SENT: responder_qm3(e, p1, sa); break;
  default: break; /* a late copy of a finished exchange */
  }
}
