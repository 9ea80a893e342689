/* Rule and global defaults, and the config check (see rules.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ikelab/isakmp_types.h"
#include "ikelab/rules.h"

/* Defaults. The Prestige's own (as its manual gives them) where it has
 * one; the rest are ours and say so. */
void ike_globals_default(struct ike_globals *g)
{
  *g = (struct ike_globals){
      .max_active_phase2 = 10,          /* ours: the P652's ten VPN rules, one SA each */
      .retransmit_count = 3,            /* ours: 3 x 10 s = the 30 s schedule (DESIGN.md) */
      .retransmit_interval_ms = 10000,
      .error_budget = 10,               /* ours */
      .max_half_open_phase1 = 16,       /* ours: bounds a flood of first packets */
      .idle_timeout_ms = 120000,        /* router: 2 minutes (LOGS.md P6) */
      .nat_traversal = true,            /* ours: RFC 3947; the P652 predates it */
  };
}

void ike_rule_default(struct ike_rule *r, int number)
{
  memset(r, 0, sizeof *r);
  r->number = number;
  r->active = true;
  snprintf(r->name, sizeof r->name, "rule%d", number);
  r->keymgmt = IKE_KEYMGMT_IKE;
  r->mode = IKE_MODE_MAIN; /* router default */
  /* Router defaults: Phase 1 DES / MD5 / DH1, Phase 2 ESP DES / SHA1, no
   * PFS, tunnel, 28800 s. Weak, but they are what an out-of-the-box
   * Prestige proposes, which is what a test bench must reproduce. */
  r->p1[0] = (struct ike_p1_proposal){OAKLEY_ENCR_DES_CBC, 0, OAKLEY_HASH_MD5,
                                      OAKLEY_GROUP_MODP768, 28800};
  r->np1 = 1;
  r->p2[0] = (struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_DES, 0, IPSEC_AUTH_HMAC_SHA1,
                                      0, IPSEC_ENCAP_TUNNEL, 28800, 0};
  r->np2 = 1;
}

bool ike_rule_set_psk(struct ike_rule *r, const char *psk)
{
  size_t n = strlen(psk);
  if (n > sizeof r->psk)
    return false;
  memcpy(r->psk, psk, n);
  r->psk_len = n;
  return true;
}

const struct ike_rule *ike_rule_find(const struct ike_config *cfg, int number)
{
  for (size_t i = 0; i < cfg->nrules && i < IKE_MAX_RULES; i++)
    if (cfg->rules[i].number == number)
      return &cfg->rules[i];
  return NULL;
}

/* ---- the check ---------------------------------------------------------- */

struct why {
  char *buf;
  size_t len;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct why *w, const char *fmt, ...)
{
  va_list ap;
  if (w->buf && w->len) {
    va_start(ap, fmt);
    vsnprintf(w->buf, w->len, fmt, ap);
    va_end(ap);
  }
  return false;
}

static bool in_list(uint32_t v, const uint16_t *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (list[i] == v)
      return true;
  return false;
}
#define IN(v, ...)                                  \
  in_list((v), (const uint16_t[]){__VA_ARGS__},     \
          sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t))

static bool aes_bits_ok(unsigned bits) { return bits == 128 || bits == 192 || bits == 256; }

static const char *name(const struct isakmp_names *t, uint32_t v)
{
  return isakmp_name_or_unknown(t, v);
}

static bool check_p1(const struct ike_rule *r, size_t i, struct why *w)
{
  const struct ike_p1_proposal *p = &r->p1[i];
  int n = r->number;
  if (!IN(p->encr, OAKLEY_ENCR_DES_CBC, OAKLEY_ENCR_3DES_CBC, OAKLEY_ENCR_AES_CBC))
    return fail(w, "rule %d: p1[%zu].encr = %u (%s): not supported", n, i, p->encr,
                name(&oakley_encr_names, p->encr));
  if (p->encr == OAKLEY_ENCR_AES_CBC ? !aes_bits_ok(p->key_bits) : p->key_bits != 0)
    return fail(w, "rule %d: p1[%zu].key_bits = %u: not a key length of %s", n, i, p->key_bits,
                name(&oakley_encr_names, p->encr));
  if (!IN(p->hash, OAKLEY_HASH_MD5, OAKLEY_HASH_SHA1, OAKLEY_HASH_SHA2_256, OAKLEY_HASH_SHA2_384,
          OAKLEY_HASH_SHA2_512))
    return fail(w, "rule %d: p1[%zu].hash = %u (%s): not supported", n, i, p->hash,
                name(&oakley_hash_names, p->hash));
  if (!IN(p->group, OAKLEY_GROUP_MODP768, OAKLEY_GROUP_MODP1024, OAKLEY_GROUP_MODP1536,
          OAKLEY_GROUP_MODP2048, OAKLEY_GROUP_MODP3072, OAKLEY_GROUP_MODP4096))
    return fail(w, "rule %d: p1[%zu].group = %u (%s): not supported", n, i, p->group,
                name(&oakley_group_names, p->group));
  if (p->life_seconds < IKE_MIN_LIFETIME_S)
    return fail(w, "rule %d: p1[%zu].life_seconds = %u: below the minimum %d", n, i,
                (unsigned)p->life_seconds, IKE_MIN_LIFETIME_S);
  return true;
}

