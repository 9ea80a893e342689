/* The crafted-packet builder. Messages are built here by hand so that every
 * byte position is known from the RFC 2408 §3 layouts (worked out in the
 * comments below, not asked of the codec); each override must change
 * exactly its field at that position, and the decoder must then refuse the
 * datagram with the notify RFC 2408 gives it. */
#include <string.h>

#include "check_run.h"
#include "craft.h"
#include "ikelab/isakmp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t icookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t other_cookie[8] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8};
static const uint8_t vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t life[4] = {0x00, 0x01, 0x51, 0x80};
static const uint8_t spi4[4] = {0xde, 0xad, 0xbe, 0xef};
static const uint8_t spis[8] = {0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22};
static const uint8_t ke[8] = {9, 9, 9, 9, 9, 9, 9, 9};
static const uint8_t nonce[16] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
static const uint8_t addr[4] = {192, 0, 2, 1};

static void header(struct isakmp_msg *m, uint8_t exchange, uint32_t msgid)
{
  isakmp_msg_reset(m);
  memcpy(m->hdr.icookie, icookie, sizeof icookie);
  m->hdr.major = 1;
  m->hdr.exchange = exchange;
  m->hdr.msgid = msgid;
}

/* One Oakley transform: five TV attributes (4 bytes each) and a TLV life
 * duration (4 + 4) in the middle, so an attribute lies past a TLV one:
 * 8 + 20 + 8 = 36 bytes. */
static void oakley_transform(struct isakmp_msg *m, struct isakmp_proposal *p, uint8_t number)
{
  ck_assert_ptr_nonnull(isakmp_add_transform(m, p, number, ISAKMP_TRANSFORM_KEY_IKE));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, OAKLEY_ENCR_AES_CBC));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_HASH_ALGORITHM, OAKLEY_HASH_SHA1));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_LIFE_TYPE, ISAKMP_LIFE_SECONDS));
  ck_assert(isakmp_add_attr_tlv(m, OAKLEY_ATTR_LIFE_DURATION, slice_of(life, sizeof life)));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP1024));
}

/* Main Mode 1, 140 bytes:
 *   0 header (28)
 *  28 SA: generic 28..31, DOI 32..35, situation 36..39 (length 12 + 80 = 92)
 *  40 proposal #1: generic 40..43, number 44, protocol 45, SPI size 46,
 *     transforms 47, no SPI (length 8 + 2 * 36 = 80)
 *  48 transform #1: generic 48..51, number 52, ID 53, RESERVED2 54..55;
 *     attributes 0-5 at 56, 60, 64, 68 (TV), 72 (TLV, length 74..75, value
 *     76..79) and 80 (TV)
 *  84 transform #2, same shape: attributes 6-11 at 92, 96, 100, 104, 108 (TLV,
 *     length 110..111) and 116
 * 120 VID: generic 120..123, data 124..139 (length 20) */
enum { MM1_LEN = 140 };
static void build_mm1(struct isakmp_msg *m)
{
  header(m, ISAKMP_XCHG_IDPROT, 0);
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  struct isakmp_proposal *p =
      isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_ISAKMP, slice_of(NULL, 0));
  ck_assert_ptr_nonnull(p);
  oakley_transform(m, p, 1);
  oakley_transform(m, p, 2);
  isakmp_add_payload(m, ISAKMP_NP_VID)->u.data = slice_of(vid, sizeof vid);
}

/* Informational, 64 bytes:
 *  28 Notify: generic 28..31, DOI 32..35, protocol 36, SPI size 37, type 38..39,
 *     SPI 40..43 (length 16)
 *  44 Delete: generic 44..47, DOI 48..51, protocol 52, SPI size 53, SPIs 54..55,
 *     SPIs 56..63 (length 20) */
enum { INFO_LEN = 64 };
static void build_info(struct isakmp_msg *m)
{
  header(m, ISAKMP_XCHG_INFO, 0x01020304);
  struct isakmp_notify *n = &isakmp_add_payload(m, ISAKMP_NP_N)->u.notify;
  n->doi = ISAKMP_DOI_IPSEC;
  n->protocol = ISAKMP_PROTO_ESP;
  n->type = ISAKMP_N_NO_PROPOSAL_CHOSEN;
  n->spi = slice_of(spi4, sizeof spi4);
  struct isakmp_delete *d = &isakmp_add_payload(m, ISAKMP_NP_D)->u.del;
  d->doi = ISAKMP_DOI_IPSEC;
  d->protocol = ISAKMP_PROTO_ESP;
  d->spi_size = 4;
  d->nspis = 2;
  d->spis = slice_of(spis, sizeof spis);
}

