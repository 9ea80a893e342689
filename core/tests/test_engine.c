/* The engine, two instances on an in-memory network: full exchanges, their
 * exact log traces (LOGS.md), keys that agree, and the K-rows provoked. */
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "engine_net.h"
#include "ikelab/det_random.h"
#include "ikelab/esp.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
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

/* Both engines up, side 0 triggers rule 1, and the network runs dry. */
static void negotiate(const struct ike_config *a, const struct ike_config *b)
{
  start(a, b);
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
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
  negotiate(&a, &b);
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

START_TEST(aggressive_mode_and_quick_mode_traces)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_AGGRESSIVE, &p1_aes, &p2_esp);
  negotiate(&a, &b);
  static const char *const initiator[] = {
      "Cannot find outbound SA for rule <#1>",
      "Send Aggressive Mode request to <10.0.0.2>",
      "Send:<SA><KE><NONCE><ID>",
      "Recv:<SA><KE><NONCE><ID><HASH>",
      "Send:<HASH>",
      "Phase 1 IKE SA process done",
      "Start Phase 2: Quick Mode",
      "Send:<HASH><SA><NONCE><ID><ID>",
      "Recv:<HASH><SA><NONCE><ID><ID>",
      "Send:<HASH>",
  };
  static const char *const responder[] = {
      "Recv Aggressive Mode request from <10.0.0.1>",
      "Recv:<SA><KE><NONCE><ID>",
      "Send:<SA><KE><NONCE><ID><HASH>",
      "Recv:<HASH>",
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

/* ---- NAT traversal (RFC 3947) ---- */

static void nat_run(bool nat, enum ike_mode mode)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, mode, &p1_aes, &p2_esp);
  a.g.nat_traversal = b.g.nat_traversal = true;
  start(&a, &b);
  net.nat_side0 = nat;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  assert_keys_agree();
}

START_TEST(nat_detected_floats_to_4500_and_encapsulates)
{
  nat_run(true, _i ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN);
  const struct ike_ipsec_sa *x = &net.side[0].added[0], *y = &net.side[1].added[0];
  ck_assert(x->udp_encap && y->udp_encap);
  ck_assert_uint_eq(x->local.port, 4500);
  ck_assert_uint_eq(x->peer.port, 4500);
  ck_assert_uint_eq(y->local.port, 4500);
  ck_assert_uint_eq(y->peer.port, 4500 + NET_NAT_OFFSET); /* as the NAT maps it */
  ck_assert_uint_eq(net.last_port[0], 4500);
  ck_assert_uint_eq(net.last_port[1], 4500);
  if (_i == 0) {
    ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<SA><VID>", 0), 0);
    ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<KE><NONCE><NAT_D><NAT_D>", 0), 0);
    ck_assert_int_ge(net_find_log(&net.side[1], "Send:<KE><NONCE><NAT_D><NAT_D>", 0), 0);
  } else {
    ck_assert_int_ge(net_find_log(&net.side[1], "Send:<SA><KE><NONCE><ID><HASH><VID><NAT_D><NAT_D>", 0), 0);
    ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<HASH><NAT_D><NAT_D>", 0), 0);
  }
  net_free(&net);
}
END_TEST

START_TEST(no_nat_stays_on_500)
{
  nat_run(false, IKE_MODE_MAIN);
  const struct ike_ipsec_sa *x = &net.side[0].added[0];
  ck_assert(!x->udp_encap);
  ck_assert_uint_eq(x->local.port, 500);
  ck_assert_uint_eq(net.last_port[0], 500);
  net_free(&net);
}
END_TEST

/* A peer that only knows draft NAT-T: its first message's RFC 3947 Vendor
 * ID is swapped in flight for draft-ietf-ipsec-nat-t-ike-02\n. */
