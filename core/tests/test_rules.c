/* The rule model and its policy decisions (rules.h): address ranges, proxy
 * IDs, the config check and each Phase 2 verdict with its Table 27-1 line. */
#include <string.h>

#include "check_run.h"
#include "ikelab/isakmp_types.h"
#include "ikelab/log.h"
#include "ikelab/rules.h"

/* Brace forms for static tables; AR() makes a value of one. */
#define SINGLE(a) {ADDR_SINGLE, (a), 0}
#define SPAN(a, b) {ADDR_RANGE, (a), (b)}
#define NET(a, m) {ADDR_SUBNET, (a), (m)}
#define AR(x) ((struct addr_range)x)
#define MASK24 IPV4(255, 255, 255, 0)
#define MASK16 IPV4(255, 255, 0, 0)

/* ---- ranges ------------------------------------------------------------- */

static const struct {
  struct addr_range r;
  bool valid;
  uint32_t lo, hi;
} ranges[] = {
    {SINGLE(IPV4(10, 0, 0, 1)), true, IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 1)},
    {SINGLE(0), true, 0, 0}, /* structurally fine; policy refuses it */
    {SPAN(IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 9)), true, IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 9)},
    {SPAN(IPV4(10, 0, 0, 5), IPV4(10, 0, 0, 5)), true, IPV4(10, 0, 0, 5), IPV4(10, 0, 0, 5)},
    {SPAN(IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 1)), false, IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 1)},
    {NET(IPV4(192, 168, 1, 0), MASK24), true, IPV4(192, 168, 1, 0), IPV4(192, 168, 1, 255)},
    {NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0)), true, IPV4(10, 0, 0, 0), IPV4(10, 255, 255, 255)},
    {NET(IPV4(10, 0, 0, 7), 0xffffffffu), true, IPV4(10, 0, 0, 7), IPV4(10, 0, 0, 7)},
    {NET(0, 0), true, 0, 0xffffffffu},
    {NET(IPV4(192, 168, 1, 5), MASK24), false, IPV4(192, 168, 1, 0), IPV4(192, 168, 1, 255)},
    {NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 255, 0)), false, 0, 0}, /* mask with a hole */
    {NET(IPV4(10, 0, 0, 0), IPV4(0, 255, 255, 255)), false, 0, 0}, /* inverted mask */
};

START_TEST(range_validity_and_bounds)
{
  uint32_t lo, hi;
  const struct addr_range *r = &ranges[_i].r;
  ck_assert_msg(addr_range_valid(r) == ranges[_i].valid, "row %d", _i);
  if (!ranges[_i].valid && r->kind == ADDR_SUBNET && !addr_mask_contiguous(r->b))
    return; /* bounds of a broken mask mean nothing */
  addr_range_bounds(r, &lo, &hi);
  ck_assert_uint_eq(lo, ranges[_i].lo);
  ck_assert_uint_eq(hi, ranges[_i].hi);
}
END_TEST

static const struct {
  struct addr_range x, y;
  bool equal, overlap, x_contains_y;
} pairs[] = {
    {SINGLE(IPV4(10, 0, 0, 1)), NET(IPV4(10, 0, 0, 1), 0xffffffffu), true, true, true},
    {SINGLE(IPV4(10, 0, 0, 1)), SPAN(IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 1)), true, true, true},
    {NET(IPV4(10, 1, 0, 0), MASK16), SPAN(IPV4(10, 1, 0, 0), IPV4(10, 1, 255, 255)), true, true,
     true},
    {NET(IPV4(10, 1, 0, 0), MASK16), NET(IPV4(10, 1, 2, 0), MASK24), false, true, true},
    {NET(IPV4(10, 1, 2, 0), MASK24), NET(IPV4(10, 1, 0, 0), MASK16), false, true, false},
    {SPAN(IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 9)), SPAN(IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 20)),
     false, true, false}, /* one shared address at the edge */
    {SPAN(IPV4(10, 0, 0, 1), IPV4(10, 0, 0, 9)), SPAN(IPV4(10, 0, 0, 10), IPV4(10, 0, 0, 20)),
     false, false, false},
    {NET(0, 0), SINGLE(0xffffffffu), false, true, true},
    {NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0)), SPAN(IPV4(10, 9, 0, 0), IPV4(11, 0, 0, 0)),
     false, true, false},
    /* an invalid range is equal to, overlaps and contains nothing */
    {SPAN(IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 1)), SINGLE(IPV4(10, 0, 0, 5)), false, false, false},
    {NET(IPV4(10, 0, 0, 0), MASK16), NET(IPV4(10, 0, 0, 5), MASK24), false, false, false},
};

