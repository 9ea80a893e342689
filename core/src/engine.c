/* The engine's front door: creation, the three inputs (packet, tick,
 * trigger), SA tables, and inspection. Exchange logic lives in
 * engine_phase1.c, engine_quick.c and engine_info.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

/* ---- tables ---- */

struct p1_sa *p1_new(struct ike_engine *e)
{
  for (size_t i = 0; i < e->p1_cap; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE) {
      if (i >= e->p1_top)
        e->p1_top = i + 1;
      memset(sa, 0, sizeof *sa);
      sa->sent.next_ms = UINT64_MAX;
      sa->expires_ms = UINT64_MAX;
      sa->dpd_next_ms = UINT64_MAX;
      return sa;
    }
  }
  return NULL;
}

struct p1_kx *p1_kx(struct p1_sa *sa)
{
  if (!sa->kx)
    sa->kx = calloc(1, sizeof *sa->kx);
  return sa->kx;
}

/* What a Phase 1 SA owns besides its slot. */
static void p1_release(struct p1_sa *sa)
{
  sent_forget(&sa->sent);
  if (sa->kx) {
    ike_dh_clear(&sa->kx->dh);
    free(sa->kx);
  }
  free(sa->sai_b);
}

void p2_free(struct ike_engine *e, struct p2_sa *sa)
{
  (void)e;
  sent_forget(&sa->sent);
  ike_dh_clear(&sa->dh);
  memset(sa, 0, sizeof *sa);
  sa->state = P2_FREE;
}

/* Deleting a Phase 1 SA ends its Quick Mode exchanges still under way;
 * established IPsec SAs live on (RFC 2409 §5.5: they are independent). */
void p1_free(struct ike_engine *e, struct p1_sa *sa)
{
  size_t idx = p1_index(e, sa);
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state == P2_FREE || q->p1 != idx)
      continue;
    if (q->state == P2_ESTABLISHED)
      q->p1 = SIZE_MAX;
    else
      p2_free(e, q);
  }
  p1_release(sa);
  memset(sa, 0, sizeof *sa);
  sa->state = P1_FREE;
}

struct p2_sa *p2_new(struct ike_engine *e, struct p1_sa *p1)
{
  for (size_t i = 0; i < ENGINE_MAX_P2; i++) {
    struct p2_sa *sa = &e->p2[i];
    if (sa->state == P2_FREE) {
      if (i >= e->p2_top)
        e->p2_top = i + 1;
      memset(sa, 0, sizeof *sa);
      sa->p1 = p1_index(e, p1);
      sa->sent.next_ms = UINT64_MAX;
      sa->expires_ms = UINT64_MAX;
      return sa;
    }
  }
  return NULL;
}

size_t p1_index(const struct ike_engine *e, const struct p1_sa *sa)
{
  for (size_t i = 0; i < e->p1_top; i++)
    if (&e->p1[i] == sa)
      return i;
  return SIZE_MAX;
}

struct p1_sa *p1_established_with(struct ike_engine *e, uint32_t peer, int rule)
{
  for (size_t i = 0; i < e->p1_top; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_ESTABLISHED && sa->peer.addr == peer && sa->rule == rule)
      return sa;
  }
  return NULL;
}

const struct ike_rule *rule_of(const struct ike_engine *e, int number)
{
  return ike_rule_find(&e->cfg, number);
}

void random_bytes(struct ike_engine *e, uint8_t *out, size_t len)
{
  e->host.random(e->host.random_ctx, out, len);
}

unsigned p2_active_count(const struct ike_engine *e)
{
  unsigned n = 0;
  for (size_t i = 0; i < e->p2_top; i++)
    if (e->p2[i].state == P2_I_QM1_SENT || e->p2[i].state == P2_R_QM2_SENT)
      n++;
  return n;
}

/* ---- life cycle ---- */

static size_t p1_capacity(const struct ike_config *cfg)
{
  return (size_t)cfg->g.max_half_open_phase1 + ENGINE_P1_SETTLED;
}

