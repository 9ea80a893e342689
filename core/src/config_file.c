/* ikelabd's config file (config_file.h): libinih splits the text into
 * sections and key = value pairs; this file feeds it lines, tracks where
 * each section and key is, and turns sections into rules and settings.
 *
 * libinih reads through our reader, which counts lines (so every message
 * has one), refuses what inih would silently mangle (long lines are split,
 * NUL bytes end a line, control characters pass into values) and strips
 * indentation so an indented key is a key, not a continuation line. Our
 * handler always returns success to inih, so a nonzero result of
 * ini_parse_stream is inih's own syntax error; our errors stop the reader.
 * Debian's libinih keeps its compile-time defaults (200-byte lines, ';'
 * and '#' comments, inline " ;" comments, '=' or ':'); we change none of
 * its global switches. */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "ikelab/isakmp_types.h"

__attribute__((format(printf, 3, 0))) static bool vfail(struct cfg_parse *p, int line,
                                                         const char *fmt, va_list ap)
{
  if (p->failed)
    return false; /* the first error is the one reported */
  p->failed = true;
  p->err_line = line;
  vsnprintf(p->err, sizeof p->err, fmt, ap);
  return false;
}

bool cfg_fail(struct cfg_parse *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vfail(p, p->line, fmt, ap);
  va_end(ap);
  return false;
}

bool cfg_fail_at(struct cfg_parse *p, int line, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vfail(p, line, fmt, ap);
  va_end(ap);
  return false;
}

const char *cfg_quote(struct cfg_parse *p, const char *v)
{
  size_t at = 0, cap = sizeof p->quoted;
  p->quoted[at++] = '"';
  for (; *v && at + 8 < cap; v++) {
    unsigned char c = (unsigned char)*v;
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
      at += (size_t)snprintf(p->quoted + at, cap - at, c == '"' || c == '\\' ? "\\%c" : "\\x%02x",
                             c);
    else
      p->quoted[at++] = (char)c;
  }
  snprintf(p->quoted + at, cap - at, *v ? "\"..." : "\"");
  return p->quoted;
}

void ikelabd_settings_default(struct ikelabd_settings *s)
{
  *s = (struct ikelabd_settings){.listen_ip = 0, .ike_port = 500, .natt_port = 4500, .nlog = 1};
  s->log[0].kind = IKELABD_LOG_ROUTER;
}

/* ---- the reader: one line per call ------------------------------------- */

static char *reader(char *str, int num, void *stream)
{
  struct cfg_parse *p = stream;
  if (p->failed || p->pos >= p->len)
    return NULL;
  const char *s = p->text + p->pos, *nl = memchr(s, '\n', p->len - p->pos);
  size_t n = nl ? (size_t)(nl - s) : p->len - p->pos;
  p->pos += n + (nl != NULL);
  p->line++;
  if (n && s[n - 1] == '\r')
    n--; /* CRLF */
  if (p->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
    s += 3, n -= 3; /* UTF-8 byte order mark */
  /* inih's buffer is num bytes and, by its own rule, holds "\r\n\0" too. */
  size_t max = num > 3 ? (size_t)num - 3 : 0;
  if (max > CONFIG_MAX_LINE)
    max = CONFIG_MAX_LINE;
  if (n > max)
    return cfg_fail(p, "line is %zu characters (at most %zu)", n, max), NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return cfg_fail(p, "%s 0x%02x at column %zu", c ? "control character" : "NUL byte", c,
                      i + 1), NULL;
  }
  while (n && (*s == ' ' || *s == '\t'))
    s++, n--;
  memcpy(str, s, n);
  str[n] = '\0';
  if (*str == '[') {
    if (p->hdr_pending)
      return cfg_fail_at(p, p->hdr_line, "section %s has no keys", p->hdr_text), NULL;
    p->hdr_line = p->line;
    p->hdr_pending = true;
    snprintf(p->hdr_text, sizeof p->hdr_text, "%s", cfg_quote(p, str));
  }
  return str;
}

/* ---- keys ------------------------------------------------------------------ */

#define SETTER(fn) static bool fn(struct cfg_parse *p, const char *v)

