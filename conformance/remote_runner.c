#include "remote_runner.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "ikelab/isakmp_types.h"
#include "pcap_out.h"
#include "remote_world.h"
#include "runner.h"

static struct world world;
static struct remote_world rworld;
static struct isakmp_msg msg;

const char *verdict_name(enum verdict v)
{
  static const char *const names[] = {"PASS", "FAIL", "DEVIATION", "N/A"};
  return names[v];
}

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t len, const char *fmt, ...)
{
  size_t used = strlen(buf);
  if (used + 1 >= len)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + used, len - used, fmt, ap);
  va_end(ap);
}

void remote_default_configs(const struct remote_peer *p, struct ike_config *a,
                            struct ike_config *b)
{
  scenario_default_configs(a, b);
  struct ike_config *c[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    struct ike_rule *r = &c[i]->rules[0];
    r->p1[0].group = OAKLEY_GROUP_MODP2048;
    /* As initiator our side resends after 1 s: a real peer that dropped a
     * datagram (charon can take QM1 before AM3 on another thread) is not
     * waited for 10 s. As responder (--initiator-of) it keeps 10 s, so
     * within a case only the peer's own resends carry an exchange on. */
    c[i]->g.retransmit_interval_ms = p->initiator_of ? 10000 : 1000;
    r->my_ip = i == 0 ? p->link->local.addr : p->link->peer.addr;
    r->secure_gateway = i == 0 ? p->link->peer.addr : p->link->local.addr;
    ike_rule_set_psk(r, p->psk);
  }
}

/* ---- which cases can be played ---- */

static bool covers_prefix(const struct scenario *sc, const char *prefix)
{
  size_t n = strlen(prefix);
  for (const char *t = sc->covers; *t;) {
    size_t len = strcspn(t, " ");
    if (len >= n && strncmp(t, prefix, n) == 0)
      return true;
    t += len;
    t += strspn(t, " ");
  }
  return false;
}

/* Whether the case's tweak edits side B's config, and whether the only
 * edit is Aggressive Mode for rule 1 (a profile can set that up). */
static void b_tweak(const struct scenario *sc, const struct remote_peer *p, bool *edits,
                    bool *only_aggressive)
{
  static struct ike_config a, b, before;
  *edits = *only_aggressive = false;
  if (!sc->tweak)
    return;
  remote_default_configs(p, &a, &b);
  memcpy(&before, &b, sizeof b);
  sc->tweak(&a, &b);
  if (memcmp(&before, &b, sizeof b) == 0)
    return;
  *edits = true;
  before.rules[0].mode = b.rules[0].mode;
  *only_aggressive = b.rules[0].mode == IKE_MODE_AGGRESSIVE && memcmp(&before, &b, sizeof b) == 0;
}

bool remote_case_aggressive(const struct scenario *sc, const struct remote_peer *p)
{
  bool edits, only_aggressive;
  b_tweak(sc, p, &edits, &only_aggressive);
  return edits && only_aggressive;
}

static const char *action_na(const struct action *act, const struct remote_peer *p)
{
  switch (act->kind) {
  case ACT_TRIGGER:
    if (act->side == SIDE_B && !p->initiator_of)
      return "side B initiates: a responder-side case for --initiator-of";
    if (act->side == SIDE_A && p->initiator_of)
      return "side A initiates: a case for --target without --initiator-of";
    return NULL;
  case ACT_INJECT:
    return act->side == SIDE_A ? "a crafted datagram for side A: it tests ikelab's own engine"
                               : NULL;
  case ACT_TRAFFIC:
    return "ESP through both datapaths: the peer's datapath is not reachable from here";
  case ACT_ADDRESS:
    return "a WAN address change of a side (P1): the peer's address is not ours to change";
  case ACT_DROP_ALL:
    return "the peer goes silent: it tests side A's retransmission on the virtual clock";
  case ACT_FAIL_NEXT_SEND:
    return "a failing send of the local engine (K20): tests ikelab, not the peer";
  case ACT_CORRUPT:
    return "a datagram corrupted by the in-memory network: no equivalent on a socket";
  default:
    return NULL;
  }
}

