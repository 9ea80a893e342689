/* ESP cryptography through OpenSSL 3 EVP: the suite table, keyed contexts
 * per SA and direction (the key schedule runs once, at add; each packet
 * only re-initialises the IV), CBC ciphers, AES-GCM (RFC 4106) and the
 * truncated HMAC ICVs (RFC 2403, 2404, 4868). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "esp_internal.h"
#include "ikelab/isakmp_types.h"

struct esp_crypto {
  EVP_CIPHER_CTX *cipher[2];  /* [ESP_DIR_IN] decrypts, [ESP_DIR_OUT] encrypts */
  EVP_MAC_CTX *mac[2];
  uint8_t salt[2][4];
  struct esp_suite s;
};

static const char *digest_of(uint16_t auth)
{
  switch (auth) {
  case IPSEC_AUTH_HMAC_MD5: return "MD5";
  case IPSEC_AUTH_HMAC_SHA1: return "SHA1";
  case IPSEC_AUTH_HMAC_SHA2_256: return "SHA2-256";
  case IPSEC_AUTH_HMAC_SHA2_384: return "SHA2-384";
  case IPSEC_AUTH_HMAC_SHA2_512: return "SHA2-512";
  default: return NULL;
  }
}

size_t esp_auth_key_len(uint16_t auth)
{
  switch (auth) {
  case IPSEC_AUTH_HMAC_MD5: return 16;
  case IPSEC_AUTH_HMAC_SHA1: return 20;
  case IPSEC_AUTH_HMAC_SHA2_256: return 32;
  case IPSEC_AUTH_HMAC_SHA2_384: return 48;
  case IPSEC_AUTH_HMAC_SHA2_512: return 64;
  default: return 0;
  }
}

size_t esp_icv_len(uint16_t auth)
{
  switch (auth) {
  case IPSEC_AUTH_HMAC_MD5:
  case IPSEC_AUTH_HMAC_SHA1: return 12;           /* -96, RFC 2403/2404 */
  default: return esp_auth_key_len(auth) / 2;         /* RFC 4868: half the hash */
  }
}

static const char *aes_name(bool gcm, size_t key_len)
{
  switch (key_len) {
  case 16: return gcm ? "AES-128-GCM" : "AES-128-CBC";
  case 24: return gcm ? "AES-192-GCM" : "AES-192-CBC";
  case 32: return gcm ? "AES-256-GCM" : "AES-256-CBC";
  default: return NULL;
  }
}

static bool refuse(char *why, size_t whylen, const char *text, unsigned value)
{
  if (why && whylen)
    snprintf(why, whylen, "%s (%u)", text, value);
  return false;
}

/* The cipher half of the suite; the integrity half is added by the caller. */
static bool cipher_of(const struct ike_ipsec_sa *sa, struct esp_suite *s, char *why, size_t wl)
{
  switch (sa->encr) {
  case ISAKMP_ESP_3DES:
    if (sa->key_bits != 0 && sa->key_bits != 192)
      return refuse(why, wl, "3DES key length is 192 bits, not", sa->key_bits);
    *s = (struct esp_suite){.cipher = "DES-EDE3-CBC", .key_len = 24, .iv_len = 8, .block = 8};
    return true;
  case ISAKMP_ESP_AES_CBC:
  case ISAKMP_ESP_AES_GCM_16: {
    bool gcm = sa->encr == ISAKMP_ESP_AES_GCM_16;
    const char *name = aes_name(gcm, sa->key_bits / 8u);
    if (name == NULL || sa->key_bits % 8 != 0)
      return refuse(why, wl, "AES key length must be 128, 192 or 256 bits, not", sa->key_bits);
    *s = (struct esp_suite){.cipher = name, .key_len = sa->key_bits / 8u, .iv_len = gcm ? 8 : 16,
                            .block = gcm ? 4 : 16, .salt_len = gcm ? 4 : 0,
                            .icv_len = gcm ? 16 : 0, .aead = gcm};
    return true;
  }
  case ISAKMP_ESP_NULL:
    *s = (struct esp_suite){.cipher = NULL, .key_len = 0, .iv_len = 0, .block = 4};
    return true;
  default:
    return refuse(why, wl, "unsupported ESP transform", sa->encr);
  }
}

