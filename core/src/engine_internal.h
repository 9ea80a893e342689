/* The engine's private state, shared by its files:
 *   engine.c           creation, input dispatch, timers, trigger, inspection
 *   engine_io.c        sending (log, retransmission store), encryption,
 *                      decryption, notifies, the catalogue lines
 *   engine_proposal.c  SA payloads from rules, and choosing among offers
 *   engine_phase1.c    Main and Aggressive Mode, both roles
 *   engine_quick.c     Quick Mode, both roles
 *   engine_info.c      informational exchanges (Notify, Delete) */
#ifndef IKELAB_ENGINE_INTERNAL_H
#define IKELAB_ENGINE_INTERNAL_H

#include "ikelab/engine.h"
#include "ikelab/ike_crypto.h"
#include "ikelab/isakmp.h"

enum {
  ENGINE_P1_SETTLED = 64,    /* Phase 1 slots beyond max_half_open_phase1:
                                established SAs and our own initiations */
  ENGINE_MAX_P2 = 128,       /* Quick Mode exchanges and their SAs */
  ENGINE_NONCE_LEN = 16,     /* ours */
  ENGINE_NONCE_MAX = 256,    /* theirs: RFC 2409 §5 allows 8 to 256 bytes */
  ENGINE_MAX_MSG = 8192,     /* largest message we build */
  ENGINE_MAX_ID = 64,        /* ID payload body we keep for HASH_I/R */
  ENGINE_MAX_SA_BODY = 2048, /* SAi_b kept for HASH_I/R */
  IKE_PORT_DEFAULT = 500,
  ENGINE_LOG_KEYS = 32,           /* repeated-line keys the rate limit follows */
  ENGINE_LOG_BURST = 5,           /* warnings (and K4/K5) per key per second */
  ENGINE_LOG_BURST_PAYLOADS = 20, /* Send:/Recv: lines per key per second */
};

/* One key of the log rate limit (engine_log_limit.c). */
struct log_limit_slot {
  bool used;
  uint32_t key;
  struct log_window w;
};

enum p1_state {
  P1_FREE,
  /* Main Mode */
  P1_I_MM1_SENT, P1_I_MM3_SENT, P1_I_MM5_SENT,
  P1_R_MM2_SENT, P1_R_MM4_SENT,
  /* Aggressive Mode */
  P1_I_AM1_SENT, P1_R_AM2_SENT,
  P1_ESTABLISHED,
};

enum p2_state { P2_FREE, P2_I_QM1_SENT, P2_R_QM2_SENT, P2_ESTABLISHED };

/* What was last sent, kept for retransmission and for answering a
 * duplicate request the way a retransmission would. */
struct sent_packet {
  uint8_t *data;
  size_t len;
  unsigned retries;          /* K19 lines so far */
  uint64_t next_ms;          /* UINT64_MAX: not waiting for an answer */
};

/* A Phase 1 SA's Diffie-Hellman material, allocated when the key exchange
 * starts: a half-open SA (a flood's first message) never pays for it, and
 * the rest of the SA stays small. */
struct p1_kx {
  struct ike_dh dh;
  uint8_t gx_peer[IKE_DH_MAX];
};

struct p1_sa {
  enum p1_state state;
  bool initiator;
  uint8_t exchange;          /* ISAKMP_XCHG_IDPROT or _AGGRESSIVE */
  int rule;                  /* rule number, 0 before one is chosen */
  struct ike_endpoint local, peer;
  uint8_t icookie[8], rcookie[8];
  struct ike_p1_proposal chosen;
  uint32_t life_seconds;
  struct p1_kx *kx;          /* from the key exchange on, else NULL */
  uint8_t ni[ENGINE_NONCE_MAX], nr[ENGINE_NONCE_MAX];
  size_t ni_len, nr_len;
  uint8_t *sai_b;            /* exactly sai_len bytes, owned */
  size_t sai_len;
  uint8_t idi_b[ENGINE_MAX_ID];  /* Aggressive Mode: the initiator's ID body */
  size_t idi_len;
  struct ike_phase1_keys keys;
  uint8_t iv[IKE_BLOCK_MAX]; /* CBC state of the Phase 1 exchange */
  struct sent_packet sent;
  uint8_t last_recv[20];     /* SHA-1 of the last request accepted */
  bool have_last_recv;
  unsigned errors;
  uint64_t expires_ms;
  int pending_rule;          /* rule whose Quick Mode waits for this SA */
  unsigned peer_caps;        /* enum isakmp_vendor_cap, from its Vendor IDs */
  bool natt;                 /* both sent a NAT-T Vendor ID */
  bool natt_draft;           /* ...but the peer only a draft one (types 130/131) */
  uint64_t dpd_next_ms;      /* RFC 3706: next R-U-THERE, UINT64_MAX = off */
  uint32_t dpd_seq;
  bool dpd_outstanding;
  unsigned dpd_misses;
  bool nat_local, nat_peer;  /* NAT-D says we / the peer are behind a NAT */
};

