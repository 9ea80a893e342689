/* Crafted ISAKMP datagrams (see craft.h). The message is encoded by the
 * codec, decoded again so the codec itself says where each structure
 * starts, and then patched. Every field is located in the pristine
 * encoding, before any override runs, so an override that breaks a length
 * never moves the fields a later override names. */
#include "craft.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a field's offset is relative to. */
enum scope {
  AT_HEADER,    /* the datagram's first byte */
  AT_PAYLOAD,   /* a payload's generic header, any type */
  AT_SA,        /* the generic header of a payload of one type */
  AT_ID,
  AT_NOTIFY,
  AT_DELETE,
  AT_PROPOSAL,  /* the proposal's own generic header */
  AT_TRANSFORM, /* the transform's own generic header */
  AT_ATTR,      /* the attribute's first byte */
  AT_DATAGRAM,  /* whole-datagram operations, no field */
};

struct field_spec {
  const char *name;
  enum scope scope;
  uint8_t offset; /* RFC 2408 §3 layout, from the start of the scope */
  uint8_t width;  /* bytes; 8 means a cookie taken from .bytes */
};

#define F(e, scope, off, width) [e] = {#e, scope, off, width}
static const struct field_spec fields[CRAFT_FIELD_COUNT] = {
    F(CRAFT_HDR_ICOOKIE, AT_HEADER, 0, 8),
    F(CRAFT_HDR_RCOOKIE, AT_HEADER, 8, 8),
    F(CRAFT_HDR_NEXT, AT_HEADER, 16, 1),
    F(CRAFT_HDR_VERSION, AT_HEADER, 17, 1),
    F(CRAFT_HDR_EXCHANGE, AT_HEADER, 18, 1),
    F(CRAFT_HDR_FLAGS, AT_HEADER, 19, 1),
    F(CRAFT_HDR_MSGID, AT_HEADER, 20, 4),
    F(CRAFT_HDR_LENGTH, AT_HEADER, 24, 4),
    F(CRAFT_PL_NEXT, AT_PAYLOAD, 0, 1),
    F(CRAFT_PL_RESERVED, AT_PAYLOAD, 1, 1),
    F(CRAFT_PL_LENGTH, AT_PAYLOAD, 2, 2),
    F(CRAFT_SA_DOI, AT_SA, 4, 4),
    F(CRAFT_SA_SITUATION, AT_SA, 8, 4),
    F(CRAFT_PROP_NEXT, AT_PROPOSAL, 0, 1),
    F(CRAFT_PROP_RESERVED, AT_PROPOSAL, 1, 1),
    F(CRAFT_PROP_LENGTH, AT_PROPOSAL, 2, 2),
    F(CRAFT_PROP_NUMBER, AT_PROPOSAL, 4, 1),
    F(CRAFT_PROP_PROTOCOL, AT_PROPOSAL, 5, 1),
    F(CRAFT_PROP_SPI_SIZE, AT_PROPOSAL, 6, 1),
    F(CRAFT_PROP_NTRANSFORMS, AT_PROPOSAL, 7, 1),
    F(CRAFT_XFORM_NEXT, AT_TRANSFORM, 0, 1),
    F(CRAFT_XFORM_RESERVED, AT_TRANSFORM, 1, 1),
    F(CRAFT_XFORM_LENGTH, AT_TRANSFORM, 2, 2),
    F(CRAFT_XFORM_NUMBER, AT_TRANSFORM, 4, 1),
    F(CRAFT_XFORM_ID, AT_TRANSFORM, 5, 1),
    F(CRAFT_XFORM_RESERVED2, AT_TRANSFORM, 6, 2),
    F(CRAFT_ATTR_TYPE, AT_ATTR, 0, 2),
    F(CRAFT_ATTR_VALUE, AT_ATTR, 2, 2),
    F(CRAFT_ID_TYPE, AT_ID, 4, 1),
    F(CRAFT_NOTIFY_DOI, AT_NOTIFY, 4, 4),
    F(CRAFT_NOTIFY_PROTOCOL, AT_NOTIFY, 8, 1),
    F(CRAFT_NOTIFY_SPI_SIZE, AT_NOTIFY, 9, 1),
    F(CRAFT_NOTIFY_TYPE, AT_NOTIFY, 10, 2),
    F(CRAFT_DELETE_DOI, AT_DELETE, 4, 4),
    F(CRAFT_DELETE_PROTOCOL, AT_DELETE, 8, 1),
    F(CRAFT_DELETE_SPI_SIZE, AT_DELETE, 9, 1),
    F(CRAFT_DELETE_NSPIS, AT_DELETE, 10, 2),
    F(CRAFT_TRUNCATE, AT_DATAGRAM, 0, 0),
    F(CRAFT_APPEND, AT_DATAGRAM, 0, 0),
    F(CRAFT_RAW, AT_DATAGRAM, 0, 0),
};
#undef F

