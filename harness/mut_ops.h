/* What the mutator's operations share: the generator, the mode, and the
 * byte-level mutator to fall back on (libFuzzer's LLVMFuzzerMutate when
 * linked into a libFuzzer binary, our own otherwise). */
#ifndef IKELAB_MUT_OPS_H
#define IKELAB_MUT_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mut_model.h"
#include "mut_rng.h"

typedef size_t (*mut_bytes_fn)(void *arg, uint8_t *data, size_t size, size_t max);

struct mut_ctx {
  struct mut_rng rng;
  /* Only edits after which a message the codec accepted is still accepted
   * (the unit test's fix-up mode): no breaks, no unknown types. */
  bool keep_valid;
  unsigned break_percent;   /* chance that an edit also breaks a derived field */
  mut_bytes_fn bytes;
  void *bytes_arg;
  const struct mut_msg *donor; /* payloads to splice in (crossover), or NULL */
};

/* Our byte-level mutator: bit flips, interesting bytes, inserts, erases. */
size_t mut_bytes_default(void *arg, uint8_t *data, size_t size, size_t max);
size_t mut_bytes(struct mut_ctx *c, uint8_t *data, size_t size, size_t max);

/* One to four structural edits of a parsed model. */
void mut_isakmp_edit(struct mut_ctx *c, struct mut_msg *m);

/* A datagram in place: returns the new length (at most max), or 0 when it
 * does not parse or the result does not fit (the caller then falls back). */
size_t mut_isakmp_datagram(struct mut_ctx *c, uint8_t *data, size_t size, size_t max);
/* The same with one payload of c->donor spliced in first (crossover). */
size_t mut_isakmp_splice(struct mut_ctx *c, uint8_t *data, size_t size, size_t max);
/* A bare payload chain; *first is the first payload's type, in and out. */
size_t mut_isakmp_chain(struct mut_ctx *c, uint8_t *first, uint8_t *data, size_t size,
                        size_t max);

#endif
