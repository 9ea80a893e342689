/* make_responder_seeds DIR: records complete exchanges between a real
 * initiator engine and the fuzz_responder world (responder_env.h) as
 * scripts, one file each:
 *  - Main Mode + Quick Mode with rule 1, Aggressive Mode + Quick Mode with
 *    rule 2, each without and with NAT-T offered (the first four seeds);
 *  - for each rule, every pair of one of its Phase 1 proposals and one of
 *    its Phase 2 proposals, the initiator offering only those two;
 *  - in both modes, after Phase 2: the initiator deleting the IPsec and IKE
 *    SAs, Dead Peer Detection after idle time, a rekey when the kilobyte
 *    lifetime is spent, a second Quick Mode on the same Phase 1, lost
 *    answers made good by retransmission, and NAT-T behind a NAT;
 *  - after Main Mode + Quick Mode, one step of the fuzz world alone: a
 *    sealed Informational Delete of the IPsec SA, a sealed QM1 of a second
 *    Quick Mode, MM1 replayed, a clear Informational with copied cookies.
 * Each script is then replayed the way fuzz_responder runs it, and the line
 * printed for it says whether that responder got where the scenario meant
 * it to; the exit status is 1 if any did not. Built in the fuzz preset, the
 * recording replays there step for step (same generator seed, same fixed
 * DH pairs), so the fuzzer starts from established SAs rather than from
 * nothing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/engine.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "quick_peer.h"
#include "raw_datagram.h"
#include "template_mutate.h"
#include "responder_env.h"
#include "responder_world.h"

enum { WIRE_SLOTS = 8, WIRE_BYTES = 4096 };

/* Datagrams one side sent and the other has not yet been given. */
struct wire {
  uint8_t pkt[WIRE_SLOTS][WIRE_BYTES];
  size_t len[WIRE_SLOTS];
  struct ike_endpoint from[WIRE_SLOTS], to[WIRE_SLOTS];
  size_t n;
  bool lost; /* one did not fit (too long, or too many): the script is wrong */
};

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct wire *w = ctx;
  if (ev->kind != IKE_EV_SEND)
    return true;
  if (w->n >= WIRE_SLOTS || ev->u.send.len > WIRE_BYTES) {
    w->lost = true;
    return true;
  }
  memcpy(w->pkt[w->n], ev->u.send.data, ev->u.send.len);
  w->len[w->n] = ev->u.send.len;
  w->from[w->n] = ev->u.send.from;
  w->to[w->n++] = ev->u.send.to;
  return true;
}

/* ---- recording ---------------------------------------------------------- */

static const struct ike_endpoint peer_ep = {PEER_ADDR, 500}, our_ep = {RESPONDER_ADDR, 500};

struct rec {
  struct ike_engine *ie, *re;
  struct wire to_r, to_i;
  uint64_t irng, rrng, now;
  uint8_t script[SCRIPT_MAX_STEPS * (3 + WIRE_BYTES) + 64];
  size_t len;
  unsigned steps, packets;
  bool too_long;
  /* Answers the network loses: the responder's Phase 1 answer number
   * lose_p1 (from 1; 0 = none) and, with lose_qm, its first Quick Mode one. */
  unsigned lose_p1;
  bool lose_qm;
  unsigned p1_answers, qm_answers;
  /* The initiator's last flow, which its answers come back on (through
   * the NAT, when there is one). */
  struct ike_endpoint flow_from, flow_to;
  /* The initiator's first Quick Mode message in the clear (a template for
   * sealed steps). */
  uint8_t qm1[WIRE_BYTES];
  size_t qm1_len;
};

static void emit(struct rec *r, const void *bytes, size_t n)
{
  if (r->len + n > sizeof r->script) {
    r->too_long = true;
    return;
  }
  memcpy(r->script + r->len, bytes, n);
  r->len += n;
}

/* The fuzz world knows one flow: the peer's address, port 500, to ours. */
static void to_responder(struct rec *r, const struct wire *w, size_t i)
{
  uint8_t hdr[3] = {STEP_PACKET, (uint8_t)(w->len[i] >> 8), (uint8_t)w->len[i]};
  emit(r, hdr, 3);
  emit(r, w->pkt[i], w->len[i]);
  r->steps++;
  r->packets++;
  r->flow_from = w->from[i];
  r->flow_to = w->to[i];
  ike_engine_input(r->re, r->now, peer_ep, our_ep, w->pkt[i], w->len[i]);
}

/* A byte of a datagram's ISAKMP header (18: exchange type, 19: flags),
 * read through the reader; 0 when the datagram is shorter. */
