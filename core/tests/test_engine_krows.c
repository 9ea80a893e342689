/* Table 27-1, row by row: each K-row provoked on two engines and asserted
 * as the exact line. The clean traces in test_engine show the rows absent
 * from a clean exchange. */
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "engine_net.h"
#include "ikelab/isakmp_types.h"

static struct net net;
static struct ike_config a, b;

static const struct ike_p1_proposal p1_aes = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p2_proposal p2_esp = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                              3600, 0};

static void pair(void) { net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp); }

static void start(void)
{
  char why[256];
  ck_assert_msg(net_init(&net, &a, &b, 7, why, sizeof why), "%s", why);
}

static void dump(const struct net_side *s)
{
  for (size_t i = 0; i < s->nlogs; i++)
    fprintf(stderr, "  side %d: %03zu %s\n", s->index, i + 1, s->logs[i]);
}

static void expect(const struct net_side *s, const char *line, unsigned times)
{
  unsigned n = net_count_log(s, line);
  if (n != times)
    dump(s);
  ck_assert_msg(n == times, "side %d: \"%s\" %u times, want %u", s->index, line, n, times);
}

static bool phase2_up(const struct net_side *s)
{
  for (size_t i = 0; i < s->nresults; i++)
    if (s->results[i].kind == IKE_RESULT_PHASE2_UP)
      return true;
  return false;
}

static void run_trigger(int rule)
{
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, rule));
  net_run(&net, net.now + 600000);
}

START_TEST(k10_negotiation_in_process)
{
  pair();
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  expect(&net.side[0], "!! IKE Negotiation is in process", 1);
  net_run(&net, net.now + 1000);
  ck_assert(phase2_up(&net.side[0]));
  /* Once the SA is up, traffic needs no negotiation and logs nothing. */
  size_t before = net.side[0].nlogs;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert_uint_eq(net.side[0].nlogs, before);
  net_free(&net);
}
END_TEST

START_TEST(k11_duplicate_first_message)
{
  pair();
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert_uint_eq(net.nq, 1); /* Main Mode 1 on the wire */
  net.queue[1] = net.queue[0]; /* the network delivers it twice */
  net.nq = 2;
  net_run(&net, net.now + 1000);
  expect(&net.side[1], "!! Duplicate requests with the same cookie", 1);
  expect(&net.side[1], "Recv Main Mode request from <10.0.0.1>", 1);
  expect(&net.side[0], "!! Duplicate requests with the same cookie", 0);
  ck_assert(phase2_up(&net.side[0]) && phase2_up(&net.side[1]));
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 1);
  net_free(&net);
}
END_TEST

START_TEST(k11_duplicate_quick_mode_request)
{
  pair();
  start();
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  /* Deliver until the initiator's Quick Mode 1 is on the wire. */
  while (net.nq > 0 && net.side[0].nlogs < 11) {
    struct net_packet p = net.queue[0];
    memmove(&net.queue[0], &net.queue[1], (net.nq - 1) * sizeof net.queue[0]);
    net.nq--;
    ike_engine_input(net.side[p.to].e, net.now, p.from, p.dst, p.data, p.len);
  }
  ck_assert_str_eq(net.side[0].logs[net.side[0].nlogs - 1], "Send:<HASH><SA><NONCE><ID><ID>");
  ck_assert_uint_eq(net.nq, 1);
  net.queue[1] = net.queue[0];
  net.nq = 2;
  net_run(&net, net.now + 1000);
  expect(&net.side[1], "!! Duplicate requests with the same cookie", 1);
  expect(&net.side[1], "Start Phase 2: Quick Mode", 1);
  ck_assert(phase2_up(&net.side[0]) && phase2_up(&net.side[1]));
  ck_assert_uint_eq(net.side[1].nadded, 1);
  net_free(&net);
}
END_TEST

/* !! No proposal chosen, for each Phase 1 and Phase 2 cause. */
enum mismatch { M_CIPHER, M_HASH, M_GROUP, M_LIFETIME, M_PROTOCOL, M_MODE, M_PFS, M_COUNT };

