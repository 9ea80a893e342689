/* What one config value means (config_file.h documents the format). Each
 * parser reads the whole value and fails with the key, the value and what
 * was expected; none prints a PSK. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_internal.h"
#include "ikelab/isakmp_types.h"

enum { MAX_ITEMS = 8 };

/* Copies v into buf (at most a line) so it can be cut up in place. */
static bool copy_value(struct cfg_parse *p, const char *key, const char *v, char *buf,
                       size_t size)
{
  size_t n = strlen(v);
  if (n >= size)
    return cfg_fail(p, "%s is %zu characters (at most %zu)", key, n, size - 1);
  memcpy(buf, v, n + 1);
  return true;
}

static char *trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

/* Splits s at sep into trimmed items; returns how many there were, storing
 * at most max. */
static size_t split(char *s, char sep, char **items, size_t max)
{
  size_t n = 0;
  for (char *next; s; s = next) {
    next = strchr(s, sep);
    if (next)
      *next++ = '\0';
    if (n < max)
      items[n] = trim(s);
    n++;
  }
  return n;
}

/* ---- numbers, times, addresses ------------------------------------------ */

/* Decimal digits only; false on anything else or above UINT32_MAX. */
static bool digits(const char *s, size_t n, uint64_t *out)
{
  uint64_t v = 0;
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
    if (v > UINT32_MAX)
      return false;
  }
  *out = v;
  return true;
}

bool cfg_uint(struct cfg_parse *p, const char *key, const char *v, uint32_t lo, uint32_t hi,
              uint32_t *out)
{
  uint64_t n;
  size_t len = strlen(v);
  if (!digits(v, len, &n)) {
    bool all = strspn(v, "0123456789") == len && len > 0; /* digits, just too many */
    return cfg_fail(p, "%s %s is %s (expected %u-%u)", key, cfg_quote(p, v),
                    all ? "out of range" : "not a number", lo, hi);
  }
  if (n < lo || n > hi)
    return cfg_fail(p, "%s %s is out of range (expected %u-%u)", key, cfg_quote(p, v), lo, hi);
  *out = (uint32_t)n;
  return true;
}

static const char *ms_text(uint32_t ms, char buf[16])
{
  snprintf(buf, 16, ms % 1000 ? "%ums" : "%us", ms % 1000 ? ms : ms / 1000);
  return buf;
}

/* "10", "2.5", "0.250s" (seconds, up to 3 decimals) or "250ms". */
static bool time_value(const char *v, uint64_t *ms)
{
  size_t n = strlen(v);
  uint64_t whole, frac = 0;
  if (n > 2 && strcmp(v + n - 2, "ms") == 0)
    return digits(v, n - 2, ms);
  if (n > 1 && v[n - 1] == 's')
    n--;
  const char *dot = memchr(v, '.', n);
  size_t wn = dot ? (size_t)(dot - v) : n;
  if (!digits(v, wn, &whole))
    return false;
  if (dot) {
    size_t fn = n - wn - 1;
    if (fn < 1 || fn > 3 || !digits(dot + 1, fn, &frac))
      return false;
    for (; fn < 3; fn++)
      frac *= 10;
  }
  *ms = whole * 1000 + frac;
  return true;
}

bool cfg_time_ms(struct cfg_parse *p, const char *key, const char *v, uint32_t lo_ms,
                 uint32_t hi_ms, uint32_t *out)
{
  uint64_t ms;
  char lo[16], hi[16];
  if (!time_value(v, &ms))
    return cfg_fail(p, "%s %s is not a time (seconds like 10 or 2.5, or 250ms)", key,
                    cfg_quote(p, v));
  if (ms < lo_ms || ms > hi_ms)
    return cfg_fail(p, "%s %s is out of range (expected %s-%s)", key, cfg_quote(p, v),
                    ms_text(lo_ms, lo), ms_text(hi_ms, hi));
  *out = (uint32_t)ms;
  return true;
}

