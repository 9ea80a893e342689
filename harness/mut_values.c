#include "mut_values.h"

#include <string.h>

#include "ikelab/buf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

uint32_t mut_pick_name(struct mut_rng *r, const struct isakmp_names *t)
{
  if (!t || t->count == 0)
    return mut_pick_boundary(r, 2, 0);
  return t->rows[mut_below(r, t->count)].value;
}

uint32_t mut_pick_boundary(struct mut_rng *r, unsigned width, uint32_t base)
{
  uint32_t max = width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
  uint32_t top = max >> 1; /* the sign bit's neighbours */
  const uint32_t picks[] = {0, 1, base - 1, base + 1, top, top + 1, max, max - 1,
                            (uint32_t)mut_next(r)};
  return picks[mut_below(r, COUNT(picks))] & max;
}

uint8_t mut_pick_payload_type(struct mut_rng *r, bool known_only)
{
  if (known_only || mut_chance(r, 85)) {
    for (;;) { /* a top-level type: not NONE, P or T */
      uint8_t t = (uint8_t)mut_pick_name(r, &isakmp_payload_names);
      if (t != ISAKMP_NP_NONE && t != ISAKMP_NP_P && t != ISAKMP_NP_T)
        return t;
    }
  }
  const uint8_t odd[] = {ISAKMP_NP_NONE, ISAKMP_NP_P, ISAKMP_NP_T, 14, 15, 19, 22, 128, 255};
  return mut_chance(r, 50) ? odd[mut_below(r, COUNT(odd))] : (uint8_t)mut_next(r);
}

uint16_t mut_pick_attr_type(struct mut_rng *r, uint8_t protocol)
{
  if (mut_chance(r, 85))
    return (uint16_t)mut_pick_name(r, isakmp_attr_names_for(protocol));
  const uint16_t odd[] = {0, 17, 0x3fff, 0x4000, 0x7fff, 16384 + 1}; /* reserved, private use */
  return odd[mut_below(r, COUNT(odd))];
}

uint32_t mut_pick_attr_value(struct mut_rng *r, uint8_t protocol, uint16_t type)
{
  const struct isakmp_names *values = isakmp_attr_value_names(protocol, type);
  if (values && mut_chance(r, 75))
    return mut_pick_name(r, values);
  /* Key lengths, lifetimes (seconds and kilobytes) and their edges. */
  const uint32_t plain[] = {0, 1, 56, 64, 128, 192, 256, 257, 448, 60, 3600, 28800, 86400,
                            4608000, 0xffff, 0x10000, 0xffffffffu};
  return mut_chance(r, 75) ? plain[mut_below(r, COUNT(plain))] : mut_pick_boundary(r, 2, 0);
}

/* The first bytes of IDs isakmp_vendor.c recognises; the rest random. */
static const uint8_t vids[][16] = {
    {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f},
    {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f},
    {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56},
    {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00},
    {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12, 0x80, 0xa2, 0x24, 0xde, 0xc3, 0x3b, 0x81, 0xe5},
    {0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3},
    {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9, 0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00},
};

size_t mut_pick_vendor_id(struct mut_rng *r, uint8_t out[16])
{
  memcpy(out, vids[mut_below(r, COUNT(vids))], 16);
  /* XAUTH's ID is 8 bytes; the others are 16, some with version bytes. */
  const size_t lens[] = {16, 16, 16, 8, 14, 20};
  size_t n = lens[mut_below(r, COUNT(lens))];
  return n > 16 ? 16 : n;
}

static void random_bytes(struct mut_rng *r, struct buf_writer *w, size_t n)
{
  for (size_t i = 0; i < n; i++)
    bw_u8(w, (uint8_t)mut_next(r));
}

/* Lengths the engine treats specially: DH public values of groups 1, 2, 5
 * and 14, and digests of MD5 to SHA2-512. */
static size_t pick_len(struct mut_rng *r, const size_t *lens, size_t n)
{
  return lens[mut_below(r, n)];
}

