/* RFC 2409 exchange rules as negative cases: a payload out of place, a
 * required payload missing, a message of the wrong exchange or for no
 * exchange at all. Each is a real message (taken off the wire or the
 * trace) reshaped with craft.h, and asserts the notify or the silence, and
 * that nothing established is harmed (the runner's recovery check too).
 *
 * What RFC 2409 §5 asks: "The SA payload MUST precede all other payloads
 * in a phase 1 exchange. Except where otherwise noted, there are no
 * requirements for ISAKMP payloads in any message to be in any particular
 * order", and a notify is sent when "a proposal is unacceptable, or a
 * signature verification or decryption was unsuccessful". §5.5: Quick Mode
 * runs only under an established ISAKMP SA. A payload the exchange does
 * not use is therefore ignored (the order is free), a missing required one
 * makes the message malformed, and a message under a half-open SA that is
 * not its next step is an error counted on that SA (K21), answered while no
 * key protects the exchange only where the engine can name the fault. */
#include <string.h>

#include "builders.h"
#include "craft.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "scenario.h"
#include "tweaks.h"

#define K11 "!! Duplicate requests with the same cookie"
#define K19 "!! IKE Packet Retransmit"
#define ONE_EACH .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(1), .ipsec_up = EXACTLY(1)
#define NONE_LEFT .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)

enum recipe {
  R_MM1_SA_SECOND, /* A's MM1 with a Vendor ID before its SA */
  R_MM1_KE,        /* A's MM1 with a KE after its SA */
  R_MM1_OTHER,     /* A's MM1 (wire datagram 1) with a Vendor ID added */
  R_MM3_NO_NONCE,  /* A's MM3 (wire datagram 3) without its NONCE */
  R_MM3_ID,        /* A's MM3 with its ID in the clear */
  R_MM3_STRANGER,  /* A's MM3 under cookies nobody made */
  R_MM3_AS_AM,     /* A's MM3 relabelled Aggressive Mode */
  R_MM3_XCHG99,    /* A's MM3 relabelled exchange type 99 */
  R_AM1_NO_KE,     /* A's AM1 without its KE */
  R_AM1_NO_ID,     /* A's AM1 without its ID */
};

static struct isakmp_msg msg;
static uint8_t src[NET_MAX_PACKET];
static const uint8_t vid[16] = "ikelab-rfc2409-x";
static uint8_t ke[128];
static const uint8_t stranger_i[8] = {0x51, 1, 2, 3, 4, 5, 6, 7};
static const uint8_t stranger_r[8] = {0x52, 1, 2, 3, 4, 5, 6, 7};

/* The message to reshape: A's first one off the wire, or wire datagram k. */
static bool load(struct world *w, unsigned k)
{
  struct isakmp_error err;
  size_t len;
  if (k == 0) {
    len = take_first_message(w, src, sizeof src);
  } else {
    const struct trace_entry *t = world_ike_packet(w, k);
    len = t && !t->clear_len ? t->len : 0;
    if (len)
      memcpy(src, t->data, len);
  }
  isakmp_msg_reset(&msg);
  return len && isakmp_decode(&msg, src, len, &err);
}

static bool drop_type(uint8_t type)
{
  for (size_t i = 0; i < msg.npayloads; i++)
    if (msg.payloads[i].type == type)
      return craft_drop_payload(&msg, i);
  return false;
}

static bool add_data(uint8_t type, const uint8_t *data, size_t len)
{
  struct isakmp_payload *p = isakmp_add_payload(&msg, type);
  if (!p)
    return false;
  p->u.data = slice_of(data, len);
  return true;
}

static void add_id(void)
{
  static const uint8_t addr[4] = {10, 0, 0, 1};
  struct isakmp_payload *p = isakmp_add_payload(&msg, ISAKMP_NP_ID);
  if (!p)
    return;
  p->u.id.type = ISAKMP_ID_IPV4_ADDR;
  p->u.id.protocol = 17;
  p->u.id.port = 500;
  p->u.id.data = slice_of(addr, 4);
}

