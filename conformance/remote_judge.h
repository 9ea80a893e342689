/* Direction 2's judgement of one played case (remote_runner.c plays it):
 * the peer's answers to the case's probe (the first crafted datagram) are
 * classified (the exchange went on, a notify, sealed, undecodable) and held
 * against what the RFC section the case covers requires; side A's SA
 * counts against the case's expectations; the peer's own datagrams
 * against the case's wire list. Differences the RFC does not require are
 * notes in res->detail; departures make the verdict DEVIATION. */
#ifndef IKELAB_CONFORM_REMOTE_JUDGE_H
#define IKELAB_CONFORM_REMOTE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "remote_runner.h"
#include "world.h"

/* What the sections the case covers require, one sentence each. */
void remote_describe_sections(const struct scenario *sc, char *out, size_t len);

/* probe: the trace entry of the case's first crafted datagram (-1: none);
 * ntrace: the entries before the "SA still usable" check; sa_before: side
 * A held an established SA when the probe went out. Leaves res->verdict
 * alone unless it finds a deviation. */
void remote_judge(const struct scenario *sc, const struct world *w, long probe, size_t ntrace,
                  bool sa_before, bool initiator_of, struct remote_result *res);

#endif
