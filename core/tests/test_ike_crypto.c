/* The IKEv1 crypto module against known answers.
 *
 * Where each expected value comes from:
 * - hash/prf, DH (groups 1, 2, 5, 14, 15, 16) and every RFC 2409 derivation:
 *   vectors/ike_vectors.inc, written by vectors/gen_ike_vectors.py with the
 *   Python standard library only (hashlib, hmac, pow; primes rebuilt from
 *   their RFC formulas), i.e. independently of this code and of OpenSSL.
 * - AES-CBC: NIST SP 800-38A, F.2.1 (AES-128) and F.2.5 (AES-256).
 * - DES-CBC: FIPS 81, Appendix C, Table C1 ("Now is the time for all ").
 * - 3DES-CBC: only a cross-check against `openssl enc -des-ede3-cbc -nopad`
 *   (same library underneath, so it checks our plumbing, not 3DES), plus a
 *   round trip. */
#include <string.h>

#include "check_run.h"
#include "test_hex.h"
#include "ikelab/ike_crypto.h"

struct hash_vec {
  unsigned alg;
  const char *p0, *p1, *p2, *digest, *key, *mac;
};
struct dh_vec {
  unsigned group, len;
  const char *prime, *priv_a, *pub_a, *priv_b, *pub_b, *shared;
};
struct p1_vec {
  const char *name;
  unsigned hash, encr, key_length;
  const char *psk, *ni, *nr, *gxi, *gxr, *gxy, *cky_i, *cky_r, *sai_b, *idii_b, *idir_b;
  const char *skeyid, *skeyid_d, *skeyid_a, *skeyid_e, *enc_key, *iv, *hash_i, *hash_r;
  uint32_t msgid;
  const char *last_block, *p2_iv;
  const char *qm_rest1, *qm_rest2, *qm_ni, *qm_nr, *qm_hash1, *qm_hash2, *qm_hash3;
  const char *info, *info_hash, *spi, *gxy_qm, *keymat, *keymat_pfs;
};

#include "vectors/ike_vectors.inc"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct ike_piece piece(const struct hexbuf *h) { return (struct ike_piece){h->b, h->len}; }

#define ck_assert_bytes(got, want, n, what)                                   \
  do {                                                                        \
    struct hexbuf want_ = hex(want);                                          \
    ck_assert_msg(want_.len == (n), "%s: length %zu, want %zu", what,         \
                  (size_t)(n), want_.len);                                    \
    ck_assert_msg(memcmp((got), want_.b, want_.len) == 0, "%s differs", what); \
  } while (0)

/* ---- hash and prf ---- */

START_TEST(hash_and_prf_match_python)
{
  const struct hash_vec *v = &hash_vecs[_i];
  struct hexbuf p0 = hex(v->p0), p1 = hex(v->p1), p2 = hex(v->p2), key = hex(v->key);
  uint8_t out[IKE_HASH_MAX];
  size_t n = ike_hash_len(v->alg);
  ck_assert(ike_hash(v->alg, IKE_PIECES(piece(&p0), piece(&p1), piece(&p2)), out));
  ck_assert_bytes(out, v->digest, n, "hash");
  ck_assert(ike_prf(v->alg, key.b, key.len, IKE_PIECES(piece(&p0), piece(&p1), piece(&p2)), out));
  ck_assert_bytes(out, v->mac, n, "prf");
}
END_TEST

START_TEST(unknown_hash_is_refused)
{
  static const unsigned bad[] = {0, OAKLEY_HASH_TIGER, 7, 65535};
  uint8_t out[IKE_HASH_MAX];
  for (size_t i = 0; i < NELEM(bad); i++) {
    ck_assert_uint_eq(ike_hash_len(bad[i]), 0);
    ck_assert(!ike_hash(bad[i], IKE_PIECES({(const uint8_t *)"a", 1}), out));
    ck_assert(!ike_prf(bad[i], (const uint8_t *)"k", 1, IKE_PIECES({(const uint8_t *)"a", 1}), out));
  }
  ck_assert(ike_mem_equal("abc", "abc", 3));
  ck_assert(!ike_mem_equal("abc", "abd", 3));
}
END_TEST

/* ---- Diffie-Hellman ---- */

