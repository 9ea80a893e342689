/* Runs one scenario in a fresh world (world.h). */
#ifndef IKELAB_CONFORM_RUNNER_H
#define IKELAB_CONFORM_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"
#include "world.h"

struct run_options {
  FILE *details;          /* a failure's side-by-side lines and wire, or NULL */
  const char *pcap_dir;   /* write <id>.pcap and <id>.clear.pcap here, or NULL */
};

/* Returns true when every expectation and the recovery check hold. On
 * failure why holds one line per broken expectation. */
bool run_scenario(const struct scenario *sc, const struct run_options *opt, char *why,
                  size_t whylen);
/* Carries out one action in w (the in-memory or the remote world); false
 * when it could not be (a builder made no packet, nothing to replay). */
bool runner_do_action(struct world *w, const struct action *act);
/* Whether the case names this row (a whole token of its covers list). */
bool scenario_covers(const struct scenario *sc, const char *row);
/* Whether a token of its covers list starts with prefix ("RFC2408-5."). */
bool scenario_covers_prefix(const struct scenario *sc, const char *prefix);
/* The configs every case starts from before its tweak: rule 1 between
 * 10.0.0.1 and 10.0.0.2, AES-128/SHA1/MODP1024 and ESP AES-128/SHA1
 * tunnel, Main Mode. */
void scenario_default_configs(struct ike_config *a, struct ike_config *b);

#endif