START_TEST(range_equal_overlap_contains)
{
  const struct addr_range *x = &pairs[_i].x, *y = &pairs[_i].y;
  ck_assert_msg(addr_range_equal(x, y) == pairs[_i].equal, "row %d equal", _i);
  ck_assert_msg(addr_range_equal(y, x) == pairs[_i].equal, "row %d equal (swapped)", _i);
  ck_assert_msg(addr_range_overlap(x, y) == pairs[_i].overlap, "row %d overlap", _i);
  ck_assert_msg(addr_range_overlap(y, x) == pairs[_i].overlap, "row %d overlap (swapped)", _i);
  ck_assert_msg(addr_range_contains(x, y) == pairs[_i].x_contains_y, "row %d contains", _i);
}
END_TEST

static const struct {
  uint32_t mask;
  bool contiguous;
} masks[] = {
    {0, true},           {0xffffffffu, true},    {MASK24, true},
    {IPV4(255, 255, 255, 252), true}, {IPV4(128, 0, 0, 0), true}, {IPV4(255, 0, 255, 0), false},
    {1, false},          {IPV4(0, 0, 0, 255), false}, {0xfffffffeu, true},
};

START_TEST(mask_contiguity)
{
  ck_assert_msg(addr_mask_contiguous(masks[_i].mask) == masks[_i].contiguous, "row %d", _i);
}
END_TEST

static const struct {
  struct addr_range r;
  bool usable;
} peer_ranges[] = {
    {SINGLE(IPV4(10, 7, 0, 1)), true},
    {NET(IPV4(172, 16, 0, 0), IPV4(255, 240, 0, 0)), true},
    {SPAN(IPV4(223, 255, 255, 0), IPV4(223, 255, 255, 255)), true},
    {SINGLE(0), false},
    {NET(0, 0), false},
    {SPAN(0, IPV4(10, 0, 0, 1)), false},
    {SINGLE(IPV4(127, 0, 0, 1)), false},
    {SINGLE(IPV4(224, 0, 0, 1)), false},
    {SINGLE(0xffffffffu), false},
    {SPAN(IPV4(223, 255, 255, 0), IPV4(224, 0, 0, 0)), false},
    {SPAN(IPV4(10, 0, 0, 9), IPV4(10, 0, 0, 1)), false},
};

START_TEST(peer_usable_ranges)
{
  ck_assert_msg(addr_range_peer_usable(&peer_ranges[_i].r) == peer_ranges[_i].usable, "row %d",
                _i);
}
END_TEST

/* ---- proxy IDs ---------------------------------------------------------- */

static const struct {
  uint8_t id_type;
  uint8_t bytes[8];
  size_t len;
  struct addr_range r;
} ids[] = {
    {ISAKMP_ID_IPV4_ADDR, {10, 0, 0, 1}, 4, SINGLE(IPV4(10, 0, 0, 1))},
    {ISAKMP_ID_IPV4_ADDR_SUBNET, {192, 168, 1, 0, 255, 255, 255, 0}, 8,
     NET(IPV4(192, 168, 1, 0), MASK24)},
    {ISAKMP_ID_IPV4_ADDR_RANGE, {10, 1, 0, 1, 10, 1, 0, 50}, 8,
     SPAN(IPV4(10, 1, 0, 1), IPV4(10, 1, 0, 50))},
    /* decoded as sent, invalid or not: the verdict is the policy's */
    {ISAKMP_ID_IPV4_ADDR_RANGE, {10, 1, 0, 50, 10, 1, 0, 1}, 8,
     SPAN(IPV4(10, 1, 0, 50), IPV4(10, 1, 0, 1))},
};

START_TEST(id_round_trip)
{
  struct addr_range r;
  uint8_t type = 0, out[8];
  ck_assert(addr_range_from_id(ids[_i].id_type, slice_of(ids[_i].bytes, ids[_i].len), &r));
  ck_assert_int_eq(r.kind, ids[_i].r.kind);
  ck_assert_uint_eq(r.a, ids[_i].r.a);
  ck_assert_uint_eq(r.b, ids[_i].r.b);
  ck_assert_uint_eq(addr_range_to_id(&r, &type, out), ids[_i].len);
  ck_assert_uint_eq(type, ids[_i].id_type);
  ck_assert_mem_eq(out, ids[_i].bytes, ids[_i].len);
}
END_TEST

