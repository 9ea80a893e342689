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
#include "initiator_seal.h"

enum { IW_QUEUE = 8, IW_RING = 16, IW_DGRAM = 8192 };

/* A datagram, with its plaintext when it was sent encrypted. */
struct iw_dgram {
  uint8_t wire[IW_DGRAM], plain[IW_DGRAM];
  size_t len, plain_len;
  bool authentic;
};

struct iw_fifo {
  struct iw_dgram d[IW_QUEUE];
  size_t head, n;
};

/* Plaintexts of the shadow's encrypted datagrams, found again by the last
 * cipher block when it resends one (a resend brings no clear copy). */
struct iw_clear_book {
  struct {
    uint8_t tail[16];
    size_t len, plain_len;
    uint8_t plain[IW_DGRAM];
  } x[4];
  size_t n;
};

struct init_world {
  int variant;
  struct ike_engine *us, *shadow;
  uint64_t now, us_rng, shadow_rng;
  struct iw_fifo to_shadow, to_us; /* sent, not yet read by the other side */
  struct iw_dgram delivered[IW_RING], sent[IW_RING]; /* for replay and reflection */
  size_t ndelivered, nsent;
  struct nonce_book nonces;
  struct iw_clear_book clears;
  uint8_t fresh_clear[IW_DGRAM]; /* the shadow's clear copy of what it sends next */
  size_t fresh_clear_len;
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