#define COOKIE_WIDTH 8
#define TRANSFORM_FIXED 8 /* generic header, number, ID, RESERVED2 */
#define APPEND_FILLER 0x41

/* The pristine encoding decoded again, plus what decode does not record:
 * where each attribute starts. Large, so it lives on the heap. */
struct located {
  struct isakmp_msg msg;
  size_t attr_offset[ISAKMP_MAX_ATTRS];
};

struct craft {
  uint8_t *out;
  size_t cap;
  size_t len;            /* the datagram as the overrides have left it */
  struct located *where; /* NULL when no override needs the chain */
  char *why;
  size_t whylen;
};

const char *craft_field_name(enum craft_field field)
{
  if ((unsigned)field >= CRAFT_FIELD_COUNT)
    return "CRAFT_?";
  return fields[field].name;
}

__attribute__((format(printf, 4, 5))) static bool
refuse(struct craft *c, size_t n, const struct craft_override *ov, const char *fmt, ...)
{
  if (!c->why || c->whylen == 0)
    return false;
  int used = snprintf(c->why, c->whylen, "override %zu (%s, index %u): ", n,
                      craft_field_name(ov->field), ov->index);
  if (used < 0 || (size_t)used >= c->whylen)
    return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why + used, c->whylen - (size_t)used, fmt, ap);
  va_end(ap);
  return false;
}

/* A reason that belongs to the whole build, not to one override. */
__attribute__((format(printf, 2, 3))) static void explain(struct craft *c, const char *fmt, ...)
{
  if (!c->why || c->whylen == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why, c->whylen, fmt, ap);
  va_end(ap);
}

/* A writer confined to out[off, off + n). The check here is the only bound
 * every patch, append and raw write goes through. */
static bool writer_at(const struct craft *c, size_t off, size_t n, struct buf_writer *w)
{
  if (off > c->cap || n > c->cap - off)
    return false;
  bw_init(w, c->out + off, n);
  return true;
}

/* ---- locating fields ---- */

static bool needs_chain(enum craft_field f)
{
  if ((unsigned)f >= CRAFT_FIELD_COUNT)
    return false;
  return fields[f].scope != AT_HEADER && fields[f].scope != AT_DATAGRAM;
}

/* Walks one transform's attributes (TV: 4 bytes, TLV: 4 + length) in the
 * pristine bytes and records where each starts. */
static bool walk_attrs(struct located *loc, const uint8_t *pkt, size_t len,
                       const struct isakmp_transform *t)
{
  struct buf_reader r, body;
  uint16_t tlen;
  br_init(&r, pkt, len);
  /* next and RESERVED, the length, then number, ID and RESERVED2 */
  if (!br_skip(&r, t->offset) || !br_skip(&r, 2) || !br_u16(&r, &tlen) ||
      tlen < TRANSFORM_FIXED || !br_skip(&r, 4) || !br_sub(&r, tlen - TRANSFORM_FIXED, &body))
    return false;
  for (unsigned k = 0; k < t->nattrs; k++) {
    uint16_t af_type, word;
    loc->attr_offset[t->first_attr + k] = br_offset(&body);
    if (!br_u16(&body, &af_type) || !br_u16(&body, &word))
      return false;
    if (!(af_type & ISAKMP_ATTR_AF) && !br_skip(&body, word))
      return false;
  }
  return true;
}

/* Decodes the chain of the pristine encoding; the header is skipped because
 * a case may build one the decoder refuses, and its fields sit at fixed
 * offsets anyway. */
static bool decode_again(struct craft *c, size_t n, const struct craft_override *ov)
{
  struct buf_reader r;
  struct isakmp_error err;
  uint8_t first;
  size_t next_at = fields[CRAFT_HDR_NEXT].offset;
  isakmp_msg_reset(&c->where->msg);
  br_init(&r, c->out, c->len);
  if (!br_skip(&r, next_at) || !br_u8(&r, &first) ||
      !br_skip(&r, ISAKMP_HDR_LEN - next_at - 1))
    return refuse(c, n, ov, "the encoding is shorter than a header (%zu bytes)", c->len);
  if (first == ISAKMP_NP_NONE)
    return true; /* no payloads: every lookup fails by index */
  if (!isakmp_decode_chain(&c->where->msg, first, br_rest(&r), ISAKMP_HDR_LEN, true, &err))
    return refuse(c, n, ov, "the encoded message does not decode again: %s (offset %zu)",
                  err.text, err.offset);
  return true;
}