static bool ipv4(const char *s, uint32_t *out)
{
  struct in_addr a;
  if (inet_pton(AF_INET, s, &a) != 1)
    return false;
  *out = ntohl(a.s_addr);
  return true;
}

bool cfg_ipv4(struct cfg_parse *p, const char *key, const char *v, uint32_t *out)
{
  if (!ipv4(v, out))
    return cfg_fail(p, "%s %s is not an IPv4 address", key, cfg_quote(p, v));
  return true;
}

/* "/24" or "/255.255.255.0". */
static bool mask_value(const char *s, uint32_t *mask)
{
  uint64_t len;
  if (strchr(s, '.'))
    return ipv4(s, mask);
  if (!digits(s, strlen(s), &len) || len > 32)
    return false;
  *mask = len ? 0xffffffffu << (32 - len) : 0;
  return true;
}

static bool range_shape(char *s, struct addr_range *r)
{
  char *sp = s + strcspn(s, " \t");
  if (!*sp)
    return false;
  *sp = '\0';
  char *arg = trim(sp + 1), *sep;
  if (strcasecmp(s, "single") == 0) {
    r->kind = ADDR_SINGLE;
    r->b = 0;
    return ipv4(arg, &r->a);
  }
  bool range = strcasecmp(s, "range") == 0;
  if (!range && strcasecmp(s, "subnet") != 0)
    return false;
  sep = strchr(arg, range ? '-' : '/');
  if (!sep)
    return false;
  *sep = '\0';
  r->kind = range ? ADDR_RANGE : ADDR_SUBNET;
  return ipv4(trim(arg), &r->a) && (range ? ipv4(trim(sep + 1), &r->b)
                                          : mask_value(trim(sep + 1), &r->b));
}

bool cfg_range(struct cfg_parse *p, const char *key, const char *v, struct addr_range *out)
{
  char buf[CONFIG_MAX_LINE + 1];
  struct addr_range r;
  if (!copy_value(p, key, v, buf, sizeof buf))
    return false;
  if (!range_shape(buf, &r))
    return cfg_fail(p, "%s %s is not \"single A\", \"range A-B\" or \"subnet A/LEN\"", key,
                    cfg_quote(p, v));
  if (r.kind == ADDR_SINGLE && r.a == 0)
    return cfg_fail(p, "%s %s is unset (write any as subnet 0.0.0.0/0)", key, cfg_quote(p, v));
  if (!addr_range_valid(&r))
    return cfg_fail(p, "%s %s: %s", key, cfg_quote(p, v),
                    r.kind == ADDR_RANGE             ? "start above end"
                    : !addr_mask_contiguous(r.b)     ? "mask not contiguous"
                                                     : "address has host bits set");
  *out = r;
  return true;
}

/* ---- words --------------------------------------------------------------- */

