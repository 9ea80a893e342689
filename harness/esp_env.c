/* fuzz_esp's SA table (esp_env.h): fixed keys, one SA per suite, including
 * an encryption-only AES-CBC SA whose lack of an ICV lets fuzzer bytes reach
 * the padding and next-header checks directly. */
#include <string.h>

#include "esp_env.h"
#include "ikelab/isakmp_types.h"

struct env_suite {
  const char *name;
  uint8_t encr;
  uint16_t bits, auth, encap;
  size_t enc_key, auth_key;
};

static const struct env_suite suites[] = {
    {"3des-md5", ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5, IPSEC_ENCAP_TUNNEL, 24, 16},
    {"aes128-sha1", ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, IPSEC_ENCAP_TUNNEL, 16, 20},
    {"aes256-sha256", ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, IPSEC_ENCAP_TRANSPORT,
     32, 32},
    {"aes192-sha512", ISAKMP_ESP_AES_CBC, 192, IPSEC_AUTH_HMAC_SHA2_512, IPSEC_ENCAP_TUNNEL, 24,
     64},
    {"aes128-none", ISAKMP_ESP_AES_CBC, 128, 0, IPSEC_ENCAP_TRANSPORT, 16, 0},
    {"gcm128", ISAKMP_ESP_AES_GCM_16, 128, 0, IPSEC_ENCAP_TUNNEL, 20, 0},
    {"gcm256", ISAKMP_ESP_AES_GCM_16, 256, 0, IPSEC_ENCAP_TRANSPORT, 36, 0},
    {"null-sha1", ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_SHA1, IPSEC_ENCAP_TUNNEL, 0, 20},
};

size_t esp_env_count(void)
{
  return sizeof suites / sizeof suites[0];
}

uint32_t esp_env_spi(size_t i)
{
  return 0x1000u + (uint32_t)i;
}

const char *esp_env_name(size_t i)
{
  return i < esp_env_count() ? suites[i].name : "?";
}

bool esp_env_install(struct esp_table *t, uint64_t now_ms)
{
  for (size_t i = 0; i < esp_env_count(); i++) {
    const struct env_suite *s = &suites[i];
    struct ike_ipsec_sa sa = {.rule = (int)i + 1, .protocol = ISAKMP_PROTO_ESP, .encr = s->encr,
                              .key_bits = s->bits, .auth = s->auth, .encap = s->encap,
                              .spi_in = esp_env_spi(i), .spi_out = esp_env_spi(i),
                              .enc_key_len = s->enc_key, .auth_key_len = s->auth_key,
                              .life_seconds = 3600, .life_kbytes = 4096};
    for (size_t k = 0; k < sizeof sa.key_in; k++)
      sa.key_in[k] = sa.key_out[k] = (uint8_t)(k * 13 + i);
    char why[160];
    if (!esp_table_add(t, now_ms, &sa, why, sizeof why))
      return false;
  }
  return true;
}

void esp_env_reset(struct esp_table *t, uint64_t now_ms)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++) {
    struct esp_sa *s = &t->sa[i];
    if (!s->used)
      continue;
    uint32_t window = s->replay.size;
    memset(&s->replay, 0, sizeof s->replay);
    s->replay.size = window;
    s->seq_out = 0;
    s->added_ms = s->last_in_ms = now_ms;
    memset(&s->count, 0, sizeof s->count);
    memset(s->iv_mask, 0, sizeof s->iv_mask);
    s->iv_mask_set = false;
  }
  memset(t->unmatched, 0, sizeof t->unmatched);
}

void esp_env_random(void *ctx, uint8_t *out, size_t len)
{
  uint64_t *state = ctx;
  for (size_t i = 0; i < len; i++) {
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = (uint8_t)(*state >> 56);
  }
}
