/* Policy decisions on the rule model (see rules.h): which rule answers a
 * Phase 1, and whether a Quick Mode's proxy IDs fit the chosen rule. */
#include "ikelab/rules.h"

static bool takes_part(const struct ike_rule *r, enum ike_mode mode)
{
  return r->active && r->keymgmt == IKE_KEYMGMT_IKE && r->mode == mode;
}

size_t ike_p1_candidates(const struct ike_config *cfg, uint32_t peer, uint32_t local,
                         enum ike_mode mode, struct ike_p1_candidates *out)
{
  size_t nrules = cfg->nrules < IKE_MAX_RULES ? cfg->nrules : IKE_MAX_RULES;
  out->n = 0;
  /* Two passes keep static rules ahead of dynamic ones: a peer with a rule
   * of its own must never be served by the catch-all. */
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < nrules; i++) {
      const struct ike_rule *r = &cfg->rules[i];
      if (!takes_part(r, mode) || ike_rule_dynamic(r) != (pass == 1))
        continue;
      if (r->my_ip != 0 && r->my_ip != local)
        continue;
      if (pass == 0 && r->secure_gateway != peer)
        continue;
      out->rule[out->n++] = r;
    }
    if (pass == 0)
      out->nstatic = out->n;
  }
  return out->n;
}

/* The conflict test, skipping connections of (rule, peer): a peer
 * renegotiating its own connection replaces it and does not conflict with
 * it. rule 0 never matches, rules start at 1. */
static bool conflicts_except(const struct addr_range *local, const struct addr_range *remote,
                             const struct ike_conn *est, size_t n, int rule, uint32_t peer,
                             size_t *at)
{
  for (size_t i = 0; i < n; i++) {
    if (rule != 0 && est[i].rule == rule && est[i].peer == peer)
      continue;
    if (addr_range_overlap(local, &est[i].local) && addr_range_overlap(remote, &est[i].remote)) {
      if (at)
        *at = i;
      return true;
    }
  }
  return false;
}

bool ike_sa_pair_conflicts(const struct addr_range *local, const struct addr_range *remote,
                           const struct ike_conn *established, size_t n, size_t *at)
{
  return conflicts_except(local, remote, established, n, 0, 0, at);
}

/* K15: another active rule with a configured remote side whose traffic
 * selectors share a (local, remote) pair with the incoming request. Dynamic
 * rules have no configured remote side; their live connections are K17's. */
static const struct ike_rule *conflicting_rule(const struct ike_config *cfg,
                                               const struct ike_rule *self,
                                               const struct addr_range *local,
                                               const struct addr_range *remote)
{
  size_t nrules = cfg->nrules < IKE_MAX_RULES ? cfg->nrules : IKE_MAX_RULES;
  for (size_t i = 0; i < nrules; i++) {
    const struct ike_rule *d = &cfg->rules[i];
    if (d == self || d->number == self->number || !d->active || ike_rule_dynamic(d))
      continue;
    if (addr_range_overlap(&d->local, local) && addr_range_overlap(&d->remote, remote))
      return d;
  }
  return NULL;
}

static enum ike_p2_verdict verdict(struct ike_p2_result *out, enum ike_p2_verdict v)
{
  out->verdict = v;
  return v;
}

/* Order of the checks: our own side first (K13, the same for every rule),
 * then the peer's side. A dynamic rule checks what the peer claims before
 * comparing it with anything (K16, then K15 against the configuration, then
 * K17 against what is up now), so each refusal names the first real fault.
 *
 * Equality, not containment: the router requires the peer's proxy ID to be
 * the rule's range itself (a narrower or wider one fails K13/K14); "equal"
 * compares address sets, so Single 10.0.0.1 matches 10.0.0.1/32. */
enum ike_p2_verdict ike_p2_check(const struct ike_config *cfg, const struct ike_p2_request *req,
                                 struct ike_p2_result *out)
{
  const struct ike_rule *rule = req->rule;
  const struct ike_rule *d;
  *out = (struct ike_p2_result){.verdict = IKE_P2_OK, .rule_number = rule->number};
  out->conn = (struct ike_conn){rule->number, req->peer, rule->local, rule->remote};
  addr_range_log_bounds(&req->idci, &out->start, &out->end);

  if (!addr_range_equal(&req->idcr, &rule->local))
    return verdict(out, IKE_P2_LOCAL_ID_FAILED);
  if (!ike_rule_dynamic(rule))
    return verdict(out, addr_range_equal(&req->idci, &rule->remote) ? IKE_P2_OK
                                                                    : IKE_P2_REMOTE_ID_FAILED);

  /* Secure Gateway 0.0.0.0: the peer's Local Addr becomes our Remote Addr. */
  if (!addr_range_peer_usable(&req->idci))
    return verdict(out, IKE_P2_INVALID_IP);
  d = conflicting_rule(cfg, rule, &rule->local, &req->idci);
  if (d) {
    out->rule_number = d->number;
    return verdict(out, IKE_P2_RULE_CONFLICT);
  }
  if (conflicts_except(&rule->local, &req->idci, req->active, req->nactive, rule->number,
                       req->peer, NULL))
    return verdict(out, IKE_P2_REMOTE_CONFLICT);
  out->conn.remote = req->idci;
  return verdict(out, IKE_P2_OK);
}
