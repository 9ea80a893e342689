/* The userspace ESP datapath (RFC 4303): encapsulation, decapsulation and
 * the anti-replay window for the IPsec SAs the engine installs. No sockets,
 * no clock, no randomness of its own: the host passes the time, the packet
 * (SPI onwards; the host strips IP and any UDP/NAT-T header) and, for
 * encapsulation, a generator for IVs (engine.h's ike_random_fn).
 *
 * Suites (encr = ISAKMP_ESP_*, auth = IPSEC_AUTH_*, 0 = none):
 *   3DES, AES-CBC 128/192/256  with HMAC-MD5-96, HMAC-SHA1-96,
 *                              HMAC-SHA2-256/384/512 (RFC 4868, ICV = half
 *                              the hash), or none (encryption only, RFC 4303
 *                              §3.2.1; it lets the RFC 3602 §4 packets test)
 *   AES-GCM-16 128/192/256     auth 0 (RFC 4106: 4-byte salt after the key,
 *                              8-byte explicit IV, 16-byte ICV)
 *   NULL (RFC 2410)            with one of the HMACs above (never auth 0)
 * key_in/key_out hold the encryption key then the integrity key, as in
 * struct ike_ipsec_sa; for GCM enc_key_len counts the salt (key + 4).
 *
 * Inbound order (cheapest refusal first, RFC 4303 §3.4): header and SA,
 * minimum length, replay check, ciphertext alignment, ICV in constant time,
 * decryption, padding and next header; only then is the window updated and
 * the packet counted. A refused packet changes nothing but the SA's drop
 * counter.
 *
 * Sequence numbers are 32 bits (no ESN): the sender refuses to wrap past
 * 2^32-1 (RFC 4303 §3.3.3), the SA must be rekeyed before. */
#ifndef IKELAB_ESP_H
#define IKELAB_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"
#include "ikelab/log.h"

enum {
  ESP_TABLE_CAP = 32,        /* SAs per table */
  ESP_REPLAY_MAX = 1024,     /* largest anti-replay window, in packets */
  ESP_REPLAY_DEFAULT = 1024,
  ESP_IV_MAX = 16,
  ESP_ICV_MAX = 32,
  ESP_HEADER_LEN = 8,        /* SPI + sequence number */
  ESP_NH_IPV4 = 4,           /* next header of a tunnel-mode packet */
  ESP_NH_NONE = 59,          /* "no next header": a dummy packet (§2.6) */
  ESP_PACKET_MAX = 65535,    /* an ESP packet rides in one IPv4 datagram */
};

enum esp_verdict {
  ESP_OK,
  ESP_NO_SA,           /* inbound SPI unknown: P2 */
  ESP_REPLAY,          /* seen before or left of the window: P3 */
  ESP_AUTH_FAILED,     /* ICV (or GCM tag) mismatch: P4 */
  ESP_DECRYPT_FAILED,  /* bad length, padding or next header: P5 */
  ESP_MALFORMED,       /* too short for header, IV, trailer and ICV */
  ESP_DUMMY,           /* authentic dummy packet (next header 59): drop silently */
  ESP_SEQ_EXHAUSTED,   /* outbound: sequence number would wrap, rekey */
  ESP_NO_ROOM,         /* the caller's buffer (or the input) is too large for it */
  ESP_CRYPTO_ERROR,    /* OpenSSL refused an operation it should not */
  ESP_VERDICT_COUNT
};

/* Replay window (esp_replay.c): a ring bitmap indexed by seq mod size. */
struct esp_replay {
  uint32_t size;       /* packets, 1 .. ESP_REPLAY_MAX */
  uint32_t top;        /* highest sequence number accepted, 0 = none yet */
  uint64_t bits[ESP_REPLAY_MAX / 64];
};

struct esp_counters {
  uint64_t packets_in, bytes_in;     /* bytes = inner payload bytes */
  uint64_t packets_out, bytes_out;
  uint64_t dropped[ESP_VERDICT_COUNT];
};

struct esp_crypto;   /* OpenSSL contexts, private to esp_crypto.c */

/* One installed SA pair. Read the fields freely; change them only through
 * the functions below (tests may set seq_out to reach the wrap). */
struct esp_sa {
  bool used;
  struct ike_ipsec_sa sa;        /* copy of what the engine installed */
  size_t iv_len, block, icv_len; /* block: payload alignment (>= 4) */
  bool aead;                     /* GCM: one pass gives the ICV */
  uint32_t seq_out;              /* last sequence number sent */
  struct esp_replay replay;
  uint64_t added_ms, last_in_ms; /* last_in_ms: last authentic inbound packet */
  struct esp_counters count;
  uint8_t iv_mask[8];            /* GCM: explicit IV = seq XOR this mask */
  bool iv_mask_set;
  struct esp_crypto *crypto;
};

