/* The conformance cases, one table row each. Each row names the LOGS.md row
 * (or RFC section) it covers; tweaks and builders are the only code, and
 * they mirror how core/tests/test_engine_krows.c provokes each row. */
#include <string.h>

#include "ikelab/isakmp_types.h"
#include "scenario.h"

/* ---- config tweaks (defaults: rule 1, AES-128/SHA1/MODP1024, ESP tunnel) -- */

static void aggressive(struct ike_config *a, struct ike_config *b)
{
  a->rules[0].mode = b->rules[0].mode = IKE_MODE_AGGRESSIVE;
}
static void p1_cipher(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p1[0].encr = OAKLEY_ENCR_3DES_CBC;
  a->rules[0].p1[0].key_bits = 0;
}
static void p1_hash(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p1[0].hash = OAKLEY_HASH_MD5;
}
static void p1_group(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p1[0].group = OAKLEY_GROUP_MODP1536;
}
static void p1_lifetime(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p1[0].life_seconds = 86400;
}
static void p2_protocol(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p2[0].protocol = ISAKMP_PROTO_AH;
  a->rules[0].p2[0].encr = 0;
  a->rules[0].p2[0].key_bits = 0;
}
static void p2_mode(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p2[0].encap = IPSEC_ENCAP_TRANSPORT;
}
static void p2_pfs(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p2[0].pfs = OAKLEY_GROUP_MODP1024;
}
/* A offers a remote net that is not B's local one. */
static void bad_local_id(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].remote = addr_subnet(IPV4(192, 168, 9, 0), 0xffffff00u);
}
static void bad_remote_id(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].local = addr_subnet(IPV4(192, 168, 8, 0), 0xffffff00u);
}
/* B's rule 1 is dynamic (Secure Gateway 0.0.0.0); rule 2 already claims
 * A's network for another gateway. */
static void k15_conflict(struct ike_config *a, struct ike_config *b)
{
  (void)a;
  b->rules[0].secure_gateway = 0;
  b->rules[1] = b->rules[0];
  b->rules[1].number = 2;
  b->rules[1].secure_gateway = IPV4(10, 0, 0, 9);
  b->rules[1].remote = addr_subnet(IPV4(192, 168, 1, 0), 0xffffff00u);
  b->nrules = 2;
}
static void k16_loopback(struct ike_config *a, struct ike_config *b)
{
  b->rules[0].secure_gateway = 0;
  a->rules[0].local = addr_span(IPV4(127, 0, 0, 1), IPV4(127, 0, 0, 9));
}
/* Rule 2 on both sides: the same networks, negotiated with 3DES so that the
 * responder's Phase 1 picks its rule 2 while rule 1's SA is up. */
static void k17_second_rule(struct ike_config *a, struct ike_config *b)
{
  b->rules[0].secure_gateway = 0;
  a->rules[1] = a->rules[0];
  a->rules[1].number = 2;
  a->rules[1].p1[0].encr = OAKLEY_ENCR_3DES_CBC;
  a->rules[1].p1[0].key_bits = 0;
  a->nrules = 2;
  b->rules[1] = b->rules[0];
  b->rules[1].number = 2;
  b->rules[1].p1[0] = a->rules[1].p1[0];
  b->nrules = 2;
}
static void k18_limit_one(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->g.max_active_phase2 = 1;
  a->rules[1] = a->rules[0];
  a->rules[1].number = 2;
  a->rules[1].local = addr_subnet(IPV4(192, 168, 3, 0), 0xffffff00u);
  a->nrules = 2;
}
static void k21_budget_three(struct ike_config *a, struct ike_config *b)
{
  (void)a;
  b->g.error_budget = 3;
}

/* ---- crafted packets --------------------------------------------------- */