START_TEST(k12_no_proposal_chosen)
{
  pair();
  struct ike_rule *ra = &a.rules[0];
  switch ((enum mismatch)_i) {
  case M_CIPHER: ra->p1[0].encr = OAKLEY_ENCR_3DES_CBC; ra->p1[0].key_bits = 0; break;
  case M_HASH: ra->p1[0].hash = OAKLEY_HASH_MD5; break;
  case M_GROUP: ra->p1[0].group = OAKLEY_GROUP_MODP1536; break;
  case M_LIFETIME: ra->p1[0].life_seconds = 86400; break;
  case M_PROTOCOL:
    ra->p2[0].protocol = ISAKMP_PROTO_AH;
    ra->p2[0].encr = 0;
    ra->p2[0].key_bits = 0;
    break;
  case M_MODE: ra->p2[0].encap = IPSEC_ENCAP_TRANSPORT; break;
  case M_PFS: ra->p2[0].pfs = OAKLEY_GROUP_MODP1024; break;
  case M_COUNT: break;
  }
  start();
  run_trigger(1);
  expect(&net.side[1], "!! No proposal chosen", 1);
  bool phase2 = _i >= M_PROTOCOL;
  expect(&net.side[1], "Phase 1 IKE SA process done", phase2 ? 1 : 0);
  ck_assert(!phase2_up(&net.side[0]) && !phase2_up(&net.side[1]));
  ck_assert_uint_eq(net.side[1].nadded, 0);
  net_free(&net);
}
END_TEST

START_TEST(k13_k14_proxy_ids)
{
  pair();
  if (_i == 0)
    a.rules[0].remote = addr_subnet(IPV4(192, 168, 9, 0), 0xffffff00u); /* not B's local */
  else
    a.rules[0].local = addr_subnet(IPV4(192, 168, 8, 0), 0xffffff00u); /* not B's remote */
  start();
  run_trigger(1);
  expect(&net.side[1], _i == 0 ? "!! Verifying Local ID failed" : "!! Verifying Remote ID failed",
         1);
  expect(&net.side[1], _i == 0 ? "!! Verifying Remote ID failed" : "!! Verifying Local ID failed",
         0);
  ck_assert_uint_eq(net.side[1].nadded, 0);
  net_free(&net);
}
END_TEST

/* B's rule 1 is dynamic (Secure Gateway 0.0.0.0). */
static void dynamic_responder(void)
{
  pair();
  b.rules[0].secure_gateway = 0;
}

START_TEST(k15_conflict_with_configured_rule)
{
  dynamic_responder();
  struct ike_rule *r2 = &b.rules[1];
  *r2 = b.rules[0];
  r2->number = 2;
  r2->secure_gateway = IPV4(10, 0, 0, 9);
  r2->remote = addr_subnet(IPV4(192, 168, 1, 0), 0xffffff00u);
  b.nrules = 2;
  start();
  run_trigger(1);
  expect(&net.side[1], "!! Local / remote IPs of incoming request conflict with rule <#2>", 1);
  ck_assert_uint_eq(net.side[1].nadded, 0);
  net_free(&net);
}
END_TEST

START_TEST(k16_invalid_peer_range)
{
  dynamic_responder();
  a.rules[0].local = addr_span(IPV4(127, 0, 0, 1), IPV4(127, 0, 0, 9));
  start();
  run_trigger(1);
  expect(&net.side[1], "!! Invalid IP <127.0.0.1>/<127.0.0.9>", 1);
  ck_assert_uint_eq(net.side[1].nadded, 0);
  net_free(&net);
}
END_TEST

START_TEST(k17_remote_conflicts_with_connection)
{
  dynamic_responder();
  /* Rule 2 on both sides: the same networks, negotiated with 3DES so that
   * the responder's Phase 1 picks its rule 2. */
  a.rules[1] = a.rules[0];
  a.rules[1].number = 2;
  a.rules[1].p1[0].encr = OAKLEY_ENCR_3DES_CBC;
  a.rules[1].p1[0].key_bits = 0;
  a.nrules = 2;
  b.rules[1] = b.rules[0];
  b.rules[1].number = 2;
  b.rules[1].p1[0] = a.rules[1].p1[0];
  b.nrules = 2;
  start();
  run_trigger(1);
  ck_assert(phase2_up(&net.side[1]));
  run_trigger(2);
  expect(&net.side[1], "!! Remote IP <192.168.1.0> / <192.168.1.255> conflicts", 1);
  ck_assert_uint_eq(net.side[1].nadded, 1);
  net_free(&net);
}
END_TEST

START_TEST(k18_active_connections_exceeded)
{
  pair();
  a.g.max_active_phase2 = 1;
  a.rules[1] = a.rules[0];
  a.rules[1].number = 2;
  a.rules[1].local = addr_subnet(IPV4(192, 168, 3, 0), 0xffffff00u);
  a.nrules = 2;
  start();
  /* Both rules negotiate at once: when the second Phase 1 completes, the
   * first Quick Mode is still under way and the limit is one. */
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 2));
  net_run(&net, net.now + 600000);
  expect(&net.side[0], "!! Active connection allowed exceeded", 1);
  ck_assert_uint_eq(net.side[0].nadded, 1);
  ck_assert_int_eq(net.side[0].added[0].rule, 1);
  net_free(&net);
}
END_TEST

