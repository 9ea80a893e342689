/* ESP encapsulation and decapsulation (RFC 4303 §2-§3). Untrusted bytes
 * are read only through buf.h's reader: the header into numbers, the IV and
 * ICV into locals, the ciphertext into the caller's output buffer where it
 * is verified and decrypted in place. */
#include <string.h>

#include <openssl/crypto.h>

#include "esp_internal.h"
#include "ikelab/buf.h"
#include "ikelab/isakmp_types.h"

static void put_u32(uint8_t out[4], uint32_t v)
{
  for (int i = 0; i < 4; i++)
    out[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void header(uint8_t hdr[ESP_HEADER_LEN], uint32_t spi, uint32_t seq)
{
  put_u32(hdr, spi);
  put_u32(hdr + 4, seq);
}

static bool is_cbc(const struct esp_sa *s)
{
  return !s->aead && s->iv_len != 0;
}

/* The smallest ciphertext worth looking at: one block for CBC, else the
 * pad length and next header bytes. */
static size_t min_ct(const struct esp_sa *s)
{
  return is_cbc(s) ? s->block : 2;
}

static bool tunnel(const struct esp_sa *s)
{
  uint16_t e = s->sa.encap;
  return e == IPSEC_ENCAP_TUNNEL || e == IPSEC_ENCAP_UDP_TUNNEL ||
         e == IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
}

/* Trailer of a decrypted payload (§2.4-2.6): padding 1, 2, 3 ..., its
 * length, the next header. Returns the payload length or SIZE_MAX. */
static size_t check_trailer(const struct esp_sa *s, const uint8_t *pt, size_t len,
                            struct esp_info *info)
{
  struct buf_reader r;
  uint8_t pad_len, nh, b;
  br_init(&r, pt, len);
  if (len < 2 || !br_skip(&r, len - 2) || !br_u8(&r, &pad_len) || !br_u8(&r, &nh))
    return SIZE_MAX;
  info->next_header = nh;
  info->pad_len = pad_len;
  if ((size_t)pad_len + 2 > len)
    return SIZE_MAX;
  size_t payload = len - 2 - pad_len;
  br_init(&r, pt, len);
  if (!br_skip(&r, payload))
    return SIZE_MAX;
  for (unsigned i = 1; i <= pad_len; i++)
    if (!br_u8(&r, &b) || b != i)
      return SIZE_MAX;
  /* 255 is reserved; a tunnel carries IPv4 (the Prestige has no IPv6). */
  if (nh == 255 || (tunnel(s) && nh != ESP_NH_IPV4 && nh != ESP_NH_NONE))
    return SIZE_MAX;
  return payload;
}

/* Verifies and decrypts ct (in the caller's buffer) in place. */
static enum esp_verdict open_ct(struct esp_sa *s, const uint8_t hdr[ESP_HEADER_LEN],
                                const uint8_t *iv, uint8_t *ct, size_t ct_len,
                                const uint8_t *icv)
{
  if (s->aead) {
    uint8_t tag[16];
    memcpy(tag, icv, sizeof tag);
    switch (esp_crypto_gcm(s->crypto, ESP_DIR_IN, hdr, iv, ct, ct_len, tag)) {
    case ESP_AEAD_OK: return ESP_OK;
    case ESP_AEAD_BAD_TAG: return ESP_AUTH_FAILED;
    default: return ESP_CRYPTO_ERROR;
    }
  }
  if (s->icv_len) {
    uint8_t want[ESP_ICV_MAX];
    if (!esp_crypto_icv(s->crypto, ESP_DIR_IN, hdr, iv, s->iv_len, ct, ct_len, want))
      return ESP_CRYPTO_ERROR;
    if (CRYPTO_memcmp(want, icv, s->icv_len) != 0)
      return ESP_AUTH_FAILED;
  }
  return esp_crypto_cbc(s->crypto, ESP_DIR_IN, iv, ct, ct_len) ? ESP_OK : ESP_CRYPTO_ERROR;
}

static enum esp_verdict drop(struct esp_sa *s, enum esp_verdict v, uint8_t *out, size_t n)
{
  if (n)
    OPENSSL_cleanse(out, n);   /* never hand out unauthenticated plaintext */
  s->count.dropped[v]++;
  return v;
}

static enum esp_verdict decap_sa(struct esp_sa *s, uint64_t now_ms, struct buf_reader *r,
                                 uint8_t *out, size_t cap, size_t *outlen,
                                 struct esp_info *info)
{
  size_t body = br_left(r);
  if (body < s->iv_len + s->icv_len + min_ct(s))
    return drop(s, ESP_MALFORMED, out, 0);
  if (!esp_replay_check(&s->replay, info->seq))
    return drop(s, ESP_REPLAY, out, 0);
  size_t ct_len = body - s->iv_len - s->icv_len;
  if (ct_len > cap)
    return drop(s, ESP_NO_ROOM, out, 0);
  if (is_cbc(s) && ct_len % s->block != 0)
    return drop(s, ESP_DECRYPT_FAILED, out, 0);
  uint8_t hdr[ESP_HEADER_LEN], iv[ESP_IV_MAX], icv[ESP_ICV_MAX];
  header(hdr, info->spi, info->seq);
  if (!br_copy(r, iv, s->iv_len) || !br_copy(r, out, ct_len) || !br_copy(r, icv, s->icv_len))
    return drop(s, ESP_MALFORMED, out, 0);
  enum esp_verdict v = open_ct(s, hdr, iv, out, ct_len, icv);
  if (v != ESP_OK)
    return drop(s, v, out, ct_len);
  size_t payload = check_trailer(s, out, ct_len, info);
  if (payload == SIZE_MAX)
    return drop(s, ESP_DECRYPT_FAILED, out, ct_len);
  /* Authentic and well formed: only now may the window move (§3.4.3). */
  esp_replay_update(&s->replay, info->seq);
  s->last_in_ms = now_ms;
  if (info->next_header == ESP_NH_NONE)
    return drop(s, ESP_DUMMY, out, ct_len);
  s->count.packets_in++;
  s->count.bytes_in += payload;
  *outlen = payload;
  return ESP_OK;
}

enum esp_verdict esp_decap(struct esp_table *t, uint64_t now_ms, const uint8_t *pkt,
                           size_t len, uint8_t *out, size_t cap, size_t *outlen,
                           struct esp_info *info)
{
  struct esp_info scratch;
  struct buf_reader r;
  uint32_t spi, seq;
  if (info == NULL)
    info = &scratch;
  memset(info, 0, sizeof *info);
  *outlen = 0;
  br_init(&r, pkt, len);
  if (len > ESP_PACKET_MAX || !br_u32(&r, &spi) || !br_u32(&r, &seq)) {
    t->unmatched[ESP_MALFORMED]++;
    return ESP_MALFORMED;
  }
  info->spi = spi;
  info->seq = seq;
  struct esp_sa *s = esp_table_find(t, spi);
  if (s == NULL) {
    t->unmatched[ESP_NO_SA]++;
    return ESP_NO_SA;
  }
  info->sa = s;
  info->rule = s->sa.rule;
  info->peer = s->sa.peer.addr;
  return decap_sa(s, now_ms, &r, out, cap, outlen, info);
}

static size_t pad_for(const struct esp_sa *s, size_t len)
{
  return (s->block - (len + 2) % s->block) % s->block;
}

size_t esp_encap_len(const struct esp_sa *s, size_t len)
{
  return ESP_HEADER_LEN + s->iv_len + len + pad_for(s, len) + 2 + s->icv_len;
}

/* CBC: fresh random IV. GCM: seq XOR a per-SA mask, unique under the key
 * for the SA's whole life (RFC 4106 §3.1), whatever the generator does. */
static bool make_iv(struct esp_sa *s, uint32_t seq, uint8_t iv[ESP_IV_MAX],
                    ike_random_fn random, void *ctx)
{
  if (s->iv_len == 0)
    return true;
  if (random == NULL)
    return false;
  if (!s->aead) {
    random(ctx, iv, s->iv_len);
    return true;
  }
  if (!s->iv_mask_set) {
    random(ctx, s->iv_mask, sizeof s->iv_mask);
    s->iv_mask_set = true;
  }
  uint8_t seq64[8] = {0};
  put_u32(seq64 + 4, seq);
  for (size_t i = 0; i < 8; i++)
    iv[i] = s->iv_mask[i] ^ seq64[i];
  return true;
}

enum esp_verdict esp_encap(struct esp_sa *s, uint64_t now_ms, uint8_t next_header,
                           const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
                           size_t *outlen, ike_random_fn random, void *random_ctx)
{
  (void)now_ms;  /* lifetimes are the caller's decision (esp_sa_expired) */
  *outlen = 0;
  if (s == NULL || !s->used)
    return ESP_NO_SA;
  if (len > ESP_PACKET_MAX || esp_encap_len(s, len) > cap)
    return ESP_NO_ROOM;
  if (s->seq_out == UINT32_MAX)
    return ESP_SEQ_EXHAUSTED;   /* §3.3.3: never wrap, rekey instead */
  uint32_t seq = s->seq_out + 1;
  uint8_t hdr[ESP_HEADER_LEN], iv[ESP_IV_MAX], icv[ESP_ICV_MAX];
  header(hdr, s->sa.spi_out, seq);
  if (!make_iv(s, seq, iv, random, random_ctx))
    return ESP_CRYPTO_ERROR;
  struct buf_reader r;
  struct buf_writer w;
  size_t pad = pad_for(s, len), ct_len = len + pad + 2;
  br_init(&r, inner, len);
  bw_init(&w, out, cap);
  bw_bytes(&w, hdr, sizeof hdr);
  bw_bytes(&w, iv, s->iv_len);
  bw_slice(&w, br_rest(&r));
  for (size_t i = 1; i <= pad; i++)
    bw_u8(&w, (uint8_t)i);
  bw_u8(&w, (uint8_t)pad);
  bw_u8(&w, next_header);
  if (!bw_ok(&w))
    return ESP_NO_ROOM;
  uint8_t *ct = out + ESP_HEADER_LEN + s->iv_len;   /* our own output, just written */
  bool ok;
  if (s->aead) {
    ok = esp_crypto_gcm(s->crypto, ESP_DIR_OUT, hdr, iv, ct, ct_len, icv) == ESP_AEAD_OK;
  } else {
    ok = esp_crypto_cbc(s->crypto, ESP_DIR_OUT, iv, ct, ct_len) &&
         (s->icv_len == 0 ||
          esp_crypto_icv(s->crypto, ESP_DIR_OUT, hdr, iv, s->iv_len, ct, ct_len, icv));
  }
  bw_bytes(&w, icv, s->icv_len);
  if (!ok || !bw_ok(&w)) {
    OPENSSL_cleanse(out, cap < bw_pos(&w) ? cap : bw_pos(&w));
    return ESP_CRYPTO_ERROR;
  }
  s->seq_out = seq;
  s->count.packets_out++;
  s->count.bytes_out += len;
  *outlen = bw_pos(&w);
  return ESP_OK;
}

const char *esp_verdict_name(enum esp_verdict v)
{
  static const char *const names[ESP_VERDICT_COUNT] = {
      [ESP_OK] = "ok", [ESP_NO_SA] = "no SA", [ESP_REPLAY] = "replay",
      [ESP_AUTH_FAILED] = "authentication failed", [ESP_DECRYPT_FAILED] = "decryption failed",
      [ESP_MALFORMED] = "malformed", [ESP_DUMMY] = "dummy packet",
      [ESP_SEQ_EXHAUSTED] = "sequence numbers exhausted", [ESP_NO_ROOM] = "no room",
      [ESP_CRYPTO_ERROR] = "crypto error"};
  return (unsigned)v < ESP_VERDICT_COUNT ? names[v] : "unknown";
}

enum log_id esp_verdict_log_id(enum esp_verdict v)
{
  switch (v) {
  case ESP_NO_SA: return LOG_P2;
  case ESP_REPLAY: return LOG_P3;
  case ESP_AUTH_FAILED: return LOG_P4;
  case ESP_DECRYPT_FAILED: return LOG_P5;
  default: return LOG_ID_COUNT;
  }
}

bool esp_verdict_log(enum esp_verdict v, const struct esp_info *info, uint64_t now_ms,
                     struct log_event *ev)
{
  enum log_id id = esp_verdict_log_id(v);
  if (id == LOG_ID_COUNT)
    return false;
  memset(ev, 0, sizeof *ev);
  ev->id = id;
  ev->time_ms = now_ms;
  if (info) {
    ev->f.rule = info->rule;
    ev->f.spi = info->spi;
    ev->f.peer = info->peer;
  }
  return true;
}
