/* The invariants every engine-driving fuzz target checks, beyond crashes.
 * A broken one aborts, so the fuzzing engine reports it like a crash and
 * the input lands in corpus/regressions/ like any other finding. */
#ifndef IKELAB_FUZZ_INVARIANTS_H
#define IKELAB_FUZZ_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
