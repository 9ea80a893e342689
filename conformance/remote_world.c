#include "remote_world.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "ikelab/log.h"

enum { ENGINE_EPOCH_MS = 1000000 }; /* the in-memory world's start time */

void remote_random(void *ctx, uint8_t *out, size_t len)
{
  (void)ctx;
  if (RAND_bytes(out, (int)len) != 1) {
    fputs("ikelab-conform: OpenSSL RAND_bytes failed\n", stderr);
    abort();
  }
}

/* A received message's clear copy ends in the sender's cipher padding:
 * cut it off (and fix the header length) so the copy decodes like a sent
 * one. Returns the length to keep. */
static size_t without_padding(const uint8_t *msg, size_t len)
{
  static struct isakmp_msg m;
  struct isakmp_error err;
  struct buf_reader r;
  struct buf_slice body;
  uint8_t first;
  br_init(&r, msg, len);
  if (!br_peek_u8(&r, 16, &first) || !br_skip(&r, ISAKMP_HDR_LEN) ||
      !br_slice(&r, br_left(&r), &body))
    return len;
  isakmp_msg_reset(&m);
  if (!isakmp_decode_chain(&m, first, body, ISAKMP_HDR_LEN, true, &err))
    return len;
  return len - m.padding.len;
}

static void clear_copy(void *ctx, const struct ike_clear *c)
{
  struct world *w = ctx;
  struct net_side *s = &w->net.side[SIDE_A];
  if (c->sent && c->len <= sizeof s->pending_clear) {
    memcpy(s->pending_clear, c->msg, c->len);
    s->pending_clear_len = c->len;
  } else if (!c->sent && w->remote->rx_index >= 0 && c->len <= NET_MAX_PACKET) {
    struct trace_entry *t = &w->trace[w->remote->rx_index];
    size_t len = without_padding(c->msg, c->len);
    memcpy(t->clear, c->msg, len);
    for (int i = 0; i < 4; i++) /* the header's length, for the chain alone */
      t->clear[24 + i] = (uint8_t)(len >> (24 - 8 * i));
    t->clear_len = len;
  }
}

/* Side A's events: sends are queued for the socket, the rest recorded as
 * engine_net does. */
static bool sink(void *ctx, const struct ike_event *ev)
{
  struct world *w = ctx;
  struct net *n = &w->net;
  struct net_side *s = &n->side[SIDE_A];
  switch (ev->kind) {
  case IKE_EV_SEND: {
    size_t clear_len = s->pending_clear_len;
    s->pending_clear_len = 0;
    s->sends++;
    if (s->fail_next_send) {
      s->fail_next_send = false;
      return false;
    }
    net_queue_send(n, s, SIDE_B, ev, clear_len);
    return true;
  }
  default:
    net_side_record(s, ev);
    return true;
  }
}

bool remote_world_init(struct world *w, struct remote_world *r, struct remote_link *link,
                       const struct ike_config *a, const struct ike_config *b,
                       const struct impairment *impair, char *why, size_t whylen)
{
  if (!world_init(w, a, b, impair, why, whylen))
    return false;
  unsigned quiet = r->quiet_ms;
  memset(r, 0, sizeof *r);
  r->quiet_ms = quiet;
  r->count_all_peer = false;
  r->mini_set = false;
  r->link = link;
  r->quiet_ms = r->quiet_ms ? r->quiet_ms : 150;
  r->answer_ms = r->quiet_ms + 100;
  r->rx_index = -1;
  w->remote = r;
  struct net_side *s = &w->net.side[SIDE_A];
  ike_engine_free(s->e);
  s->e = NULL;
  s->addr = link->local;
  w->net.side[SIDE_B].addr = link->peer;
  w->net.now = remote_now_ms(link, ENGINE_EPOCH_MS);
  r->last_activity = w->net.now;
  struct ike_host host = {.random = remote_random, .sink = sink, .sink_ctx = w,
                          .local = link->local, .clear = clear_copy, .clear_ctx = w};
  s->e = ike_engine_new(a, &host, why, whylen);
  if (!s->e) {
    world_free(w);
    return false;
  }
  return true;
}