SETTER(set_active_connections)
{
  uint32_t n;
  return cfg_uint(p, "active_connections", v, 1, 1024, &n) && (p->cfg.g.max_active_phase2 = n, 1);
}
SETTER(set_retransmit_count)
{
  uint32_t n;
  return cfg_uint(p, "retransmit_count", v, 0, 100, &n) && (p->cfg.g.retransmit_count = n, 1);
}
SETTER(set_retransmit_interval)
{
  return cfg_time_ms(p, "retransmit_interval", v, 1, 3600000, &p->cfg.g.retransmit_interval_ms);
}
SETTER(set_error_budget)
{
  uint32_t n;
  return cfg_uint(p, "error_budget", v, 1, 100000, &n) && (p->cfg.g.error_budget = n, 1);
}
SETTER(set_max_half_open)
{
  uint32_t n;
  return cfg_uint(p, "max_half_open", v, 1, 65535, &n) && (p->cfg.g.max_half_open_phase1 = n, 1);
}
SETTER(set_idle_timeout)
{
  return cfg_time_ms(p, "idle_timeout", v, 1, 86400000, &p->cfg.g.idle_timeout_ms);
}
static const char *const yes_no[] = {"yes", "no", NULL};

SETTER(set_nat_traversal)
{
  int i;
  return cfg_word(p, "nat_traversal", v, yes_no, &i) && (p->cfg.g.nat_traversal = i == 0, 1);
}
/* 0 turns Dead Peer Detection off (the Prestige has none). */
SETTER(set_dpd_interval)
{
  return cfg_time_ms(p, "dpd_interval", v, 0, 86400000, &p->cfg.g.dpd_interval_ms);
}
SETTER(set_listen) { return cfg_ipv4(p, "listen", v, &p->set.listen_ip); }
SETTER(set_wan_interface) { return cfg_ifname(p, "wan_interface", v, p->set.wan_interface); }
SETTER(set_ike_port)
{
  uint32_t n;
  return cfg_uint(p, "ike_port", v, 1, 65535, &n) && (p->set.ike_port = (uint16_t)n, 1);
}
SETTER(set_natt_port)
{
  uint32_t n;
  return cfg_uint(p, "natt_port", v, 1, 65535, &n) && (p->set.natt_port = (uint16_t)n, 1);
}
SETTER(set_log) { return cfg_logs(p, v, &p->set); }

SETTER(set_name) { return cfg_name(p, v, p->rule->name); }
SETTER(set_active)
{
  int i;
  return cfg_word(p, "active", v, yes_no, &i) && (p->rule->active = i == 0, 1);
}
SETTER(set_my_ip) { return cfg_ipv4(p, "my_ip", v, &p->rule->my_ip); }
SETTER(set_gateway) { return cfg_ipv4(p, "secure_gateway", v, &p->rule->secure_gateway); }
SETTER(set_local) { return cfg_range(p, "local", v, &p->rule->local); }
SETTER(set_remote) { return cfg_range(p, "remote", v, &p->rule->remote); }
SETTER(set_keymgmt)
{
  static const char *const w[] = {"ike", "manual", NULL};
  int i;
  return cfg_word(p, "key_management", v, w, &i) &&
         (p->rule->keymgmt = i ? IKE_KEYMGMT_MANUAL : IKE_KEYMGMT_IKE, 1);
}
SETTER(set_mode)
{
  static const char *const w[] = {"main", "aggressive", NULL};
  int i;
  return cfg_word(p, "mode", v, w, &i) &&
         (p->rule->mode = i ? IKE_MODE_AGGRESSIVE : IKE_MODE_MAIN, 1);
}
SETTER(set_psk) { return cfg_psk(p, v, p->rule); }
SETTER(set_psk_hex) { return cfg_psk_hex(p, v, p->rule); }
SETTER(set_phase1) { return cfg_phase1(p, v, p->rule); }
SETTER(set_phase2) { return cfg_phase2(p, v, p->rule); }
SETTER(set_p1_life) { return cfg_uint(p, "phase1_lifetime", v, 180, 31536000, &p->p1_life); }
SETTER(set_p2_life) { return cfg_uint(p, "phase2_lifetime", v, 180, 31536000, &p->p2_life); }
SETTER(set_p2_kb) { return cfg_uint(p, "phase2_lifetime_kb", v, 0, UINT32_MAX, &p->p2_kb); }
SETTER(set_pfs)
{
  if (strcasecmp(v, "none") == 0)
    return p->pfs = 0, true;
  return cfg_group(p, "pfs group", v, &p->pfs);
}
SETTER(set_encap)
{
  static const char *const w[] = {"tunnel", "transport", NULL};
  int i;
  return cfg_word(p, "encapsulation", v, w, &i) &&
         (p->encap = i ? IPSEC_ENCAP_TRANSPORT : IPSEC_ENCAP_TUNNEL, 1);
}

