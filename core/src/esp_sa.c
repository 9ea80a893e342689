/* The ESP SA table: fixed capacity, found by inbound SPI (the key the
 * receiver chose, RFC 4303 §2.1), plus lifetime and idle-time queries. Keys
 * are copied in at add and wiped at delete. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "esp_internal.h"

void esp_table_init(struct esp_table *t, uint32_t window)
{
  memset(t, 0, sizeof *t);
  t->replay_window = window;
}

static void sa_wipe(struct esp_sa *s)
{
  esp_crypto_free(s->crypto);
  OPENSSL_cleanse(s, sizeof *s);
}

void esp_table_clear(struct esp_table *t)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    if (t->sa[i].used)
      sa_wipe(&t->sa[i]);
  t->count = 0;
}

struct esp_sa *esp_table_find(struct esp_table *t, uint32_t spi_in)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    if (t->sa[i].used && t->sa[i].sa.spi_in == spi_in)
      return &t->sa[i];
  return NULL;
}

struct esp_sa *esp_table_find_out(struct esp_table *t, uint32_t spi_out)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    if (t->sa[i].used && t->sa[i].sa.spi_out == spi_out)
      return &t->sa[i];
  return NULL;
}

static bool fail(char *why, size_t whylen, const char *text, uint32_t spi)
{
  if (why && whylen)
    snprintf(why, whylen, "%s (SPI 0x%08x)", text, spi);
  return false;
}

bool esp_table_add(struct esp_table *t, uint64_t now_ms, const struct ike_ipsec_sa *sa,
                   char *why, size_t whylen)
{
  struct esp_suite suite;
  if (!esp_suite_of(sa, &suite, why, whylen))
    return false;
  /* SPIs 1-255 are reserved (RFC 4303 §2.1); 0 never goes on the wire. */
  if (sa->spi_in < 256 || sa->spi_out < 256)
    return fail(why, whylen, "reserved SPI", sa->spi_in < 256 ? sa->spi_in : sa->spi_out);
  if (esp_table_find(t, sa->spi_in))
    return fail(why, whylen, "inbound SPI already installed", sa->spi_in);
  struct esp_sa *slot = NULL;
  for (size_t i = 0; i < ESP_TABLE_CAP && !slot; i++)
    if (!t->sa[i].used)
      slot = &t->sa[i];
  if (slot == NULL)
    return fail(why, whylen, "ESP SA table full", sa->spi_in);
  struct esp_crypto *c = esp_crypto_new(sa, &suite);
  if (c == NULL)
    return fail(why, whylen, "OpenSSL could not key the SA", sa->spi_in);
  memset(slot, 0, sizeof *slot);
  slot->used = true;
  slot->sa = *sa;
  slot->iv_len = suite.iv_len;
  slot->block = suite.block;
  slot->icv_len = suite.icv_len;
  slot->aead = suite.aead;
  slot->added_ms = slot->last_in_ms = now_ms;
  slot->crypto = c;
  esp_replay_init(&slot->replay, t->replay_window);
  t->count++;
  return true;
}

bool esp_table_del(struct esp_table *t, uint32_t spi_in)
{
  struct esp_sa *s = esp_table_find(t, spi_in);
  if (s == NULL)
    return false;
  sa_wipe(s);
  t->count--;
  return true;
}

enum esp_expiry esp_sa_expired(const struct esp_sa *s, uint64_t now_ms)
{
  uint64_t life_ms = (uint64_t)s->sa.life_seconds * 1000u;
  uint64_t life_bytes = (uint64_t)s->sa.life_kbytes * 1024u;
  if (life_ms && now_ms >= s->added_ms && now_ms - s->added_ms >= life_ms)
    return ESP_EXPIRED_TIME;
  if (life_bytes && (s->count.bytes_in >= life_bytes || s->count.bytes_out >= life_bytes))
    return ESP_EXPIRED_BYTES;
  return ESP_LIVE;
}

uint64_t esp_sa_idle_ms(const struct esp_sa *s, uint64_t now_ms)
{
  return now_ms > s->last_in_ms ? now_ms - s->last_in_ms : 0;
}