static uint8_t hdr_byte(const uint8_t *pkt, size_t len, size_t at)
{
  struct buf_reader r;
  uint8_t b = 0;
  br_init(&r, pkt, len);
  return br_peek_u8(&r, at, &b) ? b : 0;
}

static bool lost_on_the_way(struct rec *r, const uint8_t *pkt, size_t len)
{
  uint8_t x = hdr_byte(pkt, len, 18);
  if (x == ISAKMP_XCHG_IDPROT || x == ISAKMP_XCHG_AGGRESSIVE)
    return ++r->p1_answers == r->lose_p1;
  if (x == ISAKMP_XCHG_QUICK)
    return r->qm_answers++ == 0 && r->lose_qm;
  return false;
}

/* Delivers both ways until neither side has anything more to say. The
 * responder's answers reach the initiator one round later, as they
 * always have (the first four seeds depend on this order). */
static void flush(struct rec *r)
{
  for (int round = 0; round < 16 && (r->to_r.n || r->to_i.n); round++) {
    static struct wire to_r, to_i;
    to_r = r->to_r;
    to_i = r->to_i;
    r->to_r.n = r->to_i.n = 0;
    for (size_t i = 0; i < to_r.n; i++)
      to_responder(r, &to_r, i);
    for (size_t i = 0; i < to_i.n; i++)
      if (!lost_on_the_way(r, to_i.pkt[i], to_i.len[i]))
        ike_engine_input(r->ie, r->now, r->flow_to, r->flow_from, to_i.pkt[i], to_i.len[i]);
  }
}

/* A step only the fuzz world's responder takes part in (the steps past
 * PACKET and CLOCK): written, not run. */
static void world_step(struct rec *r, const void *bytes, size_t n)
{
  emit(r, bytes, n);
  r->steps++;
}

static void keep_qm1(void *ctx, const struct ike_clear *c)
{
  struct rec *r = ctx;
  if (c->sent && hdr_byte(c->msg, c->len, 18) == ISAKMP_XCHG_QUICK && !r->qm1_len &&
      c->len <= sizeof r->qm1)
    r->qm1_len = slice_copy(slice_of(c->msg, c->len), r->qm1, sizeof r->qm1);
}

/* Time passes for both sides, as a clock step does in the fuzz world. */
static void clock_step(struct rec *r, uint8_t seconds)
{
  uint8_t step[2] = {STEP_CLOCK, seconds};
  emit(r, step, 2);
  r->steps++;
  r->now += seconds * 1000ull;
  ike_engine_tick(r->ie, r->now);
  ike_engine_tick(r->re, r->now);
  flush(r);
}

/* ---- replay, as fuzz_responder runs a script ----------------------------- */

struct seen {
  unsigned sa_add, sa_del, duplicates, dpd_acks;
  unsigned quick_sent; /* datagrams of Quick Mode exchanges */
  unsigned logs;       /* log rows */
  unsigned auth_failed; /* AUTHENTICATION-FAILED notifies sent */
  size_t steps;        /* steps the world ran */
};

/* Notifies the engine sent, counted in the clear (encrypted ones from
 * their clear copies). */
static void count_notifies(struct seen *s, const uint8_t *msg, size_t len)
{
  static struct isakmp_msg m;
  struct isakmp_error err;
  if (!isakmp_decode(&m, msg, len, &err))
    return;
  for (size_t i = 0; i < m.npayloads; i++) {
    if (m.payloads[i].type != ISAKMP_NP_N)
      continue;
    s->dpd_acks += m.payloads[i].u.notify.type == ISAKMP_N_R_U_THERE_ACK;
    s->auth_failed += m.payloads[i].u.notify.type == ISAKMP_N_AUTHENTICATION_FAILED;
  }
}

static bool replay_sink(void *ctx, const struct ike_event *ev)
{
  struct seen *s = ctx;
  s->sa_add += ev->kind == IKE_EV_SA_ADD;
  s->sa_del += ev->kind == IKE_EV_SA_DEL;
  s->duplicates += ev->kind == IKE_EV_LOG && ev->u.log.id == LOG_K11;
  s->logs += ev->kind == IKE_EV_LOG;
  if (ev->kind != IKE_EV_SEND)
    return true;
  s->quick_sent += hdr_byte(ev->u.send.data, ev->u.send.len, 18) == ISAKMP_XCHG_QUICK;
  /* Clear notifies here; encrypted ones from their clear copies. */
  if (ev->u.send.len >= ISAKMP_HDR_LEN &&
      !(hdr_byte(ev->u.send.data, ev->u.send.len, 19) & ISAKMP_FLAG_E))
    count_notifies(s, ev->u.send.data, ev->u.send.len);
  return true;
}

