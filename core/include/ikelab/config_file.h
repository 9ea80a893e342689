/* ikelabd's config file: INI text -> struct ike_config (rules.h) plus the
 * daemon's own settings. Parsed by libinih (Debian's libinih-dev); this
 * module gives the values their meaning and names every mistake.
 *
 * Format (docs/ikelabd.conf.example is a commented, tested example):
 *
 *   ; or # at the start of a line is a comment; " ;" (a semicolon after
 *   ; whitespace) starts a comment at the end of a line, so a PSK holding
 *   ; " ;" must be written as psk_hex. Indentation is ignored (no
 *   ; continuation lines). Lines are at most CONFIG_MAX_LINE characters,
 *   ; CRLF or LF, with no NUL or control bytes but tab. "key: value" works
 *   ; like "key = value"; spaces around a value are not part of it.
 *   ; Keys and section names are lower case; words in values (yes, aes128,
 *   ; tunnel, ...) are case-insensitive. A key may appear once per section;
 *   ; an empty section is an error (leave it out to get the defaults).
 *
 *   [global]                    ; optional; defaults from ike_globals_default
 *   active_connections = 10     ; 1-1024      Phase 2 SAs at once (K18)
 *   retransmit_count = 3        ; 0-100       K19 lines before giving up
 *   retransmit_interval = 10    ; 1ms-3600s   see "Times" below
 *   error_budget = 10           ; 1-100000    errors on one SA (negotiating) before K21
 *   max_half_open = 16          ; 1-65535     unfinished Phase 1 SAs (one address: half)
 *   idle_timeout = 120          ; 1ms-86400s  P6
 *   nat_traversal = yes         ; yes | no    RFC 3947 NAT-T offered
 *   dpd_interval = 0            ; 0-86400s    RFC 3706 R-U-THERE period, 0 = off
 *   listen = 0.0.0.0            ; IPv4 address to bind, 0.0.0.0 = all
 *   wan_interface = ppp0        ; 1-15 characters, no '/', ':' or spaces;
 *                               ; empty = off (the default). ikelabd follows
 *                               ; this interface's first IPv4 address (once a
 *                               ; second) and logs P1 when it changes; needs
 *                               ; listen = 0.0.0.0
 *   ike_port = 500              ; 1-65535
 *   natt_port = 4500            ; 1-65535, not equal to ike_port
 *   log = router, syslog, file:/var/log/ikelab.log, json:/var/log/ikelab.json
 *                               ; 1-4 sinks, each once; paths absolute, no ','
 *
 *   [rule 1]                    ; N = 1-999, unique; at most IKE_MAX_RULES
 *   name = branch               ; 1-31 printable characters (default "ruleN")
 *   active = yes                ; yes | no (default yes)
 *   my_ip = 0.0.0.0             ; default 0.0.0.0 = any of ours
 *   secure_gateway = 192.0.2.1  ; required; 0.0.0.0 = dynamic
 *   local = subnet 10.0.0.0/24  ; required: single A | range A-B |
 *   remote = range 10.1.0.1-10.1.0.9  ;  subnet A/len | subnet A/mask
 *                               ; remote: required unless dynamic, refused if
 *   key_management = ike        ; ike | manual (default ike)
 *   mode = main                 ; main | aggressive (default main)
 *   psk = secret-key            ; 8-64 bytes, required with ike; or
 *   psk_hex = 0x736563726574... ; 8-64 bytes as hex (optional 0x)
 *   phase1 = aes128-sha1-modp1024, 3des-md5-modp768   ; 1-4, preferred first
 *       ; cipher des|3des|aes128|aes192|aes256, hash md5|sha1|sha256|sha384|
 *       ; sha512, group modp768|modp1024|modp1536|modp2048|modp3072|modp4096
 *       ; or dh1|dh2|dh5|dh14|dh15|dh16
 *   phase1_lifetime = 28800     ; seconds, 180-31536000, every proposal
 *   phase2 = esp-aes128-sha1, esp-3des, ah-sha256     ; 1-4
 *       ; esp-CIPHER[-AUTH] with cipher des|3des|aes128|aes192|aes256|null
 *       ; and auth md5|sha1|sha256|none (none = omitted; not with null);
 *       ; ah-AUTH with auth md5|sha1|sha256
 *   pfs = none                  ; none or a group as above
 *   encapsulation = tunnel      ; tunnel | transport
 *   phase2_lifetime = 28800     ; seconds, 180-31536000
 *   phase2_lifetime_kb = 0      ; 0-4294967295, 0 = no volume limit
 *
 * Defaults of unwritten rule keys come from ike_rule_default (DES-MD5-DH1,
 * ESP DES-SHA1, tunnel, no PFS, 28800 s): the router's out-of-the-box values.
 * pfs, encapsulation and the lifetimes apply to every proposal of the rule.
 *
 * Times: a decimal number of seconds with up to three decimals ("10",
 * "2.5", "0.25"), optionally suffixed "s", or whole milliseconds with "ms"
 * ("250ms"). Numbers are decimal, no sign.
 *
 * Errors: exactly one line, "NAME:LINE: what is wrong, the value found",
 * e.g. `ikelabd.conf:12: unknown phase1 cipher "aes129" (known: des, 3des,
 * aes128, aes192, aes256)`. LINE is the line of the key; for a missing key,
 * the line of its section header; 0 for whole-file problems (cannot read,
 * too large, ike_config_check refusing the assembled config). Values are
 * quoted with control and non-ASCII bytes as \xNN, so the line never holds
 * a newline of the input. */