static const struct impairment *impairment_for(const struct world *w, unsigned n)
{
  for (const struct impairment *i = w->impair; i && i->kind != IMP_END; i++)
    if (i->packet == n)
      return i;
  return NULL;
}

static void send_now(struct world *w, const uint8_t *data, size_t len)
{
  struct remote_world *r = w->remote;
  char why[200];
  if (!remote_send(r->link, data, len, why, sizeof why) && !r->error[0])
    snprintf(r->error, sizeof r->error, "%s", why);
  r->last_activity = w->net.now;
}

/* One of A's datagrams onto the socket, through the case's impairments
 * (those that change what A sends: duplicate, truncate, flip a byte,
 * corrupt the encrypted body; the others were screened out). */
static void send_from_a(struct world *w, const struct net_packet *p)
{
  static uint8_t buf[NET_MAX_PACKET];
  size_t len = p->len;
  memcpy(buf, p->data, len);
  const struct impairment *imp = impairment_for(w, ++w->carried);
  unsigned kind = imp ? (unsigned)imp->kind : 0;
  if (kind == IMP_TRUNCATE && imp->arg < len)
    len = (size_t)imp->arg;
  else if (kind == IMP_FLIP && imp->arg < len)
    buf[imp->arg] ^= 0xff;
  else if (kind == IMP_CORRUPT_BODY && len > ISAKMP_HDR_LEN)
    buf[ISAKMP_HDR_LEN] ^= 0xff;
  int copies = kind == IMP_DUPLICATE ? 2 : 1;
  for (int c = 0; c < copies; c++) {
    world_record(w, TR_IKE, SIDE_A, false, buf, len, p->clear, p->clear_len);
    w->trace[w->ntrace - 1].impaired = c == 1 || kind != IMP_DUPLICATE ? kind : 0;
    send_now(w, buf, len);
  }
}

void remote_world_mini_keys(struct world *w, const uint8_t cookies[16],
                            const struct ike_phase1_keys *keys, const uint8_t *last_block)
{
  struct remote_world *r = w->remote;
  r->mini_set = true;
  memcpy(r->mini_cookies, cookies, 16);
  r->mini_keys = *keys;
  memcpy(r->mini_last_block, last_block, keys->block_len);
}

/* The clear copy of a peer's encrypted Informational under the mini
 * initiator's SA (its IV from the last Phase 1 block and the M-ID,
 * RFC 2409 Appendix B); 0 when it is not one or does not decrypt. */
static size_t open_mini(const struct remote_world *r, const uint8_t *data, size_t len,
                        uint8_t *out, size_t cap)
{
  struct buf_reader br;
  uint8_t cookies[16], next, version, exchange, flags, iv[IKE_BLOCK_MAX];
  uint32_t msgid, hdr_len;
  size_t block = r->mini_keys.block_len;
  br_init(&br, data, len);
  if (!r->mini_set || !br_copy(&br, cookies, 16) || !br_u8(&br, &next) ||
      !br_u8(&br, &version) || !br_u8(&br, &exchange) || !br_u8(&br, &flags) ||
      !br_u32(&br, &msgid) || !br_u32(&br, &hdr_len))
    return 0;
  size_t body = br_left(&br);
  if (memcmp(cookies, r->mini_cookies, 16) != 0 || exchange != ISAKMP_XCHG_INFO ||
      !(flags & ISAKMP_FLAG_E) || block == 0 || body == 0 || body % block != 0 ||
      ISAKMP_HDR_LEN + body > cap)
    return 0;
  struct buf_slice cipher;
  if (!br_slice(&br, body, &cipher) ||
      !ike_phase2_iv(&r->mini_keys, r->mini_last_block, msgid, iv) ||
      !ike_cbc_decrypt(r->mini_keys.encr, r->mini_keys.enc_key, r->mini_keys.key_len, iv,
                       cipher.ptr, body, out + ISAKMP_HDR_LEN))
    return 0;
  memcpy(out, data, ISAKMP_HDR_LEN);
  out[19] = (uint8_t)(flags & ~ISAKMP_FLAG_E);
  size_t n = without_padding(out, ISAKMP_HDR_LEN + body);
  for (int i = 0; i < 4; i++)
    out[24 + i] = (uint8_t)(n >> (24 - 8 * i));
  return n;
}