static void replay_clear(void *ctx, const struct ike_clear *c)
{
  if (c->sent)
    count_notifies(ctx, c->msg, c->len);
}

/* The fuzz_responder world runs it (responder_world.h), counting as it goes. */
static struct ike_engine *replay(const uint8_t *script, size_t len, struct seen *seen)
{
  const struct resp_observer obs = {.event = replay_sink, .clear = replay_clear, .ctx = seen};
  struct ike_engine *e = resp_world_run(script, len, &obs);
  seen->steps = resp_world_steps();
  return e;
}

/* ---- scenarios ---------------------------------------------------------- */

struct scenario;
/* What happens once the first IPsec SA is up. */
typedef void (*after_fn)(struct rec *r, const struct scenario *sc);
/* Did the replayed responder get where the scenario meant it to? */
typedef bool (*goal_fn)(const struct ike_engine *re, const struct seen *s,
                        const struct scenario *sc);

struct scenario {
  char name[128];
  int rule;
  bool natt, nat;         /* NAT-T offered; the initiator behind a NAT */
  bool only;              /* the initiator offers only p1 and p2 */
  struct ike_p1_proposal p1;
  struct ike_p2_proposal p2;
  uint32_t dpd_ms;        /* the initiator's DPD interval, 0 = off */
  uint32_t life_kbytes;   /* the initiator's Phase 2 offer */
  unsigned lose_p1;       /* as in struct rec */
  bool lose_qm;
  after_fn after;
  goal_fn goal;
  const char *intent;     /* what the printed line says the goal is */
};

/* Behind the NAT the initiator knows itself by a private address. */
#define NATTED_ADDR IPV4(172, 16, 0, 1)

static void initiator_side(const struct scenario *sc, struct ike_config *icfg)
{
  initiator_config(icfg);
  struct ike_rule *r = &icfg->rules[sc->rule - 1];
  icfg->g.nat_traversal = sc->natt; /* with it: Vendor ID and NAT-D payloads */
  if (sc->only) {
    r->p1[0] = sc->p1;
    r->p2[0] = sc->p2;
    r->np1 = r->np2 = 1;
  }
  r->p2[0].life_kbytes = sc->life_kbytes;
  if (sc->nat)
    r->my_ip = NATTED_ADDR;
  icfg->g.dpd_interval_ms = sc->dpd_ms;
}

static bool ipsec_up(const struct ike_engine *e, unsigned n)
{
  struct ike_sa_info info;
  return ike_engine_sa_count(e) == 1 && ike_engine_sa_info(e, 0, &info) &&
         info.state == IKE_P1_ESTABLISHED && info.phase2_up == n &&
         ike_engine_ipsec_count(e) == n;
}

/* Records one scenario into rec; false when an engine cannot be made. */
static bool play(struct rec *r, const struct scenario *sc, char *why, size_t whylen)
{
  static struct ike_config icfg, rcfg;
  initiator_side(sc, &icfg);
  responder_config(&rcfg);
  /* DPD is a global. The initiator runs it once the responder has said it
   * knows DPD (a Vendor ID), which takes an interval of its own; this one
   * is too long to matter. The fuzz world's responder has DPD off and
   * acknowledges all the same, which the replay checks. */
  if (sc->dpd_ms)
    rcfg.g.dpd_interval_ms = 3600000;
  r->irng = 77;
  r->rrng = ENV_SEED;
  r->now = ENV_START_MS;
  r->lose_p1 = sc->lose_p1;
  r->lose_qm = sc->lose_qm;
  struct ike_host ih = {.random = env_random, .random_ctx = &r->irng, .sink = sink,
                        .sink_ctx = &r->to_r, .clear = keep_qm1, .clear_ctx = r,
                        .local = peer_ep};
  struct ike_host rh = {.random = env_random, .random_ctx = &r->rrng, .sink = sink,
                        .sink_ctx = &r->to_i, .local = our_ep};
  if (sc->nat)
    ih.local.addr = NATTED_ADDR;
  r->ie = ike_engine_new(&icfg, &ih, why, whylen);
  r->re = r->ie ? ike_engine_new(&rcfg, &rh, why, whylen) : NULL;
  if (!r->re)
    return false;
  ike_engine_trigger(r->ie, r->now, sc->rule);
  flush(r);
  /* A lost answer: the initiator's timer sends its message again. */
  for (int i = 0; i < 4 && !ipsec_up(r->re, 1); i++)
    clock_step(r, 10);
  if (sc->after && ipsec_up(r->re, 1))
    sc->after(r, sc);
  return true;
}

/* The initiator's first IPsec SA, by the SPI it receives on. */
static uint32_t first_spi(const struct ike_engine *ie)
{
  struct ike_ipsec_sa sa;
  return ike_engine_ipsec_info(ie, 0, &sa) ? sa.spi_in : 0;
}