static void draft_only_initiator(struct net_packet *p, unsigned delivered)
{
  static const uint8_t rfc[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                  0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
  static const uint8_t draft[16] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
                                    0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
  static struct isakmp_msg m;
  struct isakmp_error err;
  if (delivered != 1 || !isakmp_decode(&m, p->data, p->len, &err))
    return;
  for (size_t i = 0; i < m.npayloads; i++)
    if (m.payloads[i].type == ISAKMP_NP_VID && slice_eq_bytes(m.payloads[i].u.data, rfc, 16))
      memcpy(p->data + m.payloads[i].offset + 4, draft, 16);
}

START_TEST(draft_nat_t_peer_gets_payloads_130_and_draft_modes)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a.g.nat_traversal = b.g.nat_traversal = true;
  start(&a, &b);
  net.nat_side0 = true;
  net.rewrite = draft_only_initiator;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  assert_keys_agree();
  /* Both now speak the draft: NAT-D as payload 130 (the same symbol). */
  ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<KE><NONCE><NAT_D><NAT_D>", 0), 0);
  struct ike_sa_info info;
  ck_assert(ike_engine_sa_info(net.side[1].e, 0, &info));
  ck_assert(info.peer_vendor_caps & VENDOR_NATT_DRAFT);
  ck_assert(!(info.peer_vendor_caps & VENDOR_NATT_RFC3947));
  ck_assert(info.nat_detected);
  ck_assert(net.side[0].added[0].udp_encap);
  net_free(&net);
}
END_TEST

/* ---- Dead Peer Detection ---- */

static void dpd_pair(struct ike_config *a, struct ike_config *b)
{
  net_pair_config(a, b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a->g.dpd_interval_ms = b->g.dpd_interval_ms = 30000;
  negotiate(a, b);
  assert_keys_agree();
}

START_TEST(dpd_keeps_a_live_peer)
{
  struct ike_config a, b;
  dpd_pair(&a, &b);
  ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<SA><VID>", 0), 0);
  net_run(&net, net.now + 100000); /* three R-U-THERE rounds */
  ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<HASH><NOTFY>", 0), 0);
  ck_assert_int_ge(net_find_log(&net.side[0], "Recv:<HASH><NOTFY>", 0), 0);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[0].e), 1);
  ck_assert_uint_eq(net.side[0].ndeleted, 0);
  net_free(&net);
}
END_TEST

START_TEST(dpd_declares_a_silent_peer_dead)
{
  struct ike_config a, b;
  dpd_pair(&a, &b);
  net.drop_all = true;
  net_run(&net, net.now + 30000 * (a.g.retransmit_count + 3));
  ck_assert_uint_eq(ike_engine_sa_count(net.side[0].e), 0);
  ck_assert_uint_eq(net.side[0].ndeleted, 1); /* its IPsec SA went too */
  ck_assert_int_eq(net.side[0].results[net.side[0].nresults - 1].kind, IKE_RESULT_PHASE1_DELETED);
  net_free(&net);
}
END_TEST

/* ---- negotiated keys work in the ESP datapath ---- */

/* Each side's SA_ADD goes into its own ESP table; a packet encapsulated by
 * one side must decapsulate on the other. This ties KEYMAT lengths (salt
 * included for GCM) to what the datapath expects. */
static void esp_round_trip(void)
{
  static struct esp_table ta, tb;
  static uint8_t wire[256], inner[256];
  static const uint8_t ping[40] = {0x45, 0, 0, 40};
  char why[160] = "";
  uint64_t rng = 5;
  size_t len = 0, got = 0;
  esp_table_init(&ta, 0);
  esp_table_init(&tb, 0);
  ck_assert_msg(esp_table_add(&ta, net.now, &net.side[0].added[0], why, sizeof why), "%s", why);
  ck_assert_msg(esp_table_add(&tb, net.now, &net.side[1].added[0], why, sizeof why), "%s", why);
  struct esp_sa *out = esp_table_find(&ta, net.side[0].added[0].spi_in);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(esp_encap(out, net.now, ESP_NH_IPV4, ping, sizeof ping, wire, sizeof wire,
                             &len, det_random_fill, &rng),
                   ESP_OK);
  ck_assert_int_eq(esp_decap(&tb, net.now, wire, len, inner, sizeof inner, &got, NULL), ESP_OK);
  ck_assert_uint_eq(got, sizeof ping);
  ck_assert_mem_eq(inner, ping, sizeof ping);
  esp_table_clear(&ta);
  esp_table_clear(&tb);
}