START_TEST(dh_matches_python)
{
  const struct dh_vec *v = &dh_vecs[_i];
  struct hexbuf xa = hex(v->priv_a), xb = hex(v->priv_b);
  struct ike_dh a, b;
  uint8_t s1[IKE_DH_MAX], s2[IKE_DH_MAX];
  ck_assert(ike_dh_group_known(v->group));
  ck_assert_uint_eq(ike_dh_len(v->group), v->len);
  ck_assert(ike_dh_generate(v->group, xa.b, xa.len, &a));
  ck_assert(ike_dh_generate(v->group, xb.b, xb.len, &b));
  ck_assert_uint_eq(a.len, v->len);
  ck_assert_bytes(a.pub, v->pub_a, a.len, "pub_a");
  ck_assert_bytes(b.pub, v->pub_b, b.len, "pub_b");
  ck_assert(ike_dh_shared(&a, b.pub, b.len, s1));
  ck_assert(ike_dh_shared(&b, a.pub, a.len, s2));
  ck_assert_bytes(s1, v->shared, v->len, "shared a");
  ck_assert_bytes(s2, v->shared, v->len, "shared b");
  /* The peer value g = 2 is legal; its result must be our own public. */
  uint8_t two[IKE_DH_MAX] = {0};
  two[v->len - 1] = 2;
  ck_assert(ike_dh_shared(&a, two, v->len, s1));
  ck_assert(memcmp(s1, a.pub, a.len) == 0);
  ike_dh_clear(&a);
  ike_dh_clear(&b);
  ck_assert_uint_eq(a.privlen, 0);
}
END_TEST

/* Peer values RFC 2409 never produces: wrong length, 0, 1, p-1, p, above p,
 * and p-2, which lies outside the subgroup g = 2 generates. */
START_TEST(dh_refuses_degenerate_peer_values)
{
  const struct dh_vec *v = &dh_vecs[_i];
  struct hexbuf xa = hex(v->priv_a), p = hex(v->prime), ok = hex(v->pub_b);
  struct ike_dh a;
  uint8_t bad[IKE_DH_MAX + 1], out[IKE_DH_MAX];
  size_t n = v->len;
  ck_assert(ike_dh_generate(v->group, xa.b, xa.len, &a));
  ck_assert(!ike_dh_shared(&a, ok.b, n - 1, out));             /* short */
  memset(bad, 0, sizeof bad);
  memcpy(bad + 1, ok.b, n);
  ck_assert(!ike_dh_shared(&a, bad, n + 1, out));              /* long, even if 0-padded */
  memset(bad, 0, n);
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* 0 */
  bad[n - 1] = 1;
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* 1 */
  memcpy(bad, p.b, n);
  bad[n - 1]--;                                                /* p is odd: no borrow */
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* p-1 */
  bad[n - 1]--;
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* p-2: not in <g> */
  ck_assert(!ike_dh_shared(&a, p.b, n, out));                  /* p */
  memcpy(bad, p.b, n);
  for (size_t i = n; i-- > 0 && ++bad[i] == 0;) /* p+1, with carry */
    ;
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* p+1 */
  memset(bad, 0xff, n);
  ck_assert(!ike_dh_shared(&a, bad, n, out));                  /* 2^bits - 1 > p */
  ck_assert(!ike_dh_shared(&a, NULL, n, out));
  ck_assert(ike_dh_shared(&a, ok.b, n, out));                  /* and the real one works */
  ike_dh_clear(&a);
}
END_TEST

/* The cheap range check agrees with ike_dh_shared everywhere but the
 * subgroup: 2 and p-2 are in range, 0, 1, p-1, p, p+1 and all-ones are
 * not, nor a value of the wrong length. */