static void take_down(struct rec *r, const struct scenario *sc)
{
  ike_engine_down(r->ie, r->now, sc->rule);
  flush(r);
}

static void idle_for_dpd(struct rec *r, const struct scenario *sc)
{
  clock_step(r, (uint8_t)(sc->dpd_ms / 1000 + 1));
}

/* The datapath says the kilobytes are nearly spent (the next tick starts
 * the successor), then all spent (the old SA goes, with a Delete). */
static void volume_rekey(struct rec *r, const struct scenario *sc)
{
  uint32_t spi = first_spi(r->ie);
  (void)sc;
  ike_engine_sa_volume(r->ie, r->now, spi, false);
  clock_step(r, 1);
  ike_engine_sa_volume(r->ie, r->now, spi, true);
  flush(r);
}

/* The initiator now wants AH (rule_common's second Phase 2 proposal) and
 * starts it beside the ESP SA, under the same Phase 1. */
static void second_quick(struct rec *r, const struct scenario *sc)
{
  static struct ike_config cfg;
  char why[256];
  initiator_side(sc, &cfg);
  struct ike_rule *rule = &cfg.rules[sc->rule - 1];
  rule->p2[0] = rule->p2[1];
  rule->np2 = 1;
  if (!ike_engine_reconfigure(r->ie, r->now, &cfg, why, sizeof why))
    fprintf(stderr, "make_responder_seeds: %s: %s\n", sc->name, why);
  ike_engine_sa_volume(r->ie, r->now, first_spi(r->ie), false);
  clock_step(r, 1);
}

/* ---- after Phase 2, steps of the fuzz world alone ---- */

static void put32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* A sealed step (responder_env.h) of chain, whose first payload is first. */
static void sealed_step(struct rec *r, uint8_t exchange, uint32_t msgid, uint8_t first,
                        const uint8_t *chain, size_t n)
{
  uint8_t hdr[11] = {STEP_SEALED, SEAL_HASH, exchange, 0, 0, 0, 0, first,
                     (uint8_t)(n >> 8), (uint8_t)n};
  put32(hdr + 3, msgid);
  world_step(r, hdr, 10);
  emit(r, chain, n);
}

/* The peer deletes the ESP SA, as ike_engine_down would: its own inbound
 * SPI, which is the responder's outbound one. */
static void sealed_delete(struct rec *r, const struct scenario *sc)
{
  uint8_t del[16] = {ISAKMP_NP_NONE, 0, 0, 16, 0, 0, 0, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 4,
                     0, 1};
  (void)sc;
  put32(del + 12, first_spi(r->ie));
  sealed_step(r, SEALED_INFO, 0x5eed0001u, ISAKMP_NP_D, del, sizeof del);
}

/* The initiator's first QM1 again, as a new exchange: its payloads after
 * HASH(1), sealed under another message ID. */
static void sealed_quick(struct rec *r, const struct scenario *sc)
{
  (void)sc;
  if (r->qm1_len < ISAKMP_HDR_LEN + 4)
    return;
  const uint8_t *hash = r->qm1 + ISAKMP_HDR_LEN;
  size_t hash_len = (size_t)hash[2] << 8 | hash[3];
  if (ISAKMP_HDR_LEN + hash_len > r->qm1_len)
    return;
  sealed_step(r, SEALED_QUICK, 0x5eed0002u, hash[0], hash + hash_len,
              r->qm1_len - ISAKMP_HDR_LEN - hash_len);
}

/* MM1 (the first datagram delivered) once more, Phase 1 long done. */
static void replay_mm1(struct rec *r, const struct scenario *sc)
{
  uint8_t step[2] = {STEP_REPLAY, 0};
  (void)sc;
  world_step(r, step, 2);
}

/* An Informational in the clear with the responder's cookies copied in:
 * it reaches the Phase 1 SA, which must refuse it unprotected. */
static void raw_cookies(struct rec *r, const struct scenario *sc)
{
  static const uint8_t step[] = {
      STEP_RAW, RAW_COOKIES | RAW_LENGTH, 0, 40,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* cookies, copied in */
      ISAKMP_NP_N, 0x10, ISAKMP_XCHG_INFO, 0, 0, 0, 0, 1, 0, 0, 0, 0, /* length, copied in */
      ISAKMP_NP_NONE, 0, 0, 12, 0, 0, 0, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 0, 0, 14};
  (void)sc;
  world_step(r, step, sizeof step);
}

static bool goal_up(const struct ike_engine *re, const struct seen *s, const struct scenario *sc)
{
  (void)s;
  (void)sc;
  return ipsec_up(re, 1);
}

