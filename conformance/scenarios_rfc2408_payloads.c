/* RFC 2408 §5 processing rules as negative cases, part 2: each payload
 * type's own checks (§5.4-§5.15). A fault in a first message is answered
 * in the clear with the notify the section names and leaves no state; a
 * fault in a later clear message is counted against the half-open SA and
 * the genuine retransmission still completes the exchange. Payloads a PSK
 * engine does not use (CERT, SIG, Vendor IDs it does not know) are
 * ignored when well formed and refused when not. */
#include "builders_rfc2408.h"
#include "ikelab/isakmp_types.h"
#include "scenario.h"
#include "tweaks.h"

enum {
  R_DOI, R_SITUATION, R_PROTOCOL, R_SPI_SIZE, R_NXF_MORE, R_NXF_ZERO, R_XFORM_ID, R_ATTR_ZERO,
  R_ATTR_VALUE, R_KE_SHORT, R_KE_EMPTY, R_KE_MM3, R_ID_TYPE, R_ID_SHORT, R_CERT_BAD, R_CR_BAD,
  R_CERT, R_HASH_FLIP, R_HASH_SHORT, R_SIG_EMPTY, R_SIG, R_NONCE_SHORT, R_NONCE_LONG,
  R_NONCE_MM3, R_N_DOI, R_N_PROTOCOL, R_N_SPI, R_N_TYPE, R_N_DOI_STRANGER, R_D_SPI_SIZE,
  R_D_NONE, R_D_CLEAR, R_VID,
};

/* Main Mode 3 (A's KE and nonce), dropped by the wire on its way. */
#define MM3 .base = BASE_WIRE, .packet = 3
/* Aggressive Mode 2 (B's SA, KE, nonce, ID and HASH_R), dropped likewise. */
#define AM2 .base = BASE_WIRE, .packet = 2
#define NOTIFY .base = BASE_NOTIFY, .notify = ISAKMP_N_INITIAL_CONTACT

static const struct recipe recipes[] = {
    [R_DOI] = {OVS({CRAFT_SA_DOI, 0, 2, NULL})},
    [R_SITUATION] = {OVS({CRAFT_SA_SITUATION, 0, ISAKMP_SIT_SECRECY, NULL})},
    [R_PROTOCOL] = {OVS({CRAFT_PROP_PROTOCOL, 0, 9, NULL})},
    [R_SPI_SIZE] = {OVS({CRAFT_PROP_SPI_SIZE, 0, 4, NULL})},
    [R_NXF_MORE] = {OVS({CRAFT_PROP_NTRANSFORMS, 0, 9, NULL})},
    [R_NXF_ZERO] = {OVS({CRAFT_PROP_NTRANSFORMS, 0, 0, NULL})},
    [R_XFORM_ID] = {OVS({CRAFT_XFORM_ID, 0, 2, NULL})},
    [R_ATTR_ZERO] = {OVS({CRAFT_ATTR_TYPE, 0, ISAKMP_ATTR_AF, NULL})},
    /* Attribute 0 is the encryption algorithm; 99 names none. */
    [R_ATTR_VALUE] = {OVS({CRAFT_ATTR_VALUE, 0, 99, NULL})},
    [R_KE_SHORT] = {.edit = edit_ke_short},
    [R_KE_EMPTY] = {.edit = edit_ke_empty},
    [R_KE_MM3] = {MM3, .edit = edit_ke_short},
    [R_ID_TYPE] = {OVS({CRAFT_ID_TYPE, 3, 99, NULL})},
    [R_ID_SHORT] = {.edit = edit_id_ipv4_short},
    [R_CERT_BAD] = {.edit = edit_add_cert_bad},
    [R_CR_BAD] = {.edit = edit_add_cr_bad},
    [R_CERT] = {.edit = edit_add_cert},
    [R_HASH_FLIP] = {AM2, .edit = edit_hash_flip},
    [R_HASH_SHORT] = {AM2, .edit = edit_hash_short},
    [R_SIG_EMPTY] = {.edit = edit_add_sig_empty},
    [R_SIG] = {.edit = edit_add_sig},
    [R_NONCE_SHORT] = {.edit = edit_nonce_short},
    [R_NONCE_LONG] = {.edit = edit_nonce_long},
    [R_NONCE_MM3] = {MM3, .edit = edit_nonce_short},
    [R_N_DOI] = {NOTIFY, OVS({CRAFT_NOTIFY_DOI, 0, 7, NULL})},
    [R_N_PROTOCOL] = {NOTIFY, OVS({CRAFT_NOTIFY_PROTOCOL, 0, 9, NULL})},
    [R_N_SPI] = {NOTIFY, OVS({CRAFT_NOTIFY_SPI_SIZE, 0, 3, NULL})},
    /* 5000 lies in the range RFC 2408 §3.14.1 reserves: no such error. */
    [R_N_TYPE] = {NOTIFY, OVS({CRAFT_NOTIFY_TYPE, 0, 5000, NULL})},
    [R_N_DOI_STRANGER] = {NOTIFY, .stranger = true, OVS({CRAFT_NOTIFY_DOI, 0, 7, NULL})},
    [R_D_SPI_SIZE] = {.base = BASE_DELETE, OVS({CRAFT_DELETE_SPI_SIZE, 0, 4, NULL})},
    [R_D_NONE] = {.base = BASE_DELETE, OVS({CRAFT_DELETE_NSPIS, 0, 0, NULL})},
    [R_D_CLEAR] = {.base = BASE_DELETE},
    [R_VID] = {.edit = edit_add_vid},
};

