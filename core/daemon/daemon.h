/* ikelabd's pieces around the engine: the UDP sockets (daemon_net.c) and
 * the log sinks (daemon_log.c). ikelabd.c owns the loop and the signals. */
#ifndef IKELAB_DAEMON_H
#define IKELAB_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ikelab/config_file.h"
#include "ikelab/engine.h"
#include "ikelab/log.h"

/* ---- sockets ---- */

/* Datagrams the NAT-T port received that are not IKE. Counted, not passed
 * on: the ESP datapath is a later slice. */
struct net_drops {
  unsigned long keepalive; /* RFC 3948 NAT-keepalive (one 0xff byte) */
  unsigned long esp;       /* ESP in UDP: a non-zero first word */
  unsigned long runt;      /* shorter than the marker */
};

struct daemon_net {
  int fd_ike, fd_natt;     /* -1 when closed */
  uint32_t addr;           /* bound address, host order; 0 = any */
  uint16_t ike_port, natt_port;
  struct net_drops drops;
};

/* Binds both UDP sockets (non-blocking, IP_PKTINFO on). False with err
 * filled when either fails; nothing stays open then. */
bool net_open(struct daemon_net *n, uint32_t addr, uint16_t ike_port, uint16_t natt_port,
              char *err, size_t errlen);
void net_close(struct daemon_net *n);

/* Reads one datagram from fd (one of n's two). Returns its length with the
 * non-ESP marker already stripped, 0 when the socket is drained, -1 when the
 * datagram was dropped (not IKE, or a receive error); from and to are the
 * IP header's addresses and the UDP ports. */
long net_recv(struct daemon_net *n, int fd, uint8_t *buf, size_t cap, struct ike_endpoint *from,
              struct ike_endpoint *to);
/* Sends out of the socket whose port is from.port (the marker added on the
 * NAT-T port). False when the kernel refused it. */
bool net_send(struct daemon_net *n, struct ike_endpoint from, struct ike_endpoint to,
              const uint8_t *data, size_t len);

/* ---- log sinks ---- */

struct daemon_log {
  struct ikelabd_log_sink sink[IKELABD_MAX_LOGS];
  FILE *file[IKELABD_MAX_LOGS]; /* open stream of file: and json: sinks */
  size_t n;
  bool foreground;              /* router view and notes go to stdout/stderr */
  bool syslog_open;
  unsigned index;               /* the router's running line number */
};

bool dlog_open(struct daemon_log *d, const struct ikelabd_log_sink *sinks, size_t n,
               bool foreground, char *err, size_t errlen);
void dlog_close(struct daemon_log *d);
/* One catalogue event to every sink. */
void dlog_event(struct daemon_log *d, const struct log_event *ev);
/* The daemon's own messages (not catalogue rows): stderr in the foreground,
 * syslog otherwise or when a syslog sink is configured. */
__attribute__((format(printf, 2, 3))) void dlog_note(struct daemon_log *d, const char *fmt, ...);

/* "file:/path" | "json:/path" | "router" | "syslog" -> sink; false on a bad
 * spec (err says why). */
bool dlog_parse_spec(const char *spec, struct ikelabd_log_sink *out, char *err, size_t errlen);

/* a.b.c.d of a host-order address, written into out. */
const char *ipv4_text(uint32_t a, char out[16]);

#endif