/* Up with exactly the algorithms offered (the group shows in no table:
 * a single offer cannot be chosen without it). */
static bool goal_offer(const struct ike_engine *re, const struct seen *s,
                       const struct scenario *sc)
{
  struct ike_p1_keys_info k;
  struct ike_ipsec_sa sa;
  const struct ike_p2_proposal *p = &sc->p2;
  size_t key_len = ike_cipher_key_len(sc->p1.encr, sc->p1.key_bits);
  (void)s;
  return ipsec_up(re, 1) && ike_engine_p1_keys(re, 0, &k) && k.keys.encr == sc->p1.encr &&
         k.keys.hash == sc->p1.hash && k.keys.key_len == key_len &&
         ike_engine_ipsec_info(re, 0, &sa) && sa.protocol == p->protocol &&
         sa.encr == p->encr && sa.key_bits == p->key_bits && sa.auth == p->auth &&
         sa.encap == p->encap;
}

static bool goal_gone(const struct ike_engine *re, const struct seen *s,
                      const struct scenario *sc)
{
  (void)sc;
  return s->sa_add == 1 && s->sa_del == 1 && ike_engine_sa_count(re) == 0 &&
         ike_engine_ipsec_count(re) == 0;
}

static bool goal_dpd(const struct ike_engine *re, const struct seen *s, const struct scenario *sc)
{
  (void)sc;
  return s->dpd_acks == 1 && ipsec_up(re, 1);
}

static bool goal_rekeyed(const struct ike_engine *re, const struct seen *s,
                         const struct scenario *sc)
{
  (void)sc;
  return s->sa_add == 2 && s->sa_del == 1 && ipsec_up(re, 1);
}

static bool goal_two(const struct ike_engine *re, const struct seen *s, const struct scenario *sc)
{
  struct ike_ipsec_sa a, b;
  (void)sc;
  return s->sa_add == 2 && ipsec_up(re, 2) && ike_engine_ipsec_info(re, 0, &a) &&
         ike_engine_ipsec_info(re, 1, &b) && a.protocol == ISAKMP_PROTO_ESP &&
         b.protocol == ISAKMP_PROTO_AH;
}

static bool goal_duplicates(const struct ike_engine *re, const struct seen *s,
                            const struct scenario *sc)
{
  (void)sc;
  return s->duplicates >= 2 && ipsec_up(re, 1);
}

static bool goal_nat(const struct ike_engine *re, const struct seen *s, const struct scenario *sc)
{
  struct ike_sa_info info;
  struct ike_ipsec_sa sa;
  (void)s;
  (void)sc;
  return ipsec_up(re, 1) && ike_engine_sa_info(re, 0, &info) && info.nat_detected &&
         ike_engine_ipsec_info(re, 0, &sa) && sa.udp_encap;
}

static bool goal_sealed_delete(const struct ike_engine *re, const struct seen *s,
                               const struct scenario *sc)
{
  struct ike_sa_info info;
  (void)sc;
  return s->sa_add == 1 && s->sa_del == 1 && ike_engine_ipsec_count(re) == 0 &&
         ike_engine_sa_count(re) == 1 && ike_engine_sa_info(re, 0, &info) &&
         info.state == IKE_P1_ESTABLISHED;
}

/* QM2 of the recorded Quick Mode and QM2 of the sealed one. */
static bool goal_sealed_quick(const struct ike_engine *re, const struct seen *s,
                              const struct scenario *sc)
{
  (void)sc;
  return s->quick_sent == 2 && s->sa_add == 1 && ipsec_up(re, 1);
}

/* The engine says nothing to either (no log row past the Quick Mode's),
 * so what shows is that the step ran and changed nothing. */
static bool goal_kept(const struct ike_engine *re, const struct seen *s,
                      const struct scenario *sc)
{
  (void)sc;
  return s->sa_add == 1 && s->sa_del == 0 && s->quick_sent == 1 && ipsec_up(re, 1);
}

/* Records, writes and replays one scenario; 0 when it did what it meant. */
static int run(const char *dir, const struct scenario *sc)
{
  static struct rec r;
  char why[256] = "", path[4096];
  memset(&r, 0, sizeof r);
  bool made = play(&r, sc, why, sizeof why);
  ike_engine_free(r.ie);
  ike_engine_free(r.re);
  snprintf(path, sizeof path, "%s/%s", dir, sc->name);
  FILE *f = made ? fopen(path, "wb") : NULL;
  if (!f || fwrite(r.script, 1, r.len, f) != r.len || fclose(f) != 0) {
    fprintf(stderr, "make_responder_seeds: %s: %s\n", sc->name, made ? "cannot write" : why);
    return 1;
  }
  struct seen seen = {0};
  struct ike_engine *re = replay(r.script, r.len, &seen);
  bool fits = !r.too_long && !r.to_r.lost && !r.to_i.lost && r.steps <= SCRIPT_MAX_STEPS;
  /* Every step recorded was run as the recording meant. */
  bool ok = re && fits && seen.steps == r.steps && sc->goal(re, &seen, sc);
  resp_world_end();
  printf("%s: %u steps (%u packets), responder %s: %s%s\n", path, r.steps, r.packets,
         sc->intent, ok ? "yes" : "NO", fits ? "" : " (script over 32 steps or a datagram lost)");
  return ok ? 0 : 1;
}

