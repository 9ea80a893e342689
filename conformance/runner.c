/* Plays the scenario table on two engines (engine_net) and judges each case
 * against its expectations; prints progress, a failure's expected and
 * observed lines side by side with the decoded wire, and a final table. */
#include "runner.h"

#include <stdio.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"

static const struct ike_p1_proposal p1_aes = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800};
static const struct ike_p2_proposal p2_esp = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                              3600, 0};

/* The wire as the runner saw it: delivered datagrams (through the net's
 * rewrite hook, which has no context pointer, hence the statics) and
 * injected ones. */
enum { TRACE_MAX = 128 };
struct trace_entry {
  int from;
  bool injected;
  uint8_t data[NET_MAX_PACKET];
  size_t len;
};
static struct trace_entry trace[TRACE_MAX];
static size_t ntrace;
static struct net net;
static struct ike_config cfg_a, cfg_b;
static struct isakmp_msg msg;

static void trace_add(int from, bool injected, const uint8_t *data, size_t len)
{
  if (ntrace >= TRACE_MAX || len > NET_MAX_PACKET)
    return;
  struct trace_entry *t = &trace[ntrace++];
  t->from = from;
  t->injected = injected;
  memcpy(t->data, data, len);
  t->len = len;
}

static void record(struct net_packet *p, unsigned delivered)
{
  (void)delivered;
  trace_add(1 - p->to, false, p->data, p->len);
}

/* Returns false when the action could not be carried out: a case whose
 * builder made no packet must not pass as "silence". */
static bool do_action(const struct action *act)
{
  switch (act->kind) {
  case ACT_END:
    break;
  case ACT_TRIGGER:
    return ike_engine_trigger(net.side[act->side].e, net.now, (int)act->arg);
  case ACT_RUN:
    net_run(&net, net.now + act->arg);
    break;
  case ACT_DUPLICATE: /* a copy right behind the original */
    if (net.nq > 0 && net.nq < NET_MAX_QUEUE) {
      memmove(&net.queue[1], &net.queue[0], net.nq * sizeof net.queue[0]);
      net.nq++;
    }
    break;
  case ACT_DROP_ALL:
    net.drop_all = true;
    break;
  case ACT_FAIL_NEXT_SEND:
    net.side[act->side].fail_next_send = true;
    break;
  case ACT_CORRUPT:
    net.corrupt_at = (unsigned)act->arg;
    net.corrupt_offset = act->offset;
    break;
  case ACT_INJECT: {
    static uint8_t pkt[NET_MAX_PACKET];
    size_t len = act->build(&net, act, pkt, sizeof pkt);
    if (len == 0)
      return false;
    struct net_side *to = &net.side[act->side], *from = &net.side[1 - act->side];
    trace_add(from->index, true, pkt, len);
    ike_engine_input(to->e, net.now, from->addr, to->addr, pkt, len);
    break;
  }
  }
  return true;
}

/* The notify type of a clear Informational side s sent, or 0. */
static bool sent_notify(int s, uint16_t type)
{
  struct isakmp_error err;
  for (size_t i = 0; i < ntrace; i++) {
    if (trace[i].from != s || trace[i].injected ||
        !isakmp_decode(&msg, trace[i].data, trace[i].len, &err))
      continue;
    if (msg.hdr.exchange != ISAKMP_XCHG_INFO)
      continue;
    for (size_t k = 0; k < msg.npayloads; k++)
      if (msg.payloads[k].type == ISAKMP_NP_N && msg.payloads[k].u.notify.type == type)
        return true;
  }
  return false;
}

