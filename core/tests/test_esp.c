/* The ESP datapath (esp.h) against published packets and its own rules.
 *
 * Where each expected value comes from:
 * - RFC 3602 §4, cases 5-8: AES-CBC-128 ESP packets, encryption only,
 *   transport (next header 1) and tunnel (4); decapsulated, and
 *   re-encapsulated with the RFC's IV to the same bytes.
 * - draft-mcgrew-gcm-test-01 §4 (the RFC 4106 ESP test cases), the four
 *   with 32-bit sequence numbers: test cases 2 (AES-128), 3 (AES-256),
 *   7 (AES-192) and 11 (empty payload, sequence number 2^32-1). Key, salt,
 *   IV, SPI and sequence number are the draft's; packet = AAD | IV | ct | tag.
 * - HMAC ICVs: RFC 2202 test cases 1 and 5 (HMAC-MD5, HMAC-SHA-1, truncated
 *   to 96 bits, case 5 being the RFC's own truncation case) and RFC 4231
 *   test cases 1 and 5 (HMAC-SHA-256 truncated to 128 bits, RFC 4868).
 * Everything else is round trips and the RFC 4303 rules. */
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "test_hex.h"
#include "ikelab/esp.h"
#include "ikelab/isakmp_types.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Deterministic generator: replays `fixed` when set, else a counter. */
struct rng {
  uint8_t fixed[16];
  size_t fixed_len;
  uint8_t next;
};

static void rng_fill(void *ctx, uint8_t *out, size_t len)
{
  struct rng *r = ctx;
  for (size_t i = 0; i < len; i++)
    out[i] = r->fixed_len ? r->fixed[i % r->fixed_len] : r->next++;
}

static struct ike_ipsec_sa make_sa(uint8_t encr, uint16_t key_bits, uint16_t auth,
                                   uint32_t spi_in, uint32_t spi_out)
{
  struct ike_ipsec_sa sa = {.rule = 3, .protocol = ISAKMP_PROTO_ESP, .encr = encr,
                            .key_bits = key_bits, .auth = auth, .encap = IPSEC_ENCAP_TUNNEL,
                            .spi_in = spi_in, .spi_out = spi_out};
  size_t k = encr == ISAKMP_ESP_3DES ? 24 : encr == ISAKMP_ESP_NULL ? 0 : key_bits / 8u;
  sa.enc_key_len = k + (encr == ISAKMP_ESP_AES_GCM_16 ? 4 : 0);
  static const size_t akeys[] = {0, 16, 20, 0, 0, 32, 48, 64};
  sa.auth_key_len = auth < NELEM(akeys) ? akeys[auth] : 0;
  for (size_t i = 0; i < sizeof sa.key_in; i++) {
    sa.key_in[i] = (uint8_t)(0x11 * (i + 1));
    sa.key_out[i] = (uint8_t)(0x5a ^ i);
  }
  sa.peer.addr = 0x0a000002;
  return sa;
}

/* The peer's view of an SA: SPIs and keys swapped. */
static struct ike_ipsec_sa mirror(struct ike_ipsec_sa sa)
{
  struct ike_ipsec_sa m = sa;
  m.spi_in = sa.spi_out;
  m.spi_out = sa.spi_in;
  memcpy(m.key_in, sa.key_out, sizeof m.key_in);
  memcpy(m.key_out, sa.key_in, sizeof m.key_out);
  return m;
}

static struct esp_table ta, tb;   /* big: static, one pair per test (CK_FORK) */

static void add_ok(struct esp_table *t, const struct ike_ipsec_sa *sa)
{
  char why[160] = "";
  ck_assert_msg(esp_table_add(t, 1000, sa, why, sizeof why), "add: %s", why);
}

static void add_pair(const struct ike_ipsec_sa *sa, uint32_t window)
{
  esp_table_init(&ta, window);
  esp_table_init(&tb, window);
  add_ok(&ta, sa);
  struct ike_ipsec_sa m = mirror(*sa);
  add_ok(&tb, &m);
}

