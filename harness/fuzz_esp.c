/* fuzz_esp: the ESP datapath (esp.h) against fuzzer bytes.
 *
 * Inputs are described in esp_env.h. Invariants checked, each an abort:
 *  - decapsulation of arbitrary bytes never crashes, never reports an error
 *    the datapath reserves for its own faults (no room, crypto error), hands
 *    out no bytes unless it accepts, and accepts no packet twice;
 *  - every refusal is counted exactly once (per SA or in the table);
 *  - encapsulating then decapsulating gives back exactly the inner data and
 *    next header, or the refusal the next header deserves (reserved 255, a
 *    tunnel carrying something other than IPv4, dummy 59);
 *  - one flipped bit is always refused by an SA with integrity;
 *  - the sequence number never wraps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_env.h"
#include "ikelab/buf.h"
#include "ikelab/isakmp_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct esp_table table;
static bool installed;
static uint8_t out[ESP_PACKET_MAX], wire[ESP_PACKET_MAX + 512], back[ESP_PACKET_MAX + 512];
static uint64_t refusals;

static void broken(const char *what, enum esp_verdict v)
{
  fprintf(stderr, "fuzz_esp: invariant broken: %s (verdict: %s)\n", what, esp_verdict_name(v));
  abort();
}

static enum esp_verdict decap(uint64_t now, const uint8_t *pkt, size_t len, uint8_t *dst,
                              size_t *dlen, struct esp_info *info)
{
  enum esp_verdict v = esp_decap(&table, now, pkt, len, dst, ESP_PACKET_MAX, dlen, info);
  if ((unsigned)v >= ESP_VERDICT_COUNT || v == ESP_NO_ROOM || v == ESP_CRYPTO_ERROR ||
      v == ESP_SEQ_EXHAUSTED)
    broken("decapsulation gave an impossible verdict", v);
  if (v != ESP_OK && *dlen != 0)
    broken("a refused packet handed out bytes", v);
  if (v == ESP_OK && (*dlen > len || info->sa == NULL || info->sa->replay.top < info->seq))
    broken("an accepted packet is inconsistent", v);
  if ((info->sa == NULL) != (v == ESP_NO_SA || (v == ESP_MALFORMED && len < ESP_HEADER_LEN)))
    broken("SA reported for the wrong verdicts", v);
  struct log_event ev;
  if (esp_verdict_log(v, info, now, &ev) != (esp_verdict_log_id(v) != LOG_ID_COUNT))
    broken("log row and log event disagree", v);
  if (v != ESP_OK)
    refusals++;
  return v;
}

/* The same bytes again must be a replay once accepted. */
static void replay_again(uint64_t now, const uint8_t *pkt, size_t len)
{
  struct esp_info info;
  size_t n = 0;
  enum esp_verdict v = decap(now, pkt, len, out, &n, &info);
  if (v != ESP_REPLAY)
    broken("an accepted packet was not a replay the second time", v);
}

static void decap_script(struct buf_reader *r)
{
  uint64_t now = ESP_ENV_START_MS;
  for (int i = 0; i < 64 && br_left(r) > 0; i++) {
    uint16_t want = 0;
    if (!br_u16(r, &want))
      return;
    size_t n = want < br_left(r) ? want : br_left(r);
    uint8_t *pkt = malloc(n ? n : 1);   /* exact size: ASan sees any over-read */
    if (pkt == NULL || !br_copy(r, pkt, n))
      abort();
    struct esp_info info;
    size_t outlen = 0;
    now += 1000;
    enum esp_verdict v = decap(now, n ? pkt : NULL, n, out, &outlen, &info);
    if (v == ESP_OK || v == ESP_DUMMY)
      replay_again(now, n ? pkt : NULL, n);
    free(pkt);
  }
}

static enum esp_verdict expected(const struct esp_sa *s, uint8_t nh)
{
  bool tunnel = s->sa.encap == IPSEC_ENCAP_TUNNEL;
  if (nh == 255 || (tunnel && nh != ESP_NH_IPV4 && nh != ESP_NH_NONE))
    return ESP_DECRYPT_FAILED;
  return nh == ESP_NH_NONE ? ESP_DUMMY : ESP_OK;
}

static void round_trip(struct buf_reader *r, bool tamper)
{
  uint8_t idx = 0, nh = 0, flags = 0;
  uint16_t bit = 0;
  if (!br_u8(r, &idx) || !br_u8(r, &nh) || !br_u8(r, &flags) || (tamper && !br_u16(r, &bit)))
    return;
  size_t len = br_left(r);
  uint8_t *inner = malloc(len ? len : 1);
  if (inner == NULL || !br_copy(r, inner, len))
    abort();
  struct esp_sa *s = esp_table_find(&table, esp_env_spi(idx % esp_env_count()));
  uint64_t state = 0x5eed, now = ESP_ENV_START_MS + 5000;
  size_t wl = 0, bl = 0;
  struct esp_info info;
  if (flags & ESP_FLAG_NEAR_WRAP)
    s->seq_out = UINT32_MAX - 1;
  enum esp_verdict v = esp_encap(s, now, nh, len ? inner : NULL, len, wire, sizeof wire, &wl,
                                 esp_env_random, &state);
  if (v != ESP_OK || wl != esp_encap_len(s, len))
    broken("encapsulation failed", v);
  if (tamper) {
    wire[(bit % (wl * 8)) / 8] ^= (uint8_t)(1u << (bit % 8));
    v = decap(now, wire, wl, back, &bl, &info);
    /* A flip in the SPI can land the packet on another SA; only the SA that
     * accepted it must have had no integrity check to accept it. */
    if (v == ESP_OK && info.sa->icv_len != 0)
      broken("a flipped bit went unnoticed", v);
  } else {
    v = decap(now, wire, wl, back, &bl, &info);
    if (v != expected(s, nh))
      broken("round trip gave the wrong verdict", v);
    if (v == ESP_OK && (bl != len || memcmp(back, inner, len) != 0 || info.next_header != nh))
      broken("round trip changed the data", v);
    if (v == ESP_OK || v == ESP_DUMMY)
      replay_again(now, wire, wl);
  }
  if (flags & ESP_FLAG_NEAR_WRAP) {
    v = esp_encap(s, now, nh, len ? inner : NULL, len, wire, sizeof wire, &wl, esp_env_random,
                  &state);
    if (v != ESP_SEQ_EXHAUSTED || wl != 0 || s->seq_out != UINT32_MAX)
      broken("the sequence number wrapped", v);
  }
  free(inner);
}

/* Every refusal counted once, by its SA or by the table. */
static void check_counts(void)
{
  uint64_t counted = 0;
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    for (int v = 0; v < ESP_VERDICT_COUNT; v++)
      counted += table.sa[i].count.dropped[v];
  for (int v = 0; v < ESP_VERDICT_COUNT; v++)
    counted += table.unmatched[v];
  if (counted != refusals)
    broken("drop counters disagree with the refusals seen", ESP_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!installed) {
    esp_table_init(&table, 0);
    if (!esp_env_install(&table, ESP_ENV_START_MS))
      broken("the SA table cannot be installed", ESP_OK);
    installed = true;
  }
  esp_env_reset(&table, ESP_ENV_START_MS);
  refusals = 0;
  struct buf_reader r;
  uint8_t mode;
  br_init(&r, data, size);
  if (!br_u8(&r, &mode))
    return 0;
  switch (mode % 3) {
  case ESP_MODE_DECAP: decap_script(&r); break;
  case ESP_MODE_ROUND: round_trip(&r, false); break;
  default: round_trip(&r, true); break;
  }
  check_counts();
  return 0;
}
