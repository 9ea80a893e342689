/* fuzz_initiator's world (initiator_env.h): our initiating engine, the
 * shadow responder engine, the datagrams between them and the script
 * steps that move them. The invariants are checked here, after every step
 * and in the sinks, so the seed maker runs under them too:
 *  - both engines' tables are consistent;
 *  - every log line is a catalogue row that renders;
 *  - every datagram either engine sends decodes (isakmp_decode);
 *  - an installed IPsec SA has keys;
 *  - a message that fails authentication (initiator_seal.h) neither
 *    installs nor deletes an IPsec SA of ours, nor changes one. */
#ifndef IKELAB_INITIATOR_WORLD_H
#define IKELAB_INITIATOR_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"
#include "ikelab/engine.h"
#include "initiator_env.h"
#include "shadow_peer.h"

enum { IW_RING = 16, IW_DGRAM = SP_DGRAM };

struct init_world {
  int variant;
  struct ike_engine *us;
  struct shadow_peer shadow;  /* the responder behind the fuzzer */
  uint64_t now, us_rng;
  struct sp_dgram delivered[IW_RING], sent[IW_RING]; /* for replay and reflection */
  size_t ndelivered, nsent;
  uint8_t last_hdr[RAW_HDR]; /* our engine's last datagram: cookies, .., M-ID */
  bool fail_next_send, trace;
  unsigned sa_events; /* our SA_ADD and SA_DEL in this delivery */
};

/* Creates both engines for a variant (once; they are reused). */
void init_world_new(struct init_world *w, int variant);
/* A fresh start: both engines cleared, generators reseeded, our engine
 * triggers rule 1 (its first datagram waits for the shadow). */
void init_world_reset(struct init_world *w);
/* Reads and runs one step; false when the script ends. Invariants are
 * checked after it (abort when broken). */
bool init_world_step(struct init_world *w, struct buf_reader *r);

#endif