/* ---- RFC 3602 §4 cases 5-8 ---- */
struct cbc_kat {
  const char *key, *iv, *payload, *packet;
  uint32_t spi, seq;
  uint8_t nh;
};
static const struct cbc_kat cbc_kats[] = {
    {"90d382b410eeba7ad938c46cec1a82bf", "e96e8c08ab465763fd098d45dd3ff893",
     "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
     "2425262728292a2b2c2d2e2f3031323334353637",
     "0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849a4870b66"
     "cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874a"
     "a269add047ad2d5913ac19b7cfbad4a6",
     0x4321, 1, 1},
    {"90d382b410eeba7ad938c46cec1a82bf", "69d08df7d203329db093fc4924e5bd80",
     "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777",
     "000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4488987ce742e8109689bb379"
     "d2d750c0d915dca346a89f75",
     0x4321, 8, 1},
    {"0123456789abcdef0123456789abcdef", "f4e765244f6407adf13dc1380f673f37",
     "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f"
     "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c449225e4f3ce5ed611b0c237ca96c"
     "f74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5"
     "c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
     0x8765, 2, 4},
    {"0123456789abcdef0123456789abcdef", "85d47224b5f3dd5d2101d4ea8dffab22",
     "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083da3de0300ffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffff",
     "000087650000000585d47224b5f3dd5d2101d4ea8dffab2215b92683819596a8047232cc00f7048fe45318e1"
     "1f8a0f62ede3c3fc61203bb50f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3"
     "d2726d9b5ef6affc6d17a0decbb13892",
     0x8765, 5, 4},
};

/* ---- draft-mcgrew-gcm-test-01 §4 ---- */
struct gcm_kat {
  const char *key_salt, *iv, *plain_with_trailer, *ct, *tag;
  uint32_t spi, seq;
  uint16_t bits;
};
static const struct gcm_kat gcm_kats[] = {
    {"feffe9928665731c6d6a8f9467308308" "cafebabe", "facedbaddecaf888",
     "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369"
     "700963796265726369747902646b00000100010001",
     "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d"
     "0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1",
     "83b70d3aa8bc6ee4c309e9d85a41ad4a", 0x0000a5f8, 0x0a, 128},
    {"abbccddef00112233445566778899aababbccddef00112233445566778899aab" "11223344",
     "0102030405060708",
     "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405"
     "b40101040201020201",
     "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545"
     "659f14e99def842d8e",
     "b335f4eecfdbf831824b4c4915956c96", 0x4a2cbfe3, 2, 256},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c" "cafebabe", "facedbaddecaf888",
     "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001",
     "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc77",
     "95457b9652037f5318027b5b4cd7a636", 0x0000a5f8, 0x0a, 192},
    {"7d773d00c144c525ac619d18c84a3f47" "d9664267", "43457e9182443bc6", "01020201", "437f866b",
     "cb3f699fe9b0822bac961c4504bef270", 0x335467ae, 0xffffffff, 128},
};

static struct ike_ipsec_sa kat_sa(uint8_t encr, uint16_t bits, struct hexbuf key, uint32_t spi)
{
  struct ike_ipsec_sa sa = make_sa(encr, bits, 0, spi, spi);
  sa.encap = IPSEC_ENCAP_TRANSPORT;
  ck_assert_uint_eq(key.len, sa.enc_key_len);
  memcpy(sa.key_in, key.b, key.len);
  memcpy(sa.key_out, key.b, key.len);
  return sa;
}

/* Decapsulates pkt and expects payload and next header; then encapsulates
 * payload again with the same IV and expects pkt byte for byte. */
static void kat_both_ways(const struct ike_ipsec_sa *sa, struct hexbuf pkt, struct hexbuf payload,
                          uint8_t nh, uint32_t seq, const uint8_t *rng_bytes, size_t rng_len)
{
  static uint8_t out[2048];
  size_t outlen = 0;
  struct esp_info info;
  esp_table_init(&ta, 0);
  add_ok(&ta, sa);
  ck_assert_int_eq(esp_decap(&ta, 2000, pkt.b, pkt.len, out, sizeof out, &outlen, &info), ESP_OK);
  ck_assert_uint_eq(outlen, payload.len);
  ck_assert_mem_eq(out, payload.b, payload.len);
  ck_assert_uint_eq(info.next_header, nh);
  ck_assert_uint_eq(info.seq, seq);
  ck_assert_int_eq(esp_decap(&ta, 2000, pkt.b, pkt.len, out, sizeof out, &outlen, &info),
                   ESP_REPLAY);

  struct esp_sa *s = esp_table_find(&ta, sa->spi_in);
  struct rng r = {.fixed_len = rng_len};
  memcpy(r.fixed, rng_bytes, rng_len);
  s->seq_out = seq - 1;
  ck_assert_int_eq(esp_encap(s, 2000, nh, payload.b, payload.len, out, sizeof out, &outlen,
                             rng_fill, &r), ESP_OK);
  ck_assert_uint_eq(outlen, pkt.len);
  ck_assert_uint_eq(esp_encap_len(s, payload.len), pkt.len);
  ck_assert_mem_eq(out, pkt.b, pkt.len);
  esp_table_clear(&ta);
}