/* Aggressive Mode 1, 116 bytes:
 *  28 SA (12 + proposal 8 + transform 8 + 4 TV attributes = 44)
 *  72 KE: generic 72..75, length 74..75 (4 + 8 = 12)
 *  84 NONCE: next payload 84 (4 + 16 = 20)
 * 104 ID: generic 104..107, type 108, protocol 109, port 110..111, data 112..115 */
enum { AM1_LEN = 116 };
static void build_am1(struct isakmp_msg *m)
{
  header(m, ISAKMP_XCHG_AGGRESSIVE, 0);
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  struct isakmp_proposal *p =
      isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_ISAKMP, slice_of(NULL, 0));
  ck_assert_ptr_nonnull(isakmp_add_transform(m, p, 1, ISAKMP_TRANSFORM_KEY_IKE));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, OAKLEY_ENCR_3DES_CBC));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_HASH_ALGORITHM, OAKLEY_HASH_MD5));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK));
  ck_assert(isakmp_add_attr_tv(m, OAKLEY_ATTR_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP1024));
  isakmp_add_payload(m, ISAKMP_NP_KE)->u.data = slice_of(ke, sizeof ke);
  isakmp_add_payload(m, ISAKMP_NP_NONCE)->u.data = slice_of(nonce, sizeof nonce);
  struct isakmp_id *id = &isakmp_add_payload(m, ISAKMP_NP_ID)->u.id;
  id->type = ISAKMP_ID_IPV4_ADDR;
  id->data = slice_of(addr, sizeof addr);
}

/* A lone Vendor ID: 28 + 20 = 48 bytes. */
static void build_vid_only(struct isakmp_msg *m)
{
  header(m, ISAKMP_XCHG_IDPROT, 0);
  isakmp_add_payload(m, ISAKMP_NP_VID)->u.data = slice_of(vid, sizeof vid);
}

enum which { MM1, INFO, AM1 };
static const size_t lengths[] = {[MM1] = MM1_LEN, [INFO] = INFO_LEN, [AM1] = AM1_LEN};

static void build(enum which w, struct isakmp_msg *m)
{
  if (w == MM1)
    build_mm1(m);
  else if (w == INFO)
    build_info(m);
  else
    build_am1(m);
}

static uint32_t read_be(const uint8_t *p, unsigned width)
{
  uint32_t v = 0;
  for (unsigned i = 0; i < width; i++)
    v = (v << 8) | p[i];
  return v;
}

/* The hand layouts above are right: the untouched encodings carry the
 * lengths, counts and types the RFC puts at those positions. */
START_TEST(hand_layouts_match_the_encoding)
{
  static struct isakmp_msg m;
  uint8_t b[256];
  char why[256];
  build_mm1(&m);
  ck_assert_uint_eq(craft_build(&m, NULL, 0, b, sizeof b, why, sizeof why), MM1_LEN);
  ck_assert_uint_eq(read_be(b + 24, 4), MM1_LEN);
  ck_assert_uint_eq(b[16], ISAKMP_NP_SA);
  ck_assert_uint_eq(b[28], ISAKMP_NP_VID);
  ck_assert_uint_eq(read_be(b + 30, 2), 92);
  ck_assert_uint_eq(read_be(b + 42, 2), 80);
  ck_assert_uint_eq(b[47], 2);
  ck_assert_uint_eq(b[48], ISAKMP_NP_T);
  ck_assert_uint_eq(read_be(b + 50, 2), 36);
  ck_assert_uint_eq(b[88], 2);
  ck_assert_uint_eq(read_be(b + 72, 2), OAKLEY_ATTR_LIFE_DURATION);
  ck_assert_uint_eq(read_be(b + 74, 2), 4);
  ck_assert_uint_eq(read_be(b + 80, 2), 0x8000 | OAKLEY_ATTR_GROUP_DESCRIPTION);
  ck_assert_uint_eq(read_be(b + 92, 2), 0x8000 | OAKLEY_ATTR_ENCRYPTION_ALGORITHM);
  ck_assert_uint_eq(read_be(b + 110, 2), 4);
  ck_assert_uint_eq(read_be(b + 116, 2), 0x8000 | OAKLEY_ATTR_GROUP_DESCRIPTION);
  ck_assert_uint_eq(read_be(b + 122, 2), 20);
  build_info(&m);
  ck_assert_uint_eq(craft_build(&m, NULL, 0, b, sizeof b, why, sizeof why), INFO_LEN);
  ck_assert_uint_eq(read_be(b + 38, 2), ISAKMP_N_NO_PROPOSAL_CHOSEN);
  ck_assert_uint_eq(read_be(b + 54, 2), 2);
  build_am1(&m);
  ck_assert_uint_eq(craft_build(&m, NULL, 0, b, sizeof b, why, sizeof why), AM1_LEN);
  ck_assert_uint_eq(b[84], ISAKMP_NP_ID);
  ck_assert_uint_eq(read_be(b + 74, 2), 12);
  ck_assert_uint_eq(b[108], ISAKMP_ID_IPV4_ADDR);
}
END_TEST

