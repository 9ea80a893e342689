/* A peer profile (conformance/profiles/NAME.ini, read with libinih): who the
 * peer is, how to start and stop it, how to configure it for a case (a
 * config template rendered into the work folder) and where its log is.
 * Commands run with /bin/sh -c in the caller's network namespace (the
 * profile's commands enter the peer's own, e.g. ip netns exec), with
 * IKELAB_WORK, IKELAB_PEER_ADDR, IKELAB_OUR_ADDR, IKELAB_PSK, IKELAB_MODE
 * (main|aggressive), IKELAB_CONFIG (the rendered file) and IKELAB_PROFILE_DIR
 * (the profile's folder, for helper scripts beside it) set. inih reads
 * lines of at most 200 bytes and takes " ;" as a comment: keep commands
 * short (a helper script) and free of " ;". */
#ifndef IKELAB_CONFORM_PROFILE_H
#define IKELAB_CONFORM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "ikelab/engine.h"

enum { PROFILE_TEXT = 1024 };

struct peer_profile {
  char path[512];              /* the ini file (templates are relative to it) */
  char name[128];
  char start[PROFILE_TEXT];    /* must return once the peer listens */
  char stop[PROFILE_TEXT];
  char set_mode[PROFILE_TEXT]; /* after the template was rendered again ("" none) */
  char initiate[PROFILE_TEXT]; /* the peer starts rule 1 towards us ("" none) */
  char reset[PROFILE_TEXT];    /* after each --initiator-of case: the peer drops its
                                  SAs with us ("" none: our Deletes do) */
  char pid_file[256];          /* the peer's pid, relative to the work folder ("" none) */
  char log[512];               /* relative to the work folder */
  char template_file[512];     /* relative to the profile's folder */
  char config_file[256];       /* relative to the work folder */
  bool aggressive;             /* the template renders Aggressive Mode too */
  /* Filled by the caller before profile_start. */
  char work[1024];
  struct ike_endpoint peer, us;
  const char *psk;
  bool mode_aggressive;
  bool started;
};

/* Reads path; false with why ("file:line: what, the value") on an error. */
bool profile_load(struct peer_profile *p, const char *path, char *why, size_t whylen);
/* Renders the template and runs start. */
bool profile_start(struct peer_profile *p, char *why, size_t whylen);
/* Runs stop (once; safe to call when not started). */
void profile_stop(struct peer_profile *p);
/* Renders the template for the mode and runs set_mode. */
bool profile_set_mode(void *profile, bool aggressive, char *why, size_t whylen);
bool profile_initiate(void *profile, char *why, size_t whylen);
/* Runs reset when there is one (true otherwise). */
bool profile_reset(void *profile, char *why, size_t whylen);
/* Whether the peer's process still runs (true without a pid file). */
bool profile_alive(struct peer_profile *p);
/* The log's current size (to cut one case's part out later), and that
 * part copied to dest. */
long profile_log_size(const struct peer_profile *p);
bool profile_log_copy(const struct peer_profile *p, long from, const char *dest);

#endif