START_TEST(negotiated_keys_carry_esp)
{
  static const struct {
    uint8_t encr;
    uint16_t bits, auth;
  } suites[] = {{ISAKMP_ESP_AES_GCM_16, 128, 0},
                {ISAKMP_ESP_AES_GCM_16, 256, 0},
                {ISAKMP_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA2_256},
                {ISAKMP_ESP_3DES, 0, IPSEC_AUTH_HMAC_SHA1}};
  struct ike_config a, b;
  struct ike_p2_proposal p2 = p2_esp;
  p2.encr = suites[_i].encr;
  p2.key_bits = suites[_i].bits;
  p2.auth = suites[_i].auth;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2);
  negotiate(&a, &b);
  assert_keys_agree();
  if (p2.encr == ISAKMP_ESP_AES_GCM_16)
    ck_assert_uint_eq(net.side[0].added[0].enc_key_len, p2.key_bits / 8u + 4);
  esp_round_trip();
  net_free(&net);
}
END_TEST

/* ---- taking SAs down ---- */

static void up_pair(void)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  negotiate(&a, &b);
  assert_keys_agree();
}

START_TEST(down_sends_deletes_the_peer_acts_on)
{
  up_pair();
  ike_engine_down(net.side[0].e, net.now, 1);
  net_run(&net, net.now + 1000);
  for (int i = 0; i < 2; i++) {
    ck_assert_uint_eq(net.side[i].ndeleted, 1);
    ck_assert_uint_eq(ike_engine_sa_count(net.side[i].e), 0);
    ck_assert_uint_eq(ike_engine_ipsec_count(net.side[i].e), 0);
  }
  ck_assert_uint_eq(net.side[1].deleted[0].spi_in, net.side[0].added[0].spi_out);
  ck_assert_int_ge(net_find_log(&net.side[1], "Recv:<HASH><DEL>", 0), 0);
  /* A peer's Delete is reported as such, not as a failure. */
  const struct net_side *b = &net.side[1];
  ck_assert_int_eq(b->results[b->nresults - 1].kind, IKE_RESULT_PHASE1_DELETED);
  net_free(&net);
}
END_TEST

START_TEST(shutdown_deletes_everything)
{
  up_pair();
  ike_engine_shutdown(net.side[1].e, net.now); /* the responder goes away */
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(net.side[0].ndeleted, 1);
  ck_assert_uint_eq(ike_engine_sa_count(net.side[0].e), 0);
  net_free(&net);
}
END_TEST

START_TEST(reconfigure_keeps_what_still_fits)
{
  struct ike_config a, b;
  char why[256];
  up_pair();
  /* Same rule, a changed lifetime: the SAs stay. */
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a.rules[0].p2[0].life_seconds = 1800;
  ck_assert_msg(ike_engine_reconfigure(net.side[0].e, net.now, &a, why, sizeof why), "%s", why);
  ck_assert_uint_eq(ike_engine_ipsec_count(net.side[0].e), 1);
  ck_assert_uint_eq(net.side[0].ndeleted, 0);
  /* A bad config changes nothing. */
  a.rules[0].psk_len = 0;
  ck_assert(!ike_engine_reconfigure(net.side[0].e, net.now, &a, why, sizeof why));
  ck_assert_uint_eq(ike_engine_ipsec_count(net.side[0].e), 1);
  /* A new key: the SAs made with the old one go, with Deletes. */
  ike_rule_set_psk(&a.rules[0], "a-new-secret");
  ck_assert_msg(ike_engine_reconfigure(net.side[0].e, net.now, &a, why, sizeof why), "%s", why);
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(ike_engine_ipsec_count(net.side[0].e), 0);
  ck_assert_uint_eq(net.side[1].ndeleted, 1);
  net_free(&net);
}
END_TEST