const char *remote_not_applicable(const struct scenario *sc, const struct remote_peer *p,
                                  char *buf, size_t len)
{
  if (!covers_prefix(sc, "RFC") && !covers_prefix(sc, "CRASH") && !covers_prefix(sc, "K11") &&
      !covers_prefix(sc, "WIRE"))
    return "a Table 27-1/27-2 row: the check is the ZyXEL's own log line on side B "
           "(direction 1 provokes these in ikelabd)";
  if (covers_prefix(sc, "K19"))
    return "a lost datagram and the resend schedule (K19): real-time waits of 10-30 s "
           "per case, and the schedule is the ZyXEL's";
  bool edits, only_aggressive;
  b_tweak(sc, p, &edits, &only_aggressive);
  if (edits && !(only_aggressive && p->can_aggressive)) {
    snprintf(buf, len, "%s",
             only_aggressive ? "side B in Aggressive Mode: needs a profile that can configure it"
                             : "side B's config edited by the case (proposal, rule or limit): "
                               "the profile's template cannot express it");
    return buf;
  }
  for (const struct action *act = sc->actions; act->kind != ACT_END; act++) {
    const char *why = action_na(act, p);
    if (why)
      return why;
  }
  for (const struct impairment *i = sc->impair; i && i->kind != IMP_END; i++)
    if (i->kind == IMP_DROP || i->kind == IMP_DELAY || i->kind == IMP_REORDER)
      return "a lost, late or reordered datagram: exercises retransmission on the virtual "
             "clock (10-30 s real time per case)";
  bool a_starts = false;
  for (const struct action *act = sc->actions; act->kind != ACT_END; act++)
    a_starts |= (act->kind == ACT_TRIGGER && act->side == (p->initiator_of ? SIDE_B : SIDE_A)) ||
                (act->kind == ACT_INJECT && act->side == SIDE_B);
  if (!a_starts)
    return "nothing in the case reaches the peer";
  return NULL;
}

/* ---- what the RFC section requires, for the report ---- */

struct section {
  const char *prefix, *text;
  bool must_accept; /* the section requires the message to be taken */
};
static const struct section sections[] = {
    {"RFC2408-5.2", "RFC 2408 §5.2 (ISAKMP header processing): a header that fails a check is "
                    "discarded; the notify the check names MAY be sent", false},
    {"RFC2408-5.3", "RFC 2408 §5.3 (generic payload header): an unknown next payload or a "
                    "non-zero RESERVED field discards the message; INVALID-PAYLOAD-TYPE or "
                    "PAYLOAD-MALFORMED MAY be sent", false},
    {"RFC2408-5.4", "RFC 2408 §5.4 (SA payload): an unsupported DOI or situation discards the "
                    "message; DOI-NOT-SUPPORTED / SITUATION-NOT-SUPPORTED MAY be sent", false},
    {"RFC2408-5.5", "RFC 2408 §5.5 (proposal payload): an invalid protocol or SPI discards it; "
                    "INVALID-PROTOCOL-ID / INVALID-SPI MAY be sent", false},
    {"RFC2408-5.6", "RFC 2408 §5.6 (transform payload): an invalid transform discards it; "
                    "INVALID-TRANSFORM-ID / ATTRIBUTES-NOT-SUPPORTED MAY be sent", false},
    {"RFC2408-5.7", "RFC 2408 §5.7 (key exchange payload): a bad KE discards the message; "
                    "INVALID-KEY-INFORMATION MAY be sent", false},
    {"RFC2408-5.8", "RFC 2408 §5.8 (identification payload): a bad ID discards the message; "
                    "INVALID-ID-INFORMATION MAY be sent", false},
    {"RFC2408-5.9", "RFC 2408 §5.9 (certificate payload): a bad encoding discards it; "
                    "INVALID-CERT-ENCODING MAY be sent", false},
    {"RFC2408-5.10", "RFC 2408 §5.10 (certificate request): an invalid type discards it; "
                     "INVALID-CERT-ENCODING / CERT-TYPE-UNSUPPORTED MAY be sent", false},
    {"RFC2408-5.11", "RFC 2408 §5.11 (hash payload): a hash that does not verify discards the "
                     "message; INVALID-HASH-INFORMATION MAY be sent", false},
    {"RFC2408-5.12", "RFC 2408 §5.12 (signature payload): a bad signature discards the "
                     "message; INVALID-SIGNATURE MAY be sent", false},
    {"RFC2408-5.13", "RFC 2408 §5.13 (nonce payload): no checks beyond its length; RFC 2409 "
                     "§5 bounds it to 8-256 bytes", false},
    {"RFC2408-5.14", "RFC 2408 §5.14 (notification payload): an invalid DOI, protocol or "
                     "notify type is discarded; Notifications are never answered with one", false},
    {"RFC2408-5.15", "RFC 2408 §5.15 (delete payload): an invalid DOI, protocol or SPI is "
                     "discarded; a Delete is not answered", false},
    {"RFC2408-3.16", "RFC 2408 §3.16 (Vendor ID): a Vendor ID the receiver does not know "
                     "is ignored, the exchange goes on", true},
    {"RFC2408-5.1", "RFC 2408 §5.1: a message that does not decrypt is discarded", false},
    {"RFC2409", "RFC 2409 §5: each exchange's payloads are fixed; a message that departs is "
                "not processed and the exchange does not advance", false},
    {"CRASH", "RFC 2408 §5: a malformed message is discarded without harm to the daemon or "
              "other SAs; the notify it names (PAYLOAD-MALFORMED...) MAY be sent", false},
    {"K11", "RFC 2408 §3.1 / RFC 2409 practice (no MUST): a repeated request is answered with "
            "the last reply or dropped, creating no second SA", false},
    {"WIRE", "RFC 2408 §5: a damaged datagram is discarded; the exchange continues on the "
             "sender's retransmission", false},
};