/* Room for cfg's limit: the table only grows, and only between inputs. */
static bool p1_reserve(struct ike_engine *e, const struct ike_config *cfg)
{
  size_t cap = p1_capacity(cfg);
  if (cap <= e->p1_cap)
    return true;
  /* calloc's fresh pages stay untouched (and out of RSS) until a slot is
   * used; only a grown table's new part is cleared by hand. */
  struct p1_sa *t = e->p1 ? realloc(e->p1, cap * sizeof *t) : calloc(cap, sizeof *t);
  if (!t)
    return false;
  if (e->p1)
    memset(t + e->p1_cap, 0, (cap - e->p1_cap) * sizeof *t);
  e->p1 = t;
  e->p1_cap = cap;
  return true;
}

struct ike_engine *ike_engine_new(const struct ike_config *cfg, const struct ike_host *host,
                                  char *why, size_t whylen)
{
  if (!ike_config_check(cfg, why, whylen))
    return NULL;
  if (!host || !host->random || !host->sink) {
    snprintf(why, whylen, "host: random and sink callbacks are required");
    return NULL;
  }
  struct ike_engine *e = calloc(1, sizeof *e);
  if (!e || !p1_reserve(e, cfg)) {
    free(e);
    snprintf(why, whylen, "out of memory");
    return NULL;
  }
  e->cfg = *cfg;
  e->host = *host;
  return e;
}

void ike_engine_clear(struct ike_engine *e)
{
  for (size_t i = 0; i < e->p2_top; i++)
    if (e->p2[i].state != P2_FREE)
      p2_free(e, &e->p2[i]);
  for (size_t i = 0; i < e->p1_top; i++)
    if (e->p1[i].state != P1_FREE)
      p1_free(e, &e->p1[i]);
  e->p1_top = e->p2_top = 0;
  e->now = 0;
  memset(e->limits, 0, sizeof e->limits);
}

void ike_engine_free(struct ike_engine *e)
{
  if (!e)
    return;
  ike_engine_clear(e);
  free(e->p1);
  free(e);
}

/* ---- packet input ---- */

static bool cookie_zero(const uint8_t c[8])
{
  return slice_is_zero(slice_of(c, 8));
}

static struct p1_sa *find_p1(struct ike_engine *e, const struct isakmp_hdr *h,
                             struct ike_endpoint from)
{
  bool rzero = cookie_zero(h->rcookie);
  for (size_t i = 0; i < e->p1_top; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE || memcmp(sa->icookie, h->icookie, 8) != 0)
      continue;
    if (memcmp(sa->rcookie, h->rcookie, 8) == 0)
      return sa;
    /* The responder's first answer names its cookie for the first time. */
    if (sa->initiator && cookie_zero(sa->rcookie) && sa->peer.addr == from.addr &&
        (sa->state == P1_I_MM1_SENT || sa->state == P1_I_AM1_SENT))
      return sa;
    /* A first message sent again: our responder SA already has its
     * cookie, the peer's copy still has zeros. */
    if (rzero && !sa->initiator && sa->peer.addr == from.addr)
      return sa;
  }
  return NULL;
}

/* Room for one more half-open SA from addr? At most max_half_open_phase1
 * in all, and at most half of them from any one address: a flood from one
 * source (its ports and cookies as random as it likes) refills every slot
 * it frees within microseconds, and would otherwise lock everyone else out. */
static bool half_open_room(const struct ike_engine *e, uint32_t addr)
{
  unsigned max = e->cfg.g.max_half_open_phase1, share = max > 1 ? max / 2 : 1;
  unsigned all = 0, from = 0;
  for (size_t i = 0; i < e->p1_top; i++)
    if (e->p1[i].state != P1_FREE && e->p1[i].state != P1_ESTABLISHED) {
      all++;
      from += e->p1[i].peer.addr == addr;
    }
  return all < max && from < share;
}

/* A message we have seen again. The responder answers it as a
 * retransmission would, and while the exchange is still under way that is
 * a duplicate request (K11). The initiator resends only its final message
 * (nothing else would repair its loss); otherwise its own timer does. */
