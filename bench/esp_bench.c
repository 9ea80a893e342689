/* esp_bench: ESP encapsulation + decapsulation per core through esp.h,
 * beside OpenSSL's raw rate for the same work measured in the same process
 * and the same run (issue 9). For each suite and packet size it times
 * rounds of "encap then decap" of one inner packet, alternating with rounds
 * of the reference, and keeps the best round of each (the machine is
 * shared: the best round is the one least disturbed).
 *
 * The reference is what the suite's cryptography costs with nothing around
 * it, through the EVP API with contexts made once:
 *   AES-128-GCM      encrypt + decrypt of the payload with a 16-byte tag
 *                    and 8 bytes of AAD (SPI and sequence number)
 *   AES-128-CBC and  encrypt + decrypt of the padded payload, plus
 *   3DES-CBC +       HMAC-SHA1 over header, IV and ciphertext twice
 *   HMAC-SHA1-96     (the sender's and the receiver's)
 * The ratio is ours / reference: 1.0 means the datapath adds nothing.
 *
 * Output: one TSV line per suite and size (see --help). CPU time is the
 * process's (CLOCK_PROCESS_CPUTIME_ID), so other load on the machine does
 * not count as ours. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "ikelab/esp.h"
#include "ikelab/isakmp_types.h"

struct suite {
  const char *name;
  uint8_t encr;
  uint16_t bits, auth;
  size_t enc_key, auth_key;
  const char *evp;        /* OpenSSL's cipher name for the reference */
  size_t iv, block;       /* explicit IV and padding alignment on the wire */
};

static const struct suite suites[] = {
    {"aes128gcm16", ISAKMP_ESP_AES_GCM_16, 128, 0, 20, 0, "AES-128-GCM", 8, 4},
    {"aes128cbc-sha1", ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 16, 20, "AES-128-CBC", 16,
     16},
    {"3des-sha1", ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_SHA1, 24, 20, "DES-EDE3-CBC", 8, 8},
};

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void lcg_random(void *ctx, uint8_t *out, size_t len)
{
  uint64_t *state = ctx;
  for (size_t i = 0; i < len; i++) {
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = (uint8_t)(*state >> 56);
  }
}

static _Noreturn void die(const char *what)
{
  fprintf(stderr, "esp_bench: %s\n", what);
  exit(2);
}

/* ---- ours ---- */
struct ours {
  struct esp_table t;
  struct esp_sa *sa;
  uint64_t rng;
};

static void ours_init(struct ours *o, const struct suite *s)
{
  esp_table_init(&o->t, 0);
  struct ike_ipsec_sa sa = {.rule = 1, .protocol = ISAKMP_PROTO_ESP, .encr = s->encr,
                            .key_bits = s->bits, .auth = s->auth, .encap = IPSEC_ENCAP_TUNNEL,
                            .spi_in = 0x1000, .spi_out = 0x1000, .enc_key_len = s->enc_key,
                            .auth_key_len = s->auth_key};
  for (size_t k = 0; k < sizeof sa.key_in; k++)
    sa.key_in[k] = sa.key_out[k] = (uint8_t)(k * 13 + 7);
  char why[160];
  if (!esp_table_add(&o->t, 0, &sa, why, sizeof why)) {
    fprintf(stderr, "esp_bench: %s: %s\n", s->name, why);
    exit(2);
  }
  o->sa = esp_table_find_out(&o->t, 0x1000);
  o->rng = 42;
}

static void ours_run(struct ours *o, const uint8_t *inner, size_t len, uint8_t *wire,
                     uint8_t *back, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    size_t wl, bl;
    if (esp_encap(o->sa, 1, ESP_NH_IPV4, inner, len, wire, ESP_PACKET_MAX, &wl, lcg_random,
                  &o->rng) != ESP_OK)
      die("esp_encap refused a packet");
    enum esp_verdict v = esp_decap(&o->t, 1, wire, wl, back, ESP_PACKET_MAX, &bl, NULL);
    if (v != ESP_OK || bl != len)
      die("esp_decap refused its own packet");
  }
}

/* ---- the reference: the same cryptography, straight through EVP ---- */
struct ref {
  const struct suite *s;
  EVP_CIPHER_CTX *enc, *dec;
  EVP_MAC_CTX *mac;
};

