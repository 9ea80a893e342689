/* ikelabd's config file (config_file.h): the documented example loads into
 * the expected structs; every kind of mistake gives its exact one-line
 * message; a refused file leaves the running config untouched; and the
 * reader copes with long lines, NUL bytes, CRLF and unterminated text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/config_file.h"
#include "ikelab/isakmp_types.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct ike_config cfg;
static struct ikelabd_settings set;
static char err[512];

static bool load(const char *text)
{
  return config_load_string("t.conf", text, strlen(text), &cfg, &set, err, sizeof err);
}

static char *read_example(size_t *len)
{
  FILE *f = fopen(test_source_path("docs/ikelabd.conf.example"), "rb");
  ck_assert_ptr_nonnull(f);
  static char buf[1 << 14];
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

/* ---- the example ---------------------------------------------------------- */

START_TEST(example_loads)
{
  ck_assert_msg(config_load_file(test_source_path("docs/ikelabd.conf.example"), &cfg, &set, err,
                                 sizeof err),
                "%s", err);
  ck_assert_str_eq(err, "");
  ck_assert_uint_eq(cfg.g.max_active_phase2, 10);
  ck_assert_uint_eq(cfg.g.retransmit_count, 3);
  ck_assert_uint_eq(cfg.g.retransmit_interval_ms, 10000);
  ck_assert_uint_eq(cfg.g.error_budget, 10);
  ck_assert_uint_eq(cfg.g.max_half_open_phase1, 16);
  ck_assert_uint_eq(cfg.g.idle_timeout_ms, 120000);
  ck_assert(cfg.g.nat_traversal);
  ck_assert_uint_eq(cfg.g.dpd_interval_ms, 30000);
  ck_assert_uint_eq(set.listen_ip, IPV4(127, 0, 0, 1));
  ck_assert_str_eq(set.wan_interface, ""); /* commented out: any machine loads it */
  ck_assert_uint_eq(set.ike_port, 500);
  ck_assert_uint_eq(set.natt_port, 4500);
  ck_assert_uint_eq(set.nlog, 2);
  ck_assert_int_eq(set.log[0].kind, IKELABD_LOG_ROUTER);
  ck_assert_str_eq(set.log[0].path, "");
  ck_assert_int_eq(set.log[1].kind, IKELABD_LOG_JSON);
  ck_assert_str_eq(set.log[1].path, "/tmp/ikelab.json");
  ck_assert_uint_eq(cfg.nrules, 3);

  const struct ike_rule *r = &cfg.rules[0];
  ck_assert_int_eq(r->number, 1);
  ck_assert_str_eq(r->name, "branch-office");
  ck_assert(r->active);
  ck_assert_uint_eq(r->my_ip, 0);
  ck_assert_uint_eq(r->secure_gateway, IPV4(192, 0, 2, 1));
  ck_assert(addr_range_equal(&r->local, &(struct addr_range){ADDR_SUBNET, IPV4(10, 0, 0, 0),
                                                               IPV4(255, 255, 255, 0)}));
  ck_assert_int_eq(r->local.kind, ADDR_SUBNET);
  ck_assert_int_eq(r->remote.kind, ADDR_SUBNET);
  ck_assert_uint_eq(r->remote.a, IPV4(10, 1, 0, 0));
  ck_assert_uint_eq(r->remote.b, IPV4(255, 255, 255, 0));
  ck_assert_int_eq(r->keymgmt, IKE_KEYMGMT_IKE);
  ck_assert_int_eq(r->mode, IKE_MODE_MAIN);
  ck_assert_uint_eq(r->psk_len, 15);
  ck_assert_mem_eq(r->psk, "branch-secret-1", 15);
  ck_assert_uint_eq(r->np1, 2);
  ck_assert_mem_eq(&r->p1[0],
                   (&(struct ike_p1_proposal){OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                              OAKLEY_GROUP_MODP1024, 28800}),
                   sizeof r->p1[0]);
  ck_assert_mem_eq(&r->p1[1],
                   (&(struct ike_p1_proposal){OAKLEY_ENCR_3DES_CBC, 0, OAKLEY_HASH_MD5,
                                              OAKLEY_GROUP_MODP768, 28800}),
                   sizeof r->p1[1]);
  ck_assert_uint_eq(r->np2, 2);
  ck_assert_mem_eq(&r->p2[0],
                   (&(struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                              IPSEC_AUTH_HMAC_SHA1, OAKLEY_GROUP_MODP1024,
                                              IPSEC_ENCAP_TUNNEL, 3600, 0}),
                   sizeof r->p2[0]);
  ck_assert_mem_eq(&r->p2[1],
                   (&(struct ike_p2_proposal){ISAKMP_PROTO_AH, 0, 0, IPSEC_AUTH_HMAC_SHA2_256,
                                              OAKLEY_GROUP_MODP1024, IPSEC_ENCAP_TUNNEL, 3600,
                                              0}),
                   sizeof r->p2[1]);

  r = &cfg.rules[1];
  ck_assert_int_eq(r->number, 2);
  ck_assert(ike_rule_dynamic(r));
  ck_assert_int_eq(r->local.kind, ADDR_RANGE);
  ck_assert_uint_eq(r->local.a, IPV4(10, 0, 0, 1));
  ck_assert_uint_eq(r->local.b, IPV4(10, 0, 0, 9));
  ck_assert_int_eq(r->mode, IKE_MODE_AGGRESSIVE);
  ck_assert_uint_eq(r->psk_len, 12);
  ck_assert_mem_eq(r->psk, "road-warrior", 12);
  ck_assert_uint_eq(r->np1, 1);
  ck_assert_uint_eq(r->p1[0].encr, OAKLEY_ENCR_AES_CBC);
  ck_assert_uint_eq(r->p1[0].key_bits, 256);
  ck_assert_uint_eq(r->p1[0].hash, OAKLEY_HASH_SHA2_256);
  ck_assert_uint_eq(r->p1[0].group, OAKLEY_GROUP_MODP2048);
  ck_assert_uint_eq(r->np2, 2);
  ck_assert_mem_eq(&r->p2[1],
                   (&(struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_3DES, 0, 0, 0,
                                              IPSEC_ENCAP_TRANSPORT, 28800, 0}),
                   sizeof r->p2[1]);

  /* Rule 5 keeps ike_rule_default's proposals. */
  struct ike_rule def;
  ike_rule_default(&def, 5);
  r = &cfg.rules[2];
  ck_assert_int_eq(r->number, 5);
  ck_assert(!r->active);
  ck_assert_int_eq(r->local.kind, ADDR_SINGLE);
  ck_assert_uint_eq(r->remote.a, IPV4(172, 16, 0, 20));
  ck_assert_uint_eq(r->np1, 1);
  ck_assert_mem_eq(&r->p1[0], &def.p1[0], sizeof def.p1[0]);
  ck_assert_mem_eq(&r->p2[0], &def.p2[0], sizeof def.p2[0]);
  ck_assert(ike_config_check(&cfg, err, sizeof err));
}
END_TEST

