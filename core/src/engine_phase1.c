/* Phase 1 (RFC 2409 §5, pre-shared keys): Main Mode and Aggressive Mode in
 * both roles. Each state expects one message shape; anything else is an
 * error counted against the SA, never a state change. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "ikelab/isakmp_dissect.h"


/* ---- shared steps ---- */

static void fail_p1(struct ike_engine *e, struct p1_sa *sa, uint16_t notify)
{
  if (notify)
    send_notify(e, NULL, sa->icookie, sa->rcookie, sa->local, sa->peer, notify,
                ISAKMP_PROTO_ISAKMP, 0);
  emit_result(e, IKE_RESULT_PHASE1_FAILED, sa->rule, notify, sa->peer);
  p1_free(e, sa);
}

/* A malformed or unexpected message: PAYLOAD-MALFORMED, counted. */
static void bad_message(struct ike_engine *e, struct p1_sa *sa, uint16_t notify)
{
  if (sa->state == P1_ESTABLISHED)
    return; /* late or replayed: RFC 2408 §5 says drop */
  if (!p1_error(e, sa))
    send_notify(e, NULL, sa->icookie, sa->rcookie, sa->local, sa->peer, notify,
                ISAKMP_PROTO_ISAKMP, 0);
}

static bool make_dh(struct ike_engine *e, struct p1_sa *sa)
{
  struct p1_kx *kx = p1_kx(sa);
  return kx && engine_dh(e, sa->chosen.group, &kx->dh);
}

static void make_nonce(struct ike_engine *e, uint8_t *out, size_t *len)
{
  random_bytes(e, out, ENGINE_NONCE_LEN);
  *len = ENGINE_NONCE_LEN;
}

/* Takes the peer's KE and NONCE from m; false when missing or unusable. */
static bool take_ke_nonce(struct p1_sa *sa, const struct isakmp_msg *m, uint16_t *notify)
{
  const struct isakmp_payload *ke = find_payload(m, ISAKMP_NP_KE, NULL);
  const struct isakmp_payload *no = find_payload(m, ISAKMP_NP_NONCE, NULL);
  *notify = ISAKMP_N_PAYLOAD_MALFORMED;
  if (!ke || !no)
    return false;
  *notify = ISAKMP_N_INVALID_KEY_INFORMATION;
  if (ke->u.data.len != ike_dh_len(sa->chosen.group))
    return false;
  struct p1_kx *kx = p1_kx(sa);
  if (!kx)
    return false;
  slice_copy(ke->u.data, kx->gx_peer, sizeof kx->gx_peer);
  uint8_t *n = sa->initiator ? sa->nr : sa->ni;
  size_t *nlen = sa->initiator ? &sa->nr_len : &sa->ni_len;
  *notify = ISAKMP_N_PAYLOAD_MALFORMED;
  if (no->u.data.len > sizeof sa->ni)
    return false;
  *nlen = slice_copy(no->u.data, n, sizeof sa->ni);
  return true;
}

static void fill_input(const struct ike_engine *e, const struct p1_sa *sa,
                       struct ike_phase1_input *in, uint8_t *gxy)
{
  const struct ike_rule *r = rule_of(e, sa->rule);
  static const struct p1_kx none;
  const struct p1_kx *kx = sa->kx ? sa->kx : &none;
  size_t glen = kx->dh.len;
  memset(in, 0, sizeof *in);
  in->hash = sa->chosen.hash;
  in->encr = sa->chosen.encr;
  in->key_length = sa->chosen.encr == OAKLEY_ENCR_AES_CBC ? sa->chosen.key_bits : 0;
  in->psk = (struct ike_piece){r ? r->psk : NULL, r ? r->psk_len : 0};
  in->ni_b = (struct ike_piece){sa->ni, sa->ni_len};
  in->nr_b = (struct ike_piece){sa->nr, sa->nr_len};
  in->gxi = (struct ike_piece){sa->initiator ? kx->dh.pub : kx->gx_peer, glen};
  in->gxr = (struct ike_piece){sa->initiator ? kx->gx_peer : kx->dh.pub, glen};
  in->gxy = (struct ike_piece){gxy, glen};
  memcpy(in->cky_i, sa->icookie, 8);
  memcpy(in->cky_r, sa->rcookie, 8);
}

