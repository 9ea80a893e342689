/* The IKEv1 engine: Main, Aggressive and Quick Mode and informational
 * exchanges for the Prestige rule model. It does no I/O.
 *
 *   in:  ike_engine_input()    a datagram arrived (now, from, to, bytes)
 *        ike_engine_tick()     time passed (now)
 *        ike_engine_trigger()  negotiate rule N (now, rule), as traffic would
 *   out: events, through the sink the host gives at creation:
 *        IKE_EV_SEND     a datagram to send; the sink returns false when the
 *                        send failed (the engine logs K20)
 *        IKE_EV_LOG      a catalogue row with its fields (log.h)
 *        IKE_EV_SA_ADD   an IPsec SA to install (keys, SPIs, selectors)
 *        IKE_EV_SA_DEL   an IPsec SA to remove
 *        IKE_EV_RESULT   a negotiation finished: up, or failed and why
 *
 * Time is a number of milliseconds the host passes in; randomness comes from
 * the host's generator; the configuration is a plain struct (rules.h) the
 * engine copies. Two engines wired by an in-memory network and a virtual
 * clock are a whole IPsec test bed with no sleeps and no sockets.
 *
 * The engine is single-threaded. Events are delivered synchronously from
 * inside the call that caused them; the sink must not call back into the
 * engine. Data pointed to by an event is valid only during the sink call. */
#ifndef IKELAB_ENGINE_H
#define IKELAB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/ike_crypto.h"
#include "ikelab/log.h"
#include "ikelab/rules.h"

struct ike_engine;

struct ike_endpoint {
  uint32_t addr;  /* IPv4, host byte order */
  uint16_t port;
};

/* The host's random generator: fills out with len bytes. Tests and fuzz
 * targets pass a seeded deterministic one; the daemon passes the OS's. */
typedef void (*ike_random_fn)(void *ctx, uint8_t *out, size_t len);

enum ike_event_kind { IKE_EV_SEND, IKE_EV_LOG, IKE_EV_SA_ADD, IKE_EV_SA_DEL, IKE_EV_RESULT };

/* Keys and parameters of one direction-pair of an IPsec SA (RFC 2409 §5.5:
 * one KEYMAT per direction, from the SPI of the receiving side). */
struct ike_ipsec_sa {
  int rule;
  uint8_t protocol;        /* ISAKMP_PROTO_ESP or _AH */
  uint8_t encr;            /* ISAKMP_ESP_* (ESP), 0 for AH */
  uint16_t key_bits;
  uint16_t auth;           /* IPSEC_AUTH_* */
  uint16_t encap;          /* IPSEC_ENCAP_* */
  uint32_t spi_in, spi_out;/* network order as numbers: 0xc0ffee01 */
  uint8_t key_in[128], key_out[128]; /* encryption key, then integrity key */
  size_t enc_key_len, auth_key_len;   /* their lengths inside key_in/key_out */
  uint32_t life_seconds, life_kbytes;
  bool udp_encap;          /* RFC 3948: a NAT was detected; ESP goes in UDP */
  struct ike_endpoint local, peer;
  struct addr_range local_net, remote_net;
};

enum ike_result_kind {
  IKE_RESULT_PHASE1_UP,
  IKE_RESULT_PHASE1_FAILED,
  IKE_RESULT_PHASE2_UP,
  IKE_RESULT_PHASE2_FAILED,
  IKE_RESULT_PHASE1_DELETED, /* the peer deleted it, or DPD found the peer dead */
};

struct ike_result {
  enum ike_result_kind kind;
  int rule;                /* 0 when no rule was chosen */
  uint16_t notify;         /* failure: the notify type sent or received, or 0 */
  struct ike_endpoint peer;
};

struct ike_event {
  enum ike_event_kind kind;
  union {
    struct {
      struct ike_endpoint from, to;
      const uint8_t *data;
      size_t len;
    } send;
    struct log_event log;
    struct ike_ipsec_sa sa;      /* SA_ADD and SA_DEL */
    struct ike_result result;
  } u;
};

/* Returns false only for a SEND that failed. */
typedef bool (*ike_sink_fn)(void *ctx, const struct ike_event *ev);

/* A protected message in the clear, for test benches and debugging (what
 * Wireshark's IKEv1 decryption table gives). msg is the whole message: the
 * header with the E flag cleared and its length covering the plaintext
 * (padding included in received ones). Received messages are reported once decrypted, before
 * their HASH is checked: a forged message shows up here too. */
struct ike_clear {
  bool sent;
  struct ike_endpoint from, to;
  const uint8_t *msg;
  size_t len;
};
typedef void (*ike_clear_fn)(void *ctx, const struct ike_clear *c);

struct ike_host {
  ike_random_fn random;
  void *random_ctx;
  ike_sink_fn sink;
  void *sink_ctx;
  /* Our addresses: where we listen and what "My IP" 0 resolves to. */
  struct ike_endpoint local;
  /* The NAT-T port (RFC 3948), 0 for 4500. Datagrams to or from it carry
   * the 4-byte non-ESP marker on the wire: the host strips it on input and
   * adds it on output; the engine never sees it. */
  uint16_t natt_port;
  /* Optional (NULL: not wanted, and it costs nothing). */
  ike_clear_fn clear;
  void *clear_ctx;
};

/* Creates an engine for a config that passed ike_config_check(). Returns
 * NULL on a bad config (why says what) or when memory runs out. */
struct ike_engine *ike_engine_new(const struct ike_config *cfg, const struct ike_host *host,
                                  char *why, size_t whylen);
void ike_engine_free(struct ike_engine *e);
/* Forgets every SA at once, sending and logging nothing: a fresh engine
 * without a fresh allocation (fuzz harnesses run one per input). */