/* ---- mistakes, each with its exact line ----------------------------------- */

/* A valid static rule 1 on lines 1-5; rows add line 6 onwards. */
#define RULE1                                                                            \
  "[rule 1]\nsecure_gateway = 192.0.2.1\nlocal = single 10.0.0.1\nremote = single 10.1.0.1\n" \
  "psk = 12345678\n"

static const struct {
  const char *text, *error;
} bad[] = {
    {"[globl]\nlisten = 1.2.3.4\n",
     "t.conf:1: unknown section \"globl\" (known: global, rule N with N 1-999)"},
    {"[rule 0]\nname = x\n",
     "t.conf:1: unknown section \"rule 0\" (known: global, rule N with N 1-999)"},
    {"[rule 1000]\nname = x\n",
     "t.conf:1: unknown section \"rule 1000\" (known: global, rule N with N 1-999)"},
    {"x = 1\n", "t.conf:1: key \"x\" outside any section (start with [global] or [rule N])"},
    {"[global]\nfoo = 1\n", "t.conf:2: unknown key \"foo\" in [global]"},
    {RULE1 "listen = 1.2.3.4\n", "t.conf:6: unknown key \"listen\" in [rule 1]"},
    {"[global]\nretransmit_count = 500\n",
     "t.conf:2: retransmit_count \"500\" is out of range (expected 0-100)"},
    {"[global]\nretransmit_count = -1\n",
     "t.conf:2: retransmit_count \"-1\" is not a number (expected 0-100)"},
    {"[global]\nerror_budget = 99999999999\n",
     "t.conf:2: error_budget \"99999999999\" is out of range (expected 1-100000)"},
    {"[global]\nretransmit_interval = 2.5555\n",
     "t.conf:2: retransmit_interval \"2.5555\" is not a time (seconds like 10 or 2.5, or 250ms)"},
    {"[global]\nidle_timeout = 0ms\n",
     "t.conf:2: idle_timeout \"0ms\" is out of range (expected 1ms-86400s)"},
    {"[global]\nlisten = 10.0.0.300\n", "t.conf:2: listen \"10.0.0.300\" is not an IPv4 address"},
    {"[global]\nnatt_port = 500\n", "t.conf:2: natt_port 500 equals ike_port"},
    {"[global]\nwan_interface = wan0\nlisten = 127.0.0.1\n",
     "t.conf:3: listen 127.0.0.1 must be 0.0.0.0 with wan_interface \"wan0\" (line 2): a socket "
     "bound to one address dies when the WAN address changes"},
    {"[global]\nlisten = 10.0.0.1\nwan_interface = ppp0\n",
     "t.conf:2: listen 10.0.0.1 must be 0.0.0.0 with wan_interface \"ppp0\" (line 3): a socket "
     "bound to one address dies when the WAN address changes"},
    {"[global]\nwan_interface = a-very-long-name\n",
     "t.conf:2: wan_interface \"a-very-long-name\" is 16 characters (at most 15)"},
    {"[global]\nwan_interface = eth0:1\n",
     "t.conf:2: wan_interface \"eth0:1\" is not an interface name (printable, no '/', ':' or "
     "spaces)"},
    {"[global]\nwan_interface = wan 0\n",
     "t.conf:2: wan_interface \"wan 0\" is not an interface name (printable, no '/', ':' or "
     "spaces)"},
    {"[global]\nwan_interface = ..\n",
     "t.conf:2: wan_interface \"..\" is not an interface name (printable, no '/', ':' or "
     "spaces)"},
    {"[global]\nwan_interface = wan0\nwan_interface = wan1\n",
     "t.conf:3: wan_interface given twice in [global] (first on line 2)"},
    {"[global]\nlisten = 1.2.3.4\n[global]\nike_port = 5\n",
     "t.conf:3: [global] given twice (first on line 1)"},
    {"[global]\nike_port = 5\nike_port = 6\n",
     "t.conf:3: ike_port given twice in [global] (first on line 2)"},
    {"[global]\nlog = router, telegraph\n",
     "t.conf:2: unknown log sink \"telegraph\" (known: router, syslog, file:/path, json:/path)"},
    {"[global]\nlog = syslog:/x\n",
     "t.conf:2: unknown log sink \"syslog:/x\" (known: router, syslog, file:/path, json:/path)"},
    {"[global]\nlog = file:ikelab.log\n",
     "t.conf:2: log sink \"file:ikelab.log\" needs an absolute path"},
    {"[global]\nlog = router, syslog, router\n", "t.conf:2: log sink \"router\" given twice"},
    {"[global]\nlog = router, syslog, file:/a, file:/b, json:/c\n",
     "t.conf:2: log has 5 sinks (at most 4)"},
    {RULE1 "[rule 1]\nname = again\n", "t.conf:6: [rule 1] given twice (first on line 1)"},
    {"[rule 3]\nsecure_gateway = 192.0.2.1\nlocal = single 10.0.0.1\nremote = single 10.1.0.1\n",
     "t.conf:1: [rule 3] has no \"psk\" or \"psk_hex\" (required with key_management ike)"},
    {"[rule 3]\nsecure_gateway = 192.0.2.1\nlocal = single 10.0.0.1\npsk = 12345678\n",
     "t.conf:1: [rule 3] has no \"remote\" (required unless secure_gateway is 0.0.0.0)"},
    {"[rule 3]\nlocal = single 10.0.0.1\n", "t.conf:1: [rule 3] has no \"secure_gateway\""},
    {"[rule 3]\nname = x\n[rule 4]\nname = y\n", "t.conf:1: [rule 3] has no \"local\""},
    {"[rule 3]\nsecure_gateway = 0.0.0.0\nlocal = single 10.0.0.1\nremote = single 10.1.0.1\n"
     "psk = 12345678\n",
     "t.conf:4: remote is not used by a dynamic rule (secure_gateway 0.0.0.0)"},
    {RULE1 "name = this-name-is-longer-than-31-chars\n",
     "t.conf:6: name \"this-name-is-longer-than-31-chars\" is 33 characters (expected 1-31)"},
    {RULE1 "active = maybe\n", "t.conf:6: unknown active \"maybe\" (known: yes, no)"},
    {RULE1 "mode = sideways\n", "t.conf:6: unknown mode \"sideways\" (known: main, aggressive)"},
    {RULE1 "key_management = ssh\n",
     "t.conf:6: unknown key_management \"ssh\" (known: ike, manual)"},
    {RULE1 "my_ip = 10.0.0\n", "t.conf:6: my_ip \"10.0.0\" is not an IPv4 address"},
    {RULE1 "psk_hex = 00\n",
     "t.conf:6: psk_hex and psk both given in [rule 1] (the other on line 5)"},
    {"[rule 1]\npsk_hex = 3132333435363738\npsk = 12345678\n",
     "t.conf:3: psk and psk_hex both given in [rule 1] (the other on line 2)"},
    {"[rule 1]\npsk_hex = 3132333435363738\npsk_hex = 3132333435363738\n",
     "t.conf:3: psk_hex given twice in [rule 1] (first on line 2)"},
    {"[rule 1]\npsk = short\n", "t.conf:2: psk is 5 bytes (expected 8-64)"},
    {"[rule 1]\npsk_hex = 0x0102030405060708f\n",
     "t.conf:2: psk_hex has an odd number of hex digits (17)"},
    {"[rule 1]\npsk_hex = 01020304050607zz\n",
     "t.conf:2: psk_hex has a byte that is not a hex digit at position 15"},
    {"[rule 1]\nlocal = range 10.0.0.9-10.0.0.1\n",
     "t.conf:2: local \"range 10.0.0.9-10.0.0.1\": start above end"},
    {"[rule 1]\nlocal = subnet 10.0.0.5/24\n",
     "t.conf:2: local \"subnet 10.0.0.5/24\": address has host bits set"},
    {"[rule 1]\nlocal = subnet 10.0.0.0/255.0.255.0\n",
     "t.conf:2: local \"subnet 10.0.0.0/255.0.255.0\": mask not contiguous"},
    {"[rule 1]\nlocal = subnet 10.0.0.0/33\n",
     "t.conf:2: local \"subnet 10.0.0.0/33\" is not \"single A\", \"range A-B\" or "
     "\"subnet A/LEN\""},
    {"[rule 1]\nremote = 10.0.0.1\n",
     "t.conf:2: remote \"10.0.0.1\" is not \"single A\", \"range A-B\" or \"subnet A/LEN\""},
    {"[rule 1]\nlocal = single 0.0.0.0\n",
     "t.conf:2: local \"single 0.0.0.0\" is unset (write any as subnet 0.0.0.0/0)"},
    {RULE1 "phase1 = aes129-sha1-modp1024\n",
     "t.conf:6: unknown phase1 cipher \"aes129\" (known: des, 3des, aes128, aes192, aes256)"},
    {RULE1 "phase1 = aes128-tiger-modp1024\n",
     "t.conf:6: unknown phase1 hash \"tiger\" (known: md5, sha1, sha256, sha384, sha512)"},
    {RULE1 "phase1 = aes128-sha1-ec2n155\n",
     "t.conf:6: unknown phase1 group \"ec2n155\" (known: modp768, modp1024, modp1536, modp2048, "
     "modp3072, modp4096, dh1, dh2, dh5, dh14, dh15, dh16)"},
    {RULE1 "phase1 = aes128-sha1\n",
     "t.conf:6: phase1 proposal \"aes128-sha1\" is not cipher-hash-group"},
    {RULE1 "phase1 = des-md5-dh1, des-md5-dh1, des-md5-dh1, des-md5-dh1, des-md5-dh1\n",
     "t.conf:6: phase1 has 5 proposals (at most 4)"},
    {RULE1 "phase1 = des-md5-dh1,\n", "t.conf:6: phase1 proposal \"\" is not cipher-hash-group"},
    {RULE1 "phase1_lifetime = 179\n",
     "t.conf:6: phase1_lifetime \"179\" is out of range (expected 180-31536000)"},
    {RULE1 "phase2 = gre-aes128\n", "t.conf:6: unknown phase2 protocol \"gre\" (known: esp, ah)"},
    {RULE1 "phase2 = esp\n",
     "t.conf:6: phase2 proposal \"esp\" is not esp-cipher[-auth] or ah-auth"},
    {RULE1 "phase2 = ah-md5-sha1\n",
     "t.conf:6: phase2 proposal \"ah-md5-sha1\" is not esp-cipher[-auth] or ah-auth"},
    {RULE1 "phase2 = esp-rc5-md5\n",
     "t.conf:6: unknown phase2 cipher \"rc5\" (known: des, 3des, aes128, aes192, aes256, null, aes128gcm16, aes192gcm16, aes256gcm16)"},
    {RULE1 "phase2 = esp-aes128-sha384\n",
     "t.conf:6: unknown phase2 auth \"sha384\" (known: md5, sha1, sha256, none)"},
    {RULE1 "phase2 = esp-null\n",
     "t.conf:6: phase2 proposal \"esp-null\" has no authentication and no encryption"},
    {RULE1 "phase2 = ah-none\n", "t.conf:6: phase2 proposal \"ah-none\" has no authentication"},
    {RULE1 "pfs = modp8192\n",
     "t.conf:6: unknown pfs group \"modp8192\" (known: modp768, modp1024, modp1536, modp2048, "
     "modp3072, modp4096, dh1, dh2, dh5, dh14, dh15, dh16)"},
    {RULE1 "encapsulation = udp\n",
     "t.conf:6: unknown encapsulation \"udp\" (known: tunnel, transport)"},
    {RULE1 "phase2_lifetime_kb = 4294967296\n",
     "t.conf:6: phase2_lifetime_kb \"4294967296\" is out of range (expected 0-4294967295)"},
    /* libinih's own syntax errors, and what the reader refuses. */
    {"[global]\nlisten\n", "t.conf:2: expected [section] or key = value, found \"listen\""},
    {"[global\nlisten = 1.2.3.4\n",
     "t.conf:1: expected [section] or key = value, found \"[global\""},
    {"[global]\n[rule 1]\n", "t.conf:1: section \"[global]\" has no keys"},
    {RULE1 "[rule 2]\n", "t.conf:6: section \"[rule 2]\" has no keys"},
    {"[global]\nlisten = 1.2.3.4\x01\n", "t.conf:2: control character 0x01 at column 17"},
    {"[global]\nname = a\rb\r\n", "t.conf:2: control character 0x0d at column 9"},
    {"[global]\nlog = router\n\xef\xbb\xbf[rule 1]\n",
     "t.conf:3: expected [section] or key = value, found \"\\xef\\xbb\\xbf[rule 1]\""},
    {"[global]\n  ike_port = 5\n\tlisten = 1.2.3.4\n  [rule 9]\n",
     "t.conf:4: section \"[rule 9]\" has no keys"},
    {"[rule 1]\nname = caf\xc3\xa9\n",
     "t.conf:2: name \"caf\\xc3\\xa9\" has a byte that is not printable ASCII"},
};

