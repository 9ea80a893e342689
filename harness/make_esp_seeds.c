/* make_esp_seeds DIR: writes fuzz_esp's seed corpus: for each SA of the
 * fuzz world (esp_env.h) a decapsulation script of valid packets (in order,
 * out of order and one replay), a round-trip input and a tamper input. The
 * packets come from esp_encap on the same table with a fixed generator
 * seed, so the files are the same on every run. */
#include <stdio.h>
#include <string.h>

#include "esp_env.h"
#include "ikelab/isakmp_types.h"

static struct esp_table table;
static uint8_t pkt[8][2048];
static size_t pkt_len[8];

/* A small IPv4/ICMP echo as inner data, n bytes of payload. */
static size_t inner_ipv4(uint8_t *buf, size_t n, uint8_t id)
{
  static const uint8_t hdr[28] = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, 1, 0, 0, 10, 1, 0, 1,
                                  10, 2, 0, 1, 8, 0, 0, 0, 0, 1, 0, 0};
  memcpy(buf, hdr, sizeof hdr);
  buf[2] = (uint8_t)((28 + n) >> 8);
  buf[3] = (uint8_t)(28 + n);
  buf[27] = id;
  for (size_t i = 0; i < n; i++)
    buf[28 + i] = (uint8_t)('a' + i % 26);
  return 28 + n;
}

static uint8_t inner_nh(const struct esp_sa *s)
{
  return s->sa.encap == IPSEC_ENCAP_TUNNEL ? ESP_NH_IPV4 : 1; /* transport: ICMP */
}

static FILE *open_seed(const char *dir, const char *kind, size_t i)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s_%s.bin", dir, kind, esp_env_name(i));
  FILE *f = fopen(path, "wb");
  if (f == NULL)
    fprintf(stderr, "make_esp_seeds: cannot write %s\n", path);
  return f;
}

static void record(FILE *f, size_t k)
{
  uint8_t len[2] = {(uint8_t)(pkt_len[k] >> 8), (uint8_t)pkt_len[k]};
  fwrite(len, 1, 2, f);
  fwrite(pkt[k], 1, pkt_len[k], f);
}

static int seeds_for(const char *dir, size_t i)
{
  struct esp_sa *s = esp_table_find(&table, esp_env_spi(i));
  uint64_t state = 0x5eed;
  uint8_t inner[256];
  for (size_t k = 0; k < 4; k++) {
    size_t n = inner_ipv4(inner, 8 + 13 * k, (uint8_t)k);
    if (esp_encap(s, ESP_ENV_START_MS, inner_nh(s), inner, n, pkt[k], sizeof pkt[k],
                  &pkt_len[k], esp_env_random, &state) != ESP_OK)
      return 1;
  }
  /* Packets 1, 3, 2, 2 again (a replay), 4. */
  FILE *f = open_seed(dir, "decap", i);
  if (f == NULL)
    return 1;
  fputc(ESP_MODE_DECAP, f);
  static const size_t order[] = {0, 2, 1, 1, 3};
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    record(f, order[k]);
  fclose(f);

  size_t n = inner_ipv4(inner, 20, 9);
  for (int tamper = 0; tamper < 2; tamper++) {
    f = open_seed(dir, tamper ? "tamper" : "round", i);
    if (f == NULL)
      return 1;
    uint8_t head[5] = {tamper ? ESP_MODE_TAMPER : ESP_MODE_ROUND, (uint8_t)i, inner_nh(s), 0,
                       0x40};
    fwrite(head, 1, tamper ? 5 : 4, f);
    if (tamper)
      fputc(0x00, f);   /* bit 0x4000 after the flags byte 0 */
    fwrite(inner, 1, n, f);
    fclose(f);
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: make_esp_seeds DIR\n");
    return 2;
  }
  esp_table_init(&table, 0);
  if (!esp_env_install(&table, ESP_ENV_START_MS)) {
    fprintf(stderr, "make_esp_seeds: cannot install the SAs\n");
    return 1;
  }
  int rc = 0;
  for (size_t i = 0; i < esp_env_count(); i++) {
    esp_env_reset(&table, ESP_ENV_START_MS);
    rc |= seeds_for(argv[1], i);
  }
  esp_table_clear(&table);
  printf("make_esp_seeds: %zu SAs, %s\n", esp_env_count(), rc ? "FAILED" : "written");
  return rc;
}
