/* The Prestige 652 VPN rule model (LOGS.md "The rule model these messages
 * speak of") and the policy decisions the IKE engine asks of it.
 *
 * Everything here is a pure function of its arguments: no I/O, no clock, no
 * globals. A decision returns a verdict plus exactly the data its Table 27-1
 * log line needs (rule number, range start/end), so the engine only maps
 * verdict -> catalogue row.
 *
 * IPv4 addresses are uint32_t in host byte order (10.0.0.1 == 0x0a000001).
 * Algorithm fields hold the numbers of isakmp_types.h (OAKLEY_ENCR_*,
 * OAKLEY_HASH_*, OAKLEY_GROUP_*, ISAKMP_PROTO_*, ISAKMP_ESP_*, IPSEC_AUTH_*,
 * IPSEC_ENCAP_*), so a proposal compares directly with decoded attributes. */
#ifndef IKELAB_RULES_H
#define IKELAB_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"

/* ---------------------------------------------------------------------------
 * Address ranges: the router's Single / Range / Subnet.
 *
 * Validity (addr_range_valid) is structural only:
 *   single  any address;
 *   range   a <= b (a == b is a one-address range);
 *   subnet  b is a contiguous mask (0.0.0.0 .. 255.255.255.255) and a has no
 *           host bits set: 10.0.0.5/255.255.255.0 is refused, because the
 *           writer of it meant something the ID payload cannot say.
 * There is no "0.0.0.0 means any" in a Single: "any" is the subnet
 * 0.0.0.0/0.0.0.0. Whether 0.0.0.0 or multicast may appear at all is a
 * policy question (ike_config_check, addr_range_peer_usable), not this one.
 *
 * Equality and overlap compare the address sets, not the spelling: Single
 * 10.0.0.1, Range 10.0.0.1-10.0.0.1 and Subnet 10.0.0.1/32 are equal. Peers
 * encode one host either way (strongSwan sends ID_IPV4_ADDR for a /32). */
enum addr_kind { ADDR_SINGLE, ADDR_RANGE, ADDR_SUBNET };

struct addr_range {
  enum addr_kind kind;
  uint32_t a; /* single: the address; range: start; subnet: address */
  uint32_t b; /* single: unused;      range: end;   subnet: mask */
};

static inline struct addr_range addr_single(uint32_t a)
{
  return (struct addr_range){ADDR_SINGLE, a, 0};
}
static inline struct addr_range addr_span(uint32_t start, uint32_t end)
{
  return (struct addr_range){ADDR_RANGE, start, end};
}
static inline struct addr_range addr_subnet(uint32_t addr, uint32_t mask)
{
  return (struct addr_range){ADDR_SUBNET, addr, mask};
}
/* 10.0.0.1 as IPV4(10, 0, 0, 1), for tables. */
#define IPV4(x, y, z, w) \
  ((uint32_t)(x) << 24 | (uint32_t)(y) << 16 | (uint32_t)(z) << 8 | (uint32_t)(w))

bool addr_mask_contiguous(uint32_t mask);
bool addr_range_valid(const struct addr_range *r);
/* Lowest and highest address covered. For an invalid subnet the host bits
 * are simply masked off; callers check validity first. */
void addr_range_bounds(const struct addr_range *r, uint32_t *lo, uint32_t *hi);
/* Both valid and covering the same addresses. */
bool addr_range_equal(const struct addr_range *x, const struct addr_range *y);
/* At least one address in common (both valid). */
bool addr_range_overlap(const struct addr_range *x, const struct addr_range *y);
/* Every address of inner is in outer (both valid). */
bool addr_range_contains(const struct addr_range *outer, const struct addr_range *inner);
/* May a peer claim this range as its side of a dynamic rule (K16)? Valid,
 * and touching none of: 0.0.0.0 (a claim on "any" or "this host"),
 * 127.0.0.0/8 (loopback), 224.0.0.0/3 (multicast, class E and the limited
 * broadcast 255.255.255.255). Such a range could never be routed through a
 * tunnel, or would swallow every other rule's traffic. */
bool addr_range_peer_usable(const struct addr_range *r);
/* The two addresses a K16/K17 line prints: the bounds when the range is
 * valid, otherwise the two raw fields as the peer sent them (a, a for a
 * Single), so the log shows what was wrong. */
