/* Hashes and the HMAC prf of IKEv1, over concatenations of pieces.
 *
 * Speed: OpenSSL 3 makes every EVP_*_fetch and every context allocation a
 * trip through its provider store and the heap; under ASan that cost ten
 * times the hashing itself, on every HASH, prf and packet digest. So each
 * algorithm is fetched once and its context kept and re-initialised per
 * call, in static storage created on first use and kept for the life of the
 * process. Not thread-safe, on purpose: the engine is single-threaded (one
 * engine per thread would need these tables per thread). The results are
 * exactly those of a fresh context: EVP_DigestInit_ex2 and EVP_MAC_init
 * with a key start over from scratch. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ikelab/ike_crypto.h"
#include "not_under_test.h"

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

/* Per Oakley hash: the fetched digest, a digest context and an HMAC context
 * with that digest already set (only the key changes per call). Oakley hash
 * numbers are 1..6; slot 0 stays empty. */
struct hash_slot {
  EVP_MD *md;
  EVP_MD_CTX *hash;
  EVP_MAC_CTX *hmac;
};
static struct hash_slot slots[8];

static EVP_MD_CTX *hash_ctx(unsigned alg, const EVP_MD **md)
{
  const char *name = digest_name(alg);
  if (name == NULL || alg >= sizeof slots / sizeof slots[0])
    return NULL;
  struct hash_slot *s = &slots[alg];
  if (s->md == NULL)
    s->md = EVP_MD_fetch(NULL, name, NULL);
  if (s->md != NULL && s->hash == NULL)
    s->hash = EVP_MD_CTX_new();
  *md = s->md;
  return s->md != NULL ? s->hash : NULL;
}

static EVP_MAC_CTX *hmac_ctx(unsigned alg)
{
  static EVP_MAC *hmac;
  const char *name = digest_name(alg);
  if (name == NULL || alg >= sizeof slots / sizeof slots[0])
    return NULL;
  struct hash_slot *s = &slots[alg];
  if (s->hmac != NULL)
    return s->hmac;
  if (hmac == NULL && (hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
    return NULL;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0),
      OSSL_PARAM_construct_end(),
  };
  EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);
  if (ctx == NULL || EVP_MAC_CTX_set_params(ctx, params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return NULL;
  }
  return s->hmac = ctx;
}

static bool real_hash(unsigned alg, const struct ike_piece *pieces, size_t n,
                      uint8_t out[IKE_HASH_MAX])
{
  const EVP_MD *md = NULL;
  EVP_MD_CTX *ctx = hash_ctx(alg, &md);
  bool ok = ctx != NULL && EVP_DigestInit_ex2(ctx, md, NULL) == 1;
  for (size_t i = 0; ok && i < n; i++)
    ok = pieces[i].len == 0 || EVP_DigestUpdate(ctx, pieces[i].ptr, pieces[i].len) == 1;
  unsigned int outlen = 0;
  return ok && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == ike_hash_len(alg);
}

