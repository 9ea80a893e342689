/* Plays one scenario in a fresh world and judges it: the logs, the wire,
 * the retransmission schedule, the final SA state, then the recovery check
 * (a clean negotiation on the same engines). A failure prints the expected
 * and observed lines side by side and the wire decoded. */
#include "runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "ikelab/isakmp_types.h"
#include "pcap_out.h"

static const struct ike_p1_proposal p1_aes = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p2_proposal p2_esp = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                              3600, 0};

static struct world world;
static struct isakmp_msg msg;

void scenario_default_configs(struct ike_config *a, struct ike_config *b)
{
  net_pair_config(a, b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
}

/* Appends to why. */
static void reason(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void reason(char *why, size_t whylen, const char *fmt, ...)
{
  size_t used = strlen(why);
  if (used >= whylen)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why + used, whylen - used, fmt, ap);
  va_end(ap);
}

/* Returns false when the action could not be carried out: a case whose
 * builder made no packet must not pass as "silence". */
bool runner_do_action(struct world *w, const struct action *act)
{
  struct net *n = &w->net;
  switch (act->kind) {
  case ACT_END:
    break;
  case ACT_TRIGGER:
    return ike_engine_trigger(n->side[act->side].e, n->now, (int)act->arg);
  case ACT_RUN:
    world_run(w, n->now + act->arg);
    break;
  case ACT_DUPLICATE: /* a copy right behind the original */
    if (n->nq == 0 || n->nq >= NET_MAX_QUEUE)
      return false;
    memmove(&n->queue[1], &n->queue[0], n->nq * sizeof n->queue[0]);
    n->nq++;
    break;
  case ACT_DROP_ALL: /* on the wire, so the trace still shows what was sent */
    w->drop_all = true;
    break;
  case ACT_FAIL_NEXT_SEND:
    n->side[act->side].fail_next_send = true;
    break;
  case ACT_CORRUPT:
    n->corrupt_at = (unsigned)act->arg;
    n->corrupt_offset = act->offset;
    break;
  case ACT_INJECT: {
    static uint8_t pkt[NET_MAX_PACKET];
    size_t len = act->build(w, act, pkt, sizeof pkt);
    if (len == 0)
      return false;
    world_inject(w, act->side, pkt, len);
    break;
  }
  case ACT_REPLAY:
    return world_replay(w, (unsigned)act->arg);
  case ACT_TRAFFIC:
    return world_traffic(w, act->side, (unsigned)act->arg, act->esp);
  case ACT_ADDRESS:
    world_address(w, act->side, (uint32_t)act->arg);
    break;
  }
  return true;
}

/* Decodes a trace entry, through its clear copy when it has one. */
static bool decode_entry(const struct trace_entry *t, struct isakmp_msg *m)
{
  struct isakmp_error err;
  if (t->kind != TR_IKE)
    return false;
  if (t->clear_len)
    return isakmp_decode(m, t->clear, t->clear_len, &err);
  return isakmp_decode(m, t->data, t->len, &err);
}

static bool has_notify(const struct isakmp_msg *m, uint16_t type)
{
  for (size_t k = 0; k < m->npayloads; k++)
    if (m->payloads[k].type == ISAKMP_NP_N && m->payloads[k].u.notify.type == type)
      return true;
  return false;
}

/* A clear Informational from side s carrying this notify. */
static bool sent_clear_notify(const struct world *w, int s, uint16_t type)
{
  for (size_t i = 0; i < w->ntrace; i++) {
    const struct trace_entry *t = &w->trace[i];
    if (t->from != s || t->injected || t->clear_len || !decode_entry(t, &msg))
      continue;
    if (msg.hdr.exchange == ISAKMP_XCHG_INFO && !(msg.hdr.flags & ISAKMP_FLAG_E) &&
        has_notify(&msg, type))
      return true;
  }
  return false;
}

static bool wire_matches(const struct trace_entry *t, const struct wire_expect *x)
{
  char sym[200];
  if (t->from != x->from || t->injected || !decode_entry(t, &msg) ||
      msg.hdr.exchange != x->exchange)
    return false;
  isakmp_payload_symbols(&msg, sym, sizeof sym);
  if (x->payloads && strcmp(sym, x->payloads) != 0)
    return false;
  return !x->notify || has_notify(&msg, x->notify);
}

static bool judge_wire(const struct world *w, const struct wire_expect *x, char *why,
                       size_t whylen)
{
  size_t from = 0;
  for (; x && x->exchange; x++) {
    while (from < w->ntrace && !wire_matches(&w->trace[from], x))
      from++;
    if (from == w->ntrace) {
      reason(why, whylen, "wire: no datagram %c->%c exchange %u %s notify %u (in order)\n",
             'A' + x->from, 'B' - x->from, x->exchange, x->payloads ? x->payloads : "(any)",
             x->notify);
      return false;
    }
    from++;
  }
  return true;
}

/* The side's first datagram and its copies: when each copy went out. */
static bool judge_resends(const struct world *w, int s, const uint32_t *want, char *why,
                          size_t whylen)
{
  const struct trace_entry *first = NULL;
  uint64_t got[16];
  size_t ngot = 0, nwant = 0;
  for (size_t i = 0; i < w->ntrace; i++) {
    const struct trace_entry *t = &w->trace[i];
    if (t->kind != TR_IKE || t->from != s || t->injected)
      continue;
    if (!first)
      first = t;
    else if (world_is_resend(first, t) && ngot < 16)
      got[ngot++] = t->at_ms - first->at_ms;
  }
  while (want[nwant])
    nwant++;
  bool same = ngot == nwant;
  for (size_t i = 0; same && i < nwant; i++)
    same = got[i] == want[i];
  if (!same) {
    reason(why, whylen, "side %c: first datagram resent at", 'A' + s);
    for (size_t i = 0; i < ngot; i++)
      reason(why, whylen, " +%llu", (unsigned long long)got[i]);
    reason(why, whylen, " ms; want");
    for (size_t i = 0; i < nwant; i++)
      reason(why, whylen, " +%u", want[i]);
    reason(why, whylen, " ms\n");
  }
  return same;
}

static unsigned count_line(const struct net_side *s, const char *line)
{
  unsigned n = 0;
  for (size_t i = 0; i < s->nlogs; i++)
    n += strcmp(s->logs[i], line) == 0;
  return n;
}

/* Counts are written EXACTLY(n): stored n + 1, 0 meaning unchecked. */
static void check_count(int want, size_t got, char side, const char *what, bool *ok, char *why,
                        size_t whylen)
{
  if (want && got != (size_t)(want - 1)) {
    reason(why, whylen, "side %c: %zu %s, want %d\n", side, got, what, want - 1);
    *ok = false;
  }
}

static bool judge_side(const struct world *w, const struct side_expect *x, int si, char *why,
                       size_t whylen)
{
  const struct net_side *s = &w->net.side[si];
  char side = (char)('A' + si);
  bool ok = true;
  size_t from = 0;
  for (size_t i = 0; x->in_order && x->in_order[i]; i++) {
    long at = net_find_log(s, x->in_order[i], from);
    if (at < 0) {
      reason(why, whylen, "side %c: missing (in order) \"%s\"\n", side, x->in_order[i]);
      ok = false;
      break;
    }
    from = (size_t)at + 1;
  }
  for (size_t i = 0; x->absent && x->absent[i]; i++)
    if (net_find_log(s, x->absent[i], 0) >= 0) {
      reason(why, whylen, "side %c: must not appear \"%s\"\n", side, x->absent[i]);
      ok = false;
    }
  if (x->count_line && count_line(s, x->count_line) != x->count) {
    reason(why, whylen, "side %c: \"%s\" %u times, want %u\n", side, x->count_line,
           count_line(s, x->count_line), x->count);
    ok = false;
  }
  check_count(x->nlogs, s->nlogs, side, "log lines", &ok, why, whylen);
  check_count(x->ipsec_sas, s->nadded, side, "IPsec SAs installed", &ok, why, whylen);
  check_count(x->ike_sas, ike_engine_sa_count(s->e), side, "IKE SAs held", &ok, why, whylen);
  check_count(x->ipsec_up, ike_engine_ipsec_count(s->e), side, "IPsec SAs up", &ok, why, whylen);
  check_count(x->esp_delivered, w->esp_delivered[si], side, "inner packets delivered", &ok, why,
              whylen);
  if (x->ike_established) {
    size_t up = 0;
    struct ike_sa_info info;
    for (size_t i = 0; ike_engine_sa_info(s->e, i, &info); i++)
      up += info.state == IKE_P1_ESTABLISHED;
    check_count(x->ike_established, up, side, "IKE SAs established", &ok, why, whylen);
  }
  if (x->sends_notify && !sent_clear_notify(w, si, x->sends_notify)) {
    reason(why, whylen, "side %c: no clear notify %u sent\n", side, x->sends_notify);
    ok = false;
  }
  if (x->resends && !judge_resends(w, si, x->resends, why, whylen))
    ok = false;
  char broken[200];
  if (!ike_engine_consistent(s->e, broken, sizeof broken)) {
    reason(why, whylen, "side %c: engine tables inconsistent: %s\n", side, broken);
    ok = false;
  }
  return ok;
}

/* After the case: both engines take the default config (at their current
 * addresses), the wire is clean, and rule 1 must come up from A with
 * traffic flowing both ways. */
static bool recover(struct world *w, char *why, size_t whylen)
{
  struct ike_config a, b;
  char err[256];
  struct net *n = &w->net;
  scenario_default_configs(&a, &b);
  a.rules[0].my_ip = b.rules[0].secure_gateway = n->side[0].addr.addr;
  b.rules[0].my_ip = a.rules[0].secure_gateway = n->side[1].addr.addr;
  w->impair = NULL;
  w->drop_all = n->drop_all = false;
  n->drop_next = 0;
  n->corrupt_at = 0;
  n->side[0].fail_next_send = n->side[1].fail_next_send = false;
  /* Let what the case left under way finish or time out first. */
  world_run(w, n->now + 600000);
  if (!ike_engine_reconfigure(n->side[0].e, n->now, &a, err, sizeof err) ||
      !ike_engine_reconfigure(n->side[1].e, n->now, &b, err, sizeof err)) {
    reason(why, whylen, "recovery: default config refused: %s\n", err);
    return false;
  }
  w->cfg[0] = a;
  w->cfg[1] = b;
  world_run(w, n->now);
  unsigned before[2] = {w->esp_delivered[0], w->esp_delivered[1]};
  if (!world_traffic(w, 0, 1, ESP_CLEAN)) {
    /* No SA: ask the engine, as the datapath would, and wait. */
    if (!ike_engine_trigger(n->side[0].e, n->now, 1)) {
      reason(why, whylen, "recovery: rule 1 cannot be triggered\n");
      return false;
    }
    world_run(w, n->now + 60000);
    before[1] = w->esp_delivered[1];
    if (!world_traffic(w, 0, 1, ESP_CLEAN)) {
      reason(why, whylen, "recovery: rule 1 did not come up again on side A\n");
      return false;
    }
  }
  if (!world_traffic(w, 1, 1, ESP_CLEAN)) {
    reason(why, whylen, "recovery: side B has no SA to answer with\n");
    return false;
  }
  bool ok = w->esp_delivered[1] == before[1] + 1 && w->esp_delivered[0] == before[0] + 1;
  if (!ok)
    reason(why, whylen, "recovery: traffic did not pass both ways (A->B %u, B->A %u)\n",
           w->esp_delivered[1] - before[1], w->esp_delivered[0] - before[0]);
  char broken[200];
  for (int s = 0; s < 2; s++)
    if (!ike_engine_consistent(n->side[s].e, broken, sizeof broken)) {
      reason(why, whylen, "recovery: side %c tables inconsistent: %s\n", 'A' + s, broken);
      ok = false;
    }
  return ok;
}

static void print_side_by_side(FILE *out, const struct side_expect *x, const struct net_side *s)
{
  /* Left: the lines expected in order, marked where they were (not) found;
   * right: every observed line. */
  const char *const *want = x->in_order;
  size_t nwant = 0;
  while (want && want[nwant])
    nwant++;
  long matched[64];
  size_t from = 0;
  for (size_t i = 0; i < nwant && i < 64; i++) {
    matched[i] = net_find_log(s, want[i], from);
    if (matched[i] >= 0)
      from = (size_t)matched[i] + 1;
  }
  fprintf(out, "    side %c   %-52s | %s\n", 'A' + s->index, "expected (in order)", "observed");
  size_t rows = nwant > s->nlogs ? nwant : s->nlogs;
  for (size_t i = 0; i < rows; i++) {
    char left[80] = "";
    if (i < nwant)
      snprintf(left, sizeof left, "%s %.44s", i < 64 && matched[i] >= 0 ? "ok    " : "MISSING",
               want[i]);
    fprintf(out, "    %03zu      %-52s | %s\n", i + 1, left, i < s->nlogs ? s->logs[i] : "");
  }
}

static const char *const impair_names[] = {"",          " DROPPED", " DUPLICATED", " DELAYED",
                                           " REORDERED", " TRUNCATED", " FLIPPED",
                                           " BODY-CORRUPTED"};

static void print_wire(FILE *out, const struct world *w)
{
  fprintf(out, "    wire (clear copies of encrypted messages in brackets):\n");
  for (size_t i = 0; i < w->ntrace; i++) {
    const struct trace_entry *t = &w->trace[i];
    char sym[240] = "ESP";
    if (t->kind == TR_IKE) {
      struct isakmp_error err;
      snprintf(sym, sizeof sym, "(undecodable)");
      if (isakmp_decode(&msg, t->data, t->len, &err)) {
        char p[160] = "";
        bool enc = msg.hdr.flags & ISAKMP_FLAG_E;
        if (enc && t->clear_len && decode_entry(t, &msg))
          isakmp_payload_symbols(&msg, p, sizeof p);
        else if (!enc)
          isakmp_payload_symbols(&msg, p, sizeof p);
        snprintf(sym, sizeof sym, "xchg %u %s%s%s", msg.hdr.exchange, enc ? "[" : "",
                 enc && !*p ? "encrypted" : p, enc ? "]" : "");
      } else {
        snprintf(sym, sizeof sym, "(refused: %.200s)", err.text);
      }
    }
    fprintf(out, "    %3zu t+%-7llu %c->%c%s%s %4zu bytes  %s\n", i + 1,
            (unsigned long long)(t->at_ms - 1000000), 'A' + t->from, 'B' - t->from,
            t->injected ? " (injected)" : "", t->impaired < 8 ? impair_names[t->impaired] : "",
            t->len, sym);
  }
  /* Then each IKE datagram in full, through the dissector (the clear copy
   * of an encrypted one), so a failure can be read without a pcap. */
  for (size_t i = 0; i < w->ntrace; i++) {
    const struct trace_entry *t = &w->trace[i];
    if (t->kind != TR_IKE)
      continue;
    fprintf(out, "    --- datagram %zu%s\n", i + 1, t->clear_len ? " (clear copy)" : "");
    isakmp_dissect_packet(t->clear_len ? t->clear : t->data, t->clear_len ? t->clear_len : t->len,
                          out);
  }
}

bool run_scenario(const struct scenario *sc, const struct run_options *opt, char *why,
                  size_t whylen)
{
  struct ike_config a, b;
  why[0] = '\0';
  scenario_default_configs(&a, &b);
  if (sc->tweak)
    sc->tweak(&a, &b);
  char err[256];
  if (!world_init(&world, &a, &b, sc->impair, err, sizeof err)) {
    snprintf(why, whylen, "config refused: %s\n", err);
    return false;
  }
  bool ok = true;
  for (const struct action *act = sc->actions; act->kind != ACT_END; act++)
    if (!runner_do_action(&world, act)) {
      reason(why, whylen, "action %td (kind %d) could not be carried out\n",
             act - sc->actions + 1, (int)act->kind);
      ok = false;
    }
  ok = judge_side(&world, &sc->expect[0], SIDE_A, why, whylen) && ok;
  ok = judge_side(&world, &sc->expect[1], SIDE_B, why, whylen) && ok;
  ok = judge_wire(&world, sc->wire, why, whylen) && ok;
  if (!ok && opt->details) {
    fprintf(opt->details, "  FAIL %s (covers %s): %s\n", sc->id, sc->covers, sc->what);
    fputs(why, opt->details);
    for (int s = 0; s < 2; s++)
      print_side_by_side(opt->details, &sc->expect[s], &world.net.side[s]);
    print_wire(opt->details, &world);
  }
  if (ok && !sc->no_recovery && !recover(&world, why, whylen)) {
    ok = false;
    if (opt->details) {
      fprintf(opt->details, "  FAIL %s (covers %s): after the case\n", sc->id, sc->covers);
      fputs(why, opt->details);
      print_wire(opt->details, &world);
    }
  }
  if (opt->pcap_dir && !pcap_write_case(opt->pcap_dir, sc->id, &world, err, sizeof err))
    reason(why, whylen, "pcap: %s\n", err);
  world_free(&world);
  return ok;
}

/* covers is a blank-separated list of rows: whole tokens, or their starts. */
static bool covers_token(const struct scenario *sc, const char *row, bool whole)
{
  size_t n = strlen(row);
  for (const char *p = sc->covers; *p;) {
    size_t len = strcspn(p, " ");
    if ((whole ? len == n : len >= n) && strncmp(p, row, n) == 0)
      return true;
    p += len;
    p += strspn(p, " ");
  }
  return false;
}

/* Whole tokens only, so "K1" does not select K12. */
bool scenario_covers(const struct scenario *sc, const char *row)
{
  return covers_token(sc, row, true);
}

bool scenario_covers_prefix(const struct scenario *sc, const char *prefix)
{
  return covers_token(sc, prefix, false);
}