/* One override: where it must land and what the decoder must then say
 * (notify 0: the datagram still decodes). */
struct row {
  enum which msg;
  enum craft_field field;
  unsigned index;
  uint32_t value;
  const uint8_t *bytes;
  size_t at;        /* first byte of the field in the datagram */
  unsigned width;
  uint16_t notify;
  size_t err_at;    /* the offset the decoder's error names */
};

static const struct row rows[] = {
    {MM1, CRAFT_HDR_ICOOKIE, 0, 0, NULL, 0, 8, ISAKMP_N_INVALID_COOKIE, 0},
    {MM1, CRAFT_HDR_ICOOKIE, 0, 0, other_cookie, 0, 8, 0, 0},
    {MM1, CRAFT_HDR_RCOOKIE, 0, 0, other_cookie, 8, 8, 0, 0},
    {MM1, CRAFT_HDR_NEXT, 0, ISAKMP_NP_P, NULL, 16, 1, ISAKMP_N_INVALID_PAYLOAD_TYPE, 16},
    {MM1, CRAFT_HDR_VERSION, 0, 0x20, NULL, 17, 1, ISAKMP_N_INVALID_MAJOR_VERSION, 17},
    {MM1, CRAFT_HDR_VERSION, 0, 0x11, NULL, 17, 1, ISAKMP_N_INVALID_MINOR_VERSION, 17},
    {MM1, CRAFT_HDR_EXCHANGE, 0, 0, NULL, 18, 1, ISAKMP_N_INVALID_EXCHANGE_TYPE, 18},
    {MM1, CRAFT_HDR_FLAGS, 0, 0x08, NULL, 19, 1, ISAKMP_N_INVALID_FLAGS, 19},
    {MM1, CRAFT_HDR_MSGID, 0, 0x01020304, NULL, 20, 4, ISAKMP_N_INVALID_MESSAGE_ID, 20},
    {MM1, CRAFT_HDR_LENGTH, 0, MM1_LEN + 1, NULL, 24, 4, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, 24},
    {MM1, CRAFT_PL_NEXT, 0, ISAKMP_NP_P, NULL, 28, 1, ISAKMP_N_INVALID_PAYLOAD_TYPE, 28},
    {MM1, CRAFT_PL_RESERVED, 1, 1, NULL, 121, 1, ISAKMP_N_PAYLOAD_MALFORMED, 121},
    {MM1, CRAFT_PL_LENGTH, 1, 3, NULL, 122, 2, ISAKMP_N_PAYLOAD_MALFORMED, 122},
    /* One byte of the VID falls into the SA: left over after its proposal. */
    {MM1, CRAFT_PL_LENGTH, 0, 93, NULL, 30, 2, ISAKMP_N_PAYLOAD_MALFORMED, 120},
    {MM1, CRAFT_SA_DOI, 0, 2, NULL, 32, 4, ISAKMP_N_DOI_NOT_SUPPORTED, 32},
    {MM1, CRAFT_SA_SITUATION, 0, 2, NULL, 36, 4, ISAKMP_N_SITUATION_NOT_SUPPORTED, 36},
    {MM1, CRAFT_PROP_NEXT, 0, ISAKMP_NP_ID, NULL, 40, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 40},
    {MM1, CRAFT_PROP_RESERVED, 0, 1, NULL, 41, 1, ISAKMP_N_PAYLOAD_MALFORMED, 41},
    /* The proposal ends a byte early: transform #2 overruns it. */
    {MM1, CRAFT_PROP_LENGTH, 0, 79, NULL, 42, 2, ISAKMP_N_PAYLOAD_MALFORMED, 86},
    {MM1, CRAFT_PROP_NUMBER, 0, 7, NULL, 44, 1, 0, 0},
    {MM1, CRAFT_PROP_PROTOCOL, 0, 9, NULL, 45, 1, ISAKMP_N_INVALID_PROTOCOL_ID, 45},
    {MM1, CRAFT_PROP_SPI_SIZE, 0, 4, NULL, 46, 1, ISAKMP_N_INVALID_SPI, 46},
    {MM1, CRAFT_PROP_NTRANSFORMS, 0, 1, NULL, 47, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 47},
    {MM1, CRAFT_PROP_NTRANSFORMS, 0, 3, NULL, 47, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 47},
    {MM1, CRAFT_PROP_NTRANSFORMS, 0, 0, NULL, 47, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 47},
    /* Transform #1 claims to be the last: the count says 2. */
    {MM1, CRAFT_XFORM_NEXT, 0, ISAKMP_NP_NONE, NULL, 48, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 47},
    {MM1, CRAFT_XFORM_NEXT, 0, ISAKMP_NP_ID, NULL, 48, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, 48},
    {MM1, CRAFT_XFORM_RESERVED, 1, 1, NULL, 85, 1, ISAKMP_N_PAYLOAD_MALFORMED, 85},
    {MM1, CRAFT_XFORM_LENGTH, 1, 7, NULL, 86, 2, ISAKMP_N_PAYLOAD_MALFORMED, 86},
    {MM1, CRAFT_XFORM_NUMBER, 1, 9, NULL, 88, 1, 0, 0},
    {MM1, CRAFT_XFORM_ID, 0, 2, NULL, 53, 1, ISAKMP_N_INVALID_TRANSFORM_ID, 53},
    {MM1, CRAFT_XFORM_RESERVED2, 1, 1, NULL, 90, 2, ISAKMP_N_PAYLOAD_MALFORMED, 90},
    {MM1, CRAFT_ATTR_TYPE, 0, 0x8000, NULL, 56, 2, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, 56},
    /* A basic-only attribute sent as TLV, in the second transform. */
    {MM1, CRAFT_ATTR_TYPE, 6, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, NULL, 92, 2,
     ISAKMP_N_PAYLOAD_MALFORMED, 92},
    {MM1, CRAFT_ATTR_VALUE, 0, OAKLEY_ENCR_3DES_CBC, NULL, 58, 2, 0, 0},
    /* Found only by stepping over the TLV attribute before it. */
    {MM1, CRAFT_ATTR_TYPE, 5, 0x8000, NULL, 80, 2, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, 80},
    {MM1, CRAFT_ATTR_VALUE, 4, 0xff, NULL, 74, 2, ISAKMP_N_PAYLOAD_MALFORMED, 74},
    /* 9 bytes claimed where the value and the next attribute make 8. */
    {MM1, CRAFT_ATTR_VALUE, 10, 9, NULL, 110, 2, ISAKMP_N_PAYLOAD_MALFORMED, 110},
    {MM1, CRAFT_ATTR_VALUE, 11, OAKLEY_GROUP_MODP1536, NULL, 118, 2, 0, 0},
    {INFO, CRAFT_NOTIFY_DOI, 0, 7, NULL, 32, 4, ISAKMP_N_DOI_NOT_SUPPORTED, 32},
    {INFO, CRAFT_NOTIFY_PROTOCOL, 0, 9, NULL, 36, 1, ISAKMP_N_INVALID_PROTOCOL_ID, 36},
    {INFO, CRAFT_NOTIFY_SPI_SIZE, 0, 16, NULL, 37, 1, ISAKMP_N_INVALID_SPI, 37},
    {INFO, CRAFT_NOTIFY_TYPE, 0, 0, NULL, 38, 2, ISAKMP_N_PAYLOAD_MALFORMED, 38},
    {INFO, CRAFT_DELETE_DOI, 1, 9, NULL, 48, 4, ISAKMP_N_DOI_NOT_SUPPORTED, 48},
    {INFO, CRAFT_DELETE_PROTOCOL, 1, 0, NULL, 52, 1, ISAKMP_N_INVALID_PROTOCOL_ID, 52},
    {INFO, CRAFT_DELETE_SPI_SIZE, 1, 16, NULL, 53, 1, ISAKMP_N_INVALID_SPI, 53},
    {INFO, CRAFT_DELETE_NSPIS, 1, 3, NULL, 54, 2, ISAKMP_N_PAYLOAD_MALFORMED, 54},
    {AM1, CRAFT_ID_TYPE, 3, 0, NULL, 108, 1, ISAKMP_N_INVALID_ID_INFORMATION, 108},
    /* An empty KE payload. */
    {AM1, CRAFT_PL_LENGTH, 1, 4, NULL, 74, 2, ISAKMP_N_INVALID_KEY_INFORMATION, 74},
};

