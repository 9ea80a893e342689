/* Everything that leaves the engine goes through here: catalogue lines,
 * datagrams (with the Send: line, encryption and the retransmission store)
 * and results. Received encrypted bodies are opened here too. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "not_under_test.h"

static void emit(struct ike_engine *e, const struct ike_event *ev)
{
  e->host.sink(e->host.sink_ctx, ev);
}

static void log_event_emit(struct ike_engine *e, struct log_event *lev)
{
  struct ike_event ev = {.kind = IKE_EV_LOG};
  if (!log_limit_pass(e, lev))
    return;
  lev->time_ms = e->now;
  ev.u.log = *lev;
  emit(e, &ev);
}

void log_simple(struct ike_engine *e, enum log_id id, int rule, uint32_t addr)
{
  struct log_event lev = {.id = id};
  lev.f.rule = rule;
  lev.f.addr = addr;
  log_event_emit(e, &lev);
}

void log_range(struct ike_engine *e, enum log_id id, int rule, uint32_t start, uint32_t end)
{
  struct log_event lev = {.id = id};
  lev.f.rule = rule;
  lev.f.range_start = start;
  lev.f.range_end = end;
  log_event_emit(e, &lev);
}

void log_payloads(struct ike_engine *e, enum log_id id, const struct isakmp_msg *m,
                  const uint8_t *cookies_from, uint32_t peer)
{
  struct log_event lev = {.id = id};
  lev.f.peer = peer;
  isakmp_payload_symbols(m, lev.f.payloads, sizeof lev.f.payloads);
  memcpy(lev.f.icookie, cookies_from ? cookies_from : m->hdr.icookie, 8);
  memcpy(lev.f.rcookie, cookies_from ? cookies_from + 8 : m->hdr.rcookie, 8);
  log_event_emit(e, &lev);
}

void emit_result(struct ike_engine *e, enum ike_result_kind kind, int rule, uint16_t notify,
                 struct ike_endpoint peer)
{
  struct ike_event ev = {.kind = IKE_EV_RESULT};
  ev.u.result.kind = kind;
  ev.u.result.rule = rule;
  ev.u.result.notify = notify;
  ev.u.result.peer = peer;
  emit(e, &ev);
}

void header_for(struct isakmp_msg *m, const struct p1_sa *p1, uint8_t exchange,
                uint32_t msgid, uint8_t flags)
{
  isakmp_msg_reset(m);
  memcpy(m->hdr.icookie, p1->icookie, 8);
  memcpy(m->hdr.rcookie, p1->rcookie, 8);
  m->hdr.major = 1;
  m->hdr.exchange = exchange;
  m->hdr.msgid = msgid;
  m->hdr.flags = flags;
}

void sent_forget(struct sent_packet *s)
{
  free(s->data);
  s->data = NULL;
  s->len = 0;
  s->retries = 0;
  s->next_ms = UINT64_MAX;
}

/* Hands a datagram to the host; K20 when the host says it failed. */
static bool transmit(struct ike_engine *e, struct ike_endpoint from, struct ike_endpoint to,
                     const uint8_t *data, size_t len)
{
  struct ike_event ev = {.kind = IKE_EV_SEND};
  ev.u.send.from = from;
  ev.u.send.to = to;
  ev.u.send.data = data;
  ev.u.send.len = len;
  if (e->host.sink(e->host.sink_ctx, &ev))
    return true;
  log_simple(e, LOG_K20, 0, 0);
  return false;
}

bool sent_resend(struct ike_engine *e, struct ike_endpoint from, struct ike_endpoint to,
                 const struct sent_packet *s)
{
  return s->data && transmit(e, from, to, s->data, s->len);
}

size_t encode_payloads_from(const struct isakmp_msg *m, size_t from, uint8_t *out, size_t cap)
{
  static uint8_t tmp[ENGINE_MAX_MSG];
  struct buf_writer w;
  struct buf_reader r, skip;
  uint16_t len;
  bw_init(&w, tmp, sizeof tmp);
  isakmp_encode_chain(m, &w);
  if (!bw_ok(&w))
    return 0;
  br_init(&r, tmp, bw_pos(&w));
  /* Walk our own encoding past the first `from` payloads, then past the
   * rest to measure them (padding excluded). */
  size_t start = 0, end = 0;
  for (size_t i = 0; i < m->npayloads; i++) {
    if (i == from)
      start = br_offset(&r);
    if (!br_skip(&r, 2) || !br_u16(&r, &len) || len < 4 || !br_sub(&r, len - 4u, &skip))
      return 0;
    end = br_offset(&r);
  }
  if (from >= m->npayloads || end - start > cap)
    return 0;
  struct buf_slice rest;
  br_init(&r, tmp, end);
  if (!br_skip(&r, start) || !br_slice(&r, end - start, &rest))
    return 0;
  return slice_copy(rest, out, cap);
}

