/* libFuzzer's hooks for the structure-aware mutator (mutator.h). Linked
 * only into the *_mut binaries, or into every libFuzzer target when
 * IKELAB_CUSTOM_MUTATOR is ON. Byte-level edits go through
 * LLVMFuzzerMutate, so libFuzzer's dictionary and comparison tracing still
 * work, now inside one packet at a time. */
#include "mutator.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                                 uint8_t *out, size_t max, unsigned int seed);

static size_t libfuzzer_bytes(void *arg, uint8_t *data, size_t size, size_t max)
{
  (void)arg;
  return max ? LLVMFuzzerMutate(data, size, max) : 0;
}

static const struct mut_options options = {
    .break_percent = MUT_BREAK_PERCENT,
    .bytes = libfuzzer_bytes,
};

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
  return ikelab_mutate(ikelab_mutator_format(), data, size, max, seed, &options);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                                 uint8_t *out, size_t max, unsigned int seed)
{
  return ikelab_crossover(ikelab_mutator_format(), a, na, b, nb, out, max, seed, &options);
}
