/* The ISAKMP codec: round trips of every payload type, the fields decoded,
 * and one case per RFC 2408 §5 rejection with the notify it deserves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "ikelab/log.h"
#include "isakmp_samples.h"

#define BUF 8192

static struct isakmp_msg built, decoded;
static uint8_t wire[BUF], wire2[BUF];

static size_t encode_sample(enum sample_id id)
{
  sample_build(id, &built);
  size_t n = isakmp_encode(&built, wire, sizeof wire);
  ck_assert_uint_gt(n, ISAKMP_HDR_LEN);
  return n;
}

static void assert_decodes(const uint8_t *pkt, size_t n, struct isakmp_msg *m)
{
  struct isakmp_error err = {0};
  char line[320];
  bool ok = isakmp_decode(m, pkt, n, &err);
  isakmp_error_format(&err, line, sizeof line);
  ck_assert_msg(ok, "rejected: %s", line);
}

static void assert_rejects(const uint8_t *pkt, size_t n, uint16_t notify, const char *field)
{
  struct isakmp_error err = {0};
  char line[320];
  ck_assert_msg(!isakmp_decode(&decoded, pkt, n, &err), "accepted, expected %s",
                isakmp_name_or_unknown(&isakmp_notify_names, notify));
  isakmp_error_format(&err, line, sizeof line);
  ck_assert_msg(err.notify == notify && strcmp(err.field, field) == 0,
                "expected %s on %s, got %s",
                isakmp_name_or_unknown(&isakmp_notify_names, notify), field, line);
  ck_assert_uint_le(err.offset, n);
}

/* ---- round trips ---- */

START_TEST(every_sample_round_trips_byte_for_byte)
{
  char symbols[256];
  size_t n = encode_sample((enum sample_id)_i);
  assert_decodes(wire, n, &decoded);
  ck_assert_uint_eq(decoded.hdr.length, n);
  ck_assert_uint_eq(decoded.npayloads, built.npayloads);
  isakmp_payload_symbols(&decoded, symbols, sizeof symbols);
  ck_assert_str_eq(symbols, sample_symbols[_i]);
  size_t n2 = isakmp_encode(&decoded, wire2, sizeof wire2);
  ck_assert_uint_eq(n2, n);
  ck_assert_mem_eq(wire2, wire, n);
}
END_TEST

START_TEST(main_mode_sa_fields_decode)
{
  uint64_t life;
  size_t n = encode_sample(SAMPLE_MM1);
  assert_decodes(wire, n, &decoded);
  ck_assert_uint_eq(decoded.hdr.exchange, ISAKMP_XCHG_IDPROT);
  const struct isakmp_sa *sa = &decoded.payloads[0].u.sa;
  ck_assert_uint_eq(sa->doi, ISAKMP_DOI_IPSEC);
  ck_assert_uint_eq(sa->nproposals, 1);
  const struct isakmp_proposal *p = &decoded.proposals[sa->first_proposal];
  ck_assert_uint_eq(p->protocol, ISAKMP_PROTO_ISAKMP);
  ck_assert_uint_eq(p->spi.len, 0);
  ck_assert_uint_eq(p->ntransforms, 2);
  const struct isakmp_transform *t1 = &decoded.transforms[p->first_transform];
  ck_assert_uint_eq(t1->nattrs, 7);
  const struct isakmp_attr *enc = isakmp_transform_attr(&decoded, t1, OAKLEY_ATTR_ENCRYPTION_ALGORITHM);
  ck_assert_ptr_nonnull(enc);
  ck_assert(enc->tv);
  ck_assert_uint_eq(enc->tv_value, OAKLEY_ENCR_AES_CBC);
  const struct isakmp_attr *dur = isakmp_transform_attr(&decoded, t1, OAKLEY_ATTR_LIFE_DURATION);
  ck_assert(!dur->tv);
  ck_assert(isakmp_attr_uint(dur, &life));
  ck_assert_uint_eq(life, 86400);
  const struct isakmp_transform *t2 = &decoded.transforms[p->first_transform + 1];
  ck_assert_uint_eq(t2->number, 2);
  ck_assert(isakmp_attr_uint(isakmp_transform_attr(&decoded, t2, OAKLEY_ATTR_LIFE_DURATION), &life));
  ck_assert_uint_eq(life, 28800);
  ck_assert_str_eq(isakmp_vendor_name(decoded.payloads[1].u.data), "RFC 3947 (NAT-T)");
}
END_TEST

