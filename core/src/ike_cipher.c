/* CBC encryption of IKEv1 messages: DES, 3DES and AES, no padding.
 *
 * Single DES lives in OpenSSL 3's legacy provider, which would have to be
 * loaded into a library context. Instead DES-CBC runs as DES-EDE3-CBC with
 * the key K|K|K: encrypt-decrypt-encrypt with one key is single DES, by
 * 3DES's design (its backward compatibility), and the default provider has
 * it. The FIPS 81 DES-CBC vector in the tests checks this. */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikelab/ike_crypto.h"
#include "not_under_test.h"

size_t ike_cipher_block_size(unsigned alg)
{
  switch (alg) {
  case OAKLEY_ENCR_DES_CBC:
  case OAKLEY_ENCR_3DES_CBC: return 8;
  case OAKLEY_ENCR_AES_CBC: return 16;
  default: return 0;
  }
}

size_t ike_cipher_key_len(unsigned alg, unsigned key_length_bits)
{
  switch (alg) {
  case OAKLEY_ENCR_DES_CBC:
    return key_length_bits == 0 || key_length_bits == 64 ? 8 : 0;
  case OAKLEY_ENCR_3DES_CBC:
    return key_length_bits == 0 || key_length_bits == 192 ? 24 : 0;
  case OAKLEY_ENCR_AES_CBC:
    if (key_length_bits == 0)
      return 16; /* RFC 3602 §5: AES-128 when the attribute is absent */
    if (key_length_bits == 128 || key_length_bits == 192 || key_length_bits == 256)
      return key_length_bits / 8;
    return 0;
  default:
    return 0;
  }
}

/* The OpenSSL cipher for alg and a key of keylen bytes, or NULL. */
static const char *cipher_name(unsigned alg, size_t keylen)
{
  switch (alg) {
  case OAKLEY_ENCR_DES_CBC: return keylen == 8 ? "DES-EDE3-CBC" : NULL;
  case OAKLEY_ENCR_3DES_CBC: return keylen == 24 ? "DES-EDE3-CBC" : NULL;
  case OAKLEY_ENCR_AES_CBC:
    return keylen == 16 ? "AES-128-CBC" : keylen == 24 ? "AES-192-CBC"
         : keylen == 32 ? "AES-256-CBC" : NULL;
  default: return NULL;
  }
}

/* Speed: a fetch, a context and a DES/AES key schedule per call cost more
 * than the CBC pass over a short IKE message (and ten times that under
 * ASan). Each cipher is fetched once, and one context per direction is kept
 * keyed with the last key it was given: the engine decrypts and encrypts a
 * whole exchange with one Phase 1 key, so most calls only set the IV. The
 * key is compared in constant time and kept (with its schedule) in static
 * storage until a call with another key replaces it. Not thread-safe, on
 * purpose: the engine is single-threaded. */
struct keyed {
  EVP_CIPHER_CTX *ctx;
  const EVP_CIPHER *cipher; /* NULL: not keyed */
  uint8_t key[IKE_KEY_MAX];  /* the key as given to OpenSSL (DES: K|K|K) */
  size_t keylen;
};

static const EVP_CIPHER *fetched(const char *name)
{
  static struct {
    const char *name;
    EVP_CIPHER *cipher;
  } table[] = {{"DES-EDE3-CBC", NULL}, {"AES-128-CBC", NULL}, {"AES-192-CBC", NULL},
               {"AES-256-CBC", NULL}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(table[i].name, name) == 0) {
      if (table[i].cipher == NULL)
        table[i].cipher = EVP_CIPHER_fetch(NULL, name, NULL);
      return table[i].cipher;
    }
  return NULL;
}