START_TEST(rfc3602_esp_packets)
{
  const struct cbc_kat *k = &cbc_kats[_i];
  struct hexbuf key = hex(k->key), iv = hex(k->iv);
  struct ike_ipsec_sa sa = kat_sa(ISAKMP_ESP_AES_CBC, 128, key, k->spi);
  if (k->nh == 4)
    sa.encap = IPSEC_ENCAP_TUNNEL;
  kat_both_ways(&sa, hex(k->packet), hex(k->payload), k->nh, k->seq, iv.b, iv.len);
}
END_TEST

START_TEST(gcm_draft_esp_packets)
{
  const struct gcm_kat *k = &gcm_kats[_i];
  struct hexbuf key = hex(k->key_salt), iv = hex(k->iv), pt = hex(k->plain_with_trailer);
  struct hexbuf ct = hex(k->ct), tag = hex(k->tag), pkt = {.len = 0};
  struct ike_ipsec_sa sa = kat_sa(ISAKMP_ESP_AES_GCM_16, k->bits, key, k->spi);
  uint8_t hdr[8] = {(uint8_t)(k->spi >> 24), (uint8_t)(k->spi >> 16), (uint8_t)(k->spi >> 8),
                    (uint8_t)k->spi, (uint8_t)(k->seq >> 24), (uint8_t)(k->seq >> 16),
                    (uint8_t)(k->seq >> 8), (uint8_t)k->seq};
  memcpy(pkt.b, hdr, 8);
  memcpy(pkt.b + 8, iv.b, 8);
  memcpy(pkt.b + 16, ct.b, ct.len);
  memcpy(pkt.b + 16 + ct.len, tag.b, 16);
  pkt.len = 32 + ct.len;
  /* The trailer is the plaintext's last two bytes; the payload the rest. */
  uint8_t pad = pt.b[pt.len - 2], nh = pt.b[pt.len - 1];
  struct hexbuf payload = pt;
  payload.len = pt.len - 2 - pad;
  /* Our GCM IV is seq XOR a mask from the generator: give it IV XOR seq. */
  uint8_t mask[8];
  for (int i = 0; i < 8; i++)
    mask[i] = iv.b[i] ^ (i < 4 ? 0 : hdr[i]);
  kat_both_ways(&sa, pkt, payload, nh, k->seq, mask, 8);
}
END_TEST

struct icv_kat {
  uint16_t auth;
  uint8_t key_byte;
  size_t key_len;
  const char *data, *icv;
};
static const struct icv_kat icv_kats[] = {
    {IPSEC_AUTH_HMAC_MD5, 0x0b, 16, "Hi There", "9294727a3638bb1c13f48ef8"},     /* 2202 #1 */
    {IPSEC_AUTH_HMAC_MD5, 0x0c, 16, "Test With Truncation", "56461ef2342edc00f9bab995"},
    {IPSEC_AUTH_HMAC_SHA1, 0x0b, 20, "Hi There", "b617318655057264e28bc0b6"},    /* 2202 #1 */
    {IPSEC_AUTH_HMAC_SHA1, 0x0c, 20, "Test With Truncation", "4c1a03424b55e07fe7f27be1"},
    {IPSEC_AUTH_HMAC_SHA2_256, 0x0b, 20, "Hi There", "b0344c61d8db38535ca8afceaf0bf12b"},
    {IPSEC_AUTH_HMAC_SHA2_256, 0x0c, 20, "Test With Truncation",          /* 4231 #5 */
     "a3b6167473100ee06e0c796c2955552b"},
};

START_TEST(hmac_icvs_match_rfc2202_and_rfc4231)
{
  const struct icv_kat *k = &icv_kats[_i];
  uint8_t key[64], out[ESP_ICV_MAX];
  struct hexbuf want = hex(k->icv);
  memset(key, k->key_byte, k->key_len);
  ck_assert_uint_eq(esp_icv_len(k->auth), want.len);
  ck_assert(esp_icv(k->auth, key, k->key_len, (const uint8_t *)k->data, strlen(k->data), out));
  ck_assert_mem_eq(out, want.b, want.len);
}
END_TEST

