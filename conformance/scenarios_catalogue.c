/* Table 27-1 (LOGS.md K1-K21): one case per row and per cause, each row
 * named in the case's covers. Tweaks are the only code; they mirror how
 * core/tests/test_engine_krows.c provokes each row. */
#include <string.h>

#include "ikelab/isakmp_types.h"
#include "builders.h"
#include "scenario.h"
#include "tweaks.h"

/* ---- config tweaks (defaults: rule 1, AES-128/SHA1/MODP1024, ESP tunnel) -- */

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

/* ---- shared action lists and traces ------------------------------------ */

/* A minute covers the whole retransmission span (3 x 10 s) and stays
 * under the 2-minute idle time-out (P6), which would take the SAs down. */
static const struct action trigger_and_run[] = {TRIGGER(SIDE_A, 1), RUN(60000), {.kind = ACT_END}};

#define NO_PROPOSAL                                                                      \
  .actions = trigger_and_run,                                                            \
  .expect = {{.ipsec_sas = EXACTLY(0)},                                                  \
             {.count_line = "!! No proposal chosen", .count = 1, .ipsec_sas = EXACTLY(0),  \
              .ike_sas = EXACTLY(0)}},                                                   \
  /* No IKE SA yet: the refusal goes in the clear (RFC 2408 §5.4). */                    \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<NOTFY>", ISAKMP_N_NO_PROPOSAL_CHOSEN})

/* Phase 2 causes: Phase 1 completed first, on both sides; the refusal is
 * protected under it. */
#define NO_PROPOSAL_P2                                                                   \
  .actions = trigger_and_run,                                                            \
  .expect = {{.ipsec_sas = EXACTLY(0)},                                                  \
             {.in_order = LINES("Phase 1 IKE SA process done", "Start Phase 2: Quick Mode", \
                                "!! No proposal chosen"),                                \
              .count_line = "!! No proposal chosen", .count = 1, .ipsec_sas = EXACTLY(0),  \
              .ike_established = EXACTLY(1)}},                                           \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", ISAKMP_N_NO_PROPOSAL_CHOSEN})

/* A proxy ID refused: B logs the row and says INVALID-ID-INFORMATION under
 * Phase 1, which stays up. */
#define BAD_ID(line, other)                                                               \
  .actions = trigger_and_run,                                                            \
  .expect = {{.ipsec_sas = EXACTLY(0), .ike_established = EXACTLY(1)},                   \
             {.in_order = LINES("Start Phase 2: Quick Mode", line), .absent = LINES(other), \
              .ipsec_sas = EXACTLY(0), .ike_established = EXACTLY(1)}},                  \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", ISAKMP_N_INVALID_ID_INFORMATION})

#define DUP "!! Duplicate requests with the same cookie"
#define RETRANSMIT "!! IKE Packet Retransmit"