static bool duplicate(struct ike_engine *e, struct p1_sa *sa, const uint8_t digest[20])
{
  bool same = sa->have_last_recv && memcmp(sa->last_recv, digest, 20) == 0;
  bool restart = cookie_zero(e->in_msg.hdr.rcookie) && !sa->initiator;
  if (!same && !restart)
    return false;
  e->counters.duplicate_requests++;
  if (!sa->initiator && sa->state != P1_ESTABLISHED)
    log_simple(e, LOG_K11, sa->rule, sa->peer.addr);
  if (!sa->initiator || sa->sent.next_ms == UINT64_MAX)
    sent_resend(e, sa->local, sa->peer, &sa->sent);
  return true;
}

static void new_responder(struct ike_engine *e, struct ike_endpoint from, struct ike_endpoint to,
                          const uint8_t digest[20])
{
  const struct isakmp_hdr *h = &e->in_msg.hdr;
  if (!half_open_room(e, from.addr)) {
    e->counters.half_open_dropped++; /* silently: a flood must not make us talk */
    return;
  }
  struct p1_sa *sa = p1_new(e);
  if (!sa)
    return;
  sa->initiator = false;
  sa->exchange = h->exchange;
  sa->local = to;
  sa->peer = from;
  memcpy(sa->icookie, h->icookie, 8);
  random_bytes(e, sa->rcookie, 8);
  sa->rcookie[0] |= 1; /* never all zero */
  memcpy(sa->last_recv, digest, 20);
  sa->have_last_recv = true;
  sa->state = h->exchange == ISAKMP_XCHG_AGGRESSIVE ? P1_R_AM2_SENT : P1_R_MM2_SENT;
  phase1_input(e, sa, true);
}

static void rejected(struct ike_engine *e, struct ike_endpoint from, struct ike_endpoint to,
                     const uint8_t *pkt, size_t len, const struct isakmp_error *err)
{
  struct isakmp_hdr h;
  struct buf_reader r;
  br_init(&r, pkt, len);
  /* Only a message whose cookies we can read can be answered or counted. */
  if (!br_copy(&r, h.icookie, 8) || !br_copy(&r, h.rcookie, 8) || cookie_zero(h.icookie) ||
      !br_skip(&r, 2) || !br_u8(&r, &h.exchange))
    return;
  /* RFC 2408 §5.14-§5.15: a faulty Notification or Delete payload is only
   * logged, never answered (a notify about a notify can loop). Header
   * faults of an Informational stay answerable as §5.2 allows. */
  bool quiet = h.exchange == ISAKMP_XCHG_INFO && strncmp(err->field, "header.", 7) != 0;
  struct p1_sa *sa = find_p1(e, &h, from);
  if (sa) {
    if (p1_error(e, sa) || quiet)
      return;
    if (sa->state == P1_ESTABLISHED)
      send_notify(e, sa, sa->icookie, sa->rcookie, sa->local, sa->peer, err->notify,
                  ISAKMP_PROTO_ISAKMP, 0);
    return;
  }
  /* RFC 2408 §5.1: tell the sender, unprotected, when there is no SA. */
  if (!quiet)
    send_notify(e, NULL, h.icookie, h.rcookie, to, from, err->notify, ISAKMP_PROTO_ISAKMP, 0);
}

/* Why a message that finds no SA is refused. RFC 2408 §5.2 checks the
 * exchange type and the flags before the cookies: a first message (no
 * responder cookie yet) of a Phase 1 exchange we do not run, or one that
 * claims encryption before any key exists, is wrong in that field, not in
 * its cookies. */
static uint16_t no_sa_notify(const struct isakmp_hdr *h)
{
  bool first = cookie_zero(h->rcookie);
  if (first && (h->exchange == ISAKMP_XCHG_BASE || h->exchange == ISAKMP_XCHG_AUTH_ONLY))
    return ISAKMP_N_INVALID_EXCHANGE_TYPE;
  if (first && (h->exchange == ISAKMP_XCHG_IDPROT || h->exchange == ISAKMP_XCHG_AGGRESSIVE))
    return ISAKMP_N_INVALID_FLAGS; /* the E flag: nothing else stops a first message here */
  return ISAKMP_N_INVALID_COOKIE;
}