/* ---- every suite, both ways ---- */
struct suite_row {
  uint8_t encr;
  uint16_t bits, auth;
};
static const struct suite_row suites[] = {
    {ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5},        {ISAKMP_ESP_3DES, 192, IPSEC_AUTH_HMAC_SHA1},
    {ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_SHA2_256},   {ISAKMP_ESP_3DES, 0, 0},
    {ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_MD5},   {ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1},
    {ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA2_256}, {ISAKMP_ESP_AES_CBC, 128, 0},
    {ISAKMP_ESP_AES_CBC, 192, IPSEC_AUTH_HMAC_MD5},   {ISAKMP_ESP_AES_CBC, 192, IPSEC_AUTH_HMAC_SHA1},
    {ISAKMP_ESP_AES_CBC, 192, IPSEC_AUTH_HMAC_SHA2_256}, {ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_MD5},
    {ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1},  {ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256},
    {ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_384}, {ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_512},
    {ISAKMP_ESP_AES_GCM_16, 128, 0}, {ISAKMP_ESP_AES_GCM_16, 192, 0}, {ISAKMP_ESP_AES_GCM_16, 256, 0},
    {ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_MD5},        {ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_SHA1},
    {ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_SHA2_256},
};

static struct ike_ipsec_sa suite_sa(int i)
{
  return make_sa(suites[i].encr, suites[i].bits, suites[i].auth, 0x1000 + (uint32_t)i,
                 0x2000 + (uint32_t)i);
}

START_TEST(round_trip_every_suite)
{
  struct ike_ipsec_sa sa = suite_sa(_i);
  static uint8_t inner[1500], wire[1600], back[1600];
  struct rng r = {0};
  add_pair(&sa, 0);
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in);
  for (size_t i = 0; i < sizeof inner; i++)
    inner[i] = (uint8_t)(i * 7 + 1);
  uint64_t bytes = 0;
  for (size_t len = 0; len <= 1400; len += len < 48 ? 1 : 97) {
    size_t wl = 0, bl = 0;
    struct esp_info info;
    ck_assert_int_eq(esp_encap(out, 5000, ESP_NH_IPV4, inner, len, wire, sizeof wire, &wl,
                               rng_fill, &r), ESP_OK);
    ck_assert_uint_eq(wl, esp_encap_len(out, len));
    ck_assert_uint_eq((wl - out->icv_len - 8 - out->iv_len) % out->block, 0);
    ck_assert_int_eq(esp_decap(&tb, 5000, wire, wl, back, sizeof back, &bl, &info), ESP_OK);
    ck_assert_uint_eq(bl, len);
    ck_assert_mem_eq(back, inner, len);
    ck_assert_uint_eq(info.next_header, ESP_NH_IPV4);
    ck_assert_int_eq(info.rule, 3);
    bytes += len;
  }
  struct esp_sa *in = esp_table_find(&tb, sa.spi_out);
  ck_assert_uint_eq(in->count.bytes_in, bytes);
  ck_assert_uint_eq(out->count.bytes_out, bytes);
  ck_assert_uint_eq(in->count.packets_in, out->count.packets_out);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* Every one-bit change of a packet is refused, and never crashes. */