START_TEST(dh_range_check_matches_the_bounds)
{
  const struct dh_vec *v = &dh_vecs[_i];
  struct hexbuf p = hex(v->prime), ok = hex(v->pub_b);
  uint8_t b[IKE_DH_MAX + 1];
  size_t n = v->len;
  ck_assert(ike_dh_peer_in_range(v->group, ok.b, n));
  ck_assert(!ike_dh_peer_in_range(v->group, ok.b, n - 1));
  ck_assert(!ike_dh_peer_in_range(v->group, NULL, n));
  ck_assert(!ike_dh_peer_in_range(0, ok.b, n));
  memset(b, 0, n);
  ck_assert(!ike_dh_peer_in_range(v->group, b, n)); /* 0 */
  b[n - 1] = 1;
  ck_assert(!ike_dh_peer_in_range(v->group, b, n)); /* 1 */
  b[n - 1] = 2;
  ck_assert(ike_dh_peer_in_range(v->group, b, n));  /* 2 */
  b[n - 1] = 0;
  b[0] = 1;
  ck_assert(ike_dh_peer_in_range(v->group, b, n));  /* a high byte set */
  memcpy(b, p.b, n);
  b[n - 1] -= 2;
  ck_assert(ike_dh_peer_in_range(v->group, b, n));  /* p-2 */
  b[n - 1]++;
  ck_assert(!ike_dh_peer_in_range(v->group, b, n)); /* p-1 */
  ck_assert(!ike_dh_peer_in_range(v->group, p.b, n)); /* p */
  memcpy(b, p.b, n);
  for (size_t i = n; i-- > 0 && ++b[i] == 0;)
    ;
  ck_assert(!ike_dh_peer_in_range(v->group, b, n)); /* p+1 */
  memset(b, 0xff, n);
  ck_assert(!ike_dh_peer_in_range(v->group, b, n)); /* above p */
}
END_TEST

START_TEST(dh_refuses_bad_groups_and_exponents)
{
  static const unsigned bad_groups[] = {0, 3, 4, 6, 13, 17, 18, 19, 24, 65535};
  static const uint8_t x[4] = {1, 2, 3, 4};
  struct ike_dh a;
  uint8_t out[IKE_DH_MAX];
  for (size_t i = 0; i < NELEM(bad_groups); i++) {
    ck_assert(!ike_dh_group_known(bad_groups[i]));
    ck_assert_uint_eq(ike_dh_len(bad_groups[i]), 0);
    ck_assert(!ike_dh_generate(bad_groups[i], x, sizeof x, &a));
  }
  uint8_t big[IKE_DH_MAX + 1];
  memset(big, 0xff, sizeof big);
  ck_assert(!ike_dh_generate(OAKLEY_GROUP_MODP1024, x, 0, &a));            /* empty */
  ck_assert(!ike_dh_generate(OAKLEY_GROUP_MODP1024, (const uint8_t *)"\0", 1, &a)); /* 0 */
  ck_assert(!ike_dh_generate(OAKLEY_GROUP_MODP1024, (const uint8_t *)"\1", 1, &a)); /* 1 */
  ck_assert(!ike_dh_generate(OAKLEY_GROUP_MODP1024, big, 128, &a));        /* >= p */
  ck_assert(!ike_dh_generate(OAKLEY_GROUP_MODP1024, big, 129, &a));        /* too long */
  /* A pair whose group was tampered with is refused, not misused. */
  ck_assert(ike_dh_generate(OAKLEY_GROUP_MODP1024, x, sizeof x, &a));
  struct ike_dh b = a;
  b.group = OAKLEY_GROUP_MODP2048;
  ck_assert(!ike_dh_shared(&b, a.pub, a.len, out));
  ike_dh_clear(&a);
}
END_TEST

/* ---- ciphers ---- */

struct cipher_kat {
  const char *what;
  unsigned alg;
  const char *key, *iv, *plain, *cipher;
};