void ike_engine_input(struct ike_engine *e, uint64_t now_ms, struct ike_endpoint from,
                      struct ike_endpoint to, const uint8_t *pkt, size_t len)
{
  struct isakmp_error err;
  uint8_t digest[20];
  e->now = now_ms;
  e->in_from = from;
  if (!isakmp_decode(&e->in_msg, pkt, len, &err)) {
    e->counters.malformed++;
    rejected(e, from, to, pkt, len, &err);
    return;
  }
  if (!packet_digest(pkt, len, digest))
    return;
  const struct isakmp_hdr *h = &e->in_msg.hdr;
  struct p1_sa *sa = find_p1(e, h, from);
  bool phase1 = h->exchange == ISAKMP_XCHG_IDPROT || h->exchange == ISAKMP_XCHG_AGGRESSIVE;
  if (!sa) {
    if (phase1 && cookie_zero(h->rcookie) && !(h->flags & ISAKMP_FLAG_E))
      new_responder(e, from, to, digest);
    else if (h->exchange != ISAKMP_XCHG_INFO)
      send_notify(e, NULL, h->icookie, h->rcookie, to, from, no_sa_notify(h),
                  ISAKMP_PROTO_ISAKMP, 0);
    return;
  }
  /* RFC 3947 §4: the peer moved to the NAT-T port (or its NAT rebound).
   * An established SA moves only once the message proves itself
   * (natt_authenticated): junk from another port must not steer it. */
  e->moved.on = false;
  if (sa->natt && to.port == natt_port(e)) {
    if (sa->state != P1_ESTABLISHED) {
      sa->local = to;
      sa->peer = from;
    } else {
      e->moved.on = true;
      e->moved.local = to;
      e->moved.peer = from;
    }
  }
  if (phase1 && duplicate(e, sa, digest))
    return;
  if (phase1) {
    uint8_t prev[20];
    bool had = sa->have_last_recv;
    unsigned errors = sa->errors;
    memcpy(prev, sa->last_recv, 20);
    memcpy(sa->last_recv, digest, 20);
    sa->have_last_recv = true;
    phase1_input(e, sa, false);
    /* A refused message (counted as an error) is not the request our last
     * answer replied to: remembering it would make a copy of it look like
     * a duplicate and be answered with that answer again. Two engines
     * then resend to each other forever (a forged AM1 made B refuse A's
     * AM3, and each AM3/AM2 copy drew the other). */
    if (sa->state != P1_FREE && sa->errors != errors) {
      memcpy(sa->last_recv, prev, 20);
      sa->have_last_recv = had;
    }
  } else if (h->exchange == ISAKMP_XCHG_QUICK) {
    quick_input(e, sa, digest);
  } else if (h->exchange == ISAKMP_XCHG_INFO) {
    info_input(e, sa);
  } else {
    p1_error(e, sa);
  }
}

/* ---- time ---- */

/* K19 and the last packet again while the schedule lasts; false once the
 * retransmissions are spent. */
static bool retransmit(struct ike_engine *e, struct sent_packet *s, int rule,
                       struct ike_endpoint local, struct ike_endpoint peer)
{
  if (s->retries >= e->cfg.g.retransmit_count)
    return false;
  log_simple(e, LOG_K19, rule, peer.addr);
  s->retries++;
  s->next_ms = e->now + e->cfg.g.retransmit_interval_ms;
  sent_resend(e, local, peer, s);
  return true;
}

static void p1_timers(struct ike_engine *e, struct p1_sa *sa)
{
  if (sa->state == P1_ESTABLISHED && e->now >= sa->expires_ms) {
    send_delete_p1(e, sa);
    p1_free(e, sa);
    return;
  }
  if (sa->state == P1_ESTABLISHED && dpd_timer(e, sa))
    return;
  if (e->now < sa->sent.next_ms || retransmit(e, &sa->sent, sa->rule, sa->local, sa->peer))
    return;
  /* The peer went silent: the negotiation is over. */
  emit_result(e, IKE_RESULT_PHASE1_FAILED, sa->rule, 0, sa->peer);
  p1_free(e, sa);
}