START_TEST(bad_input_names_line_and_value)
{
  ck_assert_msg(!load(bad[_i].text), "row %d loaded", _i);
  ck_assert_str_eq(err, bad[_i].error);
  ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

/* ---- reload safety -------------------------------------------------------- */

START_TEST(refused_file_leaves_config_untouched)
{
  size_t len;
  const char *text = read_example(&len);
  ck_assert(config_load_string("ex", text, len, &cfg, &set, err, sizeof err));
  struct ike_config before_cfg = cfg;
  struct ikelabd_settings before_set = set;
  /* A file that fails late, after rules and settings were parsed. */
  ck_assert(!load("[global]\nike_port = 9\nlog = syslog\n" RULE1 "phase1 = x\n"));
  ck_assert_str_eq(err, "t.conf:9: phase1 proposal \"x\" is not cipher-hash-group");
  ck_assert_mem_eq(&cfg, &before_cfg, sizeof cfg);
  ck_assert_mem_eq(&set, &before_set, sizeof set);
  ck_assert(!config_load_file("/nonexistent/ikelabd.conf", &cfg, &set, err, sizeof err));
  ck_assert_str_eq(err, "/nonexistent/ikelabd.conf:0: cannot open: No such file or directory");
  ck_assert_mem_eq(&cfg, &before_cfg, sizeof cfg);
}
END_TEST

/* ---- the reader ------------------------------------------------------------- */

START_TEST(long_lines)
{
  char text[600];
  /* A comment line of exactly CONFIG_MAX_LINE characters is fine ... */
  int n = snprintf(text, sizeof text, "[global]\n;%0*d\nike_port = 7\n", CONFIG_MAX_LINE - 1, 0);
  ck_assert_int_lt(n, (int)sizeof text);
  ck_assert_msg(load(text), "%s", err);
  ck_assert_uint_eq(set.ike_port, 7);
  /* ... one more is refused rather than split into two lines, CRLF or not. */
  snprintf(text, sizeof text, "[global]\n;%0*d\r\n", CONFIG_MAX_LINE, 0);
  ck_assert(!load(text));
  ck_assert_str_eq(err, "t.conf:2: line is 198 characters (at most 197)");
  memset(text, 'a', sizeof text);
  ck_assert(!config_load_string("t.conf", text, sizeof text, &cfg, &set, err, sizeof err));
  ck_assert_str_eq(err, "t.conf:1: line is 600 characters (at most 197)");
}
END_TEST

START_TEST(nul_bytes)
{
  static const char text[] = "[global]\nike_port = 7\0junk\n";
  ck_assert(!config_load_string("t.conf", text, sizeof text - 1, &cfg, &set, err, sizeof err));
  ck_assert_str_eq(err, "t.conf:2: NUL byte 0x00 at column 13");
  /* The same text cut before the NUL is fine: len, not NUL, ends it. */
  ck_assert(config_load_string("t.conf", text, 21, &cfg, &set, err, sizeof err));
  ck_assert_uint_eq(set.ike_port, 7);
}
END_TEST

START_TEST(unterminated_text_stops_at_len)
{
  static const char text[] = "[global]\nretransmit_count = 55";
  ck_assert(config_load_string("t.conf", text, sizeof text - 2, &cfg, &set, err, sizeof err));
  ck_assert_uint_eq(cfg.g.retransmit_count, 5);
}
END_TEST

START_TEST(crlf_and_bom_load_like_lf)
{
  size_t len;
  const char *text = read_example(&len);
  char *crlf = malloc(2 * len + 3);
  size_t m = 0;
  memcpy(crlf, "\xef\xbb\xbf", 3), m = 3;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '\n')
      crlf[m++] = '\r';
    crlf[m++] = text[i];
  }
  struct ike_config lf_cfg;
  struct ikelabd_settings lf_set;
  ck_assert(config_load_string("lf", text, len, &lf_cfg, &lf_set, err, sizeof err));
  ck_assert_msg(config_load_string("crlf", crlf, m, &cfg, &set, err, sizeof err), "%s", err);
  ck_assert_mem_eq(&cfg, &lf_cfg, sizeof cfg);
  ck_assert_mem_eq(&set, &lf_set, sizeof set);
  free(crlf);
}
END_TEST