START_TEST(quick_mode_ids_proposals_and_nat_oa_decode)
{
  uint64_t kb;
  size_t n = encode_sample(SAMPLE_QM1);
  assert_decodes(wire, n, &decoded);
  ck_assert_uint_eq(decoded.hdr.msgid, 0x1d2c3b4a);
  const struct isakmp_sa *sa = &decoded.payloads[1].u.sa;
  ck_assert_uint_eq(sa->nproposals, 2);
  const struct isakmp_proposal *esp = &decoded.proposals[sa->first_proposal];
  const struct isakmp_proposal *ah = &decoded.proposals[sa->first_proposal + 1];
  ck_assert_uint_eq(esp->protocol, ISAKMP_PROTO_ESP);
  ck_assert_uint_eq(ah->protocol, ISAKMP_PROTO_AH);
  ck_assert_uint_eq(esp->number, ah->number);
  ck_assert(slice_eq_bytes(esp->spi, "\xc0\xff\xee\x01", 4));
  const struct isakmp_transform *t = &decoded.transforms[esp->first_transform];
  ck_assert_uint_eq(t->id, ISAKMP_ESP_AES_CBC);
  ck_assert(isakmp_attr_uint(&decoded.attrs[t->first_attr + 3], &kb));
  ck_assert_uint_eq(kb, 100000);
  const struct isakmp_id *idci = &decoded.payloads[4].u.id;
  const struct isakmp_id *idcr = &decoded.payloads[5].u.id;
  ck_assert_uint_eq(idci->type, ISAKMP_ID_IPV4_ADDR_SUBNET);
  ck_assert(slice_eq_bytes(idci->data, "\x0a\x01\x00\x00\xff\xff\xff\x00", 8));
  ck_assert_uint_eq(idcr->type, ISAKMP_ID_IPV4_ADDR_RANGE);
  ck_assert_uint_eq(idcr->protocol, 17);
  ck_assert_uint_eq(idcr->port, 500);
  ck_assert_uint_eq(decoded.payloads[6].u.natoa.id_type, ISAKMP_ID_IPV4_ADDR);
  ck_assert(slice_eq_bytes(decoded.payloads[6].u.natoa.addr, "\xc0\xa8\x64\x64", 4));
}
END_TEST

START_TEST(notify_and_delete_fields_decode)
{
  size_t n = encode_sample(SAMPLE_INFO_NOTIFY);
  assert_decodes(wire, n, &decoded);
  const struct isakmp_notify *no = &decoded.payloads[0].u.notify;
  ck_assert_uint_eq(no->type, ISAKMP_N_NO_PROPOSAL_CHOSEN);
  ck_assert_uint_eq(no->spi.len, 16);
  ck_assert(slice_eq_bytes(no->data, "cipher", 6));
  n = encode_sample(SAMPLE_INFO_DELETE);
  assert_decodes(wire, n, &decoded);
  const struct isakmp_delete *d = &decoded.payloads[1].u.del;
  ck_assert_uint_eq(d->protocol, ISAKMP_PROTO_ESP);
  ck_assert_uint_eq(d->nspis, 2);
  ck_assert_uint_eq(d->spis.len, 8);
}
END_TEST

/* ---- ID payloads: every RFC 2407 §4.6.2 type, valid and wrong length ---- */

static const struct {
  uint8_t type;
  size_t good, bad;
} id_cases[] = {
    {ISAKMP_ID_IPV4_ADDR, 4, 5},        {ISAKMP_ID_FQDN, 11, 0},
    {ISAKMP_ID_USER_FQDN, 16, 0},       {ISAKMP_ID_IPV4_ADDR_SUBNET, 8, 4},
    {ISAKMP_ID_IPV6_ADDR, 16, 4},       {ISAKMP_ID_IPV6_ADDR_SUBNET, 32, 16},
    {ISAKMP_ID_IPV4_ADDR_RANGE, 8, 12}, {ISAKMP_ID_IPV6_ADDR_RANGE, 32, 31},
    {ISAKMP_ID_DER_ASN1_DN, 40, 0},     {ISAKMP_ID_DER_ASN1_GN, 20, 0},
    {ISAKMP_ID_KEY_ID, 8, 0},
};

