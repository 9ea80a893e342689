/* A conformance case as data: the configuration of each side, the actions
 * on the two-engine network, and the expectations. Cases are const table
 * rows (scenarios.c) so a later runner can play them against another peer. */
#ifndef IKELAB_SCENARIO_H
#define IKELAB_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "engine_net.h"
#include "ikelab/rules.h"

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
  ACT_REPLAY,        /* arg = wire datagram number (from 1): delivered again now */
  ACT_TRAFFIC,       /* side sends arg inner packets through its datapath; esp
                        says how the ESP is mangled on its way (enum esp_mangle) */
  ACT_ADDRESS,       /* side's public address becomes arg (P1) */
};

/* What happens to ACT_TRAFFIC's ESP packets on the wire. */
enum esp_mangle {
  ESP_CLEAN = 0,
  ESP_REPLAY_LAST,   /* the side's previous ESP packet, delivered again */
  ESP_FLIP_SPI,      /* an SPI the receiver never made */
  ESP_FLIP_ICV,      /* the last byte of the integrity check value */
  ESP_BAD_TRAILER,   /* authentic, but the trailer names TCP in a tunnel SA */
};

/* Wire impairments, applied to the n-th datagram the network carries
 * (counted from 1 over both directions, IKE only). */
enum impair_kind {
  IMP_END = 0,
  IMP_DROP,
  IMP_DUPLICATE,     /* delivered twice, back to back */
  IMP_DELAY,         /* arg = milliseconds held back */
  IMP_REORDER,       /* held back until the next datagram has been delivered */
  IMP_TRUNCATE,      /* cut to arg bytes */
  IMP_FLIP,          /* arg = byte offset flipped (xor 0xff) */
  IMP_CORRUPT_BODY,  /* flips the first byte of the encrypted body */
};
struct impairment {
  enum impair_kind kind;
  unsigned packet;
  uint64_t arg;
};

/* A datagram the wire must carry, matched in order with others between.
 * Encrypted messages are matched on their clear copy. */
struct wire_expect {
  int from;                    /* SIDE_A or SIDE_B */
  uint8_t exchange;
  const char *payloads;        /* "<HASH><N>", or NULL: any */
  uint16_t notify;             /* a Notify payload of this type, or 0 */
};

/* Writes a crafted datagram into out; returns its length (0: none). It may
 * take what it needs from the world (a queued packet, the trace, an SA's
 * cookies). builders.h has the common ones. */
struct action;
struct world;
typedef size_t (*packet_builder)(struct world *w, const struct action *act, uint8_t *out,
                                 size_t cap);

struct action {
  enum action_kind kind;
  int side;
  uint64_t arg;
  size_t offset;              /* ACT_CORRUPT, and a builder's byte to override */
  packet_builder build;
  enum esp_mangle esp;        /* ACT_TRAFFIC */
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
  int ipsec_up;                /* IPsec SAs the engine holds at the end */
  int ike_established;         /* established IKE SAs at the end */
  int esp_delivered;           /* inner packets its datapath let through */
  /* The side's first datagram: when it was sent again, in ms after the
   * first copy, and no other time (list ends with 0). */
  const uint32_t *resends;
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
  const struct impairment *impair;   /* NULL: a clean wire */
  const struct wire_expect *wire;    /* ends with exchange 0 */
  /* Why this case skips the recovery check, or NULL (the default): after
   * the case, both engines take the default config and rule 1 must come up
   * with traffic flowing both ways. */
  const char *no_recovery;
};

/* Every case, in table order; NULL past the end. */
const struct scenario *scenario_at(size_t i);
size_t scenario_count(void);

/* Shorthands for the tables. */
#define LINES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ACTIONS(...) ((const struct action[]){__VA_ARGS__, {.kind = ACT_END}})
#define IMPAIR(...) ((const struct impairment[]){__VA_ARGS__, {.kind = IMP_END}})
#define WIRE(...) ((const struct wire_expect[]){__VA_ARGS__, {.exchange = 0}})
#define MS(...) ((const uint32_t[]){__VA_ARGS__, 0})

#define TRIGGER(s, rule) {.kind = ACT_TRIGGER, .side = (s), .arg = (rule)}
#define RUN(ms) {.kind = ACT_RUN, .arg = (ms)}
#define INJECT(s, fn, off, val) \
  {.kind = ACT_INJECT, .side = (s), .build = (fn), .offset = (off), .arg = (val)}
#define REPLAY(k) {.kind = ACT_REPLAY, .arg = (k)}
#define TRAFFIC(s, n, how) {.kind = ACT_TRAFFIC, .side = (s), .arg = (n), .esp = (how)}

/* The scenario tables, one file each (scenarios_*.c), joined in
 * scenarios.c. */
struct scenario_table {
  const struct scenario *cases;
  size_t n;
};

#endif
