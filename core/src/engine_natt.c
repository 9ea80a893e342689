/* NAT traversal (RFC 3947): the Vendor ID, NAT-D hashes, and floating to
 * the NAT-T port. ESP encapsulation in UDP is the datapath's; the engine
 * only negotiates the UDP-Encapsulated modes and reports udp_encap. */
#include <string.h>

#include "engine_internal.h"

static const uint8_t rfc3947_vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                        0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};

uint16_t natt_port(const struct ike_engine *e)
{
  return e->host.natt_port ? e->host.natt_port : 4500;
}

bool natt_vid_present(const struct isakmp_msg *m)
{
  for (size_t i = 0; i < m->npayloads; i++)
    if (m->payloads[i].type == ISAKMP_NP_VID &&
        slice_eq_bytes(m->payloads[i].u.data, rfc3947_vid, sizeof rfc3947_vid))
      return true;
  return false;
}

void natt_add_vid(struct isakmp_msg *m)
{
  struct isakmp_payload *v = isakmp_add_payload(m, ISAKMP_NP_VID);
  if (v)
    v->u.data = slice_of(rfc3947_vid, sizeof rfc3947_vid);
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
    struct isakmp_payload *p = isakmp_add_payload(m, ISAKMP_NP_NATD);
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
    if (p->type != ISAKMP_NP_NATD)
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