static void expect_window(const struct row *t, const uint8_t *got)
{
  for (unsigned i = 0; i < t->width; i++) {
    uint8_t want = t->width == 8 ? (t->bytes ? t->bytes[i] : 0)
                                 : (uint8_t)(t->value >> (8 * (t->width - 1 - i)));
    ck_assert_msg(got[t->at + i] == want, "%s: byte %zu is 0x%02x, want 0x%02x",
                  craft_field_name(t->field), t->at + i, got[t->at + i], want);
  }
}

static void expect_verdict(const struct row *t, const uint8_t *pkt, size_t len)
{
  static struct isakmp_msg back;
  struct isakmp_error err = {0};
  bool ok = isakmp_decode(&back, pkt, len, &err);
  if (t->notify == 0) {
    ck_assert_msg(ok, "%s: refused: %s", craft_field_name(t->field), err.text);
    return;
  }
  ck_assert_msg(!ok, "%s: the decoder accepted it", craft_field_name(t->field));
  ck_assert_msg(err.notify == t->notify && err.offset == t->err_at,
                "%s: notify %u at %zu (%s), want %u at %zu", craft_field_name(t->field),
                err.notify, err.offset, err.text, t->notify, t->err_at);
}

START_TEST(each_override_patches_its_field_and_nothing_else)
{
  const struct row *t = &rows[_i];
  static struct isakmp_msg m;
  uint8_t base[256], got[256];
  char why[256];
  build(t->msg, &m);
  size_t len = lengths[t->msg];
  ck_assert_uint_eq(craft_build(&m, NULL, 0, base, sizeof base, why, sizeof why), len);
  struct craft_override ov = {t->field, t->index, t->value, t->bytes};
  size_t got_len = craft_build(&m, &ov, 1, got, sizeof got, why, sizeof why);
  ck_assert_msg(got_len == len, "%s: length %zu: %s", craft_field_name(t->field), got_len,
                why);
  ck_assert_msg(memcmp(base + t->at, got + t->at, t->width) != 0,
                "%s: the row's value is what the field held already",
                craft_field_name(t->field));
  expect_window(t, got);
  for (size_t i = 0; i < len; i++)
    if (i < t->at || i >= t->at + t->width)
      ck_assert_msg(got[i] == base[i], "%s: byte %zu changed", craft_field_name(t->field),
                    i);
  expect_verdict(t, got, len);
}
END_TEST