static size_t single_id(uint8_t type, size_t len)
{
  static const uint8_t data[64] = {10, 0, 0, 1, 255, 255, 255, 0};
  isakmp_msg_reset(&built);
  memcpy(built.hdr.icookie, "cookie!!", 8);
  built.hdr.major = 1;
  built.hdr.exchange = ISAKMP_XCHG_AGGRESSIVE;
  struct isakmp_payload *pl = isakmp_add_payload(&built, ISAKMP_NP_ID);
  pl->u.id.type = type;
  pl->u.id.protocol = 17;
  pl->u.id.port = 500;
  pl->u.id.data = slice_of(data, len);
  return isakmp_encode(&built, wire, sizeof wire);
}

START_TEST(every_id_type_decodes_and_checks_its_length)
{
  size_t n = single_id(id_cases[_i].type, id_cases[_i].good);
  assert_decodes(wire, n, &decoded);
  ck_assert_uint_eq(decoded.payloads[0].u.id.type, id_cases[_i].type);
  ck_assert_uint_eq(decoded.payloads[0].u.id.data.len, id_cases[_i].good);
  n = single_id(id_cases[_i].type, id_cases[_i].bad);
  assert_rejects(wire, n, ISAKMP_N_INVALID_ID_INFORMATION, "id.data");
}
END_TEST

START_TEST(undefined_id_type_is_invalid_id_information)
{
  size_t n = single_id(12, 4);
  assert_rejects(wire, n, ISAKMP_N_INVALID_ID_INFORMATION, "id.type");
  n = single_id(0, 4);
  assert_rejects(wire, n, ISAKMP_N_INVALID_ID_INFORMATION, "id.type");
}
END_TEST

/* ---- RFC 2408 §5: byte patches of Main Mode 1 ----
 * Layout of SAMPLE_MM1: header 0-27; SA 28 (DOI 32, situation 36);
 * proposal 40 (number 44, protocol 45, SPI size 46, #transforms 47);
 * transform 48 (number 52, id 53, reserved 54); attributes from 56. */

struct patch_case {
  const char *rule;
  size_t offset;
  uint8_t value;
  uint16_t notify;
  const char *field;
};

