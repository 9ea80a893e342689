/* A conformance case as data: the configuration of each side, the actions
 * on the two-engine network, and the expectations. Cases are const table
 * rows (scenarios.c) so a later runner can play them against another peer. */
#ifndef IKELAB_SCENARIO_H
#define IKELAB_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "engine_net.h"

enum { SIDE_A = 0, SIDE_B = 1 };

enum action_kind {
  ACT_END = 0,       /* terminates the action list */
  ACT_TRIGGER,       /* side, arg = rule */
  ACT_RUN,           /* arg = milliseconds past the current virtual time */
  ACT_DUPLICATE,     /* the network delivers the next queued datagram twice */
  ACT_DROP_ALL,      /* the peer goes silent */
  ACT_FAIL_NEXT_SEND,/* side: its next send fails (a network error) */
  ACT_CORRUPT,       /* arg = delivery number, offset = byte to flip */
  ACT_INJECT,        /* side receives build()'s datagram from the other side */
};

/* Writes a crafted datagram into out; returns its length (0: none). It may
 * take what it needs from the network (a queued packet, an SA's cookies). */
struct action;
typedef size_t (*packet_builder)(struct net *n, const struct action *act, uint8_t *out,
                                 size_t cap);

struct action {
  enum action_kind kind;
  int side;
  uint64_t arg;
  size_t offset;              /* ACT_CORRUPT, and a builder's byte to override */
  packet_builder build;
};

/* What one side must have logged at the end. Lists end with NULL. */
struct side_expect {
  const char *const *in_order; /* these lines, in this order, others between */
  const char *const *absent;   /* lines that must not appear */
  const char *count_line;      /* when set: appears exactly `count` times */
  unsigned count;
  /* Counts written EXACTLY(n); 0 (the default of an omitted field) means
   * "not checked", so a forgotten field never asserts zero by accident. */
  int nlogs;                   /* log lines in all */
  int ipsec_sas;               /* IPsec SAs installed (SA_ADD events) */
  int ike_sas;                 /* IKE SAs the engine holds at the end */
  uint16_t sends_notify;       /* a clear Informational with this notify was sent */
};
#define EXACTLY(n) ((n) + 1)

struct scenario {
  const char *id;              /* "K12-cipher" */
  const char *covers;          /* a LOGS.md row ("K12") or an RFC section */
  const char *what;            /* one line for --list */
  /* Edits the net_pair_config() defaults (AES-128/SHA1/MODP1024, ESP). */
  void (*tweak)(struct ike_config *a, struct ike_config *b);
  const struct action *actions;
  struct side_expect expect[2];
};

extern const struct scenario scenarios[];
extern const size_t nscenarios;

/* Shorthands for the tables. */
#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ACTIONS(...) ((const struct action[]){__VA_ARGS__, {.kind = ACT_END}})

#endif
