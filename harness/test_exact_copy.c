/* exact_copy's guard: the copy holds the bytes, and under ASan a read one
 * byte past either end of the latest copy is reported (ctest runs the
 * "after" and "before" forms expecting the failure). Copies of several
 * sizes come first, so growing and shrinking are both exercised. */
#include <stdio.h>
#include <string.h>

#include "exact_copy.h"

int main(int argc, char **argv)
{
  static uint8_t src[EXACT_COPY_MAX];
  for (size_t i = 0; i < sizeof src; i++)
    src[i] = (uint8_t)(i * 7 + 1);
  static const size_t sizes[] = {50, 4000, 13, 29, 0, 1, 65536, 8, 7};
  const uint8_t *c = NULL;
  size_t len = 0;
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    len = sizes[i];
    c = exact_copy(src, len);
    if (c == NULL || (len && memcmp(c, src, len) != 0)) {
      fprintf(stderr, "copy of %zu bytes is wrong\n", len);
      return 1;
    }
  }
  if (exact_copy(src, EXACT_COPY_MAX + 1) != NULL) {
    fprintf(stderr, "a copy larger than EXACT_COPY_MAX was made\n");
    return 1;
  }
  c = exact_copy(src, len); /* the refusal above left the last copy alone */
  const char *mode = argc > 1 ? argv[1] : "inside";
  volatile uint8_t b;
  if (strcmp(mode, "after") == 0)
    b = c[len];
  else if (strcmp(mode, "before") == 0)
    b = c[-1];
  else
    b = c[len - 1];
  (void)b;
  printf("read %s the copy of %zu bytes\n", mode, len);
  return 0;
}
