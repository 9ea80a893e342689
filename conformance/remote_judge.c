/* Direction 2's verdicts: what the RFC section a case covers requires of
 * the peer, and the judgement of its answers on the wire (remote_judge.h). */
#include "remote_judge.h"

#include <stdio.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "markup.h"
#include "runner.h"

static struct isakmp_msg msg;

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

void remote_describe_sections(const struct scenario *sc, char *out, size_t len)
{
  out[0] = '\0';
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
    if (scenario_covers_prefix(sc, sections[i].prefix) && !strstr(out, sections[i].text)) {
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
        text_add(out, len, "%s%s", out[0] ? "; " : "", sections[i].text);
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
    text_add(sum, sumlen, "[%zu bytes, undecodable] ", t->len);
    return ANS_UNDECODABLE;
  }
  bool sealed = (msg.hdr.flags & ISAKMP_FLAG_E) && !t->clear_len;
  const char *xname = isakmp_name_or_unknown(&isakmp_exchange_names, msg.hdr.exchange);
  if (sealed) {
    text_add(sum, sumlen, "[%s, encrypted, not ours to open] ", xname);
    return msg.hdr.exchange == ISAKMP_XCHG_INFO ? ANS_SEALED : ANS_CONTINUES;
  }
  isakmp_payload_symbols(&msg, sym, sizeof sym);
  text_add(sum, sumlen, "[%s%s %s", xname, t->clear_len ? " (decrypted)" : "", sym);
  for (size_t k = 0; k < msg.npayloads; k++)
    if (msg.payloads[k].type == ISAKMP_NP_N)
      text_add(sum, sumlen, " %s",
          isakmp_name_or_unknown(&isakmp_notify_names, msg.payloads[k].u.notify.type));
  text_add(sum, sumlen, "] ");
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
static bool judge_peer_wire(const struct world *w, const struct scenario *sc, size_t ntrace,
                            bool strict, char *why, size_t len)
{
  size_t from = 0;
  for (const struct wire_expect *x = sc->wire; x && x->exchange; x++) {
    if (x->from != SIDE_B || x->notify)
      continue;
    while (from < ntrace && !wire_matches(&w->trace[from], x))
      from++;
    if (from == ntrace) {
      text_add(why, len, strict ? "not resent: the peer sent no second %s %s (it took the "
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
    text_add(why, len, "side A: %zu %s, want %d; ", got, what, want - 1);
    *ok = false;
  }
}

/* What side A must hold at the end: these follow from the peer's answers
 * (an exchange it completed, an SA it kept). */
static bool judge_side_a(const struct world *w, const struct scenario *sc, char *why, size_t len)
{
  const struct side_expect *x = &sc->expect[SIDE_A];
  const struct net_side *s = &w->net.side[SIDE_A];
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

void remote_judge(const struct scenario *sc, const struct world *w, long probe, size_t ntrace,
                  bool sa_before, bool initiator_of, struct remote_result *res)
{
  uint16_t want = expected_notify(sc);
  bool has_want = false, continues = false, notified = false, sealed = false;
  size_t nans = 0;
  char dev[1024] = "";
  if (probe >= 0) {
    const struct trace_entry *pt = &w->trace[probe];
    for (size_t i = (size_t)probe + 1; i < ntrace; i++) {
      const struct trace_entry *t = &w->trace[i];
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
      text_add(res->answers, sizeof res->answers, "silence");
  } else {
    for (size_t i = 0; i < ntrace; i++)
      if (w->trace[i].from == SIDE_B)
        classify(&w->trace[i], 0, &has_want, res->answers, sizeof res->answers);
  }
  if (probe >= 0 && refusal_expected(sc)) {
    if (want && has_want)
      ; /* the notify the section names, maybe after the exchange went on */
    else if (continues)
      text_add(dev, sizeof dev, "processed: the peer took a message the section says to discard "
                           "(it answered with the exchange's next message); ");
    else if (want && notified && !has_want && scenario_covers_prefix(sc, "RFC2408-5."))
      text_add(dev, sizeof dev, "other notify: the peer refused it, but not with the %s the section "
                           "names; ",
          isakmp_name_or_unknown(&isakmp_notify_names, want));
    else if (want && notified && !has_want)
      /* RFC 2409 and the crash patterns name no notify: the reference's
       * choice is not a requirement. */
      text_add(res->detail, sizeof res->detail, "refused with another notify than the reference's "
          "%s (no section names one); ", isakmp_name_or_unknown(&isakmp_notify_names, want));
    else if (want && !has_want)
      text_add(res->detail, sizeof res->detail, "%s; ",
          sealed ? "encrypted Informational (not decrypted here)"
                 : "silent: the notify is a MAY, the message was discarded");
    else if (!want && notified)
      text_add(res->detail, sizeof res->detail, "answered with a notify where the reference is "
                                           "silent (a MAY); ");
  }
  /* What side A holds: an SA that was up before the probe must survive it
   * (the message is discarded without harm); an exchange the reference
   * lets through must complete only where the section says so. */
  char side[256] = "";
  if (!judge_side_a(w, sc, side, sizeof side)) {
    if (sa_before)
      text_add(dev, sizeof dev, "SA harmed: %s", side);
    else if (initiator_of)
      text_add(dev, sizeof dev, "not recovered: one damaged or repeated answer ended the peer's "
                           "exchange (it is discarded and the request resent): %s", side);
    else if (section_must_accept(sc))
      text_add(dev, sizeof dev, "refused: the section requires it be taken: %s", side);
    else
      text_add(res->detail, sizeof res->detail, "the reference completes this exchange, the peer "
          "refused it (the section allows either): %s", side);
  }
  /* The peer's own datagrams: for --initiator-of cases its resends are
   * what the RFC asks; elsewhere they are the reference's habits. */
  if (initiator_of)
    judge_peer_wire(w, sc, ntrace, true, dev, sizeof dev);
  else
    judge_peer_wire(w, sc, ntrace, false, res->detail, sizeof res->detail);
  if (dev[0]) {
    res->verdict = VERDICT_DEVIATION;
    text_add(res->detail, sizeof res->detail, "%s", dev);
  }
}