/* shares: psk and psk_hex are one setting spelt two ways; given one, the
 * other is refused. */
static const struct key {
  const char *name;
  int sect;
  const char *shares;
  bool (*set)(struct cfg_parse *p, const char *v);
} keys[] = {
#define K(name, sect, fn) {name, sect, NULL, fn}
    K("active_connections", SECT_GLOBAL, set_active_connections),
    K("retransmit_count", SECT_GLOBAL, set_retransmit_count),
    K("retransmit_interval", SECT_GLOBAL, set_retransmit_interval),
    K("error_budget", SECT_GLOBAL, set_error_budget),
    K("max_half_open", SECT_GLOBAL, set_max_half_open),
    K("idle_timeout", SECT_GLOBAL, set_idle_timeout),
    K("nat_traversal", SECT_GLOBAL, set_nat_traversal),
    K("dpd_interval", SECT_GLOBAL, set_dpd_interval),
    K("listen", SECT_GLOBAL, set_listen),
    K("wan_interface", SECT_GLOBAL, set_wan_interface),
    K("ike_port", SECT_GLOBAL, set_ike_port),
    K("natt_port", SECT_GLOBAL, set_natt_port),
    K("log", SECT_GLOBAL, set_log),
    K("name", SECT_RULE, set_name),
    K("active", SECT_RULE, set_active),
    K("my_ip", SECT_RULE, set_my_ip),
    K("secure_gateway", SECT_RULE, set_gateway),
    K("local", SECT_RULE, set_local),
    K("remote", SECT_RULE, set_remote),
    K("key_management", SECT_RULE, set_keymgmt),
    K("mode", SECT_RULE, set_mode),
    K("psk", SECT_RULE, set_psk),
    {"psk_hex", SECT_RULE, "psk", set_psk_hex},
    K("phase1", SECT_RULE, set_phase1),
    K("phase1_lifetime", SECT_RULE, set_p1_life),
    K("phase2", SECT_RULE, set_phase2),
    K("pfs", SECT_RULE, set_pfs),
    K("encapsulation", SECT_RULE, set_encap),
    K("phase2_lifetime", SECT_RULE, set_p2_life),
    K("phase2_lifetime_kb", SECT_RULE, set_p2_kb),
#undef K
};
enum { NKEYS = sizeof keys / sizeof keys[0] };
_Static_assert(NKEYS <= sizeof((struct cfg_parse *)0)->key_line / sizeof(int), "key_line");

static int key_index(const char *name)
{
  for (int i = 0; i < NKEYS; i++)
    if (strcmp(keys[i].name, name) == 0)
      return i;
  return -1;
}
/* Where a key was given in the current section (0 = not given). */
static int given(const struct cfg_parse *p, const char *name)
{
  return p->key_line[key_index(name)];
}

static const char *sect_name(const struct cfg_parse *p, char buf[16])
{
  if (p->sect == SECT_GLOBAL)
    return "[global]";
  snprintf(buf, 16, "[rule %d]", p->rule->number);
  return buf;
}

static bool key_set(struct cfg_parse *p, const char *name, const char *value)
{
  char sn[16];
  int i = key_index(name);
  if (i < 0 || keys[i].sect != (int)p->sect)
    return cfg_fail(p, "unknown key %s in %s", cfg_quote(p, name), sect_name(p, sn));
  int slot = keys[i].shares ? key_index(keys[i].shares) : i;
  if (p->key_line[slot] && p->key_which[slot] != i)
    return cfg_fail(p, "%s and %s both given in %s (the other on line %d)", keys[i].name,
                    keys[p->key_which[slot]].name, sect_name(p, sn), p->key_line[slot]);
  if (p->key_line[slot])
    return cfg_fail(p, "%s given twice in %s (first on line %d)", keys[i].name,
                    sect_name(p, sn), p->key_line[slot]);
  p->key_line[slot] = p->line;
  p->key_which[slot] = i;
  return keys[i].set(p, value);
}

/* ---- sections ---------------------------------------------------------- */

/* A socket bound to one address dies with it, so following the WAN
 * address needs sockets bound to every address. */