START_TEST(every_bit_flip_is_refused)
{
  struct ike_ipsec_sa sa = suite_sa(_i);
  if (sa.auth == 0 && sa.encr != ISAKMP_ESP_AES_GCM_16)
    return;   /* encryption only: flips are undetectable by design */
  static uint8_t wire[200], back[200];
  size_t wl = 0, bl = 0;
  struct rng r = {0};
  add_pair(&sa, 0);
  ck_assert_int_eq(esp_encap(esp_table_find(&ta, sa.spi_in), 1, 4, (const uint8_t *)"0123456789",
                             10, wire, sizeof wire, &wl, rng_fill, &r), ESP_OK);
  for (size_t bit = 0; bit < wl * 8; bit++) {
    wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    enum esp_verdict v = esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL);
    if (bit < 32)
      ck_assert_int_eq(v, ESP_NO_SA);
    else if (bit < 64)
      ck_assert_msg(v == ESP_AUTH_FAILED || v == ESP_REPLAY, "bit %zu: %d", bit, v);
    else
      ck_assert_msg(v == ESP_AUTH_FAILED, "bit %zu: %s", bit, esp_verdict_name(v));
    ck_assert_uint_eq(bl, 0);
    wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
  }
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL), ESP_OK);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* Each prefix of a valid packet, in a buffer of exactly its size. */
START_TEST(truncated_packets_are_refused)
{
  struct ike_ipsec_sa sa = suite_sa(_i);
  static uint8_t wire[300], back[300];
  size_t wl = 0, bl = 0;
  struct rng r = {0};
  add_pair(&sa, 0);
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in);
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 100, 40, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_OK);
  size_t min = 8 + out->iv_len + out->icv_len + (out->iv_len && !out->aead ? out->block : 2);
  for (size_t n = 0; n < wl; n++) {
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, wire, n);
    enum esp_verdict v = esp_decap(&tb, 2, n ? copy : NULL, n, back, sizeof back, &bl, NULL);
    if (n < min)
      ck_assert_msg(v == ESP_MALFORMED, "length %zu: %s", n, esp_verdict_name(v));
    else
      ck_assert_msg(v != ESP_OK, "length %zu accepted", n);
    free(copy);
  }
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL), ESP_OK);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* ---- anti-replay window, as a numbered table (window of 64) ---- */
struct replay_row {
  uint32_t seq;
  enum esp_verdict want;
  bool forge;   /* corrupt the ICV: must fail and leave the window alone */
};
static const struct replay_row replay_rows[] = {
    {1, ESP_OK, false},      {1, ESP_REPLAY, false},  {3, ESP_OK, false},
    {2, ESP_OK, false},      {2, ESP_REPLAY, false},  {3, ESP_REPLAY, false},
    {64, ESP_OK, false},     {1, ESP_REPLAY, false},  {65, ESP_OK, false},
    {1, ESP_REPLAY, false},  {4, ESP_OK, false},      {4, ESP_REPLAY, false},
    {200, ESP_OK, false},    {137, ESP_OK, false},    {136, ESP_REPLAY, false},
    {500, ESP_AUTH_FAILED, true}, {150, ESP_OK, false}, {500, ESP_OK, false},
    {500, ESP_REPLAY, false}, {499, ESP_OK, false},   {437, ESP_OK, false},
    {436, ESP_REPLAY, false}, {1000, ESP_OK, false},  {999, ESP_OK, false},
    {0xffffffff, ESP_OK, false}, {0xffffffc0, ESP_OK, false}, {0xffffffbf, ESP_REPLAY, false},
    {0xfffffffe, ESP_OK, false}, {0xffffffff, ESP_REPLAY, false},
};

START_TEST(replay_window_table)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888);
  static uint8_t wire[200], back[200];
  struct rng r = {0};
  add_pair(&sa, 64);
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in);
  for (size_t i = 0; i < NELEM(replay_rows); i++) {
    const struct replay_row *row = &replay_rows[i];
    size_t wl = 0, bl = 0;
    out->seq_out = row->seq - 1;
    ck_assert_int_eq(esp_encap(out, 1, 4, wire + 150, 20, wire, sizeof wire, &wl, rng_fill, &r),
                     ESP_OK);
    if (row->forge)
      wire[wl - 1] ^= 0x80;
    enum esp_verdict v = esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL);
    ck_assert_msg(v == row->want, "row %zu (seq %u): %s, want %s", i + 1, row->seq,
                  esp_verdict_name(v), esp_verdict_name(row->want));
  }
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

START_TEST(sequence_zero_and_wrap)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_GCM_16, 128, 0, 0x777, 0x888);
  static uint8_t wire[200], back[200];
  size_t wl = 0, bl = 0;
  struct rng r = {0};
  add_pair(&sa, 0);
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in);
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 100, 20, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_OK);
  wire[4] = wire[5] = wire[6] = wire[7] = 0;   /* sequence number 0 is never sent */
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL), ESP_REPLAY);
  out->seq_out = 0xfffffffe;
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 100, 20, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_OK);
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, sizeof back, &bl, NULL), ESP_OK);
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 100, 20, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_SEQ_EXHAUSTED);
  ck_assert_uint_eq(wl, 0);
  ck_assert_uint_eq(out->seq_out, 0xffffffff);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* ---- authentic packets with a bad trailer (ESP_NULL: plaintext on the wire) ---- */