void ike_engine_clear(struct ike_engine *e);

void ike_engine_input(struct ike_engine *e, uint64_t now_ms, struct ike_endpoint from,
                      struct ike_endpoint to, const uint8_t *pkt, size_t len);
void ike_engine_tick(struct ike_engine *e, uint64_t now_ms);
/* Starts Phase 1 (if none is up with the rule's peer) and then Quick Mode
 * for rule N. False when the rule does not exist, is inactive or dynamic. */
bool ike_engine_trigger(struct ike_engine *e, uint64_t now_ms, int rule);

/* Takes rule N down: its IPsec SAs and Phase 1 SA are deleted, each with a
 * protected Delete to the peer while its Phase 1 lives (ikelabctl down,
 * the idle time-out P6). */
void ike_engine_down(struct ike_engine *e, uint64_t now_ms, int rule);
/* The datapath reports that the IPsec SA it knows by spi_in has carried
 * most of its kilobyte lifetime (soft: start its successor now) or all of
 * it (hard: delete it, with a Delete). The engine counts no bytes itself. */
void ike_engine_sa_volume(struct ike_engine *e, uint64_t now_ms, uint32_t spi_in, bool hard);
/* Every SA deleted, each announced with a Delete: a clean shutdown. */
void ike_engine_shutdown(struct ike_engine *e, uint64_t now_ms);
/* Takes a new config without dropping what still fits it: SAs whose rule
 * is gone, inactive, or now has another gateway are taken down (with
 * Deletes); the rest are kept. False (and nothing changed) on a bad config. */
bool ike_engine_reconfigure(struct ike_engine *e, uint64_t now_ms, const struct ike_config *cfg,
                            char *why, size_t whylen);

/* Our public address changed (a new DHCP or PPP lease): logs P1 "!! WAN IP
 * changed to <addr>" and drops, without sending anything, every SA bound to
 * the old address; rules with a fixed My IP other than it are untouched.
 * The next trigger negotiates from addr. */
void ike_engine_address_changed(struct ike_engine *e, uint64_t now_ms, uint32_t addr);

/* When the engine next needs a tick (UINT64_MAX: nothing pending). */
uint64_t ike_engine_next_timer(const struct ike_engine *e);

/* ---- inspection, for status output, tests and fuzz invariants ---- */
enum ike_p1_state_kind { IKE_P1_NEGOTIATING, IKE_P1_ESTABLISHED };
struct ike_sa_info {
  int rule;
  bool initiator;
  enum ike_p1_state_kind state;
  uint8_t icookie[8], rcookie[8];
  struct ike_endpoint peer;
  unsigned phase2_up;      /* established Quick Mode SAs under it */
  unsigned errors;
  unsigned peer_vendor_caps; /* enum isakmp_vendor_cap: what its Vendor IDs said */
  bool nat_detected;
};
/* What floods cost the engine, since it was made (ike_engine_clear keeps
 * them): nothing here is a catalogue line, so a status view shows them. */
struct ike_engine_counters {
  uint64_t half_open_dropped;  /* first messages dropped at max_half_open_phase1 */
  uint64_t duplicate_requests; /* requests seen again, answered from the store */
  uint64_t malformed;          /* datagrams the decoder refused */
  uint64_t log_suppressed;     /* catalogue lines the rate limit held back */
  uint64_t unauthenticated;    /* messages under an established SA that failed
                                  to authenticate: dropped, never K21 */
};
void ike_engine_counters(const struct ike_engine *e, struct ike_engine_counters *out);
size_t ike_engine_sa_count(const struct ike_engine *e);
bool ike_engine_sa_info(const struct ike_engine *e, size_t i, struct ike_sa_info *out);
/* The established IPsec SAs, i from 0 (keys left out: zeros). */
size_t ike_engine_ipsec_count(const struct ike_engine *e);
bool ike_engine_ipsec_info(const struct ike_engine *e, size_t i, struct ike_ipsec_sa *out);
/* Checks the engine's tables against each other (counts, links, states);
 * false with why filled when something is inconsistent. */
bool ike_engine_consistent(const struct ike_engine *e, char *why, size_t whylen);

/* ---- for test benches and fuzz harnesses ---- */
/* The Phase 1 secrets of SA i (counted as ike_engine_sa_info counts), so a
 * test bench can seal and open protected messages itself: what Wireshark's
 * IKEv1 decryption table holds. False when SA i does not exist or has no
 * keys yet; keys exist from the key exchange on (a Main Mode responder
 * after message 3, its initiator after message 4, an Aggressive Mode
 * responder after message 1), before the SA is established, so a test
 * bench can seal Main Mode message 5 too. Secrets: never for a production
 * log. */
struct ike_p1_keys_info {
  uint8_t icookie[8], rcookie[8];
  struct ike_phase1_keys keys; /* algorithms, SKEYID_d/a/e, encryption key */
  /* Established: the last Phase 1 CBC block, from which every Quick Mode
   * and informational IV is hash(iv | M-ID) (RFC 2409 Appendix B,
   * ike_phase2_iv()). Not yet: the CBC state of the Phase 1 exchange, the
   * IV the peer's next encrypted Phase 1 message starts from. */
  uint8_t iv[IKE_BLOCK_MAX];
  bool established;
};
bool ike_engine_p1_keys(const struct ike_engine *e, size_t i, struct ike_p1_keys_info *out);
/* Makes dst's SAs, exchanges under way and clock copies of src's (stored
 * messages duplicated, so each engine frees its own). Config and host stay
 * dst's: create both with the same config. A fuzz harness negotiates a
 * state once and restores it before every input this way. False (dst left
 * clear) when memory runs out. */
bool ike_engine_copy_state(struct ike_engine *dst, const struct ike_engine *src);

#endif
