/* write_samples DIR: writes each codec sample as DIR/sample_<name>.bin, the
 * hand-built part of the fuzz seed corpus (corpus/isakmp_decode). */
#include <stdio.h>
#include <string.h>

#include "isakmp_samples.h"

int main(int argc, char **argv)
{
  static struct isakmp_msg msg;
  static uint8_t buf[65535];
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: %s DIR\nWrites the codec's sample messages as DIR/sample_<name>.bin.\n",
            argv[0]);
    return argc == 2 ? 0 : 2;
  }
  for (int i = 0; i < SAMPLE_COUNT; i++) {
    char path[4096];
    sample_build((enum sample_id)i, &msg);
    size_t n = isakmp_encode(&msg, buf, sizeof buf);
    snprintf(path, sizeof path, "%s/sample_%s.bin", argv[1], sample_names[i]);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
      perror(path);
      return 1;
    }
  }
  return 0;
}