/* INJECT(side, rfc2409_packet, recipe, 0). */
static size_t rfc2409_packet(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  struct craft_override ov[2];
  size_t nov = 0;
  bool ok = true;
  switch ((enum recipe)act->offset) {
  case R_MM1_SA_SECOND:
    ok = load(w, 0) && add_data(ISAKMP_NP_VID, vid, sizeof vid) &&
         craft_swap_payloads(&msg, 0, msg.npayloads - 1);
    break;
  case R_MM1_KE:
    ok = load(w, 0) && add_data(ISAKMP_NP_KE, ke, sizeof ke);
    break;
  case R_MM1_OTHER:
    ok = load(w, 1) && add_data(ISAKMP_NP_VID, vid, sizeof vid);
    break;
  case R_MM3_NO_NONCE:
    ok = load(w, 3) && drop_type(ISAKMP_NP_NONCE);
    break;
  case R_MM3_ID:
    ok = load(w, 3);
    add_id();
    break;
  case R_MM3_STRANGER:
    ok = load(w, 3);
    ov[nov++] = (struct craft_override){.field = CRAFT_HDR_ICOOKIE, .bytes = stranger_i};
    ov[nov++] = (struct craft_override){.field = CRAFT_HDR_RCOOKIE, .bytes = stranger_r};
    break;
  case R_MM3_AS_AM:
    ok = load(w, 3);
    ov[nov++] = (struct craft_override){.field = CRAFT_HDR_EXCHANGE,
                                        .value = ISAKMP_XCHG_AGGRESSIVE};
    break;
  case R_MM3_XCHG99:
    ok = load(w, 3);
    ov[nov++] = (struct craft_override){.field = CRAFT_HDR_EXCHANGE, .value = 99};
    break;
  case R_AM1_NO_KE:
    ok = load(w, 0) && drop_type(ISAKMP_NP_KE);
    break;
  case R_AM1_NO_ID:
    ok = load(w, 0) && drop_type(ISAKMP_NP_ID);
    break;
  }
  return ok ? craft_build(&msg, ov, nov, out, cap, NULL, 0) : 0;
}


#define CRAFTED(side, r) INJECT(side, rfc2409_packet, r, 0)
/* Established (MM + QM), then the crafted message to B, then a while. */
#define AFTER_UP(r) ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), CRAFTED(SIDE_B, r), RUN(1000))
/* MM3 lost on the wire: B waits at MM2 when the crafted message comes;
 * A's own MM3 copy follows at +10 s unless an answer reached A first. */
#define AT_MM2(r) ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), CRAFTED(SIDE_B, r), RUN(60000))
#define MM3_LOST IMPAIR({IMP_DROP, 3, 0})