static const struct {
  uint8_t id_type;
  size_t len;
} bad_ids[] = {
    {ISAKMP_ID_IPV4_ADDR, 0},        {ISAKMP_ID_IPV4_ADDR, 3},
    {ISAKMP_ID_IPV4_ADDR, 5},        {ISAKMP_ID_IPV4_ADDR, 8},
    {ISAKMP_ID_IPV4_ADDR_SUBNET, 4}, {ISAKMP_ID_IPV4_ADDR_SUBNET, 7},
    {ISAKMP_ID_IPV4_ADDR_SUBNET, 9}, {ISAKMP_ID_IPV4_ADDR_RANGE, 4},
    {ISAKMP_ID_IPV4_ADDR_RANGE, 12}, {ISAKMP_ID_FQDN, 4},
    {ISAKMP_ID_USER_FQDN, 8},        {ISAKMP_ID_IPV6_ADDR, 16},
    {ISAKMP_ID_IPV6_ADDR_SUBNET, 32}, {ISAKMP_ID_IPV6_ADDR_RANGE, 32},
    {ISAKMP_ID_KEY_ID, 4},           {0, 4},
    {255, 8},
};

START_TEST(id_refused)
{
  static const uint8_t bytes[32] = {10, 0, 0, 1, 255, 255, 255, 0};
  struct addr_range r = SINGLE(IPV4(1, 2, 3, 4));
  ck_assert_msg(!addr_range_from_id(bad_ids[_i].id_type, slice_of(bytes, bad_ids[_i].len), &r),
                "row %d", _i);
  ck_assert_uint_eq(r.a, IPV4(1, 2, 3, 4)); /* untouched on refusal */
}
END_TEST

START_TEST(id_of_unknown_kind_is_not_written)
{
  struct addr_range r = {(enum addr_kind)7, 1, 2};
  uint8_t type = 0, out[8];
  ck_assert_uint_eq(addr_range_to_id(&r, &type, out), 0);
}
END_TEST

/* ---- the configuration -------------------------------------------------- */

#define GW1 IPV4(203, 0, 113, 1)
#define GW3 IPV4(203, 0, 113, 3)
#define WAN1 IPV4(198, 51, 100, 1)
#define WAN2 IPV4(198, 51, 100, 2)
#define LAN1 NET(IPV4(192, 168, 1, 0), MASK24)
#define LAN2 NET(IPV4(192, 168, 2, 0), MASK24)

static void add_rule(struct ike_config *c, int number, uint32_t gw, struct addr_range local,
                     struct addr_range remote)
{
  struct ike_rule *r = &c->rules[c->nrules++];
  ike_rule_default(r, number);
  r->secure_gateway = gw;
  r->local = local;
  r->remote = remote;
  ck_assert(ike_rule_set_psk(r, "secret-key-1"));
}

/* Rule 1 static to GW1; 2 dynamic; 3 static Aggressive to GW3; 4 static to
 * GW1 but inactive; 5 dynamic, bound to our second address. */
static void base_config(struct ike_config *c)
{
  memset(c, 0, sizeof *c);
  ike_globals_default(&c->g);
  add_rule(c, 1, GW1, AR(LAN1), AR(NET(IPV4(10, 1, 0, 0), MASK16)));
  add_rule(c, 2, 0, AR(LAN1), AR(SINGLE(0)));
  add_rule(c, 3, GW3, AR(LAN1), AR(SPAN(IPV4(10, 2, 0, 1), IPV4(10, 2, 0, 50))));
  c->rules[2].mode = IKE_MODE_AGGRESSIVE;
  add_rule(c, 4, GW1, AR(LAN1), AR(NET(IPV4(10, 9, 0, 0), MASK16)));
  c->rules[3].active = false;
  add_rule(c, 5, 0, AR(LAN2), AR(SINGLE(0)));
  c->rules[4].my_ip = WAN2;
}

START_TEST(defaults)
{
  struct ike_config c;
  struct ike_rule r;
  char why[160] = "x";
  base_config(&c);
  ck_assert_msg(ike_config_check(&c, why, sizeof why), "%s", why);
  ck_assert_str_eq(why, "");
  ck_assert_uint_eq(c.g.idle_timeout_ms, 120000);
  ck_assert_uint_eq(c.g.retransmit_count * c.g.retransmit_interval_ms, 30000);
  ike_rule_default(&r, 7);
  ck_assert_int_eq(r.number, 7);
  ck_assert(r.active);
  ck_assert_str_eq(r.name, "rule7");
  ck_assert_int_eq(r.mode, IKE_MODE_MAIN);
  ck_assert_uint_eq(r.np1, 1);
  ck_assert_uint_eq(r.p1[0].encr, OAKLEY_ENCR_DES_CBC);
  ck_assert_uint_eq(r.p1[0].hash, OAKLEY_HASH_MD5);
  ck_assert_uint_eq(r.p1[0].group, OAKLEY_GROUP_MODP768);
  ck_assert_uint_eq(r.p2[0].protocol, ISAKMP_PROTO_ESP);
  ck_assert_uint_eq(r.p2[0].encap, IPSEC_ENCAP_TUNNEL);
  ck_assert_ptr_eq(ike_rule_find(&c, 3), &c.rules[2]);
  ck_assert_ptr_null(ike_rule_find(&c, 9));
  ck_assert(!ike_rule_set_psk(&r, "0123456789012345678901234567890123456789"
                                  "012345678901234567890123456789"));
}
END_TEST

