/* Hashes and the HMAC prf of IKEv1, over concatenations of pieces. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikelab/ike_crypto.h"

/* OpenSSL's name of each Oakley hash (the digest fetched for both the hash
 * and HMAC); NULL if we do not support it (Tiger). */
static const char *digest_name(unsigned alg)
{
  switch (alg) {
  case OAKLEY_HASH_MD5: return "MD5";
  case OAKLEY_HASH_SHA1: return "SHA1";
  case OAKLEY_HASH_SHA2_256: return "SHA2-256";
  case OAKLEY_HASH_SHA2_384: return "SHA2-384";
  case OAKLEY_HASH_SHA2_512: return "SHA2-512";
  default: return NULL;
  }
}

size_t ike_hash_len(unsigned alg)
{
  switch (alg) {
  case OAKLEY_HASH_MD5: return 16;
  case OAKLEY_HASH_SHA1: return 20;
  case OAKLEY_HASH_SHA2_256: return 32;
  case OAKLEY_HASH_SHA2_384: return 48;
  case OAKLEY_HASH_SHA2_512: return 64;
  default: return 0;
  }
}

bool ike_hash(unsigned alg, const struct ike_piece *pieces, size_t n,
              uint8_t out[IKE_HASH_MAX])
{
  const char *name = digest_name(alg);
  if (name == NULL)
    return false;
  EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  bool ok = md != NULL && ctx != NULL && EVP_DigestInit_ex2(ctx, md, NULL) == 1;
  for (size_t i = 0; ok && i < n; i++)
    ok = pieces[i].len == 0 || EVP_DigestUpdate(ctx, pieces[i].ptr, pieces[i].len) == 1;
  unsigned int outlen = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == ike_hash_len(alg);
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  return ok;
}

bool ike_prf(unsigned alg, const uint8_t *key, size_t keylen,
             const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX])
{
  const char *name = digest_name(alg);
  if (name == NULL)
    return false;
  /* An empty key still needs a valid pointer for EVP_MAC_init to take it. */
  static const uint8_t empty_key[1];
  if (keylen == 0)
    key = empty_key;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0),
      OSSL_PARAM_construct_end(),
  };
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
  bool ok = ctx != NULL && EVP_MAC_init(ctx, key, keylen, params) == 1;
  for (size_t i = 0; ok && i < n; i++)
    ok = pieces[i].len == 0 || EVP_MAC_update(ctx, pieces[i].ptr, pieces[i].len) == 1;
  size_t outlen = 0;
  ok = ok && EVP_MAC_final(ctx, out, &outlen, IKE_HASH_MAX) == 1 &&
       outlen == ike_hash_len(alg);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  return ok;
}

bool ike_mem_equal(const void *a, const void *b, size_t len)
{
  return CRYPTO_memcmp(a, b, len) == 0;
}
