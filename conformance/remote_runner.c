#include "remote_runner.h"

#include <string.h>
#include <time.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "ikelab/isakmp_types.h"
#include "markup.h"
#include "pcap_out.h"
#include "remote_judge.h"
#include "remote_world.h"
#include "runner.h"

static struct world world;
static struct remote_world rworld;

const char *verdict_name(enum verdict v)
{
  static const char *const names[] = {"PASS", "FAIL", "DEVIATION", "N/A"};
  return names[v];
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
  if (!scenario_covers_prefix(sc, "RFC") && !scenario_covers_prefix(sc, "CRASH") && !scenario_covers_prefix(sc, "K11") &&
      !scenario_covers_prefix(sc, "WIRE"))
    return "a Table 27-1/27-2 row: the check is the ZyXEL's own log line on side B "
           "(direction 1 provokes these in ikelabd)";
  if (scenario_covers_prefix(sc, "K19"))
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
  remote_describe_sections(sc, res->rfc, sizeof res->rfc);
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
        text_add(res->detail, sizeof res->detail, "the peer could not be made to initiate: %s; ",
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
      text_add(res->detail, sizeof res->detail, "action %td (kind %d) could not be carried out; ",
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
      remote_judge(sc, &world, probe, ntrace, sa_before, p->initiator_of, res);
    }
    if (rworld.error[0]) {
      res->verdict = VERDICT_FAIL;
      text_add(res->detail, sizeof res->detail, "socket: %s; ", rworld.error);
    }
  }
  char why[256];
  dflt_a.rules[0].mode = b.rules[0].mode; /* the mode the peer is set up for */
  /* The peer forgets this case's SAs first, or it would start the check
   * with a Quick Mode under an IKE SA side A no longer has. */
  if (p->initiator_of && p->reset && !p->reset(p->ctx, why, sizeof why))
    text_add(res->detail, sizeof res->detail, "the peer's reset failed: %s; ", why);
  if (p->initiator_of && !p->initiate) {
    text_add(res->detail, sizeof res->detail, "SA still usable: not checked (no profile to make "
        "the peer initiate again); ");
  } else if (!remote_world_fresh_sa(&world, &dflt_a, 5000, p->initiator_of ? p->initiate : NULL,
                                    p->ctx, why, sizeof why) &&
             res->verdict != VERDICT_NA) {
    res->verdict = VERDICT_FAIL;
    text_add(res->detail, sizeof res->detail, "SA not usable afterwards: %s; ", why);
  }
  if (p->initiator_of && p->reset && !p->reset(p->ctx, why, sizeof why))
    text_add(res->detail, sizeof res->detail, "the peer's reset failed: %s; ", why);
  if (details && res->verdict != VERDICT_PASS && res->verdict != VERDICT_NA) {
    fprintf(details, "  %s %s (covers %s): %s\n    %s\n    peer answers: %s\n",
            verdict_name(res->verdict), sc->id, sc->covers, sc->what, res->detail, res->answers);
    print_wire(details, ntrace);
  }
  if (pcap_dir && !pcap_write_case(pcap_dir, sc->id, &world, err, sizeof err))
    text_add(res->detail, sizeof res->detail, "pcap: %s; ", err);
  world_free(&world);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}
