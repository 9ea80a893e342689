/* The engine, two instances on an in-memory network: full exchanges, their
 * exact log traces (LOGS.md), keys that agree, and the K-rows provoked. */
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "engine_net.h"
#include "ikelab/isakmp_types.h"

static struct net net;

static const struct ike_p1_proposal p1_aes = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p2_proposal p2_esp = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                              3600, 0};

static void start(const struct ike_config *a, const struct ike_config *b)
{
  char why[256];
  ck_assert_msg(net_init(&net, a, b, 42, why, sizeof why), "%s", why);
}

static void dump(const struct net_side *s)
{
  for (size_t i = 0; i < s->nlogs; i++)
    fprintf(stderr, "  side %d: %03zu %s\n", s->index, i + 1, s->logs[i]);
}

static void assert_trace(const struct net_side *s, const char *const *want, size_t n)
{
  if (s->nlogs != n)
    dump(s);
  ck_assert_uint_eq(s->nlogs, n);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(strcmp(s->logs[i], want[i]) == 0, "side %d line %zu: \"%s\", want \"%s\"",
                  s->index, i + 1, s->logs[i], want[i]);
}

static void assert_keys_agree(void)
{
  const struct net_side *a = &net.side[0], *b = &net.side[1];
  ck_assert_uint_eq(a->nadded, 1);
  ck_assert_uint_eq(b->nadded, 1);
  const struct ike_ipsec_sa *x = &a->added[0], *y = &b->added[0];
  ck_assert_uint_eq(x->spi_in, y->spi_out);
  ck_assert_uint_eq(x->spi_out, y->spi_in);
  size_t len = x->enc_key_len + x->auth_key_len;
  ck_assert_uint_eq(len, y->enc_key_len + y->auth_key_len);
  ck_assert_uint_gt(len, 0);
  ck_assert_mem_eq(x->key_in, y->key_out, len);
  ck_assert_mem_eq(x->key_out, y->key_in, len);
  ck_assert(memcmp(x->key_in, x->key_out, len) != 0);
}

START_TEST(main_mode_and_quick_mode_traces_are_the_manuals)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  start(&a, &b);
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  static const char *const initiator[] = {
      "Cannot find outbound SA for rule <#1>",
      "Send Main Mode request to <10.0.0.2>",
      "Send:<SA>",
      "Recv:<SA>",
      "Send:<KE><NONCE>",
      "Recv:<KE><NONCE>",
      "Send:<ID><HASH>",
      "Recv:<ID><HASH>",
      "Phase 1 IKE SA process done",
      "Start Phase 2: Quick Mode",
      "Send:<HASH><SA><NONCE><ID><ID>",
      "Recv:<HASH><SA><NONCE><ID><ID>",
      "Send:<HASH>",
  };
  /* LOGS.md's example: a responder's Main Mode plus Quick Mode. */
  static const char *const responder[] = {
      "Recv Main Mode request from <10.0.0.1>",
      "Recv:<SA>",
      "Send:<SA>",
      "Recv:<KE><NONCE>",
      "Send:<KE><NONCE>",
      "Recv:<ID><HASH>",
      "Send:<ID><HASH>",
      "Phase 1 IKE SA process done",
      "Recv:<HASH><SA><NONCE><ID><ID>",
      "Start Phase 2: Quick Mode",
      "Send:<HASH><SA><NONCE><ID><ID>",
      "Recv:<HASH>",
  };
  assert_trace(&net.side[0], initiator, sizeof initiator / sizeof initiator[0]);
  assert_trace(&net.side[1], responder, sizeof responder / sizeof responder[0]);
  assert_keys_agree();
  net_free(&net);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("engine");
  TCase *tc = tcase_create("exchanges");
  tcase_add_test(tc, main_mode_and_quick_mode_traces_are_the_manuals);
  suite_add_tcase(s, tc);
  return s;
}