/* Whether the case covers a section that requires its message be taken. */
static bool section_must_accept(const struct scenario *sc)
{
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
    if (sections[i].must_accept && scenario_covers(sc, sections[i].prefix))
      return true;
  return false;
}

static void describe_sections(const struct scenario *sc, char *out, size_t len)
{
  out[0] = '\0';
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
    if (covers_prefix(sc, sections[i].prefix) && !strstr(out, sections[i].text)) {
      /* "RFC2408-5.1" must not match "RFC2408-5.10": exact token or a family */
      size_t n = strlen(sections[i].prefix);
      bool exact_needed = strncmp(sections[i].prefix, "RFC2408-", 8) == 0;
      bool hit = !exact_needed;
      for (const char *t = sc->covers; exact_needed && *t;) {
        size_t tl = strcspn(t, " ");
        hit |= tl == n && strncmp(t, sections[i].prefix, n) == 0;
        t += tl;
        t += strspn(t, " ");
      }
      if (hit)
        add(out, len, "%s%s", out[0] ? "; " : "", sections[i].text);
    }
}

/* ---- judging the peer's answers ---- */

enum answer_kind { ANS_CONTINUES, ANS_NOTIFY, ANS_SEALED, ANS_UNDECODABLE };

static bool has_notify(const struct isakmp_msg *m, uint16_t type)
{
  for (size_t k = 0; k < m->npayloads; k++)
    if (m->payloads[k].type == ISAKMP_NP_N && m->payloads[k].u.notify.type == type)
      return true;
  return false;
}

static bool decode_entry(const struct trace_entry *t, struct isakmp_msg *m)
{
  struct isakmp_error err;
  return t->clear_len ? isakmp_decode(m, t->clear, t->clear_len, &err)
                      : isakmp_decode(m, t->data, t->len, &err);
}