static const struct scenario cases[] = {
    {.id = "RFC2409-5-mm1-sa-second", .covers = "RFC2409-5",
     .what = "MM1 with a Vendor ID before its SA: PAYLOAD-MALFORMED, no state",
     .actions = ACTIONS(CRAFTED(SIDE_B, R_MM1_SA_SECOND), RUN(1000)),
     .expect = {{0},
                {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Send:<NOTFY>"),
                 .absent = LINES("Recv:<VID><SA>"), .nlogs = EXACTLY(2), NONE_LEFT,
                 .sends_notify = ISAKMP_N_PAYLOAD_MALFORMED}}},
    /* Order is free after the SA; a KE Main Mode does not use yet is
     * ignored, and MM3's own KE is the one that counts. */
    {.id = "RFC2409-5-mm1-ke", .covers = "RFC2409-5",
     .what = "MM1 with a KE after its SA: the KE is ignored, the exchange completes",
     .actions = ACTIONS(CRAFTED(SIDE_B, R_MM1_KE), RUN(1000)),
     .expect = {{ONE_EACH},
                {.in_order = LINES("Recv:<SA><KE>", "Send:<SA>", "Recv:<KE><NONCE>",
                                   "Phase 1 IKE SA process done"),
                 .nlogs = EXACTLY(12), ONE_EACH}}},
    {.id = "RFC2409-5-mm3-no-nonce", .covers = "RFC2409-5 RFC2408-5.13",
     .what = "MM3 without its NONCE: PAYLOAD-MALFORMED from B, nothing established",
     .actions = AT_MM2(R_MM3_NO_NONCE), .impair = MM3_LOST,
     .expect = {{.in_order = LINES("Send:<KE><NONCE>", "Recv:<NOTFY>"), NONE_LEFT},
                {.in_order = LINES("Send:<SA>", "Send:<NOTFY>"), .absent = LINES("Recv:<KE>"),
                 .ipsec_sas = EXACTLY(0), .sends_notify = ISAKMP_N_PAYLOAD_MALFORMED}}},
    /* Identity protection is the initiator's business; the responder
     * ignores an ID it does not expect yet (order free, §5). */
    {.id = "RFC2409-5-mm3-clear-id", .covers = "RFC2409-5",
     .what = "MM3 with an ID in the clear: ignored, MM4 answers, the exchange completes",
     .actions = AT_MM2(R_MM3_ID), .impair = MM3_LOST,
     .expect = {{.absent = LINES(K19), ONE_EACH},
                {.in_order = LINES("Recv:<KE><NONCE><ID>", "Send:<KE><NONCE>",
                                   "Phase 1 IKE SA process done"),
                 ONE_EACH}}},
    {.id = "RFC2409-5-am1-no-ke", .covers = "RFC2409-5",
     .what = "AM1 without its KE: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, .actions = ACTIONS(CRAFTED(SIDE_B, R_AM1_NO_KE), RUN(1000)),
     .expect = {{0},
                {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                                   "Recv:<SA><NONCE><ID>", "Send:<NOTFY>"),
                 .nlogs = EXACTLY(3), NONE_LEFT, .sends_notify = ISAKMP_N_PAYLOAD_MALFORMED}}},
    {.id = "RFC2409-5-am1-no-id", .covers = "RFC2409-5",
     .what = "AM1 without its ID: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, .actions = ACTIONS(CRAFTED(SIDE_B, R_AM1_NO_ID), RUN(1000)),
     .expect = {{0},
                {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                                   "Send:<NOTFY>"),
                 .nlogs = EXACTLY(2), NONE_LEFT, .sends_notify = ISAKMP_N_PAYLOAD_MALFORMED}}},
    /* §5.5: no Quick Mode before Phase 1 is up. B drops it (an error on the
     * half-open SA, no answer: there is no key to protect one); A's MM3
     * copy then completes everything. */
    {.id = "RFC2409-5.5-quick-before-phase1", .covers = "RFC2409-5.5 K21",
     .what = "a Quick Mode message under B's half-open SA: dropped silently, Main Mode goes on",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, quick_junk, 0, 0),
                        RUN(60000)),
     .impair = MM3_LOST,
     .expect = {{.count_line = K19, .count = 1, ONE_EACH},
                {.absent = LINES("Send:<NOTFY>"), .count_line = "Start Phase 2: Quick Mode",
                 .count = 1, ONE_EACH}}},
    /* Phase 1 over: a late Phase 1 message is dropped (RFC 2408 §5), the
     * SAs stay. */
    {.id = "RFC2409-5-aggressive-under-main", .covers = "RFC2409-5 RFC2408-5.2",
     .what = "an Aggressive Mode message under the established Main Mode SA: silence",
     .actions = AFTER_UP(R_MM3_AS_AM),
     .expect = {{.nlogs = EXACTLY(13), ONE_EACH}, {.nlogs = EXACTLY(12), ONE_EACH}}},
    /* Under the half-open Main Mode SA it is the wrong exchange: B names it
     * (INVALID-EXCHANGE-TYPE, clear: no key yet) and A ends on it. */
    {.id = "RFC2409-5-aggressive-in-main", .covers = "RFC2409-5 RFC2408-5.2",
     .what = "an Aggressive Mode message in B's Main Mode exchange: INVALID-EXCHANGE-TYPE",
     .actions = AT_MM2(R_MM3_AS_AM), .impair = MM3_LOST,
     .expect = {{.in_order = LINES("Send:<KE><NONCE>", "Recv:<NOTFY>"), NONE_LEFT},
                {.in_order = LINES("Send:<SA>", "Send:<NOTFY>"), .ipsec_sas = EXACTLY(0),
                 .sends_notify = ISAKMP_N_INVALID_EXCHANGE_TYPE}}},
    {.id = "RFC2409-5-mm3-unknown-cookies", .covers = "RFC2409-5 RFC2408-5.2",
     .what = "MM3 first, under cookies nobody made: INVALID-COOKIE, B's SAs unharmed",
     .actions = AFTER_UP(R_MM3_STRANGER),
     .expect = {{.nlogs = EXACTLY(13), ONE_EACH},
                {.in_order = LINES("Recv:<HASH>", "Send:<NOTFY>"), .nlogs = EXACTLY(13),
                 ONE_EACH, .sends_notify = ISAKMP_N_INVALID_COOKIE}}},
    /* Under an established SA the answer is protected (HASH(1), §5.7). */
    {.id = "RFC2409-5-exchange-99-under-sa", .covers = "RFC2409-5 RFC2408-5.2",
     .what = "exchange type 99 under the established SA: protected INVALID-EXCHANGE-TYPE",
     .actions = AFTER_UP(R_MM3_XCHG99),
     .expect = {{.in_order = LINES("Recv:<HASH><NOTFY>"), ONE_EACH},
                {.in_order = LINES("Send:<HASH><NOTFY>"), ONE_EACH}},
     .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", ISAKMP_N_INVALID_EXCHANGE_TYPE})},
    /* Literally K11: another request with the same cookie while B's
     * exchange is under way. B answers with its MM2 and starts nothing new. */
    {.id = "RFC2409-5-mm1-same-cookie-other-body", .covers = "K11 RFC2409-5",
     .what = "a second MM1, same cookie, another body, during the exchange: K11, one SA",
     .actions = AT_MM2(R_MM1_OTHER), .impair = MM3_LOST,
     .expect = {{.count_line = K19, .count = 1, ONE_EACH},
                {.in_order = LINES("Send:<SA>", K11), .count_line = K11, .count = 1,
                 .absent = LINES("Recv:<SA><VID>"), ONE_EACH}},
     .wire = WIRE({SIDE_B, ISAKMP_XCHG_IDPROT, "<SA>", 0},
                  {SIDE_B, ISAKMP_XCHG_IDPROT, "<SA>", 0})},
};

const struct scenario_table rfc2409_cases = {cases, sizeof cases / sizeof cases[0]};
