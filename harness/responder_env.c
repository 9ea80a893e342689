#include "responder_env.h"

#include <string.h>

#include "ikelab/det_random.h"
#include "ikelab/ike_crypto.h"
#include "ikelab/isakmp_types.h"

static void rule_common(struct ike_rule *r, int number)
{
  ike_rule_default(r, number);
  ike_rule_set_psk(r, "ikelab-fuzz-psk");
  r->p1[0] = (struct ike_p1_proposal){OAKLEY_ENCR_3DES_CBC, 0, OAKLEY_HASH_SHA1,
                                      OAKLEY_GROUP_MODP768, 28800};
  r->p1[1] = (struct ike_p1_proposal){OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA2_256,
                                      OAKLEY_GROUP_MODP1024, 28800};
  r->np1 = 2;
  r->p2[0] = (struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                      IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL, 3600, 0};
  r->p2[1] = (struct ike_p2_proposal){ISAKMP_PROTO_AH, 0, 0, IPSEC_AUTH_HMAC_SHA2_256,
                                      OAKLEY_GROUP_MODP768, IPSEC_ENCAP_TRANSPORT, 3600, 0};
  r->np2 = 2;
}

/* Proposals [2] and [3], the responder's alone: with rule_common's two,
 * every Phase 1 cipher, hash and MODP group the config check accepts is in
 * some rule, and every ESP cipher but AES-192 (five left for four slots).
 * initiator_config keeps rule_common's two, whose first still matches [0]:
 * every seed made before these were added comes out byte for byte. */
static const struct ike_p1_proposal p1_more[2][2] = {
    {{OAKLEY_ENCR_DES_CBC, 0, OAKLEY_HASH_MD5, OAKLEY_GROUP_MODP1536, 28800},
     {OAKLEY_ENCR_AES_CBC, 192, OAKLEY_HASH_SHA2_384, OAKLEY_GROUP_MODP2048, 28800}},
    {{OAKLEY_ENCR_AES_CBC, 256, OAKLEY_HASH_SHA2_512, OAKLEY_GROUP_MODP3072, 28800},
     {OAKLEY_ENCR_DES_CBC, 0, OAKLEY_HASH_SHA1, OAKLEY_GROUP_MODP4096, 28800}},
};
static const struct ike_p2_proposal p2_more[2][2] = {
    {{ISAKMP_PROTO_ESP, ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5, OAKLEY_GROUP_MODP1024,
      IPSEC_ENCAP_TUNNEL, 3600, 0},
     {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, OAKLEY_GROUP_MODP2048,
      IPSEC_ENCAP_TRANSPORT, 3600, 0}},
    {{ISAKMP_PROTO_ESP, ISAKMP_ESP_DES, 0, IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TRANSPORT, 3600,
      0},
     {ISAKMP_PROTO_ESP, ISAKMP_ESP_NULL, 0, IPSEC_AUTH_HMAC_MD5, OAKLEY_GROUP_MODP1536,
      IPSEC_ENCAP_TUNNEL, 3600, 0}},
};

static void widen(struct ike_rule *r, int which)
{
  memcpy(&r->p1[2], p1_more[which], sizeof p1_more[which]);
  memcpy(&r->p2[2], p2_more[which], sizeof p2_more[which]);
  r->np1 = r->np2 = 4;
}

void responder_config(struct ike_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  ike_globals_default(&cfg->g);
  rule_common(&cfg->rules[0], 1);
  widen(&cfg->rules[0], 0);
  cfg->rules[0].my_ip = RESPONDER_ADDR;
  cfg->rules[0].secure_gateway = PEER_ADDR;
  cfg->rules[0].local = addr_subnet(IPV4(192, 168, 2, 0), 0xffffff00u);
  cfg->rules[0].remote = addr_subnet(IPV4(192, 168, 1, 0), 0xffffff00u);
  rule_common(&cfg->rules[1], 2);
  widen(&cfg->rules[1], 1);
  cfg->rules[1].mode = IKE_MODE_AGGRESSIVE;
  cfg->rules[1].secure_gateway = 0;
  cfg->rules[1].local = addr_subnet(IPV4(192, 168, 3, 0), 0xffffff00u);
  cfg->rules[1].remote = addr_subnet(IPV4(192, 168, 4, 0), 0xffffff00u);
  cfg->nrules = 2;
}

void initiator_config(struct ike_config *cfg)
{
  memset(cfg, 0, sizeof *cfg);
  ike_globals_default(&cfg->g);
  rule_common(&cfg->rules[0], 1);
  cfg->rules[0].my_ip = PEER_ADDR;
  cfg->rules[0].secure_gateway = RESPONDER_ADDR;
  cfg->rules[0].local = addr_subnet(IPV4(192, 168, 1, 0), 0xffffff00u);
  cfg->rules[0].remote = addr_subnet(IPV4(192, 168, 2, 0), 0xffffff00u);
  rule_common(&cfg->rules[1], 2);
  cfg->rules[1].mode = IKE_MODE_AGGRESSIVE;
  cfg->rules[1].secure_gateway = RESPONDER_ADDR;
  cfg->rules[1].local = addr_subnet(IPV4(192, 168, 4, 0), 0xffffff00u);
  cfg->rules[1].remote = addr_subnet(IPV4(192, 168, 3, 0), 0xffffff00u);
  cfg->nrules = 2;
}

/* The generator is det_random_fill(), reseeded for every input. */
void env_random(void *ctx, uint8_t *out, size_t len)
{
  det_random_fill(ctx, out, len);
}

void env_stand_in_crypto(void)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  ike_crypto_fuzz_stand_in(true);
#endif
}