/* Each row breaks one thing in a valid config (rule index 2 is rule 3). */
static void m_dup_number(struct ike_config *c) { c->rules[2].number = 1; }
static void m_zero_number(struct ike_config *c) { c->rules[2].number = 0; }
static void m_range_backwards(struct ike_config *c)
{
  c->rules[2].remote = AR(SPAN(IPV4(10, 2, 0, 50), IPV4(10, 2, 0, 1)));
}
static void m_host_bits(struct ike_config *c)
{
  c->rules[2].local = AR(NET(IPV4(192, 168, 1, 5), MASK24));
}
static void m_holey_mask(struct ike_config *c)
{
  c->rules[2].local = AR(NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 255, 0)));
}
static void m_unset_local(struct ike_config *c) { c->rules[2].local = AR(SINGLE(0)); }
static void m_no_psk(struct ike_config *c) { c->rules[2].psk_len = 0; }
static void m_short_psk(struct ike_config *c) { c->rules[2].psk_len = 7; }
static void m_p1_encr(struct ike_config *c) { c->rules[2].p1[0].encr = OAKLEY_ENCR_BLOWFISH_CBC; }
static void m_p1_hash(struct ike_config *c) { c->rules[2].p1[0].hash = OAKLEY_HASH_TIGER; }
static void m_p1_group(struct ike_config *c) { c->rules[2].p1[0].group = OAKLEY_GROUP_EC2N155; }
static void m_p1_aes_bits(struct ike_config *c)
{
  c->rules[2].p1[1] = c->rules[2].p1[0];
  c->rules[2].p1[1].encr = OAKLEY_ENCR_AES_CBC;
  c->rules[2].p1[1].key_bits = 100;
  c->rules[2].np1 = 2;
}
static void m_p1_des_bits(struct ike_config *c) { c->rules[2].p1[0].key_bits = 128; }
static void m_p1_life(struct ike_config *c) { c->rules[2].p1[0].life_seconds = 179; }
static void m_np1(struct ike_config *c) { c->rules[2].np1 = 0; }
static void m_np2(struct ike_config *c) { c->rules[2].np2 = 5; }
static void m_p2_proto(struct ike_config *c) { c->rules[2].p2[0].protocol = ISAKMP_PROTO_IPCOMP; }
static void m_p2_encr(struct ike_config *c) { c->rules[2].p2[0].encr = ISAKMP_ESP_BLOWFISH; }
static void m_p2_ah_encr(struct ike_config *c) { c->rules[2].p2[0].protocol = ISAKMP_PROTO_AH; }
static void m_p2_auth(struct ike_config *c) { c->rules[2].p2[0].auth = IPSEC_AUTH_HMAC_SHA2_512; }
static void m_p2_null_null(struct ike_config *c)
{
  c->rules[2].p2[0].encr = ISAKMP_ESP_NULL;
  c->rules[2].p2[0].auth = 0;
}
static void m_p2_pfs(struct ike_config *c) { c->rules[2].p2[0].pfs = OAKLEY_GROUP_MODP8192; }
static void m_p2_encap(struct ike_config *c) { c->rules[2].p2[0].encap = IPSEC_ENCAP_UDP_TUNNEL; }
static void m_p2_life(struct ike_config *c) { c->rules[2].p2[0].life_seconds = 0; }
static void m_name(struct ike_config *c) { memset(c->rules[2].name, 'n', sizeof c->rules[2].name); }
static void m_globals(struct ike_config *c) { c->g.max_active_phase2 = 0; }
static void m_nrules(struct ike_config *c) { c->nrules = IKE_MAX_RULES + 1; }