size_t payload_body(const struct isakmp_msg *m, size_t i, uint8_t *out, size_t cap)
{
  static uint8_t tmp[ENGINE_MAX_MSG];
  size_t n = encode_payloads_from(m, i, tmp, sizeof tmp);
  struct buf_reader r;
  uint16_t len;
  struct buf_slice body;
  br_init(&r, tmp, n);
  if (!br_skip(&r, 2) || !br_u16(&r, &len) || len < 4 || !br_slice(&r, len - 4u, &body) ||
      body.len > cap)
    return 0;
  return slice_copy(body, out, cap);
}

const struct isakmp_payload *find_payload(const struct isakmp_msg *m, uint8_t type,
                                          size_t *index)
{
  for (size_t i = 0; i < m->npayloads; i++)
    if (m->payloads[i].type == type) {
      if (index)
        *index = i;
      return &m->payloads[i];
    }
  return NULL;
}

bool packet_digest(const uint8_t *pkt, size_t len, uint8_t out[20])
{
  uint8_t h[IKE_HASH_MAX];
  if (!ike_hash(OAKLEY_HASH_SHA1, IKE_PIECES({pkt, len}), h))
    return false;
  memcpy(out, h, 20);
  return true;
}

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* (Both kept out of libFuzzer's coverage: whether a memo hits depends on
 * earlier inputs, and its branches would make inputs look unstable.)
 *
 * Fuzz builds only: one fixed key pair per group, computed once. A recorded
 * exchange then replays byte for byte, and the fuzzer's time goes to the
 * parsers and states rather than to modular exponentiation. */
NOT_UNDER_TEST bool engine_dh(struct ike_engine *e, unsigned group, struct ike_dh *out)
{
  static struct ike_dh cache[32];
  (void)e;
  if (group >= 32)
    return false;
  if (cache[group].len == 0) {
    uint8_t x[IKE_DH_MAX];
    size_t len = ike_dh_len(group);
    if (!len)
      return false;
    memset(x, 0x5a, len);
    x[0] = 0x2a;
    if (!ike_dh_generate(group, x, len, &cache[group]))
      return false;
  }
  *out = cache[group];
  return true;
}

/* Fuzz builds only: with our key pair fixed, g^xy depends only on the
 * peer's value. An honest peer's (the fixed pair's own) is computed once
 * and remembered, because one modular exponentiation costs more than all
 * the rest of an exchange; a value made up by the fuzzer gets a stand-in
 * (below). */
NOT_UNDER_TEST bool engine_dh_shared(const struct ike_dh *dh, const uint8_t *peer,
                                     size_t len, uint8_t out[IKE_DH_MAX])
{
  /* Every engine of a fuzz build holds the same fixed pair, so an honest
   * peer's value is our own public value. Any other value is the fuzzer's:
   * no key anyone holds matches it, so its g^xy only has to be a fixed
   * function of it. It gets a hash instead of an exponentiation (the
   * range check stays; the subgroup check, itself an exponentiation, is
   * skipped, so such a value in range is accepted). */
  if (len != dh->len || memcmp(peer, dh->pub, len) != 0) {
    memset(out, 0, IKE_DH_MAX);
    if (!ike_dh_peer_in_range(dh->group, peer, len))
      return false;
    for (size_t at = 0; at < len; at += 64) {
      uint8_t h[IKE_HASH_MAX], n = (uint8_t)(at / 64);
      if (!ike_hash(OAKLEY_HASH_SHA2_512, IKE_PIECES({&n, 1}, {peer, len}), h))
        return false;
      memcpy(out + at, h, len - at < 64 ? len - at : 64);
    }
    return true;
  }
  static struct {
    struct ike_dh dh;
    uint8_t peer[IKE_DH_MAX], shared[IKE_DH_MAX];
    size_t len;
    bool ok;
  } memo[8];
  static size_t next;
  for (size_t i = 0; i < 8; i++)
    if (memo[i].len == len && len <= IKE_DH_MAX && memo[i].dh.group == dh->group &&
        memo[i].dh.privlen == dh->privlen &&
        memcmp(memo[i].dh.priv, dh->priv, dh->privlen) == 0 &&
        memcmp(memo[i].peer, peer, len) == 0) {
      memcpy(out, memo[i].shared, IKE_DH_MAX);
      return memo[i].ok;
    }
  bool ok = ike_dh_shared(dh, peer, len, out);
  if (len > IKE_DH_MAX)
    return ok;
  size_t i = next++ % 8;
  memo[i].dh = *dh;
  memcpy(memo[i].peer, peer, len);
  memcpy(memo[i].shared, out, IKE_DH_MAX);
  memo[i].len = len;
  memo[i].ok = ok;
  return ok;
}
#else
bool engine_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t len,
                      uint8_t out[IKE_DH_MAX])
{
  return ike_dh_shared(dh, peer, len, out);
}