bool esp_suite_of(const struct ike_ipsec_sa *sa, struct esp_suite *s, char *why, size_t wl)
{
  if (sa->protocol != ISAKMP_PROTO_ESP)
    return refuse(why, wl, "not an ESP SA: protocol", sa->protocol);
  if (!cipher_of(sa, s, why, wl))
    return false;
  if (sa->enc_key_len != s->key_len + s->salt_len)
    return refuse(why, wl, "encryption key material has the wrong length",
                  (unsigned)sa->enc_key_len);
  if (s->aead) {
    /* RFC 4106 §8.1 (IKEv1): no integrity transform beside a combined mode. */
    if (sa->auth != 0)
      return refuse(why, wl, "AES-GCM takes no integrity algorithm, got", sa->auth);
  } else if (sa->auth == 0) {
    if (sa->encr == ISAKMP_ESP_NULL)   /* RFC 4303 §3.2: never neither */
      return refuse(why, wl, "ESP_NULL needs an integrity algorithm, got", 0);
  } else {
    if (digest_of(sa->auth) == NULL)
      return refuse(why, wl, "unsupported integrity algorithm", sa->auth);
    s->icv_len = esp_icv_len(sa->auth);
  }
  size_t akey = s->aead ? 0 : esp_auth_key_len(sa->auth);
  if (sa->auth_key_len != akey)
    return refuse(why, wl, "integrity key has the wrong length", (unsigned)sa->auth_key_len);
  if (sa->enc_key_len + sa->auth_key_len > sizeof sa->key_in)
    return refuse(why, wl, "key material too long", (unsigned)(sa->enc_key_len + sa->auth_key_len));
  return true;
}