static size_t null_packet(const struct ike_ipsec_sa *sa, const uint8_t *body, size_t n,
                          uint8_t *pkt)
{
  uint8_t hdr[8] = {(uint8_t)(sa->spi_out >> 24), (uint8_t)(sa->spi_out >> 16),
                    (uint8_t)(sa->spi_out >> 8), (uint8_t)sa->spi_out, 0, 0, 0, 1};
  memcpy(pkt, hdr, 8);
  memcpy(pkt + 8, body, n);
  ck_assert(esp_icv(sa->auth, sa->key_out + sa->enc_key_len, sa->auth_key_len, pkt, 8 + n,
                    pkt + 8 + n));
  return 8 + n + esp_icv_len(sa->auth);
}

struct trailer_row {
  const char *body;   /* payload | padding | pad length | next header */
  enum esp_verdict want;
};
static const struct trailer_row trailer_rows[] = {
    {"aabb0004", ESP_OK},                 /* no padding */
    {"aa0102030304", ESP_OK},             /* pad 1, 2, 3 */
    {"010104", ESP_OK},                   /* empty payload */
    {"aa0102040304", ESP_DECRYPT_FAILED}, /* pad 1, 2, 4 */
    {"aa0002030304", ESP_DECRYPT_FAILED}, /* pad starts at 0 */
    {"0904", ESP_DECRYPT_FAILED},         /* pad length past the start */
    {"0204", ESP_DECRYPT_FAILED},         /* pad length covering itself */
    {"aabb00ff", ESP_DECRYPT_FAILED},     /* next header 255 is reserved */
    {"aabb0006", ESP_DECRYPT_FAILED},     /* TCP in a tunnel-mode SA */
    {"aabb003b", ESP_DUMMY},              /* next header 59: dropped silently */
};

START_TEST(bad_trailers_fail_decryption)
{
  const struct trailer_row *row = &trailer_rows[_i];
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888);
  struct hexbuf body = hex(row->body);
  uint8_t pkt[100], back[100];
  size_t bl = 0;
  add_pair(&sa, 0);
  size_t n = null_packet(&sa, body.b, body.len, pkt);
  enum esp_verdict v = esp_decap(&tb, 2, pkt, n, back, sizeof back, &bl, NULL);
  ck_assert_msg(v == row->want, "%s: %s", row->body, esp_verdict_name(v));
  if (v != ESP_OK)
    ck_assert_uint_eq(bl, 0);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

START_TEST(cbc_length_not_whole_blocks)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_CBC, 128, 0, 0x777, 0x888);
  uint8_t pkt[8 + 16 + 20] = {0, 0, 0x08, 0x88, 0, 0, 0, 1}, back[64];
  size_t bl = 0;
  add_pair(&sa, 0);
  ck_assert_int_eq(esp_decap(&tb, 2, pkt, sizeof pkt, back, sizeof back, &bl, NULL),
                   ESP_DECRYPT_FAILED);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* ---- verdicts → Table 27-2 ---- */
START_TEST(verdicts_name_their_log_rows)
{
  static const struct { enum esp_verdict v; const char *line; } rows[] = {
      {ESP_NO_SA, "!! Cannot find Phase 2 SA"},
      {ESP_REPLAY, "!! Discard REPLAY packet"},
      {ESP_AUTH_FAILED, "!! Inbound packet authentication failed"},
      {ESP_DECRYPT_FAILED, "!! Inbound packet decryption failed"},
  };
  struct log_event ev;
  char line[200];
  struct esp_info info = {.spi = 0xc0ffee01, .rule = 2};
  for (size_t i = 0; i < NELEM(rows); i++) {
    ck_assert(esp_verdict_log(rows[i].v, &info, 77, &ev));
    log_render(&ev, line, sizeof line);
    ck_assert_str_eq(line, rows[i].line);
    ck_assert_uint_eq(ev.f.spi, 0xc0ffee01);
    ck_assert_int_eq(ev.f.rule, 2);
  }
  ck_assert_int_eq(esp_verdict_log_id(ESP_OK), LOG_ID_COUNT);
  ck_assert_int_eq(esp_verdict_log_id(ESP_MALFORMED), LOG_ID_COUNT);
  ck_assert(!esp_verdict_log(ESP_DUMMY, &info, 77, &ev));
  for (int v = 0; v <= ESP_VERDICT_COUNT; v++)
    ck_assert_ptr_nonnull(esp_verdict_name((enum esp_verdict)v));
}
END_TEST