/* Classifies one datagram of the peer and appends it to the summary. */
static enum answer_kind classify(const struct trace_entry *t, uint16_t want, bool *has_want,
                                 char *sum, size_t sumlen)
{
  char sym[200];
  if (!decode_entry(t, &msg)) {
    add(sum, sumlen, "[%zu bytes, undecodable] ", t->len);
    return ANS_UNDECODABLE;
  }
  bool sealed = (msg.hdr.flags & ISAKMP_FLAG_E) && !t->clear_len;
  const char *xname = isakmp_name_or_unknown(&isakmp_exchange_names, msg.hdr.exchange);
  if (sealed) {
    add(sum, sumlen, "[%s, encrypted, not ours to open] ", xname);
    return msg.hdr.exchange == ISAKMP_XCHG_INFO ? ANS_SEALED : ANS_CONTINUES;
  }
  isakmp_payload_symbols(&msg, sym, sizeof sym);
  add(sum, sumlen, "[%s%s %s", xname, t->clear_len ? " (decrypted)" : "", sym);
  for (size_t k = 0; k < msg.npayloads; k++)
    if (msg.payloads[k].type == ISAKMP_NP_N)
      add(sum, sumlen, " %s",
          isakmp_name_or_unknown(&isakmp_notify_names, msg.payloads[k].u.notify.type));
  add(sum, sumlen, "] ");
  if (msg.hdr.exchange != ISAKMP_XCHG_INFO)
    return ANS_CONTINUES;
  if (want && has_notify(&msg, want))
    *has_want = true;
  return ANS_NOTIFY;
}

static uint16_t expected_notify(const struct scenario *sc)
{
  if (sc->expect[SIDE_B].sends_notify)
    return sc->expect[SIDE_B].sends_notify;
  for (const struct wire_expect *x = sc->wire; x && x->exchange; x++)
    if (x->from == SIDE_B && x->notify)
      return x->notify;
  return 0;
}

/* The case says side B must keep no state or stay silent: the message must
 * be refused, not processed. */
static bool refusal_expected(const struct scenario *sc)
{
  const struct side_expect *b = &sc->expect[SIDE_B];
  return expected_notify(sc) || b->ike_sas == EXACTLY(0) || b->nlogs == EXACTLY(0);
}

/* Removes every "<VID>" from a payload list: real peers add Vendor IDs
 * (RFC 2408 §3.16) the reference does not send. */
static void drop_vids(char *sym)
{
  char *v;
  while ((v = strstr(sym, "<VID>")))
    memmove(v, v + 5, strlen(v + 5) + 1);
}

static bool wire_matches(const struct trace_entry *t, const struct wire_expect *x)
{
  char sym[200];
  if (t->from != x->from || t->injected || !decode_entry(t, &msg) ||
      msg.hdr.exchange != x->exchange)
    return false;
  if ((msg.hdr.flags & ISAKMP_FLAG_E) && !t->clear_len)
    return !x->payloads && !x->notify;
  isakmp_payload_symbols(&msg, sym, sizeof sym);
  drop_vids(sym);
  if (x->payloads && strcmp(sym, x->payloads) != 0)
    return false;
  return !x->notify || has_notify(&msg, x->notify);
}

/* The case's wire expectations of the peer's datagrams that carry no
 * notify (answers to duplicates, the exchange carrying on), in order. */
static bool judge_peer_wire(const struct scenario *sc, size_t ntrace, bool strict, char *why,
                            size_t len)
{
  size_t from = 0;
  for (const struct wire_expect *x = sc->wire; x && x->exchange; x++) {
    if (x->from != SIDE_B || x->notify)
      continue;
    while (from < ntrace && !wire_matches(&world.trace[from], x))
      from++;
    if (from == ntrace) {
      add(why, len, strict ? "not resent: the peer sent no second %s %s (it took the "
                             "damaged answer, or gave up); "
                           : "unlike the reference, no %s %s from the peer here (no MUST); ",
          isakmp_name_or_unknown(&isakmp_exchange_names, x->exchange),
          x->payloads ? x->payloads : "");
      return false;
    }
    from++;
  }
  return true;
}

static void check_count(int want, size_t got, const char *what, char *why, size_t len, bool *ok)
{
  if (want && got != (size_t)(want - 1)) {
    add(why, len, "side A: %zu %s, want %d; ", got, what, want - 1);
    *ok = false;
  }
}