struct p2_sa {
  enum p2_state state;
  bool initiator;
  size_t p1;                 /* index of its Phase 1 SA */
  int rule;
  uint32_t msgid;
  uint8_t iv[IKE_BLOCK_MAX];
  uint8_t ni[ENGINE_NONCE_MAX], nr[ENGINE_NONCE_MAX];
  size_t ni_len, nr_len;
  struct ike_p2_proposal chosen;
  uint32_t spi_in, spi_out;
  struct ike_dh dh;          /* PFS only */
  bool pfs;
  uint8_t gxy[IKE_DH_MAX];
  size_t gxy_len;
  struct addr_range local_net, remote_net;
  struct ike_endpoint local, peer; /* kept: the SA outlives its Phase 1 */
  bool udp_encap;
  struct sent_packet sent;
  uint8_t last_recv[20];
  bool have_last_recv;
  uint64_t expires_ms;
  uint64_t rekey_ms;         /* initiator: start the successor here */
  bool rekeyed;
};

/* A successor is negotiated when this much of an SA's lifetime has gone. */
#define ENGINE_REKEY_PERMILLE 900

struct ike_engine {
  struct ike_config cfg;
  struct ike_host host;
  uint64_t now;
  /* p1_cap slots: max_half_open_phase1 + ENGINE_P1_SETTLED, from calloc
   * (a slot never used costs no memory), grown when a new config raises
   * the limit. Slots do not move between inputs: Phase 2 SAs name theirs
   * by index. */
  struct p1_sa *p1;
  size_t p1_cap;
  struct p2_sa p2[ENGINE_MAX_P2];
  /* Every slot from p1_top (p2_top) up is free: p1_new and p2_new raise
   * the mark, ike_engine_clear resets it, and loops over a table stop there.
   * Slots are kilobytes apart, and timers and lookups scan the tables on
   * every input: scanning 192 slots for two SAs was most of a fuzz input. */
  size_t p1_top, p2_top;
  struct ike_endpoint in_from;     /* the sender of the message in */
  struct ike_engine_counters counters;
  struct {                   /* where the message in came from, for an */
    bool on;                 /* established NAT-T SA to move to once it */
    struct ike_endpoint local, peer; /* authenticates (RFC 3947 §4) */
  } moved;
  struct log_limit_slot limits[ENGINE_LOG_KEYS + 1]; /* + the overflow slot */
  /* Scratch messages: the engine is single-threaded and never nests them. */
  struct isakmp_msg in_msg, body_msg, out_msg;
  uint8_t plain[ENGINE_MAX_MSG];   /* decrypted body of the message in */
  uint8_t chain[ENGINE_MAX_MSG];   /* plaintext chain of the message out */
  uint8_t wire[ENGINE_MAX_MSG];    /* the message out, as sent */
};

/* ---- engine_log_limit.c ---- */
/* False: the rate limit holds this line back (counted). True: write it;
 * ev->suppressed tells how many of its key were held back before it. */
bool log_limit_pass(struct ike_engine *e, struct log_event *ev);

/* ---- engine.c ---- */
struct p1_sa *p1_new(struct ike_engine *e);
/* sa's key exchange material, allocated on first use; NULL: no memory. */
struct p1_kx *p1_kx(struct p1_sa *sa);
void p1_free(struct ike_engine *e, struct p1_sa *sa);
struct p2_sa *p2_new(struct ike_engine *e, struct p1_sa *p1);
void p2_free(struct ike_engine *e, struct p2_sa *sa);
size_t p1_index(const struct ike_engine *e, const struct p1_sa *sa);
struct p1_sa *p1_established_with(struct ike_engine *e, uint32_t peer, int rule);
const struct ike_rule *rule_of(const struct ike_engine *e, int number);
void random_bytes(struct ike_engine *e, uint8_t *out, size_t len);
unsigned p2_active_count(const struct ike_engine *e);