static const struct patch_case patches[] = {
    {"§5.2 next payload undefined", 16, 99, ISAKMP_N_INVALID_PAYLOAD_TYPE, "header.next_payload"},
    {"§5.2 next payload is a transform", 16, 3, ISAKMP_N_INVALID_PAYLOAD_TYPE, "header.next_payload"},
    {"§5.2 major version 2", 17, 0x20, ISAKMP_N_INVALID_MAJOR_VERSION, "header.major_version"},
    {"§5.2 minor version 1", 17, 0x11, ISAKMP_N_INVALID_MINOR_VERSION, "header.minor_version"},
    {"§5.2 exchange type 0", 18, 0, ISAKMP_N_INVALID_EXCHANGE_TYPE, "header.exchange_type"},
    {"§5.2 exchange type 6", 18, 6, ISAKMP_N_INVALID_EXCHANGE_TYPE, "header.exchange_type"},
    {"§5.2 undefined flag", 19, 0x08, ISAKMP_N_INVALID_FLAGS, "header.flags"},
    {"§5.2 phase 1 message ID", 23, 1, ISAKMP_N_INVALID_MESSAGE_ID, "header.message_id"},
    {"§5.2 length too long", 26, 0x7f, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length"},
    {"§5.3 reserved", 29, 1, ISAKMP_N_PAYLOAD_MALFORMED, "payload.reserved"},
    {"§5.3 length under minimum", 31, 3, ISAKMP_N_PAYLOAD_MALFORMED, "payload.length"},
    {"§5.3 length past the end", 30, 0xff, ISAKMP_N_PAYLOAD_MALFORMED, "payload.length"},
    {"§5.4 DOI", 35, 2, ISAKMP_N_DOI_NOT_SUPPORTED, "sa.doi"},
    {"§5.4 situation", 39, 2, ISAKMP_N_SITUATION_NOT_SUPPORTED, "sa.situation"},
    {"§5.4 proposal next payload", 40, 13, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.next_payload"},
    {"§5.4 proposal reserved", 41, 1, ISAKMP_N_PAYLOAD_MALFORMED, "payload.reserved"},
    {"§5.4 protocol ID", 45, 9, ISAKMP_N_INVALID_PROTOCOL_ID, "proposal.protocol_id"},
    {"§5.4 SPI size", 46, 3, ISAKMP_N_INVALID_SPI, "proposal.spi_size"},
    {"§5.4 more transforms declared", 47, 3, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms"},
    {"§5.4 fewer transforms declared", 47, 1, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms"},
    {"§5.4 no transform declared", 47, 0, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms"},
    {"§5.4 transform next payload", 48, 2, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "transform.next_payload"},
    {"§5.4 transform ID", 53, 9, ISAKMP_N_INVALID_TRANSFORM_ID, "transform.id"},
    {"§5.4 transform reserved", 55, 1, ISAKMP_N_PAYLOAD_MALFORMED, "transform.reserved2"},
    {"§5.4 attribute type 0", 57, 0, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "attribute.type"},
    {"§5.4 basic attribute as TLV", 56, 0x00, ISAKMP_N_PAYLOAD_MALFORMED, "attribute.format"},
};

START_TEST(each_header_and_sa_fault_gets_its_notify)
{
  const struct patch_case *c = &patches[_i];
  size_t n = encode_sample(SAMPLE_MM1);
  assert_decodes(wire, n, &decoded); /* the unpatched packet is fine */
  ck_assert_uint_lt(c->offset, n);
  wire[c->offset] = c->value;
  assert_rejects(wire, n, c->notify, c->field);
}
END_TEST

START_TEST(zero_initiator_cookie_is_invalid_cookie)
{
  size_t n = encode_sample(SAMPLE_MM1);
  memset(wire, 0, 8);
  assert_rejects(wire, n, ISAKMP_N_INVALID_COOKIE, "header.initiator_cookie");
}
END_TEST

START_TEST(datagram_longer_than_header_length_is_unequal)
{
  size_t n = encode_sample(SAMPLE_MM1);
  assert_rejects(wire, n + 4, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length");
}
END_TEST

START_TEST(bytes_after_the_last_payload_are_unequal)
{
  size_t n = encode_sample(SAMPLE_MM1);
  memset(wire + n, 0, 4);
  wire[27] = (uint8_t)(wire[27] + 4); /* header length now covers the extra bytes */
  assert_rejects(wire, n + 4, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length");
}
END_TEST

START_TEST(truncated_header_is_malformed)
{
  encode_sample(SAMPLE_MM1);
  for (size_t n = 0; n < ISAKMP_HDR_LEN; n++)
    assert_rejects(wire, n, ISAKMP_N_PAYLOAD_MALFORMED, "header");
}
END_TEST

START_TEST(every_truncation_is_rejected_without_overread)
{
  /* A packet cut anywhere, with its header length fixed up to match, must
   * be refused: the decoder never reads past what it was given. */
  size_t n = encode_sample((enum sample_id)_i);
  for (size_t cut = ISAKMP_HDR_LEN + 1; cut < n; cut++) {
    static uint8_t copy[BUF];
    memcpy(copy, wire, cut);
    copy[24] = (uint8_t)(cut >> 24);
    copy[25] = (uint8_t)(cut >> 16);
    copy[26] = (uint8_t)(cut >> 8);
    copy[27] = (uint8_t)cut;
    struct isakmp_error err;
    ck_assert_msg(!isakmp_decode(&decoded, copy, cut, &err), "%s cut at %zu accepted",
                  sample_names[_i], cut);
  }
}
END_TEST

START_TEST(every_bit_flip_is_rejected_cleanly_or_round_trips)
{
  /* Flip each bit of a sample in turn: the decoder either refuses with a
   * notify from the table and an offset inside the packet, or accepts a
   * message that encodes back to the flipped bytes. */
  size_t n = encode_sample((enum sample_id)_i);
  unsigned accepted = 0;
  for (size_t bit = 0; bit < n * 8; bit++) {
    struct isakmp_error err;
    wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    if (isakmp_decode(&decoded, wire, n, &err)) {
      accepted++;
      ck_assert_uint_eq(isakmp_encode(&decoded, wire2, sizeof wire2), n);
      ck_assert_msg(memcmp(wire2, wire, n) == 0, "%s bit %zu: round trip differs",
                    sample_names[_i], bit);
    } else {
      ck_assert_ptr_nonnull(isakmp_name_of(&isakmp_notify_names, err.notify));
      ck_assert_uint_le(err.offset, n);
    }
    wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  ck_assert_uint_gt(accepted, 0); /* cookies and opaque data flip harmlessly */
}
END_TEST

/* ---- per-payload checks, built with wrong values ---- */

static size_t one_payload(uint8_t exchange, uint32_t msgid, uint8_t type,
                          struct isakmp_payload **pl)
{
  isakmp_msg_reset(&built);
  memcpy(built.hdr.icookie, "cookie!!", 8);
  built.hdr.major = 1;
  built.hdr.exchange = exchange;
  built.hdr.msgid = msgid;
  *pl = isakmp_add_payload(&built, type);
  return 0;
}

static size_t encode_built(void) { return isakmp_encode(&built, wire, sizeof wire); }

START_TEST(nonce_must_be_8_to_256_bytes)
{
  static const uint8_t big[257];
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_IDPROT, 0, ISAKMP_NP_NONCE, &pl);
  pl->u.data = slice_of(big, 7);
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "nonce.length");
  pl->u.data = slice_of(big, 257);
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "nonce.length");
  pl->u.data = slice_of(big, 8);
  assert_decodes(wire, encode_built(), &decoded);
  pl->u.data = slice_of(big, 256);
  assert_decodes(wire, encode_built(), &decoded);
}
END_TEST

START_TEST(empty_ke_hash_sig_get_their_notify)
{
  static const struct {
    uint8_t type;
    uint16_t notify;
  } cases[] = {{ISAKMP_NP_KE, ISAKMP_N_INVALID_KEY_INFORMATION},
               {ISAKMP_NP_HASH, ISAKMP_N_INVALID_HASH_INFORMATION},
               {ISAKMP_NP_SIG, ISAKMP_N_INVALID_SIGNATURE},
               {ISAKMP_NP_VID, ISAKMP_N_PAYLOAD_MALFORMED},
               {ISAKMP_NP_NATD, ISAKMP_N_PAYLOAD_MALFORMED}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct isakmp_payload *pl;
    one_payload(ISAKMP_XCHG_IDPROT, 0, cases[i].type, &pl);
    pl->u.data = slice_of(NULL, 0);
    assert_rejects(wire, encode_built(), cases[i].notify, "payload.length");
  }
}
END_TEST

START_TEST(certificate_payload_checks)
{
  static const uint8_t der[4] = {0x30, 0x02, 0x05, 0x00};
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_IDPROT, 0, ISAKMP_NP_CERT, &pl);
  pl->u.cert.encoding = 11;
  pl->u.cert.data = slice_of(der, 4);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_CERT_ENCODING, "cert.encoding");
  pl->u.cert.encoding = ISAKMP_CERT_X509_SIG;
  pl->u.cert.data = slice_of(NULL, 0);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_CERTIFICATE, "cert.data");
  one_payload(ISAKMP_XCHG_IDPROT, 0, ISAKMP_NP_CR, &pl);
  pl->u.cert.encoding = 0;
  assert_rejects(wire, encode_built(), ISAKMP_N_CERT_TYPE_UNSUPPORTED, "cr.type");
  pl->u.cert.encoding = ISAKMP_CERT_X509_SIG; /* a CR may name no authority */
  assert_decodes(wire, encode_built(), &decoded);
}
END_TEST

START_TEST(notification_payload_checks)
{
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_INFO, 0, ISAKMP_NP_N, &pl);
  pl->u.notify.doi = 7;
  pl->u.notify.protocol = ISAKMP_PROTO_ISAKMP;
  pl->u.notify.type = ISAKMP_N_INVALID_SPI;
  assert_rejects(wire, encode_built(), ISAKMP_N_DOI_NOT_SUPPORTED, "notify.doi");
  pl->u.notify.doi = ISAKMP_DOI_IPSEC;
  pl->u.notify.protocol = 9;
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_PROTOCOL_ID, "notify.protocol_id");
  pl->u.notify.protocol = ISAKMP_PROTO_ESP;
  pl->u.notify.spi = slice_of("\x01\x02\x03", 3);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_SPI, "notify.spi_size");
  pl->u.notify.spi = slice_of("\x01\x02\x03\x04", 4);
  pl->u.notify.type = 0;
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "notify.type");
  pl->u.notify.type = ISAKMP_N_INITIAL_CONTACT;
  assert_decodes(wire, encode_built(), &decoded);
}
END_TEST

