/* The datagrams of one input a stateful target keeps for its replay steps:
 * the last DGRAM_RING delivered to the engine, or sent by it (reflection).
 * fuzz_responder and fuzz_quick_mode keep two each. */
#ifndef IKELAB_DGRAM_RING_H
#define IKELAB_DGRAM_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DGRAM_RING = 16, DGRAM_RING_MAX = 65536 };

struct dgram_ring {
  uint8_t pkt[DGRAM_RING][DGRAM_RING_MAX];
  size_t len[DGRAM_RING];
  bool authentic[DGRAM_RING]; /* judged by the auth invariant when replayed */
  size_t n;                   /* put so far; 0 empties the ring */
};

/* Keeps a copy (a datagram longer than DGRAM_RING_MAX is kept empty). */
void dgram_ring_put(struct dgram_ring *r, const uint8_t *pkt, size_t len, bool authentic);
/* A replay step's choice: slot pick modulo how many are kept, copied into
 * out (cap bytes; longer: empty), because the engine's answer to it may
 * take the slot. False when the ring is empty. */
bool dgram_ring_take(const struct dgram_ring *r, unsigned pick, uint8_t *out, size_t cap,
                     size_t *len, bool *authentic);

#endif