/* ---- engine_io.c ---- */
void log_simple(struct ike_engine *e, enum log_id id, int rule, uint32_t addr);
void log_range(struct ike_engine *e, enum log_id id, int rule, uint32_t start, uint32_t end);
/* peer: where the message goes (K6) or came from (K7); JSON only, and the
 * rate limit's key. */
void log_payloads(struct ike_engine *e, enum log_id id, const struct isakmp_msg *m,
                  const uint8_t *cookies_from, uint32_t peer);
/* Encodes msg (encrypting its chain when `encrypt`), logs Send:, sends it and
 * keeps it for retransmission when `expect_reply`. iv is updated to the last
 * ciphertext block. False when it could not be built or sent. */
bool send_message(struct ike_engine *e, struct p1_sa *p1, struct sent_packet *keep,
                  struct isakmp_msg *msg, bool encrypt, uint8_t *iv, bool expect_reply);
/* Decrypts e->in_msg's body into e->body_msg with iv. next_iv gets the
 * last ciphertext block; the caller adopts it only once the message has
 * proved itself (HASH), so a forged packet cannot desynchronise an SA. */
bool decrypt_body(struct ike_engine *e, const struct p1_sa *p1, const uint8_t *iv,
                  uint8_t *next_iv, struct isakmp_error *err);
/* An unencrypted (before Phase 1 is up) or protected Informational Notify. */
void send_notify(struct ike_engine *e, struct p1_sa *p1, const uint8_t icookie[8],
                 const uint8_t rcookie[8], struct ike_endpoint local, struct ike_endpoint peer,
                 uint16_t type, uint8_t protocol, uint32_t spi);
void send_notify_data(struct ike_engine *e, struct p1_sa *p1, const uint8_t icookie[8],
                      const uint8_t rcookie[8], struct ike_endpoint local,
                      struct ike_endpoint peer, uint16_t type, uint8_t protocol, uint32_t spi,
                      struct buf_slice data);
/* RFC 2407 §4.6.3.3: the peer restarted; drop every other SA with it. */
void initial_contact(struct ike_engine *e, struct p1_sa *keep);
void sent_forget(struct sent_packet *s);
bool sent_resend(struct ike_engine *e, struct ike_endpoint from, struct ike_endpoint to,
                 const struct sent_packet *s);
void header_for(struct isakmp_msg *m, const struct p1_sa *p1, uint8_t exchange,
                uint32_t msgid, uint8_t flags);
void emit_result(struct ike_engine *e, enum ike_result_kind kind, int rule, uint16_t notify,
                 struct ike_endpoint peer);
/* The plaintext bytes of payloads [from, npayloads) of m, as encoded. */
size_t encode_payloads_from(const struct isakmp_msg *m, size_t from, uint8_t *out, size_t cap);
/* Body bytes (without the generic header) of payload i of m. */
size_t payload_body(const struct isakmp_msg *m, size_t i, uint8_t *out, size_t cap);
/* The first payload of a type in m (its index in *index), or NULL. */
const struct isakmp_payload *find_payload(const struct isakmp_msg *m, uint8_t type,
                                          size_t *index);
bool packet_digest(const uint8_t *pkt, size_t len, uint8_t out[20]);
/* Our Diffie-Hellman key pair for a group, private value from the host's
 * generator (fuzz builds: one fixed pair per group, see engine_io.c). */
bool engine_dh(struct ike_engine *e, unsigned group, struct ike_dh *out);
/* ike_dh_shared(), remembered in fuzz builds (engine_io.c). */
bool engine_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t len,
                      uint8_t out[IKE_DH_MAX]);
/* Counts an error against an SA; K21 and deletion when the budget is spent.
 * Returns true when the SA was deleted. */
bool p1_error(struct ike_engine *e, struct p1_sa *sa);

/* ---- engine_proposal.c ---- */
bool p1_add_sa(struct isakmp_msg *m, const struct ike_rule *r);
/* Chooses the first offered transform that matches one of the rule's
 * proposals; responder side. Adds the one-transform reply SA to reply. */
