/* The one place the conformance suite touches a network: a UDP socket to a
 * real IKEv1 peer (ikelab-conform --target / --initiator-of) and a real
 * clock. The engine stays I/O-free; remote_world.c drives it with what
 * this file reads and a clock in the engine's milliseconds. */
#ifndef IKELAB_CONFORM_REMOTE_H
#define IKELAB_CONFORM_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"

struct remote_link {
  int fd;
  struct ike_endpoint local;   /* what the socket is bound to */
  struct ike_endpoint peer;    /* the peer under test (learnt on first datagram
                                  for --initiator-of) */
  bool peer_known;
  uint64_t t0_ns;              /* monotonic time at open */
};

/* Parses "ADDR:PORT" (IPv4 dotted quad, port 1-65535). False with why
 * naming the value. */
bool remote_parse_endpoint(const char *text, struct ike_endpoint *ep, char *why, size_t whylen);

/* A UDP socket bound to local (port 0 for any; address 0 for the address
 * the kernel would use towards peer). peer may be NULL (wait for one). */
bool remote_open(struct remote_link *l, const struct ike_endpoint *local,
                 const struct ike_endpoint *peer, char *why, size_t whylen);
void remote_close(struct remote_link *l);

/* Milliseconds since remote_open, plus base (the engine's epoch). */
uint64_t remote_now_ms(const struct remote_link *l, uint64_t base);

/* Sends to the peer; false (why filled) when the kernel refuses. */
bool remote_send(struct remote_link *l, const uint8_t *pkt, size_t len, char *why,
                 size_t whylen);

/* Waits up to timeout_ms for a datagram from the peer (others are
 * ignored). Returns its length, 0 on time-out. With no peer known yet the
 * first sender becomes the peer. */
size_t remote_recv(struct remote_link *l, unsigned timeout_ms, uint8_t *out, size_t cap);

#endif
