/* The malformed flood's cases: messages under an established IKE SA's
 * cookies, each made by the codec's encoder and broken by the
 * crafted-packet builder (conformance/craft.h), so every field is found by
 * the codec, not by a guessed offset. Bases: the flooding side's own Main
 * Mode message 1 (it has an SA payload with proposals, transforms and
 * attributes to break), a clear Notification, a clear Delete, and an
 * "encrypted" body of junk. The last three bases also give well-formed but
 * unprotected messages an established SA must ignore. */
#include <stdio.h>
#include <string.h>

#include "craft.h"
#include "flood.h"
#include "ikelab/isakmp_types.h"

enum base { B_FIRST, B_NOTIFY, B_DELETE, B_SEALED };

struct mcase {
  const char *name;
  enum base base;
  uint8_t exchange;    /* B_SEALED only */
  size_t junk_len;     /* B_SEALED only */
  size_t nov;
  struct craft_override ov[2];
};

#define OV(f, i, v) {f, i, v, NULL}
static const struct mcase cases[] = {
    {"hdr-major-2", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_VERSION, 0, 0x20)}},
    {"hdr-minor-1", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_VERSION, 0, 0x11)}},
    {"hdr-exchange-0", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_EXCHANGE, 0, 0)}},
    {"hdr-exchange-255", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_EXCHANGE, 0, 255)}},
    {"hdr-flags-reserved", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_FLAGS, 0, 0xf8)}},
    {"hdr-length-27", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_LENGTH, 0, 27)}},
    {"hdr-length-ffff", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_LENGTH, 0, 0xffff)}},
    {"hdr-next-99", B_FIRST, 0, 0, 1, {OV(CRAFT_HDR_NEXT, 0, 99)}},
    {"truncated-20", B_FIRST, 0, 0, 1, {OV(CRAFT_TRUNCATE, 0, 20)}},
    {"truncated-40", B_FIRST, 0, 0, 1, {OV(CRAFT_TRUNCATE, 0, 40)}},
    {"pl-length-0", B_FIRST, 0, 0, 1, {OV(CRAFT_PL_LENGTH, 0, 0)}},
    {"pl-length-3", B_FIRST, 0, 0, 1, {OV(CRAFT_PL_LENGTH, 0, 3)}},
    {"pl-length-ffff", B_FIRST, 0, 0, 1, {OV(CRAFT_PL_LENGTH, 0, 0xffff)}},
    {"pl-reserved-1", B_FIRST, 0, 0, 1, {OV(CRAFT_PL_RESERVED, 0, 1)}},
    {"sa-doi-2", B_FIRST, 0, 0, 1, {OV(CRAFT_SA_DOI, 0, 2)}},
    {"sa-situation-ff", B_FIRST, 0, 0, 1, {OV(CRAFT_SA_SITUATION, 0, 0xff)}},
    {"prop-spi-size-255", B_FIRST, 0, 0, 1, {OV(CRAFT_PROP_SPI_SIZE, 0, 255)}},
    {"prop-ntransforms-0", B_FIRST, 0, 0, 1, {OV(CRAFT_PROP_NTRANSFORMS, 0, 0)}},
    {"prop-protocol-99", B_FIRST, 0, 0, 1, {OV(CRAFT_PROP_PROTOCOL, 0, 99)}},
    {"xform-length-0", B_FIRST, 0, 0, 1, {OV(CRAFT_XFORM_LENGTH, 0, 0)}},
    {"attr-tlv-ffff", B_FIRST, 0, 0, 2,
     {OV(CRAFT_ATTR_TYPE, 0, 0x0001), OV(CRAFT_ATTR_VALUE, 0, 0xffff)}},
    {"append-64", B_FIRST, 0, 0, 1, {OV(CRAFT_APPEND, 0, 64)}},
    {"notify-spi-size-200", B_NOTIFY, 0, 0, 1, {OV(CRAFT_NOTIFY_SPI_SIZE, 0, 200)}},
    {"notify-pl-length-ffff", B_NOTIFY, 0, 0, 1, {OV(CRAFT_PL_LENGTH, 0, 0xffff)}},
    {"notify-clear-invalid-spi", B_NOTIFY, 0, 0, 0, {{0}}},
    {"delete-nspis-ffff", B_DELETE, 0, 0, 1, {OV(CRAFT_DELETE_NSPIS, 0, 0xffff)}},
    {"delete-spi-size-0", B_DELETE, 0, 0, 1, {OV(CRAFT_DELETE_SPI_SIZE, 0, 0)}},
    {"delete-clear", B_DELETE, 0, 0, 0, {{0}}},
    {"sealed-main-junk", B_SEALED, ISAKMP_XCHG_IDPROT, 64, 0, {{0}}},
    {"sealed-quick-junk", B_SEALED, ISAKMP_XCHG_QUICK, 96, 0, {{0}}},
    {"sealed-info-junk", B_SEALED, ISAKMP_XCHG_INFO, 48, 0, {{0}}},
    {"sealed-quick-odd", B_SEALED, ISAKMP_XCHG_QUICK, 13, 0, {{0}}},
};
#undef OV

