/* fuzz_config: ikelabd's config file parser (config_file.h) on raw bytes.
 *
 * Invariants checked, each a crash when broken:
 *  - a config that loads passes ike_config_check, and err is empty;
 *  - a refusal is one line "fuzz.conf:LINE: what": LINE a decimal number
 *    between 0 (whole-file problems) and the number of lines in the input,
 *    a non-empty message, no control characters anywhere;
 *  - a refusal leaves the previous config and settings byte for byte as they
 *    were (the daemon's reload relies on it). The config persists across
 *    inputs so this compares against whatever loaded last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *err)
{
  fprintf(stderr, "fuzz_config: invariant broken: %s (err: %s)\n", what, err);
  abort();
}

static size_t count_lines(const uint8_t *data, size_t size)
{
  size_t n = size ? 1 : 0;
  for (size_t i = 0; i + 1 < size; i++)
    n += data[i] == '\n';
  return n;
}

static void check_refusal(const char *err, const uint8_t *data, size_t size)
{
  static const char prefix[] = "fuzz.conf:";
  if (strncmp(err, prefix, sizeof prefix - 1) != 0)
    broken("refusal does not start with the name", err);
  const char *s = err + sizeof prefix - 1, *digits = s;
  size_t line = 0;
  while (*s >= '0' && *s <= '9' && s - digits < 10)
    line = line * 10 + (size_t)(*s++ - '0');
  if (s == digits || (digits[0] == '0' && s - digits > 1))
    broken("refusal without a line number", err);
  if (line > count_lines(data, size))
    broken("refusal names a line past the end", err);
  if (s[0] != ':' || s[1] != ' ' || s[2] == '\0')
    broken("refusal without \": message\"", err);
  for (s = err; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      broken("refusal holds a control character", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct ike_config cfg, before_cfg;
  static struct ikelabd_settings set, before_set;
  char err[512];
  memcpy(&before_cfg, &cfg, sizeof cfg);
  memcpy(&before_set, &set, sizeof set);
  if (config_load_string("fuzz.conf", (const char *)data, size, &cfg, &set, err, sizeof err)) {
    char why[256];
    if (err[0] != '\0')
      broken("success with an error message", err);
    if (!ike_config_check(&cfg, why, sizeof why))
      broken("loaded config fails ike_config_check", why);
    return 0;
  }
  check_refusal(err, data, size);
  if (memcmp(&cfg, &before_cfg, sizeof cfg) != 0 || memcmp(&set, &before_set, sizeof set) != 0)
    broken("refusal changed the config", err);
  return 0;
}