static const struct {
  void (*mutate)(struct ike_config *);
  const char *why;
} bad_configs[] = {
    {m_dup_number, "rule 1: number = 1: used twice (entries 0 and 2)"},
    {m_zero_number, "rule 0: number = 0: rules are numbered from 1"},
    {m_range_backwards, "rule 3: remote = range 10.2.0.50-10.2.0.1: start above end"},
    {m_host_bits, "rule 3: local = subnet 192.168.1.5/255.255.255.0: address has host bits set"},
    {m_holey_mask, "rule 3: local = subnet 10.0.0.0/255.0.255.0: mask not contiguous"},
    {m_unset_local,
     "rule 3: local = single 0.0.0.0: unset (write any as subnet 0.0.0.0/0.0.0.0)"},
    {m_no_psk, "rule 3: psk_len = 0: must be 8-64 bytes"},
    {m_short_psk, "rule 3: psk_len = 7: must be 8-64 bytes"},
    {m_p1_encr, "rule 3: p1[0].encr = 3 (Blowfish-CBC): not supported"},
    {m_p1_hash, "rule 3: p1[0].hash = 3 (Tiger): not supported"},
    {m_p1_group, "rule 3: p1[0].group = 3 (EC2N-155 (group 3)): not supported"},
    {m_p1_aes_bits, "rule 3: p1[1].key_bits = 100: not a key length of AES-CBC"},
    {m_p1_des_bits, "rule 3: p1[0].key_bits = 128: not a key length of DES-CBC"},
    {m_p1_life, "rule 3: p1[0].life_seconds = 179: below the minimum 180"},
    {m_np1, "rule 3: np1 = 0: must be 1-4"},
    {m_np2, "rule 3: np2 = 5: must be 1-4"},
    {m_p2_proto, "rule 3: p2[0].protocol = 4 (PROTO_IPCOMP): not ESP or AH"},
    {m_p2_encr, "rule 3: p2[0].encr = 7 (ESP_BLOWFISH): not supported with ESP"},
    {m_p2_ah_encr, "rule 3: p2[0].encr = 2 (ESP_DES): not supported with AH"},
    {m_p2_auth, "rule 3: p2[0].auth = 7 (HMAC-SHA2-512): not supported here"},
    {m_p2_null_null, "rule 3: p2[0].auth = 0 (none): not supported here"},
    {m_p2_pfs, "rule 3: p2[0].pfs = 18 (MODP-8192 (group 18)): not supported"},
    {m_p2_encap, "rule 3: p2[0].encap = 3 (UDP-Encapsulated-Tunnel): not Tunnel or Transport"},
    {m_p2_life, "rule 3: p2[0].life_seconds = 0: below the minimum 180"},
    {m_name, "rule 3: name: not NUL-terminated within 32 bytes"},
    {m_globals, "globals: max_active_phase2 = 0: must be at least 1"},
    {m_nrules, "nrules = 33: at most 32"},
};

START_TEST(config_check_names_rule_field_value)
{
  struct ike_config c;
  char why[160];
  base_config(&c);
  bad_configs[_i].mutate(&c);
  ck_assert_msg(!ike_config_check(&c, why, sizeof why), "row %d accepted", _i);
  ck_assert_str_eq(why, bad_configs[_i].why);
}
END_TEST

START_TEST(config_check_accepts_variants)
{
  struct ike_config c;
  char why[160];
  struct ike_rule *r;
  base_config(&c);
  r = &c.rules[0];
  r->p1[1] = (struct ike_p1_proposal){OAKLEY_ENCR_AES_CBC, 256, OAKLEY_HASH_SHA2_512,
                                      OAKLEY_GROUP_MODP4096, 3600};
  r->np1 = 2;
  r->p2[1] = (struct ike_p2_proposal){ISAKMP_PROTO_AH, 0, 0, IPSEC_AUTH_HMAC_SHA2_256,
                                      OAKLEY_GROUP_MODP2048, IPSEC_ENCAP_TRANSPORT, 180, 4608};
  r->p2[2] = (struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 192, 0, 0,
                                      IPSEC_ENCAP_TUNNEL, 28800, 0};
  r->np2 = 3;
  c.rules[1].remote = AR(SPAN(5, 1)); /* a dynamic rule's remote is never consulted */
  c.rules[2].keymgmt = IKE_KEYMGMT_MANUAL;
  c.rules[2].psk_len = 0;
  c.rules[0].remote = AR(NET(0, 0)); /* "any" */
  ck_assert_msg(ike_config_check(&c, why, sizeof why), "%s", why);
  ck_assert(ike_config_check(&c, NULL, 0));
}
END_TEST

/* ---- a) Phase 1 candidates ---------------------------------------------- */