/* Finds every structure before override n, the first one that needs the
 * chain, runs. */
static bool locate(struct craft *c, const struct isakmp_msg *msg, size_t n,
                   const struct craft_override *ov)
{
  if ((msg->hdr.flags & ISAKMP_FLAG_E) && msg->encrypted.len > 0)
    return refuse(c, n, ov,
                  "the body is encrypted (%zu bytes): only header and datagram fields apply",
                  msg->encrypted.len);
  c->where = calloc(1, sizeof *c->where);
  if (!c->where)
    return refuse(c, n, ov, "out of memory (%zu bytes)", sizeof *c->where);
  if (!decode_again(c, n, ov))
    return false;
  for (size_t t = 0; t < c->where->msg.ntransforms; t++)
    if (!walk_attrs(c->where, c->out, c->len, &c->where->msg.transforms[t]))
      return refuse(c, n, ov, "the attributes of transform %zu do not walk", t);
  return true;
}

static uint8_t scope_type(enum scope s)
{
  switch (s) {
  case AT_SA:
    return ISAKMP_NP_SA;
  case AT_ID:
    return ISAKMP_NP_ID;
  case AT_NOTIFY:
    return ISAKMP_NP_N;
  case AT_DELETE:
    return ISAKMP_NP_D;
  default:
    return ISAKMP_NP_NONE; /* any type */
  }
}

static bool payload_base(struct craft *c, size_t n, const struct craft_override *ov,
                         enum scope s, size_t *base)
{
  const struct isakmp_msg *m = &c->where->msg;
  if (ov->index >= m->npayloads)
    return refuse(c, n, ov, "the message has %zu payloads", m->npayloads);
  const struct isakmp_payload *pl = &m->payloads[ov->index];
  uint8_t want = scope_type(s);
  if (want != ISAKMP_NP_NONE && pl->type != want)
    return refuse(c, n, ov, "payload %u is %s, not %s", ov->index,
                  isakmp_name_or_unknown(&isakmp_payload_names, pl->type),
                  isakmp_name_or_unknown(&isakmp_payload_names, want));
  *base = pl->offset;
  return true;
}

/* Where the override's scope starts in the pristine encoding. */
static bool scope_base(struct craft *c, size_t n, const struct craft_override *ov,
                       size_t *base)
{
  const struct isakmp_msg *m = c->where ? &c->where->msg : NULL;
  switch (fields[ov->field].scope) {
  case AT_HEADER:
    *base = 0;
    return true;
  case AT_PROPOSAL:
    if (ov->index >= m->nproposals)
      return refuse(c, n, ov, "the message has %zu proposals", m->nproposals);
    *base = m->proposals[ov->index].offset;
    return true;
  case AT_TRANSFORM:
    if (ov->index >= m->ntransforms)
      return refuse(c, n, ov, "the message has %zu transforms", m->ntransforms);
    *base = m->transforms[ov->index].offset;
    return true;
  case AT_ATTR:
    if (ov->index >= m->nattrs)
      return refuse(c, n, ov, "the message has %zu attributes", m->nattrs);
    *base = c->where->attr_offset[ov->index];
    return true;
  default:
    return payload_base(c, n, ov, fields[ov->field].scope, base);
  }
}

/* ---- applying overrides ---- */

static bool patch_field(struct craft *c, size_t n, const struct craft_override *ov)
{
  const struct field_spec *f = &fields[ov->field];
  struct buf_writer w;
  size_t base = 0;
  if (f->width < 4 && ov->value >> (8 * f->width))
    return refuse(c, n, ov, "value %u does not fit in %u bits", ov->value, 8u * f->width);
  if (!scope_base(c, n, ov, &base))
    return false;
  size_t off = base + f->offset;
  if (off + f->width > c->len || !writer_at(c, off, f->width, &w))
    return refuse(c, n, ov, "bytes %zu..%zu are past the end of the %zu-byte datagram", off,
                  off + f->width - 1, c->len);
  if (f->width == COOKIE_WIDTH && ov->bytes)
    bw_bytes(&w, ov->bytes, COOKIE_WIDTH);
  else if (f->width == COOKIE_WIDTH)
    bw_zeros(&w, COOKIE_WIDTH);
  else if (f->width == 4)
    bw_u32(&w, ov->value);
  else if (f->width == 2)
    bw_u16(&w, (uint16_t)ov->value);
  else
    bw_u8(&w, (uint8_t)ov->value);
  return bw_ok(&w);
}

