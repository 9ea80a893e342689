/* RFC 2408 §5 processing rules as negative cases, part 1: the ISAKMP header
 * (§5.2) and the generic payload header (§5.3). Each case asserts the
 * notify sent (or the deliberate silence), the state kept, and (through the
 * runner's recovery check) that nothing established is harmed. The
 * per-payload rules (§5.4-§5.15) are in scenarios_rfc2408_payloads.c.
 *
 * §5.2 lets a receiver answer each header fault with an Informational
 * (a MAY, by local policy). Without an SA the engine answers in the clear
 * and keeps no state; under an established SA it answers under that SA's
 * protection and counts the error against it (K21 only when the budget is
 * spent), never touching what is established. */
#include "builders.h"
#include "builders_rfc2408.h"
#include "ikelab/isakmp_types.h"
#include "scenario.h"
#include "tweaks.h"

enum {
  R_MINOR, R_XCHG_UNKNOWN, R_XCHG_BASE, R_FLAG_E, R_FLAG_C, R_FLAG_A, R_RCOOKIE, R_MSGID,
  R_LEN_SHORT, R_LEN_LONG, R_LEN_BELOW_HDR, R_TRUNC_HDR,
  R_STRANGER_QUICK, R_STRANGER_INFO,
  R_SA_JUNK, R_SA_MAJOR, R_SA_FLAGS, R_SA_XCHG, R_SA_NEXT, R_SA_MSGID_ZERO, R_SA_MSGID_NEW,
  R_SA_LEN,
  R_PL_NEXT, R_PL_RESERVED, R_PL_LEN_SMALL, R_PL_LEN_PAST, R_PL_LEN_SHORT, R_PL_TRAILING,
};

static const uint8_t some_rcookie[8] = {0x0b, 0xad, 0xc0, 0x0c, 0x1e, 0, 0, 7};

#define SEALED(x, id) .base = BASE_SEALED, .exchange = (x), .msgid = (id)

static const struct recipe recipes[] = {
    [R_MINOR] = {OVS({CRAFT_HDR_VERSION, 0, 0x11, NULL})},
    [R_XCHG_UNKNOWN] = {OVS({CRAFT_HDR_EXCHANGE, 0, 99, NULL})},
    [R_XCHG_BASE] = {OVS({CRAFT_HDR_EXCHANGE, 0, ISAKMP_XCHG_BASE, NULL})},
    [R_FLAG_E] = {OVS({CRAFT_HDR_FLAGS, 0, ISAKMP_FLAG_E, NULL})},
    [R_FLAG_C] = {OVS({CRAFT_HDR_FLAGS, 0, ISAKMP_FLAG_C, NULL})},
    [R_FLAG_A] = {OVS({CRAFT_HDR_FLAGS, 0, ISAKMP_FLAG_A, NULL})},
    [R_RCOOKIE] = {OVS({CRAFT_HDR_RCOOKIE, 0, 0, some_rcookie})},
    [R_MSGID] = {OVS({CRAFT_HDR_MSGID, 0, 1, NULL})},
    /* The datagram carries 8 bytes past what the header length says. */
    [R_LEN_SHORT] = {OVS({CRAFT_APPEND, 0, 8, NULL})},
    [R_LEN_LONG] = {OVS({CRAFT_HDR_LENGTH, 0, 4096, NULL})},
    [R_LEN_BELOW_HDR] = {OVS({CRAFT_HDR_LENGTH, 0, 20, NULL})},
    [R_TRUNC_HDR] = {OVS({CRAFT_TRUNCATE, 0, 20, NULL})},
    [R_STRANGER_QUICK] = {SEALED(ISAKMP_XCHG_QUICK, 9), .stranger = true},
    [R_STRANGER_INFO] = {SEALED(ISAKMP_XCHG_INFO, 9), .stranger = true},
    [R_SA_JUNK] = {SEALED(ISAKMP_XCHG_INFO, 0x1234)},
    [R_SA_MAJOR] = {SEALED(ISAKMP_XCHG_INFO, 0x1234), OVS({CRAFT_HDR_VERSION, 0, 0x20, NULL})},
    [R_SA_FLAGS] = {SEALED(ISAKMP_XCHG_INFO, 0x1234), OVS({CRAFT_HDR_FLAGS, 0, 0x41, NULL})},
    [R_SA_XCHG] = {SEALED(ISAKMP_XCHG_INFO, 0x1234), OVS({CRAFT_HDR_EXCHANGE, 0, 99, NULL})},
    [R_SA_NEXT] = {SEALED(ISAKMP_XCHG_INFO, 0x1234), OVS({CRAFT_HDR_NEXT, 0, 99, NULL})},
    [R_SA_MSGID_ZERO] = {SEALED(ISAKMP_XCHG_QUICK, 0)},
    [R_SA_MSGID_NEW] = {SEALED(ISAKMP_XCHG_QUICK, 0x4242)},
    [R_SA_LEN] = {SEALED(ISAKMP_XCHG_INFO, 0x1234), OVS({CRAFT_HDR_LENGTH, 0, 4096, NULL})},
    /* Aggressive Mode 1: SA, KE, NONCE, ID; payload 1 is the KE. */
    [R_PL_NEXT] = {OVS({CRAFT_PL_NEXT, 1, 99, NULL})},
    [R_PL_RESERVED] = {OVS({CRAFT_PL_RESERVED, 1, 1, NULL})},
    [R_PL_LEN_SMALL] = {OVS({CRAFT_PL_LENGTH, 1, 2, NULL})},
    [R_PL_LEN_PAST] = {OVS({CRAFT_PL_LENGTH, 3, 0xfff0, NULL})},
    /* The SA payload ends 8 bytes before its proposal does. */
    [R_PL_LEN_SHORT] = {.pl_index = 0, .pl_delta = -8},
    /* 8 bytes after the last payload, the header length counting them. */
    [R_PL_TRAILING] = {OVS({CRAFT_APPEND, 0, 8, NULL}), .fix_length = true},
};

