#include "world.h"

#include <string.h>

#include "ikelab/det_random.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "remote_world.h"

/* FNV-1a: identifies a datagram's original bytes (not a security use). */
static uint64_t bytes_hash(const uint8_t *data, size_t len)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ data[i]) * 0x100000001b3u;
  return h ^ len;
}

/* sent: the bytes as the sender made them (NULL: the same as data). */
static void trace_add(struct world *w, enum trace_kind kind, int from, bool injected,
                      const uint8_t *data, size_t len, const uint8_t *sent, size_t sent_len,
                      const uint8_t *clear, size_t clear_len)
{
  if (w->ntrace >= TRACE_MAX || len > NET_MAX_PACKET)
    return;
  struct trace_entry *t = &w->trace[w->ntrace++];
  memset(t, 0, offsetof(struct trace_entry, data));
  t->kind = kind;
  t->from = from;
  t->injected = injected;
  t->at_ms = w->net.now;
  memcpy(t->data, data, len);
  t->len = len;
  t->sent_hash = sent ? bytes_hash(sent, sent_len) : bytes_hash(data, len);
  t->clear_len = 0;
  if (clear_len) {
    memcpy(t->clear, clear, clear_len);
    t->clear_len = clear_len;
    return;
  }
  /* A retransmission is the same bytes again: it has the first copy's
   * clear text. */
  for (size_t i = w->ntrace - 1; i-- > 0;) {
    const struct trace_entry *o = &w->trace[i];
    if (o->kind == kind && o->from == from && o->clear_len && o->sent_hash == t->sent_hash) {
      memcpy(t->clear, o->clear, o->clear_len);
      t->clear_len = o->clear_len;
      return;
    }
  }
}

void world_record(struct world *w, enum trace_kind kind, int from, bool injected,
                  const uint8_t *data, size_t len, const uint8_t *clear, size_t clear_len)
{
  trace_add(w, kind, from, injected, data, len, NULL, 0, clear, clear_len);
}

bool world_init(struct world *w, const struct ike_config *a, const struct ike_config *b,
                const struct impairment *impair, char *why, size_t whylen)
{
  w->cfg[0] = *a;
  w->cfg[1] = *b;
  if (!net_init(&w->net, a, b, 7, why, whylen))
    return false;
  for (int s = 0; s < 2; s++) {
    dp_init(&w->dp[s]);
    w->dp[s].raw_esp = true; /* the world's wire carries plain ESP */
    w->dp_added[s] = w->dp_deleted[s] = 0;
    w->esp_delivered[s] = 0;
    w->last_esp_len[s] = 0;
  }
  w->esp_seq = 0;
  w->impair = impair;
  w->drop_all = false;
  w->carried = 0;
  w->nheld = 0;
  w->ntrace = 0;
  w->remote = NULL;
  return true;
}

void world_free(struct world *w)
{
  for (int s = 0; s < 2; s++)
    dp_clear(&w->dp[s]);
  net_free(&w->net);
}

/* The engines' SA_ADD / SA_DEL events since last time, into the datapaths
 * (as ikelabd's sink does). */
static void sync_datapaths(struct world *w)
{
  char why[160];
  for (int s = 0; s < 2; s++) {
    struct net_side *side = &w->net.side[s];
    for (; w->dp_added[s] < side->nadded; w->dp_added[s]++)
      dp_sa_add(&w->dp[s], w->net.now, &side->added[w->dp_added[s]], why, sizeof why);
    for (; w->dp_deleted[s] < side->ndeleted; w->dp_deleted[s]++)
      dp_sa_del(&w->dp[s], &side->deleted[w->dp_deleted[s]]);
  }
}

static void log_line(struct world *w, int s, const struct log_event *ev)
{
  struct net_side *side = &w->net.side[s];
  if (side->nlogs < NET_MAX_LOGS)
    log_render(ev, side->logs[side->nlogs++], sizeof side->logs[0]);
}

/* P6: an idle SA is removed and its rule taken down, as ikelabd does. */
static void datapath_timers(struct world *w)
{
  struct log_event ev;
  for (int s = 0; s < 2; s++) {
    sync_datapaths(w);
    while (dp_idle_expire(&w->dp[s], w->net.now, w->cfg[s].g.idle_timeout_ms, &ev)) {
      log_line(w, s, &ev);
      ike_engine_down(w->net.side[s].e, w->net.now, ev.f.rule);
      sync_datapaths(w);
    }
  }
}

static const struct impairment *impairment_for(const struct world *w, unsigned n)
{
  for (const struct impairment *i = w->impair; i && i->kind != IMP_END; i++)
    if (i->packet == n)
      return i;
  return NULL;
}

/* Records p (sent: its bytes before the wire changed them) and hands it
 * to its receiver; a held datagram was recorded when it was sent. */