START_TEST(delete_payload_checks)
{
  static const uint8_t spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_INFO, 0, ISAKMP_NP_D, &pl);
  struct isakmp_delete *d = &pl->u.del;
  d->doi = ISAKMP_DOI_IPSEC;
  d->protocol = 0;
  d->spi_size = 4;
  d->nspis = 2;
  d->spis = slice_of(spis, 8);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_PROTOCOL_ID, "delete.protocol_id");
  d->protocol = ISAKMP_PROTO_ESP;
  d->spi_size = 16;
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_SPI, "delete.spi_size");
  d->spi_size = 4;
  d->nspis = 0;
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "delete.num_spis");
  d->nspis = 3;
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "delete.num_spis");
  d->nspis = 2;
  assert_decodes(wire, encode_built(), &decoded);
}
END_TEST

START_TEST(nat_oa_payload_checks)
{
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_QUICK, 5, ISAKMP_NP_NATOA, &pl);
  pl->u.natoa.id_type = ISAKMP_ID_FQDN;
  pl->u.natoa.addr = slice_of("\x0a\x00\x00\x01", 4);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_ID_INFORMATION, "natoa.id_type");
  pl->u.natoa.id_type = ISAKMP_ID_IPV4_ADDR;
  pl->u.natoa.addr = slice_of("\x0a\x00\x00\x01\x00", 5);
  assert_rejects(wire, encode_built(), ISAKMP_N_PAYLOAD_MALFORMED, "natoa.address");
  pl->u.natoa.addr = slice_of("\x0a\x00\x00\x01", 4);
  assert_decodes(wire, encode_built(), &decoded);
}
END_TEST

