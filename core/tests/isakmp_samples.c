#include "isakmp_samples.h"

#include <string.h>

const char *const sample_names[SAMPLE_COUNT] = {
    "mm1", "mm3", "am1", "qm1", "info_notify", "info_delete", "certs", "draft_natt"};

const char *const sample_symbols[SAMPLE_COUNT] = {
    "<SA><VID><VID>",
    "<KE><NONCE><NAT_D><NAT_D>",
    "<SA><KE><NONCE><ID>",
    "<HASH><SA><NONCE><KE><ID><ID><NAT_OA><NAT_OA>",
    "<NOTFY>",
    "<HASH><DEL>",
    "<ID><CER><CER_REQ><SIG>",
    "<NAT_D><NAT_OA>",
};

/* Fixed filler bytes: the samples must be identical on every run. */
static const uint8_t filler[256] = {
    0x5a, 0x13, 0x9c, 0x07, 0xe2, 0x41, 0xbd, 0x68, 0x0f, 0xa4, 0x33, 0xc9, 0x7e, 0x21, 0x90, 0xd5,
    0x5a, 0x13, 0x9c, 0x07, 0xe2, 0x41, 0xbd, 0x68, 0x0f, 0xa4, 0x33, 0xc9, 0x7e, 0x21, 0x90, 0xd5};
static const uint8_t rfc3947_vid[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                        0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t dpd_vid[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
                                    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
static const uint8_t addr_subnet[8] = {10, 1, 0, 0, 255, 255, 255, 0};
static const uint8_t addr_range[8] = {10, 2, 0, 1, 10, 2, 0, 9};
static const uint8_t addr_v4[4] = {192, 168, 100, 100};
static const uint8_t spi_esp[4] = {0xc0, 0xff, 0xee, 0x01};
static const uint8_t spis_two[8] = {0xc0, 0xff, 0xee, 0x01, 0xc0, 0xff, 0xee, 0x02};
static const uint8_t life_kb[4] = {0x00, 0x01, 0x86, 0xa0}; /* 100000 KB, as a TLV */

/* A self-signed P-256 certificate for CN=ikelab and its subject DN, real
 * DER so that tshark's X.509 dissector finds nothing to complain about. */
static const uint8_t sample_cert[382] = {
    0x30, 0x82, 0x01, 0x7a, 0x30, 0x82, 0x01, 0x1f, 0xa0, 0x03, 0x02, 0x01,
    0x02, 0x02, 0x14, 0x66, 0x1f, 0xa4, 0xcc, 0x13, 0xd9, 0x0c, 0xfa, 0x3a,
    0x30, 0xc8, 0x48, 0xae, 0x01, 0x0a, 0x06, 0x9e, 0xfd, 0xea, 0x16, 0x30,
    0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30,
    0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x06,
    0x69, 0x6b, 0x65, 0x6c, 0x61, 0x62, 0x30, 0x20, 0x17, 0x0d, 0x32, 0x36,
    0x31, 0x31, 0x32, 0x39, 0x31, 0x31, 0x30, 0x34, 0x31, 0x31, 0x5a, 0x18,
    0x0f, 0x32, 0x31, 0x32, 0x36, 0x31, 0x31, 0x30, 0x35, 0x31, 0x31, 0x30,
    0x34, 0x31, 0x31, 0x5a, 0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06, 0x03,
    0x55, 0x04, 0x03, 0x0c, 0x06, 0x69, 0x6b, 0x65, 0x6c, 0x61, 0x62, 0x30,
    0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42,
    0x00, 0x04, 0xb5, 0xd8, 0x19, 0xb6, 0x19, 0xe8, 0xd0, 0x4f, 0x70, 0x9b,
    0xd2, 0x5f, 0xf5, 0x7f, 0x70, 0x8b, 0xc8, 0x8f, 0xfe, 0x32, 0xf1, 0x5a,
    0x78, 0xb4, 0xe9, 0xa0, 0x12, 0x4d, 0x92, 0xf1, 0x16, 0xc3, 0x80, 0x06,
    0x2d, 0xd0, 0x21, 0x7d, 0x92, 0x7a, 0x93, 0x11, 0x82, 0xf1, 0x8e, 0x6f,
    0x79, 0xb9, 0x33, 0x32, 0x70, 0xd4, 0xe8, 0xca, 0xd1, 0x6b, 0x10, 0x84,
    0xa3, 0xf0, 0x90, 0x69, 0x49, 0x72, 0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d,
    0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0xf9, 0xbd, 0x50,
    0xf5, 0xad, 0xd7, 0xbf, 0xd1, 0xea, 0x83, 0xe4, 0xad, 0x47, 0x59, 0x36,
    0x94, 0xfa, 0xc6, 0x90, 0x85, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23,
    0x04, 0x18, 0x30, 0x16, 0x80, 0x14, 0xf9, 0xbd, 0x50, 0xf5, 0xad, 0xd7,
    0xbf, 0xd1, 0xea, 0x83, 0xe4, 0xad, 0x47, 0x59, 0x36, 0x94, 0xfa, 0xc6,
    0x90, 0x85, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff,
    0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x0a, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x49, 0x00, 0x30, 0x46,
    0x02, 0x21, 0x00, 0xad, 0x9f, 0xc3, 0xbb, 0x2d, 0x49, 0xac, 0x32, 0x60,
    0x69, 0xd9, 0x22, 0x88, 0xa5, 0xe0, 0x5e, 0x7a, 0x9a, 0xf1, 0xa4, 0xad,
    0x32, 0xa5, 0x12, 0x59, 0x15, 0xe9, 0xca, 0xba, 0x0a, 0x74, 0x57, 0x02,
    0x21, 0x00, 0x90, 0x0c, 0xbe, 0xea, 0x82, 0x9e, 0xbb, 0x19, 0x9a, 0x0e,
    0xec, 0x13, 0xf1, 0xdf, 0x2d, 0x8d, 0x99, 0xc7, 0x8c, 0x4d, 0x46, 0x95,
    0x16, 0x63, 0x4a, 0xb7, 0x2b, 0x78, 0x90, 0x0e, 0xcd, 0x3e,
};
static const uint8_t sample_dn[19] = {0x30, 0x11, 0x31, 0x0f, 0x30, 0x0d, 0x06,
                                      0x03, 0x55, 0x04, 0x03, 0x0c, 0x06, 'i',
                                      'k',  'e',  'l',  'a',  'b'};

static struct buf_slice bytes(size_t n) { return slice_of(filler, n); }

static void header(struct isakmp_msg *m, uint8_t exchange, uint32_t msgid, bool responder)
{
  isakmp_msg_reset(m);
  memcpy(m->hdr.icookie, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
  if (responder)
    memcpy(m->hdr.rcookie, "\x99\xaa\xbb\xcc\xdd\xee\xf0\x01", 8);
  m->hdr.major = 1;
  m->hdr.exchange = exchange;
  m->hdr.msgid = msgid;
}

static void oakley_sa(struct isakmp_msg *m)
{
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  struct isakmp_proposal *p = isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_ISAKMP, bytes(0));
  isakmp_add_transform(m, p, 1, ISAKMP_TRANSFORM_KEY_IKE);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, OAKLEY_ENCR_AES_CBC);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_KEY_LENGTH, 128);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_HASH_ALGORITHM, OAKLEY_HASH_SHA1);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP2048);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
  isakmp_add_attr_tlv(m, OAKLEY_ATTR_LIFE_DURATION, slice_of("\x00\x01\x51\x80", 4));
  isakmp_add_transform(m, p, 2, ISAKMP_TRANSFORM_KEY_IKE);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_ENCRYPTION_ALGORITHM, OAKLEY_ENCR_3DES_CBC);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_HASH_ALGORITHM, OAKLEY_HASH_MD5);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP1024);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
  isakmp_add_attr_tv(m, OAKLEY_ATTR_LIFE_DURATION, 28800);
}