static size_t crafted(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  return recipe_build(w, &recipes[act->offset], out, cap);
}


/* A first message refused for a header or payload fault: B answers with
 * the notify in the clear, logs only its Send line and keeps no state. */
#define REFUSED(r, notify)                                                                 \
  .actions = ACTIONS(INJECT(SIDE_B, crafted, r, 0), RUN(1000)),                            \
  .expect = {{0},                                                                          \
             {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1), .ike_sas = EXACTLY(0), \
              .ipsec_sas = EXACTLY(0), .sends_notify = (notify)}}

/* The same through the byte builder (first_with_byte). */
#define REFUSED_BYTE(off, val, notify)                                                     \
  .actions = ACTIONS(INJECT(SIDE_B, first_with_byte, off, val), RUN(1000)),                \
  .expect = {{0},                                                                          \
             {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1), .ike_sas = EXACTLY(0), \
              .ipsec_sas = EXACTLY(0), .sends_notify = (notify)}}

/* A first message whose flag the engine may ignore: the exchange it starts
 * completes, Quick Mode included. */
#define TOLERATED(r)                                                                       \
  .actions = ACTIONS(INJECT(SIDE_B, crafted, r, 0), RUN(60000)),                           \
  .expect = {{.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)},                      \
             {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Recv:<SA>",     \
                                "Phase 1 IKE SA process done"),                           \
              .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)}}

/* Phase 1 and Quick Mode up (12 lines on B, LOGS.md's responder trace),
 * then one message under B's IKE SA. */
#define UP_THEN(r) ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, crafted, r, 0), RUN(1000))

/* Refused under the SA: a protected notify, everything established stays. */
#define REFUSED_UNDER_SA(r, notify)                                                        \
  .actions = UP_THEN(r),                                                                   \
  .expect = {{.in_order = LINES("Phase 1 IKE SA process done", "Recv:<HASH><NOTFY>"),      \
              .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)},                      \
             {.in_order = LINES("Phase 1 IKE SA process done", "Send:<HASH><NOTFY>"),      \
              .nlogs = EXACTLY(13), .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)}}, \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", (notify)})

/* Dropped under the SA without a word: B logs nothing past its trace. */
#define SILENT_UNDER_SA(r)                                                                 \
  .actions = UP_THEN(r),                                                                   \
  .expect = {{.nlogs = EXACTLY(13), .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)}, \
             {.nlogs = EXACTLY(12), .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)}}