static const struct cipher_kat cipher_kats[] = {
    {"SP 800-38A F.2.1 AES-128-CBC", OAKLEY_ENCR_AES_CBC, "2b7e151628aed2a6abf7158809cf4f3c",
     "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {"SP 800-38A F.2.5 AES-256-CBC", OAKLEY_ENCR_AES_CBC,
     "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
    {"FIPS 81 Table C1 DES-CBC", OAKLEY_ENCR_DES_CBC, "0123456789abcdef", "1234567890abcdef",
     "4e6f77206973207468652074696d6520666f7220616c6c20", /* "Now is the time for all " */
     "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6"},
    /* Cross-check only: printf 'The quick brown fox jump' | openssl enc
     * -des-ede3-cbc -nopad -K <key> -iv f69f2445df4f9b17 */
    {"openssl enc 3DES-CBC", OAKLEY_ENCR_3DES_CBC,
     "0123456789abcdef23456789abcdef01456789abcdef0123", "f69f2445df4f9b17",
     "54686520717569636b2062726f776e20666f78206a756d70",
     "63693c3d378a862f8051ae7c2934a296aa6c3102b6e5b79e"},
};

START_TEST(cbc_matches_published_vectors)
{
  const struct cipher_kat *v = &cipher_kats[_i];
  struct hexbuf key = hex(v->key), iv = hex(v->iv), pt = hex(v->plain);
  uint8_t out[64], back[64];
  ck_assert(ike_cbc_encrypt(v->alg, key.b, key.len, iv.b, pt.b, pt.len, out));
  ck_assert_bytes(out, v->cipher, pt.len, v->what);
  ck_assert(ike_cbc_decrypt(v->alg, key.b, key.len, iv.b, out, pt.len, back));
  ck_assert(memcmp(back, pt.b, pt.len) == 0);
  memcpy(back, pt.b, pt.len); /* in place */
  ck_assert(ike_cbc_encrypt(v->alg, key.b, key.len, iv.b, back, pt.len, back));
  ck_assert(memcmp(back, out, pt.len) == 0);
}
END_TEST

START_TEST(cbc_round_trips_every_key_size)
{
  static const struct { unsigned alg, bits; size_t key, block; } rows[] = {
      {OAKLEY_ENCR_DES_CBC, 0, 8, 8},     {OAKLEY_ENCR_3DES_CBC, 0, 24, 8},
      {OAKLEY_ENCR_AES_CBC, 0, 16, 16},   {OAKLEY_ENCR_AES_CBC, 128, 16, 16},
      {OAKLEY_ENCR_AES_CBC, 192, 24, 16}, {OAKLEY_ENCR_AES_CBC, 256, 32, 16},
  };
  uint8_t key[IKE_KEY_MAX], iv[IKE_BLOCK_MAX], pt[48], ct[48], back[48];
  for (size_t i = 0; i < sizeof key; i++)
    key[i] = (uint8_t)(0x40 + 7 * i);
  memset(iv, 0xa5, sizeof iv);
  for (size_t i = 0; i < sizeof pt; i++)
    pt[i] = (uint8_t)i;
  for (size_t r = 0; r < NELEM(rows); r++) {
    size_t kl = ike_cipher_key_len(rows[r].alg, rows[r].bits);
    ck_assert_uint_eq(kl, rows[r].key);
    ck_assert_uint_eq(ike_cipher_block_size(rows[r].alg), rows[r].block);
    ck_assert(ike_cbc_encrypt(rows[r].alg, key, kl, iv, pt, sizeof pt, ct));
    ck_assert(memcmp(ct, pt, sizeof pt) != 0);
    ck_assert(ike_cbc_decrypt(rows[r].alg, key, kl, iv, ct, sizeof ct, back));
    ck_assert(memcmp(back, pt, sizeof pt) == 0);
    ck_assert(ike_cbc_encrypt(rows[r].alg, key, kl, iv, pt, 0, ct)); /* empty is fine */
  }
}
END_TEST

START_TEST(cbc_refuses_partial_blocks_and_bad_keys)
{
  uint8_t key[IKE_KEY_MAX] = {1}, iv[IKE_BLOCK_MAX] = {0}, buf[40] = {0}, out[40];
  static const size_t aes_bad[] = {1, 15, 17, 31, 33};
  for (size_t i = 0; i < NELEM(aes_bad); i++) {
    ck_assert(!ike_cbc_encrypt(OAKLEY_ENCR_AES_CBC, key, 16, iv, buf, aes_bad[i], out));
    ck_assert(!ike_cbc_decrypt(OAKLEY_ENCR_AES_CBC, key, 16, iv, buf, aes_bad[i], out));
  }
  ck_assert(!ike_cbc_encrypt(OAKLEY_ENCR_3DES_CBC, key, 24, iv, buf, 12, out));
  ck_assert(!ike_cbc_decrypt(OAKLEY_ENCR_DES_CBC, key, 8, iv, buf, 7, out));
  ck_assert(!ike_cbc_encrypt(OAKLEY_ENCR_AES_CBC, key, 20, iv, buf, 16, out)); /* key size */
  ck_assert(!ike_cbc_encrypt(OAKLEY_ENCR_3DES_CBC, key, 16, iv, buf, 16, out)); /* 2-key 3DES */
  ck_assert(!ike_cbc_encrypt(OAKLEY_ENCR_DES_CBC, key, 24, iv, buf, 16, out));
  static const unsigned bad_alg[] = {0, OAKLEY_ENCR_IDEA_CBC, OAKLEY_ENCR_BLOWFISH_CBC,
                                     OAKLEY_ENCR_CAST_CBC, OAKLEY_ENCR_CAMELLIA_CBC, 65001};
  for (size_t i = 0; i < NELEM(bad_alg); i++) {
    ck_assert_uint_eq(ike_cipher_block_size(bad_alg[i]), 0);
    ck_assert_uint_eq(ike_cipher_key_len(bad_alg[i], 0), 0);
    ck_assert(!ike_cbc_encrypt(bad_alg[i], key, 16, iv, buf, 16, out));
    ck_assert(!ike_cbc_decrypt(bad_alg[i], key, 16, iv, buf, 16, out));
  }
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_AES_CBC, 64), 0);
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_AES_CBC, 255), 0);
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_DES_CBC, 56), 0);
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_DES_CBC, 64), 8);
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_3DES_CBC, 128), 0);
  ck_assert_uint_eq(ike_cipher_key_len(OAKLEY_ENCR_3DES_CBC, 192), 24);
}
END_TEST

