/* Value edits: header fields, data attributes (TV/TLV), fields inside
 * payloads, deliberate breaks of derived lengths and counts, and byte-level
 * mutation of one payload's bytes. */
#include <string.h>

#include "ikelab/isakmp.h"
#include "mut_edit.h"
#include "mut_values.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void put32(uint8_t *p, uint32_t v)
{
  mut_put16(p, (uint16_t)(v >> 16));
  mut_put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
  return (uint32_t)mut_get16(p) << 16 | mut_get16(p + 2);
}

static bool phase1(uint8_t exchange)
{
  return exchange >= ISAKMP_XCHG_BASE && exchange <= ISAKMP_XCHG_AGGRESSIVE;
}

/* A message ID the exchange type allows (valid mode). */
static void lawful_msgid(struct mut_ctx *c, uint8_t *hdr)
{
  uint32_t id = get32(hdr + 20);
  if (phase1(hdr[18]))
    id = 0;
  else if (hdr[18] != ISAKMP_XCHG_INFO && id == 0)
    id = 1 + (uint32_t)mut_below(&c->rng, 0xfffffffeu);
  put32(hdr + 20, id);
}

static void cookie(struct mut_ctx *c, uint8_t *ck, const uint8_t *other)
{
  switch (mut_below(&c->rng, c->keep_valid ? 2 : 4)) {
  case 0:
    for (int i = 0; i < 8; i++)
      ck[i] = (uint8_t)mut_next(&c->rng);
    ck[7] |= 1; /* never all zero */
    break;
  case 1:
    memset(ck, 0xff, 8);
    break;
  case 2:
    memcpy(ck, other, 8);
    break;
  default:
    memset(ck, 0, 8);
    break;
  }
}

bool mut_op_header(struct mut_ctx *c, struct mut_msg *m)
{
  uint8_t *h = m->hdr;
  if (!m->has_header)
    return false;
  switch (mut_below(&c->rng, 6)) {
  case 0:
    cookie(c, h, h + 8);
    break;
  case 1:
    cookie(c, h + 8, h);
    break;
  case 2:
    put32(h + 20, mut_pick_boundary(&c->rng, 4, get32(h + 20)));
    break;
  case 3: /* E, C, A; in valid mode E stays as it was (the body is what it is) */
    h[19] = (uint8_t)(c->keep_valid ? ((mut_next(&c->rng) & 6) | (h[19] & ISAKMP_FLAG_E))
                                    : mut_chance(&c->rng, 70) ? mut_next(&c->rng) & 7
                                                              : mut_next(&c->rng));
    break;
  case 4:
    h[18] = (uint8_t)(c->keep_valid || mut_chance(&c->rng, 80)
                          ? mut_pick_name(&c->rng, &isakmp_exchange_names)
                          : mut_pick_boundary(&c->rng, 1, h[18]));
    break;
  default: /* version: valid mode has no choice but 1.0 */
    if (c->keep_valid)
      return false;
    h[17] = (const uint8_t[]){0x10, 0x11, 0x20, 0x00, 0x01, 0xf0, 0x1f}[mut_below(&c->rng, 7)];
    break;
  }
  if (c->keep_valid)
    lawful_msgid(c, h);
  return true;
}

/* ---- attributes ---- */

static bool tlv_value(struct mut_ctx *c, struct mut_msg *m, size_t i, uint64_t v)
{
  static const size_t widths[] = {1, 2, 4, 8, 3};
  size_t w = m->n[i].len >= 1 && m->n[i].len <= 8 && mut_chance(&c->rng, 60)
                 ? m->n[i].len
                 : widths[mut_below(&c->rng, COUNT(widths))];
  uint8_t b[8];
  for (size_t k = 0; k < w; k++)
    b[k] = (uint8_t)(v >> (8 * (w - 1 - k)));
  return mut_set_bytes(m, i, b, w);
}

static bool flip_af(struct mut_ctx *c, struct mut_msg *m, size_t i, uint8_t proto, uint16_t type)
{
  struct mut_node *nd = &m->n[i];
  if (nd->f[0] & 0x80) { /* TV -> TLV with the same number */
    if (c->keep_valid && isakmp_attr_basic_only(proto, type))
      return false;
    nd->f[0] &= 0x7f;
    return tlv_value(c, m, i, mut_get16(nd->f + 2));
  }
  struct buf_slice v = mut_node_bytes(m, nd);
  uint16_t word = 0;
  for (size_t k = 0; k < v.len && k < 2; k++)
    word = (uint16_t)(word << 8 | slice_byte(v, v.len <= 2 ? k : v.len - 2 + k));
  nd->f[0] |= 0x80;
  mut_put16(nd->f + 2, word);
  nd->len = 0;
  return true;
}

