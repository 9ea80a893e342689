/* A main() for fuzz targets built without a fuzzing engine: runs each file
 * (or each file of each directory, in name order) through the target once.
 * Each input is copied into a buffer of exactly its size so that
 * AddressSanitizer catches a read one byte past the end. The test suite
 * uses it to replay the seed corpus and every regression.
 * --rounds N times the target alone: every input is read into memory and
 * run once untimed, then N more times, and the CPU time per input is
 * printed. libFuzzer's own exec/s mixes the target with its feature
 * bookkeeping and wanders with what it happens to mutate; this figure
 * moves only when the target does. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* --rounds: the inputs kept in memory instead of run as they are read. */
struct kept {
  uint8_t **data;
  size_t *size, n, cap;
};
static struct kept *keeping;

static int keep(uint8_t *data, size_t size)
{
  if (keeping->n == keeping->cap) {
    size_t cap = keeping->cap ? 2 * keeping->cap : 256;
    uint8_t **d = realloc(keeping->data, cap * sizeof *d);
    if (!d)
      return -1;
    keeping->data = d;
    size_t *z = realloc(keeping->size, cap * sizeof *z);
    if (!z)
      return -1;
    keeping->size = z;
    keeping->cap = cap;
  }
  keeping->data[keeping->n] = data;
  keeping->size[keeping->n++] = size;
  return 0;
}

static int run_file(const char *path, unsigned *count)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
    fclose(f);
    return -1;
  }
  size_t size = (size_t)st.st_size;
  uint8_t *data = malloc(size ? size : 1);
  if (!data || fread(data, 1, size, f) != size) {
    fprintf(stderr, "%s: short read\n", path);
    free(data);
    fclose(f);
    return -1;
  }
  fclose(f);
  if (keeping) {
    if (keep(data, size) != 0) {
      free(data);
      return -1;
    }
    (*count)++;
    return 0;
  }
  fprintf(stderr, "running %s (%zu bytes)\n", path, size);
  LLVMFuzzerTestOneInput(size ? data : NULL, size);
  free(data);
  (*count)++;
  return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, unsigned *count)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(path, count);
  struct dirent **names;
  int n = scandir(path, &names, NULL, by_name);
  if (n < 0) {
    fprintf(stderr, "%s: %s\n", path, strerror(errno));
    return -1;
  }
  int rc = 0;
  for (int i = 0; i < n; i++) {
    char child[4096];
    if (names[i]->d_name[0] != '.' && strcmp(names[i]->d_name, "README.md") != 0) {
      snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
      rc |= run_path(child, count);
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

static double cpu_us(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Each kept input once untimed (first-run costs: tables, caches, pages),
 * then rounds times, each run on a fresh exact-size copy as above. */
static int time_rounds(const struct kept *k, unsigned long rounds)
{
  if (k->n == 0) {
    fprintf(stderr, "no inputs to time\n");
    return 1;
  }
  for (size_t i = 0; i < k->n; i++)
    LLVMFuzzerTestOneInput(k->size[i] ? k->data[i] : NULL, k->size[i]);
  double t0 = cpu_us();
  for (unsigned long r = 0; r < rounds; r++)
    for (size_t i = 0; i < k->n; i++) {
      uint8_t *copy = malloc(k->size[i] ? k->size[i] : 1);
      if (!copy)
        return 1;
      memcpy(copy, k->data[i], k->size[i]);
      LLVMFuzzerTestOneInput(k->size[i] ? copy : NULL, k->size[i]);
      free(copy);
    }
  double per = (cpu_us() - t0) / ((double)rounds * (double)k->n);
  printf("%zu inputs x %lu rounds: %.1f us CPU per input (%.0f inputs per CPU-second)\n",
         k->n, rounds, per, per > 0 ? 1e6 / per : 0.0);
  return 0;
}

static void usage(FILE *out, const char *argv0)
{
  fprintf(out,
          "usage: %s [--rounds N] FILE|DIR...\n"
          "Runs each input once through this fuzz target (no fuzzing engine).\n"
          "Directories are walked in name order; dot files and README.md are skipped.\n"
          "--rounds N  read every input into memory, run each once untimed, then\n"
          "            N times more, and print the CPU time per input (the target\n"
          "            alone, without a fuzzer's own work; best of several runs on\n"
          "            a shared machine)\n"
          "Exit status: 0 when every input ran, 1 when one could not be read,\n"
          "2 bad usage; a crash is the sanitizer's report and a non-zero status.\n",
          argv0);
}

int main(int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout, argv[0]);
    return argc < 2 ? 2 : 0;
  }
  unsigned long rounds = 0;
  int first = 1;
  struct kept kept = {0};
  if (strcmp(argv[1], "--rounds") == 0) {
    char *end = NULL;
    errno = 0;
    rounds = argc > 2 ? strtoul(argv[2], &end, 10) : 0;
    if (argc < 4 || errno || !end || *end || rounds == 0 || argv[2][0] == '-') {
      fprintf(stderr, "%s: --rounds wants a count of at least 1 and then inputs (got '%s')\n",
              argv[0], argc > 2 ? argv[2] : "");
      return 2;
    }
    first = 3;
    keeping = &kept;
  }
  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize(&argc, &argv);
  unsigned count = 0;
  int rc = 0;
  for (int i = first; i < argc; i++)
    rc |= run_path(argv[i], &count);
  if (keeping) {
    if (rc == 0)
      rc = time_rounds(&kept, rounds);
    for (size_t i = 0; i < kept.n; i++)
      free(kept.data[i]);
    free(kept.data);
    free(kept.size);
    return rc ? 1 : 0;
  }
  fprintf(stderr, "%u inputs ran\n", count);
  return rc ? 1 : 0;
}
