/* The world a conformance case plays in: two engines on engine_net's
 * in-memory network, each with a datapath (ESP, P2-P6), a wire that applies
 * the case's impairments, and a trace of everything carried, with the
 * clear copy of each encrypted message. All on the virtual clock. */
#ifndef IKELAB_CONFORM_WORLD_H
#define IKELAB_CONFORM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_net.h"
#include "ikelab/datapath.h"
#include "scenario.h"

enum { TRACE_MAX = 256, HELD_MAX = 16 };

enum trace_kind { TR_IKE, TR_ESP };

struct trace_entry {
  enum trace_kind kind;
  int from;                    /* side index */
  bool injected;               /* made by the case, not by an engine */
  uint64_t at_ms;
  unsigned impaired;           /* what the wire did to it (enum impair_kind), 0 none */
  uint8_t data[NET_MAX_PACKET];
  size_t len;
  /* The datagram as its sender made it, before the wire changed it, so a
   * retransmission (the same bytes) is known as one. */
  uint64_t sent_hash;
  /* The sender's clear copy when the message is encrypted (clear_len 0:
   * not encrypted, or not ours to see). */
  uint8_t clear[NET_MAX_PACKET];
  size_t clear_len;
};

struct held_packet {
  struct net_packet p;
  uint64_t due_ms;             /* UINT64_MAX: after the next delivery */
};

struct world {
  struct net net;
  struct ike_config cfg[2];
  struct datapath dp[2];
  size_t dp_added[2], dp_deleted[2]; /* engine SA events applied so far */
  unsigned esp_delivered[2];   /* inner packets each datapath let through */
  uint8_t last_esp[2][NET_MAX_PACKET];
  size_t last_esp_len[2];
  uint32_t esp_seq;            /* inner packets made so far (IP ID) */
  const struct impairment *impair;
  bool drop_all;               /* the wire loses everything (a silent peer) */
  unsigned carried;            /* IKE datagrams taken off the wire so far */
  struct held_packet held[HELD_MAX];
  size_t nheld;
  struct trace_entry trace[TRACE_MAX];
  size_t ntrace;
  /* Side B is a real peer behind a socket (remote_world.h), or NULL: the
   * in-memory world. */
  struct remote_world *remote;
};

/* A fresh world for the case's configs. False (why filled) when an engine
 * refuses its config. */
bool world_init(struct world *w, const struct ike_config *a, const struct ike_config *b,
                const struct impairment *impair, char *why, size_t whylen);
void world_free(struct world *w);

/* Delivers, fires engine and datapath timers, and advances the clock to
 * until_ms (or stops early when nothing is left before it). */
void world_run(struct world *w, uint64_t until_ms);
/* Hands side `to` a datagram as if it came from the other side. */
void world_inject(struct world *w, int to, const uint8_t *pkt, size_t len);
/* Delivers wire datagram k (from 1) again to where it went. */
bool world_replay(struct world *w, unsigned k);
/* Side s sends n inner packets to the other side's network through its
 * datapath; the ESP goes to the other side mangled as asked. Returns false
 * when the datapath had no SA to send them with. */
bool world_traffic(struct world *w, int s, unsigned n, enum esp_mangle how);
/* Side s's public address changes (P1). */
void world_address(struct world *w, int s, uint32_t addr);

/* Adds a datagram to the trace (clear: the sender's clear copy, or NULL). */
void world_record(struct world *w, enum trace_kind kind, int from, bool injected,
                  const uint8_t *data, size_t len, const uint8_t *clear, size_t clear_len);

/* Whether trace entry t is a retransmission of entry first: the same
 * bytes from the same sender, not a copy the wire itself made. */
bool world_is_resend(const struct trace_entry *first, const struct trace_entry *t);

/* The n-th IKE datagram of the trace (from 1), or NULL. */
const struct trace_entry *world_ike_packet(const struct world *w, unsigned n);

#endif