START_TEST(unknown_spi_and_short_packets)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888);
  uint8_t pkt[64] = {0, 0, 0x12, 0x34, 0, 0, 0, 1}, back[64];
  size_t bl = 99;
  struct esp_info info;
  add_pair(&sa, 0);
  ck_assert_int_eq(esp_decap(&tb, 2, pkt, sizeof pkt, back, sizeof back, &bl, &info), ESP_NO_SA);
  ck_assert_uint_eq(info.spi, 0x1234);
  ck_assert_ptr_null(info.sa);
  ck_assert_uint_eq(bl, 0);
  ck_assert_int_eq(esp_decap(&tb, 2, pkt, 7, back, sizeof back, &bl, &info), ESP_MALFORMED);
  ck_assert_int_eq(esp_decap(&tb, 2, NULL, 0, back, sizeof back, &bl, NULL), ESP_MALFORMED);
  ck_assert_uint_eq(tb.unmatched[ESP_NO_SA], 1);
  ck_assert_uint_eq(tb.unmatched[ESP_MALFORMED], 2);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

START_TEST(buffers_too_small)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, 0x777, 0x888);
  static uint8_t wire[200], back[200];
  size_t wl = 0, bl = 0;
  struct rng r = {0};
  add_pair(&sa, 0);
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in);
  size_t need = esp_encap_len(out, 50);
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 150, 50, wire, need - 1, &wl, rng_fill, &r),
                   ESP_NO_ROOM);
  ck_assert_uint_eq(out->seq_out, 0);   /* nothing consumed */
  ck_assert_int_eq(esp_encap(out, 1, 4, wire + 150, 50, wire, need, &wl, rng_fill, &r), ESP_OK);
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, 63, &bl, NULL), ESP_NO_ROOM);
  ck_assert_int_eq(esp_decap(&tb, 2, wire, wl, back, 64, &bl, NULL), ESP_OK);
  ck_assert_int_eq(esp_encap(NULL, 1, 4, wire, 1, back, sizeof back, &wl, rng_fill, &r), ESP_NO_SA);
  ck_assert_int_eq(esp_encap(out, 1, 4, wire, 1, back, sizeof back, &wl, NULL, NULL),
                   ESP_CRYPTO_ERROR);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

/* ---- table, lifetimes, idle time ---- */
START_TEST(table_refuses_bad_sas)
{
  char why[160];
  struct ike_ipsec_sa bad[] = {
      make_sa(ISAKMP_ESP_AES_GCM_16, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888),
      make_sa(ISAKMP_ESP_NULL, 0, 0, 0x777, 0x888),
      make_sa(ISAKMP_ESP_AES_CBC, 64, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888),
      make_sa(ISAKMP_ESP_DES, 64, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888),
      make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_DES_MAC, 0x777, 0x888),
      make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x17, 0x888),
      make_sa(ISAKMP_ESP_AES_GCM_16, 128, 0, 0x777, 0x888),
      make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888),
      make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888),
  };
  bad[6].enc_key_len = 16;              /* GCM without its salt (engine before GCM) */
  bad[7].auth_key_len = 16;
  bad[8].protocol = ISAKMP_PROTO_AH;
  esp_table_init(&ta, 0);
  for (size_t i = 0; i < NELEM(bad); i++) {
    why[0] = '\0';
    ck_assert_msg(!esp_table_add(&ta, 0, &bad[i], why, sizeof why), "row %zu accepted", i);
    ck_assert_msg(why[0] != '\0', "row %zu: no reason", i);
  }
  ck_assert_uint_eq(ta.count, 0);
  struct ike_ipsec_sa good = make_sa(ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5, 0x1000, 0x2000);
  for (uint32_t i = 0; i < ESP_TABLE_CAP; i++) {
    good.spi_in = 0x1000 + i;
    add_ok(&ta, &good);
  }
  good.spi_in = 0x1000;
  ck_assert(!esp_table_add(&ta, 0, &good, why, sizeof why));   /* duplicate */
  ck_assert_ptr_nonnull(strstr(why, "already"));
  good.spi_in = 0x9999;
  ck_assert(!esp_table_add(&ta, 0, &good, why, sizeof why));   /* full */
  ck_assert_ptr_nonnull(strstr(why, "full"));
  ck_assert(esp_table_del(&ta, 0x1005));
  ck_assert(!esp_table_del(&ta, 0x1005));
  ck_assert_ptr_null(esp_table_find(&ta, 0x1005));
  add_ok(&ta, &good);
  ck_assert_ptr_nonnull(esp_table_find_out(&ta, 0x2000));
  ck_assert_uint_eq(ta.count, ESP_TABLE_CAP);
  esp_table_clear(&ta);
  ck_assert_uint_eq(ta.count, 0);
}
END_TEST

