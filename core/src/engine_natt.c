/* NAT traversal (RFC 3947): the Vendor ID, NAT-D hashes, and floating to
 * the NAT-T port. ESP encapsulation in UDP is the datapath's; the engine
 * only negotiates the UDP-Encapsulated modes and reports udp_encap. */
#include <string.h>

#include "engine_internal.h"
#include "ikelab/isakmp_dissect.h"

static const uint8_t rfc3947_vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                        0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};

uint16_t natt_port(const struct ike_engine *e)
{
  return e->host.natt_port ? e->host.natt_port : 4500;
}

/* draft-ietf-ipsec-nat-t-ike-02 with its newline, the draft most peers
 * that predate RFC 3947 answer to. */
static const uint8_t draft02n_vid[16] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
                                         0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};

unsigned vendor_caps_of(const struct isakmp_msg *m)
{
  unsigned caps = 0;
  for (size_t i = 0; i < m->npayloads; i++)
    if (m->payloads[i].type == ISAKMP_NP_VID)
      caps |= isakmp_vendor_caps(m->payloads[i].u.data);
  return caps;
}

void natt_negotiate(struct ike_engine *e, struct p1_sa *sa)
{
  bool rfc = sa->peer_caps & VENDOR_NATT_RFC3947, draft = sa->peer_caps & VENDOR_NATT_DRAFT;
  sa->natt = e->cfg.g.nat_traversal && (rfc || draft);
  sa->natt_draft = sa->natt && !rfc;
}

void natt_add_vid(struct isakmp_msg *m, const struct p1_sa *sa)
{
  struct isakmp_payload *v = isakmp_add_payload(m, ISAKMP_NP_VID);
  if (v)
    v->u.data = sa && sa->natt_draft ? slice_of(draft02n_vid, sizeof draft02n_vid)
                                     : slice_of(rfc3947_vid, sizeof rfc3947_vid);
}

/* HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash (RFC 3947 §3.2). */
static bool natd_hash(const struct p1_sa *sa, struct ike_endpoint ep, uint8_t out[IKE_HASH_MAX])
{
  uint8_t ip[4] = {(uint8_t)(ep.addr >> 24), (uint8_t)(ep.addr >> 16), (uint8_t)(ep.addr >> 8),
                   (uint8_t)ep.addr};
  uint8_t port[2] = {(uint8_t)(ep.port >> 8), (uint8_t)ep.port};
  return ike_hash(sa->chosen.hash,
                  IKE_PIECES({sa->icookie, 8}, {sa->rcookie, 8}, {ip, 4}, {port, 2}), out);
}

/* The hashes live until the message is encoded, before the engine returns. */
static uint8_t natd_scratch[2][IKE_HASH_MAX];

bool natt_add_natd(struct ike_engine *e, struct p1_sa *sa, struct isakmp_msg *m)
{
  size_t len = ike_hash_len(sa->chosen.hash);
  (void)e;
  if (!natd_hash(sa, sa->peer, natd_scratch[0]) || !natd_hash(sa, sa->local, natd_scratch[1]))
    return false;
  for (int i = 0; i < 2; i++) {
    struct isakmp_payload *p =
        isakmp_add_payload(m, sa->natt_draft ? ISAKMP_NP_NATD_DRAFT : ISAKMP_NP_NATD);
    if (!p)
      return false;
    p->u.data = slice_of(natd_scratch[i], len);
  }
  return true;
}

/* The first NAT-D is the sender's view of our address; the rest are its
 * own addresses. Any disagreement with what we see means a NAT between. */
bool natt_check(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_msg *m)
{
  uint8_t ours[IKE_HASH_MAX], theirs[IKE_HASH_MAX];
  size_t len = ike_hash_len(sa->chosen.hash);
  bool first = true, peer_match = false;
  unsigned seen = 0;
  (void)e;
  if (!natd_hash(sa, sa->local, ours) || !natd_hash(sa, sa->peer, theirs))
    return false;
  for (size_t i = 0; i < m->npayloads; i++) {
    const struct isakmp_payload *p = &m->payloads[i];
    if (p->type != ISAKMP_NP_NATD && p->type != ISAKMP_NP_NATD_DRAFT)
      continue;
    seen++;
    if (first)
      sa->nat_local = !slice_eq_bytes(p->u.data, ours, len);
    else if (slice_eq_bytes(p->u.data, theirs, len))
      peer_match = true;
    first = false;
  }
  if (seen < 2)
    return false;
  sa->nat_peer = !peer_match;
  return true;
}

void natt_float(struct ike_engine *e, struct p1_sa *sa)
{
  if (!sa->initiator || !natt_detected(sa))
    return;
  sa->local.port = natt_port(e);
  sa->peer.port = natt_port(e);
}

void natt_authenticated(struct ike_engine *e, struct p1_sa *sa)
{
  if (!e->moved.on)
    return;
  sa->local = e->moved.local;
  sa->peer = e->moved.peer;
  e->moved.on = false;
}

/* ---- Dead Peer Detection (RFC 3706) ---- */

static const uint8_t dpd_vid[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
                                    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};

void dpd_add_vid(struct isakmp_msg *m)
{
  struct isakmp_payload *v = isakmp_add_payload(m, ISAKMP_NP_VID);
  if (v)
    v->u.data = slice_of(dpd_vid, sizeof dpd_vid);
}

void dpd_start(struct ike_engine *e, struct p1_sa *sa)
{
  bool on = e->cfg.g.dpd_interval_ms && (sa->peer_caps & VENDOR_DPD);
  sa->dpd_next_ms = on ? e->now + e->cfg.g.dpd_interval_ms : UINT64_MAX;
  random_bytes(e, (uint8_t *)&sa->dpd_seq, sizeof sa->dpd_seq);
  sa->dpd_seq &= 0x7fffffff; /* room to count up without wrapping */
}

/* A peer that misses more acknowledgements than the retransmission count
 * allows is dead: its SAs go, as they would on a Delete. */
bool dpd_timer(struct ike_engine *e, struct p1_sa *sa)
{
  if (e->now < sa->dpd_next_ms)
    return false;
  if (sa->dpd_outstanding && ++sa->dpd_misses > e->cfg.g.retransmit_count) {
    for (size_t i = 0; i < e->p2_top; i++) {
      struct p2_sa *q = &e->p2[i];
      if (q->state == P2_ESTABLISHED && q->peer.addr == sa->peer.addr) {
        p2_sa_event(e, q, IKE_EV_SA_DEL);
        p2_free(e, q);
      }
    }
    emit_result(e, IKE_RESULT_PHASE1_DELETED, sa->rule, 0, sa->peer);
    p1_free(e, sa);
    return true;
  }
  uint8_t seq[4];
  sa->dpd_seq++;
  for (int i = 0; i < 4; i++)
    seq[i] = (uint8_t)(sa->dpd_seq >> (24 - 8 * i));
  sa->dpd_outstanding = true;
  sa->dpd_next_ms = e->now + e->cfg.g.dpd_interval_ms;
  send_notify_data(e, sa, sa->icookie, sa->rcookie, sa->local, sa->peer, ISAKMP_N_R_U_THERE,
                   ISAKMP_PROTO_ISAKMP, 0, slice_of(seq, 4));
  return false;
}

void dpd_ack(struct p1_sa *sa, struct buf_slice data)
{
  struct buf_reader r;
  uint32_t seq;
  br_from_slice(&r, data, 0);
  if (br_u32(&r, &seq) && seq == sa->dpd_seq) {
    sa->dpd_outstanding = false;
    sa->dpd_misses = 0;
  }
}