/* ---- variants that must load ------------------------------------------- */

START_TEST(accepted_variants)
{
  ck_assert_msg(load("; nothing but a comment\n"), "%s", err);
  ck_assert_uint_eq(cfg.nrules, 0);
  ck_assert_uint_eq(set.nlog, 1);
  ck_assert_msg(load("[global]\nretransmit_interval = 2.5\nidle_timeout = 250ms\n"
                     "log = FILE:/tmp/x,syslog\n"),
                "%s", err);
  ck_assert_uint_eq(cfg.g.retransmit_interval_ms, 2500);
  ck_assert_uint_eq(cfg.g.idle_timeout_ms, 250);
  ck_assert_int_eq(set.log[0].kind, IKELABD_LOG_FILE);
  ck_assert_str_eq(set.log[0].path, "/tmp/x");
  ck_assert_msg(load("[global]\nretransmit_interval = 0.05s\n"), "%s", err);
  ck_assert_uint_eq(cfg.g.retransmit_interval_ms, 50);
  ck_assert_msg(load("[global]\nnat_traversal = No\n"), "%s", err);
  ck_assert(!cfg.g.nat_traversal);
  ck_assert_msg(load("[global]\ndpd_interval = 0\n"), "%s", err);
  ck_assert_uint_eq(cfg.g.dpd_interval_ms, 0);
  /* A WAN interface with the default listen, or said explicitly; empty = off. */
  ck_assert_msg(load("[global]\nwan_interface = wan0\n"), "%s", err);
  ck_assert_str_eq(set.wan_interface, "wan0");
  ck_assert_uint_eq(set.listen_ip, 0);
  ck_assert_msg(load("[global]\nlisten = 0.0.0.0\nwan_interface = enp0s31f6.1234\n"), "%s",
                err);
  ck_assert_str_eq(set.wan_interface, "enp0s31f6.1234");
  ck_assert_msg(load("[global]\nwan_interface =\nlisten = 127.0.0.1\n"), "%s", err);
  ck_assert_str_eq(set.wan_interface, "");
  ck_assert_uint_eq(set.listen_ip, IPV4(127, 0, 0, 1));
  /* AES-GCM (RFC 4106) takes no integrity algorithm; with one it is refused. */
  ck_assert_msg(load("[rule 2]\nsecure_gateway = 192.0.2.9\npsk = sixteen-chars!!\n"
                     "local = subnet 10.0.2.0/24\nremote = subnet 10.0.3.0/24\n"
                     "phase2 = esp-aes256gcm16\n"),
                "%s", err);
  ck_assert_uint_eq(cfg.rules[0].p2[0].encr, ISAKMP_ESP_AES_GCM_16);
  ck_assert_uint_eq(cfg.rules[0].p2[0].key_bits, 256);
  ck_assert_uint_eq(cfg.rules[0].p2[0].auth, 0);
  ck_assert(!load("[rule 2]\nsecure_gateway = 192.0.2.9\npsk = sixteen-chars!!\n"
                  "local = subnet 10.0.2.0/24\nremote = subnet 10.0.3.0/24\n"
                  "phase2 = esp-aes128gcm16-sha1\n"));
  ck_assert_str_eq(err, "t.conf:6: phase2 proposal \"esp-aes128gcm16-sha1\": GCM authenticates "
                        "itself, leave out the integrity algorithm");
  /* Manual keys need no PSK; words ignore case; "any" as a subnet. */
  ck_assert_msg(load("[rule 7]\nkey_management = MANUAL\nsecure_gateway = 192.0.2.9\n"
                     "local = subnet 0.0.0.0/0\nremote = Single 10.9.9.9 ; peer\n"),
                "%s", err);
  ck_assert_int_eq(cfg.rules[0].keymgmt, IKE_KEYMGMT_MANUAL);
  ck_assert_uint_eq(cfg.rules[0].local.b, 0);
  ck_assert_uint_eq(cfg.rules[0].remote.a, IPV4(10, 9, 9, 9));
  ck_assert_msg(load(RULE1 "phase2 = esp-null-md5, esp-des-none, esp-aes192\n"
                            "pfs = dh5\nphase2_lifetime_kb = 4294967295\n"),
                "%s", err);
  ck_assert_uint_eq(cfg.rules[0].np2, 3);
  ck_assert_uint_eq(cfg.rules[0].p2[0].encr, ISAKMP_ESP_NULL);
  ck_assert_uint_eq(cfg.rules[0].p2[1].auth, 0);
  ck_assert_uint_eq(cfg.rules[0].p2[2].key_bits, 192);
  ck_assert_uint_eq(cfg.rules[0].p2[2].pfs, OAKLEY_GROUP_MODP1536);
  ck_assert_uint_eq(cfg.rules[0].p2[2].life_kbytes, 4294967295u);
}
END_TEST