START_TEST(k19_retransmit_then_give_up)
{
  pair();
  start();
  net.drop_all = true;
  run_trigger(1);
  expect(&net.side[0], "!! IKE Packet Retransmit", a.g.retransmit_count);
  ck_assert_uint_eq(net.side[0].sends, 1 + a.g.retransmit_count);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[0].e), 0);
  ck_assert_uint_eq(net.side[0].nresults, 1);
  ck_assert_int_eq(net.side[0].results[0].kind, IKE_RESULT_PHASE1_FAILED);
  /* The schedule ran on the virtual clock. */
  ck_assert_uint_eq(net.now, 1000000 + (uint64_t)(a.g.retransmit_count + 1) *
                                           a.g.retransmit_interval_ms);
  net_free(&net);
}
END_TEST

START_TEST(k20_failed_send_then_recovery)
{
  pair();
  start();
  net.side[0].fail_next_send = true;
  run_trigger(1);
  expect(&net.side[0], "!! Failed to send IKE Packet", 1);
  expect(&net.side[0], "!! IKE Packet Retransmit", 1);
  ck_assert(phase2_up(&net.side[0]) && phase2_up(&net.side[1]));
  net_free(&net);
}
END_TEST

/* Everything B says after message 4 is lost (emptied in flight): A never
 * hears B's refusal of its message 5 and keeps resending it. */
static void mute_b_after_mm4(struct net_packet *p, unsigned delivered)
{
  if (delivered > 4 && p->to == 0)
    p->len = 0;
}

START_TEST(k21_too_many_errors)
{
  /* The peer's HASH_I never verifies (another pre-shared key): message 5
   * and each of its retransmissions is an error on B's SA, still
   * negotiating, until the budget is spent. */
  pair();
  ck_assert(ike_rule_set_psk(&a.rules[0], "not-the-key-b-holds"));
  b.g.error_budget = 3;
  start();
  net.rewrite = mute_b_after_mm4;
  run_trigger(1);
  expect(&net.side[1], "!! Too many errors! Deleting SA", 1);
  expect(&net.side[1], "Phase 1 IKE SA process done", 0);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 0);
  net_free(&net);
}
END_TEST

START_TEST(k21_never_for_unauthenticated_junk_under_an_established_sa)
{
  pair();
  b.g.error_budget = 3;
  start();
  run_trigger(1);
  ck_assert(phase2_up(&net.side[1]));
  /* Quick Mode messages that fail authentication: garbage under the SA's
   * cookies, which anyone who saw them could send. Counted, dropped, and
   * never spent from the budget. */
  uint8_t junk[60];
  ck_assert_uint_eq(net_quick_junk(&net, 1, junk, sizeof junk), sizeof junk);
  for (unsigned i = 0; i < 2 * b.g.error_budget; i++)
    ike_engine_input(net.side[1].e, net.now, net.side[0].addr, net.side[1].addr, junk, sizeof junk);
  expect(&net.side[1], "!! Too many errors! Deleting SA", 0);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 1);
  ck_assert_uint_eq(ike_engine_ipsec_count(net.side[1].e), 1);
  struct ike_engine_counters c;
  ike_engine_counters(net.side[1].e, &c);
  ck_assert_uint_eq(c.unauthenticated, 2 * b.g.error_budget);
  net_free(&net);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("engine K-rows");
  TCase *tc = tcase_create("Table 27-1");
  tcase_add_test(tc, k10_negotiation_in_process);
  tcase_add_test(tc, k11_duplicate_first_message);
  tcase_add_test(tc, k11_duplicate_quick_mode_request);
  tcase_add_loop_test(tc, k12_no_proposal_chosen, 0, M_COUNT);
  tcase_add_loop_test(tc, k13_k14_proxy_ids, 0, 2);
  tcase_add_test(tc, k15_conflict_with_configured_rule);
  tcase_add_test(tc, k16_invalid_peer_range);
  tcase_add_test(tc, k17_remote_conflicts_with_connection);
  tcase_add_test(tc, k18_active_connections_exceeded);
  tcase_add_test(tc, k19_retransmit_then_give_up);
  tcase_add_test(tc, k20_failed_send_then_recovery);
  tcase_add_test(tc, k21_too_many_errors);
  tcase_add_test(tc, k21_never_for_unauthenticated_junk_under_an_established_sa);
  suite_add_tcase(s, tc);
  return s;
}
