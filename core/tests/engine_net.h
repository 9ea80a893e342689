/* A test bed of two engines joined by an in-memory network with a virtual
 * clock: no sockets, no sleeps. Each side records its log lines (rendered
 * catalogue text), its IPsec SA events and its results. Impairments (drop a
 * packet, fail a send) are flags the test sets between steps. */
#ifndef IKELAB_ENGINE_NET_H
#define IKELAB_ENGINE_NET_H

#include "ikelab/engine.h"

enum { NET_MAX_LOGS = 512, NET_MAX_SAS = 64, NET_MAX_RESULTS = 64, NET_MAX_QUEUE = 64,
       NET_MAX_PACKET = 8192 };

struct net_packet {
  int to;                  /* side index */
  struct ike_endpoint from, dst;
  uint8_t data[NET_MAX_PACKET];
  size_t len;
  /* The sender's clear copy of an encrypted message (ike_host.clear). */
  uint8_t clear[NET_MAX_PACKET];
  size_t clear_len;
};

struct net_side {
  struct ike_engine *e;
  struct ike_endpoint addr;
  uint64_t rng;
  char logs[NET_MAX_LOGS][192];
  size_t nlogs;
  struct ike_ipsec_sa added[NET_MAX_SAS], deleted[NET_MAX_SAS];
  size_t nadded, ndeleted;
  struct ike_result results[NET_MAX_RESULTS];
  size_t nresults;
  unsigned sends;          /* datagrams handed to the network */
  unsigned long suppressed_reported; /* sum of the log lines' held-back counts */
  bool fail_next_send;
  uint8_t pending_clear[NET_MAX_PACKET]; /* for the datagram about to be sent */
  size_t pending_clear_len;
  struct net *net;
  int index;
};

struct net {
  struct net_side side[2];
  struct net_packet queue[NET_MAX_QUEUE];
  size_t nq;
  uint64_t now;
  unsigned delivered;
  long drop_next;          /* >0: drop that many of the next datagrams */
  bool drop_all;           /* a peer gone silent */
  bool nat_side0;          /* side 0 behind a NAT that rewrites its ports */
  unsigned corrupt_at;     /* >0: flip a byte of the datagram delivered n-th */
  /* Called on every datagram before delivery (delivered counts from 1). */
  void (*rewrite)(struct net_packet *p, unsigned delivered);
  size_t corrupt_offset;
  uint16_t last_port[2];   /* source port of each side's last datagram */
};

/* The NAT's outside port for an inside one (and back). */
#define NET_NAT_OFFSET 30000

/* Side 0 is 10.0.0.1, side 1 is 10.0.0.2. Returns false (with why) when an
 * engine refuses its config. */
bool net_init(struct net *n, const struct ike_config *a, const struct ike_config *b,
              uint64_t seed, char *why, size_t whylen);
void net_free(struct net *n);
/* Delivers queued datagrams and fires timers until nothing is left to do
 * or the clock would pass until_ms. */
void net_run(struct net *n, uint64_t until_ms);
/* Queues the datagram of a send event from side s for side `to`, with the
 * clear copy s holds for it (clear_len bytes); NULL when the queue is full
 * or the datagram too long (it is lost). */
struct net_packet *net_queue_send(struct net *n, const struct net_side *s, int to,
                                  const struct ike_event *ev, size_t clear_len);
/* Records a log row (rendered), an IPsec SA event or a result on side s:
 * what every sink of a test world keeps besides the datagrams. */
void net_side_record(struct net_side *s, const struct ike_event *ev);
/* Index of the first log line equal to line at or after from, or -1. */
long net_find_log(const struct net_side *s, const char *line, size_t from);
/* How many of side s's log lines equal line. */
unsigned net_count_log(const struct net_side *s, const char *line);

/* A 60-byte Quick Mode message under the cookies of side s's first IKE SA
 * whose encrypted body is garbage: it fails authentication, one error each
 * (K21). Returns its length, 0 when side s holds no IKE SA. */
size_t net_quick_junk(const struct net *n, int s, uint8_t *out, size_t cap);

/* A pair of mirrored configs: rule 1 between 10.0.0.1 (192.168.1.0/24) and
 * 10.0.0.2 (192.168.2.0/24), with the given proposals on both sides. */
void net_pair_config(struct ike_config *a, struct ike_config *b, enum ike_mode mode,
                     const struct ike_p1_proposal *p1, const struct ike_p2_proposal *p2);

#endif