size_t malformed_count(void) { return sizeof cases / sizeof cases[0]; }

const char *malformed_name(size_t i) { return i < malformed_count() ? cases[i].name : "?"; }

/* A step of xorshift: junk and message IDs differ from round to round, so
 * no copy is a byte-for-byte repeat of the last (a repeat could be taken
 * as a retransmission and never reach the parser's deeper checks). */
static uint32_t step(uint32_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static void header(struct isakmp_msg *m, const uint8_t ic[8], const uint8_t rc[8],
                   uint8_t exchange, uint32_t msgid, uint8_t flags)
{
  isakmp_msg_reset(m);
  memcpy(m->hdr.icookie, ic, 8);
  memcpy(m->hdr.rcookie, rc, 8);
  m->hdr.major = 1;
  m->hdr.exchange = exchange;
  m->hdr.msgid = msgid;
  m->hdr.flags = flags;
}

size_t malformed_build(size_t i, const uint8_t icookie[8], const uint8_t rcookie[8],
                       const uint8_t *first_msg, size_t first_len, uint32_t msg_seed,
                       uint8_t *out, size_t cap, char *why, size_t whylen)
{
  static struct isakmp_msg m;
  static uint8_t first[FLOOD_MAX_DGRAM], junk[256], spis[16];
  struct isakmp_error err;
  struct isakmp_payload *pl;
  uint32_t s = msg_seed * 2654435761u + (uint32_t)i + 1;
  if (i >= malformed_count()) {
    snprintf(why, whylen, "no case %zu", i);
    return 0;
  }
  const struct mcase *c = &cases[i];
  memcpy(spis, icookie, 8);
  memcpy(spis + 8, rcookie, 8);
  switch (c->base) {
  case B_FIRST:
    if (first_len > sizeof first) {
      snprintf(why, whylen, "first message of %zu bytes", first_len);
      return 0;
    }
    memcpy(first, first_msg, first_len); /* the decoded message points into it */
    if (!isakmp_decode(&m, first, first_len, &err)) {
      snprintf(why, whylen, "first message does not decode: %s", err.text);
      return 0;
    }
    memcpy(m.hdr.icookie, icookie, 8);
    memcpy(m.hdr.rcookie, rcookie, 8);
    break;
  case B_NOTIFY:
    header(&m, icookie, rcookie, ISAKMP_XCHG_INFO, step(&s), 0);
    pl = isakmp_add_payload(&m, ISAKMP_NP_N);
    pl->u.notify.doi = ISAKMP_DOI_IPSEC;
    pl->u.notify.protocol = ISAKMP_PROTO_ISAKMP;
    pl->u.notify.type = ISAKMP_N_INVALID_SPI;
    pl->u.notify.spi = slice_of(spis, 16);
    break;
  case B_DELETE:
    header(&m, icookie, rcookie, ISAKMP_XCHG_INFO, step(&s), 0);
    pl = isakmp_add_payload(&m, ISAKMP_NP_D);
    pl->u.del.doi = ISAKMP_DOI_IPSEC;
    pl->u.del.protocol = ISAKMP_PROTO_ISAKMP;
    pl->u.del.spi_size = 16;
    pl->u.del.nspis = 1;
    pl->u.del.spis = slice_of(spis, 16);
    break;
  case B_SEALED:
    header(&m, icookie, rcookie, c->exchange,
           c->exchange == ISAKMP_XCHG_IDPROT ? 0 : step(&s), ISAKMP_FLAG_E);
    for (size_t k = 0; k < c->junk_len && k < sizeof junk; k++)
      junk[k] = (uint8_t)step(&s);
    m.hdr.next_payload = ISAKMP_NP_HASH;
    m.encrypted = slice_of(junk, c->junk_len);
    break;
  }
  return craft_build(&m, c->ov, c->nov, out, cap, why, whylen);
}