START_TEST(quick_mode_needs_a_message_id)
{
  struct isakmp_payload *pl;
  one_payload(ISAKMP_XCHG_QUICK, 0, ISAKMP_NP_HASH, &pl);
  pl->u.data = slice_of("0123456789abcdefghij", 20);
  assert_rejects(wire, encode_built(), ISAKMP_N_INVALID_MESSAGE_ID, "header.message_id");
}
END_TEST

/* ---- encryption boundary and padding ---- */

START_TEST(encrypted_body_is_kept_opaque_and_round_trips)
{
  static const uint8_t body[32] = {0xde, 0xad, 0xbe, 0xef};
  isakmp_msg_reset(&built);
  memcpy(built.hdr.icookie, "cookie!!", 8);
  memcpy(built.hdr.rcookie, "rcookie!", 8);
  built.hdr.major = 1;
  built.hdr.exchange = ISAKMP_XCHG_IDPROT;
  built.hdr.flags = ISAKMP_FLAG_E;
  built.hdr.next_payload = ISAKMP_NP_ID;
  built.encrypted = slice_of(body, sizeof body);
  size_t n = encode_built();
  ck_assert_uint_eq(n, ISAKMP_HDR_LEN + sizeof body);
  assert_decodes(wire, n, &decoded);
  ck_assert_uint_eq(decoded.npayloads, 0);
  ck_assert(slice_eq_bytes(decoded.encrypted, body, sizeof body));
  ck_assert_uint_eq(isakmp_encode(&decoded, wire2, sizeof wire2), n);
  ck_assert_mem_eq(wire2, wire, n);
  assert_rejects(wire, ISAKMP_HDR_LEN, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length");
}
END_TEST

START_TEST(decrypted_chain_keeps_its_padding)
{
  /* A HASH payload of 20 bytes, then 8 bytes of cipher padding. */
  uint8_t body[32] = {0, 0, 0, 24};
  body[31] = 7;
  struct isakmp_error err;
  isakmp_msg_reset(&decoded);
  ck_assert(isakmp_decode_chain(&decoded, ISAKMP_NP_HASH, slice_of(body, sizeof body),
                                ISAKMP_HDR_LEN, true, &err));
  ck_assert_uint_eq(decoded.npayloads, 1);
  ck_assert_uint_eq(decoded.padding.len, 8);
  struct buf_writer w;
  bw_init(&w, wire, sizeof wire);
  isakmp_encode_chain(&decoded, &w);
  ck_assert(slice_eq_bytes(bw_written(&w), body, sizeof body));
  isakmp_msg_reset(&decoded);
  ck_assert(!isakmp_decode_chain(&decoded, ISAKMP_NP_HASH, slice_of(body, sizeof body),
                                 ISAKMP_HDR_LEN, false, &err));
  ck_assert_uint_eq(err.notify, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
  ck_assert_uint_eq(err.offset, ISAKMP_HDR_LEN + 24);
}
END_TEST

START_TEST(encoder_reports_a_buffer_too_small)
{
  size_t n = encode_sample(SAMPLE_QM1);
  for (size_t cap = 0; cap < n; cap += 7)
    ck_assert_uint_eq(isakmp_encode(&built, wire2, cap), 0);
  ck_assert_uint_eq(isakmp_encode(&built, wire2, n), n);
}
END_TEST

START_TEST(error_text_names_field_value_and_offset)
{
  char line[320];
  struct isakmp_error err;
  size_t n = encode_sample(SAMPLE_MM1);
  wire[17] = 0x20;
  ck_assert(!isakmp_decode(&decoded, wire, n, &err));
  isakmp_error_format(&err, line, sizeof line);
  ck_assert_str_eq(line, "INVALID-MAJOR-VERSION at offset 17 (header.major_version=2): "
                         "major version 2 (expected 1)");
}
END_TEST

START_TEST(table_27_3_symbols_are_the_manuals)
{
  /* LOGS.md Table 27-3, one row per payload type. */
  static const struct {
    uint8_t type;
    const char *symbol;
  } rows[] = {{1, "SA"},     {2, "PROP"},   {3, "TRANS"},   {4, "KE"},    {5, "ID"},
              {6, "CER"},    {7, "CER_REQ"}, {8, "HASH"},   {9, "SIG"},   {10, "NONCE"},
              {11, "NOTFY"}, {12, "DEL"},   {13, "VID"},    {20, "NAT_D"}, {21, "NAT_OA"},
              {130, "NAT_D"}, {131, "NAT_OA"}};
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    ck_assert_str_eq(isakmp_payload_symbol(rows[i].type), rows[i].symbol);
  ck_assert_ptr_null(isakmp_payload_symbol(0));
  ck_assert_ptr_null(isakmp_payload_symbol(14));
}
END_TEST

/* A message of ISAKMP_MAX_PAYLOADS certificate requests, the longest
 * symbol: its whole list fits ISAKMP_SYMBOLS_MAX with nothing to spare,
 * and a log event's room keeps whole symbols and says it cut the rest
 * (fuzz_isakmp_decode found a 484-byte Quick Mode of 62 payloads whose
 * list, 530 bytes, outgrew the 512 it assumed). */
START_TEST(long_payload_lists_are_cut_between_symbols_with_an_ellipsis)
{
  static struct isakmp_msg m;
  char all[ISAKMP_SYMBOLS_MAX], cut[LOG_PAYLOADS_MAX], tiny[8];
  for (unsigned t = 0; t < 256; t++) {
    const char *sym = isakmp_payload_symbol((uint8_t)t);
    ck_assert_uint_le(sym ? strlen(sym) : 1, ISAKMP_SYMBOL_MAX);
  }
  memset(&m, 0, sizeof m);
  m.npayloads = ISAKMP_MAX_PAYLOADS;
  for (size_t i = 0; i < m.npayloads; i++)
    m.payloads[i].type = ISAKMP_NP_CR;
  ck_assert_uint_eq(isakmp_payload_symbols(&m, all, sizeof all), ISAKMP_SYMBOLS_MAX - 1);
  ck_assert_uint_eq(strlen(all), ISAKMP_SYMBOLS_MAX - 1);
  ck_assert_uint_eq(isakmp_payload_symbols(&m, cut, sizeof cut), ISAKMP_SYMBOLS_MAX - 1);
  char want[LOG_PAYLOADS_MAX] = "";
  for (int i = 0; i < 17; i++) /* 17 x 9 + 3 = 156 < 160; 18 would not fit */
    strcat(want, "<CER_REQ>");
  strcat(want, "...");
  ck_assert_str_eq(cut, want);
  /* Two payloads, "<SA><KE>" (8 bytes and the NUL): room for 8 keeps
   * "<SA>...", 7 and 4 only "...", 3 nothing; room for 9 keeps it all. */
  m.npayloads = 2;
  m.payloads[0].type = ISAKMP_NP_SA;
  m.payloads[1].type = ISAKMP_NP_KE;
  ck_assert_uint_eq(isakmp_payload_symbols(&m, tiny, 8), 8);
  ck_assert_str_eq(tiny, "<SA>...");
  ck_assert_uint_eq(isakmp_payload_symbols(&m, tiny, 7), 8);
  ck_assert_str_eq(tiny, "...");
  ck_assert_uint_eq(isakmp_payload_symbols(&m, tiny, 4), 8);
  ck_assert_str_eq(tiny, "...");
  isakmp_payload_symbols(&m, tiny, 3);
  ck_assert_str_eq(tiny, "");
  ck_assert_uint_eq(isakmp_payload_symbols(&m, all, 9), 8);
  ck_assert_str_eq(all, "<SA><KE>");
}
END_TEST

START_TEST(dissector_prints_names)
{
  char *text = NULL;
  size_t len = 0;
  size_t n = encode_sample(SAMPLE_MM1);
  FILE *out = open_memstream(&text, &len);
  ck_assert(isakmp_dissect_packet(wire, n, out));
  fclose(out);
  ck_assert_ptr_nonnull(strstr(text, "exchange=2 (IDENTITY_PROTECTION)"));
  ck_assert_ptr_nonnull(strstr(text, "attr 1 (ENCRYPTION_ALGORITHM) = 7 (AES-CBC)"));
  ck_assert_ptr_nonnull(strstr(text, "attr 12 (LIFE_DURATION) (TLV, 4 bytes) = 86400"));
  ck_assert_ptr_nonnull(strstr(text, "[RFC 3947 (NAT-T)]"));
  free(text);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("isakmp");
  TCase *rt = tcase_create("round trips");
  tcase_add_loop_test(rt, every_sample_round_trips_byte_for_byte, 0, SAMPLE_COUNT);
  tcase_add_test(rt, main_mode_sa_fields_decode);
  tcase_add_test(rt, quick_mode_ids_proposals_and_nat_oa_decode);
  tcase_add_test(rt, notify_and_delete_fields_decode);
  tcase_add_test(rt, encrypted_body_is_kept_opaque_and_round_trips);
  tcase_add_test(rt, decrypted_chain_keeps_its_padding);
  tcase_add_test(rt, encoder_reports_a_buffer_too_small);
  tcase_add_test(rt, dissector_prints_names);
  tcase_add_test(rt, table_27_3_symbols_are_the_manuals);
  tcase_add_test(rt, long_payload_lists_are_cut_between_symbols_with_an_ellipsis);
  suite_add_tcase(s, rt);

  TCase *rej = tcase_create("RFC 2408 section 5 rejections");
  tcase_add_loop_test(rej, each_header_and_sa_fault_gets_its_notify, 0,
                      sizeof patches / sizeof patches[0]);
  tcase_add_test(rej, zero_initiator_cookie_is_invalid_cookie);
  tcase_add_test(rej, datagram_longer_than_header_length_is_unequal);
  tcase_add_test(rej, bytes_after_the_last_payload_are_unequal);
  tcase_add_test(rej, truncated_header_is_malformed);
  tcase_add_loop_test(rej, every_truncation_is_rejected_without_overread, 0, SAMPLE_COUNT);
  tcase_add_loop_test(rej, every_bit_flip_is_rejected_cleanly_or_round_trips, 0, SAMPLE_COUNT);
  tcase_add_loop_test(rej, every_id_type_decodes_and_checks_its_length, 0,
                      sizeof id_cases / sizeof id_cases[0]);
  tcase_add_test(rej, undefined_id_type_is_invalid_id_information);
  tcase_add_test(rej, nonce_must_be_8_to_256_bytes);
  tcase_add_test(rej, empty_ke_hash_sig_get_their_notify);
  tcase_add_test(rej, certificate_payload_checks);
  tcase_add_test(rej, notification_payload_checks);
  tcase_add_test(rej, delete_payload_checks);
  tcase_add_test(rej, nat_oa_payload_checks);
  tcase_add_test(rej, quick_mode_needs_a_message_id);
  tcase_add_test(rej, error_text_names_field_value_and_offset);
  suite_add_tcase(s, rej);
  return s;
}