bool engine_dh(struct ike_engine *e, unsigned group, struct ike_dh *out)
{
  uint8_t x[IKE_DH_MAX];
  size_t len = ike_dh_priv_len(group);
  if (!len)
    return false;
  random_bytes(e, x, len);
  x[0] |= 0x80;     /* the full length: never a weaker exponent by chance */
  return ike_dh_generate(group, x, len, out);
}
#endif

/* Pads the plaintext chain to the cipher block (RFC 2408 §3.1: the
 * padding is counted in the header length) and encrypts it in place. */
static bool encrypt_chain(const struct p1_sa *p1, uint8_t *buf, size_t *len, size_t cap,
                          uint8_t *iv)
{
  size_t block = p1->keys.block_len;
  size_t pad = (*len % block) ? block - *len % block : 0;
  if (block == 0 || *len + pad > cap)
    return false;
  memset(buf + *len, 0, pad);
  *len += pad;
  if (!ike_cbc_encrypt(p1->keys.encr, p1->keys.enc_key, p1->keys.key_len, iv, buf, *len, buf))
    return false;
  memcpy(iv, buf + *len - block, block);
  return true;
}

/* Hands the host a protected message's plaintext (ike_host.clear). */
static void report_clear(struct ike_engine *e, bool sent, const struct isakmp_hdr *h,
                         const struct p1_sa *p1, const uint8_t *body, size_t len)
{
  static uint8_t msg[ISAKMP_HDR_LEN + ENGINE_MAX_MSG];
  struct buf_writer w;
  if (!e->host.clear)
    return;
  bw_init(&w, msg, sizeof msg);
  bw_bytes(&w, h->icookie, 8);
  bw_bytes(&w, h->rcookie, 8);
  bw_u8(&w, h->next_payload);
  bw_u8(&w, (uint8_t)(h->major << 4 | (h->minor & 0x0f)));
  bw_u8(&w, h->exchange);
  bw_u8(&w, h->flags & (uint8_t)~ISAKMP_FLAG_E);
  bw_u32(&w, h->msgid);
  bw_u32(&w, (uint32_t)(ISAKMP_HDR_LEN + len));
  bw_bytes(&w, body, len);
  if (!bw_ok(&w))
    return;
  struct ike_clear c = {sent, sent ? p1->local : p1->peer, sent ? p1->peer : p1->local, msg,
                        bw_pos(&w)};
  e->host.clear(e->host.clear_ctx, &c);
}

bool send_message(struct ike_engine *e, struct p1_sa *p1, struct sent_packet *keep,
                  struct isakmp_msg *msg, bool encrypt, uint8_t *iv, bool expect_reply)
{
  size_t n;
  if (encrypt) {
    struct buf_writer w;
    size_t len;
    bw_init(&w, e->chain, sizeof e->chain);
    isakmp_encode_chain(msg, &w);
    len = bw_pos(&w);
    if (!bw_ok(&w))
      return false;
    msg->hdr.next_payload = msg->npayloads ? msg->payloads[0].type : ISAKMP_NP_NONE;
    report_clear(e, true, &msg->hdr, p1, e->chain, len);
    if (!encrypt_chain(p1, e->chain, &len, sizeof e->chain, iv))
      return false;
    msg->hdr.flags |= ISAKMP_FLAG_E;
    msg->encrypted = slice_of(e->chain, len);
  }
  n = isakmp_encode(msg, e->wire, sizeof e->wire);
  msg->encrypted = slice_of(NULL, 0);
  if (n == 0)
    return false;
  log_payloads(e, LOG_K6, msg, NULL, p1->peer.addr);
  if (keep) {
    sent_forget(keep);
    keep->data = malloc(n);
    if (keep->data) {
      memcpy(keep->data, e->wire, n);
      keep->len = n;
      keep->next_ms = expect_reply ? e->now + e->cfg.g.retransmit_interval_ms : UINT64_MAX;
    }
  }
  return transmit(e, p1->local, p1->peer, e->wire, n);
}

