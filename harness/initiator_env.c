#include "initiator_env.h"

#include "ikelab/isakmp_types.h"

static const struct ike_p1_proposal p1_3des = {OAKLEY_ENCR_3DES_CBC, 0, OAKLEY_HASH_SHA1,
                                               OAKLEY_GROUP_MODP768, 28800};
static const struct ike_p1_proposal p1_aes128 = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA2_256,
                                                 OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p1_proposal p1_aes256 = {OAKLEY_ENCR_AES_CBC, 256, OAKLEY_HASH_SHA2_512,
                                                 OAKLEY_GROUP_MODP1536, 28800};
static const struct ike_p2_proposal p2_aes128 = {
    ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 0,
    IPSEC_ENCAP_TUNNEL, 3600, 0};
static const struct ike_p2_proposal p2_3des_pfs = {
    ISAKMP_PROTO_ESP, ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5, OAKLEY_GROUP_MODP1024,
    IPSEC_ENCAP_TUNNEL, 3600, 0};
static const struct ike_p2_proposal p2_aes256_pfs = {
    ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, OAKLEY_GROUP_MODP1024,
    IPSEC_ENCAP_TUNNEL, 3600, 0};

static void only(struct ike_rule *r, const struct ike_p1_proposal *p1,
                 const struct ike_p2_proposal *p2)
{
  r->p1[0] = *p1;
  r->np1 = 1;
  r->p2[0] = *p2;
  r->np2 = 1;
}

/* The same choice on both sides, so that they agree. */
static void tune(int variant, struct ike_config *c)
{
  struct ike_rule *r = &c->rules[0];
  r->mode = variant == 2 || variant == 3 ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN;
  c->g.nat_traversal = variant == 0 || variant == 2;
  c->g.dpd_interval_ms = variant == 2 ? 30000 : 0;
  if (variant == 1)
    only(r, &p1_aes128, &p2_3des_pfs);
  else if (variant == 2)
    only(r, &p1_3des, &p2_aes128);
  else if (variant == 3)
    only(r, &p1_aes256, &p2_aes256_pfs);
}

void initiator_variant(int variant, struct ike_config *us, struct ike_config *shadow)
{
  initiator_config(us);
  responder_config(shadow);
  tune(variant, us);
  tune(variant, shadow);
  /* The mismatches: the shadow's side alone changes. */
  if (variant == 4)
    only(&shadow->rules[0], &p1_aes256, &p2_aes128);
  if (variant == 5) {
    only(&us->rules[0], &p1_3des, &p2_aes128);
    only(&shadow->rules[0], &p1_3des, &p2_3des_pfs);
  }
}
