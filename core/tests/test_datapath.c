/* The datapath decisions (datapath.h) on a virtual clock: two gateways A
 * (10.1.0.0/24 behind it) and B (10.2.0.0/24), each with its own
 * struct datapath holding one side of the same AES-CBC/SHA1 SA pair. */
#include <string.h>

#include "check_run.h"
#include "ikelab/datapath.h"
#include "ikelab/isakmp_types.h"

static struct datapath a, b;       /* big: static, fresh per test (CK_FORK) */
static uint8_t out[2048], inner[2048];

static void counter_rng(void *ctx, uint8_t *buf, size_t len)
{
  (void)ctx;
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)i;
}

static struct ike_ipsec_sa sa_a(uint32_t spi_in, uint32_t spi_out)
{
  struct ike_ipsec_sa sa = {.rule = 1, .protocol = ISAKMP_PROTO_ESP, .encr = ISAKMP_ESP_AES_CBC,
                            .key_bits = 128, .auth = IPSEC_AUTH_HMAC_SHA1,
                            .encap = IPSEC_ENCAP_UDP_TUNNEL, .spi_in = spi_in,
                            .spi_out = spi_out, .enc_key_len = 16, .auth_key_len = 20,
                            .udp_encap = true, .local = {IPV4(192, 0, 2, 1), 4500},
                            .peer = {IPV4(192, 0, 2, 2), 4500},
                            .local_net = addr_subnet(IPV4(10, 1, 0, 0), 0xffffff00u),
                            .remote_net = addr_subnet(IPV4(10, 2, 0, 0), 0xffffff00u)};
  for (size_t i = 0; i < sizeof sa.key_in; i++) {
    sa.key_in[i] = (uint8_t)(0x11 * (i + 1));
    sa.key_out[i] = (uint8_t)(0x5a ^ i);
  }
  return sa;
}

/* B's view: SPIs, keys, endpoints and selectors swapped. */
static struct ike_ipsec_sa mirror(struct ike_ipsec_sa s)
{
  struct ike_ipsec_sa m = s;
  m.spi_in = s.spi_out;
  m.spi_out = s.spi_in;
  memcpy(m.key_in, s.key_out, sizeof m.key_in);
  memcpy(m.key_out, s.key_in, sizeof m.key_out);
  m.local = s.peer;
  m.peer = s.local;
  m.local_net = s.remote_net;
  m.remote_net = s.local_net;
  return m;
}

static void setup_pair(void)
{
  char why[160] = "";
  struct ike_ipsec_sa s = sa_a(0x1001, 0x2001), m = mirror(s);
  dp_init(&a);
  dp_init(&b);
  ck_assert_msg(dp_sa_add(&a, 1000, &s, why, sizeof why), "%s", why);
  ck_assert_msg(dp_sa_add(&b, 1000, &m, why, sizeof why), "%s", why);
}