START_TEST(lifetimes_counters_and_idle)
{
  struct ike_ipsec_sa sa = make_sa(ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0x777, 0x888);
  static uint8_t inner[600], wire[700], back[700];
  struct rng r = {0};
  sa.life_seconds = 10;
  sa.life_kbytes = 1;
  add_pair(&sa, 0);   /* added at 1000 ms */
  struct esp_sa *out = esp_table_find(&ta, sa.spi_in), *in = esp_table_find(&tb, sa.spi_out);
  ck_assert_int_eq(esp_sa_expired(in, 1000), ESP_LIVE);
  ck_assert_int_eq(esp_sa_expired(in, 10999), ESP_LIVE);
  ck_assert_int_eq(esp_sa_expired(in, 11000), ESP_EXPIRED_TIME);
  ck_assert_uint_eq(esp_sa_idle_ms(in, 4000), 3000);
  size_t wl, bl;
  ck_assert_int_eq(esp_encap(out, 2000, 4, inner, 600, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_OK);
  ck_assert_int_eq(esp_decap(&tb, 4000, wire, wl, back, sizeof back, &bl, NULL), ESP_OK);
  ck_assert_uint_eq(esp_sa_idle_ms(in, 4500), 500);
  ck_assert_int_eq(esp_sa_expired(in, 5000), ESP_LIVE);
  ck_assert_int_eq(esp_decap(&tb, 4600, wire, wl, back, sizeof back, &bl, NULL), ESP_REPLAY);
  ck_assert_uint_eq(esp_sa_idle_ms(in, 4600), 600);   /* a refused packet is not traffic */
  ck_assert_uint_eq(in->count.dropped[ESP_REPLAY], 1);
  ck_assert_int_eq(esp_encap(out, 2000, 4, inner, 600, wire, sizeof wire, &wl, rng_fill, &r),
                   ESP_OK);
  ck_assert_int_eq(esp_sa_expired(out, 5000), ESP_EXPIRED_BYTES);   /* 1200 > 1024 */
  ck_assert_int_eq(esp_decap(&tb, 4000, wire, wl, back, sizeof back, &bl, NULL), ESP_OK);
  ck_assert_int_eq(esp_sa_expired(in, 5000), ESP_EXPIRED_BYTES);
  ck_assert_uint_eq(in->count.packets_in, 2);
  ck_assert_uint_eq(in->count.bytes_in, 1200);
  sa.life_seconds = sa.life_kbytes = 0;   /* zero lifetimes never expire */
  esp_table_clear(&ta);
  esp_table_init(&ta, 0);
  add_ok(&ta, &sa);
  ck_assert_int_eq(esp_sa_expired(esp_table_find(&ta, sa.spi_in), UINT64_MAX), ESP_LIVE);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("esp");
  TCase *tc = tcase_create("known answers");
  tcase_add_loop_test(tc, rfc3602_esp_packets, 0, (int)NELEM(cbc_kats));
  tcase_add_loop_test(tc, gcm_draft_esp_packets, 0, (int)NELEM(gcm_kats));
  tcase_add_loop_test(tc, hmac_icvs_match_rfc2202_and_rfc4231, 0, (int)NELEM(icv_kats));
  suite_add_tcase(s, tc);

  tc = tcase_create("suites");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, round_trip_every_suite, 0, (int)NELEM(suites));
  tcase_add_loop_test(tc, every_bit_flip_is_refused, 0, (int)NELEM(suites));
  tcase_add_loop_test(tc, truncated_packets_are_refused, 0, (int)NELEM(suites));
  suite_add_tcase(s, tc);

  tc = tcase_create("inbound rules");
  tcase_add_test(tc, replay_window_table);
  tcase_add_test(tc, sequence_zero_and_wrap);
  tcase_add_loop_test(tc, bad_trailers_fail_decryption, 0, (int)NELEM(trailer_rows));
  tcase_add_test(tc, cbc_length_not_whole_blocks);
  tcase_add_test(tc, unknown_spi_and_short_packets);
  tcase_add_test(tc, buffers_too_small);
  tcase_add_test(tc, verdicts_name_their_log_rows);
  suite_add_tcase(s, tc);

  tc = tcase_create("table");
  tcase_add_test(tc, table_refuses_bad_sas);
  tcase_add_test(tc, lifetimes_counters_and_idle);
  suite_add_tcase(s, tc);
  return s;
}