static const struct scenario cases[] = {
    {.id = "K1-K9-main", .covers = "K1 K2 K4 K6 K7 K8 K9",
     .what = "clean Main Mode + Quick Mode: both traces whole, in order",
     .actions = trigger_and_run,
     .expect = {{.in_order = LINES("Cannot find outbound SA for rule <#1>",
                                   "Send Main Mode request to <10.0.0.2>", "Send:<SA>",
                                   "Recv:<SA>", "Send:<KE><NONCE>", "Recv:<KE><NONCE>",
                                   "Send:<ID><HASH>", "Recv:<ID><HASH>",
                                   "Phase 1 IKE SA process done", "Start Phase 2: Quick Mode",
                                   "Send:<HASH><SA><NONCE><ID><ID>",
                                   "Recv:<HASH><SA><NONCE><ID><ID>", "Send:<HASH>"),
                 .nlogs = EXACTLY(13), .ipsec_sas = EXACTLY(1)},
                /* The responder trace of LOGS.md "Rendering", line for line. */
                {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Recv:<SA>",
                                   "Send:<SA>", "Recv:<KE><NONCE>", "Send:<KE><NONCE>",
                                   "Recv:<ID><HASH>", "Send:<ID><HASH>",
                                   "Phase 1 IKE SA process done",
                                   "Recv:<HASH><SA><NONCE><ID><ID>", "Start Phase 2: Quick Mode",
                                   "Send:<HASH><SA><NONCE><ID><ID>", "Recv:<HASH>"),
                 .nlogs = EXACTLY(12), .ipsec_sas = EXACTLY(1)}},
     .wire = WIRE({SIDE_A, ISAKMP_XCHG_IDPROT, "<SA>", 0}, {SIDE_B, ISAKMP_XCHG_IDPROT, "<SA>", 0},
                  {SIDE_A, ISAKMP_XCHG_IDPROT, "<KE><NONCE>", 0},
                  {SIDE_B, ISAKMP_XCHG_IDPROT, "<KE><NONCE>", 0},
                  {SIDE_A, ISAKMP_XCHG_IDPROT, "<ID><HASH>", 0},
                  {SIDE_B, ISAKMP_XCHG_IDPROT, "<ID><HASH>", 0},
                  {SIDE_A, ISAKMP_XCHG_QUICK, "<HASH><SA><NONCE><ID><ID>", 0},
                  {SIDE_B, ISAKMP_XCHG_QUICK, "<HASH><SA><NONCE><ID><ID>", 0},
                  {SIDE_A, ISAKMP_XCHG_QUICK, "<HASH>", 0})},
    {.id = "K3-K5-aggressive", .covers = "K3 K5", .what = "clean Aggressive Mode + Quick Mode",
     .tweak = tweak_aggressive, .actions = trigger_and_run,
     .expect = {{.in_order = LINES("Send Aggressive Mode request to <10.0.0.2>",
                                   "Send:<SA><KE><NONCE><ID>", "Recv:<SA><KE><NONCE><ID><HASH>",
                                   "Phase 1 IKE SA process done"),
                 .ipsec_sas = EXACTLY(1)},
                {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                                   "Recv:<SA><KE><NONCE><ID>", "Send:<SA><KE><NONCE><ID><HASH>",
                                   "Recv:<HASH>", "Phase 1 IKE SA process done"),
                 .ipsec_sas = EXACTLY(1)}}},
    {.id = "K10-in-process", .covers = "K10",
     .what = "a second trigger while Phase 1 is under way",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), TRIGGER(SIDE_A, 1), RUN(1000)),
     .expect = {{.in_order = LINES("Send Main Mode request to <10.0.0.2>",
                                   "!! IKE Negotiation is in process"),
                 .count_line = "!! IKE Negotiation is in process", .count = 1,
                 .ipsec_sas = EXACTLY(1)},
                {.absent = LINES("!! IKE Negotiation is in process"), .ipsec_sas = EXACTLY(1)}}},
    {.id = "K11-dup-mm1", .covers = "K11", .what = "the network delivers Main Mode 1 twice",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), {.kind = ACT_DUPLICATE}, RUN(1000)),
     .expect = {{.absent = LINES(DUP), .ipsec_sas = EXACTLY(1)},
                {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", DUP),
                 .count_line = "Recv Main Mode request from <10.0.0.1>", .count = 1,
                 .ipsec_sas = EXACTLY(1), .ike_sas = EXACTLY(1)}}},
    {.id = "K12-cipher", .covers = "K12", .what = "Phase 1: 3DES offered, AES configured",
     .tweak = p1_cipher, NO_PROPOSAL},
    {.id = "K12-hash", .covers = "K12", .what = "Phase 1: MD5 offered, SHA1 configured",
     .tweak = p1_hash, NO_PROPOSAL},
    {.id = "K12-group", .covers = "K12", .what = "Phase 1: MODP1536 offered, MODP1024 configured",
     .tweak = p1_group, NO_PROPOSAL},
    {.id = "K12-lifetime", .covers = "K12", .what = "Phase 1: 86400 s offered, 28800 s configured",
     .tweak = p1_lifetime, NO_PROPOSAL},
    {.id = "K12-protocol", .covers = "K12", .what = "Phase 2: AH offered, ESP configured",
     .tweak = p2_protocol, NO_PROPOSAL_P2},
    {.id = "K12-mode", .covers = "K12", .what = "Phase 2: transport offered, tunnel configured",
     .tweak = p2_mode, NO_PROPOSAL_P2},
    {.id = "K12-pfs", .covers = "K12", .what = "Phase 2: PFS offered, none configured",
     .tweak = p2_pfs, NO_PROPOSAL_P2},
    {.id = "K13-local-id", .covers = "K13",
     .what = "the peer's proxy ID for our side is not our local net", .tweak = bad_local_id,
     BAD_ID("!! Verifying Local ID failed", "!! Verifying Remote ID failed")},
    {.id = "K14-remote-id", .covers = "K14",
     .what = "the peer's proxy ID for its side is not our remote net", .tweak = bad_remote_id,
     BAD_ID("!! Verifying Remote ID failed", "!! Verifying Local ID failed")},
    {.id = "K15-conflict-rule", .covers = "K15",
     .what = "dynamic rule: the peer's net is rule 2's remote net", .tweak = k15_conflict,
     .actions = trigger_and_run,
     .expect = {{.ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("!! Local / remote IPs of incoming request conflict with "
                                   "rule <#2>"),
                 .ipsec_sas = EXACTLY(0)}}},
    {.id = "K16-invalid-ip", .covers = "K16",
     .what = "dynamic rule: the peer's local range is loopback", .tweak = k16_loopback,
     .actions = trigger_and_run,
     .expect = {{.ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("!! Invalid IP <127.0.0.1>/<127.0.0.9>"),
                 .ipsec_sas = EXACTLY(0)}}},
    {.id = "K17-remote-conflicts", .covers = "K17",
     .what = "dynamic rule: a second rule asks for the same remote net while the first is up",
     .tweak = k17_second_rule,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(60000), TRIGGER(SIDE_A, 2), RUN(60000)),
     .expect = {{.ipsec_sas = EXACTLY(1)},
                {.in_order = LINES("!! Remote IP <192.168.1.0> / <192.168.1.255> conflicts"),
                 .ipsec_sas = EXACTLY(1)}}},
    {.id = "K18-limit", .covers = "K18",
     .what = "two rules at once with a limit of one Phase 2 negotiation", .tweak = k18_limit_one,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), TRIGGER(SIDE_A, 2), RUN(60000)),
     .expect = {{.count_line = "!! Active connection allowed exceeded", .count = 1,
                 .ipsec_sas = EXACTLY(1)},
                {.ipsec_sas = EXACTLY(1)}}},
    {.id = "K19-retransmit", .covers = "K19",
     .what = "a silent peer: the default schedule, 3 resends 10 s apart, then give up",
     .actions = ACTIONS({.kind = ACT_DROP_ALL}, TRIGGER(SIDE_A, 1), RUN(60000)),
     .expect = {{.in_order = LINES("Send Main Mode request to <10.0.0.2>", "Send:<SA>",
                                   RETRANSMIT, RETRANSMIT, RETRANSMIT),
                 .count_line = RETRANSMIT, .count = 3, .ike_sas = EXACTLY(0),
                 .ipsec_sas = EXACTLY(0), .resends = MS(10000, 20000, 30000)},
                {.nlogs = EXACTLY(0)}}},
    {.id = "K20-send-fails", .covers = "K20",
     .what = "the first send fails; the retransmission recovers",
     .actions = ACTIONS({.kind = ACT_FAIL_NEXT_SEND, .side = SIDE_A}, TRIGGER(SIDE_A, 1),
                        RUN(60000)),
     .expect = {{.in_order = LINES("!! Failed to send IKE Packet", RETRANSMIT,
                                   "Phase 1 IKE SA process done"),
                 .count_line = "!! Failed to send IKE Packet", .count = 1,
                 .ipsec_sas = EXACTLY(1)},
                {.ipsec_sas = EXACTLY(1)}}},
    {.id = "K21-error-budget", .covers = "K21",
     .what = "Main Mode message 5 and its two resends garbled, B's refusals lost, budget three",
     .tweak = k21_budget_three,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(60000)),
     /* 5, 7, 10: A's message 5 and its resends; 6, 9: B's refusals; 8: B's
      * own resend of message 4. */
     .impair = IMPAIR({IMP_CORRUPT_BODY, 5, 0}, {IMP_DROP, 6, 0}, {IMP_CORRUPT_BODY, 7, 0},
                      {IMP_DROP, 8, 0}, {IMP_DROP, 9, 0}, {IMP_CORRUPT_BODY, 10, 0}),
     .expect = {{0},
                {.in_order = LINES("Recv Main Mode request from <10.0.0.1>",
                                   "!! Too many errors! Deleting SA"),
                 .absent = LINES("Phase 1 IKE SA process done"),
                 .count_line = "!! Too many errors! Deleting SA", .count = 1,
                 .ike_sas = EXACTLY(0)}}},
    /* Under an established SA a message that fails to authenticate could
     * come from anyone who saw the cookies: it never spends the budget. */
    {.id = "K21-spares-established", .covers = "K21",
     .what = "six unauthenticated Quick Mode messages under an established SA, budget three",
     .tweak = k21_budget_three,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, quick_junk, 0, 0),
                        INJECT(SIDE_B, quick_junk, 0, 0), INJECT(SIDE_B, quick_junk, 0, 0),
                        INJECT(SIDE_B, quick_junk, 0, 0), INJECT(SIDE_B, quick_junk, 0, 0),
                        INJECT(SIDE_B, quick_junk, 0, 0)),
     .expect = {{.ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(1)},
                {.in_order = LINES("Phase 1 IKE SA process done"),
                 .absent = LINES("!! Too many errors! Deleting SA"),
                 .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(1)}}},
};

const struct scenario_table catalogue_cases = {cases, sizeof cases / sizeof cases[0]};
