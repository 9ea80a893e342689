#include "test_hex.h"

#include <string.h>

#include "check_run.h"

static int nibble(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct hexbuf hex(const char *s)
{
  struct hexbuf h = {.len = strlen(s) / 2};
  ck_assert_uint_eq(strlen(s) % 2, 0);
  ck_assert_uint_le(h.len, sizeof h.b);
  for (size_t i = 0; i < h.len; i++) {
    int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
    ck_assert(hi >= 0 && lo >= 0);
    h.b[i] = (uint8_t)(hi << 4 | lo);
  }
  return h;
}
