/* ikelabd's datapath I/O: TUN packets and ESP-in-UDP datagrams through the
 * decisions of datapath.h. This file reads, writes, sends and logs; what to
 * do with a packet is decided in core. */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "ikelab/isakmp_types.h"

enum { TUN_BATCH = 64, KEEPALIVE_MAX = 8 };

void dpath_sa_event(const struct dpath_io *io, uint64_t now_ms, const struct ike_event *ev)
{
  char why[160];
  const struct ike_ipsec_sa *sa = &ev->u.sa;
  if (io->t->fd < 0)
    return;
  if (ev->kind == IKE_EV_SA_DEL) {
    dp_sa_del(&io->t->dp, sa); /* false when P6 already removed it */
    return;
  }
  if (!dp_sa_add(&io->t->dp, now_ms, sa, why, sizeof why))
    dlog_note(io->log, "rule %d: IPsec SA not installed in the datapath: %s", sa->rule, why);
}

static void outbound(const struct dpath_io *io, uint64_t now_ms, const uint8_t *pkt, size_t len)
{
  static uint8_t esp[ESP_PACKET_MAX];
  struct dp_out res;
  dp_outbound(&io->t->dp, io->cfg, now_ms, pkt, len, esp, sizeof esp, io->random, NULL, &res);
  switch (res.kind) {
  case DP_OUT_SEND:
    if (!net_send_esp(io->net, res.from, res.to, esp, res.len))
      dlog_note(io->log, "rule %d: ESP send failed", res.rule);
    break;
  case DP_OUT_TRIGGER:
    /* K1 "Cannot find outbound SA for rule <#d>" comes from the engine. */
    ike_engine_trigger(io->engine, now_ms, res.rule);
    break;
  case DP_OUT_DROP:
    if (res.drop == DP_DROP_NOT_UDP && !io->t->warned_raw) {
      io->t->warned_raw = true;
      dlog_note(io->log, "rule %d: SA is not UDP-encapsulated; raw ESP needs a raw socket we "
                "do not have: outbound packets dropped", res.rule);
    } else if (res.drop == DP_DROP_ENCAP) {
      dlog_note(io->log, "rule %d: encapsulation refused: %s", res.rule,
                esp_verdict_name(res.verdict));
    }
    break;
  }
}

void dpath_tun_input(const struct dpath_io *io, uint64_t now_ms)
{
  static uint8_t pkt[ESP_PACKET_MAX];
  /* Bounded, so sockets and timers get their turn under a flood. */
  for (int i = 0; i < TUN_BATCH; i++) {
    long len = tun_read(io->t->fd, pkt, sizeof pkt);
    if (len == 0)
      return;
    if (len < 0) {
      dlog_note(io->log, "TUN %s: read failed", io->t->name);
      return;
    }
    outbound(io, now_ms, pkt, (size_t)len);
  }
}

void dpath_esp_input(const struct dpath_io *io, uint64_t now_ms, const uint8_t *pkt, size_t len)
{
  static uint8_t inner[ESP_PACKET_MAX];
  size_t inner_len;
  bool log;
  struct log_event ev;
  if (io->t->fd < 0) {
    io->net->drops.esp++;
    return;
  }
  if (dp_inbound(&io->t->dp, now_ms, pkt, len, inner, sizeof inner, &inner_len, &log, &ev)) {
    if (!tun_write(io->t->fd, inner, inner_len))
      dlog_note(io->log, "TUN %s: write failed", io->t->name);
  } else if (log) {
    dlog_event(io->log, &ev); /* P2-P5 */
  }
}

uint64_t dpath_timers(const struct dpath_io *io, uint64_t now_ms)
{
  struct log_event ev;
  struct ike_endpoint from[KEEPALIVE_MAX], to[KEEPALIVE_MAX];
  static const uint8_t keepalive = 0xff; /* RFC 3948 §2.3 */
  uint32_t idle = io->cfg->g.idle_timeout_ms;
  if (io->t->fd < 0)
    return UINT64_MAX;
  /* P6, then the whole rule down in the engine too, so its view matches the
   * datapath's and the peer gets Deletes; the next packet renegotiates. */
  while (dp_idle_expire(&io->t->dp, now_ms, idle, &ev)) {
    dlog_event(io->log, &ev);
    ike_engine_down(io->engine, now_ms, ev.f.rule);
  }
  /* Kilobyte lifetimes are counted here; the engine rekeys or deletes. */
  uint32_t spi;
  bool hard;
  while (dp_volume_expire(&io->t->dp, &spi, &hard))
    ike_engine_sa_volume(io->engine, now_ms, spi, hard);
  size_t n = dp_keepalives(&io->t->dp, now_ms, from, to, KEEPALIVE_MAX);
  for (size_t i = 0; i < n; i++)
    net_send_esp(io->net, from[i], to[i], &keepalive, 1);
  return dp_next_timer(&io->t->dp, now_ms, idle);
}

void dpath_stats_text(const struct daemon_tunnel *t, char *out, size_t len)
{
  const struct dp_stats *s = &t->dp.stats;
  int n = snprintf(out, len, "datapath: encap %llu, decap %llu, triggers %llu",
                   (unsigned long long)s->encap, (unsigned long long)s->decap,
                   (unsigned long long)s->triggers);
  for (int d = 0; d < DP_DROP_COUNT && n > 0 && (size_t)n < len; d++)
    if (s->drop[d])
      n += snprintf(out + n, len - (size_t)n, ", %s %llu", dp_drop_name((enum dp_drop)d),
                    (unsigned long long)s->drop[d]);
  if (s->log_suppressed && n > 0 && (size_t)n < len)
    snprintf(out + n, len - (size_t)n, ", log lines held back %llu",
             (unsigned long long)s->log_suppressed);
}
