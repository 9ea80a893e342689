/* MODP Diffie-Hellman for IKEv1 (RFC 2409 §6, RFC 3526).
 *
 * The private exponent comes from the caller (the engine's injected
 * generator), so key pairs are reproducible. OpenSSL's key generation cannot
 * take a given exponent, so both g^x and the shared g^xy are
 * BN_mod_exp_mont_consttime with the group's prime and Montgomery context
 * made once. Groups 5/14/15/16 take p and g from OpenSSL's named groups; 1
 * and 2 are OpenSSL's copies of the RFC 2409 primes with generator 2. A
 * peer's value must lie in the order-q subgroup g generates, in every group.
 *
 * The engine's exponents are short (ike_dh_priv_len): twice the group's
 * security strength or more, inside RFC 3526 §8's range, instead of the
 * prime's full length. A modular exponentiation costs in proportion to the
 * exponent's bits, and DH was 96% of a handshake's CPU. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ikelab/buf.h"
#include "ikelab/ike_crypto.h"

struct dh_group {
  unsigned group;
  size_t len;
  const char *name;                 /* OpenSSL named group, or NULL */
  BIGNUM *(*prime)(BIGNUM *);       /* when not named */
  size_t priv_len;                  /* our private exponents, bytes */
};

static const struct dh_group groups[] = {
    {OAKLEY_GROUP_MODP768, 96, NULL, BN_get_rfc2409_prime_768, 20},
    {OAKLEY_GROUP_MODP1024, 128, NULL, BN_get_rfc2409_prime_1024, 20},
    {OAKLEY_GROUP_MODP1536, 192, "modp_1536", NULL, 25},
    {OAKLEY_GROUP_MODP2048, 256, "modp_2048", NULL, 29},
    {OAKLEY_GROUP_MODP3072, 384, "modp_3072", NULL, 35},
    {OAKLEY_GROUP_MODP4096, 512, "modp_4096", NULL, 41},
};

static const struct dh_group *find_group(unsigned group)
{
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
    if (groups[i].group == group)
      return &groups[i];
  return NULL;
}

bool ike_dh_group_known(unsigned group) { return find_group(group) != NULL; }

size_t ike_dh_len(unsigned group)
{
  const struct dh_group *g = find_group(group);
  return g != NULL ? g->len : 0;
}

/* A group's arithmetic, made once per process: p and g as OpenSSL gives
 * them (the named groups' own copies, or RFC 2409's primes with g = 2) and
 * p's Montgomery context. Every exchange reuses them instead of building
 * domain parameters again (like the fetched algorithms elsewhere: not
 * thread-safe, on purpose). */
struct group_math {
  bool tried, ok;
  BIGNUM *p, *g;
  BN_MONT_CTX *mont;
};

static bool named_pg(const struct dh_group *grp, BIGNUM **p, BIGNUM **g)
{
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  bool ok = bld != NULL &&
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, grp->name, 0) &&
            (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
            (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) != NULL &&
            EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params) == 1 &&
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_P, p) == 1 &&
            EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_G, g) == 1;
  EVP_PKEY_free(pkey);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return ok;
}

static const struct group_math *group_math(const struct dh_group *grp)
{
  enum { NGROUPS = sizeof groups / sizeof groups[0] };
  static struct group_math cache[NGROUPS];
  struct group_math *m = &cache[grp - groups];
  if (m->tried)
    return m->ok ? m : NULL;
  m->tried = true;
  BN_CTX *bnctx = BN_CTX_new();
  bool ok = bnctx != NULL;
  if (ok && grp->name != NULL)
    ok = named_pg(grp, &m->p, &m->g);
  else if (ok)
    ok = (m->p = grp->prime(NULL)) != NULL && (m->g = BN_new()) != NULL && BN_set_word(m->g, 2);
  ok = ok && (size_t)BN_num_bytes(m->p) == grp->len && (m->mont = BN_MONT_CTX_new()) != NULL &&
       BN_MONT_CTX_set(m->mont, m->p, bnctx);
  BN_CTX_free(bnctx);
  m->ok = ok;
  return ok ? m : NULL;
}

/* True if 1 < v < p-1: refuses 0, 1, p-1 and anything >= p. */
static bool in_open_range(const BIGNUM *v, const BIGNUM *p)
{
  BIGNUM *pm1 = BN_dup(p);
  bool ok = pm1 != NULL && BN_sub_word(pm1, 1) &&
            BN_cmp(v, BN_value_one()) > 0 && BN_cmp(v, pm1) < 0;
  BN_free(pm1);
  return ok;
}

/* Every MODP prime is a safe prime p = 2q + 1 with p = 7 (mod 8), so 2 is a
 * quadratic residue and g = 2 generates exactly the residues, the subgroup
 * of order q. A value is in it iff its Legendre symbol is 1: a Jacobi
 * symbol computation instead of the exponentiation y^q that a subgroup
 * check would otherwise cost (as much as the key agreement itself). */