/* The context for direction enc, keyed with key and set to iv. */
static EVP_CIPHER_CTX *keyed_ctx(int enc, const EVP_CIPHER *cipher, const uint8_t *key,
                                 size_t keylen, const uint8_t *iv)
{
  static struct keyed dir[2];
  struct keyed *k = &dir[enc != 0];
  if (k->ctx == NULL && (k->ctx = EVP_CIPHER_CTX_new()) == NULL)
    return NULL;
  bool same = k->cipher == cipher && k->keylen == keylen && keylen <= sizeof k->key &&
              CRYPTO_memcmp(k->key, key, keylen) == 0;
  if (!same) {
    /* Forget the old key first, so that a failed init leaves nothing keyed. */
    k->cipher = NULL;
    OPENSSL_cleanse(k->key, sizeof k->key);
    /* Padding off once: a later init with only an IV keeps it off. */
    if (keylen > sizeof k->key || EVP_CIPHER_CTX_reset(k->ctx) != 1 ||
        EVP_CipherInit_ex2(k->ctx, cipher, key, iv, enc, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(k->ctx, 0) != 1)
      return NULL;
    memcpy(k->key, key, keylen);
    k->keylen = keylen;
    k->cipher = cipher;
  } else if (EVP_CipherInit_ex2(k->ctx, NULL, NULL, iv, enc, NULL) != 1) {
    return NULL;
  }
  return k->ctx;
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* Fuzz builds only, for the targets that ask (ike_crypto_fuzz_stand_in):
 * CBC over a keyed, invertible mix of 64-bit words instead of DES or AES.
 * Block size, chaining and every check before it stay as they are, so the
 * engine's padding, IV and length handling run unchanged, and a wrong key
 * or IV still yields garbage; OpenSSL's per-call context set-up, most of
 * the cost of a short IKE message, goes. Test machinery, not code under
 * test: kept out of libFuzzer's coverage. */

NOT_UNDER_TEST static uint64_t mul_inverse(uint64_t m)
{
  uint64_t x = m; /* Newton: each step doubles the correct low bits (m odd) */
  for (int i = 0; i < 6; i++)
    x *= 2 - m * x;
  return x;
}

struct word_key {
  uint64_t k0, k1, mul, inv;
};

NOT_UNDER_TEST static struct word_key word_key_of(const uint8_t *key, size_t keylen)
{
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the key */
  for (size_t i = 0; i < keylen; i++)
    h = (h ^ key[i]) * 0x100000001b3ull;
  struct word_key k = {h, h * 0xbf58476d1ce4e5b9ull + 1, (h << 1) | 1, 0};
  k.inv = mul_inverse(k.mul);
  return k;
}

NOT_UNDER_TEST static uint64_t word_enc(const struct word_key *k, uint64_t w)
{
  return (w ^ k->k0) * k->mul + k->k1;
}

NOT_UNDER_TEST static uint64_t word_dec(const struct word_key *k, uint64_t w)
{
  return ((w - k->k1) * k->inv) ^ k->k0;
}

/* One block of 8 or 16 bytes; the second word depends on the first. */
NOT_UNDER_TEST static void block_apply(int enc, const struct word_key *k, size_t block,
                                       uint8_t *b)
{
  uint64_t a, c = 0;
  memcpy(&a, b, 8);
  if (block == 16)
    memcpy(&c, b + 8, 8);
  if (enc) {
    a = word_enc(k, a);
    c = word_enc(k, c ^ a);
  } else {
    uint64_t a_in = a;
    a = word_dec(k, a);
    c = word_dec(k, c) ^ a_in;
  }
  memcpy(b, &a, 8);
  if (block == 16)
    memcpy(b + 8, &c, 8);
}

NOT_UNDER_TEST static bool stand_in_cbc(int enc, size_t block, const uint8_t *key,
                                        size_t keylen, const uint8_t *iv, const uint8_t *in,
                                        size_t len, uint8_t *out)
{
  struct word_key k = word_key_of(key, keylen);
  uint8_t prev[IKE_BLOCK_MAX], cur[IKE_BLOCK_MAX];
  memcpy(prev, iv, block);
  for (size_t at = 0; at < len; at += block) {
    memcpy(cur, in + at, block); /* in and out may be the same buffer */
    if (enc) {
      for (size_t i = 0; i < block; i++)
        cur[i] ^= prev[i];
      block_apply(1, &k, block, cur);
      memcpy(prev, cur, block);
      memcpy(out + at, cur, block);
    } else {
      uint8_t c[IKE_BLOCK_MAX];
      memcpy(c, cur, block);
      block_apply(0, &k, block, cur);
      for (size_t i = 0; i < block; i++)
        cur[i] ^= prev[i];
      memcpy(prev, c, block);
      memcpy(out + at, cur, block);
    }
  }
  return true;
}
#endif

static bool cbc(int enc, unsigned alg, const uint8_t *key, size_t keylen,
                const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
  const char *name = cipher_name(alg, keylen);
  size_t block = ike_cipher_block_size(alg);
  if (name == NULL || key == NULL || iv == NULL || len % block != 0 || len > INT_MAX)
    return false;
  if (len == 0)
    return true;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  if (ike_crypto_fuzz_stand_in_active())
    return stand_in_cbc(enc, block, key, keylen, iv, in, len, out);
#endif
  uint8_t k3[24]; /* DES key repeated for EDE3 */
  if (alg == OAKLEY_ENCR_DES_CBC) {
    for (size_t i = 0; i < 3; i++)
      memcpy(k3 + 8 * i, key, 8);
    key = k3;
    keylen = sizeof k3;
  }
  const EVP_CIPHER *cipher = fetched(name);
  EVP_CIPHER_CTX *ctx = cipher != NULL ? keyed_ctx(enc, cipher, key, keylen, iv) : NULL;
  int outl = 0, finl = 0;
  bool ok = ctx != NULL &&
            EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1 &&
            EVP_CipherFinal_ex(ctx, out + outl, &finl) == 1 &&
            (size_t)outl + (size_t)finl == len;
  OPENSSL_cleanse(k3, sizeof k3);
  return ok;
}

bool ike_cbc_encrypt(unsigned alg, const uint8_t *key, size_t keylen,
                     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
  return cbc(1, alg, key, keylen, iv, in, len, out);
}

bool ike_cbc_decrypt(unsigned alg, const uint8_t *key, size_t keylen,
                     const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
  return cbc(0, alg, key, keylen, iv, in, len, out);
}