/* out = HMAC-alg(key, pieces...), through the cached context. */
static bool hmac_prf(unsigned alg, const uint8_t *key, size_t keylen,
                     const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX])
{
  EVP_MAC_CTX *ctx = hmac_ctx(alg);
  /* An empty key still needs a valid pointer for EVP_MAC_init to take it
   * (a NULL key would mean "keep the previous one"). */
  static const uint8_t empty_key[1];
  if (keylen == 0)
    key = empty_key;
  bool ok = ctx != NULL && key != NULL && EVP_MAC_init(ctx, key, keylen, NULL) == 1;
  for (size_t i = 0; ok && i < n; i++)
    ok = pieces[i].len == 0 || EVP_MAC_update(ctx, pieces[i].ptr, pieces[i].len) == 1;
  size_t outlen = 0;
  return ok && EVP_MAC_final(ctx, out, &outlen, IKE_HASH_MAX) == 1 &&
         outlen == ike_hash_len(alg);
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* Fuzz builds only, for the targets that ask (ike_crypto_fuzz_stand_in;
 * "fuzz builds may skip DH and HASH work"): the hash and the prf are a
 * keyed 64-bit mix instead of SHA and HMAC. The output still
 * has the algorithm's length and depends on the algorithm, the key and
 * every input byte (not on how the input is cut into pieces), so a HASH
 * check fails on the wrong bytes exactly as before and two fuzz-build
 * engines agree with each other. OpenSSL's digests, a third of a Quick
 * Mode under ASan (each HMAC allocates and copies contexts), are not the
 * code under test; the real path is the one every other build and test
 * runs. A target whose seeds carry recorded HASH values and encrypted
 * bodies (fuzz_responder) leaves it off: they were computed with HMAC.
 * Kept out of libFuzzer's coverage: test machinery, not code under test. */

struct mix {
  uint64_t h, total;
  uint8_t part[8];
  size_t n;
};

NOT_UNDER_TEST static uint64_t mix64(uint64_t h)
{
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

NOT_UNDER_TEST static void mix_bytes(struct mix *m, const uint8_t *p, size_t len)
{
  m->total += len;
  while (len) {
    size_t take = 8 - m->n < len ? 8 - m->n : len;
    memcpy(m->part + m->n, p, take);
    m->n += take;
    p += take;
    len -= take;
    if (m->n == 8) {
      uint64_t w;
      memcpy(&w, m->part, 8);
      m->h = mix64(m->h ^ w);
      m->n = 0;
    }
  }
}

/* Ends a stream (its length included, so "ab"+"" and "a"+"b" differ only
 * where the streams are separate: key and data). */
NOT_UNDER_TEST static void mix_end(struct mix *m)
{
  uint64_t w = 0;
  memcpy(&w, m->part, m->n);
  m->h = mix64(m->h ^ w ^ (m->total << 3) ^ 0x80);
  m->n = 0;
  m->total = 0;
}

NOT_UNDER_TEST static bool stand_in(unsigned alg, bool keyed, const uint8_t *key, size_t keylen,
                              const struct ike_piece *pieces, size_t n,
                              uint8_t out[IKE_HASH_MAX])
{
  size_t len = ike_hash_len(alg);
  if (digest_name(alg) == NULL || len == 0 || (keylen && key == NULL))
    return false;
  struct mix m = {.h = mix64(0x9e3779b97f4a7c15ull ^ alg ^ ((uint64_t)keyed << 8))};
  if (keyed) {
    mix_bytes(&m, key, keylen);
    mix_end(&m);
  }
  for (size_t i = 0; i < n; i++)
    if (pieces[i].len)
      mix_bytes(&m, pieces[i].ptr, pieces[i].len);
  mix_end(&m);
  for (size_t at = 0; at < len; at += 8) {
    uint64_t w = mix64(m.h + at * 0x9e3779b97f4a7c15ull);
    memcpy(out + at, &w, len - at < 8 ? len - at : 8);
  }
  return true;
}

/* Fuzz builds only: the last few prf calls and their results. A fuzz input
 * replays a near-identical exchange.
 * An entry matches only on the same algorithm, key and input bytes, all
 * compared in full (CRYPTO_memcmp: libFuzzer's memcmp hook would turn the
 * cache's compares into fuzzer features), so the answer is exactly what
 * HMAC would give. Inputs longer than MEMO_DATA bypass it. The cache is
 * test machinery, not code under test: kept out of libFuzzer's coverage. */
enum { MEMO_SLOTS = 16, MEMO_DATA = 2048 };
static struct prf_memo {
  unsigned alg;
  size_t keylen, len;
  uint8_t key[IKE_HASH_MAX], data[MEMO_DATA], out[IKE_HASH_MAX];
} memo[MEMO_SLOTS];
static size_t memo_next;

/* The pieces as one string in buf; false if they do not fit. */
NOT_UNDER_TEST static bool memo_join(const struct ike_piece *pieces, size_t n, uint8_t *buf, size_t *len)
{
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    if (pieces[i].len > MEMO_DATA - at)
      return false;
    if (pieces[i].len)
      memcpy(buf + at, pieces[i].ptr, pieces[i].len);
    at += pieces[i].len;
  }
  *len = at;
  return true;
}

NOT_UNDER_TEST static struct prf_memo *memo_find(unsigned alg, const uint8_t *key, size_t keylen,
                                  const uint8_t *data, size_t len)
{
  for (size_t i = 0; i < MEMO_SLOTS; i++) {
    struct prf_memo *m = &memo[i];
    if (m->alg == alg && m->keylen == keylen && m->len == len &&
        CRYPTO_memcmp(m->key, key, keylen) == 0 && CRYPTO_memcmp(m->data, data, len) == 0)
      return m;
  }
  return NULL;
}

NOT_UNDER_TEST static bool memo_prf(unsigned alg, const uint8_t *key, size_t keylen,
                                       const struct ike_piece *pieces, size_t n,
                                       uint8_t out[IKE_HASH_MAX])
{
  static uint8_t joined[MEMO_DATA];
  size_t len = 0;
  if (digest_name(alg) == NULL || (key == NULL && keylen) || keylen > IKE_HASH_MAX ||
      !memo_join(pieces, n, joined, &len))
    return hmac_prf(alg, key, keylen, pieces, n, out);
  struct prf_memo *m = memo_find(alg, key, keylen, joined, len);
  if (m != NULL) {
    memcpy(out, m->out, ike_hash_len(alg));
    return true;
  }
  if (!hmac_prf(alg, key, keylen, pieces, n, out))
    return false;
  m = &memo[memo_next++ % MEMO_SLOTS];
  m->alg = alg;
  m->keylen = keylen;
  m->len = len;
  if (keylen)
    memcpy(m->key, key, keylen);
  memcpy(m->data, joined, len);
  memcpy(m->out, out, ike_hash_len(alg));
  return true;
}
static bool stand_in_on;

void ike_crypto_fuzz_stand_in(bool on)
{
  stand_in_on = on;
}

bool ike_crypto_fuzz_stand_in_active(void)
{
  return stand_in_on;
}

bool ike_hash(unsigned alg, const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX])
{
  if (stand_in_on)
    return stand_in(alg, false, NULL, 0, pieces, n, out);
  return real_hash(alg, pieces, n, out);
}

bool ike_prf(unsigned alg, const uint8_t *key, size_t keylen, const struct ike_piece *pieces,
             size_t n, uint8_t out[IKE_HASH_MAX])
{
  if (stand_in_on)
    return stand_in(alg, true, key, keylen, pieces, n, out);
  return memo_prf(alg, key, keylen, pieces, n, out);
}
#else
bool ike_hash(unsigned alg, const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX])
{
  return real_hash(alg, pieces, n, out);
}

bool ike_prf(unsigned alg, const uint8_t *key, size_t keylen,
             const struct ike_piece *pieces, size_t n, uint8_t out[IKE_HASH_MAX])
{
  return hmac_prf(alg, key, keylen, pieces, n, out);
}
#endif

bool ike_mem_equal(const void *a, const void *b, size_t len)
{
  return CRYPTO_memcmp(a, b, len) == 0;
}