/* A first message: a zero responder cookie (the peer initiating). */
static bool starts_exchange(const uint8_t *data, size_t len)
{
  static const uint8_t zero[8];
  return len >= 16 && memcmp(data + 8, zero, 8) == 0;
}

/* Whether a peer datagram carries the initiator cookie of something side A
 * sent (made by its engine or injected) or of a peer datagram counted
 * before (an exchange the peer started in this case). */
static bool answers_a(const struct world *w, const uint8_t *data, size_t len)
{
  if (len < 8)
    return false;
  for (size_t i = 0; i < w->ntrace; i++)
    if ((w->trace[i].from == SIDE_A || starts_exchange(w->trace[i].data, w->trace[i].len)) &&
        w->trace[i].len >= 8 && memcmp(w->trace[i].data, data, 8) == 0)
      return true;
  return false;
}

/* A datagram from the peer: recorded, then queued for side A. */
static void received(struct world *w, const uint8_t *data, size_t len)
{
  struct net *n = &w->net;
  struct remote_world *r = w->remote;
  n->now = remote_now_ms(r->link, ENGINE_EPOCH_MS);
  r->last_activity = n->now;
  /* The wire's numbering counts the answers to side A's exchanges only: a
   * peer's late Delete for an earlier case's SA is not one of them. */
  if (answers_a(w, data, len) || (r->count_all_peer && starts_exchange(data, len))) {
    const struct impairment *imp = impairment_for(w, ++w->carried);
    if (imp)
      r->impaired_peer_datagram = w->carried;
  }
  static uint8_t clear[NET_MAX_PACKET];
  size_t clear_len = open_mini(r, data, len, clear, sizeof clear);
  world_record(w, TR_IKE, SIDE_B, false, data, len, clear_len ? clear : NULL, clear_len);
  if (n->nq >= NET_MAX_QUEUE)
    return;
  struct net_packet *p = &n->queue[n->nq++];
  p->to = SIDE_A;
  p->from = r->link->peer;
  p->dst = r->link->local;
  memcpy(p->data, data, len);
  p->len = len;
  p->clear_len = 0;
}

/* The trace entry of a peer datagram about to reach A: the latest with
 * these bytes and no clear copy yet. */
static long trace_of(const struct world *w, const struct net_packet *p)
{
  for (size_t i = w->ntrace; i-- > 0;) {
    const struct trace_entry *t = &w->trace[i];
    if (t->from == SIDE_B && t->len == p->len && !t->clear_len &&
        memcmp(t->data, p->data, p->len) == 0)
      return (long)i;
  }
  return -1;
}

/* Sends what A queued and hands A what the peer sent, until nothing is
 * left (A's answers are queued behind). */