static bool check_wan_listen(struct cfg_parse *p)
{
  const struct ikelabd_settings *s = &p->set;
  if (!s->wan_interface[0] || s->listen_ip == 0)
    return true;
  char a[INET_ADDRSTRLEN];
  struct in_addr in = {htonl(s->listen_ip)};
  inet_ntop(AF_INET, &in, a, sizeof a);
  return cfg_fail_at(p, given(p, "listen"),
                     "listen %s must be 0.0.0.0 with wan_interface %s (line %d): a socket "
                     "bound to one address dies when the WAN address changes",
                     a, cfg_quote(p, s->wan_interface), given(p, "wan_interface"));
}

static bool finish_global(struct cfg_parse *p)
{
  if (!check_wan_listen(p))
    return false;
  if (p->set.ike_port != p->set.natt_port)
    return true;
  int line = given(p, "natt_port") ? given(p, "natt_port") : given(p, "ike_port");
  return cfg_fail_at(p, line, "natt_port %u equals ike_port", (unsigned)p->set.natt_port);
}

static bool finish_rule(struct cfg_parse *p)
{
  struct ike_rule *r = p->rule;
  char why[200];
  const char *missing = !given(p, "local")            ? "\"local\""
                        : !given(p, "secure_gateway") ? "\"secure_gateway\""
                        : r->secure_gateway && !given(p, "remote")
                            ? "\"remote\" (required unless secure_gateway is 0.0.0.0)"
                        : r->keymgmt == IKE_KEYMGMT_IKE && !given(p, "psk")
                            ? "\"psk\" or \"psk_hex\" (required with key_management ike)"
                            : NULL;
  if (missing)
    return cfg_fail_at(p, p->sect_line, "[rule %d] has no %s", r->number, missing);
  if (!r->secure_gateway && given(p, "remote"))
    return cfg_fail_at(p, given(p, "remote"),
                       "remote is not used by a dynamic rule (secure_gateway 0.0.0.0)");
  for (size_t i = 0; i < r->np1; i++)
    r->p1[i].life_seconds = p->p1_life;
  for (size_t i = 0; i < r->np2; i++) {
    r->p2[i].life_seconds = p->p2_life;
    r->p2[i].life_kbytes = p->p2_kb;
    r->p2[i].pfs = p->pfs;
    r->p2[i].encap = p->encap;
  }
  /* Earlier rules passed already, so a refusal here is about this one. */
  if (!ike_config_check(&p->cfg, why, sizeof why))
    return cfg_fail_at(p, p->sect_line, "%s", why);
  return true;
}

static bool finish_section(struct cfg_parse *p)
{
  return p->sect == SECT_GLOBAL ? finish_global(p) : p->sect == SECT_RULE ? finish_rule(p) : true;
}

/* "rule N", N = 1-999 without sign, spaces or leading zeros. */
static int rule_number(const char *s)
{
  if (strncmp(s, "rule ", 5) != 0 || s[5] < '1' || s[5] > '9' || strlen(s + 5) > 3)
    return 0;
  int n = 0;
  for (s += 5; *s; s++) {
    if (*s < '0' || *s > '9')
      return 0;
    n = n * 10 + (*s - '0');
  }
  return n;
}

static bool begin_rule(struct cfg_parse *p, int number, int line)
{
  struct ike_config *c = &p->cfg;
  for (size_t i = 0; i < c->nrules; i++)
    if (c->rules[i].number == number)
      return cfg_fail_at(p, line, "[rule %d] given twice (first on line %d)", number,
                         p->rule_line[i]);
  if (c->nrules == IKE_MAX_RULES)
    return cfg_fail_at(p, line, "more than %d rules", IKE_MAX_RULES);
  p->rule_line[c->nrules] = line;
  p->rule = &c->rules[c->nrules++];
  ike_rule_default(p->rule, number);
  p->p1_life = p->rule->p1[0].life_seconds;
  p->p2_life = p->rule->p2[0].life_seconds;
  p->p2_kb = p->rule->p2[0].life_kbytes;
  p->pfs = p->rule->p2[0].pfs;
  p->encap = p->rule->p2[0].encap;
  p->sect = SECT_RULE;
  return true;
}

