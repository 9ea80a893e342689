/* Informational exchanges (RFC 2408 §4.8, RFC 2409 §5.7). Once Phase 1 is
 * up they are encrypted and carry HASH(1) = prf(SKEYID_a, M-ID | N/D), each
 * with its own IV; before that, a Notify arrives in the clear and can only
 * end the negotiation it names. */
#include <string.h>

#include "engine_internal.h"

/* A protected Delete of one payload: HASH(1), D (RFC 2409 §5.7). */
static void send_delete(struct ike_engine *e, struct p1_sa *p1, uint8_t protocol,
                        struct buf_slice spi)
{
  struct isakmp_msg *m = &e->out_msg;
  uint8_t body[64], hash[IKE_HASH_MAX], iv[IKE_BLOCK_MAX];
  uint32_t msgid;
  if (p1->state != P1_ESTABLISHED)
    return;
  random_bytes(e, (uint8_t *)&msgid, sizeof msgid);
  msgid |= 1;
  header_for(m, p1, ISAKMP_XCHG_INFO, msgid, 0);
  struct isakmp_payload *hp = isakmp_add_payload(m, ISAKMP_NP_HASH);
  struct isakmp_payload *d = isakmp_add_payload(m, ISAKMP_NP_D);
  d->u.del.doi = ISAKMP_DOI_IPSEC;
  d->u.del.protocol = protocol;
  d->u.del.spi_size = (uint8_t)spi.len;
  d->u.del.nspis = 1;
  d->u.del.spis = spi;
  size_t n = encode_payloads_from(m, 1, body, sizeof body);
  hp->u.data = slice_of(hash, p1->keys.prf_len);
  if (!n || !ike_info_hash(&p1->keys, msgid, (struct ike_piece){body, n}, hash) ||
      !ike_phase2_iv(&p1->keys, p1->iv, msgid, iv))
    return;
  send_message(e, p1, NULL, m, true, iv, false);
}

void send_delete_p1(struct ike_engine *e, struct p1_sa *p1)
{
  uint8_t spi[16];
  memcpy(spi, p1->icookie, 8);
  memcpy(spi + 8, p1->rcookie, 8);
  send_delete(e, p1, ISAKMP_PROTO_ISAKMP, slice_of(spi, 16));
}

/* Our inbound SPI is what the peer knows the SA by on its way out. */
void send_delete_p2(struct ike_engine *e, struct p1_sa *p1, const struct p2_sa *q)
{
  uint8_t spi[4];
  for (int i = 0; i < 4; i++)
    spi[i] = (uint8_t)(q->spi_in >> (24 - 8 * i));
  send_delete(e, p1, q->chosen.protocol, slice_of(spi, 4));
}

static uint32_t spi_of(struct buf_slice spis, size_t i, size_t size)
{
  uint32_t v = 0;
  for (size_t k = 0; k < size; k++)
    v = (v << 8) | slice_byte(spis, i * size + k);
  return v;
}

static void delete_p2_by_spi(struct ike_engine *e, const struct p1_sa *p1, uint8_t protocol,
                             uint32_t spi)
{
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state == P2_ESTABLISHED && q->chosen.protocol == protocol && q->spi_out == spi &&
        q->peer.addr == p1->peer.addr) {
      p2_sa_event(e, q, IKE_EV_SA_DEL);
      p2_free(e, q);
    }
  }
}

/* Acts on a verified Delete; returns true when the Phase 1 SA itself went. */
static bool apply_delete(struct ike_engine *e, struct p1_sa *p1, const struct isakmp_delete *d)
{
  if (d->protocol == ISAKMP_PROTO_ISAKMP) {
    uint8_t both[16];
    struct buf_reader r;
    struct buf_slice spi;
    memcpy(both, p1->icookie, 8);
    memcpy(both + 8, p1->rcookie, 8);
    br_from_slice(&r, d->spis, 0);
    while (d->spi_size == 16 && br_slice(&r, 16, &spi))
      if (slice_eq_bytes(spi, both, 16)) {
        emit_result(e, IKE_RESULT_PHASE1_DELETED, p1->rule, 0, p1->peer);
        p1_free(e, p1);
        return true;
      }
    return false;
  }
  if (d->spi_size == 4)
    for (size_t i = 0; i < d->nspis; i++)
      delete_p2_by_spi(e, p1, d->protocol, spi_of(d->spis, i, 4));
  return false;
}

/* An error notify under an established Phase 1 answers our Quick Mode:
 * the responder refused it, so stop retransmitting and report why. */
