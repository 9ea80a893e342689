/* ikelabd's pieces around the engine: the UDP sockets (daemon_net.c), the
 * log sinks (daemon_log.c), the datapath (daemon_dp.c, daemon_tun.c), the
 * control socket (daemon_ctl.c, daemon_status.c) and the WAN address
 * (daemon_wan.c). ikelabd.c owns the loop and the signals. */
#ifndef IKELAB_DAEMON_H
#define IKELAB_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ikelab/config_file.h"
#include "ikelab/datapath.h"
#include "ikelab/engine.h"
#include "ikelab/log.h"

/* ---- sockets ---- */

/* Datagrams the NAT-T port received that are not IKE; ESP is passed on
 * (net_recv's *esp) and counted here only when no TUN carries it. */
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
 * datagram was dropped (a keepalive, a runt, or a receive error); from and
 * to are the IP header's addresses and the UDP ports. *esp is set when the
 * datagram is ESP in UDP (RFC 3948: on the NAT-T port, first word non-zero,
 * returned whole, SPI first). */
long net_recv(struct daemon_net *n, int fd, uint8_t *buf, size_t cap, struct ike_endpoint *from,
              struct ike_endpoint *to, bool *esp);
/* Sends out of the socket whose port is from.port (the marker added on the
 * NAT-T port). False when the kernel refused it. */
bool net_send(struct daemon_net *n, struct ike_endpoint from, struct ike_endpoint to,
              const uint8_t *data, size_t len);

/* Sends ESP in UDP (or a one-byte NAT keepalive) out of the NAT-T socket:
 * no marker, the SPI is the first word. */
bool net_send_esp(struct daemon_net *n, struct ike_endpoint from, struct ike_endpoint to,
                  const uint8_t *data, size_t len);

/* ---- TUN device (daemon_tun.c) ---- */

/* Creates (or attaches to) TUN device name; the fd, or -1 with err filled. */
int tun_open(const char *name, char *err, size_t errlen);
/* One packet: its length, 0 when none is waiting, -1 on an error. */
long tun_read(int fd, uint8_t *buf, size_t cap);
bool tun_write(int fd, const uint8_t *pkt, size_t len);

/* ---- log sinks ---- */

struct daemon_log {
  struct ikelabd_log_sink sink[IKELABD_MAX_LOGS];
  FILE *file[IKELABD_MAX_LOGS]; /* open stream of file: and json: sinks */
  size_t n;
  bool foreground;              /* router view and notes go to stdout/stderr */
  bool syslog_open;
  unsigned index;               /* the router's running line number */
  struct log_ring *ring;        /* ikelabctl log; owned by the daemon, kept across reloads */
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

/* ---- the ESP datapath over TUN (daemon_dp.c) ---- */

/* Inactive (fd -1) without --tun: SAs are then only noted, as before. */
struct daemon_tunnel {
  int fd;
  char name[16];
  struct datapath dp;
  bool warned_raw;  /* "no UDP encapsulation" said once */
};

/* Everything the glue acts through. */
struct dpath_io {
  struct daemon_tunnel *t;
  struct daemon_net *net;
  struct daemon_log *log;
  struct ike_engine *engine;
  const struct ike_config *cfg;
  ike_random_fn random;
};

/* IKE_EV_SA_ADD / _DEL from the engine's sink (must not call the engine). */
void dpath_sa_event(const struct dpath_io *io, uint64_t now_ms, const struct ike_event *ev);
/* The TUN fd is readable: encapsulate, trigger rules, drop. */
void dpath_tun_input(const struct dpath_io *io, uint64_t now_ms);
/* An ESP-in-UDP datagram (SPI first) arrived on the NAT-T port. */
void dpath_esp_input(const struct dpath_io *io, uint64_t now_ms, const uint8_t *pkt, size_t len);
/* Idle time-out (P6) and NAT keepalives; then the ms until they next have
 * work (UINT64_MAX: none). */
uint64_t dpath_timers(const struct dpath_io *io, uint64_t now_ms);
/* One line of counters for the stop note. */
void dpath_stats_text(const struct daemon_tunnel *t, char *out, size_t len);

/* ---- the WAN address (daemon_wan.c) ---- */

enum { WAN_CHECK_MS = 1000 }; /* how often the interface is looked at */

/* Zeroed except state -1: no interface watched. */
struct daemon_wan {
  char ifname[IKELABD_IFNAME_MAX]; /* config key wan_interface; "" = off */
  uint32_t addr;                   /* the engine's own address (ike_host.local.addr),
                                      kept equal to it; 0 = none yet */
  uint64_t next_ms;                /* when to look again */
  int state;                       /* the last state noted (daemon_wan.c), -1 none */
};

/* Watches ifname from now on ("" = stop); the next wan_poll looks at once.
 * The same name again changes nothing. */
void wan_watch(struct daemon_wan *w, const char *ifname);
/* The interface's first IPv4 address, or 0 when it has none, does not
 * exist or cannot be read (each noted once, when it begins). */
uint32_t wan_check(struct daemon_wan *w, struct daemon_log *log);
/* Looks once every WAN_CHECK_MS: a non-zero address other than w->addr goes
 * to ike_engine_address_changed (P1, SAs of the old one dropped) and is
 * noted. Returns the ms until the next look, UINT64_MAX when not watching. */
uint64_t wan_poll(struct daemon_wan *w, struct ike_engine *e, struct daemon_log *log,
                  uint64_t now_ms);

/* ---- control socket (daemon_ctl.c) and status lines (daemon_status.c) ---- */

/* Default path of the control socket (--control). */
#define IKELABD_CONTROL_PATH "/run/ikelabd.ctl"

struct daemon_ctl {
  int fd;                       /* listening AF_UNIX socket, -1 when closed */
  char path[108];               /* sizeof sun_path on Linux */
};

/* What a request acts on; built per request, so a reload is seen. */
struct ctl_io {
  struct ike_engine *engine;
  const struct ike_config *cfg;
  struct daemon_tunnel *t;      /* fd -1: no datapath counters */
  struct log_ring *ring;
  struct daemon_log *log;
  const struct daemon_wan *wan; /* ifname "": no wan line */
};

/* Binds path (mode 0600), refusing when a live daemon answers on it; a stale
 * socket file is replaced. False with err filled. */
bool ctl_open(struct daemon_ctl *c, const char *path, char *err, size_t errlen);
void ctl_close(struct daemon_ctl *c);
/* The listening socket is readable: answers the waiting requests. */
void ctl_serve(struct daemon_ctl *c, const struct ctl_io *io, uint64_t now_ms);
/* The WAN line when one is watched, then one line per IKE SA, then one per
 * IPsec SA (format in ikelabctl --help). */
void status_write(const struct ctl_io *io, uint64_t now_ms, FILE *out);

/* What "up N" did, from the rows the engine logged into ring since it held
 * `before` events in total (ring->total): "negotiation started" (K1),
 * "negotiation already in process" (K10) or "already up" (neither);
 * "negotiation requested" without a ring. */
const char *ctl_up_outcome(const struct log_ring *ring, uint64_t before);

/* a.b.c.d of a host-order address, written into out. */
const char *ipv4_text(uint32_t a, char out[16]);

#endif