bool decrypt_body(struct ike_engine *e, const struct p1_sa *p1, const uint8_t *iv,
                  uint8_t *next_iv, struct isakmp_error *err)
{
  size_t block = p1->keys.block_len;
  size_t len = slice_copy(e->in_msg.encrypted, e->plain, sizeof e->plain);
  memset(err, 0, sizeof *err);
  err->notify = ISAKMP_N_PAYLOAD_MALFORMED;
  err->field = "encrypted body";
  if (block == 0 || len != e->in_msg.encrypted.len || len % block != 0 || len < block)
    return false;
  memcpy(next_iv, e->plain + len - block, block);
  if (!ike_cbc_decrypt(p1->keys.encr, p1->keys.enc_key, p1->keys.key_len, iv, e->plain, len,
                       e->plain))
    return false;
  report_clear(e, false, &e->in_msg.hdr, p1, e->plain, len);
  isakmp_msg_reset(&e->body_msg);
  e->body_msg.hdr = e->in_msg.hdr;
  return isakmp_decode_chain(&e->body_msg, e->in_msg.hdr.next_payload,
                             slice_of(e->plain, len), ISAKMP_HDR_LEN, true, err);
}

void send_notify(struct ike_engine *e, struct p1_sa *p1, const uint8_t icookie[8],
                 const uint8_t rcookie[8], struct ike_endpoint local, struct ike_endpoint peer,
                 uint16_t type, uint8_t protocol, uint32_t spi)
{
  send_notify_data(e, p1, icookie, rcookie, local, peer, type, protocol, spi, slice_of(NULL, 0));
}

void send_notify_data(struct ike_engine *e, struct p1_sa *p1, const uint8_t icookie[8],
                      const uint8_t rcookie[8], struct ike_endpoint local,
                      struct ike_endpoint peer, uint16_t type, uint8_t protocol, uint32_t spi,
                      struct buf_slice data)
{
  struct isakmp_msg *m = &e->out_msg;
  uint8_t spi_bytes[16], hash[IKE_HASH_MAX];
  uint32_t msgid;
  bool protect = p1 && p1->state == P1_ESTABLISHED;
  random_bytes(e, (uint8_t *)&msgid, sizeof msgid);
  msgid |= 1; /* never 0: an informational exchange has its own M-ID */
  isakmp_msg_reset(m);
  memcpy(m->hdr.icookie, icookie, 8);
  memcpy(m->hdr.rcookie, rcookie, 8);
  m->hdr.major = 1;
  m->hdr.exchange = ISAKMP_XCHG_INFO;
  m->hdr.msgid = msgid;
  struct isakmp_payload *hp = protect ? isakmp_add_payload(m, ISAKMP_NP_HASH) : NULL;
  struct isakmp_payload *np = isakmp_add_payload(m, ISAKMP_NP_N);
  np->u.notify.doi = ISAKMP_DOI_IPSEC;
  np->u.notify.protocol = protocol;
  np->u.notify.type = type;
  np->u.notify.data = data;
  if (protocol == ISAKMP_PROTO_ISAKMP) {
    memcpy(spi_bytes, icookie, 8);
    memcpy(spi_bytes + 8, rcookie, 8);
    np->u.notify.spi = slice_of(spi_bytes, 16);
  } else if (protocol != 0) {
    for (int i = 0; i < 4; i++)
      spi_bytes[i] = (uint8_t)(spi >> (24 - 8 * i));
    np->u.notify.spi = slice_of(spi_bytes, 4);
  }
  if (!protect) {
    size_t n = isakmp_encode(m, e->wire, sizeof e->wire);
    if (n == 0)
      return;
    log_payloads(e, LOG_K6, m, NULL, peer.addr);
    transmit(e, local, peer, e->wire, n);
    return;
  }
  uint8_t body[256], iv[IKE_BLOCK_MAX];
  size_t blen = encode_payloads_from(m, 1, body, sizeof body);
  hp->u.data = slice_of(hash, p1->keys.prf_len);
  if (!blen || !ike_info_hash(&p1->keys, msgid, (struct ike_piece){body, blen}, hash) ||
      !ike_phase2_iv(&p1->keys, p1->iv, msgid, iv))
    return;
  send_message(e, p1, NULL, m, true, iv, false);
}

bool p1_error(struct ike_engine *e, struct p1_sa *sa)
{
  /* Every message that comes here under an established SA has failed to
   * prove itself (its decryption, its HASH, or a header the HASH does not
   * cover): anyone who saw the cookies could have sent it. It is counted,
   * never spent from the budget; K21 ends an SA still negotiating. */
  if (sa->state == P1_ESTABLISHED) {
    e->counters.unauthenticated++;
    return false;
  }
  if (++sa->errors < e->cfg.g.error_budget)
    return false;
  log_simple(e, LOG_K21, sa->rule, sa->peer.addr);
  if (sa->state == P1_ESTABLISHED)
    send_delete_p1(e, sa);
  emit_result(e, IKE_RESULT_PHASE1_FAILED, sa->rule, 0, sa->peer);
  p1_free(e, sa);
  return true;
}
