/* ikelab's structure-aware mutator: one source behind libFuzzer's
 * LLVMFuzzerCustomMutator/CustomCrossOver (mutator_libfuzzer.c) and AFL++'s
 * custom mutator API (mutator_afl.c).
 *
 * It knows ISAKMP payload chains (mut_model.h: insert, delete, duplicate,
 * swap and retype payloads, proposals, transforms and attributes; TV/TLV
 * attributes; header fields; lengths and counts fixed up, or broken on
 * purpose) and the scripts of the stateful targets (mut_script.h: steps
 * dropped, duplicated, reordered, inserted; the packet inside a step edited
 * as ISAKMP or as bytes with its length kept right). Input that does not
 * parse goes to the byte-level mutator.
 *
 * Not reentrant: models live in static storage (a fuzzer mutates one input
 * at a time). */
#ifndef IKELAB_MUTATOR_H
#define IKELAB_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mut_ops.h"
#include "mut_script.h"

struct mut_options {
  bool keep_valid;          /* fix-up only: see struct mut_ctx */
  unsigned break_percent;   /* default MUT_BREAK_PERCENT */
  mut_bytes_fn bytes;       /* NULL: mut_bytes_default */
  void *bytes_arg;
};

enum { MUT_BREAK_PERCENT = 10 };

/* Mutates data (size bytes, room for max) in place; returns the new size,
 * at most max. The same seed and input give the same output. */
size_t ikelab_mutate(enum mut_format fmt, uint8_t *data, size_t size, size_t max,
                     unsigned seed, const struct mut_options *o);
/* Combines a and b into out (room for max); returns its size. */
size_t ikelab_crossover(enum mut_format fmt, const uint8_t *a, size_t na, const uint8_t *b,
                        size_t nb, uint8_t *out, size_t max, unsigned seed,
                        const struct mut_options *o);

/* The format a build was made for: IKELAB_MUT_FORMAT at compile time
 * (datagram, responder, quick, initiator), overridden by the environment
 * variable of the same name. */
enum mut_format ikelab_mutator_format(void);

#endif
