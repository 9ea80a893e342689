/* The datapath's decisions (datapath.h): SA choice by selectors, traffic
 * triggers, inbound selector checks, idle time-out and keepalive timing. */
#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/datapath.h"
#include "ikelab/isakmp_types.h"

void dp_init(struct datapath *dp)
{
  memset(dp, 0, sizeof *dp);
  esp_table_init(&dp->table, 0);
}

void dp_clear(struct datapath *dp)
{
  esp_table_clear(&dp->table);
  memset(dp->trigger_ms, 0, sizeof dp->trigger_ms);
  dp->keepalive_ms = 0;
}

bool dp_sa_add(struct datapath *dp, uint64_t now_ms, const struct ike_ipsec_sa *sa, char *why,
               size_t whylen)
{
  if (!esp_table_add(&dp->table, now_ms, sa, why, whylen))
    return false;
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    if (dp->table.sa[i].used && dp->table.sa[i].sa.spi_in == sa->spi_in)
      dp->volume_soft[i] = false; /* a new SA in this slot */
  if (sa->rule >= 1 && sa->rule <= DP_RULE_MAX)
    dp->trigger_ms[sa->rule] = 0; /* up: a later loss may trigger at once */
  return true;
}

bool dp_sa_del(struct datapath *dp, const struct ike_ipsec_sa *sa)
{
  return esp_table_del(&dp->table, sa->spi_in);
}

/* Source and destination of an IPv4 packet; false unless the header is whole
 * and its total length fits the bytes we have. */
static bool ipv4_addrs(const uint8_t *pkt, size_t len, uint32_t *src, uint32_t *dst)
{
  struct buf_reader r;
  uint8_t vihl;
  uint16_t total;
  br_init(&r, pkt, len);
  if (!br_u8(&r, &vihl) || (vihl >> 4) != 4 || (size_t)(vihl & 0xf) * 4 < 20 ||
      !br_skip(&r, 1) || !br_u16(&r, &total) || total > len || total < (vihl & 0xf) * 4 ||
      !br_skip(&r, 8) || !br_u32(&r, src) || !br_u32(&r, dst))
    return false;
  return true;
}

static bool covers(const struct addr_range *r, uint32_t a)
{
  struct addr_range one = addr_single(a);
  return addr_range_contains(r, &one);
}

static struct esp_sa *sa_for(struct datapath *dp, uint32_t src, uint32_t dst)
{
  struct esp_sa *best = NULL;
  for (size_t i = 0; i < ESP_TABLE_CAP; i++) {
    struct esp_sa *s = &dp->table.sa[i];
    if (!s->used || !covers(&s->sa.local_net, src) || !covers(&s->sa.remote_net, dst))
      continue;
    if (!best || s->added_ms >= best->added_ms)
      best = s;
  }
  return best;
}

static const struct ike_rule *rule_for(const struct ike_config *cfg, uint32_t src, uint32_t dst)
{
  for (size_t i = 0; i < cfg->nrules; i++) {
    const struct ike_rule *r = &cfg->rules[i];
    if (r->active && !ike_rule_dynamic(r) && r->keymgmt == IKE_KEYMGMT_IKE &&
        r->number >= 1 && r->number <= DP_RULE_MAX && covers(&r->local, src) &&
        covers(&r->remote, dst))
      return r;
  }
  return NULL;
}

static void drop(struct datapath *dp, struct dp_out *res, enum dp_drop why)
{
  res->kind = DP_OUT_DROP;
  res->drop = why;
  dp->stats.drop[why]++;
}

/* No SA: name the rule to negotiate, unless it was asked recently. */
static void no_sa(struct datapath *dp, const struct ike_config *cfg, uint64_t now_ms,
                  uint32_t src, uint32_t dst, struct dp_out *res)
{
  const struct ike_rule *r = rule_for(cfg, src, dst);
  if (!r) {
    drop(dp, res, DP_DROP_NO_RULE);
    return;
  }
  res->rule = r->number;
  /* The engine's whole retransmission span: it has given up by then. */
  uint64_t span = (uint64_t)cfg->g.retransmit_interval_ms * (cfg->g.retransmit_count + 1u);
  uint64_t last = dp->trigger_ms[r->number];
  drop(dp, res, DP_DROP_NEGOTIATING);
  if (last == 0 || now_ms < last || now_ms - last >= span) {
    dp->trigger_ms[r->number] = now_ms ? now_ms : 1;
    dp->stats.triggers++;
    res->kind = DP_OUT_TRIGGER;
  }
}

