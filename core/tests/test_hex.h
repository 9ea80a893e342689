/* Hex strings in test vectors, decoded with Check assertions. */
#ifndef IKELAB_TEST_HEX_H
#define IKELAB_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Returned by value, so several can be alive at once. */
struct hexbuf {
  uint8_t b[2048];
  size_t len;
};

/* Decodes upper- or lower-case hex; fails the test on bad input. */
struct hexbuf hex(const char *s);

#endif