/* ---- the datagram as bytes ---- */

static size_t craft_mm1(const struct craft_override *ov, size_t nov, uint8_t *out, size_t cap,
                        char *why)
{
  static struct isakmp_msg m;
  build_mm1(&m);
  return craft_build(&m, ov, nov, out, cap, why, 256);
}

static void expect_refusal(const uint8_t *pkt, size_t len, uint16_t notify, size_t at)
{
  static struct isakmp_msg back;
  struct isakmp_error err = {0};
  ck_assert(!isakmp_decode(&back, pkt, len, &err));
  ck_assert_msg(err.notify == notify && err.offset == at, "notify %u at %zu (%s)", err.notify,
                err.offset, err.text);
}

START_TEST(truncate_cuts_and_the_header_length_then_disagrees)
{
  uint8_t base[256], got[256];
  char why[256];
  ck_assert_uint_eq(craft_mm1(NULL, 0, base, sizeof base, why), MM1_LEN);
  struct craft_override cut = {.field = CRAFT_TRUNCATE, .value = 100};
  ck_assert_uint_eq(craft_mm1(&cut, 1, got, sizeof got, why), 100);
  ck_assert_mem_eq(got, base, 100);
  expect_refusal(got, 100, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, 24);
  cut.value = 20; /* shorter than a header */
  ck_assert_uint_eq(craft_mm1(&cut, 1, got, sizeof got, why), 20);
  expect_refusal(got, 20, ISAKMP_N_PAYLOAD_MALFORMED, 0);
}
END_TEST