/* A 28-byte IPv4 packet (header + 8 bytes), src -> dst. */
static size_t ipv4(uint8_t *p, uint32_t src, uint32_t dst)
{
  memset(p, 0, 28);
  p[0] = 0x45;
  p[3] = 28;
  p[8] = 64;
  p[9] = 1;
  for (int i = 0; i < 4; i++) {
    p[12 + i] = (uint8_t)(src >> (24 - 8 * i));
    p[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
  }
  return 28;
}

static struct ike_config cfg_one_rule(void)
{
  struct ike_config c;
  memset(&c, 0, sizeof c);
  ike_globals_default(&c.g);
  c.g.retransmit_interval_ms = 1000;
  c.g.retransmit_count = 2;
  ike_rule_default(&c.rules[0], 1);
  c.rules[0].secure_gateway = IPV4(192, 0, 2, 2);
  c.rules[0].local = addr_subnet(IPV4(10, 1, 0, 0), 0xffffff00u);
  c.rules[0].remote = addr_subnet(IPV4(10, 2, 0, 0), 0xffffff00u);
  c.nrules = 1;
  return c;
}

START_TEST(round_trip_through_both_gateways)
{
  struct ike_config c = cfg_one_rule();
  uint8_t pkt[64];
  size_t len = ipv4(pkt, IPV4(10, 1, 0, 5), IPV4(10, 2, 0, 7)), got = 0;
  struct dp_out res;
  bool log = true;
  struct log_event ev;
  setup_pair();
  dp_outbound(&a, &c, 2000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_SEND);
  ck_assert_uint_eq(res.to.addr, IPV4(192, 0, 2, 2));
  ck_assert_uint_eq(res.to.port, 4500);
  ck_assert_uint_eq(out[2], 0x20); /* SPI first: A's outbound 0x00002001 */
  ck_assert_uint_eq(out[3], 0x01);
  ck_assert(dp_inbound(&b, 2001, out, res.len, inner, sizeof inner, &got, &log, &ev));
  ck_assert(!log);
  ck_assert_mem_eq(inner, pkt, len);
  ck_assert_uint_eq(got, len);
  ck_assert_uint_eq(a.stats.encap, 1);
  ck_assert_uint_eq(b.stats.decap, 1);
}
END_TEST

START_TEST(no_sa_triggers_once_per_retransmission_span)
{
  struct ike_config c = cfg_one_rule();
  uint8_t pkt[64];
  size_t len = ipv4(pkt, IPV4(10, 1, 0, 5), IPV4(10, 2, 0, 7));
  struct dp_out res;
  dp_init(&a);
  dp_outbound(&a, &c, 5000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_TRIGGER);
  ck_assert_int_eq(res.rule, 1);
  /* span = 1000 ms * (2 + 1) */
  dp_outbound(&a, &c, 7999, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_DROP);
  ck_assert_int_eq(res.drop, DP_DROP_NEGOTIATING);
  dp_outbound(&a, &c, 8000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_TRIGGER);
  /* Outside every rule: dropped, nothing triggered. */
  len = ipv4(pkt, IPV4(10, 9, 0, 5), IPV4(10, 2, 0, 7));
  dp_outbound(&a, &c, 9000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.drop, DP_DROP_NO_RULE);
  ck_assert_uint_eq(a.stats.triggers, 2);
  /* Not IPv4 at all. */
  dp_outbound(&a, &c, 9000, pkt, 10, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.drop, DP_DROP_NOT_IPV4);
}
END_TEST

START_TEST(newest_sa_carries_outbound)
{
  struct ike_config c = cfg_one_rule();
  char why[160] = "";
  uint8_t pkt[64];
  size_t len = ipv4(pkt, IPV4(10, 1, 0, 5), IPV4(10, 2, 0, 7));
  struct dp_out res;
  struct ike_ipsec_sa rekeyed = sa_a(0x1002, 0x2002);
  setup_pair();
  ck_assert_msg(dp_sa_add(&a, 5000, &rekeyed, why, sizeof why), "%s", why);
  dp_outbound(&a, &c, 6000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_SEND);
  ck_assert_uint_eq(out[3], 0x02); /* SPI 0x00002002 */
  ck_assert(dp_sa_del(&a, &rekeyed));
  dp_outbound(&a, &c, 6000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_uint_eq(out[3], 0x01);
}
END_TEST

START_TEST(inbound_outside_selectors_is_dropped)
{
  struct ike_config c = cfg_one_rule();
  uint8_t pkt[64];
  size_t got;
  bool log;
  struct log_event ev;
  struct dp_out res;
  setup_pair();
  /* A's SA admits 10.2/24 -> 10.1/24 only; B is made to send a packet
   * from 10.3.0.1 through it (as a lax or hostile peer could). */
  b.table.sa[0].sa.local_net = addr_subnet(0, 0);
  size_t len = ipv4(pkt, IPV4(10, 3, 0, 1), IPV4(10, 1, 0, 5));
  dp_outbound(&b, &c, 2000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
  ck_assert_int_eq(res.kind, DP_OUT_SEND);
  ck_assert(!dp_inbound(&a, 2001, out, res.len, inner, sizeof inner, &got, &log, &ev));
  ck_assert(!log);
  ck_assert_uint_eq(a.stats.drop[DP_DROP_SELECTOR], 1);
}
END_TEST

/* ESP under an SPI no SA has (0xdeadbeef), sequence 1. */
static const uint8_t unknown_spi_esp[] = {0xde, 0xad, 0xbe, 0xef, 0,   0,   0,   1,
                                          'x',  'x',  'x',  'x',  'x', 'x', 'x', 'x',
                                          'x',  'x',  'x',  'x',  'x', 'x', 'x', 'x'};

START_TEST(unknown_spi_is_p2)
{
  size_t got;
  bool log = false;
  struct log_event ev;
  char text[128];
  setup_pair();
  ck_assert(!dp_inbound(&a, 2000, unknown_spi_esp, sizeof unknown_spi_esp, inner, sizeof inner,
                        &got, &log, &ev));
  ck_assert(log);
  log_render(&ev, text, sizeof text);
  ck_assert_str_eq(text, "!! Cannot find Phase 2 SA");
}
END_TEST

START_TEST(unknown_spi_flood_is_rate_limited)
{
  size_t got;
  bool log = false;
  struct log_event ev;
  unsigned logged = 0;
  setup_pair();
  for (int i = 0; i < 50; i++) {
    ck_assert(!dp_inbound(&a, 2000 + (uint64_t)i, unknown_spi_esp, sizeof unknown_spi_esp, inner,
                          sizeof inner, &got, &log, &ev));
    logged += log;
  }
  ck_assert_uint_eq(logged, DP_LOG_BURST);
  ck_assert_uint_eq(a.stats.log_suppressed, 50 - DP_LOG_BURST);
  ck_assert_uint_eq(a.stats.drop[DP_DROP_ESP], 50);
  /* A second later the row is back, telling how many were held. */
  ck_assert(!dp_inbound(&a, 3100, unknown_spi_esp, sizeof unknown_spi_esp, inner, sizeof inner,
                        &got, &log, &ev));
  ck_assert(log);
  ck_assert_uint_eq(ev.suppressed, 50 - DP_LOG_BURST);
}
END_TEST

START_TEST(idle_sa_is_removed_with_p6)
{
  struct log_event ev;
  char text[128];
  setup_pair();
  ck_assert_uint_eq(dp_next_timer(&a, 1000, 120000), 0); /* keepalive period unstarted */
  ck_assert(!dp_idle_expire(&a, 120999, 120000, &ev));
  ck_assert(dp_idle_expire(&a, 121000, 120000, &ev));
  log_render(&ev, text, sizeof text);
  ck_assert_str_eq(text, "Rule <#1> idle time out, disconnect");
  ck_assert_uint_eq(a.table.count, 0);
  ck_assert(!dp_idle_expire(&a, 999999, 120000, &ev));
  ck_assert_uint_eq(dp_next_timer(&a, 999999, 120000), UINT64_MAX);
}
END_TEST

START_TEST(volume_lifetime_soft_once_then_hard)
{
  struct ike_config c = cfg_one_rule();
  char why[160] = "";
  uint8_t pkt[64];
  size_t len = ipv4(pkt, IPV4(10, 1, 0, 5), IPV4(10, 2, 0, 7));
  struct dp_out res;
  uint32_t spi;
  bool hard;
  struct ike_ipsec_sa s = sa_a(0x1001, 0x2001);
  s.life_kbytes = 1; /* 1024 bytes of inner traffic */
  dp_init(&a);
  ck_assert_msg(dp_sa_add(&a, 1000, &s, why, sizeof why), "%s", why);
  unsigned sent = 0, soft = 0;
  while (a.table.count > 0 && sent < 100) {
    dp_outbound(&a, &c, 2000, pkt, len, out, sizeof out, counter_rng, NULL, &res);
    ck_assert_int_eq(res.kind, DP_OUT_SEND);
    sent++;
    while (dp_volume_expire(&a, &spi, &hard)) {
      ck_assert_uint_eq(spi, 0x1001);
      if (!hard) {
        soft++;
        ck_assert_uint_ge((uint64_t)sent * len, 1024 / 10 * 9);
      } else {
        ck_assert_uint_ge((uint64_t)sent * len, 1024);
      }
    }
  }
  ck_assert_uint_eq(soft, 1);             /* reported once */
  ck_assert_uint_eq(a.table.count, 0);    /* removed at the hard limit */
  ck_assert_uint_eq(sent, (1024 + len - 1) / len);
}
END_TEST

START_TEST(keepalive_every_twenty_seconds)
{
  struct ike_endpoint from[4], to[4];
  setup_pair();
  ck_assert_uint_eq(dp_keepalives(&a, 1000, from, to, 4), 0); /* starts the period */
  ck_assert_uint_eq(dp_keepalives(&a, 20999, from, to, 4), 0);
  ck_assert_uint_eq(dp_keepalives(&a, 21000, from, to, 4), 1);
  ck_assert_uint_eq(to[0].addr, IPV4(192, 0, 2, 2));
  ck_assert_uint_eq(to[0].port, 4500);
  ck_assert_uint_eq(dp_next_timer(&a, 21000, 0), DP_KEEPALIVE_MS);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("datapath");
  TCase *t = tcase_create("decisions");
  tcase_add_test(t, round_trip_through_both_gateways);
  tcase_add_test(t, no_sa_triggers_once_per_retransmission_span);
  tcase_add_test(t, newest_sa_carries_outbound);
  tcase_add_test(t, inbound_outside_selectors_is_dropped);
  tcase_add_test(t, unknown_spi_is_p2);
  tcase_add_test(t, unknown_spi_flood_is_rate_limited);
  tcase_add_test(t, idle_sa_is_removed_with_p6);
  tcase_add_test(t, keepalive_every_twenty_seconds);
  tcase_add_test(t, volume_lifetime_soft_once_then_hard);
  suite_add_tcase(s, t);
  return s;
}
