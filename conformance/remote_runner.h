/* Direction 2: a conformance case played by side A (our engine, the
 * scripted peer) against a real IKEv1 implementation as side B. Which
 * cases can be played, and the verdict: PASS, FAIL (the peer is unusable
 * afterwards, or the case could not be carried out), DEVIATION (the peer's
 * answer departs from what the RFC section the case covers requires) or
 * N/A (the case needs what this peer or its profile cannot give). */
#ifndef IKELAB_CONFORM_REMOTE_RUNNER_H
#define IKELAB_CONFORM_REMOTE_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "remote.h"
#include "scenario.h"

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_DEVIATION, VERDICT_NA };

/* What the runner may do with the peer. */
struct remote_peer {
  struct remote_link *link;
  const char *psk;
  bool can_aggressive;   /* a profile can switch the peer to Aggressive Mode */
  bool initiator_of;     /* the peer initiates (B-triggered cases) */
  /* Switches the peer's config to Main (false) or Aggressive (true) Mode;
   * NULL without a profile. False when it failed (why filled). */
  bool (*set_mode)(void *ctx, bool aggressive, char *why, size_t whylen);
  /* The peer starts rule 1 towards us (--initiator-of); NULL: wait for it. */
  bool (*initiate)(void *ctx, char *why, size_t whylen);
  /* After each --initiator-of case: the peer drops its SAs with us; NULL
   * when our Deletes are enough. */
  bool (*reset)(void *ctx, char *why, size_t whylen);
  void *ctx;
  unsigned quiet_ms;
};

struct remote_result {
  enum verdict verdict;
  char rfc[240];         /* what the covered section requires (DEVIATION, N/A reason) */
  char detail[1024];     /* why this verdict: each broken expectation */
  char answers[768];     /* the peer's answers to the probe, decoded */
  double secs;
};

const char *verdict_name(enum verdict v);

/* The remote defaults: scenario_default_configs() with MODP2048 (every
 * peer has it; Libreswan 4 has no MODP1024), A at the link's local
 * address, B at the peer's, the given PSK. */
void remote_default_configs(const struct remote_peer *p, struct ike_config *a,
                            struct ike_config *b);

/* NULL when the case can be played against this peer, else why not. */
const char *remote_not_applicable(const struct scenario *sc, const struct remote_peer *p,
                                  char *buf, size_t len);

/* Whether the case needs the peer in Aggressive Mode (a runner plays the
 * Main Mode cases first, so the peer is switched once). */
bool remote_case_aggressive(const struct scenario *sc, const struct remote_peer *p);

/* Plays the case and judges it; pcap_dir (or NULL) gets <id>.pcap and
 * <id>.clear.pcap; details (or NULL) gets the wire of a non-PASS case. */
void remote_run_case(const struct scenario *sc, struct remote_peer *p, const char *pcap_dir,
                     FILE *details, struct remote_result *res);

#endif
