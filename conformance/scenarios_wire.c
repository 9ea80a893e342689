/* Wire faults: duplicated requests (K11), lost, late, reordered, cut and
 * damaged datagrams (K19, and what RFC 2408/2409 let a receiver do with
 * them). Impairments number the IKE datagrams the wire carries from 1 over
 * both directions, injected ones excluded. A clean Main Mode + Quick Mode:
 *   1 MM1 A>B  2 MM2 B>A  3 MM3  4 MM4  5 MM5*  6 MM6*  7 QM1*  8 QM2*  9 QM3*
 * and Aggressive Mode + Quick Mode:
 *   1 AM1 A>B  2 AM2 B>A  3 AM3*  4 QM1*  5 QM2*  6 QM3*      (* encrypted)
 * The clean traces have 13 lines on A and 12 on B (Main Mode), 10 and 9
 * (Aggressive Mode); the nlogs counts below are those plus what the fault
 * adds, so a second Recv/Send pair (extra DH work, a second SA) shows.
 *
 * K11 (LOGS.md: "several requests with the same cookie while the first IKE
 * packet is still being processed"): the responder logs it for a request it
 * has already answered while its exchange is under way (MM1, MM3, AM1,
 * QM1), and answers it with its last reply, as RFC 2408/2409 practice does
 * for a retransmission. A repeat of the message that completed the exchange
 * (MM5, AM3, QM3) is no longer "being processed": it is answered (MM6) or
 * dropped, without K11. The initiator never logs K11: a repeated reply
 * (MM2, MM4, MM6, AM2, QM2) is ignored, except that a repeat of the reply
 * its final message answered (AM2, QM2) means that final message was lost,
 * so it is sent again. */
#include "ikelab/isakmp_types.h"
#include "scenario.h"
#include "tweaks.h"

#define K11 "!! Duplicate requests with the same cookie"
#define K19 "!! IKE Packet Retransmit"
#define K9 "Start Phase 2: Quick Mode"

/* Both sides end with one IKE SA and one IPsec SA, no more. */
#define ONE_EACH .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(1), .ipsec_up = EXACTLY(1)

/* Trigger, then a minute: the whole default retransmission span (3 x 10 s)
 * and less than the 2-minute idle time-out (P6). */
#define RUNS ACTIONS(TRIGGER(SIDE_A, 1), RUN(60000))

#define XMM ISAKMP_XCHG_IDPROT
#define XAM ISAKMP_XCHG_AGGRESSIVE
#define XQM ISAKMP_XCHG_QUICK
#define XINFO ISAKMP_XCHG_INFO
#define QM1 "<HASH><SA><NONCE><ID><ID>"

/* The side's first datagram was never sent again. */
static const uint32_t never[] = {0};

static void every_2500_five(struct ike_config *a, struct ike_config *b)
{
  a->g.retransmit_interval_ms = b->g.retransmit_interval_ms = 2500;
  a->g.retransmit_count = b->g.retransmit_count = 5;
}
static void every_4000_three(struct ike_config *a, struct ike_config *b)
{
  a->g.retransmit_interval_ms = b->g.retransmit_interval_ms = 4000;
  a->g.retransmit_count = b->g.retransmit_count = 3;
}
static void no_resends(struct ike_config *a, struct ike_config *b)
{
  a->g.retransmit_count = b->g.retransmit_count = 0;
}