/* ---- lifetimes ---- */

START_TEST(volume_soft_limit_rekeys_and_hard_limit_deletes)
{
  up_pair();
  uint32_t spi = net.side[0].added[0].spi_in;
  ike_engine_sa_volume(net.side[0].e, net.now, spi, false);
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(net.side[0].nadded, 2); /* the successor */
  ck_assert_uint_eq(net.side[1].nadded, 2);
  ike_engine_sa_volume(net.side[0].e, net.now, spi, true);
  net_run(&net, net.now + 1000);
  ck_assert_uint_eq(net.side[0].ndeleted, 1);
  ck_assert_uint_eq(net.side[0].deleted[0].spi_in, spi);
  ck_assert_uint_eq(net.side[1].ndeleted, 1); /* told with a Delete */
  ck_assert_uint_eq(ike_engine_ipsec_count(net.side[0].e), 1);
  net_free(&net);
}
END_TEST

START_TEST(responder_lifetime_shortens_phase2)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  a.rules[0].p2[0].life_seconds = 7200; /* B allows 3600 */
  negotiate(&a, &b);
  assert_keys_agree();
  ck_assert_int_ge(net_find_log(&net.side[1], "Send:<HASH><SA><NONCE><ID><ID><NOTFY>", 0), 0);
  ck_assert_uint_eq(net.side[0].added[0].life_seconds, 3600);
  ck_assert_uint_eq(net.side[1].added[0].life_seconds, 3600);
  net_free(&net);
}
END_TEST

START_TEST(phase2_rekeys_before_expiry)
{
  struct ike_config a, b;
  struct ike_p2_proposal p2 = p2_esp;
  p2.life_seconds = 200;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2);
  start(&a, &b);
  uint64_t t0 = net.now;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, t0 + 250000);
  for (int i = 0; i < 2; i++) {
    const struct net_side *s = &net.side[i];
    if (s->nadded != 2 || s->ndeleted != 1)
      dump(s);
    ck_assert_uint_eq(s->nadded, 2);   /* the SA and its successor */
    ck_assert_uint_eq(s->ndeleted, 1); /* the first, at its end */
    ck_assert_uint_eq(s->deleted[0].spi_in, s->added[0].spi_in);
  }
  /* The successor ran under the same Phase 1, without K1. */
  ck_assert_uint_eq(ike_engine_sa_count(net.side[0].e), 1);
  ck_assert_int_lt(net_find_log(&net.side[0], "Cannot find outbound SA for rule <#1>", 1), 0);
  ck_assert_int_ge(net_find_log(&net.side[0], "Start Phase 2: Quick Mode", 10), 0);
  net_free(&net);
}
END_TEST

/* ---- the matrix: our initiator against our responder ---- */

static const uint16_t groups[] = {OAKLEY_GROUP_MODP768,  OAKLEY_GROUP_MODP1024,
                                  OAKLEY_GROUP_MODP1536, OAKLEY_GROUP_MODP2048,
                                  OAKLEY_GROUP_MODP3072, OAKLEY_GROUP_MODP4096};
static const struct {
  uint16_t encr, bits;
} p1_ciphers[] = {{OAKLEY_ENCR_DES_CBC, 0},
                  {OAKLEY_ENCR_3DES_CBC, 0},
                  {OAKLEY_ENCR_AES_CBC, 128},
                  {OAKLEY_ENCR_AES_CBC, 192},
                  {OAKLEY_ENCR_AES_CBC, 256}};
static const uint16_t p1_hashes[] = {OAKLEY_HASH_MD5, OAKLEY_HASH_SHA1, OAKLEY_HASH_SHA2_256,
                                     OAKLEY_HASH_SHA2_384, OAKLEY_HASH_SHA2_512};
enum {
  NGROUPS = sizeof groups / sizeof groups[0],
  NCIPHERS = sizeof p1_ciphers / sizeof p1_ciphers[0],
  NHASHES = sizeof p1_hashes / sizeof p1_hashes[0],
  P1_COMBOS = 2 * NGROUPS * NCIPHERS * NHASHES,
};