bool p1_choose(const struct isakmp_msg *offer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p1_proposal *chosen, uint32_t *life,
               struct isakmp_msg *reply);
/* Initiator side: the responder's answer must be one of ours. */
bool p1_accept(const struct isakmp_msg *answer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p1_proposal *chosen, uint32_t *life);
/* udp: 0 plain modes; 1 the UDP-Encapsulated modes of RFC 3947 §5 (a NAT
 * was seen); 2 the draft values 61443/61444 for a draft-only peer. */
bool p2_add_sa(struct isakmp_msg *m, const struct ike_rule *r, uint32_t spi, int udp);
/* shortened: our lifetime is shorter than offered (send RESPONDER-LIFETIME). */
bool p2_choose(const struct isakmp_msg *offer, const struct isakmp_payload *sa,
               const struct ike_rule *r, uint32_t our_spi, struct ike_p2_proposal *chosen,
               uint32_t *peer_spi, struct isakmp_msg *reply, bool *shortened);
/* RESPONDER-LIFETIME data: the lifetime attributes of chosen. */
struct buf_slice p2_lifetime_attrs(const struct ike_p2_proposal *chosen);
/* Applies a RESPONDER-LIFETIME's attributes to chosen (only ever shorter). */
void p2_apply_lifetime(struct ike_p2_proposal *chosen, struct buf_slice attrs);
bool p2_accept(const struct isakmp_msg *answer, const struct isakmp_payload *sa,
               const struct ike_rule *r, struct ike_p2_proposal *chosen, uint32_t *peer_spi);

/* ---- engine_natt.c ---- */
/* Everything the Vendor IDs of m announce (enum isakmp_vendor_cap). */
unsigned vendor_caps_of(const struct isakmp_msg *m);
/* Decides NAT-T from what both sides announced. */
void natt_negotiate(struct ike_engine *e, struct p1_sa *sa);
/* Our NAT-T Vendor ID: RFC 3947, or a draft one to a draft-only peer. */
void natt_add_vid(struct isakmp_msg *m, const struct p1_sa *sa);
void dpd_add_vid(struct isakmp_msg *m);
/* DPD: schedules, sends R-U-THERE, and declares the peer dead. */
void dpd_start(struct ike_engine *e, struct p1_sa *sa);
bool dpd_timer(struct ike_engine *e, struct p1_sa *sa); /* true: SA deleted */
void dpd_ack(struct p1_sa *sa, struct buf_slice data);
/* Appends NAT-D for the peer's then our address (RFC 3947 §3.2). */
bool natt_add_natd(struct ike_engine *e, struct p1_sa *sa, struct isakmp_msg *m);
/* Compares the peer's NAT-D payloads with what we see; false when they
 * are missing (the peer claimed NAT-T). */
bool natt_check(struct ike_engine *e, struct p1_sa *sa, const struct isakmp_msg *m);
/* After NAT-D: moves the initiator to the NAT-T port when a NAT was seen. */
void natt_float(struct ike_engine *e, struct p1_sa *sa);
/* The message in authenticated under established sa: sa follows the
 * peer's NAT-T endpoint it came from. */
void natt_authenticated(struct ike_engine *e, struct p1_sa *sa);
static inline bool natt_detected(const struct p1_sa *sa) { return sa->nat_local || sa->nat_peer; }
uint16_t natt_port(const struct ike_engine *e);

/* ---- engine_phase1.c ---- */
void phase1_input(struct ike_engine *e, struct p1_sa *sa, bool is_new);
bool phase1_start(struct ike_engine *e, const struct ike_rule *r);

/* ---- engine_quick.c ---- */
void quick_input(struct ike_engine *e, struct p1_sa *p1, const uint8_t digest[20]);
bool quick_start(struct ike_engine *e, struct p1_sa *p1, const struct ike_rule *r);
void p2_sa_event(struct ike_engine *e, const struct p2_sa *sa, enum ike_event_kind kind);

/* ---- engine_info.c ---- */
void info_input(struct ike_engine *e, struct p1_sa *p1);
void send_delete_p1(struct ike_engine *e, struct p1_sa *p1);
void send_delete_p2(struct ike_engine *e, struct p1_sa *p1, const struct p2_sa *q);

#endif