/* What side A must hold at the end: these follow from the peer's answers
 * (an exchange it completed, an SA it kept). */
static bool judge_side_a(const struct scenario *sc, char *why, size_t len)
{
  const struct side_expect *x = &sc->expect[SIDE_A];
  const struct net_side *s = &world.net.side[SIDE_A];
  bool ok = true;
  check_count(x->ipsec_sas, s->nadded, "IPsec SAs installed", why, len, &ok);
  check_count(x->ipsec_up, ike_engine_ipsec_count(s->e), "IPsec SAs up", why, len, &ok);
  if (x->ike_established) {
    size_t up = 0;
    struct ike_sa_info info;
    for (size_t i = 0; ike_engine_sa_info(s->e, i, &info); i++)
      up += info.state == IKE_P1_ESTABLISHED;
    check_count(x->ike_established, up, "IKE SAs established", why, len, &ok);
  }
  return ok;
}

/* --initiator-of: A installed an IPsec SA and the wire has gone quiet. */
static bool settled(const struct world *w, size_t arg)
{
  (void)arg;
  return w->net.side[SIDE_A].nadded > 0 &&
         w->net.now >= w->remote->last_activity + w->remote->quiet_ms;
}

static size_t established_count(void)
{
  size_t up = 0;
  struct ike_sa_info info;
  for (size_t i = 0; ike_engine_sa_info(world.net.side[SIDE_A].e, i, &info); i++)
    up += info.state == IKE_P1_ESTABLISHED;
  return up;
}

static void judge(const struct scenario *sc, long probe, size_t ntrace, bool sa_before,
                  bool initiator_of, struct remote_result *res)
{
  uint16_t want = expected_notify(sc);
  bool has_want = false, continues = false, notified = false, sealed = false;
  size_t nans = 0;
  char dev[1024] = "";
  if (probe >= 0) {
    const struct trace_entry *pt = &world.trace[probe];
    for (size_t i = (size_t)probe + 1; i < ntrace; i++) {
      const struct trace_entry *t = &world.trace[i];
      if (t->from != SIDE_B || t->len < 8 || memcmp(t->data, pt->data, 8) != 0)
        continue;
      nans++;
      switch (classify(t, want, &has_want, res->answers, sizeof res->answers)) {
      case ANS_CONTINUES: continues = true; break;
      case ANS_NOTIFY: notified = true; break;
      case ANS_SEALED: sealed = true; break;
      case ANS_UNDECODABLE: break;
      }
    }
    if (nans == 0)
      add(res->answers, sizeof res->answers, "silence");
  } else {
    for (size_t i = 0; i < ntrace; i++)
      if (world.trace[i].from == SIDE_B)
        classify(&world.trace[i], 0, &has_want, res->answers, sizeof res->answers);
  }
  if (probe >= 0 && refusal_expected(sc)) {
    if (want && has_want)
      ; /* the notify the section names, maybe after the exchange went on */
    else if (continues)
      add(dev, sizeof dev, "processed: the peer took a message the section says to discard "
                           "(it answered with the exchange's next message); ");
    else if (want && notified && !has_want && covers_prefix(sc, "RFC2408-5."))
      add(dev, sizeof dev, "other notify: the peer refused it, but not with the %s the section "
                           "names; ",
          isakmp_name_or_unknown(&isakmp_notify_names, want));
    else if (want && notified && !has_want)
      /* RFC 2409 and the crash patterns name no notify: the reference's
       * choice is not a requirement. */
      add(res->detail, sizeof res->detail, "refused with another notify than the reference's "
          "%s (no section names one); ", isakmp_name_or_unknown(&isakmp_notify_names, want));
    else if (want && !has_want)
      add(res->detail, sizeof res->detail, "%s; ",
          sealed ? "encrypted Informational (not decrypted here)"
                 : "silent: the notify is a MAY, the message was discarded");
    else if (!want && notified)
      add(res->detail, sizeof res->detail, "answered with a notify where the reference is "
                                           "silent (a MAY); ");
  }
  /* What side A holds: an SA that was up before the probe must survive it
   * (the message is discarded without harm); an exchange the reference
   * lets through must complete only where the section says so. */
  char side[256] = "";
  if (!judge_side_a(sc, side, sizeof side)) {
    if (sa_before)
      add(dev, sizeof dev, "SA harmed: %s", side);
    else if (initiator_of)
      add(dev, sizeof dev, "not recovered: one damaged or repeated answer ended the peer's "
                           "exchange (it is discarded and the request resent): %s", side);
    else if (section_must_accept(sc))
      add(dev, sizeof dev, "refused: the section requires it be taken: %s", side);
    else
      add(res->detail, sizeof res->detail, "the reference completes this exchange, the peer "
          "refused it (the section allows either): %s", side);
  }
  /* The peer's own datagrams: for --initiator-of cases its resends are
   * what the RFC asks; elsewhere they are the reference's habits. */
  if (initiator_of)
    judge_peer_wire(sc, ntrace, true, dev, sizeof dev);
  else
    judge_peer_wire(sc, ntrace, false, res->detail, sizeof res->detail);
  if (dev[0]) {
    res->verdict = VERDICT_DEVIATION;
    add(res->detail, sizeof res->detail, "%s", dev);
  }
}