static bool derive_keys(struct ike_engine *e, struct p1_sa *sa)
{
  uint8_t gxy[IKE_DH_MAX];
  struct ike_phase1_input in;
  if (!sa->kx || !engine_dh_shared(&sa->kx->dh, sa->kx->gx_peer, sa->kx->dh.len, gxy))
    return false;
  fill_input(e, sa, &in, gxy);
  if (!ike_phase1_keys_psk(&in, &sa->keys))
    return false;
  memcpy(sa->iv, sa->keys.iv, sa->keys.block_len);
  return true;
}

static bool auth_hash(struct ike_engine *e, struct p1_sa *sa, bool of_initiator,
                      const uint8_t *id_b, size_t id_len, uint8_t out[IKE_HASH_MAX])
{
  uint8_t gxy[IKE_DH_MAX] = {0};
  struct ike_phase1_input in;
  fill_input(e, sa, &in, gxy); /* HASH_I/R do not use g^xy */
  return ike_phase1_hash(&sa->keys, of_initiator, &in, (struct ike_piece){sa->sai_b, sa->sai_len},
                         (struct ike_piece){id_b, id_len}, out);
}

/* Our identity: our address (RFC 2407 §4.6.2, UDP/500 as Phase 1 allows). */
static uint8_t our_id_data[4];
static void add_our_id(struct isakmp_msg *m, const struct p1_sa *sa)
{
  struct isakmp_payload *id = isakmp_add_payload(m, ISAKMP_NP_ID);
  for (int i = 0; i < 4; i++)
    our_id_data[i] = (uint8_t)(sa->local.addr >> (24 - 8 * i));
  id->u.id.type = ISAKMP_ID_IPV4_ADDR;
  id->u.id.protocol = 17;
  id->u.id.port = 500;
  id->u.id.data = slice_of(our_id_data, 4);
}

/* Checks the peer's HASH against its ID payload in m. */
static bool verify_peer(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_msg *m)
{
  size_t id_idx;
  uint8_t id_b[ENGINE_MAX_ID], want[IKE_HASH_MAX], got[IKE_HASH_MAX];
  const struct isakmp_payload *hash = find_payload(m, ISAKMP_NP_HASH, NULL);
  if (!find_payload(m, ISAKMP_NP_ID, &id_idx) || !hash || hash->u.data.len != sa->keys.prf_len)
    return false;
  size_t id_len = payload_body(m, id_idx, id_b, sizeof id_b);
  if (!id_len || !auth_hash(e, sa, !sa->initiator, id_b, id_len, want))
    return false;
  slice_copy(hash->u.data, got, sizeof got);
  return ike_mem_equal(want, got, sa->keys.prf_len);
}

/* Our ID and HASH_I or HASH_R, appended to m. */
static bool add_id_hash(struct ike_engine *e, struct p1_sa *sa, struct isakmp_msg *m,
                        uint8_t hash[IKE_HASH_MAX])
{
  uint8_t id_b[ENGINE_MAX_ID];
  add_our_id(m, sa);
  size_t id_len = payload_body(m, m->npayloads - 1, id_b, sizeof id_b);
  if (!id_len || !auth_hash(e, sa, sa->initiator, id_b, id_len, hash))
    return false;
  isakmp_add_payload(m, ISAKMP_NP_HASH)->u.data = slice_of(hash, sa->keys.prf_len);
  return true;
}

static bool has_notify(const struct isakmp_msg *m, uint16_t type)
{
  for (size_t i = 0; i < m->npayloads; i++)
    if (m->payloads[i].type == ISAKMP_NP_N && m->payloads[i].u.notify.type == type)
      return true;
  return false;
}

