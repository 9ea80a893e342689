/* RFC 2408 §5 and RFC 2409: an erroneous message gets the notify it
 * deserves, seen on the wire or by the peer, and nothing established is
 * harmed by a message that fails authentication. */
#include <string.h>

#include "check_run.h"
#include "engine_net.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"

static struct net net;
static struct ike_config a, b;
static struct isakmp_msg msg;

static const struct ike_p1_proposal p1_aes = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p2_proposal p2_esp = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                              3600, 0};

static void start(void)
{
  char why[256];
  ck_assert_msg(net_init(&net, &a, &b, 11, why, sizeof why), "%s", why);
}

static uint16_t failed_with(const struct net_side *s, enum ike_result_kind kind)
{
  for (size_t i = 0; i < s->nresults; i++)
    if (s->results[i].kind == kind)
      return s->results[i].notify;
  return 0;
}

/* The notify type of the clear Informational B queued for A, or 0. */
static uint16_t clear_notify_to_a(void)
{
  struct isakmp_error err;
  for (size_t i = 0; i < net.nq; i++) {
    if (net.queue[i].to != 0 || !isakmp_decode(&msg, net.queue[i].data, net.queue[i].len, &err))
      continue;
    if (msg.hdr.exchange == ISAKMP_XCHG_INFO && msg.npayloads == 1 &&
        msg.payloads[0].type == ISAKMP_NP_N)
      return msg.payloads[0].u.notify.type;
  }
  return 0;
}

START_TEST(wrong_psk_is_authentication_failed)
{
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  ike_rule_set_psk(&b.rules[0], "another-secret");
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(failed_with(&net.side[0], IKE_RESULT_PHASE1_FAILED),
                    ISAKMP_N_AUTHENTICATION_FAILED);
  ck_assert_int_lt(net_find_log(&net.side[1], "Phase 1 IKE SA process done", 0), 0);
  net_free(&net);
}
END_TEST

START_TEST(no_proposal_chosen_reaches_the_initiator)
{
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a.rules[0].p1[0].hash = OAKLEY_HASH_MD5;
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(failed_with(&net.side[0], IKE_RESULT_PHASE1_FAILED),
                    ISAKMP_N_NO_PROPOSAL_CHOSEN);
  ck_assert_int_ge(net_find_log(&net.side[0], "Recv:<NOTFY>", 0), 0);
  /* The initiator stops at once: no retransmission of a refused offer. */
  ck_assert_int_lt(net_find_log(&net.side[0], "!! IKE Packet Retransmit", 0), 0);
  net_free(&net);
}
END_TEST

START_TEST(proxy_id_refusal_is_invalid_id_information)
{
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a.rules[0].remote = addr_subnet(IPV4(192, 168, 9, 0), 0xffffff00u);
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(failed_with(&net.side[0], IKE_RESULT_PHASE2_FAILED),
                    ISAKMP_N_INVALID_ID_INFORMATION);
  ck_assert_int_ge(net_find_log(&net.side[0], "Recv:<HASH><NOTFY>", 0), 0);
  net_free(&net);
}
END_TEST

START_TEST(corrupt_quick_mode_is_invalid_hash_information)
{
  /* With SHA2-512 the HASH payload spans cipher blocks 0-4; a flipped bit
   * in ciphertext block 1 garbles only HASH bytes, so the message still
   * parses and must fail on its HASH. Delivery 7 is Quick Mode 1. */
  struct ike_p1_proposal p1 = p1_aes;
  p1.hash = OAKLEY_HASH_SHA2_512;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1, &p2_esp);
  start();
  net.corrupt_at = 7;
  net.corrupt_offset = 28 + 16;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(failed_with(&net.side[0], IKE_RESULT_PHASE2_FAILED),
                    ISAKMP_N_INVALID_HASH_INFORMATION);
  ck_assert_uint_eq(net.side[1].nadded, 0);
  /* The Phase 1 SA is unharmed: counted as unauthenticated, not as one of
   * its errors (K21's budget), still established. */
  struct ike_sa_info info;
  ck_assert(ike_engine_sa_info(net.side[1].e, 0, &info));
  ck_assert_int_eq(info.state, IKE_P1_ESTABLISHED);
  ck_assert_uint_eq(info.errors, 0);
  struct ike_engine_counters c;
  ike_engine_counters(net.side[1].e, &c);
  ck_assert_uint_eq(c.unauthenticated, 1);
  /* And it still carries a Quick Mode. */
  net.corrupt_at = 0;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(net.side[1].nadded, 1);
  net_free(&net);
}
END_TEST

START_TEST(unknown_cookies_are_invalid_cookie)
{
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  start();
  uint8_t pkt[28 + 24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  pkt[16] = ISAKMP_NP_HASH;
  pkt[17] = 0x10;
  pkt[18] = ISAKMP_XCHG_QUICK;
  pkt[23] = 9;
  pkt[27] = sizeof pkt;
  pkt[31] = 24; /* HASH payload of 20 bytes */
  ike_engine_input(net.side[1].e, net.now, net.side[0].addr, net.side[1].addr, pkt, sizeof pkt);
  ck_assert_uint_eq(clear_notify_to_a(), ISAKMP_N_INVALID_COOKIE);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 0);
  net_free(&net);
}
END_TEST

/* A first message the decoder refuses: the notify names the fault. */
START_TEST(malformed_first_message_gets_its_notify)
{
  static const struct {
    size_t offset;
    uint8_t value;
    uint16_t notify;
  } cases[] = {
      {16, 99, ISAKMP_N_INVALID_PAYLOAD_TYPE},   /* header next payload */
      {17, 0x20, ISAKMP_N_INVALID_MAJOR_VERSION},
      {19, 0x10, ISAKMP_N_INVALID_FLAGS},
      {30, 0xff, ISAKMP_N_PAYLOAD_MALFORMED},    /* SA length past the end */
      {35, 7, ISAKMP_N_DOI_NOT_SUPPORTED},
  };
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert_uint_eq(net.nq, 1);
  struct net_packet mm1 = net.queue[0];
  net.nq = 0;
  mm1.data[cases[_i].offset] = cases[_i].value;
  ike_engine_input(net.side[1].e, net.now, mm1.from, mm1.dst, mm1.data, mm1.len);
  ck_assert_uint_eq(clear_notify_to_a(), cases[_i].notify);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 0);
  ck_assert_uint_eq(net.side[1].nlogs, 1); /* only Send:<NOTFY>; no Recv: line */
  ck_assert_str_eq(net.side[1].logs[0], "Send:<NOTFY>");
  net_free(&net);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("engine notifies");
  TCase *tc = tcase_create("erroneous messages");
  tcase_add_test(tc, wrong_psk_is_authentication_failed);
  tcase_add_test(tc, no_proposal_chosen_reaches_the_initiator);
  tcase_add_test(tc, proxy_id_refusal_is_invalid_id_information);
  tcase_add_test(tc, corrupt_quick_mode_is_invalid_hash_information);
  tcase_add_test(tc, unknown_cookies_are_invalid_cookie);
  tcase_add_loop_test(tc, malformed_first_message_gets_its_notify, 0, 5);
  suite_add_tcase(s, tc);
  return s;
}