static void ref_init(struct ref *r, const struct suite *s)
{
  uint8_t key[64];
  for (size_t k = 0; k < sizeof key; k++)
    key[k] = (uint8_t)(k * 13 + 7);
  r->s = s;
  EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->evp, NULL);
  r->enc = EVP_CIPHER_CTX_new();
  r->dec = EVP_CIPHER_CTX_new();
  if (!c || !r->enc || !r->dec || EVP_CipherInit_ex2(r->enc, c, key, NULL, 1, NULL) != 1 ||
      EVP_CipherInit_ex2(r->dec, c, key, NULL, 0, NULL) != 1 ||
      EVP_CIPHER_CTX_set_padding(r->enc, 0) != 1 || EVP_CIPHER_CTX_set_padding(r->dec, 0) != 1)
    die("OpenSSL refused the reference cipher");
  EVP_CIPHER_free(c);
  r->mac = NULL;
  if (s->auth) {
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    r->mac = m ? EVP_MAC_CTX_new(m) : NULL;
    EVP_MAC_free(m);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
                      OSSL_PARAM_construct_end()};
    if (!r->mac || EVP_MAC_init(r->mac, key + s->enc_key, s->auth_key, p) != 1)
      die("OpenSSL refused the reference HMAC");
  }
}

static void ref_free(struct ref *r)
{
  EVP_CIPHER_CTX_free(r->enc);
  EVP_CIPHER_CTX_free(r->dec);
  EVP_MAC_CTX_free(r->mac);
}