static size_t crafted(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  return recipe_build(w, &recipes[act->offset], out, cap);
}


static void sha2_512(struct ike_config *a, struct ike_config *b)
{
  a->rules[0].p1[0].hash = b->rules[0].p1[0].hash = OAKLEY_HASH_SHA2_512;
}

/* A first message the decoder refuses: the notify in the clear, only the
 * Send line, no state. */
#define REFUSED(r, notify)                                                                 \
  .actions = ACTIONS(INJECT(SIDE_B, crafted, r, 0), RUN(1000)),                            \
  .expect = {{0},                                                                          \
             {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1), .ike_sas = EXACTLY(0), \
              .ipsec_sas = EXACTLY(0), .sends_notify = (notify)}}

/* A first message that decodes but cannot be used: B reads it (its Recv
 * lines), refuses it with the notify, and keeps no state. */
#define UNUSABLE(r, recv, notify, ...)                                                    \
  .actions = ACTIONS(INJECT(SIDE_B, crafted, r, 0), RUN(1000)),                            \
  .expect = {{0},                                                                          \
             {.in_order = LINES(recv, __VA_ARGS__, "Send:<NOTFY>"), .ike_sas = EXACTLY(0), \
              .ipsec_sas = EXACTLY(0), .sends_notify = (notify)}}

/* A first message carrying a payload the engine does not use: ignored,
 * the exchange completes with Quick Mode. */
#define IGNORED(r, recv)                                                                   \
  .actions = ACTIONS(INJECT(SIDE_B, crafted, r, 0), RUN(60000)),                           \
  .expect = {{.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)},                      \
             {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", recv,            \
                                "Phase 1 IKE SA process done"),                           \
              .ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)}}

/* Main Mode 3 is dropped, so B holds a half-open SA; the case's message
 * arrives then, and A's own retransmission of Main Mode 3 (10 s later)
 * must still complete the exchange: B answered nothing. */
#define HALF_OPEN_SILENT(r)                                                                \
  .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, crafted, r, 0),         \
                     RUN(60000)),                                                          \
  .impair = IMPAIR({IMP_DROP, 3, 0}),                                                      \
  .expect = {{.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(1)},                      \
             {.in_order = LINES("Send:<SA>", "Phase 1 IKE SA process done"),              \
              .absent = LINES("Send:<NOTFY>"), .ike_established = EXACTLY(1),              \
              .ipsec_sas = EXACTLY(1)}}