START_TEST(append_adds_filler_or_given_bytes)
{
  uint8_t base[256], got[256];
  char why[256];
  ck_assert_uint_eq(craft_mm1(NULL, 0, base, sizeof base, why), MM1_LEN);
  struct craft_override add = {.field = CRAFT_APPEND, .value = 3};
  ck_assert_uint_eq(craft_mm1(&add, 1, got, sizeof got, why), MM1_LEN + 3);
  ck_assert_mem_eq(got, base, MM1_LEN);
  ck_assert_mem_eq(got + MM1_LEN, "AAA", 3);
  expect_refusal(got, MM1_LEN + 3, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, 24);
  /* With the header length fixed, the trailing bytes themselves are the
   * fault, named where they start. */
  struct craft_override both[] = {
      {.field = CRAFT_APPEND, .value = 4, .bytes = other_cookie},
      {.field = CRAFT_HDR_LENGTH, .value = MM1_LEN + 4},
  };
  ck_assert_uint_eq(craft_mm1(both, 2, got, sizeof got, why), MM1_LEN + 4);
  ck_assert_mem_eq(got + MM1_LEN, other_cookie, 4);
  ck_assert_uint_eq(read_be(got + 24, 4), MM1_LEN + 4);
  expect_refusal(got, MM1_LEN + 4, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, MM1_LEN);
}
END_TEST

START_TEST(raw_writes_bytes_at_an_offset)
{
  uint8_t base[256], got[256];
  char why[256];
  ck_assert_uint_eq(craft_mm1(NULL, 0, base, sizeof base, why), MM1_LEN);
  struct craft_override raw = {.field = CRAFT_RAW, .index = 124, .value = 4, .bytes = spi4};
  ck_assert_uint_eq(craft_mm1(&raw, 1, got, sizeof got, why), MM1_LEN);
  ck_assert_mem_eq(got + 124, spi4, 4);
  ck_assert_mem_eq(got, base, 124);
  ck_assert_mem_eq(got + 128, base + 128, MM1_LEN - 128);
}
END_TEST

/* Fields are found in the pristine encoding: an earlier override that
 * breaks a length does not move a later one. */
START_TEST(later_overrides_land_where_the_encoding_put_them)
{
  uint8_t got[256];
  char why[256];
  struct craft_override ov[] = {
      {.field = CRAFT_ATTR_VALUE, .index = 4, .value = 0x00ff}, /* TLV length of attr 4 */
      {.field = CRAFT_ATTR_TYPE, .index = 6, .value = 0x800e},  /* first attr of xform #2 */
      {.field = CRAFT_PL_LENGTH, .index = 0, .value = 0xffff},
      {.field = CRAFT_PROP_NUMBER, .index = 0, .value = 9},
  };
  ck_assert_uint_eq(craft_mm1(ov, N(ov), got, sizeof got, why), MM1_LEN);
  ck_assert_uint_eq(read_be(got + 74, 2), 0x00ff);
  ck_assert_uint_eq(read_be(got + 92, 2), 0x800e);
  ck_assert_uint_eq(read_be(got + 30, 2), 0xffff);
  ck_assert_uint_eq(got[44], 9);
}
END_TEST

/* ---- refusals ---- */

struct refusal {
  enum craft_field field;
  unsigned index;
  uint32_t value;
  const char *why; /* a piece of the reason */
};

static const struct refusal refusals[] = {
    {CRAFT_PL_LENGTH, 2, 0, "has 2 payloads"},
    {CRAFT_SA_DOI, 1, 0, "payload 1 is VENDOR_ID, not SA"},
    {CRAFT_NOTIFY_TYPE, 0, 0, "payload 0 is SA, not NOTIFY"},
    {CRAFT_PROP_NUMBER, 1, 0, "has 1 proposals"},
    {CRAFT_XFORM_ID, 2, 1, "has 2 transforms"},
    {CRAFT_ATTR_VALUE, 12, 0, "has 12 attributes"},
    {CRAFT_PL_NEXT, 0, 256, "value 256 does not fit in 8 bits"},
    {CRAFT_PL_LENGTH, 0, 0x10000, "value 65536 does not fit in 16 bits"},
    {CRAFT_TRUNCATE, 0, MM1_LEN + 1, "cannot lengthen"},
    {CRAFT_APPEND, 0, 256 - MM1_LEN + 1, "do not fit"},
    {CRAFT_RAW, 0, 4, "no bytes given"},
    {CRAFT_FIELD_COUNT, 0, 0, "not a craft field"},
};

