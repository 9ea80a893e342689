/* AFL++'s custom mutator API for the structure-aware mutator (mutator.h),
 * built as a shared object per script format:
 *   AFL_CUSTOM_MUTATOR_LIBRARY=build/afl/harness/libikelab_mutator_responder.so
 * AFL++ runs it before its havoc stage; with AFL_CUSTOM_MUTATOR_ONLY=1 it
 * is the only mutator. The second input AFL++ offers (add_buf) is used for
 * crossover now and then. */
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

struct afl_mutator {
  unsigned seed;
  uint8_t *out;
  size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
  (void)afl;
  struct afl_mutator *m = calloc(1, sizeof *m);
  if (m)
    m->seed = seed;
  return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf,
                       uint8_t *add_buf, size_t add_buf_size, size_t max_size)
{
  struct afl_mutator *m = data;
  enum mut_format fmt = ikelab_mutator_format();
  if (max_size > m->cap) {
    uint8_t *grown = realloc(m->out, max_size);
    if (!grown) {
      *out_buf = buf;
      return buf_size;
    }
    m->out = grown;
    m->cap = max_size;
  }
  unsigned seed = m->seed++ * 2654435761u;
  *out_buf = m->out;
  if (add_buf && add_buf_size && seed % 8 == 0)
    return ikelab_crossover(fmt, buf, buf_size, add_buf, add_buf_size, m->out, max_size, seed,
                            NULL);
  size_t n = buf_size < max_size ? buf_size : max_size;
  memcpy(m->out, buf, n);
  return ikelab_mutate(fmt, m->out, n, max_size, seed, NULL);
}

void afl_custom_deinit(void *data)
{
  struct afl_mutator *m = data;
  if (m)
    free(m->out);
  free(m);
}