static void deliver(struct world *w, const struct net_packet *p, const struct net_packet *sent,
                    unsigned impaired, bool record)
{
  if (record) {
    trace_add(w, TR_IKE, 1 - p->to, false, p->data, p->len, sent->data, sent->len, p->clear,
              p->clear_len);
    w->trace[w->ntrace - 1].impaired = impaired;
  }
  ike_engine_input(w->net.side[p->to].e, w->net.now, p->from, p->dst, p->data, p->len);
  sync_datapaths(w);
}

static void hold(struct world *w, const struct net_packet *p, uint64_t due)
{
  if (w->nheld < HELD_MAX)
    w->held[w->nheld++] = (struct held_packet){*p, due};
}

static void release_held(struct world *w, bool after_delivery)
{
  for (size_t i = 0; i < w->nheld;) {
    struct held_packet *h = &w->held[i];
    bool due = h->due_ms == UINT64_MAX ? after_delivery : h->due_ms <= w->net.now;
    if (!due) {
      i++;
      continue;
    }
    static struct net_packet p;
    p = h->p;
    memmove(h, h + 1, (w->nheld - i - 1) * sizeof *h);
    w->nheld--;
    deliver(w, &p, &p, 0, false);
  }
}

/* Records a datagram the wire lost or held back, at the time it was sent. */
static void record_only(struct world *w, const struct net_packet *p, enum impair_kind kind)
{
  trace_add(w, TR_IKE, 1 - p->to, false, p->data, p->len, NULL, 0, p->clear, p->clear_len);
  w->trace[w->ntrace - 1].impaired = kind;
}

/* Takes the next datagram off the engines' queue through the impairments. */
static void carry_one(struct world *w)
{
  static struct net_packet p, sent;
  struct net *n = &w->net;
  p = n->queue[0];
  memmove(&n->queue[0], &n->queue[1], (n->nq - 1) * sizeof n->queue[0]);
  n->nq--;
  sent = p;
  const struct impairment *imp = impairment_for(w, ++w->carried);
  enum impair_kind kind = imp ? imp->kind : IMP_END;
  if (w->drop_all)
    kind = IMP_DROP;
  switch (kind) {
  case IMP_DROP:
    record_only(w, &p, IMP_DROP);
    return;
  case IMP_DELAY:
  case IMP_REORDER:
    record_only(w, &p, kind);
    hold(w, &p, kind == IMP_DELAY ? n->now + imp->arg : UINT64_MAX);
    return;
  case IMP_TRUNCATE:
    if (imp->arg < p.len)
      p.len = (size_t)imp->arg;
    break;
  case IMP_FLIP:
    if (imp->arg < p.len)
      p.data[imp->arg] ^= 0xff;
    break;
  case IMP_CORRUPT_BODY:
    if (p.len > ISAKMP_HDR_LEN)
      p.data[ISAKMP_HDR_LEN] ^= 0xff;
    break;
  case IMP_DUPLICATE:
    deliver(w, &p, &sent, 0, true);
    break;
  case IMP_END:
    break;
  }
  /* A duplicate's second copy is the one marked: it is the wire's doing. */
  deliver(w, &p, &sent, kind, true);
  release_held(w, true);
}