void dp_outbound(struct datapath *dp, const struct ike_config *cfg, uint64_t now_ms,
                 const uint8_t *pkt, size_t len, uint8_t *out, size_t cap,
                 ike_random_fn random, void *random_ctx, struct dp_out *res)
{
  uint32_t src, dst;
  memset(res, 0, sizeof *res);
  if (!ipv4_addrs(pkt, len, &src, &dst)) {
    drop(dp, res, DP_DROP_NOT_IPV4);
    return;
  }
  struct esp_sa *s = sa_for(dp, src, dst);
  if (!s) {
    no_sa(dp, cfg, now_ms, src, dst, res);
    return;
  }
  res->rule = s->sa.rule;
  if (!s->sa.udp_encap && !dp->raw_esp) {
    /* Checked before encap so no sequence number is spent on it. */
    drop(dp, res, DP_DROP_NOT_UDP);
    return;
  }
  res->verdict = esp_encap(s, now_ms, ESP_NH_IPV4, pkt, len, out, cap, &res->len, random,
                           random_ctx);
  if (res->verdict != ESP_OK) {
    drop(dp, res, DP_DROP_ENCAP);
    return;
  }
  res->kind = DP_OUT_SEND;
  res->from = s->sa.local;
  res->to = s->sa.peer;
  dp->stats.encap++;
}

/* False when ev's row has had its DP_LOG_BURST lines this second. */
static bool p_row_pass(struct datapath *dp, uint64_t now_ms, struct log_event *ev)
{
  if (ev->id < LOG_P2 || ev->id > LOG_P5)
    return true;
  if (!log_window_pass(&dp->limit[ev->id - LOG_P2], now_ms, DP_LOG_BURST, &ev->suppressed)) {
    dp->stats.log_suppressed++;
    return false;
  }
  return true;
}

bool dp_inbound(struct datapath *dp, uint64_t now_ms, const uint8_t *pkt, size_t len,
                uint8_t *out, size_t cap, size_t *outlen, bool *log, struct log_event *ev)
{
  struct esp_info info;
  uint32_t src, dst;
  *log = false;
  enum esp_verdict v = esp_decap(&dp->table, now_ms, pkt, len, out, cap, outlen, &info);
  if (v != ESP_OK) {
    dp->stats.drop[DP_DROP_ESP]++;
    *log = esp_verdict_log(v, &info, now_ms, ev) && p_row_pass(dp, now_ms, ev);
    return false;
  }
  if (info.next_header != ESP_NH_IPV4) {
    dp->stats.drop[DP_DROP_TRANSPORT]++;
    return false;
  }
  if (!ipv4_addrs(out, *outlen, &src, &dst)) {
    dp->stats.drop[DP_DROP_NOT_IPV4]++;
    return false;
  }
  /* RFC 4301 §5.2: what leaves the tunnel must match the SA it came in. */
  if (!covers(&info.sa->sa.remote_net, src) || !covers(&info.sa->sa.local_net, dst)) {
    dp->stats.drop[DP_DROP_SELECTOR]++;
    return false;
  }
  dp->stats.decap++;
  return true;
}

bool dp_volume_expire(struct datapath *dp, uint32_t *spi_in, bool *hard)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++) {
    struct esp_sa *s = &dp->table.sa[i];
    uint64_t limit = (uint64_t)s->sa.life_kbytes * 1024;
    if (!s->used || limit == 0)
      continue;
    uint64_t used = s->count.bytes_in > s->count.bytes_out ? s->count.bytes_in : s->count.bytes_out;
    *spi_in = s->sa.spi_in;
    if (used >= limit) {
      *hard = true;
      dp->volume_soft[i] = false;
      esp_table_del(&dp->table, s->sa.spi_in);
      return true;
    }
    if (!dp->volume_soft[i] && used >= limit / 10 * 9) {
      *hard = false;
      dp->volume_soft[i] = true;
      return true;
    }
  }
  return false;
}