/* ---- names -------------------------------------------------------------- */

static const char *group_name(unsigned g)
{
  switch (g) {
  case OAKLEY_GROUP_MODP768: return "modp768";
  case OAKLEY_GROUP_MODP1024: return "modp1024";
  case OAKLEY_GROUP_MODP1536: return "modp1536";
  case OAKLEY_GROUP_MODP2048: return "modp2048";
  case OAKLEY_GROUP_MODP3072: return "modp3072";
  case OAKLEY_GROUP_MODP4096: return "modp4096";
  default: return "modp?";
  }
}

static const char *hash_name(unsigned h)
{
  switch (h) {
  case OAKLEY_HASH_MD5: return "md5";
  case OAKLEY_HASH_SHA1: return "sha1";
  case OAKLEY_HASH_SHA2_256: return "sha256";
  case OAKLEY_HASH_SHA2_384: return "sha384";
  case OAKLEY_HASH_SHA2_512: return "sha512";
  default: return "hash?";
  }
}

/* IPSEC_AUTH_HMAC_* are not OAKLEY_HASH_* numbers. */
static const char *auth_name(unsigned a)
{
  switch (a) {
  case IPSEC_AUTH_HMAC_MD5: return "md5";
  case IPSEC_AUTH_HMAC_SHA1: return "sha1";
  case IPSEC_AUTH_HMAC_SHA2_256: return "sha256";
  default: return "noauth";
  }
}

static void p1_name(const struct ike_p1_proposal *p, char *out, size_t len)
{
  char cipher[24];
  if (p->encr == OAKLEY_ENCR_AES_CBC)
    snprintf(cipher, sizeof cipher, "aes%u", (unsigned)p->key_bits);
  else
    snprintf(cipher, sizeof cipher, "%s", p->encr == OAKLEY_ENCR_DES_CBC ? "des" : "3des");
  snprintf(out, len, "%s-%s-%s", cipher, hash_name(p->hash), group_name(p->group));
}

static void p2_name(const struct ike_p2_proposal *p, char *out, size_t len)
{
  char cipher[24] = "ah", pfs[24] = "";
  if (p->protocol == ISAKMP_PROTO_ESP && p->encr == ISAKMP_ESP_AES_CBC)
    snprintf(cipher, sizeof cipher, "esp-aes%u", (unsigned)p->key_bits);
  else if (p->protocol == ISAKMP_PROTO_ESP)
    snprintf(cipher, sizeof cipher, "esp-%s",
             p->encr == ISAKMP_ESP_DES    ? "des"
             : p->encr == ISAKMP_ESP_3DES ? "3des"
             : p->encr == ISAKMP_ESP_NULL ? "null"
                                          : "cipher?");
  if (p->pfs)
    snprintf(pfs, sizeof pfs, "-pfs-%s", group_name(p->pfs));
  snprintf(out, len, "%s-%s-%s%s", cipher, auth_name(p->auth),
           p->encap == IPSEC_ENCAP_TRANSPORT ? "transport" : "tunnel", pfs);
}

/* ---- the list ----------------------------------------------------------- */

/* seed_MODE_WHAT.bin; false (the seed is not made) if that is too long. */
static bool named(struct scenario *sc, const char *mode, const char *what)
{
  int n = snprintf(sc->name, sizeof sc->name, "seed_%s_%s.bin", mode, what);
  return n > 0 && (size_t)n < sizeof sc->name;
}

static int algorithm_matrix(const char *dir, int rule)
{
  static struct ike_config cfg;
  const char *mode = rule == 1 ? "mm" : "am";
  int rc = 0;
  responder_config(&cfg);
  const struct ike_rule *r = &cfg.rules[rule - 1];
  for (size_t i = 0; i < r->np1; i++)
    for (size_t j = 0; j < r->np2; j++) {
      struct scenario sc = {.rule = rule, .only = true, .p1 = r->p1[i], .p2 = r->p2[j],
                            .goal = goal_offer,
                            .intent = "has the offered IPsec SA up"};
      char a[48], b[64], what[128];
      p1_name(&sc.p1, a, sizeof a);
      p2_name(&sc.p2, b, sizeof b);
      snprintf(what, sizeof what, "p1-%s_p2-%s", a, b);
      rc |= named(&sc, mode, what) ? run(dir, &sc) : 1;
    }
  return rc;
}

