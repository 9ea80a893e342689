/* The gateway's datapath decisions around the ESP table (esp.h): which SA
 * carries an outbound IPv4 packet, when traffic must trigger a rule, whether
 * a decapsulated packet may leave the tunnel, the idle time-out (P6) and the
 * NAT keepalive schedule. No I/O: ikelabd reads TUN and sockets and acts on
 * the answers, tests drive it with plain buffers and a virtual clock.
 *
 * Outbound (RFC 4301 §5.1, selectors only): the packet's source must be in
 * an SA's local_net and its destination in its remote_net; the newest such
 * SA wins (a rekey installs the new SA before the old one is deleted).
 * Without one, the first active rule with a fixed gateway whose Local and
 * Remote cover the packet is named for ike_engine_trigger, at most once per
 * the engine's whole retransmission span, so a stream of packets during a
 * negotiation does not ask again and again (each ask logs K10).
 *
 * Inbound (§5.2): after esp_decap, the inner packet must be tunnel mode
 * IPv4 (next header 4) with source in the SA's remote_net and destination
 * in its local_net; anything else is dropped and counted. */
#ifndef IKELAB_DATAPATH_H
#define IKELAB_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"
#include "ikelab/esp.h"
#include "ikelab/log.h"
#include "ikelab/rules.h"

enum { DP_RULE_MAX = 999, DP_KEEPALIVE_MS = 20000 /* RFC 3948 §4 suggests 20 s */ };

enum dp_drop {
  DP_DROP_NOT_IPV4,   /* outbound or inner packet is not a whole IPv4 header */
  DP_DROP_NO_RULE,    /* outbound: no SA and no rule covers it */
  DP_DROP_NEGOTIATING,/* outbound: no SA yet, the rule was triggered */
  DP_DROP_NOT_UDP,    /* outbound: SA is not UDP-encapsulated (no raw socket) */
  DP_DROP_ENCAP,      /* esp_encap refused (sequence exhausted, too big) */
  DP_DROP_ESP,        /* inbound: esp_decap refused (see the table's counters) */
  DP_DROP_TRANSPORT,  /* inbound: next header is not IPv4 (tunnel mode only) */
  DP_DROP_SELECTOR,   /* inbound: inner addresses outside the SA's selectors */
  DP_DROP_COUNT
};

struct dp_stats {
  uint64_t encap, decap;          /* packets carried each way */
  uint64_t triggers;
  uint64_t drop[DP_DROP_COUNT];
  uint64_t log_suppressed;        /* P2-P5 lines the rate limit held back */
};

/* P2-P5 come from whoever sends ESP, as fast as they like: at most
 * DP_LOG_BURST lines of each row a second reach the log, the rest are
 * counted, and the next line written carries their number (JSON). */
enum { DP_LOG_BURST = 5, DP_LOG_ROWS = 4 /* P2, P3, P4, P5 */ };

struct datapath {
  struct esp_table table;
  /* The host can carry plain ESP (IP protocol 50), not only ESP in UDP.
   * ikelabd cannot (it has no raw socket); the conformance world can. */
  bool raw_esp;
  bool volume_soft[ESP_TABLE_CAP];      /* soft volume limit reported, by slot */
  uint64_t trigger_ms[DP_RULE_MAX + 1]; /* when rule N was last triggered, 0 never */
  uint64_t keepalive_ms;                /* when keepalives last went out */
  struct dp_stats stats;
  struct log_window limit[DP_LOG_ROWS];
};

/* Volume lifetimes (RFC 2407 SA Life Duration in kilobytes): the next SA
 * that crossed 90% of its kilobytes (hard false) or all of them (hard true,
 * and the SA is removed here). Each SA is reported soft once. */
bool dp_volume_expire(struct datapath *dp, uint32_t *spi_in, bool *hard);

void dp_init(struct datapath *dp);
/* Removes every SA (keys wiped) and forgets the trigger times. */
void dp_clear(struct datapath *dp);

/* SA_ADD / SA_DEL from the engine. Add refuses what esp_table_add refuses
 * (AH, unsupported suites) with why filled. */
bool dp_sa_add(struct datapath *dp, uint64_t now_ms, const struct ike_ipsec_sa *sa, char *why,
               size_t whylen);
bool dp_sa_del(struct datapath *dp, const struct ike_ipsec_sa *sa);

/* ---- outbound ---- */
enum dp_out_kind {
  DP_OUT_SEND,    /* out holds an ESP packet (SPI first) for from -> to */
  DP_OUT_TRIGGER, /* call ike_engine_trigger(rule); the packet is dropped */
  DP_OUT_DROP,    /* dropped; drop says why (already counted) */
};
struct dp_out {
  enum dp_out_kind kind;
  int rule;
  struct ike_endpoint from, to;   /* SEND: the SA's local and peer endpoints */
  size_t len;                     /* SEND: bytes in out */
  enum dp_drop drop;              /* DROP (and TRIGGER: NEGOTIATING) */
  enum esp_verdict verdict;       /* DROP with DP_DROP_ENCAP */
};
void dp_outbound(struct datapath *dp, const struct ike_config *cfg, uint64_t now_ms,
                 const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
                 ike_random_fn random, void *random_ctx, struct dp_out *res);

/* ---- inbound ---- */
/* pkt is the ESP packet (SPI onwards). Returns true when out holds an inner
 * IPv4 packet (*outlen bytes) to deliver. Otherwise, when the refusal has a
 * Table 27-2 row (P2-P5), *log is set and ev filled. */
bool dp_inbound(struct datapath *dp, uint64_t now_ms, const uint8_t *pkt, size_t len,
                uint8_t *out, size_t cap, size_t *outlen, bool *log, struct log_event *ev);

/* ---- timers ---- */
/* Removes one SA idle (no authentic inbound packet) for idle_ms or longer
 * and fills ev with its P6 row; false when none is. Call until false. */
bool dp_idle_expire(struct datapath *dp, uint64_t now_ms, uint32_t idle_ms,
                    struct log_event *ev);
/* When keepalives are due (every DP_KEEPALIVE_MS while a UDP-encapsulated
 * SA exists), fills from/to with up to max distinct endpoint pairs, marks
 * them sent and returns their count; 0 otherwise. */
size_t dp_keepalives(struct datapath *dp, uint64_t now_ms, struct ike_endpoint *from,
                     struct ike_endpoint *to, size_t max);
/* Milliseconds until dp_idle_expire or dp_keepalives may have work
 * (UINT64_MAX: no SA installed). */
uint64_t dp_next_timer(const struct datapath *dp, uint64_t now_ms, uint32_t idle_ms);

const char *dp_drop_name(enum dp_drop d);

#endif