static bool check_p2(const struct ike_rule *r, size_t i, struct why *w)
{
  const struct ike_p2_proposal *p = &r->p2[i];
  int n = r->number;
  bool esp = p->protocol == ISAKMP_PROTO_ESP;
  if (!esp && p->protocol != ISAKMP_PROTO_AH)
    return fail(w, "rule %d: p2[%zu].protocol = %u (%s): not ESP or AH", n, i, p->protocol,
                name(&isakmp_protocol_names, p->protocol));
  bool gcm = esp && p->encr == ISAKMP_ESP_AES_GCM_16;
  if (esp ? !IN(p->encr, ISAKMP_ESP_DES, ISAKMP_ESP_3DES, ISAKMP_ESP_AES_CBC, ISAKMP_ESP_NULL,
                ISAKMP_ESP_AES_GCM_16)
          : p->encr != 0)
    return fail(w, "rule %d: p2[%zu].encr = %u (%s): not supported with %s", n, i, p->encr,
                name(&isakmp_esp_transform_names, p->encr), esp ? "ESP" : "AH");
  if (p->encr == ISAKMP_ESP_AES_CBC || gcm ? !aes_bits_ok(p->key_bits) : p->key_bits != 0)
    return fail(w, "rule %d: p2[%zu].key_bits = %u: not a key length of %s", n, i, p->key_bits,
                esp ? name(&isakmp_esp_transform_names, p->encr) : "AH");
  if (gcm && p->auth != 0) /* RFC 4106: the ICV is GCM's own */
    return fail(w, "rule %d: p2[%zu].auth = %u (%s): AES-GCM takes no integrity algorithm", n, i,
                p->auth, name(&ipsec_auth_names, p->auth));
  /* AH is authentication; ESP may do without only if it encrypts. */
  if (!IN(p->auth, IPSEC_AUTH_HMAC_MD5, IPSEC_AUTH_HMAC_SHA1, IPSEC_AUTH_HMAC_SHA2_256) &&
      !(p->auth == 0 && esp && p->encr != ISAKMP_ESP_NULL))
    return fail(w, "rule %d: p2[%zu].auth = %u (%s): not supported here", n, i, p->auth,
                p->auth ? name(&ipsec_auth_names, p->auth) : "none");
  if (p->pfs != 0 && !IN(p->pfs, OAKLEY_GROUP_MODP768, OAKLEY_GROUP_MODP1024,
                         OAKLEY_GROUP_MODP1536, OAKLEY_GROUP_MODP2048, OAKLEY_GROUP_MODP3072,
                         OAKLEY_GROUP_MODP4096))
    return fail(w, "rule %d: p2[%zu].pfs = %u (%s): not supported", n, i, p->pfs,
                name(&oakley_group_names, p->pfs));
  if (!IN(p->encap, IPSEC_ENCAP_TUNNEL, IPSEC_ENCAP_TRANSPORT))
    return fail(w, "rule %d: p2[%zu].encap = %u (%s): not Tunnel or Transport", n, i, p->encap,
                name(&ipsec_encap_names, p->encap));
  if (p->life_seconds < IKE_MIN_LIFETIME_S)
    return fail(w, "rule %d: p2[%zu].life_seconds = %u: below the minimum %d", n, i,
                (unsigned)p->life_seconds, IKE_MIN_LIFETIME_S);
  return true;
}