bool dp_idle_expire(struct datapath *dp, uint64_t now_ms, uint32_t idle_ms,
                    struct log_event *ev)
{
  if (idle_ms == 0)
    return false;
  for (size_t i = 0; i < ESP_TABLE_CAP; i++) {
    struct esp_sa *s = &dp->table.sa[i];
    if (!s->used || esp_sa_idle_ms(s, now_ms) < idle_ms)
      continue;
    memset(ev, 0, sizeof *ev);
    ev->id = LOG_P6;
    ev->time_ms = now_ms;
    ev->f.rule = s->sa.rule;
    ev->f.spi = s->sa.spi_in;
    ev->f.peer = s->sa.peer.addr;
    esp_table_del(&dp->table, s->sa.spi_in);
    return true;
  }
  return false;
}

static bool any_udp(const struct datapath *dp)
{
  for (size_t i = 0; i < ESP_TABLE_CAP; i++)
    if (dp->table.sa[i].used && dp->table.sa[i].sa.udp_encap)
      return true;
  return false;
}

size_t dp_keepalives(struct datapath *dp, uint64_t now_ms, struct ike_endpoint *from,
                     struct ike_endpoint *to, size_t max)
{
  if (!any_udp(dp)) {
    dp->keepalive_ms = 0;
    return 0;
  }
  if (dp->keepalive_ms == 0) {
    dp->keepalive_ms = now_ms; /* the first SA starts the period */
    return 0;
  }
  if (now_ms < dp->keepalive_ms + DP_KEEPALIVE_MS)
    return 0;
  dp->keepalive_ms = now_ms;
  size_t n = 0;
  for (size_t i = 0; i < ESP_TABLE_CAP && n < max; i++) {
    const struct ike_ipsec_sa *sa = &dp->table.sa[i].sa;
    if (!dp->table.sa[i].used || !sa->udp_encap)
      continue;
    bool seen = false;
    for (size_t j = 0; j < n && !seen; j++)
      seen = from[j].addr == sa->local.addr && from[j].port == sa->local.port &&
             to[j].addr == sa->peer.addr && to[j].port == sa->peer.port;
    if (!seen) {
      from[n] = sa->local;
      to[n++] = sa->peer;
    }
  }
  return n;
}

uint64_t dp_next_timer(const struct datapath *dp, uint64_t now_ms, uint32_t idle_ms)
{
  uint64_t next = UINT64_MAX;
  for (size_t i = 0; i < ESP_TABLE_CAP; i++) {
    const struct esp_sa *s = &dp->table.sa[i];
    if (!s->used)
      continue;
    uint64_t idle = esp_sa_idle_ms(s, now_ms);
    uint64_t left = idle_ms == 0 ? UINT64_MAX : idle >= idle_ms ? 0 : idle_ms - idle;
    if (left < next)
      next = left;
    if (s->sa.udp_encap) {
      uint64_t ka = dp->keepalive_ms == 0 ? 0
                    : dp->keepalive_ms + DP_KEEPALIVE_MS <= now_ms
                        ? 0
                        : dp->keepalive_ms + DP_KEEPALIVE_MS - now_ms;
      if (ka < next)
        next = ka;
    }
  }
  return next;
}

const char *dp_drop_name(enum dp_drop d)
{
  static const char *const names[DP_DROP_COUNT] = {
      [DP_DROP_NOT_IPV4] = "not IPv4", [DP_DROP_NO_RULE] = "no rule",
      [DP_DROP_NEGOTIATING] = "negotiating", [DP_DROP_NOT_UDP] = "not UDP-encapsulated",
      [DP_DROP_ENCAP] = "encap refused", [DP_DROP_ESP] = "ESP refused",
      [DP_DROP_TRANSPORT] = "not tunnel mode", [DP_DROP_SELECTOR] = "outside selectors"};
  return (unsigned)d < DP_DROP_COUNT ? names[d] : "unknown";
}