static bool in_subgroup(const BIGNUM *v, const BIGNUM *p, BN_CTX *bnctx)
{
  return BN_kronecker(v, p, bnctx) == 1;
}

bool ike_dh_generate(unsigned group, const uint8_t *priv, size_t privlen,
                     struct ike_dh *out)
{
  const struct dh_group *grp = find_group(group);
  const struct group_math *m = grp != NULL ? group_math(grp) : NULL;
  if (m == NULL || priv == NULL || privlen == 0 || privlen > grp->len)
    return false;
  BIGNUM *pub = NULL;
  BIGNUM *x = BN_secure_new();
  BN_CTX *bnctx = BN_CTX_secure_new();
  bool ok = x != NULL && bnctx != NULL && (pub = BN_new()) != NULL &&
            BN_bin2bn(priv, (int)privlen, x) != NULL && in_open_range(x, m->p) &&
            BN_mod_exp_mont_consttime(pub, m->g, x, m->p, bnctx, m->mont) &&
            in_open_range(pub, m->p);
  if (ok) {
    memset(out, 0, sizeof *out);
    out->group = group;
    out->len = grp->len;
    memcpy(out->priv, priv, privlen);
    out->privlen = privlen;
    ok = BN_bn2binpad(pub, out->pub, (int)grp->len) == (int)grp->len;
    if (!ok)
      ike_dh_clear(out);
  }
  BN_clear_free(x);
  BN_CTX_free(bnctx);
  BN_free(pub);
  return ok;
}

/* g^xy padded to the prime's length: RFC 2409 uses it as a fixed-length
 * string, leading zeros kept. */
bool ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peerlen,
                   uint8_t out[IKE_DH_MAX])
{
  const struct dh_group *grp = find_group(dh->group);
  const struct group_math *m = grp != NULL ? group_math(grp) : NULL;
  if (m == NULL || dh->len != grp->len || peer == NULL || peerlen != grp->len ||
      dh->privlen == 0 || dh->privlen > grp->len)
    return false;
  BIGNUM *peer_pub = NULL, *shared = NULL;
  BIGNUM *x = BN_secure_new();
  BN_CTX *bnctx = BN_CTX_secure_new();
  bool ok = x != NULL && bnctx != NULL && (shared = BN_secure_new()) != NULL &&
            BN_bin2bn(dh->priv, (int)dh->privlen, x) != NULL &&
            (peer_pub = BN_bin2bn(peer, (int)peerlen, NULL)) != NULL &&
            in_open_range(peer_pub, m->p) && in_subgroup(peer_pub, m->p, bnctx) &&
            BN_mod_exp_mont_consttime(shared, peer_pub, x, m->p, bnctx, m->mont) &&
            BN_bn2binpad(shared, out, (int)grp->len) == (int)grp->len;
  if (!ok)
    OPENSSL_cleanse(out, grp != NULL ? grp->len : 0);
  BN_clear_free(x);
  BN_clear_free(shared);
  BN_CTX_free(bnctx);
  BN_free(peer_pub);
  return ok;
}

size_t ike_dh_priv_len(unsigned group)
{
  const struct dh_group *g = find_group(group);
  return g != NULL ? g->priv_len : 0;
}

/* A group's prime as big-endian bytes, made once (like the fetched
 * algorithms elsewhere: not thread-safe, on purpose). */
static const uint8_t *prime_bytes(const struct dh_group *grp)
{
  enum { NGROUPS = sizeof groups / sizeof groups[0] };
  static uint8_t cache[NGROUPS][IKE_DH_MAX];
  static bool have[NGROUPS];
  size_t i = (size_t)(grp - groups);
  if (!have[i]) {
    const struct group_math *m = group_math(grp);
    have[i] = grp->len <= IKE_DH_MAX && m != NULL &&
              BN_bn2binpad(m->p, cache[i], (int)grp->len) == (int)grp->len;
  }
  return have[i] ? cache[i] : NULL;
}

bool ike_dh_peer_in_range(unsigned group, const uint8_t *peer, size_t peerlen)
{
  const struct dh_group *grp = find_group(group);
  const uint8_t *p = grp != NULL ? prime_bytes(grp) : NULL;
  uint8_t v[IKE_DH_MAX];
  struct buf_reader r;
  br_init(&r, peer, peerlen);
  /* The packet's bytes come in through the reader, then are compared. */
  if (p == NULL || peer == NULL || peerlen != grp->len || !br_copy(&r, v, peerlen))
    return false;
  /* 1 < v: some byte before the last is set, or the last is above 1. */
  bool above_one = v[peerlen - 1] > 1 || !slice_is_zero(slice_of(v, peerlen - 1));
  /* v < p - 1: p is odd, so p - 1 differs from p only in its last byte. */
  int head = memcmp(v, p, peerlen - 1);
  bool below = head < 0 || (head == 0 && v[peerlen - 1] < p[peerlen - 1] - 1);
  return above_one && below;
}

void ike_dh_clear(struct ike_dh *dh)
{
  OPENSSL_cleanse(dh, sizeof *dh);
}