/* ---- RFC 2409 derivations ---- */

/* Every input of a scenario, decoded once. */
struct p1_case {
  struct hexbuf psk, ni, nr, gxi, gxr, gxy, cki, ckr, sai, idii, idir;
  struct ike_phase1_input in;
  struct ike_phase1_keys k;
};

static void p1_setup(const struct p1_vec *v, struct p1_case *c)
{
  c->psk = hex(v->psk), c->ni = hex(v->ni), c->nr = hex(v->nr);
  c->gxi = hex(v->gxi), c->gxr = hex(v->gxr), c->gxy = hex(v->gxy);
  c->cki = hex(v->cky_i), c->ckr = hex(v->cky_r);
  c->sai = hex(v->sai_b), c->idii = hex(v->idii_b), c->idir = hex(v->idir_b);
  c->in = (struct ike_phase1_input){
      .hash = v->hash, .encr = v->encr, .key_length = v->key_length,
      .psk = piece(&c->psk), .ni_b = piece(&c->ni), .nr_b = piece(&c->nr),
      .gxi = piece(&c->gxi), .gxr = piece(&c->gxr), .gxy = piece(&c->gxy)};
  memcpy(c->in.cky_i, c->cki.b, IKE_COOKIE_LEN);
  memcpy(c->in.cky_r, c->ckr.b, IKE_COOKIE_LEN);
  ck_assert_msg(ike_phase1_keys_psk(&c->in, &c->k), "%s: derivation failed", v->name);
}

START_TEST(phase1_keys_match_python)
{
  const struct p1_vec *v = &p1_vecs[_i];
  static struct p1_case c; /* large: keep it off the stack */
  p1_setup(v, &c);
  const struct ike_phase1_keys *k = &c.k;
  ck_assert_uint_eq(k->prf_len, ike_hash_len(v->hash));
  ck_assert_bytes(k->skeyid, v->skeyid, k->prf_len, "SKEYID");
  ck_assert_bytes(k->skeyid_d, v->skeyid_d, k->prf_len, "SKEYID_d");
  ck_assert_bytes(k->skeyid_a, v->skeyid_a, k->prf_len, "SKEYID_a");
  ck_assert_bytes(k->skeyid_e, v->skeyid_e, k->prf_len, "SKEYID_e");
  ck_assert_bytes(k->enc_key, v->enc_key, k->key_len, "encryption key");
  ck_assert_bytes(k->iv, v->iv, k->block_len, "Phase 1 IV");
  uint8_t out[IKE_HASH_MAX];
  ck_assert(ike_phase1_hash(k, true, &c.in, piece(&c.sai), piece(&c.idii), out));
  ck_assert_bytes(out, v->hash_i, k->prf_len, "HASH_I");
  ck_assert(ike_phase1_hash(k, false, &c.in, piece(&c.sai), piece(&c.idir), out));
  ck_assert_bytes(out, v->hash_r, k->prf_len, "HASH_R");
}
END_TEST

