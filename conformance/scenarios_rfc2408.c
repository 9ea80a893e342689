/* RFC 2408 §5 processing rules as negative cases: each asserts the notify
 * sent (or the deliberate silence), that no state is kept, and (through the
 * runner's recovery check) that nothing established is harmed. */
#include "builders.h"
#include "ikelab/isakmp_types.h"
#include "scenario.h"

/* A first message the decoder refuses: the responder answers with the
 * notify, logs only its Send line and keeps no state (RFC 2408 §5.2). */
#define REFUSED_MM1(off, val, notify)                                                    \
  .actions = ACTIONS(INJECT(SIDE_B, first_with_byte, off, val), RUN(1000)),                     \
  .expect = {{0}, {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1),               \
                   .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0), .sends_notify = notify}}

static const struct scenario cases[] = {
    {.id = "RFC2408-5.2-major-version", .covers = "RFC2408-5.2", .what = "a first message with major version 2", .tweak = NULL, REFUSED_MM1(17, 0x20, ISAKMP_N_INVALID_MAJOR_VERSION)},
    {.id = "RFC2408-5.2-flags", .covers = "RFC2408-5.2", .what = "a first message with an undefined flag bit", .tweak = NULL, REFUSED_MM1(19, 0x10, ISAKMP_N_INVALID_FLAGS)},
    {.id = "RFC2408-5.2-next-payload", .covers = "RFC2408-5.2", .what = "a first message with next payload 99", .tweak = NULL, REFUSED_MM1(16, 99, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {.id = "RFC2408-5.2-zero-icookie", .covers = "RFC2408-5.2", .what = "a first message with a zero initiator cookie: silence, no state", .tweak = NULL, ACTIONS(INJECT(SIDE_B, first_zero_icookie, 0, 0), RUN(1000)),
     {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0)}}},
};

const struct scenario_table rfc2408_cases = {cases, sizeof cases / sizeof cases[0]};