START_TEST(an_override_that_cannot_apply_returns_0_and_says_why)
{
  const struct refusal *t = &refusals[_i];
  uint8_t got[256];
  char why[256];
  struct craft_override ov = {t->field, t->index, t->value, NULL};
  ck_assert_uint_eq(craft_mm1(&ov, 1, got, sizeof got, why), 0);
  ck_assert_msg(strstr(why, t->why) != NULL, "why: \"%s\", want \"%s\"", why, t->why);
  ck_assert_msg(strstr(why, "override 0") != NULL, "why names no override: %s", why);
}
END_TEST

START_TEST(payload_index_past_a_one_payload_message_is_refused)
{
  static struct isakmp_msg m;
  uint8_t got[256];
  char why[256];
  build_vid_only(&m);
  ck_assert_uint_eq(craft_build(&m, NULL, 0, got, sizeof got, why, sizeof why), 48);
  struct craft_override ov[] = {
      {.field = CRAFT_HDR_FLAGS, .value = 1},
      {.field = CRAFT_PL_LENGTH, .index = 9, .value = 4},
  };
  ck_assert_uint_eq(craft_build(&m, ov, N(ov), got, sizeof got, why, sizeof why), 0);
  ck_assert_str_eq(why, "override 1 (CRAFT_PL_LENGTH, index 9): the message has 1 payloads");
  /* A NULL reason is allowed. */
  ck_assert_uint_eq(craft_build(&m, ov, N(ov), got, sizeof got, NULL, 0), 0);
}
END_TEST

START_TEST(a_patch_past_a_truncation_is_refused)
{
  uint8_t got[256];
  char why[256];
  struct craft_override ov[] = {
      {.field = CRAFT_TRUNCATE, .value = 34},
      {.field = CRAFT_SA_DOI, .value = 2}, /* bytes 32..35 */
  };
  ck_assert_uint_eq(craft_mm1(ov, N(ov), got, sizeof got, why), 0);
  ck_assert_msg(strstr(why, "override 1") && strstr(why, "32..35") &&
                    strstr(why, "34-byte datagram"),
                "%s", why);
}
END_TEST

START_TEST(a_message_that_does_not_fit_is_refused)
{
  uint8_t got[256];
  char why[256];
  ck_assert_uint_eq(craft_mm1(NULL, 0, got, MM1_LEN - 1, why), 0);
  ck_assert_msg(strstr(why, "does not encode into 139 bytes") != NULL, "%s", why);
}
END_TEST

/* An encrypted body cannot be located: the header still can be patched. */
START_TEST(an_encrypted_body_allows_header_fields_only)
{
  static struct isakmp_msg m;
  static const uint8_t cipher[16] = {0x55};
  uint8_t got[256];
  char why[256];
  header(&m, ISAKMP_XCHG_IDPROT, 0);
  m.hdr.next_payload = ISAKMP_NP_ID;
  m.hdr.flags = ISAKMP_FLAG_E;
  m.encrypted = slice_of(cipher, sizeof cipher);
  struct craft_override flags = {.field = CRAFT_HDR_FLAGS, .value = 0};
  ck_assert_uint_eq(craft_build(&m, &flags, 1, got, sizeof got, why, sizeof why), 44);
  ck_assert_uint_eq(got[19], 0);
  ck_assert_mem_eq(got + 28, cipher, sizeof cipher);
  struct craft_override pl = {.field = CRAFT_PL_LENGTH, .value = 4};
  ck_assert_uint_eq(craft_build(&m, &pl, 1, got, sizeof got, why, sizeof why), 0);
  ck_assert_msg(strstr(why, "encrypted") != NULL, "%s", why);
}
END_TEST

START_TEST(every_field_has_its_name)
{
  for (int f = 0; f < CRAFT_FIELD_COUNT; f++)
    ck_assert_msg(strncmp(craft_field_name((enum craft_field)f), "CRAFT_", 6) == 0 &&
                      strcmp(craft_field_name((enum craft_field)f), "CRAFT_?") != 0,
                  "field %d has no name", f);
  ck_assert_str_eq(craft_field_name(CRAFT_PL_LENGTH), "CRAFT_PL_LENGTH");
  ck_assert_str_eq(craft_field_name(CRAFT_FIELD_COUNT), "CRAFT_?");
}
END_TEST

/* ---- reshaping the chain ---- */

