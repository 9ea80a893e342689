/* A conformance world whose side B is a real IKEv1 peer: side A is our
 * engine on a real clock, its datagrams go out on a UDP socket
 * (remote.h) and the peer's come back into it. world_run() and
 * world_inject() come here when world.remote is set, so the case's
 * actions and builders are the same as in the in-memory world.
 *
 * A run stops early once the wire has been quiet for quiet_ms: waits the
 * virtual clock spends on retransmission schedules are not waited here. */
#ifndef IKELAB_CONFORM_REMOTE_WORLD_H
#define IKELAB_CONFORM_REMOTE_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/ike_crypto.h"
#include "remote.h"
#include "world.h"

struct remote_world {
  struct remote_link *link;
  unsigned quiet_ms;     /* a run ends after this long without a datagram */
  unsigned answer_ms;    /* how long an injected datagram waits for an answer */
  uint64_t last_activity;
  long rx_index;         /* trace entry being delivered to A (its clear copy) */
  char error[256];       /* the first send failure, "" when none */
  /* The wire number of a peer datagram the case's impairments name (they
   * are for side A's datagrams only: the case then tests our engine), 0. */
  unsigned impaired_peer_datagram;
  /* The peer initiates (--initiator-of): each of its datagrams counts in
   * the wire's numbering, not only answers to side A. */
  bool count_all_peer;
  /* A Phase 1 the case's own scripted initiator (builders_crash.h) made
   * with the peer: its Informationals are opened with these keys. */
  bool mini_set;
  uint8_t mini_cookies[16];
  struct ike_phase1_keys mini_keys;
  uint8_t mini_last_block[IKE_BLOCK_MAX];
};

/* The crash builders' mini initiator completed Phase 1 with the peer: the
 * peer's Informationals under these cookies get a clear copy. */
void remote_world_mini_keys(struct world *w, const uint8_t cookies[16],
                            const struct ike_phase1_keys *keys, const uint8_t *last_block);

/* world_init() for a remote peer: side A's engine takes config a, bound to
 * the link's local address, with OS randomness; b is what the peer is
 * assumed to run (builders read its PSK and proposal). */
bool remote_world_init(struct world *w, struct remote_world *r, struct remote_link *link,
                       const struct ike_config *a, const struct ike_config *b,
                       const struct impairment *impair, char *why, size_t whylen);

void remote_world_run(struct world *w, uint64_t until_ms);
/* Runs until stop(w) holds, the deadline passes, or (quiet true) the wire
 * is quiet. */
void remote_world_run_until(struct world *w, uint64_t until_ms, bool quiet,
                            bool (*stop)(const struct world *w, size_t arg), size_t arg);
/* To side B: sent, then the answers are collected into the queue (for a
 * builder's take_reply) without being delivered. To side A: delivered. */
void remote_world_inject(struct world *w, int to, const uint8_t *pkt, size_t len);

/* Throws away whatever the peer still sends (a previous case's leftovers). */
void remote_drain(struct remote_link *link, unsigned ms);

/* The "SA still usable" check: A forgets everything, takes config dflt and
 * a fresh Main Mode + Quick Mode for rule 1 is negotiated: A starts it, or
 * with peer_starts the peer is asked to (--initiator-of). True when an
 * IPsec SA was installed within timeout_ms. A then deletes what it made. */
bool remote_world_fresh_sa(struct world *w, const struct ike_config *dflt, unsigned timeout_ms,
                           bool (*peer_starts)(void *ctx, char *why, size_t whylen), void *ctx,
                           char *why, size_t whylen);

/* OS randomness in engine.h's ike_random_fn shape (ctx unused). */
void remote_random(void *ctx, uint8_t *out, size_t len);

#endif
