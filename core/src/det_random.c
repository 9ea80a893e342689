#include "ikelab/det_random.h"

void det_random_fill(void *state, uint8_t *out, size_t len)
{
  uint64_t *s = state;
  for (size_t i = 0; i < len; i += 8) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (size_t k = 0; k < 8 && i + k < len; k++)
      out[i + k] = (uint8_t)(z >> (8 * k));
  }
}