/* The exchanges after Phase 2, and the lost answers and NAT on the way. */
static int after_phase2(const char *dir, int rule)
{
  const char *mode = rule == 1 ? "mm" : "am";
  const struct scenario kinds[] = {
      {.name = "delete", .after = take_down, .goal = goal_gone,
       .intent = "deleted the IPsec SA and the IKE SA"},
      {.name = "dpd", .dpd_ms = 20000, .after = idle_for_dpd, .goal = goal_dpd,
       .intent = "acknowledged an R-U-THERE and kept the SAs"},
      {.name = "rekey_volume", .life_kbytes = 1000, .after = volume_rekey, .goal = goal_rekeyed,
       .intent = "replaced the IPsec SA by its successor"},
      {.name = "second_quick", .after = second_quick, .goal = goal_two,
       .intent = "has ESP and AH SAs under one Phase 1"},
      /* MM4 (the second answer) or AM2 (the only one), then QM2. */
      {.name = "retransmit", .lose_p1 = rule == 1 ? 2 : 1, .lose_qm = true,
       .goal = goal_duplicates, .intent = "answered resent messages and has the IPsec SA up"},
      {.name = "natt_behind_nat", .natt = true, .nat = true, .goal = goal_nat,
       .intent = "detected the NAT and has a UDP-encapsulated IPsec SA up"},
  };
  int rc = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    struct scenario sc = kinds[i];
    sc.rule = rule;
    rc |= named(&sc, mode, kinds[i].name) ? run(dir, &sc) : 1;
  }
  return rc;
}

/* Main Mode + Quick Mode, then steps past PACKET and CLOCK. */
static int world_steps(const char *dir)
{
  const struct scenario kinds[] = {
      {.name = "seed_mm_sealed_info_delete.bin", .after = sealed_delete,
       .goal = goal_sealed_delete,
       .intent = "deleted the IPsec SA on a sealed Delete and kept the IKE SA"},
      {.name = "seed_mm_sealed_second_qm1.bin", .after = sealed_quick, .goal = goal_sealed_quick,
       .intent = "answered a sealed QM1 of a second Quick Mode"},
      {.name = "seed_mm_replay_mm1.bin", .after = replay_mm1, .goal = goal_kept,
       .intent = "kept its SAs when MM1 came again"},
      {.name = "seed_mm_raw_cookies_clear_info.bin", .after = raw_cookies, .goal = goal_kept,
       .intent = "kept its SAs on a clear Informational with its cookies"},
  };
  int rc = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    struct scenario sc = kinds[i];
    sc.rule = 1;
    rc |= run(dir, &sc);
  }
  return rc;
}

/* ---- the shadow initiator's templates, and Main Mode message 5 sealed --- */

#define TPL 0x07, 0x00, 0x00 /* the shadow's next message, unchanged */
#define SHADOW(a) 0x08, (a)

static bool tpl_up(const struct ike_engine *re, const struct seen *s)
{
  (void)s;
  return ipsec_up(re, 1);
}

static bool tpl_two_up(const struct ike_engine *re, const struct seen *s)
{
  return s->sa_add == 2 && ipsec_up(re, 2);
}

static bool tpl_deleted(const struct ike_engine *re, const struct seen *s)
{
  return s->sa_add == 1 && s->sa_del == 1 && ike_engine_ipsec_count(re) == 0;
}

/* Message 5 reached the engine, was opened and refused. */
static bool tpl_mm5_refused(const struct ike_engine *re, const struct seen *s)
{
  struct ike_sa_info info;
  bool up = ike_engine_sa_count(re) == 1 && ike_engine_sa_info(re, 0, &info) &&
            info.state == IKE_P1_ESTABLISHED;
  return !up && s->auth_failed == 1 && s->sa_add == 0;
}