START_TEST(at_most_max_rules)
{
  char *text = malloc(8192);
  size_t at = 0;
  for (int i = 1; i <= IKE_MAX_RULES + 1; i++)
    at += (size_t)snprintf(text + at, 8192 - at,
                           "[rule %d]\nsecure_gateway = 0.0.0.0\nlocal = single 10.0.0.%d\n"
                           "psk = 12345678\n",
                           i, i);
  ck_assert(!config_load_string("t.conf", text, at, &cfg, &set, err, sizeof err));
  ck_assert_str_eq(err, "t.conf:129: more than 32 rules");
  free(text);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("config_file");
  TCase *t = tcase_create("example");
  tcase_add_test(t, example_loads);
  tcase_add_test(t, accepted_variants);
  suite_add_tcase(s, t);

  t = tcase_create("errors");
  tcase_add_loop_test(t, bad_input_names_line_and_value, 0, N(bad));
  tcase_add_test(t, refused_file_leaves_config_untouched);
  tcase_add_test(t, at_most_max_rules);
  suite_add_tcase(s, t);

  t = tcase_create("reader");
  tcase_add_test(t, long_lines);
  tcase_add_test(t, nul_bytes);
  tcase_add_test(t, unterminated_text_stops_at_len);
  tcase_add_test(t, crlf_and_bom_load_like_lf);
  suite_add_tcase(s, t);
  return s;
}
