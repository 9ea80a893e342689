/* A main() for fuzz targets built without a fuzzing engine: runs each file
 * (or each file of each directory, in name order) through the target once.
 * Each input is copied into a buffer of exactly its size so that
 * AddressSanitizer catches a read one byte past the end. The test suite
 * uses it to replay the seed corpus and every regression. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

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

int main(int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fprintf(argc < 2 ? stderr : stdout,
            "usage: %s FILE|DIR...\n"
            "Runs each input once through this fuzz target (no fuzzing engine).\n"
            "Directories are walked in name order; dot files and README.md are skipped.\n"
            "Exit status: 0 when every input ran, 1 when one could not be read;\n"
            "a crash is the sanitizer's report and a non-zero status.\n",
            argv[0]);
    return argc < 2 ? 2 : 0;
  }
  if (LLVMFuzzerInitialize)
    LLVMFuzzerInitialize(&argc, &argv);
  unsigned count = 0;
  int rc = 0;
  for (int i = 1; i < argc; i++)
    rc |= run_path(argv[i], &count);
  fprintf(stderr, "%u inputs ran\n", count);
  return rc ? 1 : 0;
}
