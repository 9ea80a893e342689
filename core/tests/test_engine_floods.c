/* Floods against one responder engine: the half-open limit as configured
 * (not the size of a table), the counters a status view shows, and the
 * rate limit that keeps a flood visible in the log without filling it. */
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

/* Side 0's Main Mode message 1, taken off the wire before delivery. */
static struct net_packet mm1;

static void start(unsigned max_half_open)
{
  char why[256];
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  b.g.max_half_open_phase1 = max_half_open;
  b.rules[0].secure_gateway = 0; /* dynamic: first messages from any address */
  ck_assert_msg(net_init(&net, &a, &b, 7, why, sizeof why), "%s", why);
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  ck_assert_uint_eq(net.nq, 1);
  mm1 = net.queue[0];
  net.nq = 0;
}

/* mm1 from a new initiator: its own cookie and source port; addr_plus
 * moves its address above side 0's (0: side 0 itself). */
static void deliver_fresh(unsigned i, unsigned addr_plus)
{
  struct net_packet p = mm1;
  p.data[0] = (uint8_t)(0x80 | (i >> 8));
  p.data[1] = (uint8_t)i;
  p.from.port = (uint16_t)(1024 + i);
  p.from.addr += addr_plus << 8; /* 10.0.1.1, 10.0.2.1, ... */
  ike_engine_input(net.side[1].e, net.now, p.from, p.dst, p.data, p.len);
}

static struct ike_engine_counters counters(void)
{
  struct ike_engine_counters c;
  ike_engine_counters(net.side[1].e, &c);
  return c;
}

START_TEST(half_open_limit_is_the_configured_one)
{
  /* 100 is above the 64 slots the engine once had for every state. */
  start(100);
  unsigned sends = net.side[1].sends;
  /* One address gets half the slots, however many ports it uses... */
  for (unsigned i = 0; i < 150; i++)
    deliver_fresh(i, 0);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 50);
  /* ...and the others the rest: 60 more addresses, one attempt each. */
  for (unsigned i = 0; i < 60; i++)
    deliver_fresh(200 + i, 1 + i);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 100);
  ck_assert_uint_eq(net.side[1].sends - sends, 100); /* the dropped get no answer */
  struct ike_engine_counters c = counters();
  ck_assert_uint_eq(c.half_open_dropped, 100 + 10);
  /* One second of K4 from one address: the first five lines, the rest held. */
  ck_assert_uint_eq(net_count_log(&net.side[1], "Recv Main Mode request from <10.0.0.1>"), 5);
  ck_assert_uint_eq(net_count_log(&net.side[1], "Recv Main Mode request from <10.0.1.1>"), 1);
  /* New keys beyond the table share one overflow slot: K4 lines in all at
   * most five per tracked key plus five. */
  unsigned k4 = 0;
  for (size_t i = 0; i < net.side[1].nlogs; i++)
    k4 += strncmp(net.side[1].logs[i], "Recv Main Mode request", 22) == 0;
  ck_assert_uint_le(k4, 5 + 31 + 5);
  ck_assert_uint_ge(c.log_suppressed, 150 - 5 - 60);
  net_free(&net);
}
END_TEST

START_TEST(a_config_raising_the_limit_takes_effect)
{
  start(16);
  for (unsigned i = 0; i < 40; i++)
    deliver_fresh(i, i % 4);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 16);
  struct ike_config more = b;
  more.g.max_half_open_phase1 = 200;
  char why[256];
  ck_assert_msg(ike_engine_reconfigure(net.side[1].e, net.now, &more, why, sizeof why), "%s",
                why);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 16); /* nothing lost in the move */
  for (unsigned i = 100; i < 400; i++)
    deliver_fresh(i, i % 4);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 200);
  char consistent[256];
  ck_assert_msg(ike_engine_consistent(net.side[1].e, consistent, sizeof consistent), "%s",
                consistent);
  net_free(&net);
}
END_TEST

START_TEST(duplicate_flood_is_counted_and_rate_limited)
{
  start(16);
  const char *k11 = "!! Duplicate requests with the same cookie";
  ike_engine_input(net.side[1].e, net.now, mm1.from, mm1.dst, mm1.data, mm1.len);
  unsigned sends = net.side[1].sends;
  for (unsigned i = 0; i < 50; i++)
    ike_engine_input(net.side[1].e, net.now, mm1.from, mm1.dst, mm1.data, mm1.len);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 1); /* no state per duplicate */
  ck_assert_uint_eq(net.side[1].sends - sends, 50);        /* each answered from the store */
  ck_assert_uint_eq(net_count_log(&net.side[1], k11), 5);
  struct ike_engine_counters c = counters();
  ck_assert_uint_eq(c.duplicate_requests, 50);
  ck_assert_uint_eq(c.log_suppressed, 45);
  ck_assert_uint_eq(net.side[1].suppressed_reported, 0);
  /* A second later the line comes back, telling how many were held. */
  net.now += 1000;
  ike_engine_input(net.side[1].e, net.now, mm1.from, mm1.dst, mm1.data, mm1.len);
  ck_assert_uint_eq(net_count_log(&net.side[1], k11), 6);
  ck_assert_uint_eq(net.side[1].suppressed_reported, 45);
  net_free(&net);
}
END_TEST

START_TEST(malformed_datagrams_are_counted)
{
  start(16);
  struct net_packet p = mm1;
  p.data[17] = 0x77; /* version 7.7: INVALID-MAJOR-VERSION */
  for (unsigned i = 0; i < 30; i++)
    ike_engine_input(net.side[1].e, net.now, p.from, p.dst, p.data, p.len);
  ck_assert_uint_eq(counters().malformed, 30);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[1].e), 0);
  /* A Send: line per answer, but no more than the rate limit's room. */
  ck_assert_uint_eq(net.side[1].nlogs, 20);
  net_free(&net);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("engine floods");
  TCase *tc = tcase_create("floods");
  tcase_add_test(tc, half_open_limit_is_the_configured_one);
  tcase_add_test(tc, a_config_raising_the_limit_takes_effect);
  tcase_add_test(tc, duplicate_flood_is_counted_and_rate_limited);
  tcase_add_test(tc, malformed_datagrams_are_counted);
  suite_add_tcase(s, tc);
  return s;
}