static void established(struct ike_engine *e, struct p1_sa *sa)
{
  const struct isakmp_msg *last = (e->in_msg.hdr.flags & ISAKMP_FLAG_E) ? &e->body_msg : &e->in_msg;
  sa->state = P1_ESTABLISHED;
  dpd_start(e, sa);
  if (!sa->initiator && has_notify(last, ISAKMP_N_INITIAL_CONTACT))
    initial_contact(e, sa);
  sa->expires_ms = e->now + (uint64_t)sa->life_seconds * 1000;
  log_simple(e, LOG_K8, sa->rule, sa->peer.addr);
  emit_result(e, IKE_RESULT_PHASE1_UP, sa->rule, 0, sa->peer);
  const struct ike_rule *r = sa->pending_rule ? rule_of(e, sa->pending_rule) : NULL;
  sa->pending_rule = 0;
  if (r)
    quick_start(e, sa, r);
}

static void add_ke_nonce(struct isakmp_msg *m, struct p1_sa *sa)
{
  /* make_dh came first, or the message is not sent */
  isakmp_add_payload(m, ISAKMP_NP_KE)->u.data =
      sa->kx ? slice_of(sa->kx->dh.pub, sa->kx->dh.len) : slice_of(NULL, 0);
  isakmp_add_payload(m, ISAKMP_NP_NONCE)->u.data =
      sa->initiator ? slice_of(sa->ni, sa->ni_len) : slice_of(sa->nr, sa->nr_len);
}

/* ---- responder ---- */

/* The first message: choose the rule by the peer's address and the offer. */
static bool choose_rule(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_payload *offer,
                        struct isakmp_msg *reply)
{
  struct ike_p1_candidates c;
  enum ike_mode mode = sa->exchange == ISAKMP_XCHG_AGGRESSIVE ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN;
  ike_p1_candidates(&e->cfg, sa->peer.addr, sa->local.addr, mode, &c);
  for (size_t i = 0; i < c.n; i++) {
    if (p1_choose(&e->in_msg, offer, c.rule[i], &sa->chosen, &sa->life_seconds, reply)) {
      sa->rule = c.rule[i]->number;
      return true;
    }
  }
  return false;
}

static bool keep_sai(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_msg *m,
                     size_t sa_index)
{
  (void)e;
  uint8_t body[ENGINE_MAX_SA_BODY];
  size_t len = payload_body(m, sa_index, body, sizeof body);
  free(sa->sai_b);
  sa->sai_len = 0;
  if (len == 0 || (sa->sai_b = malloc(len)) == NULL)
    return false;
  memcpy(sa->sai_b, body, len);
  sa->sai_len = len;
  return true;
}