static void ref_mac(struct ref *r, const uint8_t *data, size_t len, uint8_t *out)
{
  size_t ol;
  if (EVP_MAC_init(r->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(r->mac, data, len) != 1 ||
      EVP_MAC_final(r->mac, out, &ol, 64) != 1)
    die("reference HMAC failed");
}

/* len: inner bytes; the ciphertext is the inner packet, padding and the
 * two trailer bytes rounded up to the suite's alignment, as on the wire. */
static void ref_run(struct ref *r, const uint8_t *inner, size_t len, uint8_t *wire, uint8_t *back,
                    unsigned n)
{
  const struct suite *s = r->s;
  size_t ct = (len + 2 + s->block - 1) / s->block * s->block;
  size_t hdr = ESP_HEADER_LEN + s->iv;
  uint8_t iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint8_t tag[16], mac1[64], mac2[64];
  memset(wire, 0, hdr);
  memcpy(back, inner, len);
  memset(back + len, 0, ct - len);
  for (unsigned i = 0; i < n; i++) {
    int ol, fl;
    iv[0] = (uint8_t)i;
    if (s->encr == ISAKMP_ESP_AES_GCM_16) {
      if (EVP_CipherInit_ex2(r->enc, NULL, NULL, iv, 1, NULL) != 1 ||
          EVP_EncryptUpdate(r->enc, NULL, &ol, wire, 8) != 1 ||
          EVP_EncryptUpdate(r->enc, wire + hdr, &ol, back, (int)ct) != 1 ||
          EVP_EncryptFinal_ex(r->enc, wire + hdr + ol, &fl) != 1 ||
          EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
        die("reference GCM encryption failed");
      if (EVP_CipherInit_ex2(r->dec, NULL, NULL, iv, 0, NULL) != 1 ||
          EVP_DecryptUpdate(r->dec, NULL, &ol, wire, 8) != 1 ||
          EVP_DecryptUpdate(r->dec, back, &ol, wire + hdr, (int)ct) != 1 ||
          EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
          EVP_DecryptFinal_ex(r->dec, back + ol, &fl) != 1)
        die("reference GCM decryption failed");
    } else {
      memcpy(wire + ESP_HEADER_LEN, iv, s->iv);
      if (EVP_CipherInit_ex2(r->enc, NULL, NULL, iv, 1, NULL) != 1 ||
          EVP_EncryptUpdate(r->enc, wire + hdr, &ol, back, (int)ct) != 1 ||
          EVP_EncryptFinal_ex(r->enc, wire + hdr + ol, &fl) != 1)
        die("reference CBC encryption failed");
      ref_mac(r, wire, hdr + ct, mac1);
      ref_mac(r, wire, hdr + ct, mac2);
      if (memcmp(mac1, mac2, 12) != 0)
        die("reference HMAC differs from itself");
      if (EVP_CipherInit_ex2(r->dec, NULL, NULL, iv, 0, NULL) != 1 ||
          EVP_DecryptUpdate(r->dec, back, &ol, wire + hdr, (int)ct) != 1 ||
          EVP_DecryptFinal_ex(r->dec, back + ol, &fl) != 1)
        die("reference CBC decryption failed");
    }
  }
}

static void usage(FILE *f)
{
  fprintf(f,
          "usage: esp_bench [--seconds S] [--rounds N]\n"
          "ESP encap + decap per core through esp.h against OpenSSL's EVP rate for the\n"
          "same cryptography, in the same process (AES-128-GCM-16, AES-128-CBC +\n"
          "HMAC-SHA1-96, 3DES + HMAC-SHA1-96; inner packets of 64, 512, 1400 bytes).\n"
          "  --seconds S  CPU seconds per suite and size, both sides (default 2)\n"
          "  --rounds N   alternating rounds of ours and the reference (default 6)\n"
          "Prints TSV: suite size ours_MBps ref_MBps ratio ours_pps (MB = 10^6 bytes of\n"
          "inner packet; one packet = one encap and one decap; the best round each).\n");
}

int main(int argc, char **argv)
{
  double seconds = 2.0;
  long rounds = 6;
  static const struct option opts[] = {{"seconds", required_argument, NULL, 's'},
                                       {"rounds", required_argument, NULL, 'r'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  for (int c; (c = getopt_long(argc, argv, "s:r:h", opts, NULL)) != -1;) {
    char *end;
    switch (c) {
    case 's':
      errno = 0;
      seconds = strtod(optarg, &end);
      if (errno || *end || !(seconds > 0 && seconds <= 600)) {
        fprintf(stderr, "esp_bench: --seconds wants a number in (0, 600], not '%s'\n", optarg);
        return 2;
      }
      break;
    case 'r':
      rounds = strtol(optarg, &end, 10);
      if (*end || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "esp_bench: --rounds wants 1..1000, not '%s'\n", optarg);
        return 2;
      }
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "esp_bench: unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  static uint8_t inner[2048], wire[ESP_PACKET_MAX], back[ESP_PACKET_MAX];
  for (size_t i = 0; i < sizeof inner; i++)
    inner[i] = (uint8_t)i;
  static const size_t sizes[] = {64, 512, 1400};
  printf("suite\tsize\tours_MBps\tref_MBps\tratio\tours_pps\n");
  for (size_t si = 0; si < sizeof suites / sizeof suites[0]; si++) {
    const struct suite *s = &suites[si];
    for (size_t zi = 0; zi < sizeof sizes / sizeof sizes[0]; zi++) {
      size_t len = sizes[zi];
      struct ours o;
      struct ref r;
      ours_init(&o, s);
      ref_init(&r, s);
      /* Calibrate: packets per round so a round takes its share of time. */
      unsigned n = 64;
      for (;;) {
        double t0 = cpu_now();
        ours_run(&o, inner, len, wire, back, n);
        double dt = cpu_now() - t0;
        if (dt > 0.02 || n > (1u << 28))
          break;
        n *= 4;
      }
      double t0 = cpu_now();
      ours_run(&o, inner, len, wire, back, n);
      double per = (cpu_now() - t0) / n;
      double share = seconds / 2 / (double)rounds;
      unsigned pn = (unsigned)(share / (per > 0 ? per : 1e-9));
      if (pn < 16)
        pn = 16;
      double best_o = 1e99, best_r = 1e99;
      for (long k = 0; k < rounds; k++) {
        t0 = cpu_now();
        ours_run(&o, inner, len, wire, back, pn);
        double d = cpu_now() - t0;
        if (d < best_o)
          best_o = d;
        t0 = cpu_now();
        ref_run(&r, inner, len, wire, back, pn);
        d = cpu_now() - t0;
        if (d < best_r)
          best_r = d;
      }
      double mo = (double)len * pn / best_o / 1e6, mr = (double)len * pn / best_r / 1e6;
      printf("%s\t%zu\t%.1f\t%.1f\t%.3f\t%.0f\n", s->name, len, mo, mr, mo / mr, pn / best_o);
      fflush(stdout);
      esp_table_clear(&o.t);
      ref_free(&r);
    }
  }
  return 0;
}