static void p2_timers(struct ike_engine *e, struct p2_sa *sa)
{
  struct p1_sa *p1 = sa->p1 < e->p1_top ? &e->p1[sa->p1] : NULL;
  if (sa->state == P2_ESTABLISHED) {
    if (e->now >= sa->expires_ms) {
      p2_sa_event(e, sa, IKE_EV_SA_DEL);
      p2_free(e, sa);
    } else if (!sa->rekeyed && e->now >= sa->rekey_ms) {
      /* Rekey before expiry: the successor overlaps the old SA, which
       * lives until its own end. */
      sa->rekeyed = true;
      const struct ike_rule *r = rule_of(e, sa->rule);
      struct p1_sa *up = r ? p1_established_with(e, r->secure_gateway, r->number) : NULL;
      if (up)
        quick_start(e, up, r);
      else if (r)
        phase1_start(e, r);
    }
    return;
  }
  if (e->now < sa->sent.next_ms || !p1 ||
      retransmit(e, &sa->sent, sa->rule, p1->local, p1->peer))
    return;
  emit_result(e, IKE_RESULT_PHASE2_FAILED, sa->rule, 0, p1->peer);
  p2_free(e, sa);
}

void ike_engine_tick(struct ike_engine *e, uint64_t now_ms)
{
  e->now = now_ms;
  for (size_t i = 0; i < e->p1_top; i++)
    if (e->p1[i].state != P1_FREE)
      p1_timers(e, &e->p1[i]);
  for (size_t i = 0; i < e->p2_top; i++)
    if (e->p2[i].state != P2_FREE)
      p2_timers(e, &e->p2[i]);
}

uint64_t ike_engine_next_timer(const struct ike_engine *e)
{
  uint64_t next = UINT64_MAX;
  for (size_t i = 0; i < e->p1_top; i++) {
    const struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE)
      continue;
    if (sa->sent.next_ms < next)
      next = sa->sent.next_ms;
    if (sa->state == P1_ESTABLISHED && sa->expires_ms < next)
      next = sa->expires_ms;
    if (sa->state == P1_ESTABLISHED && sa->dpd_next_ms < next)
      next = sa->dpd_next_ms;
  }
  for (size_t i = 0; i < e->p2_top; i++) {
    const struct p2_sa *sa = &e->p2[i];
    if (sa->state == P2_FREE)
      continue;
    if (sa->state != P2_ESTABLISHED && sa->sent.next_ms < next)
      next = sa->sent.next_ms;
    if (sa->state == P2_ESTABLISHED && sa->expires_ms < next)
      next = sa->expires_ms;
    if (sa->state == P2_ESTABLISHED && !sa->rekeyed && sa->rekey_ms < next)
      next = sa->rekey_ms;
  }
  return next;
}

/* ---- trigger ---- */

static bool rule_busy(const struct ike_engine *e, int rule, bool *established)
{
  *established = false;
  for (size_t i = 0; i < e->p2_top; i++) {
    const struct p2_sa *q = &e->p2[i];
    if (q->state == P2_FREE || q->rule != rule)
      continue;
    if (q->state == P2_ESTABLISHED)
      *established = true;
    else
      return true;
  }
  for (size_t i = 0; i < e->p1_top; i++) {
    const struct p1_sa *sa = &e->p1[i];
    if (sa->state != P1_FREE && sa->state != P1_ESTABLISHED && sa->rule == rule)
      return true;
  }
  return false;
}

bool ike_engine_trigger(struct ike_engine *e, uint64_t now_ms, int rule)
{
  bool established;
  e->now = now_ms;
  const struct ike_rule *r = rule_of(e, rule);
  if (!r || !r->active || ike_rule_dynamic(r) || r->keymgmt != IKE_KEYMGMT_IKE)
    return false;
  if (rule_busy(e, rule, &established)) {
    log_simple(e, LOG_K10, rule, r->secure_gateway);
    return true;
  }
  if (established)
    return true;
  log_simple(e, LOG_K1, rule, 0);
  struct p1_sa *p1 = p1_established_with(e, r->secure_gateway, rule);
  if (p1)
    return quick_start(e, p1, r);
  return phase1_start(e, r);
}

/* ---- taking SAs down ---- */

