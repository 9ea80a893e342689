/* A libFuzzer target that times out, runs out of memory, breaks an
 * invariant or crashes every other run by its first byte: for the reports
 * of libFuzzer itself (see crashers.c), and built with the reproducer's
 * main() as triage_test_target for ikelab-triage's own test (test_kinds.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* 'F' then a path: a counter kept in that file; every other run aborts. */
__attribute__((noinline)) static void every_other_run(const uint8_t *data, size_t size)
{
  char path[512];
  size_t n = size - 1 < sizeof path - 1 ? size - 1 : sizeof path - 1;
  memcpy(path, data + 1, n);
  path[n] = '\0';
  unsigned count = 0;
  FILE *f = fopen(path, "r");
  if (f) {
    if (fscanf(f, "%u", &count) != 1)
      count = 0;
    fclose(f);
  }
  f = fopen(path, "w");
  if (f) {
    fprintf(f, "%u\n", count + 1);
    fclose(f);
  }
  if (count % 2) {
    fprintf(stderr, "crashers_fuzz: invariant broken: run %u is odd\n", count);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1 && data[0] == 'F')
    every_other_run(data, size);
  if (size && data[0] == 'T')
    spin();
  if (size && data[0] == 'M')
    hog();
  if (size)
    check(data);
  return 0;
}