static const char *known(const char *const *words, char *buf, size_t size)
{
  size_t at = 0;
  buf[0] = '\0';
  for (size_t i = 0; words[i] && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", words[i]);
  return buf;
}

static int word_index(const char *const *words, const char *v)
{
  for (int i = 0; words[i]; i++)
    if (strcasecmp(words[i], v) == 0)
      return i;
  return -1;
}

/* what: "mode", "phase1 cipher", ... */
bool cfg_word(struct cfg_parse *p, const char *what, const char *v, const char *const *words,
              int *out)
{
  char list[160];
  int i = word_index(words, v);
  if (i < 0)
    return cfg_fail(p, "unknown %s %s (known: %s)", what, cfg_quote(p, v),
                    known(words, list, sizeof list));
  *out = i;
  return true;
}

bool cfg_name(struct cfg_parse *p, const char *v, char out[IKE_RULE_NAME_MAX])
{
  size_t n = strlen(v);
  if (n == 0 || n >= IKE_RULE_NAME_MAX)
    return cfg_fail(p, "name %s is %zu characters (expected 1-%d)", cfg_quote(p, v), n,
                    IKE_RULE_NAME_MAX - 1);
  for (size_t i = 0; i < n; i++)
    if (v[i] < 0x20 || v[i] > 0x7e)
      return cfg_fail(p, "name %s has a byte that is not printable ASCII", cfg_quote(p, v));
  memcpy(out, v, n + 1);
  return true;
}

static bool psk_length(struct cfg_parse *p, const char *key, size_t n)
{
  if (n < IKE_PSK_MIN || n > IKE_PSK_MAX)
    return cfg_fail(p, "%s is %zu bytes (expected %d-%d)", key, n, IKE_PSK_MIN, IKE_PSK_MAX);
  return true;
}

bool cfg_psk(struct cfg_parse *p, const char *v, struct ike_rule *r)
{
  size_t n = strlen(v);
  if (!psk_length(p, "psk", n))
    return false;
  memcpy(r->psk, v, n);
  r->psk_len = n;
  return true;
}

static int hex_nibble(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
    return (c | 0x20) - 'a' + 10;
  return -1;
}

bool cfg_psk_hex(struct cfg_parse *p, const char *v, struct ike_rule *r)
{
  if (v[0] == '0' && (v[1] | 0x20) == 'x')
    v += 2;
  size_t n = strlen(v);
  for (size_t i = 0; i < n; i++)
    if (hex_nibble(v[i]) < 0)
      return cfg_fail(p, "psk_hex has a byte that is not a hex digit at position %zu", i + 1);
  if (n % 2)
    return cfg_fail(p, "psk_hex has an odd number of hex digits (%zu)", n);
  if (!psk_length(p, "psk_hex", n / 2))
    return false;
  for (size_t i = 0; i < n / 2; i++)
    r->psk[i] = (uint8_t)(hex_nibble(v[2 * i]) << 4 | hex_nibble(v[2 * i + 1]));
  r->psk_len = n / 2;
  return true;
}

/* ---- proposals ----------------------------------------------------------- */

static const char *const groups[] = {"modp768", "modp1024", "modp1536", "modp2048", "modp3072",
                                     "modp4096", "dh1", "dh2", "dh5", "dh14", "dh15", "dh16",
                                     NULL};
static const uint16_t group_ids[] = {1, 2, 5, 14, 15, 16};

bool cfg_group(struct cfg_parse *p, const char *what, const char *v, uint16_t *out)
{
  int i = 0;
  if (!cfg_word(p, what, v, groups, &i))
    return false;
  *out = group_ids[i % 6];
  return true;
}

/* Cipher words shared by both phases; the ids differ per phase. */
static const char *const p1_ciphers[] = {"des", "3des", "aes128", "aes192", "aes256", NULL};
/* strongSwan's names for AES-GCM with a 16-byte ICV (RFC 4106). */
static const char *const p2_ciphers[] = {"des",         "3des",       "aes128",
                                         "aes192",      "aes256",     "null",
                                         "aes128gcm16", "aes192gcm16", "aes256gcm16",
                                         NULL};
static const uint16_t cipher_bits[] = {0, 0, 128, 192, 256, 0, 128, 192, 256};
static const char *const p1_hashes[] = {"md5", "sha1", "sha256", "sha384", "sha512", NULL};
static const uint16_t p1_hash_ids[] = {OAKLEY_HASH_MD5, OAKLEY_HASH_SHA1, OAKLEY_HASH_SHA2_256,
                                       OAKLEY_HASH_SHA2_384, OAKLEY_HASH_SHA2_512};
static const char *const p2_auths[] = {"md5", "sha1", "sha256", "none", NULL};
static const uint16_t p2_auth_ids[] = {IPSEC_AUTH_HMAC_MD5, IPSEC_AUTH_HMAC_SHA1,
                                       IPSEC_AUTH_HMAC_SHA2_256, 0};

static bool proposal_count(struct cfg_parse *p, const char *key, size_t n)
{
  if (n > IKE_MAX_PROPOSALS)
    return cfg_fail(p, "%s has %zu proposals (at most %d)", key, n, IKE_MAX_PROPOSALS);
  return true;
}

static bool p1_one(struct cfg_parse *p, char *item, struct ike_p1_proposal *out)
{
  static const uint16_t encr[] = {OAKLEY_ENCR_DES_CBC, OAKLEY_ENCR_3DES_CBC, OAKLEY_ENCR_AES_CBC,
                                  OAKLEY_ENCR_AES_CBC, OAKLEY_ENCR_AES_CBC};
  char *part[3];
  int c = 0, h = 0;
  char shown[sizeof p->quoted]; /* quoted before split cuts item up */
  snprintf(shown, sizeof shown, "%s", cfg_quote(p, item));
  if (split(item, '-', part, 3) != 3)
    return cfg_fail(p, "phase1 proposal %s is not cipher-hash-group", shown);
  if (!cfg_word(p, "phase1 cipher", part[0], p1_ciphers, &c) ||
      !cfg_word(p, "phase1 hash", part[1], p1_hashes, &h) ||
      !cfg_group(p, "phase1 group", part[2], &out->group))
    return false;
  out->encr = encr[c];
  out->key_bits = cipher_bits[c];
  out->hash = p1_hash_ids[h];
  return true;
}

bool cfg_phase1(struct cfg_parse *p, const char *v, struct ike_rule *r)
{
  char buf[CONFIG_MAX_LINE + 1], *item[MAX_ITEMS];
  struct ike_p1_proposal got[IKE_MAX_PROPOSALS] = {{0}};
  if (!copy_value(p, "phase1", v, buf, sizeof buf))
    return false;
  size_t n = split(buf, ',', item, MAX_ITEMS);
  if (!proposal_count(p, "phase1", n))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!p1_one(p, item[i], &got[i]))
      return false;
  memcpy(r->p1, got, sizeof got);
  r->np1 = n;
  return true;
}