static void down_p2(struct ike_engine *e, struct p2_sa *q)
{
  struct p1_sa *p1 = q->p1 < e->p1_top ? &e->p1[q->p1] : NULL;
  if (q->state == P2_ESTABLISHED) {
    if (p1)
      send_delete_p2(e, p1, q);
    p2_sa_event(e, q, IKE_EV_SA_DEL);
  }
  p2_free(e, q);
}

typedef bool (*gone_fn)(const struct ike_engine *e, int rule, const void *ctx);

/* Takes down every SA whose rule gone() names: IPsec SAs first, so their
 * Deletes still travel under their Phase 1. */
static void down_where(struct ike_engine *e, gone_fn gone, const void *ctx)
{
  for (size_t i = 0; i < e->p2_top; i++)
    if (e->p2[i].state != P2_FREE && gone(e, e->p2[i].rule, ctx))
      down_p2(e, &e->p2[i]);
  for (size_t i = 0; i < e->p1_top; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE || !gone(e, sa->rule, ctx))
      continue;
    send_delete_p1(e, sa);
    p1_free(e, sa);
  }
}

void ike_engine_sa_volume(struct ike_engine *e, uint64_t now_ms, uint32_t spi_in, bool hard)
{
  e->now = now_ms;
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state != P2_ESTABLISHED || q->spi_in != spi_in)
      continue;
    if (hard) {
      down_p2(e, q);
    } else if (!q->rekeyed) {
      const struct ike_rule *r = rule_of(e, q->rule);
      /* Either side may start the successor when its rule can initiate. */
      if (r && !ike_rule_dynamic(r))
        q->rekey_ms = now_ms; /* the next tick starts it */
    }
    return;
  }
}

static bool is_rule(const struct ike_engine *e, int rule, const void *ctx)
{
  (void)e;
  return rule == *(const int *)ctx;
}

void ike_engine_down(struct ike_engine *e, uint64_t now_ms, int rule)
{
  e->now = now_ms;
  down_where(e, is_rule, &rule);
}

static bool always(const struct ike_engine *e, int rule, const void *ctx)
{
  (void)e;
  (void)rule;
  (void)ctx;
  return true;
}

void ike_engine_shutdown(struct ike_engine *e, uint64_t now_ms)
{
  e->now = now_ms;
  down_where(e, always, NULL);
}

/* Our address is gone: every SA that used it is dropped here, with nothing
 * sent (a Delete from the new address would not match the peer's SA). The
 * next trigger negotiates from the new address. */
void ike_engine_address_changed(struct ike_engine *e, uint64_t now_ms, uint32_t addr)
{
  uint32_t old = e->host.local.addr;
  e->now = now_ms;
  if (addr == old)
    return;
  log_simple(e, LOG_P1, 0, addr);
  for (size_t i = 0; i < e->p2_top; i++) {
    struct p2_sa *q = &e->p2[i];
    if (q->state == P2_FREE || q->local.addr != old)
      continue;
    if (q->state == P2_ESTABLISHED)
      p2_sa_event(e, q, IKE_EV_SA_DEL);
    p2_free(e, q);
  }
  for (size_t i = 0; i < e->p1_top; i++) {
    struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE || sa->local.addr != old)
      continue;
    if (sa->state == P1_ESTABLISHED)
      emit_result(e, IKE_RESULT_PHASE1_DELETED, sa->rule, 0, sa->peer);
    p1_free(e, sa);
  }
  e->host.local.addr = addr;
}

/* Compares the rule an SA was made under (ctx: the old config) with the
 * new config's: gone, inactive, another peer or another key. */
static bool rule_changed(const struct ike_engine *e, int rule, const void *ctx)
{
  const struct ike_rule *now = ike_rule_find(&e->cfg, rule);
  const struct ike_rule *was = ike_rule_find(ctx, rule);
  if (rule == 0)
    return false; /* a responder SA still choosing its rule */
  return !now || !now->active || !was || now->secure_gateway != was->secure_gateway ||
         now->my_ip != was->my_ip || now->psk_len != was->psk_len ||
         memcmp(now->psk, was->psk, now->psk_len) != 0;
}

