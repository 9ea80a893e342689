/* The world of fuzz_esp: one ESP table with one SA per cipher suite, fixed
 * keys, each SA its own peer (spi_in == spi_out, key_in == key_out) so a
 * packet encapsulated with it decapsulates with it. The seed maker builds
 * the same table, so its packets are valid inputs.
 *
 * Input: byte 0 is the mode.
 *   ESP_MODE_DECAP   records follow: u16 length, then that many bytes (or
 *                    what is left): ESP packets decapsulated in order, the
 *                    clock advancing 1 s each
 *   ESP_MODE_ROUND   u8 SA index, u8 next header, u8 flags, then the inner
 *                    data: encapsulate, decapsulate, expect the original
 *   ESP_MODE_TAMPER  u8 SA index, u8 next header, u8 flags, u16 bit index,
 *                    then the inner data: encapsulate, flip that bit of the
 *                    packet; an SA with integrity must refuse it
 * Other mode values are taken modulo 3. */
#ifndef IKELAB_ESP_ENV_H
#define IKELAB_ESP_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "ikelab/esp.h"

enum { ESP_MODE_DECAP = 0, ESP_MODE_ROUND = 1, ESP_MODE_TAMPER = 2 };
/* ROUND flags: start the sequence number just below the wrap. */
enum { ESP_FLAG_NEAR_WRAP = 0x01 };

#define ESP_ENV_START_MS 1000000ull

/* The SAs installed; esp_env_spi(i) is SA i's SPI (both directions). */
size_t esp_env_count(void);
uint32_t esp_env_spi(size_t i);
const char *esp_env_name(size_t i);
/* Installs every SA into t (esp_table_init first); false if one fails. */
bool esp_env_install(struct esp_table *t, uint64_t now_ms);
/* Back to the state just after install: windows, sequence numbers,
 * counters; keys and OpenSSL contexts stay. */
void esp_env_reset(struct esp_table *t, uint64_t now_ms);

/* Deterministic generator (ctx: a uint64_t state). */
void esp_env_random(void *ctx, uint8_t *out, size_t len);

#endif
