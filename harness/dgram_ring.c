#include "dgram_ring.h"

#include <string.h>

void dgram_ring_put(struct dgram_ring *r, const uint8_t *pkt, size_t len, bool authentic)
{
  size_t i = r->n++ % DGRAM_RING;
  if (len > DGRAM_RING_MAX)
    len = 0;
  memcpy(r->pkt[i], pkt, len);
  r->len[i] = len;
  r->authentic[i] = authentic;
}

bool dgram_ring_take(const struct dgram_ring *r, unsigned pick, uint8_t *out, size_t cap,
                     size_t *len, bool *authentic)
{
  size_t have = r->n < DGRAM_RING ? r->n : DGRAM_RING;
  if (have == 0)
    return false;
  size_t i = pick % have;
  *len = r->len[i] <= cap ? r->len[i] : 0;
  memcpy(out, r->pkt[i], *len);
  *authentic = r->authentic[i];
  return true;
}
