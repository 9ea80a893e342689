/* An initiator engine on a real UDP socket, under ike_flood's control: the
 * engine's sends wait in an outbox until the caller sends, replays or holds
 * them, so a real exchange can be stopped between messages. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "flood.h"
#include "ikelab/config_file.h"

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct flood_peer *p = ctx;
  switch (ev->kind) {
  case IKE_EV_SEND:
    if (p->nout < PEER_OUTBOX && ev->u.send.len <= FLOOD_MAX_DGRAM) {
      struct peer_dgram *d = &p->out[p->nout++];
      d->to = ev->u.send.to;
      d->len = ev->u.send.len;
      memcpy(d->data, ev->u.send.data, d->len);
    }
    return true;
  case IKE_EV_LOG:
    if (!p->quiet_log) {
      char line[512];
      log_render(&ev->u.log, line, sizeof line);
      fprintf(stderr, "ike_flood: peer log: %s\n", line);
    }
    return true;
  case IKE_EV_RESULT:
    switch (ev->u.result.kind) {
    case IKE_RESULT_PHASE1_UP: p->phase1_up = true; break;
    case IKE_RESULT_PHASE2_UP: p->phase2_up = true; break;
    default: p->failed = true; break;
    }
    return true;
  default:
    return true;
  }
}

bool peer_open(struct flood_peer *p, const char *path, int rule, struct ike_endpoint local,
               bool with_socket, char *err, size_t errlen)
{
  static struct ike_config cfg;
  struct ikelabd_settings set;
  memset(p, 0, sizeof *p);
  p->fd = -1;
  p->rule = rule;
  p->local = local;
  if (!config_load_file(path, &cfg, &set, err, errlen))
    return false;
  if (!ike_rule_find(&cfg, rule)) {
    snprintf(err, errlen, "%s: no [rule %d]", path, rule);
    return false;
  }
  struct ike_host host = {.random = flood_random, .sink = sink, .sink_ctx = p,
                          .local = local, .natt_port = set.natt_port};
  p->e = ike_engine_new(&cfg, &host, err, errlen);
  if (!p->e)
    return false;
  if (with_socket) {
    p->fd = udp_open(local, err, errlen);
    if (p->fd < 0) {
      ike_engine_free(p->e);
      p->e = NULL;
      return false;
    }
  }
  return true;
}

void peer_close(struct flood_peer *p)
{
  if (p->fd >= 0)
    close(p->fd);
  if (p->e)
    ike_engine_free(p->e);
  p->fd = -1;
  p->e = NULL;
}

bool peer_trigger(struct flood_peer *p)
{
  p->phase1_up = p->phase2_up = p->failed = false;
  return ike_engine_trigger(p->e, flood_now_ms(), p->rule) && p->nout > 0;
}

bool peer_take(struct flood_peer *p, struct peer_dgram *d)
{
  if (p->nout == 0)
    return false;
  *d = p->out[0];
  memmove(p->out, p->out + 1, (p->nout - 1) * sizeof p->out[0]);
  p->nout--;
  return true;
}

void peer_flush(struct flood_peer *p)
{
  for (size_t i = 0; i < p->nout; i++)
    udp_send(p->fd, p->out[i].to, p->out[i].data, p->out[i].len);
  p->nout = 0;
}

unsigned peer_pump(struct flood_peer *p, int wait_ms, bool (*done)(const struct flood_peer *))
{
  static uint8_t buf[FLOOD_MAX_DGRAM];
  unsigned fed = 0;
  uint64_t end = flood_now_ms() + (uint64_t)wait_ms;
  while (p->nout == 0 && !(done && done(p))) {
    uint64_t now = flood_now_ms();
    if (now >= end)
      break;
    if (ike_engine_next_timer(p->e) <= now) {
      ike_engine_tick(p->e, now);
      continue;
    }
    struct ike_endpoint from;
    long n = udp_recv(p->fd, buf, sizeof buf, &from, (int)(end - now < 20 ? end - now : 20));
    if (n <= 0)
      continue;
    ike_engine_input(p->e, flood_now_ms(), from, p->local, buf, (size_t)n);
    fed++;
  }
  return fed;
}
