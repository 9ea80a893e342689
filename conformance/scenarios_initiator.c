/* The peer initiates: A answers Main Mode + Quick Mode, some answers
 * mangled on the wire. Datagrams are numbered over both directions:
 *   1 MM1 B>A  2 MM2 A>B  3 MM3  4 MM4  5 MM5*  6 MM6*  7 QM1*  8 QM2*  9 QM3*
 * What each case asks of the peer, the initiator, is an RFC's: a damaged or
 * repeated answer is discarded (RFC 2408 §5), the request is resent
 * (RFC 2408 §5 discards, so the exchange goes on only by the initiator's
 * retransmission) and the peer ends with one SA; a refusal ends the
 * exchange. A's expectations are what it holds at the end; the wire ones
 * are the peer's datagrams, in order (a resent request shows twice). */
#include "scenarios_initiator.h"

#include "ikelab/isakmp_types.h"

#define XMM ISAKMP_XCHG_IDPROT
#define XQM ISAKMP_XCHG_QUICK
#define QM1 "<HASH><SA><NONCE><ID><ID>"
#define PEER_STARTS ACTIONS(TRIGGER(SIDE_B, 1), RUN(3000))
/* A ends with one IKE SA and one IPsec SA: the peer completed, once. */
#define ONE_EACH {.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)}

static void a_offers_3des(struct ike_config *a, struct ike_config *b)
{
  (void)b;
  a->rules[0].p1[0].encr = OAKLEY_ENCR_3DES_CBC;
  a->rules[0].p1[0].key_bits = 0;
}

static const struct scenario cases[] = {
    {.id = "IO-main", .covers = "RFC2409-5",
     .what = "the peer initiates Main Mode + Quick Mode; A answers: one IKE SA, one IPsec SA",
     .actions = PEER_STARTS, .expect = {ONE_EACH, {0}}},
    {.id = "IO-dup-mm2", .covers = "K11 RFC2408-5",
     .what = "A's MM2 arrives twice: the peer ignores the copy, one SA",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_DUPLICATE, 2, 0}), .expect = {ONE_EACH, {0}}},
    {.id = "IO-dup-mm4", .covers = "K11 RFC2408-5",
     .what = "A's MM4 arrives twice: the peer ignores the copy, one SA",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_DUPLICATE, 4, 0}), .expect = {ONE_EACH, {0}}},
    {.id = "IO-dup-qm2", .covers = "K11 RFC2408-5",
     .what = "A's QM2 arrives twice: one IPsec SA (a second QM3 is allowed)",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_DUPLICATE, 8, 0}), .expect = {ONE_EACH, {0}}},
    {.id = "IO-truncate-mm2", .covers = "RFC2408-5.2 WIRE",
     .what = "A's MM2 cut to 40 bytes: the peer discards it, resends MM1, then completes",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_TRUNCATE, 2, 40}), .expect = {ONE_EACH, {0}},
     .wire = WIRE({SIDE_B, XMM, "<SA>", 0}, {SIDE_B, XMM, "<SA>", 0})},
    {.id = "IO-flags-mm2", .covers = "RFC2408-5.2",
     .what = "A's MM2 with every flag bit set: the peer discards it, resends MM1, then completes",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_FLIP, 2, 19}), .expect = {ONE_EACH, {0}},
     .wire = WIRE({SIDE_B, XMM, "<SA>", 0}, {SIDE_B, XMM, "<SA>", 0})},
    {.id = "IO-corrupt-mm6", .covers = "RFC2409-5 RFC2408-5.1",
     .what = "A's MM6 body corrupted: HASH_R does not verify, the peer resends MM5, then completes",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_CORRUPT_BODY, 6, 0}),
     .expect = {ONE_EACH, {0}},
     .wire = WIRE({SIDE_B, XMM, "<ID><HASH>", 0}, {SIDE_B, XMM, "<ID><HASH>", 0})},
    {.id = "IO-corrupt-qm2", .covers = "RFC2409-5 RFC2408-5.1",
     .what = "A's QM2 body corrupted: HASH(2) fails, the peer resends QM1, then completes",
     .actions = PEER_STARTS, .impair = IMPAIR({IMP_CORRUPT_BODY, 8, 0}),
     .expect = {ONE_EACH, {0}},
     .wire = WIRE({SIDE_B, XQM, QM1, 0}, {SIDE_B, XQM, QM1, 0})},
    {.id = "IO-no-proposal", .covers = "RFC2408-5.4",
     .what = "A accepts only 3DES: it answers NO-PROPOSAL-CHOSEN and the peer ends the exchange",
     .tweak = a_offers_3des, .actions = PEER_STARTS,
     .expect = {{.ipsec_sas = EXACTLY(0), .ike_established = EXACTLY(0)}, {0}}},
};

const struct scenario_table initiator_cases = {cases, sizeof cases / sizeof cases[0]};