static bool p2_one(struct cfg_parse *p, char *item, struct ike_p2_proposal *out)
{
  static const char *const protos[] = {"esp", "ah", NULL};
  static const uint8_t esp_ids[] = {ISAKMP_ESP_DES,        ISAKMP_ESP_3DES,
                                    ISAKMP_ESP_AES_CBC,    ISAKMP_ESP_AES_CBC,
                                    ISAKMP_ESP_AES_CBC,    ISAKMP_ESP_NULL,
                                    ISAKMP_ESP_AES_GCM_16, ISAKMP_ESP_AES_GCM_16,
                                    ISAKMP_ESP_AES_GCM_16};
  char *part[3], shown[sizeof p->quoted];
  int proto = 0, c = 0, a = 3; /* auth "none" unless given */
  snprintf(shown, sizeof shown, "%s", cfg_quote(p, item));
  size_t n = split(item, '-', part, 3);
  if (!cfg_word(p, "phase2 protocol", part[0], protos, &proto))
    return false;
  if (proto == 0 ? n < 2 || n > 3 : n != 2)
    return cfg_fail(p, "phase2 proposal %s is not esp-cipher[-auth] or ah-auth", shown);
  if (proto == 0 && !cfg_word(p, "phase2 cipher", part[1], p2_ciphers, &c))
    return false;
  if ((proto == 1 || n == 3) && !cfg_word(p, "phase2 auth", part[n - 1], p2_auths, &a))
    return false;
  if (proto == 0 && esp_ids[c] == ISAKMP_ESP_AES_GCM_16 && p2_auth_ids[a] != 0)
    return cfg_fail(p, "phase2 proposal %s: GCM authenticates itself, leave out the integrity "
                       "algorithm", shown);
  if (proto == 1 ? p2_auth_ids[a] == 0 : esp_ids[c] == ISAKMP_ESP_NULL && p2_auth_ids[a] == 0)
    return cfg_fail(p, "phase2 proposal %s has no authentication%s", shown,
                    proto == 1 ? "" : " and no encryption");
  *out = (struct ike_p2_proposal){
      .protocol = proto == 0 ? ISAKMP_PROTO_ESP : ISAKMP_PROTO_AH,
      .encr = proto == 0 ? esp_ids[c] : 0,
      .key_bits = proto == 0 ? cipher_bits[c] : 0,
      .auth = p2_auth_ids[a],
  };
  return true;
}