static bool resize_tlv(struct mut_ctx *c, struct mut_msg *m, size_t i)
{
  static uint8_t b[512];
  struct buf_slice v = mut_node_bytes(m, &m->n[i]);
  const size_t lens[] = {0, 1, 2, 3, 4, 8, 9, 16, 255, v.len + 1, v.len ? v.len - 1 : 0};
  size_t n = lens[mut_below(&c->rng, COUNT(lens))];
  if (n > sizeof b)
    n = sizeof b;
  size_t keep = slice_copy(v, b, n);
  for (size_t k = keep; k < n; k++)
    b[k] = (uint8_t)mut_next(&c->rng);
  return mut_set_bytes(m, i, b, n);
}

bool mut_op_attr(struct mut_ctx *c, struct mut_msg *m)
{
  size_t i = mut_pick(c, m, ML_ATTR);
  if (i == SIZE_MAX)
    return false;
  struct mut_node *nd = &m->n[i];
  uint8_t proto = mut_protocol_of(m, i);
  uint16_t type = mut_get16(nd->f) & 0x7fff;
  bool tv = nd->f[0] & 0x80;
  switch (mut_below(&c->rng, c->keep_valid ? 4 : 5)) {
  case 0:
    return flip_af(c, m, i, proto, type);
  case 1: {
    uint16_t t = mut_pick_attr_type(&c->rng, proto);
    if (c->keep_valid && t == 0)
      return false;
    mut_put16(nd->f, (uint16_t)((nd->f[0] & 0x80) << 8 | (t & 0x7fff)));
    if (c->keep_valid && !tv && isakmp_attr_basic_only(proto, t))
      return flip_af(c, m, i, proto, t);
    return true;
  }
  case 2:
    if (tv) {
      mut_put16(nd->f + 2, (uint16_t)mut_pick_attr_value(&c->rng, proto, type));
      return true;
    }
    return tlv_value(c, m, i, mut_pick_attr_value(&c->rng, proto, type));
  case 3:
    return !tv && resize_tlv(c, m, i);
  default: /* a TLV length that lies */
    if (tv)
      return false;
    nd->len_fix = mut_chance(&c->rng, 50) ? (struct mut_fix){FIX_DELTA, mut_chance(&c->rng, 50) ? 1 : -1}
                                          : (struct mut_fix){FIX_ABS, (int32_t)mut_pick_boundary(&c->rng, 2, nd->len)};
    return true;
  }
}

bool mut_op_insert_attr(struct mut_ctx *c, struct mut_msg *m)
{
  size_t x = mut_pick(c, m, ML_XFORM);
  if (x == SIZE_MAX)
    return false;
  uint8_t proto = mut_protocol_of(m, x);
  uint16_t type = mut_pick_attr_type(&c->rng, proto);
  if (c->keep_valid && type == 0)
    return false;
  bool tv = isakmp_attr_basic_only(proto, type) ? (c->keep_valid || mut_chance(&c->rng, 90))
                                                : mut_chance(&c->rng, 50);
  struct mut_node nd = {.level = ML_ATTR};
  mut_put16(nd.f, (uint16_t)((tv ? ISAKMP_ATTR_AF : 0) | type));
  uint32_t v = mut_pick_attr_value(&c->rng, proto, type);
  mut_put16(nd.f + 2, (uint16_t)v);
  /* Anywhere among the transform's attributes. */
  size_t end = mut_subtree_end(m, x), at = x + 1 + mut_below(&c->rng, end - x);
  if (!mut_insert_node(m, at, &nd))
    return false;
  return tv || tlv_value(c, m, at, v);
}

/* ---- fields inside payloads ---- */

/* Body bytes of opaque payload i, copied out so they can be edited. */
static size_t body_copy(const struct mut_msg *m, size_t i, uint8_t *out, size_t cap)
{
  return slice_copy(mut_node_bytes(m, &m->n[i]), out, cap);
}

