/* ike_flood's pieces: sockets and the clock (flood_net.c), an initiator
 * engine that speaks on a real socket (flood_peer.c), the malformed cases
 * (flood_cases.c). ike_flood.c owns the options and the modes. */
#ifndef IKELAB_FLOOD_H
#define IKELAB_FLOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"

enum { FLOOD_MAX_DGRAM = 8192 };

/* ---- clock and sockets (flood_net.c) ---- */

double flood_now(void); /* seconds, monotonic */
uint64_t flood_now_ms(void);
void flood_random(void *ctx, uint8_t *out, size_t len); /* getrandom; ctx unused */

/* A raw IPv4 socket (IP_HDRINCL): any source port, our source address. */
int raw_open(char *err, size_t errlen);
/* One UDP datagram from src to dst (host order) with payload. With marker
 * set the 4-byte non-ESP marker (RFC 3948) goes first. False when the
 * kernel refused it (ENOBUFS under a flood: the caller counts it). */
bool raw_send(int fd, struct ike_endpoint src, struct ike_endpoint dst, bool marker,
              const uint8_t *payload, size_t len);

/* A UDP socket bound to local, non-blocking; -1 with err filled. */
int udp_open(struct ike_endpoint local, char *err, size_t errlen);
bool udp_send(int fd, struct ike_endpoint to, const uint8_t *data, size_t len);
/* One datagram: its length, 0 when none arrived within wait_ms, -1 on an
 * error. */
long udp_recv(int fd, uint8_t *buf, size_t cap, struct ike_endpoint *from, int wait_ms);

/* "10.1.2.3" -> host order; false when it is not a dotted quad. */
bool parse_ipv4(const char *s, uint32_t *out);

/* ---- an initiator engine on a UDP socket (flood_peer.c) ---- */

enum { PEER_OUTBOX = 16 };

struct peer_dgram {
  struct ike_endpoint to;
  size_t len;
  uint8_t data[FLOOD_MAX_DGRAM];
};

struct flood_peer {
  struct ike_engine *e;
  int rule;
  int fd;                 /* UDP socket at local, -1 for a template only */
  struct ike_endpoint local;
  /* What the engine asked to send, in order, not yet taken. */
  struct peer_dgram out[PEER_OUTBOX];
  size_t nout;
  bool phase1_up, phase2_up, failed;
  bool quiet_log;         /* the engine's catalogue lines not printed */
};

/* The engine for config file path (an ikelabd config of the flooding
 * side), at local; fd < 0 when no socket is wanted. False with err. */
bool peer_open(struct flood_peer *p, const char *path, int rule, struct ike_endpoint local,
               bool with_socket, char *err, size_t errlen);
void peer_close(struct flood_peer *p);
/* Starts (or restarts, after ike_engine_clear) the rule's negotiation; the
 * first message lands in the outbox. */
bool peer_trigger(struct flood_peer *p);
/* Takes the oldest queued datagram; false when none. */
bool peer_take(struct flood_peer *p, struct peer_dgram *d);
/* Sends every queued datagram through the socket. */
void peer_flush(struct flood_peer *p);
/* Reads datagrams for up to wait_ms and feeds each to the engine (ticking
 * its timers); returns as soon as the outbox holds something or done()
 * says so. Returns the number of datagrams fed. */
unsigned peer_pump(struct flood_peer *p, int wait_ms, bool (*done)(const struct flood_peer *));

/* ---- malformed cases (flood_cases.c) ---- */

/* Case i (0 .. malformed_count()-1) with these cookies into out; its
 * length, 0 when the case could not be built (why says so). msg_seed varies
 * message IDs and junk bodies between rounds. */
size_t malformed_count(void);
const char *malformed_name(size_t i);
size_t malformed_build(size_t i, const uint8_t icookie[8], const uint8_t rcookie[8],
                       const uint8_t *first_msg, size_t first_len, uint32_t msg_seed,
                       uint8_t *out, size_t cap, char *why, size_t whylen);

#endif
