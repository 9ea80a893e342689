/* Shared between config_file.c (libinih glue, sections, keys) and
 * config_values.c (what one value means). Not a public header. */
#ifndef IKELAB_CONFIG_INTERNAL_H
#define IKELAB_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/config_file.h"

/* One parse: the input, where the reader is, the first error and the
 * config being built (copied out only on success). */
struct cfg_parse {
  const char *name;
  const char *text;
  size_t len, pos;
  int line; /* the line libinih is working on (the reader counts) */

  bool failed;
  int err_line;
  char err[256];
  char quoted[96]; /* scratch for cfg_quote */

  int hdr_line;        /* latest "[...]" line the reader saw */
  bool hdr_pending;    /* no key read under it yet */
  char hdr_text[96];   /* its text quoted, for "section has no keys" */

  enum { SECT_NONE, SECT_GLOBAL, SECT_RULE } sect;
  int sect_line, global_line;
  int key_line[32];  /* per key of the current section: where it was given */
  int key_which[32]; /* ... and which spelling (psk or psk_hex) */
  int rule_line[IKE_MAX_RULES]; /* header line of each rule, by index */
  struct ike_rule *rule;
  uint32_t p1_life, p2_life, p2_kb; /* applied to every proposal at the end */
  uint16_t pfs, encap;

  struct ike_config cfg;
  struct ikelabd_settings set;
};

/* Records the first error (at p->line) and returns false. */
__attribute__((format(printf, 2, 3))) bool cfg_fail(struct cfg_parse *p, const char *fmt, ...);
__attribute__((format(printf, 3, 4))) bool cfg_fail_at(struct cfg_parse *p, int line,
                                                        const char *fmt, ...);
/* v in double quotes, control and non-ASCII bytes as \xNN, cut at ~80
 * characters. Points into p->quoted: one per message. */
const char *cfg_quote(struct cfg_parse *p, const char *v);

/* Value parsers: each reads all of v, stores into *out only on success and
 * otherwise fails naming key, the value and what was expected. */
bool cfg_uint(struct cfg_parse *p, const char *key, const char *v, uint32_t lo, uint32_t hi,
              uint32_t *out);
bool cfg_time_ms(struct cfg_parse *p, const char *key, const char *v, uint32_t lo_ms,
                 uint32_t hi_ms, uint32_t *out);
bool cfg_ipv4(struct cfg_parse *p, const char *key, const char *v, uint32_t *out);
bool cfg_range(struct cfg_parse *p, const char *key, const char *v, struct addr_range *out);
/* v must be one of words (NULL-terminated, matched ignoring case); *out =
 * its index. what names it in the message: "unknown what "v" (known: ...)". */
bool cfg_word(struct cfg_parse *p, const char *what, const char *v, const char *const *words,
              int *out);
bool cfg_name(struct cfg_parse *p, const char *v, char out[IKE_RULE_NAME_MAX]);
bool cfg_psk(struct cfg_parse *p, const char *v, struct ike_rule *r);
bool cfg_psk_hex(struct cfg_parse *p, const char *v, struct ike_rule *r);
bool cfg_group(struct cfg_parse *p, const char *key, const char *v, uint16_t *out);
bool cfg_phase1(struct cfg_parse *p, const char *v, struct ike_rule *r);
bool cfg_phase2(struct cfg_parse *p, const char *v, struct ike_rule *r);
bool cfg_logs(struct cfg_parse *p, const char *v, struct ikelabd_settings *s);
/* A network interface name as Linux takes it; "" is allowed (off). */
bool cfg_ifname(struct cfg_parse *p, const char *key, const char *v,
                char out[IKELABD_IFNAME_MAX]);

#endif