static bool resize_body(struct mut_ctx *c, struct mut_msg *m, size_t i, uint8_t *b, size_t n,
                        size_t cap)
{
  uint8_t type = m->n[i].type;
  const size_t lens[] = {0, 1, 4, 7, 8, 16, 20, 32, 64, 96, 128, 256, 257, n + 1, n ? n - 1 : 0,
                         2 * n};
  size_t want = lens[mut_below(&c->rng, COUNT(lens))];
  if (want > cap)
    want = cap;
  if (c->keep_valid) { /* what the codec checks: nonces 8..256, data non-empty */
    if (type == ISAKMP_NP_NONCE && (want < 8 || want > 256))
      return false;
    if (type != ISAKMP_NP_NONCE && (!(type == ISAKMP_NP_KE || type == ISAKMP_NP_HASH ||
                                      type == ISAKMP_NP_SIG || type == ISAKMP_NP_VID ||
                                      type == ISAKMP_NP_NATD || type == ISAKMP_NP_NATD_DRAFT) ||
                                    want == 0))
      return false;
  }
  for (size_t k = n; k < want; k++)
    b[k] = (uint8_t)mut_next(&c->rng);
  return mut_set_bytes(m, i, b, want);
}

static bool notify_fields(struct mut_ctx *c, uint8_t *b, size_t n)
{
  if (n < 8)
    return false;
  if (c->keep_valid || mut_chance(&c->rng, 60)) {
    uint16_t t = (uint16_t)(mut_chance(&c->rng, 80) ? mut_pick_name(&c->rng, &isakmp_notify_names)
                                                    : mut_pick_boundary(&c->rng, 2, mut_get16(b + 6)));
    if (t == 0 && c->keep_valid)
      return false;
    mut_put16(b + 6, t);
  } else if (mut_chance(&c->rng, 50)) {
    b[4] = (uint8_t)mut_pick_name(&c->rng, &isakmp_protocol_names);
    b[5] = (const uint8_t[]){0, 2, 4, 8, 16, 255}[mut_below(&c->rng, 6)];
  } else {
    put32(b, mut_pick_boundary(&c->rng, 4, 1));
  }
  return true;
}

static bool delete_fields(struct mut_ctx *c, uint8_t *b, size_t n)
{
  if (n < 8 || c->keep_valid)
    return false;
  switch (mut_below(&c->rng, 3)) {
  case 0:
    b[4] = (uint8_t)mut_pick_name(&c->rng, &isakmp_protocol_names);
    break;
  case 1:
    b[5] = (const uint8_t[]){0, 2, 4, 8, 16, 255}[mut_below(&c->rng, 6)];
    break;
  default:
    mut_put16(b + 6, (uint16_t)mut_pick_boundary(&c->rng, 2, mut_get16(b + 6)));
    break;
  }
  return true;
}

static bool id_fields(struct mut_ctx *c, uint8_t *b, size_t n)
{
  if (n < 4)
    return false;
  switch (mut_below(&c->rng, c->keep_valid ? 2 : 3)) {
  case 0:
    b[1] = (const uint8_t[]){0, 1, 6, 17, 50, 255}[mut_below(&c->rng, 6)];
    break;
  case 1:
    mut_put16(b + 2, (const uint16_t[]){0, 500, 4500, 1, 65535}[mut_below(&c->rng, 5)]);
    break;
  default:
    b[0] = (uint8_t)mut_pick_name(&c->rng, &isakmp_id_names);
    break;
  }
  return true;
}

static bool sa_fields(struct mut_ctx *c, struct mut_node *nd)
{
  if (c->keep_valid)
    return false;
  size_t at = mut_chance(&c->rng, 50) ? 0 : 4;
  put32(nd->f + at, mut_pick_boundary(&c->rng, 4, get32(nd->f + at)));
  return true;
}

static bool spi_fields(struct mut_ctx *c, struct mut_msg *m)
{
  static const size_t lens[] = {0, 2, 4, 8, 16, 3};
  uint8_t spi[16];
  size_t p = mut_pick(c, m, ML_PROP);
  if (p == SIZE_MAX || c->keep_valid)
    return false;
  size_t n = lens[mut_below(&c->rng, COUNT(lens))];
  for (size_t k = 0; k < n; k++)
    spi[k] = (uint8_t)mut_next(&c->rng);
  return mut_set_bytes(m, p, spi, n);
}

