/* A libFuzzer target that times out, runs out of memory or breaks an
 * invariant by its first byte, for the reports of libFuzzer itself (see
 * crashers.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned long sink;

__attribute__((noinline)) static void spin(void)
{
  for (;;)
    sink++;
}

__attribute__((noinline)) static void hog(void)
{
  char *p = malloc((size_t)3 << 30);
  sink = (unsigned long)(uintptr_t)p;
}

__attribute__((noinline)) static void check(const uint8_t *data)
{
  if (data[0] == 'A') {
    fprintf(stderr, "crashers_fuzz: invariant broken: byte 0 is A\n");
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size && data[0] == 'T')
    spin();
  if (size && data[0] == 'M')
    hog();
  if (size)
    check(data);
  return 0;
}
