/* SA payloads: what a rule offers, and which offer a rule accepts.
 *
 * An offer matches a rule's proposal when every algorithm agrees and the
 * offered lifetime is no longer than ours (the Prestige refuses a longer
 * one: "!! No proposal chosen" covers lifetime mismatch too). The answer
 * repeats the chosen transform exactly as offered (RFC 2409 §5). */
#include <string.h>

#include "engine_internal.h"

/* TLV attribute values must live until the message is encoded, which
 * happens before the engine returns; the engine is single-threaded. */
static uint8_t tlv_scratch[2 * IKE_MAX_PROPOSALS][4];
static uint8_t spi_scratch[4];

static void put_u32(uint8_t out[4], uint32_t v)
{
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void add_duration(struct isakmp_msg *m, uint16_t type, uint32_t v, uint8_t *scratch)
{
  if (v <= 0xffff) {
    isakmp_add_attr_tv(m, type, (uint16_t)v);
  } else {
    put_u32(scratch, v);
    isakmp_add_attr_tlv(m, type, slice_of(scratch, 4));
  }
}

/* ---- Phase 1 ---- */

struct p1_offer {
  struct ike_p1_proposal p;
  uint16_t auth;
  bool life_kbytes_seen;
};

static void p1_read(const struct isakmp_msg *m, const struct isakmp_transform *t,
                    struct p1_offer *o)
{
  uint16_t life_type = 0;
  memset(o, 0, sizeof *o);
  for (unsigned i = 0; i < t->nattrs; i++) {
    const struct isakmp_attr *a = &m->attrs[t->first_attr + i];
    uint64_t v = 0;
    if (!isakmp_attr_uint(a, &v))
      v = UINT64_MAX; /* an unusable value matches nothing */
    switch (a->type) {
    case OAKLEY_ATTR_ENCRYPTION_ALGORITHM: o->p.encr = (uint16_t)v; break;
    /* An explicit 0 is no key, not "absent" (which means AES-128): it must
     * match nothing rather than be read as the default. */
    case OAKLEY_ATTR_KEY_LENGTH: o->p.key_bits = v ? (uint16_t)v : UINT16_MAX; break;
    case OAKLEY_ATTR_HASH_ALGORITHM: o->p.hash = (uint16_t)v; break;
    case OAKLEY_ATTR_AUTH_METHOD: o->auth = (uint16_t)v; break;
    case OAKLEY_ATTR_GROUP_DESCRIPTION: o->p.group = (uint16_t)v; break;
    case OAKLEY_ATTR_LIFE_TYPE: life_type = (uint16_t)v; break;
    case OAKLEY_ATTR_LIFE_DURATION:
      if (life_type == ISAKMP_LIFE_SECONDS)
        o->p.life_seconds = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
      else
        o->life_kbytes_seen = true;
      break;
    default: break;
    }
  }
  if (o->p.encr == OAKLEY_ENCR_AES_CBC && o->p.key_bits == 0)
    o->p.key_bits = 128;
}

static bool p1_matches(const struct p1_offer *o, const struct ike_p1_proposal *ours)
{
  uint32_t life = o->p.life_seconds ? o->p.life_seconds : 28800; /* RFC 2407 default */
  return o->auth == OAKLEY_AUTH_PSK && o->p.encr == ours->encr &&
         (ours->encr != OAKLEY_ENCR_AES_CBC || o->p.key_bits == ours->key_bits) &&
         o->p.hash == ours->hash && o->p.group == ours->group && life <= ours->life_seconds;
}

bool p1_add_sa(struct isakmp_msg *m, const struct ike_rule *r)
{
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  struct isakmp_proposal *prop =
      sa ? isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_ISAKMP, slice_of(NULL, 0)) : NULL;
  if (!prop)
    return false;
  for (size_t i = 0; i < r->np1; i++) {
    const struct ike_p1_proposal *p = &r->p1[i];
    if (!isakmp_add_transform(m, prop, (uint8_t)(i + 1), ISAKMP_TRANSFORM_KEY_IKE))
      return false;
    isakmp_add_attr_tv(m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, p->encr);
    if (p->encr == OAKLEY_ENCR_AES_CBC)
      isakmp_add_attr_tv(m, OAKLEY_ATTR_KEY_LENGTH, p->key_bits);
    isakmp_add_attr_tv(m, OAKLEY_ATTR_HASH_ALGORITHM, p->hash);
    isakmp_add_attr_tv(m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
    isakmp_add_attr_tv(m, OAKLEY_ATTR_GROUP_DESCRIPTION, p->group);
    isakmp_add_attr_tv(m, OAKLEY_ATTR_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
    add_duration(m, OAKLEY_ATTR_LIFE_DURATION, p->life_seconds, tlv_scratch[i]);
  }
  return true;
}

/* Copies transform t of offer into reply's last proposal. */
static bool copy_transform(const struct isakmp_msg *offer, const struct isakmp_transform *t,
                           struct isakmp_msg *reply, struct isakmp_proposal *prop)
{
  if (!isakmp_add_transform(reply, prop, t->number, t->id))
    return false;
  for (unsigned i = 0; i < t->nattrs; i++) {
    const struct isakmp_attr *a = &offer->attrs[t->first_attr + i];
    bool ok = a->tv ? isakmp_add_attr_tv(reply, a->type, a->tv_value)
                    : isakmp_add_attr_tlv(reply, a->type, a->value);
    if (!ok)
      return false;
  }
  return true;
}

static struct isakmp_payload *reply_sa(struct isakmp_msg *reply, const struct isakmp_payload *sa)
{
  struct isakmp_payload *out = isakmp_add_payload(reply, ISAKMP_NP_SA);
  if (out) {
    out->u.sa.doi = sa->u.sa.doi;
    out->u.sa.situation = sa->u.sa.situation;
  }
  return out;
}

bool p1_choose(const struct isakmp_msg *offer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p1_proposal *chosen, uint32_t *life,
               struct isakmp_msg *reply)
{
  for (unsigned pi = 0; pi < sa->u.sa.nproposals; pi++) {
    const struct isakmp_proposal *p = &offer->proposals[sa->u.sa.first_proposal + pi];
    if (p->protocol != ISAKMP_PROTO_ISAKMP)
      continue;
    for (unsigned ti = 0; ti < p->ntransforms; ti++) {
      const struct isakmp_transform *t = &offer->transforms[p->first_transform + ti];
      struct p1_offer o;
      if (t->id != ISAKMP_TRANSFORM_KEY_IKE)
        continue;
      p1_read(offer, t, &o);
      for (size_t k = 0; k < r->np1; k++) {
        if (!p1_matches(&o, &r->p1[k]))
          continue;
        *chosen = r->p1[k];
        *life = o.p.life_seconds ? o.p.life_seconds : 28800;
        if (!reply)
          return true;
        struct isakmp_payload *out = reply_sa(reply, sa);
        struct isakmp_proposal *rp =
            out ? isakmp_add_proposal(reply, out, p->number, p->protocol, p->spi) : NULL;
        return rp && copy_transform(offer, t, reply, rp);
      }
    }
  }
  return false;
}

bool p1_accept(const struct isakmp_msg *answer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p1_proposal *chosen, uint32_t *life)
{
  if (sa->u.sa.nproposals != 1 ||
      answer->proposals[sa->u.sa.first_proposal].ntransforms != 1)
    return false;
  return p1_choose(answer, sa, r, chosen, life, NULL);
}

/* ---- Phase 2 (RFC 2407 §4.4-4.5) ---- */

static uint8_t ah_transform_for(uint16_t auth)
{
  switch (auth) {
  case IPSEC_AUTH_HMAC_MD5: return ISAKMP_AH_MD5;
  case IPSEC_AUTH_HMAC_SHA1: return ISAKMP_AH_SHA;
  case IPSEC_AUTH_HMAC_SHA2_256: return ISAKMP_AH_SHA2_256;
  case IPSEC_AUTH_HMAC_SHA2_384: return ISAKMP_AH_SHA2_384;
  case IPSEC_AUTH_HMAC_SHA2_512: return ISAKMP_AH_SHA2_512;
  default: return 0;
  }
}

/* UDP-encapsulated modes (RFC 3947 and its drafts) are tunnel/transport. */
static uint16_t plain_encap(uint16_t mode)
{
  switch (mode) {
  case IPSEC_ENCAP_UDP_TUNNEL:
  case IPSEC_ENCAP_UDP_TUNNEL_DRAFT: return IPSEC_ENCAP_TUNNEL;
  case IPSEC_ENCAP_UDP_TRANSPORT:
  case IPSEC_ENCAP_UDP_TRANSPORT_DRAFT: return IPSEC_ENCAP_TRANSPORT;
  default: return mode;
  }
}

bool p2_add_sa(struct isakmp_msg *m, const struct ike_rule *r, uint32_t spi, int udp)
{
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  if (!sa)
    return false;
  put_u32(spi_scratch, spi);
  for (size_t i = 0; i < r->np2; i++) {
    const struct ike_p2_proposal *p = &r->p2[i];
    struct isakmp_proposal *prop = isakmp_add_proposal(m, sa, (uint8_t)(i + 1), p->protocol,
                                                       slice_of(spi_scratch, 4));
    uint8_t id = p->protocol == ISAKMP_PROTO_AH ? ah_transform_for(p->auth) : p->encr;
    if (!prop || !isakmp_add_transform(m, prop, 1, id))
      return false;
    isakmp_add_attr_tv(m, IPSEC_ATTR_SA_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
    add_duration(m, IPSEC_ATTR_SA_LIFE_DURATION, p->life_seconds, tlv_scratch[2 * i]);
    if (p->life_kbytes) {
      isakmp_add_attr_tv(m, IPSEC_ATTR_SA_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES);
      add_duration(m, IPSEC_ATTR_SA_LIFE_DURATION, p->life_kbytes, tlv_scratch[2 * i + 1]);
    }
    if (p->pfs)
      isakmp_add_attr_tv(m, IPSEC_ATTR_GROUP_DESCRIPTION, p->pfs);
    uint16_t encap = p->encap;
    bool transport = encap == IPSEC_ENCAP_TRANSPORT;
    if (udp == 1)
      encap = transport ? IPSEC_ENCAP_UDP_TRANSPORT : IPSEC_ENCAP_UDP_TUNNEL;
    else if (udp == 2)
      encap = transport ? IPSEC_ENCAP_UDP_TRANSPORT_DRAFT : IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
    isakmp_add_attr_tv(m, IPSEC_ATTR_ENCAPSULATION_MODE, encap);
    if (p->auth)
      isakmp_add_attr_tv(m, IPSEC_ATTR_AUTH_ALGORITHM, p->auth);
    if (p->key_bits)
      isakmp_add_attr_tv(m, IPSEC_ATTR_KEY_LENGTH, p->key_bits);
  }
  return true;
}

static void p2_read(const struct isakmp_msg *m, const struct isakmp_proposal *prop,
                    const struct isakmp_transform *t, struct ike_p2_proposal *o)
{
  uint16_t life_type = ISAKMP_LIFE_SECONDS;
  memset(o, 0, sizeof *o);
  o->protocol = prop->protocol;
  o->encap = IPSEC_ENCAP_TUNNEL; /* RFC 2407 §4.5: no default; peers send it */
  if (prop->protocol == ISAKMP_PROTO_ESP)
    o->encr = t->id;
  for (unsigned i = 0; i < t->nattrs; i++) {
    const struct isakmp_attr *a = &m->attrs[t->first_attr + i];
    uint64_t v = 0;
    if (!isakmp_attr_uint(a, &v))
      v = UINT64_MAX;
    uint32_t v32 = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    switch (a->type) {
    case IPSEC_ATTR_SA_LIFE_TYPE: life_type = (uint16_t)v; break;
    case IPSEC_ATTR_SA_LIFE_DURATION:
      if (life_type == ISAKMP_LIFE_SECONDS)
        o->life_seconds = v32;
      else
        o->life_kbytes = v32;
      break;
    case IPSEC_ATTR_GROUP_DESCRIPTION: o->pfs = (uint16_t)v; break;
    case IPSEC_ATTR_ENCAPSULATION_MODE: o->encap = plain_encap((uint16_t)v); break;
    case IPSEC_ATTR_AUTH_ALGORITHM: o->auth = (uint16_t)v; break;
    /* As in Phase 1: an explicit 0 gives no keying material, never the
     * AES-128 default of an absent attribute. */
    case IPSEC_ATTR_KEY_LENGTH: o->key_bits = v ? (uint16_t)v : UINT16_MAX; break;
    default: break;
    }
  }
  if ((o->encr == ISAKMP_ESP_AES_CBC || o->encr == ISAKMP_ESP_AES_GCM_16) && o->key_bits == 0)
    o->key_bits = 128;
}

static bool p2_matches(const struct ike_p2_proposal *o, uint8_t transform_id,
                       const struct ike_p2_proposal *ours)
{
  /* A longer lifetime is no mismatch in Phase 2: the responder shortens it
   * and says so with RESPONDER-LIFETIME (RFC 2407 §4.6.3.1). */
  if (o->protocol != ours->protocol || o->auth != ours->auth || o->pfs != ours->pfs ||
      o->encap != ours->encap)
    return false;
  if (ours->protocol == ISAKMP_PROTO_AH)
    return transform_id == ah_transform_for(ours->auth);
  bool keyed = ours->encr == ISAKMP_ESP_AES_CBC || ours->encr == ISAKMP_ESP_AES_GCM_16;
  return o->encr == ours->encr && (!keyed || o->key_bits == ours->key_bits);
}

static uint32_t spi_value(struct buf_slice spi)
{
  uint32_t v = 0;
  for (size_t i = 0; i < spi.len && i < 4; i++)
    v = (v << 8) | slice_byte(spi, i);
  return v;
}

bool p2_choose(const struct isakmp_msg *offer, const struct isakmp_payload *sa,
               const struct ike_rule *r, uint32_t our_spi, struct ike_p2_proposal *chosen,
               uint32_t *peer_spi, struct isakmp_msg *reply, bool *shortened)
{
  unsigned n = sa->u.sa.nproposals;
  const struct isakmp_proposal *all = &offer->proposals[sa->u.sa.first_proposal];
  for (unsigned pi = 0; pi < n; pi++) {
    const struct isakmp_proposal *p = &all[pi];
    /* Proposals sharing a number are one AND-bundle (e.g. AH + ESP); a rule
     * is one protocol, so a bundle never matches. */
    bool bundled = (pi > 0 && all[pi - 1].number == p->number) ||
                   (pi + 1 < n && all[pi + 1].number == p->number);
    if (bundled || p->spi.len != 4)
      continue;
    for (unsigned ti = 0; ti < p->ntransforms; ti++) {
      const struct isakmp_transform *t = &offer->transforms[p->first_transform + ti];
      struct ike_p2_proposal o;
      p2_read(offer, p, t, &o);
      for (size_t k = 0; k < r->np2; k++) {
        if (!p2_matches(&o, t->id, &r->p2[k]))
          continue;
        uint32_t offered = o.life_seconds ? o.life_seconds : 28800;
        *chosen = r->p2[k];
        if (offered < chosen->life_seconds)
          chosen->life_seconds = offered;
        if (o.life_kbytes && (!chosen->life_kbytes || o.life_kbytes < chosen->life_kbytes))
          chosen->life_kbytes = o.life_kbytes;
        if (shortened)
          *shortened = offered > chosen->life_seconds ||
                       (chosen->life_kbytes && (!o.life_kbytes || o.life_kbytes > chosen->life_kbytes));
        *peer_spi = spi_value(p->spi);
        if (!reply)
          return true;
        put_u32(spi_scratch, our_spi);
        struct isakmp_payload *out = reply_sa(reply, sa);
        struct isakmp_proposal *rp =
            out ? isakmp_add_proposal(reply, out, p->number, p->protocol, slice_of(spi_scratch, 4))
                : NULL;
        return rp && copy_transform(offer, t, reply, rp);
      }
    }
  }
  return false;
}

bool p2_accept(const struct isakmp_msg *answer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p2_proposal *chosen, uint32_t *peer_spi)
{
  if (sa->u.sa.nproposals != 1 ||
      answer->proposals[sa->u.sa.first_proposal].ntransforms != 1)
    return false;
  return p2_choose(answer, sa, r, 0, chosen, peer_spi, NULL, NULL);
}

/* ---- RESPONDER-LIFETIME (RFC 2407 §4.6.3.1) ---- */

static uint8_t lifetime_scratch[24];

struct buf_slice p2_lifetime_attrs(const struct ike_p2_proposal *chosen)
{
  struct buf_writer w;
  bw_init(&w, lifetime_scratch, sizeof lifetime_scratch);
  bw_u16(&w, ISAKMP_ATTR_AF | IPSEC_ATTR_SA_LIFE_TYPE);
  bw_u16(&w, ISAKMP_LIFE_SECONDS);
  bw_u16(&w, IPSEC_ATTR_SA_LIFE_DURATION);
  bw_u16(&w, 4);
  bw_u32(&w, chosen->life_seconds);
  if (chosen->life_kbytes) {
    bw_u16(&w, ISAKMP_ATTR_AF | IPSEC_ATTR_SA_LIFE_TYPE);
    bw_u16(&w, ISAKMP_LIFE_KILOBYTES);
    bw_u16(&w, IPSEC_ATTR_SA_LIFE_DURATION);
    bw_u16(&w, 4);
    bw_u32(&w, chosen->life_kbytes);
  }
  return bw_written(&w);
}

void p2_apply_lifetime(struct ike_p2_proposal *chosen, struct buf_slice attrs)
{
  struct buf_reader r;
  uint16_t type, word, life_type = ISAKMP_LIFE_SECONDS;
  br_from_slice(&r, attrs, 0);
  while (br_u16(&r, &type) && br_u16(&r, &word)) {
    uint64_t v = word;
    if (!(type & ISAKMP_ATTR_AF)) { /* TLV: word is the length */
      struct buf_slice value;
      if (!br_slice(&r, word, &value) || word == 0 || word > 8)
        return;
      v = 0;
      for (size_t i = 0; i < value.len; i++)
        v = (v << 8) | slice_byte(value, i);
    }
    type &= 0x7fff;
    if (type == IPSEC_ATTR_SA_LIFE_TYPE) {
      life_type = (uint16_t)v;
    } else if (type == IPSEC_ATTR_SA_LIFE_DURATION && v > 0 && v <= UINT32_MAX) {
      uint32_t *life = life_type == ISAKMP_LIFE_SECONDS ? &chosen->life_seconds
                                                        : &chosen->life_kbytes;
      if (*life == 0 || v < *life)
        *life = (uint32_t)v;
    }
  }
}