bool ike_engine_reconfigure(struct ike_engine *e, uint64_t now_ms, const struct ike_config *cfg,
                            char *why, size_t whylen)
{
  if (!ike_config_check(cfg, why, whylen))
    return false;
  struct ike_config *previous = malloc(sizeof *previous);
  if (!previous || !p1_reserve(e, cfg)) {
    free(previous);
    snprintf(why, whylen, "out of memory");
    return false;
  }
  e->now = now_ms;
  *previous = e->cfg;
  e->cfg = *cfg;
  down_where(e, rule_changed, previous);
  free(previous);
  return true;
}

/* ---- inspection ---- */

void ike_engine_counters(const struct ike_engine *e, struct ike_engine_counters *out)
{
  *out = e->counters;
}

size_t ike_engine_sa_count(const struct ike_engine *e)
{
  size_t n = 0;
  for (size_t i = 0; i < e->p1_top; i++)
    n += e->p1[i].state != P1_FREE;
  return n;
}

bool ike_engine_sa_info(const struct ike_engine *e, size_t i, struct ike_sa_info *out)
{
  for (size_t k = 0; k < e->p1_top; k++) {
    const struct p1_sa *sa = &e->p1[k];
    if (sa->state == P1_FREE || i-- != 0)
      continue;
    memset(out, 0, sizeof *out);
    out->rule = sa->rule;
    out->initiator = sa->initiator;
    out->state = sa->state == P1_ESTABLISHED ? IKE_P1_ESTABLISHED : IKE_P1_NEGOTIATING;
    memcpy(out->icookie, sa->icookie, 8);
    memcpy(out->rcookie, sa->rcookie, 8);
    out->peer = sa->peer;
    out->errors = sa->errors;
    out->peer_vendor_caps = sa->peer_caps;
    out->nat_detected = sa->nat_local || sa->nat_peer;
    for (size_t q = 0; q < e->p2_top; q++)
      out->phase2_up += e->p2[q].state == P2_ESTABLISHED && e->p2[q].p1 == k;
    return true;
  }
  return false;
}

size_t ike_engine_ipsec_count(const struct ike_engine *e)
{
  size_t n = 0;
  for (size_t i = 0; i < e->p2_top; i++)
    n += e->p2[i].state == P2_ESTABLISHED;
  return n;
}

bool ike_engine_ipsec_info(const struct ike_engine *e, size_t i, struct ike_ipsec_sa *out)
{
  for (size_t k = 0; k < e->p2_top; k++) {
    const struct p2_sa *q = &e->p2[k];
    if (q->state != P2_ESTABLISHED || i-- != 0)
      continue;
    memset(out, 0, sizeof *out);
    out->rule = q->rule;
    out->protocol = q->chosen.protocol;
    out->encr = q->chosen.encr;
    out->key_bits = q->chosen.key_bits;
    out->auth = q->chosen.auth;
    out->encap = q->chosen.encap;
    out->spi_in = q->spi_in;
    out->spi_out = q->spi_out;
    out->life_seconds = q->chosen.life_seconds;
    out->life_kbytes = q->chosen.life_kbytes;
    out->udp_encap = q->udp_encap;
    out->local = q->local;
    out->peer = q->peer;
    out->local_net = q->local_net;
    out->remote_net = q->remote_net;
    return true;
  }
  return false;
}

/* The fuzz targets' oracle, run after every step. Its loops and compares
 * tell nothing about what the engine did (each branch but one aborts), so
 * libFuzzer builds leave it out of coverage: tracing its compares cost a
 * sixth of every input and only fed the fuzzer features of the checker. */