#ifndef IKELAB_CONFIG_FILE_H
#define IKELAB_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/rules.h"

/* libinih's line buffer is 200 bytes and must hold "\r\n\0" too. */
enum { CONFIG_MAX_LINE = 197 };
/* A config is small; a bigger file is a mistake (or an attack). */
enum { CONFIG_MAX_FILE = 1 << 20 };

enum ikelabd_log_kind {
  IKELABD_LOG_ROUTER, /* the router's numbered view */
  IKELABD_LOG_SYSLOG,
  IKELABD_LOG_FILE, /* the router's text form, one line each */
  IKELABD_LOG_JSON, /* JSON lines */
};
enum { IKELABD_MAX_LOGS = 4, IKELABD_PATH_MAX = 192 };
/* Linux's IFNAMSIZ: 15 characters and the NUL. */
enum { IKELABD_IFNAME_MAX = 16 };

struct ikelabd_log_sink {
  enum ikelabd_log_kind kind;
  char path[IKELABD_PATH_MAX]; /* file and json: absolute path; else "" */
};

/* What the daemon needs beside the engine's config. */
struct ikelabd_settings {
  uint32_t listen_ip; /* host order; 0 = every address */
  char wan_interface[IKELABD_IFNAME_MAX]; /* "" = no WAN address to follow */
  uint16_t ike_port;
  uint16_t natt_port;
  struct ikelabd_log_sink log[IKELABD_MAX_LOGS];
  size_t nlog;
};

/* 0.0.0.0, no WAN interface, 500, 4500, one "router" sink. */
void ikelabd_settings_default(struct ikelabd_settings *s);

/* Parse text (len bytes, need not be NUL-terminated; NUL bytes are an
 * error) named name in messages. On success fills *cfg and *set and returns
 * true; on failure writes one line to err and leaves *cfg and *set exactly
 * as they were, so a reload can keep the running config. */
bool config_load_string(const char *name, const char *text, size_t len, struct ike_config *cfg,
                        struct ikelabd_settings *set, char *err, size_t errlen);
/* Reads path (at most CONFIG_MAX_FILE bytes), names it path in messages. */
bool config_load_file(const char *path, struct ike_config *cfg, struct ikelabd_settings *set,
                      char *err, size_t errlen);

#endif