/* A's real Main Mode 1, taken off the wire (A is triggered to make it). */
static size_t take_mm1(struct net *n, uint8_t *out, size_t cap)
{
  if (!ike_engine_trigger(n->side[0].e, n->now, 1) || n->nq != 1 || n->queue[0].len > cap)
    return 0;
  size_t len = n->queue[0].len;
  memcpy(out, n->queue[0].data, len);
  n->nq = 0; /* it never reaches B by the network */
  return len;
}
/* Main Mode 1 with one byte overridden: act->offset gets act->arg. */
static size_t mm1_byte(struct net *n, const struct action *act, uint8_t *out, size_t cap)
{
  size_t len = take_mm1(n, out, cap);
  if (len > act->offset)
    out[act->offset] = (uint8_t)act->arg;
  return len;
}
static size_t mm1_zero_icookie(struct net *n, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  size_t len = take_mm1(n, out, cap);
  if (len >= 8)
    memset(out, 0, 8);
  return len;
}
/* A Quick Mode message under B's first IKE SA's cookies whose body is
 * garbage: it fails authentication, one error each. */
static size_t qm_junk(struct net *n, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  struct ike_sa_info info;
  if (cap < 60 || !ike_engine_sa_info(n->side[1].e, 0, &info))
    return 0;
  memset(out, 0, 60);
  memcpy(out, info.icookie, 8);
  memcpy(out + 8, info.rcookie, 8);
  out[16] = ISAKMP_NP_HASH;
  out[17] = 0x10;
  out[18] = ISAKMP_XCHG_QUICK;
  out[19] = ISAKMP_FLAG_E;
  out[23] = 0x77;
  out[27] = 60;
  return 60;
}

/* ---- shared action lists and traces ------------------------------------ */

#define TRIGGER(s, rule) {.kind = ACT_TRIGGER, .side = (s), .arg = (rule)}
#define RUN(ms) {.kind = ACT_RUN, .arg = (ms)}
#define INJECT(s, fn, off, val) \
  {.kind = ACT_INJECT, .side = (s), .build = (fn), .offset = (off), .arg = (val)}

static const struct action trigger_and_run[] = {TRIGGER(SIDE_A, 1), RUN(600000), {.kind = ACT_END}};

#define NO_PROPOSAL                                                                      \
  .actions = trigger_and_run,                                                            \
  .expect = {{.ipsec_sas = EXACTLY(0)},                                                  \
             {.count_line = "!! No proposal chosen", .count = 1, .ipsec_sas = EXACTLY(0)}}

/* Phase 2 causes: Phase 1 completed first, on both sides. */
#define NO_PROPOSAL_P2                                                                   \
  .actions = trigger_and_run,                                                            \
  .expect = {{.ipsec_sas = EXACTLY(0)},                                                  \
             {.in_order = LINES("Phase 1 IKE SA process done", "Start Phase 2: Quick Mode", \
                                "!! No proposal chosen"),                                \
              .count_line = "!! No proposal chosen", .count = 1, .ipsec_sas = EXACTLY(0)}}

/* A first message the decoder refuses: the responder answers with the
 * notify, logs only its Send line and keeps no state (RFC 2408 §5.2). */
#define REFUSED_MM1(off, val, notify)                                                    \
  .actions = ACTIONS(INJECT(SIDE_B, mm1_byte, off, val), RUN(1000)),                     \
  .expect = {{0}, {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1),               \
                   .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0), .sends_notify = notify}}