bool world_is_resend(const struct trace_entry *first, const struct trace_entry *t)
{
  return t->kind == TR_IKE && t->from == first->from && !t->injected &&
         t->impaired != IMP_DUPLICATE && t->sent_hash == first->sent_hash;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

void world_run(struct world *w, uint64_t until_ms)
{
  struct net *n = &w->net;
  if (w->remote) {
    remote_world_run(w, until_ms);
    return;
  }
  for (unsigned guard = 0; guard < 100000; guard++) {
    if (n->nq > 0) {
      carry_one(w);
      continue;
    }
    uint64_t next = min_u64(ike_engine_next_timer(n->side[0].e),
                            ike_engine_next_timer(n->side[1].e));
    for (int s = 0; s < 2; s++) {
      uint64_t d = dp_next_timer(&w->dp[s], n->now, w->cfg[s].g.idle_timeout_ms);
      if (d != UINT64_MAX)
        next = min_u64(next, n->now + d);
    }
    for (size_t i = 0; i < w->nheld; i++)
      next = min_u64(next, w->held[i].due_ms);
    if (next == UINT64_MAX || next > until_ms)
      break;
    if (next > n->now)
      n->now = next;
    release_held(w, false);
    ike_engine_tick(n->side[0].e, n->now);
    ike_engine_tick(n->side[1].e, n->now);
    sync_datapaths(w);
    datapath_timers(w);
  }
  if (until_ms > n->now && until_ms != UINT64_MAX)
    n->now = until_ms;
  datapath_timers(w);
}

void world_inject(struct world *w, int to, const uint8_t *pkt, size_t len)
{
  struct net_side *dst = &w->net.side[to], *src = &w->net.side[1 - to];
  if (w->remote) {
    remote_world_inject(w, to, pkt, len);
    return;
  }
  trace_add(w, TR_IKE, src->index, true, pkt, len, NULL, 0, NULL, 0);
  ike_engine_input(dst->e, w->net.now, src->addr, dst->addr, pkt, len);
  sync_datapaths(w);
}

const struct trace_entry *world_ike_packet(const struct world *w, unsigned n)
{
  unsigned seen = 0;
  for (size_t i = 0; i < w->ntrace; i++)
    if (w->trace[i].kind == TR_IKE && ++seen == n)
      return &w->trace[i];
  return NULL;
}

bool world_replay(struct world *w, unsigned k)
{
  const struct trace_entry *t = world_ike_packet(w, k);
  if (!t)
    return false;
  static uint8_t copy[NET_MAX_PACKET];
  size_t len = t->len;
  memcpy(copy, t->data, len);
  world_inject(w, 1 - t->from, copy, len);
  return true;
}

/* A 60-byte IPv4/UDP packet from the side's network to the other's. */
static size_t inner_packet(struct world *w, int s, uint8_t *out)
{
  uint32_t src = w->cfg[s].rules[0].local.a + 10;
  uint32_t dst = w->cfg[s].rules[0].remote.a + 20;
  uint16_t id = (uint16_t)++w->esp_seq;
  memset(out, 0, 60);
  out[0] = 0x45;
  out[3] = 60;
  out[4] = (uint8_t)(id >> 8);
  out[5] = (uint8_t)id;
  out[8] = 64;
  out[9] = 17;
  for (int i = 0; i < 4; i++) {
    out[12 + i] = (uint8_t)(src >> (24 - 8 * i));
    out[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
  }
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2)
    sum += (uint32_t)(out[i] << 8 | out[i + 1]);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  out[10] = (uint8_t)(~sum >> 8);
  out[11] = (uint8_t)~sum;
  return 60;
}

static void esp_arrives(struct world *w, int to, const uint8_t *esp, size_t len)
{
  static uint8_t inner[NET_MAX_PACKET];
  size_t inner_len = 0;
  bool log = false;
  struct log_event ev;
  trace_add(w, TR_ESP, 1 - to, false, esp, len, NULL, 0, NULL, 0);
  if (dp_inbound(&w->dp[to], w->net.now, esp, len, inner, sizeof inner, &inner_len, &log, &ev))
    w->esp_delivered[to]++;
  else if (log)
    log_line(w, to, &ev);
}

/* An authentic ESP packet whose trailer says TCP: esp_encap on the
 * sender's own outbound SA (the one the packet just made names), with the
 * wrong next header. */
static size_t bad_trailer(struct world *w, int s, const uint8_t *esp, uint8_t *out, size_t cap)
{
  uint32_t spi_out = (uint32_t)esp[0] << 24 | (uint32_t)esp[1] << 16 |
                     (uint32_t)esp[2] << 8 | esp[3];
  struct esp_sa *sa = esp_table_find_out(&w->dp[s].table, spi_out);
  uint8_t inner[60];
  size_t len = inner_packet(w, s, inner), outlen = 0;
  if (!sa || esp_encap(sa, w->net.now, 6 /* TCP */, inner, len, out, cap, &outlen,
                       det_random_fill, &w->net.side[s].rng) != ESP_OK)
    return 0;
  return outlen;
}

bool world_traffic(struct world *w, int s, unsigned n, enum esp_mangle how)
{
  static uint8_t esp[NET_MAX_PACKET], mangled[NET_MAX_PACKET];
  uint8_t inner[60];
  for (unsigned i = 0; i < n; i++) {
    struct dp_out res;
    size_t len = inner_packet(w, s, inner);
    dp_outbound(&w->dp[s], &w->cfg[s], w->net.now, inner, len, esp, sizeof esp, det_random_fill,
                &w->net.side[s].rng, &res);
    if (res.kind != DP_OUT_SEND)
      return false;
    size_t mlen = res.len;
    memcpy(mangled, esp, mlen);
    switch (how) {
    case ESP_CLEAN:
      break;
    case ESP_REPLAY_LAST:
      if (!w->last_esp_len[s])
        return false;
      mlen = w->last_esp_len[s];
      memcpy(mangled, w->last_esp[s], mlen);
      break;
    case ESP_FLIP_SPI:
      mangled[0] ^= 0xff;
      break;
    case ESP_FLIP_ICV:
      mangled[mlen - 1] ^= 0xff;
      break;
    case ESP_BAD_TRAILER:
      mlen = bad_trailer(w, s, esp, mangled, sizeof mangled);
      if (!mlen)
        return false;
      break;
    }
    memcpy(w->last_esp[s], esp, res.len);
    w->last_esp_len[s] = res.len;
    esp_arrives(w, 1 - s, mangled, mlen);
  }
  return true;
}

void world_address(struct world *w, int s, uint32_t addr)
{
  struct net_side *side = &w->net.side[s];
  ike_engine_address_changed(side->e, w->net.now, addr);
  side->addr.addr = addr;
  sync_datapaths(w);
}
