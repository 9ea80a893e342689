/* Direction 2's cases for a peer that initiates (ikelab-conform
 * --initiator-of): side B, the peer under test, starts Main Mode + Quick
 * Mode and side A, our engine, answers; the runner mangles some of A's
 * answers on their way out. None of the 189 in-memory cases has side B
 * start, so these are a table of their own, played only against a real
 * peer (scenarios_initiator.c lists what each checks). */
#ifndef IKELAB_CONFORM_SCENARIOS_INITIATOR_H
#define IKELAB_CONFORM_SCENARIOS_INITIATOR_H

#include "scenario.h"

extern const struct scenario_table initiator_cases;

#endif