const struct scenario scenarios[] = {
    {"K1-K9-main", "K1 K2 K4 K6 K7 K8 K9",
     "clean Main Mode + Quick Mode: both traces whole, in order", NULL, trigger_and_run,
     {{.in_order = LINES("Cannot find outbound SA for rule <#1>",
                         "Send Main Mode request to <10.0.0.2>", "Send:<SA>", "Recv:<SA>",
                         "Send:<KE><NONCE>", "Recv:<KE><NONCE>", "Send:<ID><HASH>",
                         "Recv:<ID><HASH>", "Phase 1 IKE SA process done",
                         "Start Phase 2: Quick Mode", "Send:<HASH><SA><NONCE><ID><ID>",
                         "Recv:<HASH><SA><NONCE><ID><ID>", "Send:<HASH>"),
       .nlogs = EXACTLY(13), .ipsec_sas = EXACTLY(1)},
      /* The responder trace of LOGS.md "Rendering", line for line. */
      {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Recv:<SA>", "Send:<SA>",
                         "Recv:<KE><NONCE>", "Send:<KE><NONCE>", "Recv:<ID><HASH>",
                         "Send:<ID><HASH>", "Phase 1 IKE SA process done",
                         "Recv:<HASH><SA><NONCE><ID><ID>", "Start Phase 2: Quick Mode",
                         "Send:<HASH><SA><NONCE><ID><ID>", "Recv:<HASH>"),
       .nlogs = EXACTLY(12), .ipsec_sas = EXACTLY(1)}}},
    {"K3-K5-aggressive", "K3 K5", "clean Aggressive Mode + Quick Mode", aggressive,
     trigger_and_run,
     {{.in_order = LINES("Send Aggressive Mode request to <10.0.0.2>", "Send:<SA><KE><NONCE><ID>",
                         "Recv:<SA><KE><NONCE><ID><HASH>", "Phase 1 IKE SA process done"),
       .ipsec_sas = EXACTLY(1)},
      {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                         "Recv:<SA><KE><NONCE><ID>", "Send:<SA><KE><NONCE><ID><HASH>",
                         "Recv:<HASH>", "Phase 1 IKE SA process done"),
       .ipsec_sas = EXACTLY(1)}}},
    {"K10-in-process", "K10", "a second trigger while Phase 1 is under way", NULL,
     ACTIONS(TRIGGER(SIDE_A, 1), TRIGGER(SIDE_A, 1), RUN(1000)),
     {{.in_order = LINES("Send Main Mode request to <10.0.0.2>", "!! IKE Negotiation is in process"),
       .count_line = "!! IKE Negotiation is in process", .count = 1, .ipsec_sas = EXACTLY(1)},
      {.absent = LINES("!! IKE Negotiation is in process"), .ipsec_sas = EXACTLY(1)}}},
    {"K11-dup-mm1", "K11", "the network delivers Main Mode 1 twice", NULL,
     ACTIONS(TRIGGER(SIDE_A, 1), {.kind = ACT_DUPLICATE}, RUN(1000)),
     {{.absent = LINES("!! Duplicate requests with the same cookie"), .ipsec_sas = EXACTLY(1)},
      {.in_order = LINES("Recv Main Mode request from <10.0.0.1>",
                         "!! Duplicate requests with the same cookie"),
       .count_line = "Recv Main Mode request from <10.0.0.1>", .count = 1,
       .ipsec_sas = EXACTLY(1), .ike_sas = EXACTLY(1)}}},
    {"K12-cipher", "K12", "Phase 1: 3DES offered, AES configured", p1_cipher, NO_PROPOSAL},
    {"K12-hash", "K12", "Phase 1: MD5 offered, SHA1 configured", p1_hash, NO_PROPOSAL},
    {"K12-group", "K12", "Phase 1: MODP1536 offered, MODP1024 configured", p1_group, NO_PROPOSAL},
    {"K12-lifetime", "K12", "Phase 1: 86400 s offered, 28800 s configured", p1_lifetime,
     NO_PROPOSAL},
    {"K12-protocol", "K12", "Phase 2: AH offered, ESP configured", p2_protocol, NO_PROPOSAL_P2},
    {"K12-mode", "K12", "Phase 2: transport offered, tunnel configured", p2_mode, NO_PROPOSAL_P2},
    {"K12-pfs", "K12", "Phase 2: PFS offered, none configured", p2_pfs, NO_PROPOSAL_P2},
    {"K13-local-id", "K13", "the peer's proxy ID for our side is not our local net",
     bad_local_id, trigger_and_run,
     {{.ipsec_sas = EXACTLY(0)},
      {.in_order = LINES("Start Phase 2: Quick Mode", "!! Verifying Local ID failed"),
       .absent = LINES("!! Verifying Remote ID failed"), .ipsec_sas = EXACTLY(0)}}},
    {"K14-remote-id", "K14", "the peer's proxy ID for its side is not our remote net",
     bad_remote_id, trigger_and_run,
     {{.ipsec_sas = EXACTLY(0)},
      {.in_order = LINES("Start Phase 2: Quick Mode", "!! Verifying Remote ID failed"),
       .absent = LINES("!! Verifying Local ID failed"), .ipsec_sas = EXACTLY(0)}}},
    {"K15-conflict-rule", "K15", "dynamic rule: the peer's net is rule 2's remote net",
     k15_conflict, trigger_and_run,
     {{.ipsec_sas = EXACTLY(0)},
      {.in_order = LINES("!! Local / remote IPs of incoming request conflict with rule <#2>"),
       .ipsec_sas = EXACTLY(0)}}},
    {"K16-invalid-ip", "K16", "dynamic rule: the peer's local range is loopback", k16_loopback,
     trigger_and_run,
     {{.ipsec_sas = EXACTLY(0)},
      {.in_order = LINES("!! Invalid IP <127.0.0.1>/<127.0.0.9>"), .ipsec_sas = EXACTLY(0)}}},
    {"K17-remote-conflicts", "K17",
     "dynamic rule: a second rule asks for the same remote net while the first is up",
     k17_second_rule, ACTIONS(TRIGGER(SIDE_A, 1), RUN(600000), TRIGGER(SIDE_A, 2), RUN(600000)),
     {{.ipsec_sas = EXACTLY(1)},
      {.in_order = LINES("!! Remote IP <192.168.1.0> / <192.168.1.255> conflicts"),
       .ipsec_sas = EXACTLY(1)}}},
    {"K18-limit", "K18", "two rules at once with a limit of one Phase 2 negotiation",
     k18_limit_one, ACTIONS(TRIGGER(SIDE_A, 1), TRIGGER(SIDE_A, 2), RUN(600000)),
     {{.count_line = "!! Active connection allowed exceeded", .count = 1,
       .ipsec_sas = EXACTLY(1)},
      {0}}},
    {"K19-retransmit", "K19", "a silent peer: the default schedule, 3 resends, then give up",
     NULL, ACTIONS({.kind = ACT_DROP_ALL}, TRIGGER(SIDE_A, 1), RUN(600000)),
     {{.in_order = LINES("Send Main Mode request to <10.0.0.2>", "Send:<SA>",
                         "!! IKE Packet Retransmit", "!! IKE Packet Retransmit",
                         "!! IKE Packet Retransmit"),
       .count_line = "!! IKE Packet Retransmit", .count = 3, .ike_sas = EXACTLY(0),
       .ipsec_sas = EXACTLY(0)},
      {.nlogs = EXACTLY(0)}}},
    {"K20-send-fails", "K20", "the first send fails; the retransmission recovers", NULL,
     ACTIONS({.kind = ACT_FAIL_NEXT_SEND, .side = SIDE_A}, TRIGGER(SIDE_A, 1), RUN(600000)),
     {{.in_order = LINES("!! Failed to send IKE Packet", "!! IKE Packet Retransmit",
                         "Phase 1 IKE SA process done"),
       .count_line = "!! Failed to send IKE Packet", .count = 1, .ipsec_sas = EXACTLY(1)},
      {.ipsec_sas = EXACTLY(1)}}},
    {"K21-error-budget", "K21", "three unauthenticated Quick Mode messages, budget three",
     k21_budget_three,
     ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, qm_junk, 0, 0),
             INJECT(SIDE_B, qm_junk, 0, 0), INJECT(SIDE_B, qm_junk, 0, 0)),
     {{0},
      {.in_order = LINES("Phase 1 IKE SA process done", "!! Too many errors! Deleting SA"),
       .count_line = "!! Too many errors! Deleting SA", .count = 1, .ike_sas = EXACTLY(0)}}},
    {"RFC2408-5.2-major-version", "RFC2408-5.2", "a first message with major version 2",
     NULL, REFUSED_MM1(17, 0x20, ISAKMP_N_INVALID_MAJOR_VERSION)},
    {"RFC2408-5.2-flags", "RFC2408-5.2", "a first message with an undefined flag bit", NULL,
     REFUSED_MM1(19, 0x10, ISAKMP_N_INVALID_FLAGS)},
    {"RFC2408-5.2-next-payload", "RFC2408-5.2", "a first message with next payload 99", NULL,
     REFUSED_MM1(16, 99, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {"RFC2408-5.2-zero-icookie", "RFC2408-5.2",
     "a first message with a zero initiator cookie: silence, no state", NULL,
     ACTIONS(INJECT(SIDE_B, mm1_zero_icookie, 0, 0), RUN(1000)),
     {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)}}},
};

const size_t nscenarios = sizeof scenarios / sizeof scenarios[0];