void addr_range_log_bounds(const struct addr_range *r, uint32_t *start, uint32_t *end);

/* ISAKMP proxy IDs (RFC 2407 §4.6.2): ID_IPV4_ADDR (4 bytes),
 * ID_IPV4_ADDR_SUBNET (address, mask) and ID_IPV4_ADDR_RANGE (start, end),
 * 8 bytes, network byte order. from_id refuses other ID types and wrong
 * lengths; it does not judge validity (that is the policy's job, so the
 * verdict can name the right log row). */
bool addr_range_from_id(uint8_t id_type, struct buf_slice data, struct addr_range *out);
/* Writes the ID data; returns its length (4 or 8), or 0 for an unknown kind. */
size_t addr_range_to_id(const struct addr_range *r, uint8_t *id_type, uint8_t out[8]);

/* ---------------------------------------------------------------------------
 * Rules. */
enum { IKE_MAX_PROPOSALS = 4, IKE_MAX_RULES = 32, IKE_RULE_NAME_MAX = 32, IKE_PSK_MAX = 64 };
/* The router's lower bound on both SA lifetimes ("minimum 180 seconds"). */
enum { IKE_MIN_LIFETIME_S = 180 };
/* The router accepts 8-31 ASCII characters; we take 8-64 raw bytes. */
enum { IKE_PSK_MIN = 8 };

enum ike_keymgmt { IKE_KEYMGMT_IKE, IKE_KEYMGMT_MANUAL };
enum ike_mode { IKE_MODE_MAIN, IKE_MODE_AGGRESSIVE };

struct ike_p1_proposal {
  uint16_t encr;     /* OAKLEY_ENCR_DES_CBC, _3DES_CBC, _AES_CBC */
  uint16_t key_bits; /* AES: 128/192/256; others: 0 */
  uint16_t hash;     /* OAKLEY_HASH_MD5, _SHA1, _SHA2_256/384/512 */
  uint16_t group;    /* OAKLEY_GROUP_MODP768/1024/1536/2048/3072/4096 */
  uint32_t life_seconds;
};

struct ike_p2_proposal {
  uint8_t protocol;  /* ISAKMP_PROTO_ESP or ISAKMP_PROTO_AH */
  uint8_t encr;      /* ESP: ISAKMP_ESP_DES, _3DES, _AES_CBC, _NULL; AH: 0 */
  uint16_t key_bits; /* ESP AES: 128/192/256; others: 0 */
  uint16_t auth;     /* IPSEC_AUTH_HMAC_MD5/_SHA1/_SHA2_256; 0 = none (ESP only) */
  uint16_t pfs;      /* 0 = no PFS, else an OAKLEY_GROUP_* */
  uint16_t encap;    /* IPSEC_ENCAP_TUNNEL or IPSEC_ENCAP_TRANSPORT */
  uint32_t life_seconds;
  uint32_t life_kbytes; /* 0 = no volume limit */
};

struct ike_rule {
  int number; /* from 1, unique; what <#d> prints */
  bool active;
  char name[IKE_RULE_NAME_MAX]; /* NUL-terminated */
  uint32_t my_ip;               /* 0 = any of our addresses */
  uint32_t secure_gateway;      /* 0 = dynamic: only the peer initiates */
  struct addr_range local, remote; /* remote is not consulted when dynamic */
  enum ike_keymgmt keymgmt;
  enum ike_mode mode;
  uint8_t psk[IKE_PSK_MAX];
  size_t psk_len;
  struct ike_p1_proposal p1[IKE_MAX_PROPOSALS]; /* in order of preference */
  size_t np1;
  struct ike_p2_proposal p2[IKE_MAX_PROPOSALS];
  size_t np2;
};

static inline bool ike_rule_dynamic(const struct ike_rule *r) { return r->secure_gateway == 0; }

struct ike_globals {
  unsigned max_active_phase2;     /* "Active connection allowed" (K18) */
  unsigned retransmit_count;      /* K19 lines before giving up */
  uint32_t retransmit_interval_ms;
  unsigned error_budget;          /* errors on one SA before K21 */
  unsigned max_half_open_phase1;  /* Phase 1 SAs not yet done, all peers */
  uint32_t idle_timeout_ms;       /* P6 */
  bool nat_traversal;             /* RFC 3947: offer it, float to the NAT-T port */
  uint32_t dpd_interval_ms;       /* RFC 3706: R-U-THERE this often; 0 = off */
};