static const struct {
  uint32_t peer, local;
  enum ike_mode mode;
  size_t nstatic;
  int rules[4]; /* expected, 0-terminated */
} p1_rows[] = {
    {GW1, WAN1, IKE_MODE_MAIN, 1, {1, 2}},     /* static first; 4 is inactive */
    {GW3, WAN1, IKE_MODE_MAIN, 0, {2}},        /* 3 is Aggressive */
    {GW3, WAN1, IKE_MODE_AGGRESSIVE, 1, {3}},
    {IPV4(192, 0, 2, 9), WAN1, IKE_MODE_MAIN, 0, {2}}, /* 5 is bound to WAN2 */
    {IPV4(192, 0, 2, 9), WAN2, IKE_MODE_MAIN, 0, {2, 5}},
    {IPV4(192, 0, 2, 9), WAN2, IKE_MODE_AGGRESSIVE, 0, {0}},
};

START_TEST(phase1_candidates)
{
  struct ike_config c;
  struct ike_p1_candidates out;
  size_t n = 0;
  base_config(&c);
  while (n < 4 && p1_rows[_i].rules[n])
    n++;
  ck_assert_uint_eq(ike_p1_candidates(&c, p1_rows[_i].peer, p1_rows[_i].local, p1_rows[_i].mode,
                                      &out),
                    n);
  ck_assert_uint_eq(out.n, n);
  ck_assert_uint_eq(out.nstatic, p1_rows[_i].nstatic);
  for (size_t k = 0; k < n; k++)
    ck_assert_int_eq(out.rule[k]->number, p1_rows[_i].rules[k]);
}
END_TEST

START_TEST(phase1_my_ip_binds_static_rules)
{
  struct ike_config c;
  struct ike_p1_candidates out;
  base_config(&c);
  c.rules[0].my_ip = WAN2;
  ck_assert_uint_eq(ike_p1_candidates(&c, GW1, WAN1, IKE_MODE_MAIN, &out), 1);
  ck_assert_int_eq(out.rule[0]->number, 2);
  ck_assert_uint_eq(ike_p1_candidates(&c, GW1, WAN2, IKE_MODE_MAIN, &out), 3);
  ck_assert_int_eq(out.rule[0]->number, 1);
  ck_assert_uint_eq(out.nstatic, 1);
}
END_TEST

/* ---- b) Phase 2 verdicts, with the log line each one becomes ------------- */

#define PEER_A IPV4(203, 0, 113, 66)
#define PEER_B IPV4(203, 0, 113, 77)

static const struct ike_conn up_now[] = {
    {2, PEER_A, LAN1, SINGLE(IPV4(10, 7, 0, 5))},
    {5, PEER_A, LAN2, NET(IPV4(10, 8, 0, 0), MASK24)},
};