static const struct scenario cases[] = {
    /* ---- the same datagram twice (IMP_DUPLICATE: back to back) ---- */
    {.id = "W-dup-mm1", .covers = "K11 WIRE",
     .what = "MM1 delivered twice: K11 on B, MM2 sent again, one SA",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 1, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.in_order = LINES("Send:<SA>", K11, "Recv:<KE><NONCE>"), .count_line = K11,
                 .count = 1, .nlogs = EXACTLY(13), ONE_EACH}},
     .wire = WIRE({SIDE_B, XMM, "<SA>", 0}, {SIDE_B, XMM, "<SA>", 0},
                  {SIDE_A, XMM, "<KE><NONCE>", 0})},
    {.id = "W-dup-mm3", .covers = "K11 WIRE",
     .what = "MM3 delivered twice: K11 on B, MM4 sent again, one DH",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 3, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.in_order = LINES("Send:<KE><NONCE>", K11), .count_line = K11, .count = 1,
                 .nlogs = EXACTLY(13), ONE_EACH}},
     .wire = WIRE({SIDE_B, XMM, "<KE><NONCE>", 0}, {SIDE_B, XMM, "<KE><NONCE>", 0},
                  {SIDE_A, XMM, "<ID><HASH>", 0})},
    {.id = "W-dup-mm5", .covers = "K11 WIRE",
     .what = "MM5 delivered twice: B is done, no K11; MM6 sent again",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 5, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}},
     .wire = WIRE({SIDE_B, XMM, "<ID><HASH>", 0}, {SIDE_B, XMM, "<ID><HASH>", 0},
                  {SIDE_A, XQM, QM1, 0})},
    /* Responder messages twice at the initiator: no K11, nothing resent
     * (B would log K11 for a second MM3). */
    {.id = "W-dup-mm2", .covers = "K11 WIRE",
     .what = "MM2 delivered twice: A ignores the copy, no K11 anywhere",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 2, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-dup-mm4", .covers = "K11 WIRE", .what = "MM4 delivered twice: A ignores the copy",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 4, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-dup-mm6", .covers = "K11 WIRE",
     .what = "MM6 delivered twice: A, established, ignores the copy",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 6, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-dup-qm1", .covers = "K11 WIRE",
     .what = "QM1 delivered twice: K11 on B, QM2 and QM3 sent again, one IPsec SA",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 7, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.in_order = LINES("Send:" QM1, K11, "Recv:<HASH>"), .count_line = K11,
                 .count = 1, .nlogs = EXACTLY(13), ONE_EACH}},
     .wire = WIRE({SIDE_B, XQM, QM1, 0}, {SIDE_B, XQM, QM1, 0}, {SIDE_A, XQM, "<HASH>", 0},
                  {SIDE_A, XQM, "<HASH>", 0})},
    {.id = "W-dup-qm2", .covers = "K11 WIRE",
     .what = "QM2 delivered twice: A sends QM3 again, B takes it silently",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 8, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}},
     .wire = WIRE({SIDE_A, XQM, "<HASH>", 0}, {SIDE_A, XQM, "<HASH>", 0})},
    {.id = "W-dup-qm3", .covers = "K11 WIRE",
     .what = "QM3 delivered twice: B is done, no K11, no second IPsec SA",
     .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 9, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-dup-am1", .covers = "K11 WIRE",
     .what = "AM1 delivered twice: K11 on B, AM2 sent again, A answers it with AM3",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 1, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(10), ONE_EACH},
                {.in_order = LINES("Send:<SA><KE><NONCE><ID><HASH>", K11, "Recv:<HASH>"),
                 .count_line = K11, .count = 1, .nlogs = EXACTLY(10), ONE_EACH}},
     .wire = WIRE({SIDE_B, XAM, "<SA><KE><NONCE><ID><HASH>", 0},
                  {SIDE_B, XAM, "<SA><KE><NONCE><ID><HASH>", 0}, {SIDE_A, XAM, "<HASH>", 0},
                  {SIDE_A, XAM, "<HASH>", 0})},
    {.id = "W-dup-am2", .covers = "K11 WIRE",
     .what = "AM2 delivered twice: A sends AM3 again (its final message), no K11",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 2, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(10), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(9), ONE_EACH}},
     .wire = WIRE({SIDE_A, XAM, "<HASH>", 0}, {SIDE_A, XAM, "<HASH>", 0})},
    {.id = "W-dup-am3", .covers = "K11 WIRE",
     .what = "AM3 delivered twice: B is done, no K11, nothing sent",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 3, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(10), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(9), ONE_EACH}}},
    {.id = "W-dup-am-qm1", .covers = "K11 WIRE",
     .what = "Aggressive Mode, QM1 delivered twice: K11 on B",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DUPLICATE, 4, 0}),
     .expect = {{.absent = LINES(K11), .nlogs = EXACTLY(10), ONE_EACH},
                {.in_order = LINES("Send:" QM1, K11), .count_line = K11, .count = 1,
                 .nlogs = EXACTLY(10), ONE_EACH}},
     .wire = WIRE({SIDE_B, XQM, QM1, 0}, {SIDE_B, XQM, QM1, 0})},
    /* ---- a datagram delivered again later (REPLAY) ---- */
    {.id = "W-replay-mm1-inflight", .covers = "K11 WIRE",
     .what = "MM2 lost; MM1 replayed before A's timer: K11, MM2 again, A goes on",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), REPLAY(1), RUN(60000)),
     .impair = IMPAIR({IMP_DROP, 2, 0}),
     .expect = {{.absent = LINES(K11, K19), .nlogs = EXACTLY(13), .resends = never, ONE_EACH},
                {.count_line = K11, .count = 1, .absent = LINES(K19), .nlogs = EXACTLY(13),
                 ONE_EACH}},
     .wire = WIRE({SIDE_B, XMM, "<SA>", 0}, {SIDE_B, XMM, "<SA>", 0})},
    {.id = "W-replay-mm5-late", .covers = "K11 WIRE",
     .what = "MM5 replayed once all is up: MM6 sent again, no K11, nothing new",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), REPLAY(5), RUN(1000)),
     .expect = {{.nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}},
     .wire = WIRE({SIDE_B, XMM, "<ID><HASH>", 0}, {SIDE_B, XMM, "<ID><HASH>", 0})},
    {.id = "W-replay-qm1-late", .covers = "K11 WIRE",
     .what = "QM1 replayed once its exchange is over: dropped silently, no second SA",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), REPLAY(7), RUN(1000)),
     .expect = {{.nlogs = EXACTLY(13), ONE_EACH},
                {.count_line = K11, .count = 0, .nlogs = EXACTLY(12), ONE_EACH}}},
    /* ---- a datagram lost once (IMP_DROP): the sender's timer repairs it,
     * K19 once; a lost reply also makes the requester repeat its request,
     * which the responder answers (K11 while under way). ---- */
    {.id = "W-drop-mm1", .covers = "K19 WIRE",
     .what = "MM1 lost: A sends it again 10 s later, K19 once",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 1, 0}),
     .expect = {{.in_order = LINES("Send:<SA>", K19, "Recv:<SA>"), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(14), .resends = MS(10000), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-drop-mm2", .covers = "K19 K11 WIRE",
     .what = "MM2 lost: both time out at 10 s; B answers the repeated MM1 (K11)",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 2, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), .resends = MS(10000),
                 ONE_EACH},
                /* B's own copy and its answer to A's copy: both at +10 s. */
                {.in_order = LINES("Send:<SA>", K19, K11, "Recv:<KE><NONCE>"), .count_line = K11,
                 .count = 1, .nlogs = EXACTLY(14), .resends = MS(10000, 10000), ONE_EACH}}},
    {.id = "W-drop-mm3", .covers = "K19 WIRE",
     .what = "MM3 lost: A sends it again (K19); B's MM2 copy is ignored",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 3, 0}),
     .expect = {{.in_order = LINES("Send:<KE><NONCE>", K19, "Recv:<KE><NONCE>"), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(14), .resends = never, ONE_EACH},
                {.count_line = K19, .count = 1, .absent = LINES(K11), .nlogs = EXACTLY(13),
                 .resends = MS(10000), ONE_EACH}}},
    {.id = "W-drop-mm4", .covers = "K19 K11 WIRE",
     .what = "MM4 lost: A repeats MM3 (K19), B answers it (K11) and times out too",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 4, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.in_order = LINES("Send:<KE><NONCE>", K19, K11, "Recv:<ID><HASH>"),
                 .count_line = K11, .count = 1, .nlogs = EXACTLY(14), ONE_EACH}}},
    {.id = "W-drop-mm5", .covers = "K19 WIRE",
     .what = "MM5 lost: A sends it again (K19), B's MM4 copy is ignored",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 5, 0}),
     .expect = {{.in_order = LINES("Send:<ID><HASH>", K19, "Recv:<ID><HASH>"), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.count_line = K19, .count = 1, .absent = LINES(K11), .nlogs = EXACTLY(13),
                 ONE_EACH}}},
    {.id = "W-drop-mm6", .covers = "K19 WIRE",
     .what = "MM6 lost: A repeats MM5 (K19); B, done, answers with MM6, no K11",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 6, 0}),
     .expect = {{.in_order = LINES("Send:<ID><HASH>", K19, "Recv:<ID><HASH>"), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}},
     .wire = WIRE({SIDE_A, XMM, "<ID><HASH>", 0}, {SIDE_B, XMM, "<ID><HASH>", 0},
                  {SIDE_A, XMM, "<ID><HASH>", 0}, {SIDE_B, XMM, "<ID><HASH>", 0})},
    {.id = "W-drop-qm1", .covers = "K19 WIRE",
     .what = "QM1 lost: A sends it again (K19), one IPsec SA",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 7, 0}),
     .expect = {{.in_order = LINES("Send:" QM1, K19, "Recv:" QM1), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-drop-qm2", .covers = "K19 K11 WIRE",
     .what = "QM2 lost: A repeats QM1 (K19), B answers it (K11) and times out too",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 8, 0}),
     .expect = {{.in_order = LINES("Send:" QM1, K19, "Recv:" QM1), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(14), ONE_EACH},
                {.in_order = LINES("Send:" QM1, K19, K11, "Recv:<HASH>"), .count_line = K11,
                 .count = 1, .nlogs = EXACTLY(14), ONE_EACH}}},
    /* A is done at QM3; only B's timer can tell it QM3 was lost. */
    {.id = "W-drop-qm3", .covers = "K19 WIRE",
     .what = "QM3 lost: B repeats QM2 (K19), A answers with QM3 again",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 9, 0}),
     .expect = {{.absent = LINES(K19, K11), .nlogs = EXACTLY(13), ONE_EACH},
                {.in_order = LINES("Send:" QM1, K19, "Recv:<HASH>"), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(13), ONE_EACH}},
     .wire = WIRE({SIDE_A, XQM, "<HASH>", 0}, {SIDE_B, XQM, QM1, 0}, {SIDE_A, XQM, "<HASH>", 0})},
    {.id = "W-drop-am1", .covers = "K19 WIRE", .what = "AM1 lost: A sends it again 10 s later",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DROP, 1, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(11), .resends = MS(10000),
                 ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(9), ONE_EACH}}},
    {.id = "W-drop-am2", .covers = "K19 K11 WIRE",
     .what = "AM2 lost: both time out; B answers the repeated AM1 (K11)",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DROP, 2, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(11), .resends = MS(10000),
                 ONE_EACH},
                {.in_order = LINES(K19, K11, "Recv:<HASH>"), .count_line = K11, .count = 1,
                 .nlogs = EXACTLY(11), ONE_EACH}}},
    /* A is up after AM3 and sends QM1 at once; B, not up, drops it (an
     * error counted on the SA, no notify); B's AM2 copy draws AM3 again, and
     * A's second QM1 copy completes at +20 s. */
    {.id = "W-drop-am3", .covers = "K19 WIRE RFC2409-5.5",
     .what = "AM3 lost: B drops the QM1 that overtakes it; both timers repair it",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_DROP, 3, 0}),
     .expect = {{.count_line = K19, .count = 2, .nlogs = EXACTLY(12), ONE_EACH},
                {.in_order = LINES("Send:<SA><KE><NONCE><ID><HASH>", K19, "Recv:<HASH>",
                                   "Phase 1 IKE SA process done", "Recv:" QM1),
                 .count_line = K19, .count = 1, .nlogs = EXACTLY(10), ONE_EACH}}},
    /* ---- the retransmission schedule (rules.c defaults: 3 x 10 s) ---- */
    {.id = "W-sched-default-3", .covers = "K19 WIRE",
     .what = "MM1 lost three times: resent at +10, +20, +30 s, the last one gets through",
     .actions = RUNS, .impair = IMPAIR({IMP_DROP, 1, 0}, {IMP_DROP, 2, 0}, {IMP_DROP, 3, 0}),
     .expect = {{.count_line = K19, .count = 3, .nlogs = EXACTLY(16),
                 .resends = MS(10000, 20000, 30000), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-sched-2500x5", .covers = "K19 WIRE",
     .what = "MM1 and its copies all lost, schedule 2.5 s x 5: five resends, then give up",
     .tweak = every_2500_five, .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(600000)),
     .impair = IMPAIR({IMP_DROP, 1, 0}, {IMP_DROP, 2, 0}, {IMP_DROP, 3, 0}, {IMP_DROP, 4, 0},
                      {IMP_DROP, 5, 0}, {IMP_DROP, 6, 0}),
     .expect = {{.count_line = K19, .count = 5, .resends = MS(2500, 5000, 7500, 10000, 12500),
                 .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)},
                {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0)}}},
    {.id = "W-sched-4000x3", .covers = "K19 WIRE",
     .what = "schedule 4 s x 3, MM1 lost twice: resent at +4 and +8 s, then up",
     .tweak = every_4000_three, .actions = RUNS,
     .impair = IMPAIR({IMP_DROP, 1, 0}, {IMP_DROP, 2, 0}),
     .expect = {{.count_line = K19, .count = 2, .resends = MS(4000, 8000), .nlogs = EXACTLY(15),
                 ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-sched-none", .covers = "K19 WIRE",
     .what = "retransmit count 0: MM1 lost, never resent, A gives up",
     .tweak = no_resends, .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(600000)),
     .impair = IMPAIR({IMP_DROP, 1, 0}),
     .expect = {{.absent = LINES(K19), .nlogs = EXACTLY(3), .resends = never,
                 .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)},
                {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0)}}},
    /* ---- late datagrams (IMP_DELAY) ---- */
    /* The original MM1 reaches B at +15 s, after the copy made B's SA: B
     * logs nothing for it (its exchange is over, so no K11). */
    {.id = "W-delay-mm1-beyond", .covers = "K19 WIRE",
     .what = "MM1 held 15 s, past the 10 s interval: the copy completes, the late one is no K11",
     .actions = RUNS, .impair = IMPAIR({IMP_DELAY, 1, 15000}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-delay-mm1-within", .covers = "K19 WIRE",
     .what = "MM1 held 5 s, within the interval: no resend, no K19",
     .actions = RUNS, .impair = IMPAIR({IMP_DELAY, 1, 5000}),
     .expect = {{.absent = LINES(K19), .nlogs = EXACTLY(13), .resends = never, ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    /* The late QM1 finds its exchange finished: dropped, no second SA. */
    {.id = "W-delay-qm1-beyond", .covers = "K19 WIRE",
     .what = "QM1 held 12 s: the copy completes at +10 s, the original is dropped silently",
     .actions = RUNS, .impair = IMPAIR({IMP_DELAY, 7, 12000}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "W-delay-qm2-within", .covers = "K19 WIRE",
     .what = "QM2 held 4 s, within the interval: nothing resent",
     .actions = RUNS, .impair = IMPAIR({IMP_DELAY, 8, 4000}),
     .expect = {{.absent = LINES(K19), .nlogs = EXACTLY(13), ONE_EACH},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    /* ---- reordered datagrams (IMP_REORDER: after the next one) ---- */
    /* AM3 and QM1 leave A back to back; QM1 overtakes AM3. RFC 2409 §5.5:
     * Quick Mode runs under an established Phase 1, so B drops it (counted,
     * silent), takes AM3, and A's QM1 copy completes. */
    {.id = "W-reorder-am3-qm1", .covers = "K19 WIRE RFC2409-5.5",
     .what = "QM1 overtakes AM3: B drops it until Phase 1 is up; A's copy completes",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_REORDER, 3, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(11), ONE_EACH},
                {.in_order = LINES("Recv:<HASH>", "Phase 1 IKE SA process done", "Recv:" QM1),
                 .absent = LINES(K11, K19), .nlogs = EXACTLY(9), ONE_EACH}},
     /* The trace is in send order: AM3 (held back), QM1, then B's QM2. */
     .wire = WIRE({SIDE_A, XAM, "<HASH>", 0}, {SIDE_A, XQM, QM1, 0}, {SIDE_B, XQM, QM1, 0})},
    /* Nothing follows QM1, so it waits for A's own copy and comes after it:
     * a repeat while B's Quick Mode is under way (K11). */
    {.id = "W-reorder-qm1", .covers = "K19 K11 WIRE",
     .what = "QM1 held until its own copy has passed: K19 on A, K11 on B, one SA",
     .actions = RUNS, .impair = IMPAIR({IMP_REORDER, 7, 0}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.count_line = K11, .count = 1, .absent = LINES(K19), .nlogs = EXACTLY(13),
                 ONE_EACH}}},
    /* ---- cut datagrams (IMP_TRUNCATE): the header length no longer
     * matches (RFC 2408 §5.1 UNEQUAL-PAYLOAD-LENGTHS) ---- */
    /* No SA yet: B says why in the clear (RFC 2408 §5.1) and keeps nothing;
     * A ends its negotiation on that notify (it cannot tell it from a
     * refusal). */
    {.id = "W-truncate-mm1", .covers = "WIRE RFC2408-5.1",
     .what = "MM1 cut mid-SA: B answers UNEQUAL-PAYLOAD-LENGTHS, keeps no state",
     .actions = RUNS, .impair = IMPAIR({IMP_TRUNCATE, 1, 60}),
     .expect = {{.in_order = LINES("Send:<SA>", "Recv:<NOTFY>"), .absent = LINES(K19),
                 .nlogs = EXACTLY(4), .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1), .ike_sas = EXACTLY(0),
                 .sends_notify = ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS}}},
    /* Under a half-open SA a refused message is an error counted on the SA
     * (K21's budget) and answered with silence: A's copy completes. */
    {.id = "W-truncate-mm3", .covers = "K19 K21 WIRE",
     .what = "MM3 cut mid-KE: dropped silently under B's SA, A's copy completes",
     .actions = RUNS, .impair = IMPAIR({IMP_TRUNCATE, 3, 100}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, "Send:<NOTFY>"), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(13), ONE_EACH}}},
    {.id = "W-truncate-mm5", .covers = "K19 K21 WIRE",
     .what = "MM5 cut inside its encrypted body: dropped silently, A's copy completes",
     .actions = RUNS, .impair = IMPAIR({IMP_TRUNCATE, 5, 40}),
     .expect = {{.count_line = K19, .count = 1, .nlogs = EXACTLY(14), ONE_EACH},
                {.absent = LINES(K11, "Send:<NOTFY>"), .count_line = K19, .count = 1,
                 .nlogs = EXACTLY(13), ONE_EACH}}},
    /* Under an established SA the notify goes protected (HASH(1), RFC 2409
     * §5.7) and ends A's Quick Mode; Phase 1 stays up on both sides. */
    {.id = "W-truncate-qm1", .covers = "WIRE RFC2408-5.1 RFC2409-5.5",
     .what = "QM1 cut: a protected UNEQUAL-PAYLOAD-LENGTHS ends it, Phase 1 unharmed",
     .actions = RUNS, .impair = IMPAIR({IMP_TRUNCATE, 7, 100}),
     .expect = {{.in_order = LINES("Send:" QM1, "Recv:<HASH><NOTFY>"), .absent = LINES(K19),
                 .nlogs = EXACTLY(12), .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Phase 1 IKE SA process done", "Send:<HASH><NOTFY>"),
                 .nlogs = EXACTLY(9), .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)}},
     .wire = WIRE({SIDE_B, XINFO, "<HASH><NOTFY>", ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS})},
    /* ---- damaged bytes (IMP_FLIP, IMP_CORRUPT_BODY) ---- */
    /* A flipped nonce byte in clear MM3 cannot be seen until the keys it
     * feeds fail MM5's check: B sends AUTHENTICATION-FAILED (RFC 2409 §5: a
     * notify when "decryption was unsuccessful"), A ends on it; B's MM4 copy
     * then meets no SA at A (INVALID-COOKIE), which ends B's half-open SA. */
    {.id = "W-flip-mm3-nonce", .covers = "WIRE RFC2409-5",
     .what = "MM3's last nonce byte flipped: AUTHENTICATION-FAILED at MM5, no SA left",
     .actions = RUNS, .impair = IMPAIR({IMP_FLIP, 3, 179}),
     .expect = {{.in_order = LINES("Send:<ID><HASH>", "Recv:<NOTFY>", "Send:<NOTFY>"),
                 .nlogs = EXACTLY(9), .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0),
                 .sends_notify = ISAKMP_N_INVALID_COOKIE},
                {.in_order = LINES("Send:<NOTFY>", K19, "Recv:<NOTFY>"), .nlogs = EXACTLY(8),
                 .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0),
                 .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED}}},
    /* QM3 flipped in its last byte: B's HASH(3) check fails, it answers
     * with a protected notify (which ends only Quick Modes A is still
     * asking for: none) and repeats QM2; A answers with QM3 again. */
    {.id = "W-flip-qm3", .covers = "K19 WIRE RFC2409-5.5",
     .what = "QM3's last byte flipped: INVALID-HASH-INFORMATION, B's QM2 copy draws a good QM3",
     .actions = RUNS, .impair = IMPAIR({IMP_FLIP, 9, 59}),
     .expect = {{.in_order = LINES("Send:<HASH>", "Recv:<HASH><NOTFY>"), .absent = LINES(K19),
                 .nlogs = EXACTLY(14), ONE_EACH},
                {.in_order = LINES("Send:<HASH><NOTFY>", K19, "Recv:<HASH>"), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(14), ONE_EACH}},
     .wire = WIRE({SIDE_B, XINFO, "<HASH><NOTFY>", ISAKMP_N_INVALID_HASH_INFORMATION},
                  {SIDE_A, XQM, NULL, 0})},
    {.id = "W-corrupt-mm5", .covers = "WIRE RFC2409-5",
     .what = "MM5's encrypted body damaged: AUTHENTICATION-FAILED, A ends, no SA left",
     .actions = RUNS, .impair = IMPAIR({IMP_CORRUPT_BODY, 5, 0}),
     .expect = {{.in_order = LINES("Send:<ID><HASH>", "Recv:<NOTFY>"), .nlogs = EXACTLY(9),
                 .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Recv:<KE><NONCE>", "Send:<NOTFY>"), .nlogs = EXACTLY(8),
                 .absent = LINES("Phase 1 IKE SA process done"), .ike_sas = EXACTLY(0),
                 .ipsec_sas = EXACTLY(0), .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED}}},
    /* B is established when A fails to open MM6: A's clear notify to an
     * established SA is dropped (counted) by B, and A's MM5 copy draws MM6
     * again. */
    {.id = "W-corrupt-mm6", .covers = "K19 WIRE RFC2409-5",
     .what = "MM6's encrypted body damaged: A notifies, B unharmed, A's MM5 copy completes",
     .actions = RUNS, .impair = IMPAIR({IMP_CORRUPT_BODY, 6, 0}),
     .expect = {{.in_order = LINES("Send:<ID><HASH>", "Send:<NOTFY>", K19, "Recv:<ID><HASH>"),
                 .count_line = K19, .count = 1, .nlogs = EXACTLY(15), ONE_EACH,
                 .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED},
                {.absent = LINES(K11, K19), .nlogs = EXACTLY(12), ONE_EACH}}},
    /* B cannot check QM1's HASH(1): a protected notify (RFC 2408 §5.11),
     * which ends A's Quick Mode; Phase 1 stays up. */
    {.id = "W-corrupt-qm1", .covers = "WIRE RFC2409-5.5",
     .what = "QM1's encrypted body damaged: protected notify ends the Quick Mode, Phase 1 unharmed",
     .actions = RUNS, .impair = IMPAIR({IMP_CORRUPT_BODY, 7, 0}),
     .expect = {{.in_order = LINES("Send:" QM1, "Recv:<HASH><NOTFY>"), .absent = LINES(K19),
                 .nlogs = EXACTLY(12), .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Send:<HASH><NOTFY>"), .absent = LINES(K9),
                 .nlogs = EXACTLY(9), .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)}},
     .wire = WIRE({SIDE_B, XINFO, "<HASH><NOTFY>", 0})},
    /* A cannot open QM2: a protected notify that ends nothing on B (it ends
     * only Quick Modes B asked for); both timers repair the loss. */
    {.id = "W-corrupt-qm2", .covers = "K19 K11 WIRE RFC2409-5.5",
     .what = "QM2's encrypted body damaged: A notifies, both resend, one IPsec SA",
     .actions = RUNS, .impair = IMPAIR({IMP_CORRUPT_BODY, 8, 0}),
     .expect = {{.in_order = LINES("Send:<HASH><NOTFY>", K19, "Recv:" QM1), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(15), ONE_EACH},
                {.in_order = LINES("Recv:<HASH><NOTFY>", K19, K11, "Recv:<HASH>"),
                 .count_line = K11, .count = 1, .nlogs = EXACTLY(15), ONE_EACH}},
     .wire = WIRE({SIDE_A, XINFO, "<HASH><NOTFY>", 0})},
    /* A is up after AM3; B's clear AUTHENTICATION-FAILED reaches an
     * established SA and is dropped there. */
    {.id = "W-corrupt-am3", .covers = "K19 WIRE RFC2409-5",
     .what = "AM3's encrypted body damaged: B notifies, A (up) ignores it; the timers complete",
     .tweak = tweak_aggressive, .actions = RUNS, .impair = IMPAIR({IMP_CORRUPT_BODY, 3, 0}),
     .expect = {{.count_line = K19, .count = 2, .nlogs = EXACTLY(12), ONE_EACH},
                {.in_order = LINES("Send:<NOTFY>", K19, "Recv:<HASH>"), .count_line = K19,
                 .count = 1, .nlogs = EXACTLY(11), ONE_EACH,
                 .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED}}},
};

const struct scenario_table wire_cases = {cases, sizeof cases / sizeof cases[0]};