bool cfg_phase2(struct cfg_parse *p, const char *v, struct ike_rule *r)
{
  char buf[CONFIG_MAX_LINE + 1], *item[MAX_ITEMS];
  struct ike_p2_proposal got[IKE_MAX_PROPOSALS] = {{0}};
  if (!copy_value(p, "phase2", v, buf, sizeof buf))
    return false;
  size_t n = split(buf, ',', item, MAX_ITEMS);
  if (!proposal_count(p, "phase2", n))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!p2_one(p, item[i], &got[i]))
      return false;
  memcpy(r->p2, got, sizeof got);
  r->np2 = n;
  return true;
}

/* ---- interface names ---------------------------------------------------- */

/* Linux's own rule (dev_valid_name), kept to printable ASCII so the name
 * prints safely in notes and status lines. */
bool cfg_ifname(struct cfg_parse *p, const char *key, const char *v,
                char out[IKELABD_IFNAME_MAX])
{
  size_t n = strlen(v);
  if (n >= IKELABD_IFNAME_MAX)
    return cfg_fail(p, "%s %s is %zu characters (at most %d)", key, cfg_quote(p, v), n,
                    IKELABD_IFNAME_MAX - 1);
  bool bad = strcmp(v, ".") == 0 || strcmp(v, "..") == 0;
  for (size_t i = 0; i < n && !bad; i++) {
    unsigned char c = (unsigned char)v[i];
    bad = c <= 0x20 || c > 0x7e || c == '/' || c == ':';
  }
  if (bad)
    return cfg_fail(p, "%s %s is not an interface name (printable, no '/', ':' or spaces)",
                    key, cfg_quote(p, v));
  memcpy(out, v, n + 1);
  return true;
}

/* ---- log sinks ----------------------------------------------------------- */

static bool one_sink(struct cfg_parse *p, char *item, struct ikelabd_log_sink *out)
{
  static const char *const kinds[] = {"router", "syslog", "file", "json", NULL};
  char *colon = strchr(item, ':');
  const char *path = colon ? colon + 1 : "";
  if (colon)
    *colon = '\0';
  int k = word_index(kinds, item);
  if (colon)
    *colon = ':';
  if (k < 0 || (k >= IKELABD_LOG_FILE) != (colon != NULL))
    return cfg_fail(p, "unknown log sink %s (known: router, syslog, file:/path, json:/path)",
                    cfg_quote(p, item));
  if (k >= IKELABD_LOG_FILE && path[0] != '/')
    return cfg_fail(p, "log sink %s needs an absolute path", cfg_quote(p, item));
  if (strlen(path) >= IKELABD_PATH_MAX)
    return cfg_fail(p, "log sink path is %zu characters (at most %d)", strlen(path),
                    IKELABD_PATH_MAX - 1);
  out->kind = (enum ikelabd_log_kind)k;
  snprintf(out->path, sizeof out->path, "%s", path);
  return true;
}

bool cfg_logs(struct cfg_parse *p, const char *v, struct ikelabd_settings *s)
{
  char buf[CONFIG_MAX_LINE + 1], *item[MAX_ITEMS];
  struct ikelabd_log_sink got[IKELABD_MAX_LOGS] = {{0}}; /* zeroed: structs compare bytewise */
  if (!copy_value(p, "log", v, buf, sizeof buf))
    return false;
  size_t n = split(buf, ',', item, MAX_ITEMS);
  if (n > IKELABD_MAX_LOGS)
    return cfg_fail(p, "log has %zu sinks (at most %d)", n, IKELABD_MAX_LOGS);
  for (size_t i = 0; i < n; i++) {
    if (!one_sink(p, item[i], &got[i]))
      return false;
    for (size_t j = 0; j < i; j++)
      if (got[j].kind == got[i].kind && strcmp(got[j].path, got[i].path) == 0)
        return cfg_fail(p, "log sink %s given twice", cfg_quote(p, item[i]));
  }
  memcpy(s->log, got, sizeof got);
  s->nlog = n;
  return true;
}