static const struct {
  const char *what;
  int rule;
  uint32_t peer;
  struct addr_range idci, idcr;
  size_t nactive; /* of up_now */
  enum ike_p2_verdict verdict;
  int rule_number;
  const char *line; /* rendered catalogue line, NULL for OK */
} p2_rows[] = {
    {"static ok", 1, GW1, NET(IPV4(10, 1, 0, 0), MASK16), LAN1, 2, IKE_P2_OK, 1, NULL},
    {"static ok, range spelling", 1, GW1, SPAN(IPV4(10, 1, 0, 0), IPV4(10, 1, 255, 255)),
     SPAN(IPV4(192, 168, 1, 0), IPV4(192, 168, 1, 255)), 0, IKE_P2_OK, 1, NULL},
    {"K13 narrower local", 1, GW1, NET(IPV4(10, 1, 0, 0), MASK16),
     NET(IPV4(192, 168, 1, 0), IPV4(255, 255, 255, 128)), 0, IKE_P2_LOCAL_ID_FAILED, 1,
     "!! Verifying Local ID failed"},
    {"K13 wider local", 1, GW1, NET(IPV4(10, 1, 0, 0), MASK16), NET(IPV4(192, 168, 0, 0), MASK16),
     0, IKE_P2_LOCAL_ID_FAILED, 1, "!! Verifying Local ID failed"},
    {"K13 dynamic", 2, PEER_B, SINGLE(IPV4(10, 7, 0, 9)), SINGLE(IPV4(192, 168, 1, 1)), 0,
     IKE_P2_LOCAL_ID_FAILED, 2, "!! Verifying Local ID failed"},
    {"K14 narrower remote", 1, GW1, NET(IPV4(10, 1, 2, 0), MASK24), LAN1, 0,
     IKE_P2_REMOTE_ID_FAILED, 1, "!! Verifying Remote ID failed"},
    {"K14 backwards remote", 3, GW3, SPAN(IPV4(10, 2, 0, 50), IPV4(10, 2, 0, 1)), LAN1, 0,
     IKE_P2_REMOTE_ID_FAILED, 3, "!! Verifying Remote ID failed"},
    {"K16 backwards", 2, PEER_B, SPAN(IPV4(10, 5, 0, 9), IPV4(10, 5, 0, 1)), LAN1, 0,
     IKE_P2_INVALID_IP, 2, "!! Invalid IP <10.5.0.9>/<10.5.0.1>"},
    {"K16 zero", 2, PEER_B, SINGLE(0), LAN1, 0, IKE_P2_INVALID_IP, 2,
     "!! Invalid IP <0.0.0.0>/<0.0.0.0>"},
    {"K16 any", 2, PEER_B, NET(0, 0), LAN1, 0, IKE_P2_INVALID_IP, 2,
     "!! Invalid IP <0.0.0.0>/<255.255.255.255>"},
    {"K16 multicast", 2, PEER_B, SINGLE(IPV4(224, 0, 0, 5)), LAN1, 0, IKE_P2_INVALID_IP, 2,
     "!! Invalid IP <224.0.0.5>/<224.0.0.5>"},
    {"K16 broadcast", 2, PEER_B, SPAN(IPV4(10, 0, 0, 1), 0xffffffffu), LAN1, 0,
     IKE_P2_INVALID_IP, 2, "!! Invalid IP <10.0.0.1>/<255.255.255.255>"},
    {"K16 loopback", 2, PEER_B, NET(IPV4(127, 0, 0, 0), IPV4(255, 0, 0, 0)), LAN1, 0,
     IKE_P2_INVALID_IP, 2, "!! Invalid IP <127.0.0.0>/<127.255.255.255>"},
    {"K16 holey mask", 2, PEER_B, NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 255, 0)), LAN1, 0,
     IKE_P2_INVALID_IP, 2, "!! Invalid IP <10.0.0.0>/<255.0.255.0>"},
    {"K15 inside rule 1's remote", 2, PEER_B, SPAN(IPV4(10, 1, 2, 1), IPV4(10, 1, 2, 9)), LAN1,
     0, IKE_P2_RULE_CONFLICT, 1,
     "!! Local / remote IPs of incoming request conflict with rule <#1>"},
    {"K15 straddles rule 3's remote", 2, PEER_B, NET(IPV4(10, 2, 0, 0), MASK24), LAN1, 0,
     IKE_P2_RULE_CONFLICT, 3, "!! Local / remote IPs of incoming request conflict with rule <#3>"},
    {"inactive rule 4 does not conflict", 2, PEER_B, SINGLE(IPV4(10, 9, 0, 5)), LAN1, 0,
     IKE_P2_OK, 2, NULL},
    {"other local side does not conflict", 5, PEER_B, NET(IPV4(10, 1, 0, 0), MASK24), LAN2, 0,
     IKE_P2_OK, 5, NULL},
    {"K17 peer A holds 10.7.0.5", 2, PEER_B, SPAN(IPV4(10, 7, 0, 1), IPV4(10, 7, 0, 9)), LAN1, 2,
     IKE_P2_REMOTE_CONFLICT, 2, "!! Remote IP <10.7.0.1> / <10.7.0.9> conflicts"},
    {"K17 across dynamic rules", 5, PEER_B, NET(IPV4(10, 8, 0, 128), IPV4(255, 255, 255, 128)),
     LAN2, 2, IKE_P2_REMOTE_CONFLICT, 5, "!! Remote IP <10.8.0.128> / <10.8.0.255> conflicts"},
    {"rekey by the holder is no conflict", 2, PEER_A, SPAN(IPV4(10, 7, 0, 1), IPV4(10, 7, 0, 9)),
     LAN1, 2, IKE_P2_OK, 2, NULL},
    {"dynamic ok beside others", 2, PEER_B, SINGLE(IPV4(10, 8, 0, 1)), LAN1, 2, IKE_P2_OK, 2,
     NULL},
};

static enum log_id log_of(enum ike_p2_verdict v)
{
  switch (v) {
  case IKE_P2_LOCAL_ID_FAILED:
    return LOG_K13;
  case IKE_P2_REMOTE_ID_FAILED:
    return LOG_K14;
  case IKE_P2_RULE_CONFLICT:
    return LOG_K15;
  case IKE_P2_INVALID_IP:
    return LOG_K16;
  case IKE_P2_REMOTE_CONFLICT:
    return LOG_K17;
  case IKE_P2_OK:
  default:
    return LOG_ID_COUNT;
  }
}