static const struct scenario cases[] = {
    /* ---- §5.4 SA ---- */
    {.id = "RFC2408-5.4-doi", .covers = "RFC2408-5.4",
     .what = "Main Mode 1 with SA DOI 2: DOI-NOT-SUPPORTED, no state",
     REFUSED(R_DOI, ISAKMP_N_DOI_NOT_SUPPORTED)},
    {.id = "RFC2408-5.4-situation", .covers = "RFC2408-5.4",
     .what = "Main Mode 1 with situation SIT_SECRECY: SITUATION-NOT-SUPPORTED, no state",
     REFUSED(R_SITUATION, ISAKMP_N_SITUATION_NOT_SUPPORTED)},
    /* ---- §5.5 Proposal ---- */
    {.id = "RFC2408-5.5-protocol", .covers = "RFC2408-5.5",
     .what = "a proposal of protocol 9: INVALID-PROTOCOL-ID, no state",
     REFUSED(R_PROTOCOL, ISAKMP_N_INVALID_PROTOCOL_ID)},
    {.id = "RFC2408-5.5-spi-size", .covers = "RFC2408-5.5",
     .what = "a PROTO_ISAKMP proposal with a 4-byte SPI: INVALID-SPI, no state",
     REFUSED(R_SPI_SIZE, ISAKMP_N_INVALID_SPI)},
    {.id = "RFC2408-5.5-transforms-missing", .covers = "RFC2408-5.5",
     .what = "a proposal declaring 9 transforms, carrying 1: BAD-PROPOSAL-SYNTAX, no state",
     REFUSED(R_NXF_MORE, ISAKMP_N_BAD_PROPOSAL_SYNTAX)},
    {.id = "RFC2408-5.5-transforms-zero", .covers = "RFC2408-5.5",
     .what = "a proposal declaring no transform: BAD-PROPOSAL-SYNTAX, no state",
     REFUSED(R_NXF_ZERO, ISAKMP_N_BAD_PROPOSAL_SYNTAX)},
    /* ---- §5.6 Transform ---- */
    {.id = "RFC2408-5.6-transform-id", .covers = "RFC2408-5.6",
     .what = "a PROTO_ISAKMP transform of ID 2 (not KEY_IKE): INVALID-TRANSFORM-ID, no state",
     REFUSED(R_XFORM_ID, ISAKMP_N_INVALID_TRANSFORM_ID)},
    {.id = "RFC2408-5.6-attribute-type", .covers = "RFC2408-5.6",
     .what = "an attribute of the reserved type 0: ATTRIBUTES-NOT-SUPPORTED, no state",
     REFUSED(R_ATTR_ZERO, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED)},
    {.id = "RFC2408-5.6-attribute-value", .covers = "RFC2408-5.6 K12",
     .what = "encryption algorithm 99 offered: K12 and NO-PROPOSAL-CHOSEN, no state",
     UNUSABLE(R_ATTR_VALUE, "Recv Main Mode request from <10.0.0.1>",
              ISAKMP_N_NO_PROPOSAL_CHOSEN, "Recv:<SA>", "!! No proposal chosen")},
    /* ---- §5.7 Key Exchange ---- */
    {.id = "RFC2408-5.7-ke-length", .covers = "RFC2408-5.7",
     .what = "Aggressive Mode 1 with a 64-byte KE for MODP1024: INVALID-KEY-INFORMATION",
     .tweak = tweak_aggressive,
     UNUSABLE(R_KE_SHORT, "Recv Aggressive Mode request from <10.0.0.1>",
              ISAKMP_N_INVALID_KEY_INFORMATION, "Recv:<SA><KE><NONCE><ID>")},
    {.id = "RFC2408-5.7-ke-empty", .covers = "RFC2408-5.7",
     .what = "Aggressive Mode 1 with an empty KE: INVALID-KEY-INFORMATION, no state",
     .tweak = tweak_aggressive, REFUSED(R_KE_EMPTY, ISAKMP_N_INVALID_KEY_INFORMATION)},
    /* Counted, answered, not fatal: the half-open SA waits for a good copy. */
    {.id = "RFC2408-5.7-ke-mm3", .covers = "RFC2408-5.7",
     .what = "Main Mode 3 with a 64-byte KE: INVALID-KEY-INFORMATION, half-open SA kept",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, crafted, R_KE_MM3, 0),
                        RUN(1000)),
     .impair = IMPAIR({IMP_DROP, 3, 0}),
     .expect = {{0},
                {.in_order = LINES("Send:<SA>", "Send:<NOTFY>"), .ike_sas = EXACTLY(1),
                 .ike_established = EXACTLY(0), .sends_notify = ISAKMP_N_INVALID_KEY_INFORMATION}}},
    /* ---- §5.8 Identification ---- */
    {.id = "RFC2408-5.8-id-type", .covers = "RFC2408-5.8",
     .what = "Aggressive Mode 1 with ID type 99: INVALID-ID-INFORMATION, no state",
     .tweak = tweak_aggressive, REFUSED(R_ID_TYPE, ISAKMP_N_INVALID_ID_INFORMATION)},
    {.id = "RFC2408-5.8-id-length", .covers = "RFC2408-5.8",
     .what = "Aggressive Mode 1 with a 3-byte ID_IPV4_ADDR: INVALID-ID-INFORMATION, no state",
     .tweak = tweak_aggressive, REFUSED(R_ID_SHORT, ISAKMP_N_INVALID_ID_INFORMATION)},
    /* ---- §5.9 Certificate, §5.10 Certificate Request ---- */
    {.id = "RFC2408-5.9-cert-encoding", .covers = "RFC2408-5.9",
     .what = "Main Mode 1 with a CERT of encoding 99: INVALID-CERT-ENCODING, no state",
     REFUSED(R_CERT_BAD, ISAKMP_N_INVALID_CERT_ENCODING)},
    {.id = "RFC2408-5.9-cert-ignored", .covers = "RFC2408-5.9",
     .what = "Main Mode 1 with an X.509 CERT (PSK rule): ignored, the SA comes up",
     IGNORED(R_CERT, "Recv:<SA><CER>")},
    {.id = "RFC2408-5.10-cr-type", .covers = "RFC2408-5.10",
     .what = "Main Mode 1 with a CR of type 99: CERT-TYPE-UNSUPPORTED, no state",
     REFUSED(R_CR_BAD, ISAKMP_N_CERT_TYPE_UNSUPPORTED)},
    /* ---- §5.11 Hash ---- */
    {.id = "RFC2408-5.11-hash-value", .covers = "RFC2408-5.11",
     .what = "Aggressive Mode 2 with one HASH_R byte changed: A says AUTHENTICATION-FAILED",
     .tweak = tweak_aggressive,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_A, crafted, R_HASH_FLIP, 0),
                        RUN(1000)),
     .impair = IMPAIR({IMP_DROP, 2, 0}),
     .expect = {{.in_order = LINES("Send:<SA><KE><NONCE><ID>", "Send:<NOTFY>"),
                 .absent = LINES("Phase 1 IKE SA process done"), .ike_established = EXACTLY(0),
                 .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED},
                {.ike_established = EXACTLY(0)}}},
    {.id = "RFC2408-5.11-hash-length", .covers = "RFC2408-5.11",
     .what = "Aggressive Mode 2 with a 12-byte HASH_R: A says AUTHENTICATION-FAILED",
     .tweak = tweak_aggressive,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_A, crafted, R_HASH_SHORT, 0),
                        RUN(1000)),
     .impair = IMPAIR({IMP_DROP, 2, 0}),
     .expect = {{.in_order = LINES("Send:<SA><KE><NONCE><ID>", "Send:<NOTFY>"),
                 .absent = LINES("Phase 1 IKE SA process done"), .ike_established = EXACTLY(0),
                 .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED},
                {.ike_established = EXACTLY(0)}}},
    /* SHA2-512: HASH(1) spans cipher blocks 0-4, so a flip in block 1 of
     * Quick Mode 1 (delivery 7) garbles only HASH bytes. */
    {.id = "RFC2408-5.11-quick-hash", .covers = "RFC2408-5.11",
     .what = "Quick Mode 1 whose HASH(1) is garbled: protected INVALID-HASH-INFORMATION",
     .tweak = sha2_512,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000)),
     .impair = IMPAIR({IMP_FLIP, 7, 28 + 16}),
     .expect = {{.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Phase 1 IKE SA process done", "Send:<HASH><NOTFY>"),
                 .absent = LINES("Start Phase 2: Quick Mode"), .ike_established = EXACTLY(1),
                 .ipsec_sas = EXACTLY(0)}},
     .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>",
                   ISAKMP_N_INVALID_HASH_INFORMATION})},
    /* ---- §5.12 Signature ---- */
    {.id = "RFC2408-5.12-sig-empty", .covers = "RFC2408-5.12",
     .what = "Main Mode 1 with an empty SIG: INVALID-SIGNATURE, no state",
     REFUSED(R_SIG_EMPTY, ISAKMP_N_INVALID_SIGNATURE)},
    {.id = "RFC2408-5.12-sig-ignored", .covers = "RFC2408-5.12",
     .what = "Main Mode 1 with a SIG (PSK rule): ignored, the SA comes up",
     IGNORED(R_SIG, "Recv:<SA><SIG>")},
    /* ---- §5.13 Nonce (RFC 2409 §5: 8 to 256 bytes) ---- */
    {.id = "RFC2408-5.13-nonce-short", .covers = "RFC2408-5.13 RFC2409-5",
     .what = "Aggressive Mode 1 with a 4-byte nonce: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_NONCE_SHORT, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "RFC2408-5.13-nonce-long", .covers = "RFC2408-5.13 RFC2409-5",
     .what = "Aggressive Mode 1 with a 300-byte nonce: PAYLOAD-MALFORMED, no state",
     .tweak = tweak_aggressive, REFUSED(R_NONCE_LONG, ISAKMP_N_PAYLOAD_MALFORMED)},
    /* Unauthenticated and undecodable: silence; the real MM3 completes. */
    {.id = "RFC2408-5.13-nonce-mm3", .covers = "RFC2408-5.13 RFC2409-5",
     .what = "a Main Mode 3 copy with a 4-byte nonce: silence, the real one completes",
     HALF_OPEN_SILENT(R_NONCE_MM3)},
    /* ---- §5.14 Notification: only logged, never answered ---- */
    {.id = "RFC2408-5.14-doi", .covers = "RFC2408-5.14",
     .what = "a clear Notify of DOI 7 under the half-open SA: silence, the exchange completes",
     HALF_OPEN_SILENT(R_N_DOI)},
    {.id = "RFC2408-5.14-protocol", .covers = "RFC2408-5.14",
     .what = "a clear Notify of protocol 9 under the half-open SA: silence, exchange completes",
     HALF_OPEN_SILENT(R_N_PROTOCOL)},
    {.id = "RFC2408-5.14-spi-size", .covers = "RFC2408-5.14",
     .what = "a clear Notify with a 3-byte ISAKMP SPI, half-open SA: silence, it completes",
     HALF_OPEN_SILENT(R_N_SPI)},
    {.id = "RFC2408-5.14-type-undefined", .covers = "RFC2408-5.14",
     .what = "a clear Notify of undefined type 5000, half-open SA: discarded, it completes",
     HALF_OPEN_SILENT(R_N_TYPE)},
    {.id = "RFC2408-5.14-no-sa", .covers = "RFC2408-5.14",
     .what = "a clear Notify of DOI 7 under unknown cookies: silence, no state",
     .actions = ACTIONS(INJECT(SIDE_B, crafted, R_N_DOI_STRANGER, 0), RUN(1000)),
     .expect = {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0)}}},
    /* ---- §5.15 Delete: only logged, never answered ---- */
    {.id = "RFC2408-5.15-spi-size", .covers = "RFC2408-5.15",
     .what = "a clear Delete with a 4-byte ISAKMP SPI, half-open SA: silence, it completes",
     HALF_OPEN_SILENT(R_D_SPI_SIZE)},
    {.id = "RFC2408-5.15-no-spi", .covers = "RFC2408-5.15",
     .what = "a clear Delete listing no SPI, half-open SA: silence, the exchange completes",
     HALF_OPEN_SILENT(R_D_NONE)},
    /* RFC 2409 §5.7: a Delete must be protected; this one is not. */
    {.id = "RFC2408-5.15-unprotected", .covers = "RFC2408-5.15 RFC2409-5.7",
     .what = "a clear Delete naming the established IKE SA: ignored, nothing goes down",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT(SIDE_B, crafted, R_D_CLEAR, 0),
                        RUN(1000)),
     .expect = {{.nlogs = EXACTLY(13), .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)},
                {.nlogs = EXACTLY(12), .ike_established = EXACTLY(1), .ipsec_up = EXACTLY(1)}}},
    /* ---- Vendor ID (§3.16): an unknown one is ignored ---- */
    {.id = "RFC2408-3.16-vid-unknown", .covers = "RFC2408-3.16",
     .what = "Main Mode 1 with a Vendor ID nobody knows: ignored, the SA comes up",
     IGNORED(R_VID, "Recv:<SA><VID>")},
};

const struct scenario_table rfc2408_payload_cases = {cases, sizeof cases / sizeof cases[0]};