static void run_pair(const struct ike_p1_proposal *p1, const struct ike_p2_proposal *p2,
                     enum ike_mode mode)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, mode, p1, p2);
  negotiate(&a, &b);
  for (int i = 0; i < 2; i++) {
    const struct net_side *s = &net.side[i];
    if (s->nadded != 1)
      dump(s);
    ck_assert_int_ge(net_find_log(s, "Phase 1 IKE SA process done", 0), 0);
    ck_assert_int_ge(net_find_log(s, "Start Phase 2: Quick Mode", 0), 0);
    ck_assert_int_lt(net_find_log(s, "!! No proposal chosen", 0), 0);
  }
  assert_keys_agree();
  const struct ike_ipsec_sa *sa = &net.side[0].added[0];
  ck_assert_uint_eq(sa->protocol, p2->protocol);
  ck_assert_uint_eq(sa->encap, p2->encap);
  net_free(&net);
}

/* Every Phase 1 combination (mode x group x cipher x hash), each followed
 * by a Quick Mode whose protocol, mode and PFS cycle with the index. */
START_TEST(phase1_matrix)
{
  unsigned i = (unsigned)_i;
  struct ike_p1_proposal p1 = {p1_ciphers[i % NCIPHERS].encr, p1_ciphers[i % NCIPHERS].bits,
                               p1_hashes[(i / NCIPHERS) % NHASHES],
                               groups[(i / (NCIPHERS * NHASHES)) % NGROUPS], 28800};
  enum ike_mode mode = i / (NCIPHERS * NHASHES * NGROUPS) ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN;
  struct ike_p2_proposal p2 = p2_esp;
  if (i % 3 == 1) {
    p2.protocol = ISAKMP_PROTO_AH;
    p2.encr = 0;
    p2.key_bits = 0;
  }
  p2.encap = i % 2 ? IPSEC_ENCAP_TRANSPORT : IPSEC_ENCAP_TUNNEL;
  p2.pfs = i % 4 == 3 ? OAKLEY_GROUP_MODP1024 : 0;
  run_pair(&p1, &p2, mode);
}
END_TEST

/* Every Phase 2 combination: ESP (5 ciphers) and AH, x 3 integrity
 * algorithms, x tunnel/transport, x PFS none/group 2/group 14. */
static const struct {
  uint8_t encr;
  uint16_t bits;
} p2_ciphers[] = {{ISAKMP_ESP_DES, 0},       {ISAKMP_ESP_3DES, 0},      {ISAKMP_ESP_AES_CBC, 128},
                  {ISAKMP_ESP_AES_CBC, 192}, {ISAKMP_ESP_AES_CBC, 256}, {0, 0} /* AH */};
static const uint16_t p2_auths[] = {IPSEC_AUTH_HMAC_MD5, IPSEC_AUTH_HMAC_SHA1,
                                    IPSEC_AUTH_HMAC_SHA2_256};
static const uint16_t pfs_groups[] = {0, OAKLEY_GROUP_MODP1024, OAKLEY_GROUP_MODP2048};
enum { P2_COMBOS = 6 * 3 * 2 * 3 };

START_TEST(phase2_matrix)
{
  unsigned i = (unsigned)_i;
  unsigned c = i % 6, au = (i / 6) % 3, mode = (i / 18) % 2, pfs = (i / 36) % 3;
  struct ike_p2_proposal p2 = {p2_ciphers[c].encr ? ISAKMP_PROTO_ESP : ISAKMP_PROTO_AH,
                               p2_ciphers[c].encr, p2_ciphers[c].bits, p2_auths[au],
                               pfs_groups[pfs],
                               mode ? IPSEC_ENCAP_TRANSPORT : IPSEC_ENCAP_TUNNEL, 3600, 0};
  run_pair(&p1_aes, &p2, i % 2 ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN);
}
END_TEST

/* Phase 1 keys are there for a test bench from the key exchange on: the
 * Main Mode responder's once it has sent message 4 (so message 5 can be
 * sealed by a harness), the initiator's once it has sent message 5; both
 * the same keys, and marked established only at the end. */