START_TEST(phase2_verdicts)
{
  struct ike_config c;
  struct ike_p2_result res;
  struct log_event ev = {0};
  char line[128];
  base_config(&c);
  struct ike_p2_request req = {ike_rule_find(&c, p2_rows[_i].rule), p2_rows[_i].peer,
                               p2_rows[_i].idci, p2_rows[_i].idcr, up_now,
                               p2_rows[_i].nactive};
  ck_assert_ptr_nonnull(req.rule);
  ck_assert_msg(ike_p2_check(&c, &req, &res) == p2_rows[_i].verdict, "%s: verdict %d",
                p2_rows[_i].what, res.verdict);
  ck_assert_int_eq(res.verdict, p2_rows[_i].verdict);
  ck_assert_int_eq(res.rule_number, p2_rows[_i].rule_number);
  if (res.verdict == IKE_P2_OK) {
    const struct ike_rule *r = req.rule;
    ck_assert_ptr_null(p2_rows[_i].line);
    ck_assert_int_eq(res.conn.rule, r->number);
    ck_assert_uint_eq(res.conn.peer, req.peer);
    ck_assert(addr_range_equal(&res.conn.local, &r->local));
    ck_assert(addr_range_equal(&res.conn.remote,
                               ike_rule_dynamic(r) ? &req.idci : &r->remote));
    return;
  }
  ev.id = log_of(res.verdict);
  ev.f.rule = res.rule_number;
  ev.f.range_start = res.start;
  ev.f.range_end = res.end;
  log_render(&ev, line, sizeof line);
  ck_assert_str_eq(line, p2_rows[_i].line);
}
END_TEST

/* ---- c) the pair rule --------------------------------------------------- */

static const struct {
  struct addr_range local, remote;
  bool conflicts;
  size_t at;
} pair_rows[] = {
    {LAN1, SINGLE(IPV4(10, 7, 0, 5)), true, 0},
    {SINGLE(IPV4(192, 168, 1, 20)), NET(IPV4(10, 7, 0, 0), MASK24), true, 0},
    {LAN2, SPAN(IPV4(10, 8, 0, 200), IPV4(10, 9, 0, 0)), true, 1},
    {LAN1, NET(IPV4(10, 8, 0, 0), MASK24), false, 0}, /* remote of 1, local of 0 */
    {LAN2, SINGLE(IPV4(10, 7, 0, 5)), false, 0},
    {NET(IPV4(192, 168, 0, 0), MASK16), NET(IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0)), true, 0},
};

START_TEST(sa_pair_conflicts)
{
  size_t at = 99;
  bool got = ike_sa_pair_conflicts(&pair_rows[_i].local, &pair_rows[_i].remote, up_now, 2, &at);
  ck_assert_msg(got == pair_rows[_i].conflicts, "row %d", _i);
  if (got)
    ck_assert_uint_eq(at, pair_rows[_i].at);
  ck_assert(!ike_sa_pair_conflicts(&pair_rows[_i].local, &pair_rows[_i].remote, up_now, 0, NULL));
}
END_TEST

START_TEST(phase2_limit)
{
  struct ike_globals g;
  ike_globals_default(&g);
  g.max_active_phase2 = 2;
  ck_assert(ike_phase2_allowed(&g, 0));
  ck_assert(ike_phase2_allowed(&g, 1));
  ck_assert(!ike_phase2_allowed(&g, 2));
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("rules");
  TCase *t = tcase_create("ranges");
  tcase_add_loop_test(t, range_validity_and_bounds, 0, N(ranges));
  tcase_add_loop_test(t, range_equal_overlap_contains, 0, N(pairs));
  tcase_add_loop_test(t, mask_contiguity, 0, N(masks));
  tcase_add_loop_test(t, peer_usable_ranges, 0, N(peer_ranges));
  suite_add_tcase(s, t);

  t = tcase_create("proxy_ids");
  tcase_add_loop_test(t, id_round_trip, 0, N(ids));
  tcase_add_loop_test(t, id_refused, 0, N(bad_ids));
  tcase_add_test(t, id_of_unknown_kind_is_not_written);
  suite_add_tcase(s, t);

  t = tcase_create("config");
  tcase_add_test(t, defaults);
  tcase_add_loop_test(t, config_check_names_rule_field_value, 0, N(bad_configs));
  tcase_add_test(t, config_check_accepts_variants);
  suite_add_tcase(s, t);

  t = tcase_create("policy");
  tcase_add_loop_test(t, phase1_candidates, 0, N(p1_rows));
  tcase_add_test(t, phase1_my_ip_binds_static_rules);
  tcase_add_loop_test(t, phase2_verdicts, 0, N(p2_rows));
  tcase_add_loop_test(t, sa_pair_conflicts, 0, N(pair_rows));
  tcase_add_test(t, phase2_limit);
  suite_add_tcase(s, t);
  return s;
}