START_TEST(phase2_hashes_and_keymat_match_python)
{
  const struct p1_vec *v = &p1_vecs[_i];
  static struct p1_case c;
  p1_setup(v, &c);
  const struct ike_phase1_keys *k = &c.k;
  struct hexbuf last = hex(v->last_block), r1 = hex(v->qm_rest1), r2 = hex(v->qm_rest2);
  struct hexbuf qni = hex(v->qm_ni), qnr = hex(v->qm_nr), info = hex(v->info);
  struct hexbuf spi = hex(v->spi), gqm = hex(v->gxy_qm);
  uint8_t iv[IKE_BLOCK_MAX], out[IKE_HASH_MAX], km[100];
  ck_assert(ike_phase2_iv(k, last.b, v->msgid, iv));
  ck_assert_bytes(iv, v->p2_iv, k->block_len, "Phase 2 IV");
  ck_assert(ike_qm_hash1(k, v->msgid, piece(&r1), out));
  ck_assert_bytes(out, v->qm_hash1, k->prf_len, "QM HASH(1)");
  ck_assert(ike_qm_hash2(k, v->msgid, piece(&qni), piece(&r2), out));
  ck_assert_bytes(out, v->qm_hash2, k->prf_len, "QM HASH(2)");
  ck_assert(ike_qm_hash3(k, v->msgid, piece(&qni), piece(&qnr), out));
  ck_assert_bytes(out, v->qm_hash3, k->prf_len, "QM HASH(3)");
  ck_assert(ike_info_hash(k, v->msgid, piece(&info), out));
  ck_assert_bytes(out, v->info_hash, k->prf_len, "informational HASH(1)");
  const struct ike_piece none = {NULL, 0};
  ck_assert(ike_qm_keymat(k, none, ISAKMP_PROTO_ESP, piece(&spi), piece(&qni),
                          piece(&qnr), km, sizeof km));
  ck_assert_bytes(km, v->keymat, sizeof km, "KEYMAT");
  ck_assert(ike_qm_keymat(k, piece(&gqm), ISAKMP_PROTO_ESP, piece(&spi), piece(&qni),
                          piece(&qnr), km, sizeof km));
  ck_assert_bytes(km, v->keymat_pfs, sizeof km, "KEYMAT with PFS");
  /* A shorter request is a prefix of the longer one. */
  uint8_t shorter[7];
  ck_assert(ike_qm_keymat(k, piece(&gqm), ISAKMP_PROTO_ESP, piece(&spi), piece(&qni),
                          piece(&qnr), shorter, sizeof shorter));
  ck_assert(memcmp(shorter, km, sizeof shorter) == 0);
}
END_TEST

START_TEST(phase1_refuses_unknown_algorithms)
{
  static struct p1_case c;
  p1_setup(&p1_vecs[0], &c);
  struct ike_phase1_keys k;
  struct ike_phase1_input in = c.in;
  in.hash = OAKLEY_HASH_TIGER;
  ck_assert(!ike_phase1_keys_psk(&in, &k));
  in = c.in;
  in.encr = OAKLEY_ENCR_BLOWFISH_CBC;
  ck_assert(!ike_phase1_keys_psk(&in, &k));
  in = c.in;
  in.encr = OAKLEY_ENCR_AES_CBC;
  in.key_length = 512;
  ck_assert(!ike_phase1_keys_psk(&in, &k));
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("ike_crypto");
  TCase *tc = tcase_create("hash");
  tcase_add_loop_test(tc, hash_and_prf_match_python, 0, (int)NELEM(hash_vecs));
  tcase_add_test(tc, unknown_hash_is_refused);
  suite_add_tcase(s, tc);

  tc = tcase_create("dh");
  tcase_set_timeout(tc, 30); /* group 16 under ASan */
  tcase_add_loop_test(tc, dh_matches_python, 0, (int)NELEM(dh_vecs));
  tcase_add_loop_test(tc, dh_refuses_degenerate_peer_values, 0, (int)NELEM(dh_vecs));
  tcase_add_loop_test(tc, dh_range_check_matches_the_bounds, 0, (int)NELEM(dh_vecs));
  tcase_add_test(tc, dh_refuses_bad_groups_and_exponents);
  suite_add_tcase(s, tc);

  tc = tcase_create("cipher");
  tcase_add_loop_test(tc, cbc_matches_published_vectors, 0, (int)NELEM(cipher_kats));
  tcase_add_test(tc, cbc_round_trips_every_key_size);
  tcase_add_test(tc, cbc_refuses_partial_blocks_and_bad_keys);
  suite_add_tcase(s, tc);

  tc = tcase_create("keys");
  tcase_add_loop_test(tc, phase1_keys_match_python, 0, (int)NELEM(p1_vecs));
  tcase_add_loop_test(tc, phase2_hashes_and_keymat_match_python, 0, (int)NELEM(p1_vecs));
  tcase_add_test(tc, phase1_refuses_unknown_algorithms);
  suite_add_tcase(s, tc);
  return s;
}
