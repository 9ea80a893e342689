/* MODP Diffie-Hellman for IKEv1 (RFC 2409 §6, RFC 3526).
 *
 * The private exponent comes from the caller (the engine's injected
 * generator), so key pairs are reproducible. OpenSSL's key generation cannot
 * take a given exponent, so the public value is g^x mod p computed with
 * BN_mod_exp_mont_consttime; the shared secret is an EVP_PKEY_derive. Groups
 * 5/14/15/16 are OpenSSL's named groups; 1 and 2 are built from OpenSSL's
 * copies of the RFC 2409 primes with generator 2 and q = (p-1)/2 (they are
 * safe primes). Knowing q, OpenSSL checks that a peer value lies in the
 * order-q subgroup for every group alike, not just for the named ones. */
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
};

static const struct dh_group groups[] = {
    {OAKLEY_GROUP_MODP768, 96, NULL, BN_get_rfc2409_prime_768},
    {OAKLEY_GROUP_MODP1024, 128, NULL, BN_get_rfc2409_prime_1024},
    {OAKLEY_GROUP_MODP1536, 192, "modp_1536", NULL},
    {OAKLEY_GROUP_MODP2048, 256, "modp_2048", NULL},
    {OAKLEY_GROUP_MODP3072, 384, "modp_3072", NULL},
    {OAKLEY_GROUP_MODP4096, 512, "modp_4096", NULL},
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

/* An EVP_PKEY of the group holding whichever of priv/pub is not NULL (just
 * the domain parameters when both are). */
static EVP_PKEY *make_pkey(const struct dh_group *grp, const BIGNUM *priv, const BIGNUM *pub)
{
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  BIGNUM *p = NULL, *g = NULL, *q = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  bool ok = bld != NULL;
  if (ok && grp->name != NULL) {
    ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, grp->name, 0);
  } else if (ok) {
    p = grp->prime(NULL);
    g = BN_new();
    q = BN_new();
    ok = p != NULL && g != NULL && q != NULL && BN_set_word(g, 2) && BN_rshift1(q, p) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, q) &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g);
  }
  if (ok && priv != NULL)
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
  if (ok && pub != NULL)
    ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub);
  if (ok)
    ok = (params = OSSL_PARAM_BLD_to_param(bld)) != NULL;
  if (ok)
    ok = (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) != NULL;
  int selection = priv != NULL ? EVP_PKEY_KEYPAIR
                  : pub != NULL ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;
  if (ok && (EVP_PKEY_fromdata_init(ctx) != 1 ||
             EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1))
    pkey = NULL;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(p);
  BN_free(g);
  BN_free(q);
  return pkey;
}

/* The prime and generator, read back from the pkey so that the public value
 * uses exactly the parameters the derive step will. */
static bool group_pg(const struct dh_group *grp, BIGNUM **p, BIGNUM **g)
{
  EVP_PKEY *params = make_pkey(grp, NULL, NULL);
  *p = *g = NULL;
  bool ok = params != NULL &&
            EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, p) == 1 &&
            EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_G, g) == 1 &&
            (size_t)BN_num_bytes(*p) == grp->len;
  EVP_PKEY_free(params);
  if (!ok) {
    BN_free(*p);
    BN_free(*g);
    *p = *g = NULL;
  }
  return ok;
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

bool ike_dh_generate(unsigned group, const uint8_t *priv, size_t privlen,
                     struct ike_dh *out)
{
  const struct dh_group *grp = find_group(group);
  if (grp == NULL || priv == NULL || privlen == 0 || privlen > grp->len)
    return false;
  BIGNUM *p = NULL, *g = NULL, *pub = NULL;
  BIGNUM *x = BN_secure_new();
  BN_CTX *bnctx = BN_CTX_secure_new();
  bool ok = x != NULL && bnctx != NULL && (pub = BN_new()) != NULL &&
            BN_bin2bn(priv, (int)privlen, x) != NULL && group_pg(grp, &p, &g) &&
            in_open_range(x, p) && BN_mod_exp_mont_consttime(pub, g, x, p, bnctx, NULL) &&
            in_open_range(pub, p);
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
  BN_free(p);
  BN_free(g);
  return ok;
}

/* EVP_PKEY_derive with padding on: the secret is always the prime's length
 * (RFC 2409 uses g^xy as a fixed-length string, leading zeros kept). */
static bool derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *out, size_t len)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
  size_t outlen = len;
  bool ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_dh_pad(ctx, 1) == 1 &&
            EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
            EVP_PKEY_derive(ctx, out, &outlen) == 1 && outlen == len;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

bool ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peerlen,
                   uint8_t out[IKE_DH_MAX])
{
  const struct dh_group *grp = find_group(dh->group);
  if (grp == NULL || dh->len != grp->len || peer == NULL || peerlen != grp->len ||
      dh->privlen == 0 || dh->privlen > grp->len)
    return false;
  BIGNUM *p = NULL, *g = NULL, *mine_pub = NULL, *peer_pub = NULL;
  BIGNUM *x = BN_secure_new();
  EVP_PKEY *mine = NULL, *theirs = NULL;
  bool ok = x != NULL && group_pg(grp, &p, &g) &&
            BN_bin2bn(dh->priv, (int)dh->privlen, x) != NULL &&
            (mine_pub = BN_bin2bn(dh->pub, (int)dh->len, NULL)) != NULL &&
            (peer_pub = BN_bin2bn(peer, (int)peerlen, NULL)) != NULL &&
            in_open_range(peer_pub, p) &&
            (mine = make_pkey(grp, x, mine_pub)) != NULL &&
            (theirs = make_pkey(grp, NULL, peer_pub)) != NULL &&
            derive(mine, theirs, out, grp->len);
  if (!ok)
    OPENSSL_cleanse(out, grp->len);
  EVP_PKEY_free(mine);
  EVP_PKEY_free(theirs);
  BN_clear_free(x);
  BN_free(p);
  BN_free(g);
  BN_free(mine_pub);
  BN_free(peer_pub);
  return ok;
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
    BIGNUM *p = NULL, *g = NULL;
    have[i] = grp->len <= IKE_DH_MAX && group_pg(grp, &p, &g) &&
              BN_bn2binpad(p, cache[i], (int)grp->len) == (int)grp->len;
    BN_free(p);
    BN_free(g);
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