static struct ike_p1_keys_info keys_at_mm4[2], keys_at_mm5[2];
static bool have_at_mm4[2], have_at_mm5[2];

static void snapshot_keys(struct net_packet *p, unsigned delivered)
{
  (void)p;
  for (int s = 0; s < 2; s++) {
    if (delivered == 4)
      have_at_mm4[s] = ike_engine_p1_keys(net.side[s].e, 0, &keys_at_mm4[s]);
    if (delivered == 5)
      have_at_mm5[s] = ike_engine_p1_keys(net.side[s].e, 0, &keys_at_mm5[s]);
  }
}

START_TEST(phase1_keys_exist_before_the_sa_is_established)
{
  struct ike_config a, b;
  struct ike_p1_keys_info done[2];
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  start(&a, &b);
  net.rewrite = snapshot_keys;
  ck_assert(ike_engine_trigger(net.side[0].e, net.now, 1));
  net_run(&net, net.now + 1000);
  /* Before message 4 reaches the initiator: only the responder has keys. */
  ck_assert(!have_at_mm4[0]);
  ck_assert(have_at_mm4[1] && !keys_at_mm4[1].established);
  /* Before message 5 reaches the responder: both, still not established. */
  ck_assert(have_at_mm5[0] && !keys_at_mm5[0].established);
  ck_assert(have_at_mm5[1] && !keys_at_mm5[1].established);
  const struct ike_phase1_keys *i5 = &keys_at_mm5[0].keys, *r4 = &keys_at_mm4[1].keys;
  ck_assert_uint_eq(i5->key_len, r4->key_len);
  ck_assert_uint_gt(i5->key_len, 0);
  ck_assert_mem_eq(i5->enc_key, r4->enc_key, i5->key_len);
  /* The responder's IV at message 4 is where message 5's CBC chain starts. */
  ck_assert_mem_eq(keys_at_mm4[1].iv, r4->iv, r4->block_len);
  for (int s = 0; s < 2; s++) {
    ck_assert(ike_engine_p1_keys(net.side[s].e, 0, &done[s]));
    ck_assert(done[s].established);
    ck_assert_mem_eq(done[s].keys.enc_key, i5->enc_key, i5->key_len);
  }
  net_free(&net);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("engine");
  TCase *tc = tcase_create("exchanges");
  tcase_add_test(tc, main_mode_and_quick_mode_traces_are_the_manuals);
  tcase_add_test(tc, aggressive_mode_and_quick_mode_traces);
  tcase_add_loop_test(tc, nat_detected_floats_to_4500_and_encapsulates, 0, 2);
  tcase_add_test(tc, no_nat_stays_on_500);
  tcase_add_test(tc, responder_lifetime_shortens_phase2);
  tcase_add_test(tc, down_sends_deletes_the_peer_acts_on);
  tcase_add_test(tc, shutdown_deletes_everything);
  tcase_add_test(tc, reconfigure_keeps_what_still_fits);
  tcase_add_test(tc, volume_soft_limit_rekeys_and_hard_limit_deletes);
  tcase_add_loop_test(tc, negotiated_keys_carry_esp, 0, 4);
  tcase_add_test(tc, draft_nat_t_peer_gets_payloads_130_and_draft_modes);
  tcase_add_test(tc, dpd_keeps_a_live_peer);
  tcase_add_test(tc, dpd_declares_a_silent_peer_dead);
  tcase_add_test(tc, phase2_rekeys_before_expiry);
  tcase_add_test(tc, phase1_keys_exist_before_the_sa_is_established);
  suite_add_tcase(s, tc);
  TCase *matrix = tcase_create("matrix");
  tcase_set_timeout(matrix, 60);
  tcase_add_loop_test(matrix, phase1_matrix, 0, P1_COMBOS);
  tcase_add_loop_test(matrix, phase2_matrix, 0, P2_COMBOS);
  suite_add_tcase(s, matrix);
  return s;
}