/* Encodes m and decodes it back into out (the decoder is the judge). */
static size_t round_trip(const struct isakmp_msg *m, struct isakmp_msg *out, uint8_t *pkt,
                         size_t cap)
{
  struct isakmp_error err = {0};
  char why[256];
  size_t len = craft_build(m, NULL, 0, pkt, cap, why, sizeof why);
  ck_assert_msg(len > 0, "%s", why);
  ck_assert_msg(isakmp_decode(out, pkt, len, &err), "%s", err.text);
  return len;
}

START_TEST(dup_swap_and_drop_keep_the_message_encodable)
{
  static struct isakmp_msg m, back;
  uint8_t pkt[512];
  build_mm1(&m);
  ck_assert(craft_dup_payload(&m, 0)); /* SA SA VID: both SAs share proposals */
  ck_assert_uint_eq(round_trip(&m, &back, pkt, sizeof pkt), MM1_LEN + 92);
  ck_assert_uint_eq(back.npayloads, 3);
  ck_assert_uint_eq(back.payloads[1].type, ISAKMP_NP_SA);
  ck_assert_uint_eq(back.nproposals, 2);
  ck_assert_uint_eq(back.ntransforms, 4);
  ck_assert(craft_swap_payloads(&m, 0, 2)); /* VID SA SA */
  round_trip(&m, &back, pkt, sizeof pkt);
  ck_assert_uint_eq(pkt[16], ISAKMP_NP_VID);
  ck_assert_uint_eq(back.payloads[0].type, ISAKMP_NP_VID);
  ck_assert(craft_drop_payload(&m, 1)); /* VID SA */
  ck_assert(craft_drop_payload(&m, 1)); /* VID */
  ck_assert_uint_eq(round_trip(&m, &back, pkt, sizeof pkt), 48);
  ck_assert_uint_eq(back.npayloads, 1);
  ck_assert(slice_eq_bytes(back.payloads[0].u.data, vid, sizeof vid));
  ck_assert(craft_dup_payload(&m, 0)); /* VID VID */
  ck_assert_uint_eq(round_trip(&m, &back, pkt, sizeof pkt), 68);
  ck_assert_uint_eq(pkt[28], ISAKMP_NP_VID);
}
END_TEST

START_TEST(reshaping_refuses_bad_indexes_and_a_full_chain)
{
  static struct isakmp_msg m;
  build_mm1(&m);
  ck_assert(!craft_drop_payload(&m, 2));
  ck_assert(!craft_dup_payload(&m, 2));
  ck_assert(!craft_swap_payloads(&m, 0, 2));
  ck_assert_uint_eq(m.npayloads, 2);
  ck_assert_uint_eq(m.payloads[0].type, ISAKMP_NP_SA);
  while (m.npayloads < ISAKMP_MAX_PAYLOADS)
    ck_assert(craft_dup_payload(&m, 1));
  ck_assert(!craft_dup_payload(&m, 1));
  ck_assert_uint_eq(m.npayloads, ISAKMP_MAX_PAYLOADS);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("craft");
  TCase *t = tcase_create("fields");
  tcase_add_test(t, hand_layouts_match_the_encoding);
  tcase_add_loop_test(t, each_override_patches_its_field_and_nothing_else, 0, N(rows));
  tcase_add_test(t, later_overrides_land_where_the_encoding_put_them);
  tcase_add_test(t, every_field_has_its_name);
  suite_add_tcase(s, t);
  t = tcase_create("datagram");
  tcase_add_test(t, truncate_cuts_and_the_header_length_then_disagrees);
  tcase_add_test(t, append_adds_filler_or_given_bytes);
  tcase_add_test(t, raw_writes_bytes_at_an_offset);
  suite_add_tcase(s, t);
  t = tcase_create("refusals");
  tcase_add_loop_test(t, an_override_that_cannot_apply_returns_0_and_says_why, 0,
                      N(refusals));
  tcase_add_test(t, payload_index_past_a_one_payload_message_is_refused);
  tcase_add_test(t, a_patch_past_a_truncation_is_refused);
  tcase_add_test(t, a_message_that_does_not_fit_is_refused);
  tcase_add_test(t, an_encrypted_body_allows_header_fields_only);
  suite_add_tcase(s, t);
  t = tcase_create("reshaping");
  tcase_add_test(t, dup_swap_and_drop_keep_the_message_encodable);
  tcase_add_test(t, reshaping_refuses_bad_indexes_and_a_full_chain);
  suite_add_tcase(s, t);
  return s;
}