struct ike_config {
  struct ike_globals g;
  struct ike_rule rules[IKE_MAX_RULES];
  size_t nrules;
};

/* Defaults, documented in rules.c beside the values. */
void ike_globals_default(struct ike_globals *g);
/* An active Main Mode IKE rule with one Phase 1 and one Phase 2 proposal;
 * addresses, gateway and PSK are left empty for the caller. */
void ike_rule_default(struct ike_rule *r, int number);
/* Copies a PSK in; false when it does not fit. */
bool ike_rule_set_psk(struct ike_rule *r, const char *psk);

/* True when the whole config can be used. Otherwise why holds one line
 * naming the rule, the field and the offending value, e.g.
 * "rule 3: p1[0].hash = 3 (Tiger): not supported". */
bool ike_config_check(const struct ike_config *cfg, char *why, size_t whylen);

const struct ike_rule *ike_rule_find(const struct ike_config *cfg, int number);

/* ---------------------------------------------------------------------------
 * Decisions. */

/* a) Phase 1 responder. With a PSK in Main Mode the peer's identity is only
 * known after the key is in use, so the key - and the rule - must be chosen
 * by the peer's address: static rules whose secure gateway is the peer and
 * whose My IP is ours (or 0 = any), then dynamic rules. Only active IKE
 * rules of the exchange's mode take part, in table order within each group. */
struct ike_p1_candidates {
  const struct ike_rule *rule[IKE_MAX_RULES];
  size_t n;
  size_t nstatic; /* rule[0 .. nstatic-1] are static */
};
size_t ike_p1_candidates(const struct ike_config *cfg, uint32_t peer, uint32_t local,
                         enum ike_mode mode, struct ike_p1_candidates *out);

/* One established (or being installed) Phase 2 connection. */
struct ike_conn {
  int rule;      /* the rule it belongs to */
  uint32_t peer; /* the peer's address */
  struct addr_range local, remote;
};

/* b) Phase 2 responder for the rule Phase 1 chose. The proxy IDs come from
 * the Quick Mode ID payloads (IDci = the peer's side, IDcr = ours); with no
 * IDs, RFC 2409 §5.5 says they are the Phase 1 addresses, and the engine
 * passes those as Singles. */
enum ike_p2_verdict {
  IKE_P2_OK,
  IKE_P2_LOCAL_ID_FAILED,   /* K13 */
  IKE_P2_REMOTE_ID_FAILED,  /* K14 */
  IKE_P2_RULE_CONFLICT,     /* K15: rule_number = the other rule d */
  IKE_P2_INVALID_IP,        /* K16: start/end = the peer's range */
  IKE_P2_REMOTE_CONFLICT,   /* K17: start/end = the peer's range */
};

struct ike_p2_request {
  const struct ike_rule *rule;   /* never NULL: Phase 1 chose it */
  uint32_t peer;
  struct addr_range idci, idcr;
  const struct ike_conn *active; /* connections up now, any rule */
  size_t nactive;
};

struct ike_p2_result {
  enum ike_p2_verdict verdict;
  int rule_number;     /* K15: the conflicting rule; otherwise the request's */
  uint32_t start, end; /* K16/K17 */
  struct ike_conn conn;  /* OK: the connection to install */
};

enum ike_p2_verdict ike_p2_check(const struct ike_config *cfg, const struct ike_p2_request *req,
                                 struct ike_p2_result *out);

/* c) "Two active SAs cannot have both the local and the remote addresses the
 * same": read as "share a (local, remote) address pair", i.e. both ranges
 * overlap, since a packet from that pair could not choose its SA. at gets
 * the index of the first conflicting connection when not NULL. */
bool ike_sa_pair_conflicts(const struct addr_range *local, const struct addr_range *remote,
                           const struct ike_conn *established, size_t n, size_t *at);

/* K18: may another Phase 2 negotiation start while n are active or under way? */
static inline bool ike_phase2_allowed(const struct ike_globals *g, size_t n)
{
  return n < g->max_active_phase2;
}

#endif
