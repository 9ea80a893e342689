/* make_quick_seeds DIR: records real Quick Mode and Informational
 * exchanges as fuzz_quick_mode scripts (quick_env.h), one file each. A peer
 * engine talks to our engine inside the same Phase 1 the fuzz target
 * restores; every message the peer sends becomes a script step (its
 * plaintext after HASH, sealed again by the harness) and is checked to seal
 * to the very bytes the peer sent, so the seeds replay step for step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "quick_env.h"
#include "quick_peer.h"

/* The peer's cleartext copies, by exchange and message ID. */
struct clear_copy {
  uint8_t exchange;
  uint32_t msgid;
  bool used;
  uint8_t msg[2048];
  size_t len;
};

struct talk {
  struct ike_engine *us, *peer;
  struct quick_queue uq, pq;
  struct quick_peer qp;
  struct clear_copy copies[16];
  size_t ncopies;
  uint8_t script[16384];
  size_t slen;
  uint64_t now;
  unsigned mismatches;
};

static void emit(struct talk *t, const void *bytes, size_t n)
{
  if (t->slen + n <= sizeof t->script) {
    memcpy(t->script + t->slen, bytes, n);
    t->slen += n;
  }
}

static void emit_u8(struct talk *t, uint8_t v) { emit(t, &v, 1); }

static void emit_u16(struct talk *t, uint16_t v)
{
  uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
  emit(t, b, 2);
}

static void emit_u32(struct talk *t, uint32_t v)
{
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  emit(t, b, 4);
}

static bool us_sink(void *ctx, const struct ike_event *ev)
{
  struct talk *t = ctx;
  if (ev->kind == IKE_EV_SEND)
    quick_peer_saw_send(&t->qp, ev->u.send.data, ev->u.send.len);
  quick_queue_push(&t->uq, ev);
  return true;
}

static void us_clear(void *ctx, const struct ike_clear *c)
{
  quick_peer_saw_clear(&((struct talk *)ctx)->qp, c);
}

static void peer_clear(void *ctx, const struct ike_clear *c)
{
  struct talk *t = ctx;
  struct buf_reader r;
  uint8_t exchange;
  uint32_t msgid;
  br_init(&r, c->msg, c->len);
  if (!c->sent || !br_skip(&r, 18) || !br_u8(&r, &exchange) || !br_skip(&r, 1) ||
      !br_u32(&r, &msgid) || c->len > sizeof t->copies[0].msg)
    return;
  struct clear_copy *cc = NULL;
  for (size_t i = 0; i < t->ncopies && !cc; i++)
    if (t->copies[i].exchange == exchange && t->copies[i].msgid == msgid)
      cc = &t->copies[i];
  if (!cc)
    cc = &t->copies[t->ncopies < 16 ? t->ncopies++ : 15];
  cc->exchange = exchange;
  cc->msgid = msgid;
  cc->used = false;
  memcpy(cc->msg, c->msg, c->len);
  cc->len = c->len;
}

static struct clear_copy *copy_for(struct talk *t, const uint8_t *pkt, size_t len)
{
  struct buf_reader r;
  uint8_t exchange;
  uint32_t msgid;
  br_init(&r, pkt, len);
  if (!br_skip(&r, 18) || !br_u8(&r, &exchange) || !br_skip(&r, 1) || !br_u32(&r, &msgid))
    return NULL;
  for (size_t i = 0; i < t->ncopies; i++)
    if (t->copies[i].exchange == exchange && t->copies[i].msgid == msgid && !t->copies[i].used)
      return &t->copies[i];
  return NULL; /* a resend: nothing new to record */
}

static void deliver_to_us(struct talk *t, const uint8_t *pkt, size_t len)
{
  ike_engine_input(t->us, t->now, (struct ike_endpoint){PEER_ADDR, 500},
                   (struct ike_endpoint){RESPONDER_ADDR, 500}, pkt, len);
}

