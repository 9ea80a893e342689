/* Shared between the esp_*.c files only: the suite table, the OpenSSL
 * contexts of one SA and the replay window operations. */
#ifndef IKELAB_ESP_INTERNAL_H
#define IKELAB_ESP_INTERNAL_H

#include "ikelab/esp.h"

/* The fixed sizes of one encr/auth combination. */
struct esp_suite {
  const char *cipher;     /* OpenSSL name, NULL for ESP_NULL */
  size_t key_len;         /* cipher key without the GCM salt */
  size_t salt_len;        /* 4 for GCM (RFC 4106 §8.1), else 0 */
  size_t iv_len, block;   /* block: payload alignment, at least 4 */
  size_t icv_len;
  bool aead;
};

/* Checks an SA's algorithms and key lengths; false with why filled. */
bool esp_suite_of(const struct ike_ipsec_sa *sa, struct esp_suite *out, char *why,
                  size_t whylen);

/* Keyed contexts for both directions; NULL when OpenSSL fails. */
struct esp_crypto *esp_crypto_new(const struct ike_ipsec_sa *sa, const struct esp_suite *s);
void esp_crypto_free(struct esp_crypto *c);

enum esp_dir { ESP_DIR_IN, ESP_DIR_OUT };

/* HMAC ICV over header (SPI, seq), IV and ciphertext, truncated. */
bool esp_crypto_icv(struct esp_crypto *c, enum esp_dir dir, const uint8_t hdr[ESP_HEADER_LEN],
                    const uint8_t *iv, size_t iv_len, const uint8_t *ct, size_t ct_len,
                    uint8_t out[ESP_ICV_MAX]);
/* CBC in place: decrypts inbound, encrypts outbound. No-op for ESP_NULL. */
bool esp_crypto_cbc(struct esp_crypto *c, enum esp_dir dir, const uint8_t *iv, uint8_t *buf,
                    size_t len);

enum esp_aead_result { ESP_AEAD_OK, ESP_AEAD_BAD_TAG, ESP_AEAD_ERROR };
/* GCM in place with AAD = header: outbound writes the tag, inbound checks it. */
enum esp_aead_result esp_crypto_gcm(struct esp_crypto *c, enum esp_dir dir,
                                    const uint8_t hdr[ESP_HEADER_LEN], const uint8_t iv[8],
                                    uint8_t *buf, size_t len, uint8_t tag[16]);

/* ---- replay window (esp_replay.c) ---- */
void esp_replay_init(struct esp_replay *w, uint32_t size);
/* True when seq may be accepted (RFC 4303 §3.4.3); changes nothing. */
bool esp_replay_check(const struct esp_replay *w, uint32_t seq);
/* Records an authentic seq (call only after esp_replay_check and the ICV). */
void esp_replay_update(struct esp_replay *w, uint32_t seq);

#endif
