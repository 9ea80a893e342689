#include "engine_net.h"

#include <stdio.h>
#include <string.h>

#include "ikelab/det_random.h"
#include "ikelab/isakmp_types.h"

/* The engine reports a message's clear copy just before sending it. */
static void clear_copy(void *ctx, const struct ike_clear *c)
{
  struct net_side *s = ctx;
  if (c->sent && c->len <= sizeof s->pending_clear) {
    memcpy(s->pending_clear, c->msg, c->len);
    s->pending_clear_len = c->len;
  }
}

void net_side_record(struct net_side *s, const struct ike_event *ev)
{
  switch (ev->kind) {
  case IKE_EV_LOG:
    if (s->nlogs < NET_MAX_LOGS)
      log_render(&ev->u.log, s->logs[s->nlogs++], sizeof s->logs[0]);
    s->suppressed_reported += ev->u.log.suppressed;
    break;
  case IKE_EV_SA_ADD:
    if (s->nadded < NET_MAX_SAS)
      s->added[s->nadded++] = ev->u.sa;
    break;
  case IKE_EV_SA_DEL:
    if (s->ndeleted < NET_MAX_SAS)
      s->deleted[s->ndeleted++] = ev->u.sa;
    break;
  case IKE_EV_RESULT:
    if (s->nresults < NET_MAX_RESULTS)
      s->results[s->nresults++] = ev->u.result;
    break;
  default: /* sends are the sink's own business */
    break;
  }
}

struct net_packet *net_queue_send(struct net *n, const struct net_side *s, int to,
                                  const struct ike_event *ev, size_t clear_len)
{
  if (n->nq >= NET_MAX_QUEUE || ev->u.send.len > NET_MAX_PACKET)
    return NULL;
  struct net_packet *p = &n->queue[n->nq++];
  p->to = to;
  p->from = ev->u.send.from;
  p->dst = ev->u.send.to;
  memcpy(p->data, ev->u.send.data, ev->u.send.len);
  p->len = ev->u.send.len;
  memcpy(p->clear, s->pending_clear, clear_len);
  p->clear_len = clear_len;
  return p;
}

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct net_side *s = ctx;
  struct net *n = s->net;
  size_t clear_len;
  switch (ev->kind) {
  case IKE_EV_SEND:
    s->sends++;
    clear_len = s->pending_clear_len;
    s->pending_clear_len = 0;
    if (s->fail_next_send) {
      s->fail_next_send = false;
      return false;
    }
    if (n->drop_all || n->drop_next > 0) {
      if (n->drop_next > 0)
        n->drop_next--;
      return true; /* lost on the wire: the sender cannot tell */
    }
    n->last_port[s->index] = ev->u.send.from.port;
    struct net_packet *p = net_queue_send(n, s, 1 - s->index, ev, clear_len);
    /* Port translation both ways, as a NAT in front of side 0 does. */
    if (p && n->nat_side0 && s->index == 0)
      p->from.port = (uint16_t)(p->from.port + NET_NAT_OFFSET);
    if (p && n->nat_side0 && s->index == 1)
      p->dst.port = (uint16_t)(p->dst.port - NET_NAT_OFFSET);
    return true;
  default:
    net_side_record(s, ev);
    return true;
  }
}

bool net_init(struct net *n, const struct ike_config *a, const struct ike_config *b,
              uint64_t seed, char *why, size_t whylen)
{
  const struct ike_config *cfg[2] = {a, b};
  memset(n, 0, sizeof *n);
  n->now = 1000000; /* not zero: timers at 0 would hide bugs */
  for (int i = 0; i < 2; i++) {
    struct net_side *s = &n->side[i];
    s->net = n;
    s->index = i;
    s->addr = (struct ike_endpoint){0x0a000001u + (uint32_t)i, 500};
    s->rng = seed * 2 + (uint64_t)i;
    struct ike_host host = {.random = det_random_fill, .random_ctx = &s->rng, .sink = sink,
                            .sink_ctx = s, .local = s->addr,
                            .clear = clear_copy, .clear_ctx = s};
    s->e = ike_engine_new(cfg[i], &host, why, whylen);
    if (!s->e) {
      net_free(n);
      return false;
    }
  }
  return true;
}

