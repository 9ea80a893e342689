/* A real engine standing behind the fuzzer as the other side of the
 * exchange: the "shadow" of a stateful target. It reads what the engine
 * under test sends and writes the genuine next message (whatever the
 * exchange calls for), which a template step takes, mutates and delivers.
 * Encrypted templates are mutated as plaintext and sealed again with the
 * shadow's Phase 1 keys (initiator_seal.h), so the fuzzer works behind the
 * encryption without the harness knowing any exchange's rules.
 * fuzz_initiator's shadow is a responder; fuzz_responder's an initiator. */
#ifndef IKELAB_SHADOW_PEER_H
#define IKELAB_SHADOW_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"
#include "ikelab/engine.h"
#include "initiator_seal.h"
#include "template_mutate.h" /* TPL_*, MUT_* */

enum { SP_QUEUE = 8, SP_DGRAM = 8192 };

/* A datagram, with its plaintext when it was sent encrypted. */
struct sp_dgram {
  uint8_t wire[SP_DGRAM], plain[SP_DGRAM];
  size_t len, plain_len;
  bool authentic;
};

struct sp_fifo {
  struct sp_dgram d[SP_QUEUE];
  size_t head, n;
};

/* Plaintexts of the shadow's encrypted datagrams, found again by the last
 * cipher block when it resends one (a resend brings no clear copy). */
struct sp_clear_book {
  struct {
    uint8_t tail[16];
    size_t len, plain_len;
    uint8_t plain[SP_DGRAM];
  } x[4];
  size_t n;
};

struct shadow_peer {
  const char *target;              /* the fuzz target, for invariant reports */
  struct ike_engine *e;
  uint64_t rng;
  struct ike_endpoint self, other; /* the shadow's address, the engine's */
  struct sp_fifo heard;            /* the engine sent these, the shadow has not read them */
  struct sp_fifo said;             /* the shadow sent these, the engine has not had them */
  struct nonce_book nonces;
  struct sp_clear_book clears;
  uint8_t fresh_clear[SP_DGRAM];   /* the clear copy of what the shadow sends next */
  size_t fresh_clear_len;
  bool trace;                      /* IKELAB_TRACE: its log lines to stderr */
};

/* Makes the shadow's engine (aborts as an invariant of target when the
 * config is refused). */
void shadow_new(struct shadow_peer *s, const char *target, const struct ike_config *cfg,
                struct ike_endpoint self, struct ike_endpoint other);
/* Cleared, generator reseeded, nothing queued. */
void shadow_reset(struct shadow_peer *s, uint64_t seed);
/* The engine under test sent this (the shadow reads it at the next template). */
void shadow_heard(struct shadow_peer *s, const uint8_t *pkt, size_t len);
/* A template step's operands: u8 flags, u8 n, n x {u8 op, u16 offset, u8
 * value} (MUT_* of initiator_env.h). The shadow reads what it heard, then
 * its oldest undelivered datagram is mutated (its plaintext, when it is
 * encrypted) and written to out. Returns false when the operands are cut
 * short; *len 0: nothing to deliver. *authentic: false when the result
 * surely fails authentication. */
bool shadow_template(struct shadow_peer *s, uint64_t now, struct buf_reader *r, uint8_t *out,
                     size_t cap, size_t *len, bool *authentic);

#endif