static void pump(struct world *w)
{
  struct net *n = &w->net;
  static struct net_packet p;
  for (unsigned guard = 0; n->nq > 0 && guard < 1000; guard++) {
    p = n->queue[0];
    memmove(&n->queue[0], &n->queue[1], (n->nq - 1) * sizeof n->queue[0]);
    n->nq--;
    if (p.to == SIDE_B) {
      send_from_a(w, &p);
      continue;
    }
    w->remote->rx_index = trace_of(w, &p);
    ike_engine_input(n->side[SIDE_A].e, n->now, p.from, p.dst, p.data, p.len);
    w->remote->rx_index = -1;
  }
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

void remote_world_run_until(struct world *w, uint64_t until_ms, bool quiet,
                            bool (*stop)(const struct world *w, size_t arg), size_t arg)
{
  struct net *n = &w->net;
  struct remote_world *r = w->remote;
  static uint8_t buf[NET_MAX_PACKET];
  for (unsigned guard = 0; guard < 100000; guard++) {
    n->now = remote_now_ms(r->link, ENGINE_EPOCH_MS);
    pump(w);
    if (stop && stop(w, arg))
      return;
    uint64_t timer = ike_engine_next_timer(n->side[SIDE_A].e);
    if (timer <= n->now) {
      ike_engine_tick(n->side[SIDE_A].e, n->now);
      continue;
    }
    uint64_t end = quiet ? min_u64(until_ms, r->last_activity + r->quiet_ms) : until_ms;
    if (n->now >= end)
      return;
    uint64_t wake = min_u64(end, timer);
    if (stop) /* stop() may turn true with time alone (a quiet wire) */
      wake = min_u64(wake, n->now + r->quiet_ms);
    size_t len = remote_recv(r->link, (unsigned)min_u64(wake - n->now, 60000), buf, sizeof buf);
    if (len)
      received(w, buf, len);
  }
}

void remote_world_run(struct world *w, uint64_t until_ms)
{
  remote_world_run_until(w, until_ms, true, NULL, 0);
}

void remote_world_inject(struct world *w, int to, const uint8_t *pkt, size_t len)
{
  struct net *n = &w->net;
  struct remote_world *r = w->remote;
  static uint8_t buf[NET_MAX_PACKET];
  n->now = remote_now_ms(r->link, ENGINE_EPOCH_MS);
  if (to == SIDE_A) { /* a datagram "from the peer", made here */
    world_record(w, TR_IKE, SIDE_B, true, pkt, len, NULL, 0);
    r->rx_index = (long)w->ntrace - 1;
    ike_engine_input(n->side[SIDE_A].e, n->now, r->link->peer, r->link->local, pkt, len);
    r->rx_index = -1;
    return;
  }
  world_record(w, TR_IKE, SIDE_A, true, pkt, len, NULL, 0);
  send_now(w, pkt, len);
  /* The first answer within answer_ms, then whatever follows it closely. */
  unsigned wait = r->answer_ms;
  for (;;) {
    size_t got = remote_recv(r->link, wait, buf, sizeof buf);
    if (!got)
      break;
    received(w, buf, got);
    wait = 30;
  }
}

void remote_drain(struct remote_link *link, unsigned ms)
{
  static uint8_t buf[NET_MAX_PACKET];
  unsigned wait = ms;
  for (int i = 0; i < 1000 && remote_recv(link, wait, buf, sizeof buf); i++)
    wait = 5;
}

static bool sa_added(const struct world *w, size_t before)
{
  return w->net.side[SIDE_A].nadded > before;
}

bool remote_world_fresh_sa(struct world *w, const struct ike_config *dflt, unsigned timeout_ms,
                           bool (*peer_starts)(void *ctx, char *why, size_t whylen), void *ctx,
                           char *why, size_t whylen)
{
  struct net *n = &w->net;
  struct ike_engine *e = n->side[SIDE_A].e;
  char err[256];
  n->now = remote_now_ms(w->remote->link, ENGINE_EPOCH_MS);
  ike_engine_shutdown(e, n->now); /* Deletes for what the case left */
  pump(w);
  ike_engine_clear(e);
  n->nq = 0;
  if (!ike_engine_reconfigure(e, n->now, dflt, err, sizeof err)) {
    snprintf(why, whylen, "default config refused: %s", err);
    return false;
  }
  w->cfg[SIDE_A] = *dflt;
  w->impair = NULL;
  size_t before = n->side[SIDE_A].nadded;
  if (peer_starts) {
    char err2[200];
    if (!peer_starts(ctx, err2, sizeof err2)) {
      snprintf(why, whylen, "the peer could not be made to initiate: %s", err2);
      return false;
    }
  } else if (!ike_engine_trigger(e, n->now, 1)) {
    snprintf(why, whylen, "rule 1 cannot be triggered");
    return false;
  }
  remote_world_run_until(w, n->now + timeout_ms, false, sa_added, before);
  bool ok = sa_added(w, before);
  if (!ok)
    snprintf(why, whylen, "a fresh Main Mode + Quick Mode did not complete within %u ms",
             timeout_ms);
  ike_engine_down(e, n->now, 1); /* leave the peer clean */
  pump(w);
  /* Its own Deletes in answer land here, not in the next case. */
  remote_world_run(w, n->now + w->remote->quiet_ms);
  return ok;
}