static void id(struct isakmp_msg *m, uint8_t type, uint8_t proto, uint16_t port,
               struct buf_slice data)
{
  struct isakmp_payload *pl = isakmp_add_payload(m, ISAKMP_NP_ID);
  pl->u.id.type = type;
  pl->u.id.protocol = proto;
  pl->u.id.port = port;
  pl->u.id.data = data;
}

static void opaque(struct isakmp_msg *m, uint8_t type, struct buf_slice data)
{
  isakmp_add_payload(m, type)->u.data = data;
}

static void natoa(struct isakmp_msg *m, uint8_t type)
{
  struct isakmp_payload *pl = isakmp_add_payload(m, type);
  pl->u.natoa.id_type = ISAKMP_ID_IPV4_ADDR;
  pl->u.natoa.addr = slice_of(addr_v4, 4);
}

static void quick_mode(struct isakmp_msg *m)
{
  header(m, ISAKMP_XCHG_QUICK, 0x1d2c3b4a, true);
  opaque(m, ISAKMP_NP_HASH, bytes(20));
  struct isakmp_payload *sa = isakmp_add_payload(m, ISAKMP_NP_SA);
  struct isakmp_proposal *p =
      isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_ESP, slice_of(spi_esp, 4));
  isakmp_add_transform(m, p, 1, ISAKMP_ESP_AES_CBC);
  isakmp_add_attr_tv(m, IPSEC_ATTR_SA_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
  isakmp_add_attr_tv(m, IPSEC_ATTR_SA_LIFE_DURATION, 3600);
  isakmp_add_attr_tv(m, IPSEC_ATTR_SA_LIFE_TYPE, ISAKMP_LIFE_KILOBYTES);
  isakmp_add_attr_tlv(m, IPSEC_ATTR_SA_LIFE_DURATION, slice_of(life_kb, 4));
  isakmp_add_attr_tv(m, IPSEC_ATTR_ENCAPSULATION_MODE, IPSEC_ENCAP_TUNNEL);
  isakmp_add_attr_tv(m, IPSEC_ATTR_AUTH_ALGORITHM, IPSEC_AUTH_HMAC_SHA1);
  isakmp_add_attr_tv(m, IPSEC_ATTR_KEY_LENGTH, 128);
  isakmp_add_attr_tv(m, IPSEC_ATTR_GROUP_DESCRIPTION, OAKLEY_GROUP_MODP2048);
  /* A second proposal with the same number: AH AND ESP (RFC 2408 §4.2). */
  struct isakmp_proposal *ah =
      isakmp_add_proposal(m, sa, 1, ISAKMP_PROTO_AH, slice_of(spi_esp, 4));
  isakmp_add_transform(m, ah, 1, ISAKMP_AH_SHA);
  isakmp_add_attr_tv(m, IPSEC_ATTR_AUTH_ALGORITHM, IPSEC_AUTH_HMAC_SHA1);
  isakmp_add_attr_tv(m, IPSEC_ATTR_ENCAPSULATION_MODE, IPSEC_ENCAP_TUNNEL);
  opaque(m, ISAKMP_NP_NONCE, bytes(16));
  opaque(m, ISAKMP_NP_KE, bytes(256));
  id(m, ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0, slice_of(addr_subnet, 8));
  id(m, ISAKMP_ID_IPV4_ADDR_RANGE, 17, 500, slice_of(addr_range, 8));
  natoa(m, ISAKMP_NP_NATOA);
  natoa(m, ISAKMP_NP_NATOA);
}