static EVP_MAC_CTX *hmac_new(uint16_t auth, const uint8_t *key, size_t keylen)
{
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
  EVP_MAC_free(mac);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest_of(auth), 0),
      OSSL_PARAM_construct_end()};
  if (ctx && EVP_MAC_init(ctx, key, keylen, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

static EVP_CIPHER_CTX *cipher_new(const char *name, const uint8_t *key, int enc)
{
  EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
  EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : NULL;
  bool ok = ctx && EVP_CipherInit_ex2(ctx, cipher, key, NULL, enc, NULL) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
  EVP_CIPHER_free(cipher);
  if (!ok) {
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
  }
  return ctx;
}

void esp_crypto_free(struct esp_crypto *c)
{
  if (c == NULL)
    return;
  for (int d = 0; d < 2; d++) {
    EVP_CIPHER_CTX_free(c->cipher[d]);
    EVP_MAC_CTX_free(c->mac[d]);
  }
  OPENSSL_cleanse(c, sizeof *c);
  free(c);
}

struct esp_crypto *esp_crypto_new(const struct ike_ipsec_sa *sa, const struct esp_suite *s)
{
  struct esp_crypto *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->s = *s;
  const uint8_t *keys[2] = {sa->key_in, sa->key_out};
  bool ok = true;
  for (int d = 0; d < 2 && ok; d++) {
    if (s->cipher) {
      c->cipher[d] = cipher_new(s->cipher, keys[d], d == ESP_DIR_OUT);
      ok = c->cipher[d] != NULL;
    }
    memcpy(c->salt[d], keys[d] + s->key_len, s->salt_len);
    if (ok && sa->auth != 0 && !s->aead) {
      c->mac[d] = hmac_new(sa->auth, keys[d] + sa->enc_key_len, sa->auth_key_len);
      ok = c->mac[d] != NULL;
    }
  }
  if (!ok) {
    esp_crypto_free(c);
    return NULL;
  }
  return c;
}

bool esp_crypto_icv(struct esp_crypto *c, enum esp_dir dir, const uint8_t hdr[ESP_HEADER_LEN],
                    const uint8_t *iv, size_t iv_len, const uint8_t *ct, size_t ct_len,
                    uint8_t out[ESP_ICV_MAX])
{
  EVP_MAC_CTX *m = c->mac[dir];
  uint8_t full[EVP_MAX_MD_SIZE];
  size_t n = 0;
  /* A NULL key re-initialises with the key set at add (OpenSSL 3 HMAC). */
  bool ok = m && EVP_MAC_init(m, NULL, 0, NULL) == 1 &&
            EVP_MAC_update(m, hdr, ESP_HEADER_LEN) == 1 &&
            (iv_len == 0 || EVP_MAC_update(m, iv, iv_len) == 1) &&
            (ct_len == 0 || EVP_MAC_update(m, ct, ct_len) == 1) &&
            EVP_MAC_final(m, full, &n, sizeof full) == 1 && n >= c->s.icv_len;
  if (ok)
    memcpy(out, full, c->s.icv_len);
  OPENSSL_cleanse(full, sizeof full);
  return ok;
}

bool esp_crypto_cbc(struct esp_crypto *c, enum esp_dir dir, const uint8_t *iv, uint8_t *buf,
                    size_t len)
{
  EVP_CIPHER_CTX *x = c->cipher[dir];
  if (c->s.cipher == NULL)
    return true;
  if (x == NULL || len % c->s.block != 0 || len > INT_MAX)
    return false;
  if (len == 0)
    return true;
  int outl = 0, finl = 0;
  uint8_t tail[EVP_MAX_BLOCK_LENGTH]; /* Final writes nothing: no padding, whole blocks */
  return EVP_CipherInit_ex2(x, NULL, NULL, iv, dir == ESP_DIR_OUT, NULL) == 1 &&
         EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
         EVP_CipherUpdate(x, buf, &outl, buf, (int)len) == 1 &&
         EVP_CipherFinal_ex(x, tail, &finl) == 1 && (size_t)outl == len && finl == 0;
}

enum esp_aead_result esp_crypto_gcm(struct esp_crypto *c, enum esp_dir dir,
                                    const uint8_t hdr[ESP_HEADER_LEN], const uint8_t iv[8],
                                    uint8_t *buf, size_t len, uint8_t tag[16])
{
  EVP_CIPHER_CTX *x = c->cipher[dir];
  uint8_t nonce[12];   /* RFC 4106 §4: salt | explicit IV */
  memcpy(nonce, c->salt[dir], 4);
  memcpy(nonce + 4, iv, 8);
  int outl = 0, aadl = 0, finl = 0;
  uint8_t tail[EVP_MAX_BLOCK_LENGTH]; /* GCM's Final writes nothing */
  if (x == NULL || len > INT_MAX ||
      EVP_CipherInit_ex2(x, NULL, NULL, nonce, dir == ESP_DIR_OUT, NULL) != 1 ||
      EVP_CipherUpdate(x, NULL, &aadl, hdr, ESP_HEADER_LEN) != 1 ||
      (len && EVP_CipherUpdate(x, buf, &outl, buf, (int)len) != 1))
    return ESP_AEAD_ERROR;
  if (dir == ESP_DIR_IN) {
    if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
      return ESP_AEAD_ERROR;
    /* Final fails exactly when the tag does not match. */
    return EVP_CipherFinal_ex(x, tail, &finl) == 1 ? ESP_AEAD_OK : ESP_AEAD_BAD_TAG;
  }
  if (EVP_CipherFinal_ex(x, tail, &finl) != 1 ||
      EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
    return ESP_AEAD_ERROR;
  return ESP_AEAD_OK;
}

bool esp_icv(uint16_t auth, const uint8_t *key, size_t keylen, const uint8_t *data, size_t len,
             uint8_t out[ESP_ICV_MAX])
{
  if (digest_of(auth) == NULL)
    return false;
  EVP_MAC_CTX *m = hmac_new(auth, key, keylen);
  uint8_t full[EVP_MAX_MD_SIZE];
  size_t n = 0;
  bool ok = m && (len == 0 || EVP_MAC_update(m, data, len) == 1) &&
            EVP_MAC_final(m, full, &n, sizeof full) == 1 && n >= esp_icv_len(auth);
  if (ok)
    memcpy(out, full, esp_icv_len(auth));
  EVP_MAC_CTX_free(m);
  return ok;
}
