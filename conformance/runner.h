/* Runs one scenario on a fresh two-engine network. */
#ifndef IKELAB_CONFORM_RUNNER_H
#define IKELAB_CONFORM_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"

/* Returns true when every expectation holds. On failure why holds one line
 * per broken expectation, and (when out is set) the details are printed. */
bool run_scenario(const struct scenario *sc, FILE *out, char *why, size_t whylen);
/* Whether the case names this row (a whole token of its covers list). */
bool scenario_covers(const struct scenario *sc, const char *row);

#endif