/* One protected message of the peer becomes a QM or INFO step. */
static void record_peer(struct talk *t, const uint8_t *pkt, size_t len)
{
  static uint8_t sealed[20000];
  struct clear_copy *cc = copy_for(t, pkt, len);
  struct buf_reader r;
  uint8_t next, hnext, exchange;
  uint16_t hlen;
  uint32_t msgid;
  if (!cc)
    return;
  cc->used = true;
  br_init(&r, cc->msg, cc->len);
  if (!br_skip(&r, 16) || !br_u8(&r, &next) || !br_skip(&r, 1) || !br_u8(&r, &exchange) ||
      !br_skip(&r, 1) || !br_u32(&r, &msgid) || !br_skip(&r, 4) || next != ISAKMP_NP_HASH ||
      !br_u8(&r, &hnext) || !br_skip(&r, 1) || !br_u16(&r, &hlen) || hlen < 4 ||
      !br_skip(&r, hlen - 4u))
    return;
  struct buf_slice rest = br_rest(&r);
  uint8_t flags = SEAL_HASH;
  if (msgid == t->qp.last_engine_msgid)
    flags |= SEAL_COPY_MSGID;
  emit_u8(t, exchange == ISAKMP_XCHG_QUICK ? QSTEP_QM : QSTEP_INFO);
  emit_u8(t, flags);
  emit_u32(t, msgid);
  emit_u8(t, hnext);
  emit_u16(t, (uint16_t)slice_len(rest));
  size_t at = t->slen;
  if (t->slen + slice_len(rest) <= sizeof t->script)
    t->slen += slice_copy(rest, t->script + at, slice_len(rest));
  size_t n = quick_peer_seal(&t->qp, exchange, msgid, flags, hnext, rest, sealed, sizeof sealed);
  if (n != len || memcmp(sealed, pkt, n) != 0)
    t->mismatches++;
  deliver_to_us(t, sealed, n);
}

/* Both sides talk until quiet: the peer's messages through the script. */
static void converse(struct talk *t)
{
  for (int round = 0; round < 16 && (t->uq.n || t->pq.n); round++) {
    static struct quick_queue batch;
    batch = t->pq;
    t->pq.n = 0;
    for (size_t i = 0; i < batch.n; i++)
      record_peer(t, batch.pkt[i], batch.len[i]);
    batch = t->uq;
    t->uq.n = 0;
    for (size_t i = 0; i < batch.n; i++)
      ike_engine_input(t->peer, t->now, (struct ike_endpoint){RESPONDER_ADDR, 500},
                       (struct ike_endpoint){PEER_ADDR, 500}, batch.pkt[i], batch.len[i]);
  }
}

static void trigger(struct talk *t, int rule)
{
  emit_u8(t, QSTEP_TRIGGER);
  emit_u8(t, (uint8_t)rule);
  ike_engine_trigger(t->us, t->now, rule);
  converse(t);
}

static void clock_step(struct talk *t, uint16_t secs)
{
  emit_u8(t, QSTEP_CLOCK);
  emit_u16(t, secs);
  t->now += (uint64_t)secs * 1000;
  ike_engine_tick(t->us, t->now);
  ike_engine_tick(t->peer, t->now);
  converse(t);
}

/* What a scenario does to the peer's config, and then in the Phase 1. */
enum peer_p2 { PEER_SAME, PEER_AH_PFS, PEER_DES_ONLY };

struct scenario {
  const char *name;
  int variant;
  enum peer_p2 peer_p2;
  bool answer_first_qm; /* deliver the peer's Quick Mode queued at setup */
  void (*then)(struct talk *t);
};

static void nothing(struct talk *t) { (void)t; }
static void start_qm(struct talk *t) { trigger(t, 1); }
static void peer_down(struct talk *t)
{
  ike_engine_down(t->peer, t->now, 1);
  converse(t);
}
static void dpd(struct talk *t) { clock_step(t, 31); }
static void rekey(struct talk *t)
{
  trigger(t, 1);
  clock_step(t, 3250);
}