static bool truncate_to(struct craft *c, size_t n, const struct craft_override *ov)
{
  if (ov->value > c->len)
    return refuse(c, n, ov, "cannot lengthen the %zu-byte datagram to %u bytes", c->len,
                  ov->value);
  c->len = ov->value;
  return true;
}

static bool append(struct craft *c, size_t n, const struct craft_override *ov)
{
  struct buf_writer w;
  if (!writer_at(c, c->len, ov->value, &w))
    return refuse(c, n, ov, "%u more bytes do not fit: %zu of %zu used", ov->value, c->len,
                  c->cap);
  if (ov->bytes)
    bw_bytes(&w, ov->bytes, ov->value);
  else
    for (uint32_t i = 0; i < ov->value; i++)
      bw_u8(&w, APPEND_FILLER);
  c->len += ov->value;
  return bw_ok(&w);
}

static bool raw(struct craft *c, size_t n, const struct craft_override *ov)
{
  struct buf_writer w;
  if (!ov->bytes)
    return refuse(c, n, ov, "no bytes given");
  if (ov->index > c->len || ov->value > c->len - ov->index ||
      !writer_at(c, ov->index, ov->value, &w))
    return refuse(c, n, ov, "%u bytes at %u run past the end of the %zu-byte datagram",
                  ov->value, ov->index, c->len);
  bw_bytes(&w, ov->bytes, ov->value);
  return bw_ok(&w);
}

static bool apply(struct craft *c, size_t n, const struct craft_override *ov)
{
  if ((unsigned)ov->field >= CRAFT_FIELD_COUNT)
    return refuse(c, n, ov, "field %d is not a craft field", (int)ov->field);
  switch (ov->field) {
  case CRAFT_TRUNCATE:
    return truncate_to(c, n, ov);
  case CRAFT_APPEND:
    return append(c, n, ov);
  case CRAFT_RAW:
    return raw(c, n, ov);
  default:
    return patch_field(c, n, ov);
  }
}

/* The first override that names a field inside the chain, or nov. */
static size_t first_in_chain(const struct craft_override *ov, size_t nov)
{
  size_t i = 0;
  while (i < nov && !needs_chain(ov[i].field))
    i++;
  return i;
}

size_t craft_build(const struct isakmp_msg *msg, const struct craft_override *ov, size_t nov,
                   uint8_t *out, size_t cap, char *why, size_t whylen)
{
  struct craft c = {.out = out, .cap = out ? cap : 0, .why = why, .whylen = whylen};
  bool ok = true;
  if (why && whylen)
    why[0] = '\0';
  c.len = isakmp_encode(msg, out, c.cap);
  if (c.len == 0) {
    explain(&c, "the message does not encode into %zu bytes", c.cap);
    return 0;
  }
  size_t k = first_in_chain(ov, nov);
  if (k < nov)
    ok = locate(&c, msg, k, &ov[k]);
  for (size_t i = 0; ok && i < nov; i++)
    ok = apply(&c, i, &ov[i]);
  free(c.where);
  return ok ? c.len : 0;
}

/* ---- reshaping the chain ---- */

bool craft_drop_payload(struct isakmp_msg *msg, size_t i)
{
  if (i >= msg->npayloads)
    return false;
  memmove(&msg->payloads[i], &msg->payloads[i + 1],
          (msg->npayloads - i - 1) * sizeof msg->payloads[0]);
  msg->npayloads--;
  return true;
}

bool craft_dup_payload(struct isakmp_msg *msg, size_t i)
{
  if (i >= msg->npayloads || msg->npayloads == ISAKMP_MAX_PAYLOADS)
    return false;
  memmove(&msg->payloads[i + 1], &msg->payloads[i],
          (msg->npayloads - i) * sizeof msg->payloads[0]);
  msg->npayloads++;
  return true;
}

bool craft_swap_payloads(struct isakmp_msg *msg, size_t i, size_t j)
{
  if (i >= msg->npayloads || j >= msg->npayloads)
    return false;
  struct isakmp_payload tmp = msg->payloads[i];
  msg->payloads[i] = msg->payloads[j];
  msg->payloads[j] = tmp;
  return true;
}