void sample_build(enum sample_id which, struct isakmp_msg *m)
{
  struct isakmp_payload *pl;
  switch (which) {
  case SAMPLE_MM1:
    header(m, ISAKMP_XCHG_IDPROT, 0, false);
    oakley_sa(m);
    opaque(m, ISAKMP_NP_VID, slice_of(rfc3947_vid, 16));
    opaque(m, ISAKMP_NP_VID, slice_of(dpd_vid, 16));
    break;
  case SAMPLE_MM3:
    header(m, ISAKMP_XCHG_IDPROT, 0, true);
    opaque(m, ISAKMP_NP_KE, bytes(256));
    opaque(m, ISAKMP_NP_NONCE, bytes(32));
    opaque(m, ISAKMP_NP_NATD, bytes(20));
    opaque(m, ISAKMP_NP_NATD, bytes(20));
    break;
  case SAMPLE_AM1:
    header(m, ISAKMP_XCHG_AGGRESSIVE, 0, false);
    oakley_sa(m);
    opaque(m, ISAKMP_NP_KE, bytes(128));
    opaque(m, ISAKMP_NP_NONCE, bytes(16));
    id(m, ISAKMP_ID_FQDN, 17, 500, slice_of("vpn.example.net", 15));
    break;
  case SAMPLE_QM1:
    quick_mode(m);
    break;
  case SAMPLE_INFO_NOTIFY:
    header(m, ISAKMP_XCHG_INFO, 0, false);
    pl = isakmp_add_payload(m, ISAKMP_NP_N);
    pl->u.notify.doi = ISAKMP_DOI_IPSEC;
    pl->u.notify.protocol = ISAKMP_PROTO_ISAKMP;
    pl->u.notify.type = ISAKMP_N_NO_PROPOSAL_CHOSEN;
    pl->u.notify.spi = slice_of(filler, 16);
    pl->u.notify.data = slice_of("cipher", 6);
    break;
  case SAMPLE_INFO_DELETE:
    header(m, ISAKMP_XCHG_INFO, 0x01020304, true);
    opaque(m, ISAKMP_NP_HASH, bytes(20));
    pl = isakmp_add_payload(m, ISAKMP_NP_D);
    pl->u.del.doi = ISAKMP_DOI_IPSEC;
    pl->u.del.protocol = ISAKMP_PROTO_ESP;
    pl->u.del.spi_size = 4;
    pl->u.del.nspis = 2;
    pl->u.del.spis = slice_of(spis_two, 8);
    break;
  case SAMPLE_CERTS:
    header(m, ISAKMP_XCHG_IDPROT, 0, true);
    id(m, ISAKMP_ID_DER_ASN1_DN, 0, 0, slice_of(sample_dn, sizeof sample_dn));
    pl = isakmp_add_payload(m, ISAKMP_NP_CERT);
    pl->u.cert.encoding = ISAKMP_CERT_X509_SIG;
    pl->u.cert.data = slice_of(sample_cert, sizeof sample_cert);
    pl = isakmp_add_payload(m, ISAKMP_NP_CR);
    pl->u.cert.encoding = ISAKMP_CERT_X509_SIG;
    opaque(m, ISAKMP_NP_SIG, bytes(128));
    break;
  case SAMPLE_DRAFT_NATT:
    header(m, ISAKMP_XCHG_IDPROT, 0, true);
    opaque(m, ISAKMP_NP_NATD_DRAFT, bytes(16));
    natoa(m, ISAKMP_NP_NATOA_DRAFT);
    break;
  case SAMPLE_COUNT:
    break;
  }
}