static int shadow_scripts(const char *dir)
{
  /* MM5's plaintext: header (28), ID (12: IPv4), HASH; byte 44 is HASH_I's first. */
  static const uint8_t main_quick[] = {SHADOW(0), TPL, TPL, TPL, TPL, TPL};
  static const uint8_t aggressive_quick[] = {SHADOW(1), TPL, TPL, TPL, TPL};
  static const uint8_t mm5_bad_hash[] = {SHADOW(0), TPL, TPL, 0x07, TPL_FIX_HASH, 1,
                                         MUT_XOR, 0, 44, 0xff};
  static const uint8_t mm5_sealed[] = {
      SHADOW(0), TPL, TPL,
      STEP_SEALED, 0, SEALED_MM5, 0, 0, 0, 0, ISAKMP_NP_ID, 0, 36,
      /* ID: IPv4 10.0.0.1, UDP 500 */
      ISAKMP_NP_HASH, 0, 0, 12, 1, 17, 0x01, 0xf4, 10, 0, 0, 1,
      /* HASH: 20 zero bytes, no HASH_I of anybody's */
      0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  static const uint8_t delete_by_peer[] = {SHADOW(0), TPL, TPL, TPL, TPL, TPL,
                                           SHADOW(2), TPL, TPL};
  static const uint8_t rekey_by_peer[] = {SHADOW(0), TPL, TPL, TPL, TPL, TPL,
                                          SHADOW(5), TPL, TPL};
  static const struct {
    const char *name;
    const uint8_t *script;
    size_t len;
    bool (*goal)(const struct ike_engine *, const struct seen *);
    const char *intent;
  } list[] = {
      {"seed_tpl_main_quick.bin", main_quick, sizeof main_quick, tpl_up,
       "has an IPsec SA up (MM1-MM5, QM1, QM3 from templates)"},
      {"seed_tpl_aggressive_quick.bin", aggressive_quick, sizeof aggressive_quick, tpl_up,
       "has an IPsec SA up (AM1, AM3, QM1, QM3 from templates)"},
      {"seed_tpl_mm5_bad_hash.bin", mm5_bad_hash, sizeof mm5_bad_hash, tpl_mm5_refused,
       "opened a template MM5 with HASH_I changed and refused it"},
      {"seed_sealed_mm5.bin", mm5_sealed, sizeof mm5_sealed, tpl_mm5_refused,
       "opened a sealed MM5 with a zero HASH_I and refused it"},
      {"seed_tpl_peer_delete.bin", delete_by_peer, sizeof delete_by_peer, tpl_deleted,
       "deleted the IPsec SA on the shadow's Delete"},
      {"seed_tpl_peer_rekey.bin", rekey_by_peer, sizeof rekey_by_peer, tpl_two_up,
       "has the successor IPsec SA up beside the old one"},
  };
  int rc = 0;
  char path[4096];
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(list[i].script, 1, list[i].len, f) != list[i].len || fclose(f) != 0) {
      fprintf(stderr, "make_responder_seeds: %s: cannot write\n", path);
      rc = 1;
      continue;
    }
    struct seen seen = {0};
    struct ike_engine *re = replay(list[i].script, list[i].len, &seen);
    bool ok = re && list[i].goal(re, &seen);
    resp_world_end();
    printf("%s: %zu steps, responder %s: %s\n", path, seen.steps, list[i].intent,
           ok ? "yes" : "NO");
    rc |= !ok;
  }
  return rc;
}

/* The first four, under the names they have always had. */
static int classic(const char *dir)
{
  static const struct {
    const char *name;
    int rule;
    bool natt;
  } list[] = {{"seed_main_quick.bin", 1, false},
              {"seed_aggressive_quick.bin", 2, false},
              {"seed_main_quick_natt.bin", 1, true},
              {"seed_aggressive_quick_natt.bin", 2, true}};
  int rc = 0;
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
    struct scenario sc = {.rule = list[i].rule, .natt = list[i].natt,
                          .goal = goal_up, .intent = "has an IPsec SA up"};
    snprintf(sc.name, sizeof sc.name, "%s", list[i].name);
    rc |= run(dir, &sc);
  }
  return rc;
}

int main(int argc, char **argv)
{
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: %s DIR\nRecords exchanges of a real initiator with the fuzz_responder world\n"
            "as seed scripts in DIR: Main+Quick and Aggressive+Quick Mode, every pair of\n"
            "a rule's Phase 1 and Phase 2 proposals, and after Phase 2 a delete, DPD,\n"
            "a volume rekey, a second Quick Mode, retransmissions and NAT-T behind a\n"
            "NAT, and sealed, replayed and RAW steps. Each is replayed as fuzz_responder\n"
            "would; exit status 1 when one did not reach its goal. Run the fuzz preset's\n"
            "build so the seeds replay exactly under the fuzzer.\n",
            argv[0]);
    return argc == 2 ? 0 : 2;
  }
  env_stand_in_crypto(); /* as the fuzz_responder world has it, before any engine */
  int rc = classic(argv[1]);
  for (int rule = 1; rule <= 2; rule++)
    rc |= algorithm_matrix(argv[1], rule) | after_phase2(argv[1], rule);
  return rc | world_steps(argv[1]) | shadow_scripts(argv[1]);
}