static void template_sa(struct mut_rng *r, struct buf_writer *w)
{
  bool p1 = mut_chance(r, 50);
  uint8_t proto = p1 ? ISAKMP_PROTO_ISAKMP : ISAKMP_PROTO_ESP;
  bw_u32(w, ISAKMP_DOI_IPSEC);
  bw_u32(w, ISAKMP_SIT_IDENTITY_ONLY);
  size_t prop = bw_pos(w);
  bw_u8(w, ISAKMP_NP_NONE);
  bw_u8(w, 0);
  size_t plen = bw_reserve16(w);
  bw_u8(w, 1);
  bw_u8(w, proto);
  bw_u8(w, p1 ? 0 : 4);
  bw_u8(w, 1);
  if (!p1)
    random_bytes(r, w, 4);
  size_t xf = bw_pos(w);
  bw_u8(w, ISAKMP_NP_NONE);
  bw_u8(w, 0);
  size_t xlen = bw_reserve16(w);
  bw_u8(w, 1);
  bw_u8(w, p1 ? ISAKMP_TRANSFORM_KEY_IKE : ISAKMP_ESP_AES_CBC);
  bw_u16(w, 0);
  for (unsigned i = 0; i < 3; i++) {
    uint16_t type = mut_pick_attr_type(r, proto);
    if (type == 0)
      type = 1;
    bw_u16(w, (uint16_t)(ISAKMP_ATTR_AF | type));
    bw_u16(w, (uint16_t)mut_pick_attr_value(r, proto, type));
  }
  bw_patch16(w, xlen, bw_pos(w) - xf);
  bw_patch16(w, plen, bw_pos(w) - prop);
}

size_t mut_template_body(struct mut_rng *r, uint8_t type, uint8_t *out, size_t cap)
{
  static const size_t ke[] = {96, 128, 192, 256, 1, 97};
  static const size_t digest[] = {16, 20, 32, 48, 64, 1};
  struct buf_writer w;
  uint8_t vid[16];
  bw_init(&w, out, cap);
  switch (type) {
  case ISAKMP_NP_SA:
    template_sa(r, &w);
    break;
  case ISAKMP_NP_KE:
    random_bytes(r, &w, pick_len(r, ke, COUNT(ke)));
    break;
  case ISAKMP_NP_NONCE:
    random_bytes(r, &w, 8 + mut_below(r, 249));
    break;
  case ISAKMP_NP_ID: { /* an address or a rule's subnet; protocol and port any or UDP 500 */
    bool subnet = mut_chance(r, 50);
    bw_u8(&w, subnet ? ISAKMP_ID_IPV4_ADDR_SUBNET : ISAKMP_ID_IPV4_ADDR);
    bw_u8(&w, mut_chance(r, 50) ? 0 : 17);
    bw_u16(&w, mut_chance(r, 50) ? 0 : 500);
    bw_bytes(&w, (const uint8_t[]){subnet ? 192 : 10, subnet ? 168 : 0, subnet ? 1 : 0,
                                   subnet ? 0 : 1}, 4);
    if (subnet)
      bw_bytes(&w, (const uint8_t[]){255, 255, 255, 0}, 4);
    break;
  }
  case ISAKMP_NP_CERT:
  case ISAKMP_NP_CR:
    bw_u8(&w, (uint8_t)mut_pick_name(r, &isakmp_cert_names));
    random_bytes(r, &w, 1 + mut_below(r, 32));
    break;
  case ISAKMP_NP_N:
    bw_u32(&w, ISAKMP_DOI_IPSEC);
    bw_u8(&w, ISAKMP_PROTO_ISAKMP);
    bw_u8(&w, 0);
    bw_u16(&w, (uint16_t)mut_pick_name(r, &isakmp_notify_names));
    if (mut_chance(r, 50))
      random_bytes(r, &w, 4);
    break;
  case ISAKMP_NP_D:
    bw_u32(&w, ISAKMP_DOI_IPSEC);
    bw_u8(&w, ISAKMP_PROTO_ESP);
    bw_u8(&w, 4);
    bw_u16(&w, 1);
    random_bytes(r, &w, 4);
    break;
  case ISAKMP_NP_VID:
    bw_bytes(&w, vid, mut_pick_vendor_id(r, vid));
    break;
  case ISAKMP_NP_NATOA:
  case ISAKMP_NP_NATOA_DRAFT:
    bw_u8(&w, ISAKMP_ID_IPV4_ADDR);
    bw_zeros(&w, 3);
    bw_bytes(&w, (const uint8_t[]){192, 168, 1, 7}, 4);
    break;
  default: /* HASH, SIG, NAT-D and anything unknown: a digest's worth */
    random_bytes(r, &w, pick_len(r, digest, COUNT(digest) - 1));
    break;
  }
  return bw_ok(&w) ? bw_pos(&w) : 0;
}