static const struct scenario cases[] = {
    /* ---- §5.2 on a first message: B has no state for it ---- */
    {.id = "RFC2408-5.2-major-version", .covers = "RFC2408-5.2",
     .what = "a first message with major version 2: INVALID-MAJOR-VERSION, no state",
     REFUSED_BYTE(17, 0x20, ISAKMP_N_INVALID_MAJOR_VERSION)},
    /* §3.1: a minor version above ours is never accepted. */
    {.id = "RFC2408-5.2-minor-version", .covers = "RFC2408-5.2",
     .what = "a first message with minor version 1: INVALID-MINOR-VERSION, no state",
     REFUSED(R_MINOR, ISAKMP_N_INVALID_MINOR_VERSION)},
    {.id = "RFC2408-5.2-exchange-unknown", .covers = "RFC2408-5.2",
     .what = "a first message of exchange type 99: INVALID-EXCHANGE-TYPE, no state",
     REFUSED(R_XCHG_UNKNOWN, ISAKMP_N_INVALID_EXCHANGE_TYPE)},
    {.id = "RFC2408-5.2-exchange-unsupported", .covers = "RFC2408-5.2",
     .what = "a first message of the Base exchange (defined, not ours): INVALID-EXCHANGE-TYPE",
     REFUSED(R_XCHG_BASE, ISAKMP_N_INVALID_EXCHANGE_TYPE)},
    {.id = "RFC2408-5.2-flags", .covers = "RFC2408-5.2",
     .what = "a first message with an undefined flag bit: INVALID-FLAGS, no state",
     REFUSED_BYTE(19, 0x10, ISAKMP_N_INVALID_FLAGS)},
    /* No key exists yet to decrypt it with: the flag, not the cookie, is wrong. */
    {.id = "RFC2408-5.2-flag-e-first", .covers = "RFC2408-5.2",
     .what = "a first message with the E flag: INVALID-FLAGS, no state",
     REFUSED(R_FLAG_E, ISAKMP_N_INVALID_FLAGS)},
    {.id = "RFC2408-5.2-flag-c-first", .covers = "RFC2408-5.2",
     .what = "a first message with the Commit flag: ignored (IKE needs no commit), SA comes up",
     TOLERATED(R_FLAG_C)},
    {.id = "RFC2408-5.2-flag-a-first", .covers = "RFC2408-5.2",
     .what = "a first message with the Authentication-Only flag: ignored, SA comes up",
     TOLERATED(R_FLAG_A)},
    {.id = "RFC2408-5.2-next-payload", .covers = "RFC2408-5.2",
     .what = "a first message with next payload 99: INVALID-PAYLOAD-TYPE, no state",
     REFUSED_BYTE(16, 99, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    /* Silence: a zero cookie cannot be answered under any cookie pair. */
    {.id = "RFC2408-5.2-zero-icookie", .covers = "RFC2408-5.2",
     .what = "a first message with a zero initiator cookie: silence, no state",
     .actions = ACTIONS(INJECT(SIDE_B, first_zero_icookie, 0, 0), RUN(1000)),
     .expect = {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)}}},
    /* INVALID-COOKIE is a MAY of §5.2; the engine sends it. */
    {.id = "RFC2408-5.2-rcookie-first", .covers = "RFC2408-5.2",
     .what = "a Main Mode 1 naming a responder cookie B never made: INVALID-COOKIE, no state",
     REFUSED(R_RCOOKIE, ISAKMP_N_INVALID_COOKIE)},
    {.id = "RFC2408-5.2-cookies-unknown", .covers = "RFC2408-5.2",
     .what = "a Quick Mode under a cookie pair B never made: INVALID-COOKIE (a MAY), no state",
     REFUSED(R_STRANGER_QUICK, ISAKMP_N_INVALID_COOKIE)},
    /* Silence: answering an Informational with one invites a notify loop. */
    {.id = "RFC2408-5.2-cookies-unknown-info", .covers = "RFC2408-5.2",
     .what = "an Informational under a cookie pair B never made: silence, no state",
     .actions = ACTIONS(INJECT(SIDE_B, crafted, R_STRANGER_INFO, 0), RUN(1000)),
     .expect = {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0)}}},
    {.id = "RFC2408-5.2-msgid-phase1", .covers = "RFC2408-5.2",
     .what = "a Main Mode 1 with message ID 1: INVALID-MESSAGE-ID, no state",
     REFUSED(R_MSGID, ISAKMP_N_INVALID_MESSAGE_ID)},
    {.id = "RFC2408-5.2-length-short", .covers = "RFC2408-5.2",
     .what = "header length 8 bytes short of the datagram: UNEQUAL-PAYLOAD-LENGTHS, no state",
     REFUSED(R_LEN_SHORT, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS)},
    {.id = "RFC2408-5.2-length-long", .covers = "RFC2408-5.2",
     .what = "header length 4096 on a short datagram: UNEQUAL-PAYLOAD-LENGTHS, no state",
     REFUSED(R_LEN_LONG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS)},
    {.id = "RFC2408-5.2-length-below-header", .covers = "RFC2408-5.2",
     .what = "header length 20, smaller than a header: UNEQUAL-PAYLOAD-LENGTHS, no state",
     REFUSED(R_LEN_BELOW_HDR, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS)},
    {.id = "RFC2408-5.2-truncated-header", .covers = "RFC2408-5.2",
     .what = "a 20-byte datagram (less than a header): PAYLOAD-MALFORMED, no state",
     REFUSED(R_TRUNC_HDR, ISAKMP_N_PAYLOAD_MALFORMED)},

    /* ---- §5.2 under an established IKE SA ---- */
    /* The baseline: a header that passes and a body that does not open. */
    {.id = "RFC2408-5.2-sa-junk-info", .covers = "RFC2408-5.2 RFC2408-5.1",
     .what = "an Informational under the SA whose body does not decrypt: silence, SA kept",
     SILENT_UNDER_SA(R_SA_JUNK)},
    {.id = "RFC2408-5.2-sa-major-version", .covers = "RFC2408-5.2",
     .what = "major version 2 under the SA: protected INVALID-MAJOR-VERSION, SAs kept",
     REFUSED_UNDER_SA(R_SA_MAJOR, ISAKMP_N_INVALID_MAJOR_VERSION)},
    {.id = "RFC2408-5.2-sa-flags", .covers = "RFC2408-5.2",
     .what = "an undefined flag bit under the SA: protected INVALID-FLAGS, SAs kept",
     REFUSED_UNDER_SA(R_SA_FLAGS, ISAKMP_N_INVALID_FLAGS)},
    {.id = "RFC2408-5.2-sa-exchange", .covers = "RFC2408-5.2",
     .what = "exchange type 99 under the SA: protected INVALID-EXCHANGE-TYPE, SAs kept",
     REFUSED_UNDER_SA(R_SA_XCHG, ISAKMP_N_INVALID_EXCHANGE_TYPE)},
    {.id = "RFC2408-5.2-sa-next-payload", .covers = "RFC2408-5.2",
     .what = "next payload 99 under the SA: protected INVALID-PAYLOAD-TYPE, SAs kept",
     REFUSED_UNDER_SA(R_SA_NEXT, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {.id = "RFC2408-5.2-sa-msgid-zero", .covers = "RFC2408-5.2",
     .what = "a Quick Mode with message ID 0 under the SA: protected INVALID-MESSAGE-ID",
     REFUSED_UNDER_SA(R_SA_MSGID_ZERO, ISAKMP_N_INVALID_MESSAGE_ID)},
    /* An unknown M-ID starts a Quick Mode; this one does not decrypt. */
    {.id = "RFC2408-5.2-sa-msgid-unknown", .covers = "RFC2408-5.2",
     .what = "a Quick Mode with an M-ID no exchange uses, junk body: PAYLOAD-MALFORMED",
     REFUSED_UNDER_SA(R_SA_MSGID_NEW, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.2-sa-length", .covers = "RFC2408-5.2",
     .what = "header length 4096 under the SA: protected UNEQUAL-PAYLOAD-LENGTHS, SAs kept",
     REFUSED_UNDER_SA(R_SA_LEN, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS)},

    /* ---- §5.3 generic payload header, on Aggressive Mode 1 ---- */
    {.id = "RFC2408-5.3-next-payload", .covers = "RFC2408-5.3",
     .what = "the KE's next payload is 99, mid-chain: INVALID-PAYLOAD-TYPE, no state",
     .tweak = tweak_aggressive, REFUSED(R_PL_NEXT, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {.id = "RFC2408-5.3-reserved", .covers = "RFC2408-5.3",
     .what = "the KE's RESERVED byte is 1: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_PL_RESERVED, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.3-length-small", .covers = "RFC2408-5.3",
     .what = "the KE's length is 2, below a generic header: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_PL_LEN_SMALL, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.3-length-past-end", .covers = "RFC2408-5.3",
     .what = "the last payload's length runs past the datagram: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_PL_LEN_PAST, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.3-length-inside", .covers = "RFC2408-5.3",
     .what = "the SA payload ends inside its own proposal: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_PL_LEN_SHORT, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.3-trailing", .covers = "RFC2408-5.3",
     .what = "8 bytes after the last payload, counted by the header: UNEQUAL-PAYLOAD-LENGTHS",
     .tweak = tweak_aggressive, REFUSED(R_PL_TRAILING, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS)},
};

const struct scenario_table rfc2408_cases = {cases, sizeof cases / sizeof cases[0]};