static bool begin_section(struct cfg_parse *p, const char *name)
{
  int line = p->hdr_line, number;
  if (!finish_section(p))
    return false;
  memset(p->key_line, 0, sizeof p->key_line);
  p->sect_line = line;
  if (strcmp(name, "global") == 0) {
    if (p->global_line)
      return cfg_fail_at(p, line, "[global] given twice (first on line %d)", p->global_line);
    p->global_line = line;
    p->sect = SECT_GLOBAL;
    return true;
  }
  if ((number = rule_number(name)) > 0)
    return begin_rule(p, number, line);
  return cfg_fail_at(p, line, "unknown section %s (known: global, rule N with N 1-999)",
                     cfg_quote(p, name));
}

/* Always "success" to inih: see the top of the file. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
  struct cfg_parse *p = user;
  if (p->failed)
    return 1;
  if (p->hdr_pending) {
    p->hdr_pending = false;
    if (!begin_section(p, section))
      return 1;
  } else if (p->sect == SECT_NONE) {
    cfg_fail(p, "key %s outside any section (start with [global] or [rule N])",
             cfg_quote(p, name));
    return 1;
  }
  key_set(p, name, value);
  return 1;
}

/* ---- loading ------------------------------------------------------------- */

/* Line n of the text, for inih's syntax errors. */
static void line_of(const struct cfg_parse *p, int n, char *out, size_t size)
{
  const char *s = p->text, *end = p->text + p->len;
  for (int i = 1; i < n && s < end; i++) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    s = nl ? nl + 1 : end;
  }
  const char *nl = memchr(s, '\n', (size_t)(end - s));
  size_t len = (size_t)((nl ? nl : end) - s);
  len = len < size - 1 ? len : size - 1;
  memcpy(out, s, len);
  out[len] = '\0';
}

static void parse(struct cfg_parse *p)
{
  int r = ini_parse_stream(reader, p, handler, p);
  if (p->hdr_pending)
    cfg_fail_at(p, p->hdr_line, "section %s has no keys", p->hdr_text);
  if (!p->failed)
    finish_section(p);
  /* inih's syntax error wins: a malformed line explains what follows it
   * (a key lost, a section left empty), and the reader stops after any error
   * of ours, so inih never saw a line past it. */
  if (r > 0) {
    char text[CONFIG_MAX_LINE + 1];
    line_of(p, r, text, sizeof text);
    p->failed = false;
    cfg_fail_at(p, r, "expected [section] or key = value, found %s",
                cfg_quote(p, text + strspn(text, " \t")));
  } else if (r < 0) {
    p->failed = false;
    cfg_fail_at(p, 0, "libinih failed (%d)", r);
  }
  char why[200];
  if (!p->failed && !ike_config_check(&p->cfg, why, sizeof why))
    cfg_fail_at(p, 0, "%s", why);
}

bool config_load_string(const char *name, const char *text, size_t len, struct ike_config *cfg,
                        struct ikelabd_settings *set, char *err, size_t errlen)
{
  struct cfg_parse *p = calloc(1, sizeof *p); /* a few dozen kB: not the stack */
  if (!p) {
    snprintf(err, errlen, "%s:0: out of memory", name);
    return false;
  }
  p->name = name;
  p->text = text ? text : "";
  p->len = text ? len : 0;
  ike_globals_default(&p->cfg.g);
  ikelabd_settings_default(&p->set);
  parse(p);
  bool ok = !p->failed;
  if (ok) {
    *cfg = p->cfg;
    *set = p->set;
    if (errlen)
      err[0] = '\0';
  } else {
    snprintf(err, errlen, "%s:%d: %s", name, p->err_line, p->err);
  }
  free(p);
  return ok;
}

bool config_load_file(const char *path, struct ike_config *cfg, struct ikelabd_settings *set,
                      char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s:0: cannot open: %s", path, strerror(errno));
    return false;
  }
  char *buf = malloc(CONFIG_MAX_FILE + 1);
  size_t n = buf ? fread(buf, 1, CONFIG_MAX_FILE + 1, f) : 0;
  bool ok = false;
  if (!buf)
    snprintf(err, errlen, "%s:0: out of memory", path);
  else if (ferror(f))
    snprintf(err, errlen, "%s:0: cannot read: %s", path, strerror(errno));
  else if (n > CONFIG_MAX_FILE)
    snprintf(err, errlen, "%s:0: larger than %d bytes", path, CONFIG_MAX_FILE);
  else
    ok = config_load_string(path, buf, n, cfg, set, err, errlen);
  free(buf);
  fclose(f);
  return ok;
}