bool mut_op_field(struct mut_ctx *c, struct mut_msg *m)
{
  static uint8_t b[65536 + 512];
  if (mut_chance(&c->rng, 15))
    return spi_fields(c, m);
  size_t i = mut_pick(c, m, ML_PAYLOAD);
  if (i == SIZE_MAX)
    return false;
  struct mut_node *nd = &m->n[i];
  if (nd->structured)
    return sa_fields(c, nd);
  size_t n = body_copy(m, i, b, sizeof b - 512);
  bool changed;
  if (mut_chance(&c->rng, 30))
    return resize_body(c, m, i, b, n, sizeof b);
  switch (nd->type) {
  case ISAKMP_NP_N:
    changed = notify_fields(c, b, n);
    break;
  case ISAKMP_NP_D:
    changed = delete_fields(c, b, n);
    break;
  case ISAKMP_NP_ID:
    changed = id_fields(c, b, n);
    break;
  case ISAKMP_NP_VID:
    n = mut_pick_vendor_id(&c->rng, b);
    changed = true;
    break;
  default:
    return resize_body(c, m, i, b, n, sizeof b);
  }
  return changed && mut_set_bytes(m, i, b, n);
}

/* ---- deliberate breaks ---- */

static struct mut_fix lie(struct mut_ctx *c, size_t width)
{
  static const int32_t deltas[] = {-4, -1, 1, 4, 8};
  if (mut_chance(&c->rng, 60))
    return (struct mut_fix){FIX_DELTA, deltas[mut_below(&c->rng, COUNT(deltas))]};
  const uint32_t abs[] = {0, 1, 3, 4, 8, 28, 0xff, 0xffff, 0xffffffffu};
  size_t k = mut_below(&c->rng, COUNT(abs) - (width < 4 ? 1 : 0) - (width < 2 ? 1 : 0));
  return (struct mut_fix){FIX_ABS, (int32_t)abs[k]};
}

bool mut_op_break(struct mut_ctx *c, struct mut_msg *m)
{
  if (c->keep_valid)
    return false;
  if (m->nn == 0 || mut_chance(&c->rng, 20)) {
    if (mut_chance(&c->rng, 50) && m->has_header)
      m->hdr_len_fix = lie(c, 4);
    else
      m->hdr_next_fix = (struct mut_fix){FIX_ABS, mut_pick_payload_type(&c->rng, false)};
    return true;
  }
  struct mut_node *nd = &m->n[mut_below(&c->rng, m->nn)];
  if (nd->level == ML_ATTR) {
    if (nd->f[0] & 0x80)
      return false;
    nd->len_fix = lie(c, 2);
    return true;
  }
  switch (mut_below(&c->rng, nd->level == ML_PROP ? 5 : 3)) {
  case 0:
    nd->len_fix = lie(c, 2);
    break;
  case 1:
    nd->next_fix = (struct mut_fix){FIX_ABS, nd->level == ML_PAYLOAD
                                                 ? mut_pick_payload_type(&c->rng, false)
                                                 : (int32_t)mut_below(&c->rng, 5)};
    break;
  case 2:
    nd->reserved = (uint8_t)(1 + mut_below(&c->rng, 255));
    break;
  case 3:
    nd->count_fix = lie(c, 1);
    break;
  default:
    nd->spi_fix = (struct mut_fix){FIX_ABS, (const int32_t[]){0, 1, 4, 16, 255}[mut_below(&c->rng, 5)]};
    break;
  }
  return true;
}

/* ---- bytes ---- */

bool mut_op_bytes(struct mut_ctx *c, struct mut_msg *m)
{
  static uint8_t b[65536];
  if (c->keep_valid)
    return false;
  /* One node's bytes (opaque body, SPI or TLV value), or the tail. */
  size_t i = mut_below(&c->rng, m->nn + 1);
  struct buf_slice s = i < m->nn ? mut_node_bytes(m, &m->n[i])
                                 : slice_of(m->arena + m->tail_off, m->tail_len);
  if (i < m->nn && m->n[i].structured)
    return false;
  size_t n = slice_copy(s, b, sizeof b / 2);
  size_t cap = 2 * n + 32 < sizeof b ? 2 * n + 32 : sizeof b;
  n = mut_bytes(c, b, n, cap);
  if (i < m->nn)
    return mut_set_bytes(m, i, b, n);
  uint32_t off = mut_arena_put(m, b, n);
  if (off == UINT32_MAX)
    return false;
  m->tail_off = off;
  m->tail_len = (uint32_t)n;
  return true;
}