static unsigned count_line(const struct net_side *s, const char *line)
{
  unsigned n = 0;
  for (size_t i = 0; i < s->nlogs; i++)
    n += strcmp(s->logs[i], line) == 0;
  return n;
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

static void print_wire(FILE *out)
{
  struct isakmp_error err;
  fprintf(out, "    wire:\n");
  for (size_t i = 0; i < ntrace; i++) {
    char sym[200] = "(undecodable)";
    if (isakmp_decode(&msg, trace[i].data, trace[i].len, &err)) {
      if (msg.hdr.flags & ISAKMP_FLAG_E)
        snprintf(sym, sizeof sym, "xchg %u, encrypted", msg.hdr.exchange);
      else {
        char p[160];
        isakmp_payload_symbols(&msg, p, sizeof p);
        snprintf(sym, sizeof sym, "xchg %u %s", msg.hdr.exchange, p);
      }
    }
    fprintf(out, "    %3zu %c->%c%s %4zu bytes  %s\n", i + 1, 'A' + trace[i].from,
            'B' - trace[i].from, trace[i].injected ? " (injected)" : "", trace[i].len, sym);
  }
}

/* Checks one side; appends reasons to why. */
static bool judge_side(const struct side_expect *x, const struct net_side *s, char *why,
                       size_t whylen)
{
  char side = (char)('A' + s->index);
  size_t used = strlen(why);
#define FAILF(...) \
  (used += (size_t)snprintf(why + used, used < whylen ? whylen - used : 0, __VA_ARGS__), ok = false)
  bool ok = true;
  size_t from = 0;
  for (size_t i = 0; x->in_order && x->in_order[i]; i++) {
    long at = net_find_log(s, x->in_order[i], from);
    if (at < 0) {
      FAILF("side %c: missing (in order) \"%s\"\n", side, x->in_order[i]);
      break;
    }
    from = (size_t)at + 1;
  }
  for (size_t i = 0; x->absent && x->absent[i]; i++)
    if (net_find_log(s, x->absent[i], 0) >= 0)
      FAILF("side %c: must not appear \"%s\"\n", side, x->absent[i]);
  if (x->count_line && count_line(s, x->count_line) != x->count)
    FAILF("side %c: \"%s\" %u times, want %u\n", side, x->count_line,
          count_line(s, x->count_line), x->count);
  if (x->nlogs && s->nlogs != (size_t)(x->nlogs - 1))
    FAILF("side %c: %zu log lines, want %d\n", side, s->nlogs, x->nlogs - 1);
  if (x->ipsec_sas && s->nadded != (size_t)(x->ipsec_sas - 1))
    FAILF("side %c: %zu IPsec SAs installed, want %d\n", side, s->nadded, x->ipsec_sas - 1);
  size_t ike = ike_engine_sa_count(s->e);
  if (x->ike_sas && ike != (size_t)(x->ike_sas - 1))
    FAILF("side %c: %zu IKE SAs held, want %d\n", side, ike, x->ike_sas - 1);
  if (x->sends_notify && !sent_notify(s->index, x->sends_notify))
    FAILF("side %c: no clear notify %u sent\n", side, x->sends_notify);
#undef FAILF
  return ok;
}

bool run_scenario(const struct scenario *sc, FILE *out, char *why, size_t whylen)
{
  why[0] = '\0';
  ntrace = 0;
  net_pair_config(&cfg_a, &cfg_b, IKE_MODE_MAIN, &p1_aes, &p2_esp);
  if (sc->tweak)
    sc->tweak(&cfg_a, &cfg_b);
  char err[256];
  if (!net_init(&net, &cfg_a, &cfg_b, 7, err, sizeof err)) {
    snprintf(why, whylen, "config refused: %s\n", err);
    return false;
  }
  net.rewrite = record;
  bool ok = true;
  for (const struct action *act = sc->actions; act->kind != ACT_END; act++)
    if (!do_action(act)) {
      size_t used = strlen(why);
      snprintf(why + used, whylen - used, "action %td (kind %d) could not be carried out\n",
               act - sc->actions + 1, (int)act->kind);
      ok = false;
    }
  ok = judge_side(&sc->expect[0], &net.side[0], why, whylen) && ok;
  ok = judge_side(&sc->expect[1], &net.side[1], why, whylen) && ok;
  if (!ok && out) {
    fprintf(out, "  FAIL %s (covers %s): %s\n", sc->id, sc->covers, sc->what);
    fputs(why, out);
    for (int s = 0; s < 2; s++)
      print_side_by_side(out, &sc->expect[s], &net.side[s]);
    print_wire(out);
  }
  net_free(&net);
  return ok;
}

bool scenario_covers(const struct scenario *sc, const char *row)
{
  /* covers is a blank-separated list of rows: match whole tokens only, so
   * "K1" does not select K12. */
  size_t n = strlen(row);
  for (const char *p = sc->covers; *p;) {
    size_t len = strcspn(p, " ");
    if (len == n && strncmp(p, row, n) == 0)
      return true;
    p += len;
    p += strspn(p, " ");
  }
  return false;
}
