/* The invariants every engine-driving fuzz target checks, beyond crashes.
 * A broken one aborts, so the fuzzing engine reports it like a crash and
 * the input lands in corpus/regressions/ like any other finding. */
#ifndef IKELAB_FUZZ_INVARIANTS_H
#define IKELAB_FUZZ_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"

/* Prints "<target>: invariant broken: <what>" and aborts. */
_Noreturn void invariant_broken(const char *target, const char *what);

/* An event keeps the engine's contract: a datagram it sends decodes with
 * our own codec, a log row is in the catalogue and renders (into line, when
 * line is not NULL), an IPsec SA it installs carries keys. */
void invariant_event(const char *target, const struct ike_event *ev, char *line,
                     size_t linelen);

/* The established IPsec SAs (the first 8), compared across a step that
 * must not touch them: one whose message failed authentication. */
struct sa_list {
  struct ike_ipsec_sa sa[8];
  size_t n;
};
void sa_list_take(const struct ike_engine *e, struct sa_list *l);
bool sa_list_same(const struct sa_list *a, const struct sa_list *b);

/* Delivers an exact-size copy of a datagram (exact_copy.h) to e. When it
 * is not authentic, the IPsec SAs must be the same afterwards and no SA
 * event may have come (*sa_events: counted by the target's sink, reset
 * here); otherwise the invariant is broken for target. */
void invariant_deliver(const char *target, struct ike_engine *e, uint64_t now,
                       struct ike_endpoint from, struct ike_endpoint to, const uint8_t *pkt,
                       size_t len, bool authentic, unsigned *sa_events);

#endif
