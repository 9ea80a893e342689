/* An exact-size copy of a datagram for the engine to read, without a heap
 * allocation per delivery. Under ASan the bytes before and after the copy
 * are poisoned, so a read past either end is reported exactly as it would
 * be for a malloc'd buffer of that size; the copy stays valid until the next
 * call. (A malloc per datagram cost about 4% of fuzz_quick_mode's time:
 * ASan fills, quarantines and eventually faults in fresh pages for each.) */
#ifndef IKELAB_EXACT_COPY_H
#define IKELAB_EXACT_COPY_H

#include <stddef.h>
#include <stdint.h>

enum { EXACT_COPY_MAX = 65536 };

/* The copy, or NULL when len exceeds EXACT_COPY_MAX. */
const uint8_t *exact_copy(const uint8_t *data, size_t len);

#endif