static void responder_first(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *in = &e->in_msg, *out = &e->out_msg;
  bool aggressive = sa->exchange == ISAKMP_XCHG_AGGRESSIVE;
  size_t sa_index;
  const struct isakmp_payload *offer = find_payload(in, ISAKMP_NP_SA, &sa_index);
  log_simple(e, aggressive ? LOG_K5 : LOG_K4, 0, sa->peer.addr);
  size_t id_index = 0;
  if (!offer || sa_index != 0 || !keep_sai(e, sa, in, sa_index) ||
      (aggressive && !find_payload(in, ISAKMP_NP_ID, &id_index))) {
    fail_p1(e, sa, ISAKMP_N_PAYLOAD_MALFORMED);
    return;
  }
  if (aggressive) /* HASH_I in the third message covers the initiator's ID */
    sa->idi_len = payload_body(in, id_index, sa->idi_b, sizeof sa->idi_b);
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  header_for(out, sa, sa->exchange, 0, 0);
  if (!choose_rule(e, sa, offer, out)) {
    log_simple(e, LOG_K12, 0, sa->peer.addr);
    fail_p1(e, sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
    return;
  }
  natt_negotiate(e, sa);
  if (e->cfg.g.dpd_interval_ms && (sa->peer_caps & VENDOR_DPD))
    dpd_add_vid(out);
  if (!aggressive) {
    if (sa->natt)
      natt_add_vid(out, sa);
    sa->state = P1_R_MM2_SENT;
    send_message(e, sa, &sa->sent, out, false, NULL, true);
    return;
  }
  /* Aggressive Mode 2: SA, KE, NONCE, ID, HASH_R in one answer. */
  uint16_t notify;
  uint8_t hash[IKE_HASH_MAX];
  if (!take_ke_nonce(sa, in, &notify)) {
    fail_p1(e, sa, notify);
    return;
  }
  make_nonce(e, sa->nr, &sa->nr_len);
  if (!make_dh(e, sa) || !derive_keys(e, sa)) {
    fail_p1(e, sa, ISAKMP_N_INVALID_KEY_INFORMATION);
    return;
  }
  add_ke_nonce(out, sa);
  if (!add_id_hash(e, sa, out, hash)) {
    fail_p1(e, sa, 0);
    return;
  }
  if (sa->natt) {
    natt_add_vid(out, sa);
    natt_add_natd(e, sa, out);
  }
  sa->state = P1_R_AM2_SENT;
  send_message(e, sa, &sa->sent, out, false, NULL, true);
}

static void responder_mm3(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *in = &e->in_msg, *out = &e->out_msg;
  uint16_t notify = ISAKMP_N_INVALID_KEY_INFORMATION;
  /* take_ke_nonce() names its fault: a missing KE or NONCE makes the
   * message PAYLOAD-MALFORMED; only an unusable KE is a key problem (RFC
   * 2408 §5.7). It was INVALID-KEY-INFORMATION for all of them. */
  bool ok = !(in->hdr.flags & ISAKMP_FLAG_E) && take_ke_nonce(sa, in, &notify);
  if (!ok || (sa->natt && !natt_check(e, sa, in))) {
    bad_message(e, sa, ok ? ISAKMP_N_INVALID_KEY_INFORMATION : notify);
    return;
  }
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  make_nonce(e, sa->nr, &sa->nr_len);
  if (!make_dh(e, sa) || !derive_keys(e, sa)) {
    fail_p1(e, sa, ISAKMP_N_INVALID_KEY_INFORMATION);
    return;
  }
  header_for(out, sa, sa->exchange, 0, 0);
  add_ke_nonce(out, sa);
  if (sa->natt)
    natt_add_natd(e, sa, out);
  sa->state = P1_R_MM4_SENT;
  send_message(e, sa, &sa->sent, out, false, NULL, true);
}

/* Opens an encrypted Phase 1 message and checks the peer's HASH; the IV
 * moves on only when the message proved itself. */
static bool open_and_verify(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_error err;
  uint8_t next_iv[IKE_BLOCK_MAX];
  const struct isakmp_msg *m = &e->in_msg;
  if (e->in_msg.hdr.flags & ISAKMP_FLAG_E) {
    if (!decrypt_body(e, sa, sa->iv, next_iv, &err))
      return false;
    m = &e->body_msg;
  }
  if (!verify_peer(e, sa, m))
    return false;
  if (e->in_msg.hdr.flags & ISAKMP_FLAG_E)
    memcpy(sa->iv, next_iv, sa->keys.block_len);
  log_payloads(e, LOG_K7, m, NULL, e->in_from.addr);
  return true;
}

/* HASH only (Aggressive Mode 3) has no ID: check it against the ID of the
 * first message, which the initiator sent. */
static bool verify_am3(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_error err;
  uint8_t next_iv[IKE_BLOCK_MAX], want[IKE_HASH_MAX], got[IKE_HASH_MAX];
  const struct isakmp_msg *m = &e->in_msg;
  bool enc = e->in_msg.hdr.flags & ISAKMP_FLAG_E;
  if (enc) {
    if (!decrypt_body(e, sa, sa->iv, next_iv, &err))
      return false;
    m = &e->body_msg;
  }
  const struct isakmp_payload *hash = find_payload(m, ISAKMP_NP_HASH, NULL);
  if (!hash || hash->u.data.len != sa->keys.prf_len ||
      !auth_hash(e, sa, true, sa->idi_b, sa->idi_len, want))
    return false;
  slice_copy(hash->u.data, got, sizeof got);
  if (!ike_mem_equal(want, got, sa->keys.prf_len) || (sa->natt && !natt_check(e, sa, m)))
    return false;
  if (enc)
    memcpy(sa->iv, next_iv, sa->keys.block_len);
  log_payloads(e, LOG_K7, m, NULL, e->in_from.addr);
  return true;
}

static void responder_final(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *out = &e->out_msg;
  uint8_t hash[IKE_HASH_MAX];
  if (sa->exchange == ISAKMP_XCHG_AGGRESSIVE) {
    if (!verify_am3(e, sa)) {
      bad_message(e, sa, ISAKMP_N_AUTHENTICATION_FAILED);
      return;
    }
    sent_forget(&sa->sent);
    established(e, sa);
    return;
  }
  if (!(e->in_msg.hdr.flags & ISAKMP_FLAG_E) || !open_and_verify(e, sa)) {
    bad_message(e, sa, ISAKMP_N_AUTHENTICATION_FAILED);
    return;
  }
  header_for(out, sa, sa->exchange, 0, 0);
  if (!add_id_hash(e, sa, out, hash))
    return;
  /* MM6 is kept (not retransmitted) to answer a repeated MM5. */
  send_message(e, sa, &sa->sent, out, true, sa->iv, false);
  established(e, sa);
}

/* ---- initiator ---- */

bool phase1_start(struct ike_engine *e, const struct ike_rule *r)
{
  struct p1_sa *sa = p1_new(e);
  struct isakmp_msg *out = &e->out_msg;
  if (!sa)
    return false;
  sa->initiator = true;
  sa->exchange = r->mode == IKE_MODE_AGGRESSIVE ? ISAKMP_XCHG_AGGRESSIVE : ISAKMP_XCHG_IDPROT;
  sa->rule = r->number;
  sa->pending_rule = r->number;
  sa->local = e->host.local;
  if (r->my_ip)
    sa->local.addr = r->my_ip;
  sa->peer = (struct ike_endpoint){r->secure_gateway, IKE_PORT_DEFAULT};
  random_bytes(e, sa->icookie, 8);
  sa->icookie[0] |= 1;
  sa->chosen = r->p1[0]; /* Aggressive Mode: one group for the KE we send */
  header_for(out, sa, sa->exchange, 0, 0);
  if (!p1_add_sa(out, r) || !keep_sai(e, sa, out, 0))
    goto fail;
  if (sa->exchange == ISAKMP_XCHG_AGGRESSIVE) {
    log_simple(e, LOG_K3, r->number, sa->peer.addr);
    make_nonce(e, sa->ni, &sa->ni_len);
    if (!make_dh(e, sa))
      goto fail;
    add_ke_nonce(out, sa);
    add_our_id(out, sa);
    sa->idi_len = payload_body(out, out->npayloads - 1, sa->idi_b, sizeof sa->idi_b);
    sa->state = P1_I_AM1_SENT;
  } else {
    log_simple(e, LOG_K2, r->number, sa->peer.addr);
    sa->state = P1_I_MM1_SENT;
  }
  if (e->cfg.g.nat_traversal)
    natt_add_vid(out, NULL);
  if (e->cfg.g.dpd_interval_ms)
    dpd_add_vid(out);
  send_message(e, sa, &sa->sent, out, false, NULL, true);
  return true;
fail:
  p1_free(e, sa);
  return false;
}

static bool take_answer_sa(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_msg *in)
{
  const struct isakmp_payload *answer = find_payload(in, ISAKMP_NP_SA, NULL);
  const struct ike_rule *r = rule_of(e, sa->rule);
  uint32_t life;
  if (!answer || !r || !p1_accept(in, answer, r, &sa->chosen, &life))
    return false;
  sa->life_seconds = life;
  return true;
}

static void initiator_mm2(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *in = &e->in_msg, *out = &e->out_msg;
  memcpy(sa->rcookie, in->hdr.rcookie, 8);
  if (!take_answer_sa(e, sa, in)) {
    log_simple(e, LOG_K12, sa->rule, sa->peer.addr);
    fail_p1(e, sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
    return;
  }
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  natt_negotiate(e, sa);
  make_nonce(e, sa->ni, &sa->ni_len);
  if (!make_dh(e, sa)) {
    fail_p1(e, sa, 0);
    return;
  }
  header_for(out, sa, sa->exchange, 0, 0);
  add_ke_nonce(out, sa);
  if (sa->natt)
    natt_add_natd(e, sa, out);
  sa->state = P1_I_MM3_SENT;
  send_message(e, sa, &sa->sent, out, false, NULL, true);
}

static void initiator_mm4(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *in = &e->in_msg, *out = &e->out_msg;
  uint16_t notify = ISAKMP_N_INVALID_KEY_INFORMATION;
  uint8_t hash[IKE_HASH_MAX];
  bool ok = !(in->hdr.flags & ISAKMP_FLAG_E) && take_ke_nonce(sa, in, &notify);
  if (!ok || (sa->natt && !natt_check(e, sa, in))) {
    bad_message(e, sa, ok ? ISAKMP_N_INVALID_KEY_INFORMATION : notify); /* as responder_mm3 */
    return;
  }
  natt_float(e, sa);
  if (!derive_keys(e, sa)) {
    fail_p1(e, sa, ISAKMP_N_INVALID_KEY_INFORMATION);
    return;
  }
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  header_for(out, sa, sa->exchange, 0, 0);
  if (!add_id_hash(e, sa, out, hash))
    return;
  sa->state = P1_I_MM5_SENT;
  send_message(e, sa, &sa->sent, out, true, sa->iv, true);
}

static void initiator_mm6(struct ike_engine *e, struct p1_sa *sa)
{
  if (!(e->in_msg.hdr.flags & ISAKMP_FLAG_E) || !open_and_verify(e, sa)) {
    bad_message(e, sa, ISAKMP_N_AUTHENTICATION_FAILED);
    return;
  }
  sent_forget(&sa->sent);
  established(e, sa);
}

static void initiator_am2(struct ike_engine *e, struct p1_sa *sa)
{
  struct isakmp_msg *in = &e->in_msg, *out = &e->out_msg;
  uint16_t notify;
  uint8_t hash[IKE_HASH_MAX];
  unsigned group = sa->chosen.group;
  memcpy(sa->rcookie, in->hdr.rcookie, 8);
  if (!take_answer_sa(e, sa, in) || sa->chosen.group != group) {
    log_simple(e, LOG_K12, sa->rule, sa->peer.addr);
    fail_p1(e, sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
    return;
  }
  natt_negotiate(e, sa);
  if (!take_ke_nonce(sa, in, &notify) || !derive_keys(e, sa) || !verify_peer(e, sa, in) ||
      (sa->natt && !natt_check(e, sa, in))) {
    bad_message(e, sa, ISAKMP_N_AUTHENTICATION_FAILED);
    return;
  }
  log_payloads(e, LOG_K7, in, NULL, e->in_from.addr);
  natt_float(e, sa);
  /* AM3: HASH_I, encrypted as the peers of this era send it. */
  header_for(out, sa, sa->exchange, 0, 0);
  if (!auth_hash(e, sa, true, sa->idi_b, sa->idi_len, hash))
    return;
  isakmp_add_payload(out, ISAKMP_NP_HASH)->u.data = slice_of(hash, sa->keys.prf_len);
  if (sa->natt)
    natt_add_natd(e, sa, out);
  send_message(e, sa, &sa->sent, out, true, sa->iv, false);
  established(e, sa);
}

void phase1_input(struct ike_engine *e, struct p1_sa *sa, bool is_new)
{
  sa->peer_caps |= vendor_caps_of(&e->in_msg);
  if (is_new) {
    responder_first(e, sa);
    return;
  }
  if (e->in_msg.hdr.exchange != sa->exchange) {
    bad_message(e, sa, ISAKMP_N_INVALID_EXCHANGE_TYPE);
    return;
  }
  switch (sa->state) {
  case P1_R_MM2_SENT: responder_mm3(e, sa); break;
  case P1_R_MM4_SENT:
  case P1_R_AM2_SENT: responder_final(e, sa); break;
  case P1_I_MM1_SENT: initiator_mm2(e, sa); break;
  case P1_I_MM3_SENT: initiator_mm4(e, sa); break;
  case P1_I_MM5_SENT: initiator_mm6(e, sa); break;
  case P1_I_AM1_SENT: initiator_am2(e, sa); break;
  default: bad_message(e, sa, ISAKMP_N_INVALID_PAYLOAD_TYPE); break;
  }
}
