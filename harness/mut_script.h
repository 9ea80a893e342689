/* The scripts of the stateful targets as the mutator sees them: a list of
 * steps, each an opcode, its fixed operands, and (for packet steps) a body
 * whose u16 length is derived when the script is written back.
 *
 *   MUT_FMT_RESPONDER  fuzz_responder (responder_env.h): 0x00 u16 n, n bytes
 *                      (a datagram); 0x01 u8 seconds; any other byte ends it.
 *   MUT_FMT_QUICK      fuzz_quick_mode (quick_env.h): a variant byte, then
 *                      steps whose opcode is read modulo QSTEP_COUNT.
 *   MUT_FMT_INITIATOR  fuzz_initiator (initiator_env.h): a variant byte,
 *                      then steps whose opcode is read modulo ISTEP_COUNT;
 *                      a template step's records are its body, their u8
 *                      count written where the others write a u16 length.
 * Bytes the target would not read as a whole step, and everything after
 * the last step a target runs, are kept as the tail. */
#ifndef IKELAB_MUT_SCRIPT_H
#define IKELAB_MUT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mut_ops.h"

enum mut_format { MUT_FMT_DATAGRAM, MUT_FMT_RESPONDER, MUT_FMT_QUICK, MUT_FMT_INITIATOR };

/* What a step's body is, for the ISAKMP edits; BODY_TPL: fuzz_initiator's
 * template records (4 bytes each, a u8 count on the wire). */
enum mut_body { BODY_NONE, BODY_DATAGRAM, BODY_CHAIN, BODY_RAW, BODY_TPL };

struct mut_step {
  uint8_t op;
  uint8_t nopnd;
  uint8_t opnd[7];        /* fixed operands, as on the wire */
  uint8_t body;           /* enum mut_body */
  uint32_t off, len;      /* body bytes in the script's arena */
};

/* The steps the targets run (SCRIPT_MAX_STEPS): later bytes are the tail,
 * never edited as steps, and no edit makes a script longer. */
enum { MUT_MAX_STEPS = 32, MUT_SCRIPT_ARENA = 4 * 65536 };

struct mut_script {
  uint8_t fmt;            /* enum mut_format */
  uint8_t variant;        /* MUT_FMT_QUICK and MUT_FMT_INITIATOR */
  bool has_variant;
  size_t nsteps;
  struct mut_step s[MUT_MAX_STEPS];
  uint32_t tail_off, tail_len;
  size_t arena_len;
  uint8_t arena[MUT_SCRIPT_ARENA];
};

/* Never fails on any bytes: what is not a step becomes the tail. */
void mut_script_parse(struct mut_script *sc, enum mut_format fmt, const uint8_t *data,
                      size_t size);
/* Returns the length, or 0 when it does not fit cap. */
size_t mut_script_write(const struct mut_script *sc, uint8_t *out, size_t cap);

/* One to three edits of steps and of the packets inside them. donor (may
 * be NULL) is another script whose steps may be spliced in. */
void mut_script_edit(struct mut_ctx *c, struct mut_script *sc, const struct mut_script *donor);
/* A's steps with a run of B's steps spliced in at a random place. */
void mut_script_cross(struct mut_ctx *c, struct mut_script *a, const struct mut_script *b);

#endif