#if defined(__clang__) && defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
__attribute__((no_sanitize("coverage")))
#endif
bool ike_engine_consistent(const struct ike_engine *e, char *why, size_t whylen)
{
  for (size_t i = 0; i < e->p1_top; i++) {
    const struct p1_sa *sa = &e->p1[i];
    if (sa->state == P1_FREE)
      continue;
    if (cookie_zero(sa->icookie)) {
      snprintf(why, whylen, "p1[%zu]: zero initiator cookie", i);
      return false;
    }
    if (sa->state == P1_ESTABLISHED && (sa->rule == 0 || cookie_zero(sa->rcookie))) {
      snprintf(why, whylen, "p1[%zu]: established without rule or responder cookie", i);
      return false;
    }
    for (size_t k = i + 1; k < e->p1_top; k++)
      if (e->p1[k].state != P1_FREE && memcmp(e->p1[k].icookie, sa->icookie, 8) == 0 &&
          memcmp(e->p1[k].rcookie, sa->rcookie, 8) == 0) {
        snprintf(why, whylen, "p1[%zu] and p1[%zu] share their cookies", i, k);
        return false;
      }
  }
  for (size_t i = 0; i < e->p2_top; i++) {
    const struct p2_sa *q = &e->p2[i];
    if (q->state == P2_FREE)
      continue;
    bool orphan_ok = q->state == P2_ESTABLISHED && q->p1 == SIZE_MAX;
    if (!orphan_ok && (q->p1 >= e->p1_top || e->p1[q->p1].state != P1_ESTABLISHED)) {
      snprintf(why, whylen, "p2[%zu]: its Phase 1 SA is not established", i);
      return false;
    }
    if (q->msgid == 0) {
      snprintf(why, whylen, "p2[%zu]: message ID 0", i);
      return false;
    }
  }
  return true;
}

/* The states after derive_keys() (engine_phase1.c). */
static bool p1_has_keys(enum p1_state s)
{
  return s == P1_R_MM4_SENT || s == P1_I_MM5_SENT || s == P1_R_AM2_SENT || s == P1_ESTABLISHED;
}

bool ike_engine_p1_keys(const struct ike_engine *e, size_t i, struct ike_p1_keys_info *out)
{
  for (size_t k = 0; k < e->p1_top; k++) {
    const struct p1_sa *sa = &e->p1[k];
    if (sa->state == P1_FREE || i-- != 0)
      continue;
    if (!p1_has_keys(sa->state))
      return false;
    memset(out, 0, sizeof *out);
    memcpy(out->icookie, sa->icookie, 8);
    memcpy(out->rcookie, sa->rcookie, 8);
    out->keys = sa->keys;
    memcpy(out->iv, sa->iv, sizeof out->iv);
    out->established = sa->state == P1_ESTABLISHED;
    return true;
  }
  return false;
}

/* A stored message is owned by its SA: the copy gets its own. */
static bool sent_copy(struct sent_packet *to, const struct sent_packet *from)
{
  to->data = NULL;
  if (!from->data)
    return true;
  to->data = malloc(from->len);
  if (!to->data)
    return false;
  memcpy(to->data, from->data, from->len);
  return true;
}

bool ike_engine_copy_state(struct ike_engine *dst, const struct ike_engine *src)
{
  bool ok = true;
  ike_engine_clear(dst);
  /* Slot for slot, so a Phase 2 SA's index of its Phase 1 SA stays right. */
  if (src->p1_top > dst->p1_cap)
    return false;
  for (size_t i = 0; i < src->p1_top; i++)
    if (src->p1[i].state != P1_FREE) {
      struct p1_sa *to = &dst->p1[i];
      const struct p1_sa *from = &src->p1[i];
      *to = *from;
      to->kx = NULL;
      to->sai_b = NULL;
      ok = sent_copy(&to->sent, &from->sent) && ok;
      if (from->kx && (to->kx = malloc(sizeof *to->kx)) != NULL)
        *to->kx = *from->kx;
      if (from->sai_len && (to->sai_b = malloc(from->sai_len)) != NULL)
        memcpy(to->sai_b, from->sai_b, from->sai_len);
      ok = ok && (to->kx != NULL) == (from->kx != NULL) &&
           (to->sai_b != NULL) == (from->sai_len != 0);
    }
  for (size_t i = 0; i < src->p2_top; i++)
    if (src->p2[i].state != P2_FREE) {
      dst->p2[i] = src->p2[i];
      ok = sent_copy(&dst->p2[i].sent, &src->p2[i].sent) && ok;
    }
  dst->p1_top = src->p1_top;
  dst->p2_top = src->p2_top;
  memcpy(dst->limits, src->limits, sizeof dst->limits);
  dst->now = src->now;
  if (!ok)
    ike_engine_clear(dst);
  return ok;
}