static void end_quick_modes(struct ike_engine *e, struct p1_sa *p1, uint16_t notify)
{
  size_t idx = p1_index(e, p1);
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state == P2_I_QM1_SENT && q->p1 == idx) {
      emit_result(e, IKE_RESULT_PHASE2_FAILED, q->rule, notify, p1->peer);
      p2_free(e, q);
    }
  }
}

static void protected_info(struct ike_engine *e, struct p1_sa *p1)
{
  struct isakmp_error err;
  uint8_t iv[IKE_BLOCK_MAX], next_iv[IKE_BLOCK_MAX], want[IKE_HASH_MAX], got[IKE_HASH_MAX];
  uint8_t rest[ENGINE_MAX_MSG];
  uint32_t msgid = e->in_msg.hdr.msgid;
  const struct isakmp_msg *m = &e->body_msg;
  if (!(e->in_msg.hdr.flags & ISAKMP_FLAG_E) || !ike_phase2_iv(&p1->keys, p1->iv, msgid, iv) ||
      !decrypt_body(e, p1, iv, next_iv, &err) || m->npayloads < 2 ||
      m->payloads[0].type != ISAKMP_NP_HASH ||
      m->payloads[0].u.data.len != p1->keys.prf_len) {
    p1_error(e, p1);
    return;
  }
  size_t n = encode_payloads_from(m, 1, rest, sizeof rest);
  slice_copy(m->payloads[0].u.data, got, sizeof got);
  if (!n || !ike_info_hash(&p1->keys, msgid, (struct ike_piece){rest, n}, want) ||
      !ike_mem_equal(want, got, p1->keys.prf_len)) {
    p1_error(e, p1);
    return;
  }
  natt_authenticated(e, p1);
  log_payloads(e, LOG_K7, m, NULL, e->in_from.addr);
  for (size_t i = 1; i < m->npayloads; i++) {
    const struct isakmp_payload *pl = &m->payloads[i];
    if (pl->type == ISAKMP_NP_D && apply_delete(e, p1, &pl->u.del))
      return;
    if (pl->type != ISAKMP_NP_N)
      continue;
    if (pl->u.notify.type < ISAKMP_N_CONNECTED)
      end_quick_modes(e, p1, pl->u.notify.type);
    else if (pl->u.notify.type == ISAKMP_N_R_U_THERE)
      /* RFC 3706 §5.1: the acknowledgement echoes the sequence number. */
      send_notify_data(e, p1, p1->icookie, p1->rcookie, p1->local, p1->peer,
                       ISAKMP_N_R_U_THERE_ACK, ISAKMP_PROTO_ISAKMP, 0, pl->u.notify.data);
    else if (pl->u.notify.type == ISAKMP_N_R_U_THERE_ACK)
      dpd_ack(p1, pl->u.notify.data);
    else if (pl->u.notify.type == ISAKMP_N_INITIAL_CONTACT)
      initial_contact(e, p1);
  }
}

void initial_contact(struct ike_engine *e, struct p1_sa *keep)
{
  uint32_t peer = keep->peer.addr;
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state == P2_ESTABLISHED && q->peer.addr == peer &&
        (q->p1 >= e->p1_top || &e->p1[q->p1] != keep)) {
      p2_sa_event(e, q, IKE_EV_SA_DEL);
      p2_free(e, q);
    }
  }
  for (size_t i = 0; i < e->p1_top; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa != keep && sa->state == P1_ESTABLISHED && sa->peer.addr == peer)
      p1_free(e, sa);
  }
}

void info_input(struct ike_engine *e, struct p1_sa *p1)
{
  if (p1->state == P1_ESTABLISHED) {
    protected_info(e, p1);
    return;
  }
  /* Before Phase 1 completes: a clear Notify of an error ends it. */
  const struct isakmp_msg *m = &e->in_msg;
  if (m->hdr.flags & ISAKMP_FLAG_E)
    return;
  for (size_t i = 0; i < m->npayloads; i++) {
    const struct isakmp_payload *pl = &m->payloads[i];
    /* RFC 2408 §5.14: a type that names no error is discarded, not obeyed. */
    if (pl->type == ISAKMP_NP_N && pl->u.notify.type < ISAKMP_N_CONNECTED &&
        isakmp_name_of(&isakmp_notify_names, pl->u.notify.type)) {
      log_payloads(e, LOG_K7, m, NULL, e->in_from.addr);
      emit_result(e, IKE_RESULT_PHASE1_FAILED, p1->rule, pl->u.notify.type, p1->peer);
      p1_free(e, p1);
      return;
    }
  }
}
