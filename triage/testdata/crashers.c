/* Programs that crash on purpose, one way each (argv[1]), to record the
 * sanitizer reports the parser's unit test reads (make-canned regenerates
 * them). Never part of the build. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int sink;
static char global[8];

struct node {
  int value;
};

__attribute__((noinline)) static void heap_read(void)
{
  char *p = malloc(10);
  memset(p, 0, 10);
  sink = p[10 + sink];
  free(p);
}

__attribute__((noinline)) static void heap_write(size_t n)
{
  char *p = malloc(16);
  memset(p, 'x', n); /* n = 24: eight bytes too many, through memset */
  sink = p[0];
  free(p);
}

__attribute__((noinline)) static void stack_write(int i)
{
  int a[4] = {0};
  int *p = a; /* through a pointer, so that ASan sees it before UBSan's bounds check */
  p[i] = 1;
  sink = a[0];
}

__attribute__((noinline)) static void global_read(int i)
{
  const char *p = global;
  sink = p[i];
}

__attribute__((noinline)) static void use_after_free(void)
{
  int *p = malloc(sizeof *p);
  free(p);
  *p = 7;
}

__attribute__((noinline)) static void double_free(void)
{
  char *p = malloc(4);
  free(p);
  free(p);
}

__attribute__((noinline)) static void leak(void)
{
  char *p = malloc(48);
  p[0] = 1;
  sink = p[0];
  p = NULL;
}

__attribute__((noinline)) static void null_read(struct node *n) { sink = n->value; }

__attribute__((noinline)) static void wild_write(void)
{
  *(volatile int *)(uintptr_t)0x7fff00001000ull = 1;
}

/* A field of a null struct pointer: ASan's SEGV in the zero page (UBSan's
 * null check sees only the pointer itself). */
__attribute__((noinline)) static void near_null(int off) { sink = *(volatile int *)(uintptr_t)(16 + off); }

__attribute__((noinline)) static void signed_overflow(int x) { sink = x + INT_MAX; }

__attribute__((noinline)) static void shift(int s) { sink = 1 << s; }

__attribute__((noinline)) static void misaligned(char *p) { sink = *(int *)(p + 1); }

__attribute__((noinline)) static void out_of_bounds(int i)
{
  int a[4] = {0};
  sink = a[i];
}

__attribute__((noinline)) static void run(const char *what)
{
  static char buf[16];
  if (!strcmp(what, "heap-read")) heap_read();
  else if (!strcmp(what, "heap-write")) heap_write(24);
  else if (!strcmp(what, "stack-write")) stack_write(4 + sink);
  else if (!strcmp(what, "global-read")) global_read(8 + sink);
  else if (!strcmp(what, "use-after-free")) use_after_free();
  else if (!strcmp(what, "double-free")) double_free();
  else if (!strcmp(what, "leak")) leak();
  else if (!strcmp(what, "null")) null_read(NULL);
  else if (!strcmp(what, "wild-write")) wild_write();
  else if (!strcmp(what, "near-null")) near_null(sink);
  else if (!strcmp(what, "signed-overflow")) signed_overflow(1 + sink);
  else if (!strcmp(what, "shift")) shift(40 + sink);
  else if (!strcmp(what, "misaligned")) misaligned(buf);
  else if (!strcmp(what, "bounds")) out_of_bounds(4 + sink);
  else if (!strcmp(what, "abort")) {
    fprintf(stderr, "crashers: invariant broken: the answer is not 42\n");
    abort();
  }
}

int main(int argc, char **argv)
{
  if (argc > 1)
    run(argv[1]);
  return 0;
}