static void ip_text(uint32_t ip, char out[16])
{
  snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* A rule's own range: structurally valid and not a Single 0.0.0.0, the
 * shape an unset field has ("any" is written as Subnet 0.0.0.0/0.0.0.0). */
static bool check_range(int n, const char *field, const struct addr_range *r, struct why *w)
{
  char a[16], b[16];
  static const char *const kinds[] = {"single", "range", "subnet"};
  if ((unsigned)r->kind > ADDR_SUBNET)
    return fail(w, "rule %d: %s.kind = %u: not single, range or subnet", n, field,
                (unsigned)r->kind);
  ip_text(r->a, a);
  ip_text(r->b, b);
  if (r->kind == ADDR_SINGLE && r->a == 0)
    return fail(w, "rule %d: %s = single 0.0.0.0: unset (write any as subnet 0.0.0.0/0.0.0.0)",
                n, field);
  if (addr_range_valid(r))
    return true;
  if (r->kind == ADDR_RANGE)
    return fail(w, "rule %d: %s = range %s-%s: start above end", n, field, a, b);
  return fail(w, "rule %d: %s = %s %s/%s: %s", n, field, kinds[r->kind], a, b,
              addr_mask_contiguous(r->b) ? "address has host bits set" : "mask not contiguous");
}

static bool check_rule(const struct ike_rule *r, struct why *w)
{
  int n = r->number;
  if (!memchr(r->name, '\0', sizeof r->name))
    return fail(w, "rule %d: name: not NUL-terminated within %d bytes", n, IKE_RULE_NAME_MAX);
  if (r->keymgmt != IKE_KEYMGMT_IKE && r->keymgmt != IKE_KEYMGMT_MANUAL)
    return fail(w, "rule %d: keymgmt = %d: not IKE or manual", n, (int)r->keymgmt);
  if (r->mode != IKE_MODE_MAIN && r->mode != IKE_MODE_AGGRESSIVE)
    return fail(w, "rule %d: mode = %d: not Main or Aggressive", n, (int)r->mode);
  if (!check_range(n, "local", &r->local, w))
    return false;
  if (!ike_rule_dynamic(r) && !check_range(n, "remote", &r->remote, w))
    return false;
  if (r->keymgmt == IKE_KEYMGMT_MANUAL)
    return true; /* manual keys: no negotiation, nothing more to check yet */
  if (r->psk_len < IKE_PSK_MIN || r->psk_len > IKE_PSK_MAX)
    return fail(w, "rule %d: psk_len = %zu: must be %d-%d bytes", n, r->psk_len, IKE_PSK_MIN,
                IKE_PSK_MAX);
  if (r->np1 < 1 || r->np1 > IKE_MAX_PROPOSALS)
    return fail(w, "rule %d: np1 = %zu: must be 1-%d", n, r->np1, IKE_MAX_PROPOSALS);
  if (r->np2 < 1 || r->np2 > IKE_MAX_PROPOSALS)
    return fail(w, "rule %d: np2 = %zu: must be 1-%d", n, r->np2, IKE_MAX_PROPOSALS);
  for (size_t i = 0; i < r->np1; i++)
    if (!check_p1(r, i, w))
      return false;
  for (size_t i = 0; i < r->np2; i++)
    if (!check_p2(r, i, w))
      return false;
  return true;
}

static bool check_globals(const struct ike_globals *g, struct why *w)
{
  const struct {
    const char *field;
    unsigned long value;
  } must_be_positive[] = {
      {"max_active_phase2", g->max_active_phase2},
      {"retransmit_interval_ms", g->retransmit_interval_ms},
      {"error_budget", g->error_budget},
      {"max_half_open_phase1", g->max_half_open_phase1},
      {"idle_timeout_ms", g->idle_timeout_ms},
  };
  for (size_t i = 0; i < sizeof must_be_positive / sizeof must_be_positive[0]; i++)
    if (must_be_positive[i].value == 0)
      return fail(w, "globals: %s = 0: must be at least 1", must_be_positive[i].field);
  return true;
}

bool ike_config_check(const struct ike_config *cfg, char *why, size_t whylen)
{
  struct why w = {why, whylen};
  if (why && whylen)
    why[0] = '\0';
  if (!check_globals(&cfg->g, &w))
    return false;
  if (cfg->nrules > IKE_MAX_RULES)
    return fail(&w, "nrules = %zu: at most %d", cfg->nrules, IKE_MAX_RULES);
  for (size_t i = 0; i < cfg->nrules; i++) {
    const struct ike_rule *r = &cfg->rules[i];
    if (r->number < 1)
      return fail(&w, "rule %d: number = %d: rules are numbered from 1", r->number, r->number);
    for (size_t j = 0; j < i; j++)
      if (cfg->rules[j].number == r->number)
        return fail(&w, "rule %d: number = %d: used twice (entries %zu and %zu)", r->number,
                    r->number, j, i);
    if (!check_rule(r, &w))
      return false;
  }
  return true;
}