struct esp_table {
  struct esp_sa sa[ESP_TABLE_CAP];
  size_t count;
  uint32_t replay_window;        /* window of SAs added from now on */
  uint64_t unmatched[ESP_VERDICT_COUNT]; /* drops before an SA was found */
};

/* What decapsulation learnt, also for refused packets when known. */
struct esp_info {
  uint32_t spi, seq;
  uint8_t next_header;
  size_t pad_len;
  int rule;                      /* the SA's rule, 0 when no SA matched */
  uint32_t peer;                 /* the SA's peer address */
  struct esp_sa *sa;             /* NULL when no SA matched */
};

/* window: anti-replay packets, 0 for ESP_REPLAY_DEFAULT; clamped to 1..MAX. */
void esp_table_init(struct esp_table *t, uint32_t window);
/* Deletes every SA, wiping keys and freeing OpenSSL contexts. */
void esp_table_clear(struct esp_table *t);

/* Installs an SA (protocol ESP); false with why filled for an unsupported
 * suite, key lengths that do not match it, a duplicate inbound SPI, a full
 * table or no memory. */
bool esp_table_add(struct esp_table *t, uint64_t now_ms, const struct ike_ipsec_sa *sa,
                   char *why, size_t whylen);
bool esp_table_del(struct esp_table *t, uint32_t spi_in);
struct esp_sa *esp_table_find(struct esp_table *t, uint32_t spi_in);
struct esp_sa *esp_table_find_out(struct esp_table *t, uint32_t spi_out);

/* Decapsulates one ESP packet: on ESP_OK out holds the inner payload
 * (*outlen bytes) and info->next_header its protocol. out needs as many
 * bytes as the packet's ciphertext. info may be NULL. */
enum esp_verdict esp_decap(struct esp_table *t, uint64_t now_ms, const uint8_t *pkt,
                           size_t len, uint8_t *out, size_t cap, size_t *outlen,
                           struct esp_info *info);

/* Encapsulates inner (len bytes, protocol next_header: ESP_NH_IPV4 for
 * tunnel mode) into out as SPI, sequence number, IV, ciphertext, ICV. IVs
 * come from random (CBC: fresh random bytes per packet; GCM: the sequence
 * number XOR a mask drawn once per SA, so no IV repeats under a key). */
enum esp_verdict esp_encap(struct esp_sa *sa, uint64_t now_ms, uint8_t next_header,
                           const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
                           size_t *outlen, ike_random_fn random, void *random_ctx);
/* Bytes esp_encap writes for len inner bytes. */
size_t esp_encap_len(const struct esp_sa *sa, size_t len);

/* ---- lifetime and idle time, for the daemon's rekey, delete and P6 ---- */
enum esp_expiry { ESP_LIVE, ESP_EXPIRED_TIME, ESP_EXPIRED_BYTES };
/* life_seconds since add, or life_kbytes of inner bytes in either
 * direction; a zero lifetime never expires. */
enum esp_expiry esp_sa_expired(const struct esp_sa *sa, uint64_t now_ms);
/* Milliseconds since the last authentic inbound packet (or since add). */
uint64_t esp_sa_idle_ms(const struct esp_sa *sa, uint64_t now_ms);

/* ---- verdicts and log rows ---- */
const char *esp_verdict_name(enum esp_verdict v);
/* LOG_P2..LOG_P5 for the verdicts Table 27-2 names, else LOG_ID_COUNT. */
enum log_id esp_verdict_log_id(enum esp_verdict v);
/* Fills a catalogue event for a refused packet (rule, SPI, peer); false
 * when the verdict has no row. */
bool esp_verdict_log(enum esp_verdict v, const struct esp_info *info, uint64_t now_ms,
                     struct log_event *ev);

/* ---- primitives, exposed for known-answer tests ---- */
/* ICV length of IPSEC_AUTH_* auth (0 for none or unknown). */
size_t esp_icv_len(uint16_t auth);
/* The truncated HMAC of data under key; false for an unknown auth. */
bool esp_icv(uint16_t auth, const uint8_t *key, size_t keylen, const uint8_t *data,
             size_t len, uint8_t out[ESP_ICV_MAX]);

/* Integrity key length of an IPSEC_AUTH_* algorithm (HMAC keys are the
 * hash's length, RFC 2404/4868); 0 when unknown. The engine sizes KEYMAT
 * with it, so the two cannot disagree. */
size_t esp_auth_key_len(uint16_t auth);

#endif