static const struct scenario scenarios[] = {
    {"qm_responder_esp.bin", 0, PEER_SAME, true, nothing},
    {"qm_responder_ah_pfs.bin", 0, PEER_AH_PFS, true, nothing},
    {"qm_responder_esp_pfs.bin", 1, PEER_SAME, true, nothing},
    {"qm_responder_aggressive.bin", 2, PEER_SAME, true, nothing},
    {"qm_initiator_esp.bin", 0, PEER_SAME, false, start_qm},
    {"qm_initiator_esp_pfs.bin", 1, PEER_SAME, false, start_qm},
    {"qm_initiator_rekey.bin", 0, PEER_SAME, false, rekey},
    {"info_delete.bin", 0, PEER_SAME, true, peer_down},
    {"info_notify_no_proposal.bin", 0, PEER_DES_ONLY, false, start_qm},
    {"info_dpd.bin", 2, PEER_SAME, true, dpd},
};

static void peer_config(struct ike_config *c, const struct scenario *s)
{
  struct ike_rule *r = &c->rules[quick_rule(s->variant) - 1];
  if (s->peer_p2 == PEER_AH_PFS) {
    r->p2[0] = r->p2[1]; /* AH-SHA2-256 with PFS MODP768 */
    r->np2 = 1;
  } else if (s->peer_p2 == PEER_DES_ONLY) {
    r->p2[0].encr = ISAKMP_ESP_DES; /* nothing we accept */
    r->p2[0].key_bits = 0;
    r->np2 = 1;
  }
}

static int run(const char *dir, const struct scenario *s)
{
  static struct talk t;
  static struct ike_config us_cfg, peer_cfg;
  uint64_t us_rng = ENV_SEED, peer_rng = 77;
  char why[256], path[4096];
  memset(&t, 0, sizeof t);
  quick_config(s->variant, &us_cfg, &peer_cfg);
  peer_config(&peer_cfg, s);
  struct ike_host uh = {.random = env_random, .random_ctx = &us_rng, .sink = us_sink,
                        .sink_ctx = &t, .clear = us_clear, .clear_ctx = &t,
                        .local = {RESPONDER_ADDR, 500}};
  struct ike_host ph = {.random = env_random, .random_ctx = &peer_rng, .sink = quick_queue_sink,
                        .sink_ctx = &t.pq, .clear = peer_clear, .clear_ctx = &t,
                        .local = {PEER_ADDR, 500}};
  struct ike_p1_keys_info keys;
  t.us = ike_engine_new(&us_cfg, &uh, why, sizeof why);
  t.peer = ike_engine_new(&peer_cfg, &ph, why, sizeof why);
  t.now = ENV_START_MS;
  if (!t.us || !t.peer || !quick_phase1(s->variant, t.us, &t.uq, t.peer, &t.pq, t.now) ||
      !ike_engine_p1_keys(t.us, 0, &keys)) {
    fprintf(stderr, "make_quick_seeds: %s: Phase 1 failed %s\n", s->name, why);
    ike_engine_free(t.us);
    ike_engine_free(t.peer);
    return 1;
  }
  /* As the fuzz target has it after restoring the snapshot. */
  us_rng = QUICK_SEED;
  quick_peer_init(&t.qp, &keys);
  emit_u8(&t, (uint8_t)s->variant);
  if (!s->answer_first_qm)
    t.pq.n = 0;
  converse(&t);
  s->then(&t);
  snprintf(path, sizeof path, "%s/%s", dir, s->name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(t.script, 1, t.slen, f) != t.slen || fclose(f) != 0) {
    fprintf(stderr, "make_quick_seeds: cannot write %s\n", path);
    ike_engine_free(t.us);
    ike_engine_free(t.peer);
    return 1;
  }
  printf("%s: %zu bytes, %zu IPsec SAs up on our side%s\n", path, t.slen,
         ike_engine_ipsec_count(t.us), t.mismatches ? ", SEALING MISMATCH" : "");
  ike_engine_free(t.us);
  ike_engine_free(t.peer);
  return t.mismatches ? 1 : 0;
}

int main(int argc, char **argv)
{
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: %s DIR\nRecords Quick Mode (both roles, with and without PFS, ESP and AH)\n"
            "and Informational (Delete, Notify, DPD) exchanges inside the fuzz_quick_mode\n"
            "world as seed scripts in DIR.\n",
            argv[0]);
    return argc == 2 ? 0 : 2;
  }
  int rc = 0;
  env_stand_in_crypto();
  for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
    rc |= run(argv[1], &scenarios[i]);
  return rc;
}
