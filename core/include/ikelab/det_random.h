/* A seeded, portable generator (splitmix64) for the places that must
 * replay exactly: tests, fuzz targets and their seed makers. It has the
 * shape of engine.h's ike_random_fn; ctx points at the uint64_t state.
 * Never use it for keys a real peer will see: the daemon uses getrandom. */
#ifndef IKELAB_DET_RANDOM_H
#define IKELAB_DET_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void det_random_fill(void *state, uint8_t *out, size_t len);

#endif
