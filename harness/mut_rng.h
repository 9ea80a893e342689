/* The mutator's own generator: every choice it makes comes from the seed
 * the fuzzer hands it, so a mutation sequence replays exactly (the unit
 * test depends on this). splitmix64: tiny, and good enough to pick ops. */
#ifndef IKELAB_MUT_RNG_H
#define IKELAB_MUT_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mut_rng {
  uint64_t s;
};

static inline uint64_t mut_next(struct mut_rng *r)
{
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* 0..n-1; 0 when n is 0, so callers need not guard empty ranges. */
static inline size_t mut_below(struct mut_rng *r, size_t n)
{
  return n ? (size_t)(mut_next(r) % n) : 0;
}

static inline bool mut_chance(struct mut_rng *r, unsigned percent)
{
  return mut_below(r, 100) < percent;
}

#endif