static void print_wire(FILE *out, size_t ntrace)
{
  for (size_t i = 0; i < ntrace; i++) {
    const struct trace_entry *t = &world.trace[i];
    fprintf(out, "    %3zu %c->%c%s %4zu bytes%s\n", i + 1, 'A' + t->from, 'B' - t->from,
            t->injected ? " (injected)" : "", t->len, t->clear_len ? " (clear copy below)" : "");
    isakmp_dissect_packet(t->clear_len ? t->clear : t->data, t->clear_len ? t->clear_len : t->len,
                          out);
  }
}

/* The profile starts the peer in Main Mode; cases switch it as they need. */
static bool set_mode(struct remote_peer *p, bool aggressive, char *why, size_t len)
{
  static bool current_aggressive;
  if (current_aggressive == aggressive)
    return true;
  if (!p->set_mode) {
    snprintf(why, len, "no profile to switch the peer to %s Mode",
             aggressive ? "Aggressive" : "Main");
    return false;
  }
  if (!p->set_mode(p->ctx, aggressive, why, len))
    return false;
  current_aggressive = aggressive;
  return true;
}

void remote_run_case(const struct scenario *sc, struct remote_peer *p, const char *pcap_dir,
                     FILE *details, struct remote_result *res)
{
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  memset(res, 0, sizeof *res);
  res->verdict = VERDICT_PASS;
  const char *na = remote_not_applicable(sc, p, res->rfc, sizeof res->rfc);
  if (na) {
    res->verdict = VERDICT_NA;
    if (na != res->rfc)
      snprintf(res->rfc, sizeof res->rfc, "%s", na);
    return;
  }
  static struct ike_config a, b, dflt_a, dflt_b;
  remote_default_configs(p, &dflt_a, &dflt_b);
  a = dflt_a;
  b = dflt_b;
  if (sc->tweak)
    sc->tweak(&a, &b);
  char err[256];
  if (!set_mode(p, b.rules[0].mode == IKE_MODE_AGGRESSIVE, err, sizeof err)) {
    res->verdict = VERDICT_FAIL;
    snprintf(res->detail, sizeof res->detail, "the profile could not configure the peer: %s",
             err);
    return;
  }
  remote_drain(p->link, 50);
  rworld.quiet_ms = p->quiet_ms;
  if (!remote_world_init(&world, &rworld, p->link, &a, &b, sc->impair, err, sizeof err)) {
    res->verdict = VERDICT_FAIL;
    snprintf(res->detail, sizeof res->detail, "config refused: %s", err);
    return;
  }
  rworld.count_all_peer = p->initiator_of;
  describe_sections(sc, res->rfc, sizeof res->rfc);
  long probe = -1;
  bool carried = true, sa_before = false;
  for (const struct action *act = sc->actions; act->kind != ACT_END; act++) {
    if (act->kind == ACT_REPLAY) {
      const struct trace_entry *t = world_ike_packet(&world, (unsigned)act->arg);
      if (t && t->from == SIDE_B) {
        res->verdict = VERDICT_NA;
        snprintf(res->rfc, sizeof res->rfc, "replays the peer's datagram %u to side A: it "
                 "tests ikelab's engine", (unsigned)act->arg);
        break;
      }
    }
    if (act->kind == ACT_TRIGGER && act->side == SIDE_B) {
      if (p->initiate && !p->initiate(p->ctx, err, sizeof err)) {
        add(res->detail, sizeof res->detail, "the peer could not be made to initiate: %s; ",
            err);
        carried = false;
      }
      continue;
    }
    if (act->kind == ACT_RUN && p->initiator_of) {
      /* The peer's exchange, resends included, until A holds an SA and
       * the wire is quiet. */
      remote_world_run_until(&world, world.net.now + act->arg, false, settled, 0);
      continue;
    }
    if (!runner_do_action(&world, act)) {
      add(res->detail, sizeof res->detail, "action %td (kind %d) could not be carried out; ",
          act - sc->actions + 1, (int)act->kind);
      carried = false;
    }
    if (act->kind == ACT_INJECT && probe < 0)
      sa_before = established_count() > 0;
    if (act->kind == ACT_INJECT && probe < 0)
      for (size_t i = world.ntrace; i-- > 0;)
        if (world.trace[i].injected && world.trace[i].from == SIDE_A) {
          probe = (long)i;
          break;
        }
  }
  size_t ntrace = world.ntrace;
  if (res->verdict != VERDICT_NA && rworld.impaired_peer_datagram) {
    res->verdict = VERDICT_NA;
    snprintf(res->rfc, sizeof res->rfc, "the case impairs datagram %u, which is the peer's: it "
             "tests ikelab's engine", rworld.impaired_peer_datagram);
  }
  if (res->verdict != VERDICT_NA) {
    if (!carried) {
      res->verdict = VERDICT_FAIL;
    } else {
      judge(sc, probe, ntrace, sa_before, p->initiator_of, res);
    }
    if (rworld.error[0]) {
      res->verdict = VERDICT_FAIL;
      add(res->detail, sizeof res->detail, "socket: %s; ", rworld.error);
    }
  }
  char why[256];
  dflt_a.rules[0].mode = b.rules[0].mode; /* the mode the peer is set up for */
  /* The peer forgets this case's SAs first, or it would start the check
   * with a Quick Mode under an IKE SA side A no longer has. */
  if (p->initiator_of && p->reset && !p->reset(p->ctx, why, sizeof why))
    add(res->detail, sizeof res->detail, "the peer's reset failed: %s; ", why);
  if (p->initiator_of && !p->initiate) {
    add(res->detail, sizeof res->detail, "SA still usable: not checked (no profile to make "
        "the peer initiate again); ");
  } else if (!remote_world_fresh_sa(&world, &dflt_a, 5000, p->initiator_of ? p->initiate : NULL,
                                    p->ctx, why, sizeof why) &&
             res->verdict != VERDICT_NA) {
    res->verdict = VERDICT_FAIL;
    add(res->detail, sizeof res->detail, "SA not usable afterwards: %s; ", why);
  }
  if (p->initiator_of && p->reset && !p->reset(p->ctx, why, sizeof why))
    add(res->detail, sizeof res->detail, "the peer's reset failed: %s; ", why);
  if (details && res->verdict != VERDICT_PASS && res->verdict != VERDICT_NA) {
    fprintf(details, "  %s %s (covers %s): %s\n    %s\n    peer answers: %s\n",
            verdict_name(res->verdict), sc->id, sc->covers, sc->what, res->detail, res->answers);
    print_wire(details, ntrace);
  }
  if (pcap_dir && !pcap_write_case(pcap_dir, sc->id, &world, err, sizeof err))
    add(res->detail, sizeof res->detail, "pcap: %s; ", err);
  world_free(&world);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}