void net_free(struct net *n)
{
  for (int i = 0; i < 2; i++) {
    ike_engine_free(n->side[i].e);
    n->side[i].e = NULL;
  }
}

void net_run(struct net *n, uint64_t until_ms)
{
  for (unsigned guard = 0; guard < 100000; guard++) {
    if (n->nq > 0) {
      static struct net_packet p;
      p = n->queue[0];
      memmove(&n->queue[0], &n->queue[1], (n->nq - 1) * sizeof n->queue[0]);
      n->nq--;
      n->delivered++;
      if (n->corrupt_at == n->delivered && n->corrupt_offset < p.len)
        p.data[n->corrupt_offset] ^= 0x01;
      if (n->rewrite)
        n->rewrite(&p, n->delivered);
      ike_engine_input(n->side[p.to].e, n->now, p.from, p.dst, p.data, p.len);
      continue;
    }
    uint64_t next = ike_engine_next_timer(n->side[0].e);
    uint64_t other = ike_engine_next_timer(n->side[1].e);
    if (other < next)
      next = other;
    if (next == UINT64_MAX || next > until_ms)
      return;
    if (next > n->now)
      n->now = next;
    ike_engine_tick(n->side[0].e, n->now);
    ike_engine_tick(n->side[1].e, n->now);
  }
}

size_t net_quick_junk(const struct net *n, int s, uint8_t *out, size_t cap)
{
  struct ike_sa_info info;
  if (cap < 60 || !ike_engine_sa_info(n->side[s].e, 0, &info))
    return 0;
  memset(out, 0, 60);
  memcpy(out, info.icookie, 8);
  memcpy(out + 8, info.rcookie, 8);
  out[16] = ISAKMP_NP_HASH;
  out[17] = 0x10; /* version 1.0 */
  out[18] = ISAKMP_XCHG_QUICK;
  out[19] = ISAKMP_FLAG_E;
  out[23] = 0x77; /* message ID */
  out[27] = 60;   /* length */
  return 60;
}

long net_find_log(const struct net_side *s, const char *line, size_t from)
{
  for (size_t i = from; i < s->nlogs; i++)
    if (strcmp(s->logs[i], line) == 0)
      return (long)i;
  return -1;
}

unsigned net_count_log(const struct net_side *s, const char *line)
{
  unsigned n = 0;
  for (size_t i = 0; i < s->nlogs; i++)
    n += strcmp(s->logs[i], line) == 0;
  return n;
}

void net_pair_config(struct ike_config *a, struct ike_config *b, enum ike_mode mode,
                     const struct ike_p1_proposal *p1, const struct ike_p2_proposal *p2)
{
  struct ike_config *cfg[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    struct ike_config *c = cfg[i];
    memset(c, 0, sizeof *c);
    ike_globals_default(&c->g);
    c->g.nat_traversal = false; /* the manual's traces have no Vendor IDs */
    struct ike_rule *r = &c->rules[0];
    ike_rule_default(r, 1);
    c->nrules = 1;
    r->mode = mode;
    r->my_ip = 0x0a000001u + (uint32_t)i;
    r->secure_gateway = 0x0a000002u - (uint32_t)i;
    r->local = addr_subnet(i == 0 ? IPV4(192, 168, 1, 0) : IPV4(192, 168, 2, 0), 0xffffff00u);
    r->remote = addr_subnet(i == 0 ? IPV4(192, 168, 2, 0) : IPV4(192, 168, 1, 0), 0xffffff00u);
    ike_rule_set_psk(r, "ikelab-test-psk");
    r->p1[0] = *p1;
    r->np1 = 1;
    r->p2[0] = *p2;
    r->np2 = 1;
  }
}
