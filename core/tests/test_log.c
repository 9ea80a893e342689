/* The log catalogue against LOGS.md: every row rendered to a literal line,
 * the formats checked against a copy of the manual's tables, the router view
 * against LOGS.md's example, and the ring, JSON and buffer-edge behaviour. */
#include "check_run.h"
#include "ikelab/log.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IPV4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* 2003-01-01 08:08:07 UTC: the example's "01 Jan 08:08:07" in the router's era. */
#define EXAMPLE_T0_MS (1041408487ull * 1000u)

static struct log_event sample_event(enum log_id id)
{
  struct log_event ev = {.id = id};
  ev.f.rule = 3;
  ev.f.addr = IPV4(10, 0, 0, 2);
  ev.f.range_start = IPV4(10, 1, 0, 1);
  ev.f.range_end = IPV4(10, 1, 0, 9);
  strcpy(ev.f.payloads, "<SA><VID>");
  return ev;
}

/* ---- every row, rendered with sample_event()'s fields ---------------------- */

static const struct {
  const char *code;
  const char *line;
} rendered[] = {
    {"K1", "Cannot find outbound SA for rule <#3>"},
    {"K2", "Send Main Mode request to <10.0.0.2>"},
    {"K3", "Send Aggressive Mode request to <10.0.0.2>"},
    {"K4", "Recv Main Mode request from <10.0.0.2>"},
    {"K5", "Recv Aggressive Mode request from <10.0.0.2>"},
    {"K6", "Send:<SA><VID>"},
    {"K7", "Recv:<SA><VID>"},
    {"K8", "Phase 1 IKE SA process done"},
    {"K9", "Start Phase 2: Quick Mode"},
    {"K10", "!! IKE Negotiation is in process"},
    {"K11", "!! Duplicate requests with the same cookie"},
    {"K12", "!! No proposal chosen"},
    {"K13", "!! Verifying Local ID failed"},
    {"K14", "!! Verifying Remote ID failed"},
    {"K15", "!! Local / remote IPs of incoming request conflict with rule <#3>"},
    {"K16", "!! Invalid IP <10.1.0.1>/<10.1.0.9>"},
    {"K17", "!! Remote IP <10.1.0.1> / <10.1.0.9> conflicts"},
    {"K18", "!! Active connection allowed exceeded"},
    {"K19", "!! IKE Packet Retransmit"},
    {"K20", "!! Failed to send IKE Packet"},
    {"K21", "!! Too many errors! Deleting SA"},
    {"P1", "!! WAN IP changed to <10.0.0.2>"},
    {"P2", "!! Cannot find Phase 2 SA"},
    {"P3", "!! Discard REPLAY packet"},
    {"P4", "!! Inbound packet authentication failed"},
    {"P5", "!! Inbound packet decryption failed"},
    {"P6", "Rule <#3> idle time out, disconnect"},
};
#define ROW_COUNT (sizeof rendered / sizeof rendered[0])

START_TEST(test_row_count)
{
  ck_assert_uint_eq(ROW_COUNT, LOG_ID_COUNT);
  ck_assert_uint_eq(LOG_ID_COUNT, 27);
}
END_TEST

START_TEST(test_render_row)
{
  const struct log_row *row = log_row_by_code(rendered[_i].code);
  ck_assert_ptr_nonnull(row);
  ck_assert_int_eq(row->id, (int)_i); /* table order is catalogue order */
  ck_assert_ptr_eq(log_row(row->id), row);

  struct log_event ev = sample_event(row->id);
  char line[256];
  size_t n = log_render(&ev, line, sizeof line);
  ck_assert_str_eq(line, rendered[_i].line);
  ck_assert_uint_eq(n, strlen(rendered[_i].line));
}
END_TEST

/* ---- formats against a copy of LOGS.md's Tables 27-1 and 27-2 ------------- */

static const char *const logs_md[] = {
    "Cannot find outbound SA for rule <#d>",
    "Send Main Mode request to <IP>",
    "Send Aggressive Mode request to <IP>",
    "Recv Main Mode request from <IP>",
    "Recv Aggressive Mode request from <IP>",
    "Send:<Symbol><Symbol>...",
    "Recv:<Symbol><Symbol>...",
    "Phase 1 IKE SA process done",
    "Start Phase 2: Quick Mode",
    "!! IKE Negotiation is in process",
    "!! Duplicate requests with the same cookie",
    "!! No proposal chosen",
    "!! Verifying Local ID failed",
    "!! Verifying Remote ID failed",
    "!! Local / remote IPs of incoming request conflict with rule <#d>",
    "!! Invalid IP <IP start>/<IP end>",
    "!! Remote IP <IP start> / <IP end> conflicts",
    "!! Active connection allowed exceeded",
    "!! IKE Packet Retransmit",
    "!! Failed to send IKE Packet",
    "!! Too many errors! Deleting SA",
    "!! WAN IP changed to <IP>",
    "!! Cannot find Phase 2 SA",
    "!! Discard REPLAY packet",
    "!! Inbound packet authentication failed",
    "!! Inbound packet decryption failed",
    "Rule <#d> idle time out, disconnect",
};

/* Puts LOGS.md's placeholder names back where the format has %R %A %S %E %P. */
static void format_as_manual(const char *fmt, char *out, size_t outlen)
{
  size_t len = 0;
  out[0] = '\0';
  for (const char *p = fmt; *p != '\0'; p++) {
    const char *piece = NULL;
    char one[2] = {*p, '\0'};
    if (p[0] == '%' && p[1] != '\0') {
      switch (p[1]) {
      case 'R': piece = "#d"; break;
      case 'A': piece = "IP"; break;
      case 'S': piece = "IP start"; break;
      case 'E': piece = "IP end"; break;
      case 'P': piece = "<Symbol><Symbol>..."; break;
      default: break;
      }
    }
    if (piece != NULL)
      p++;
    else
      piece = one;
    ck_assert_uint_lt(len + strlen(piece), outlen);
    strcpy(out + len, piece);
    len += strlen(piece);
  }
}

START_TEST(test_format_matches_logs_md)
{
  ck_assert_uint_eq(sizeof logs_md / sizeof logs_md[0], LOG_ID_COUNT);
  const struct log_row *row = log_row((enum log_id)_i);
  ck_assert_ptr_nonnull(row);
  char manual[256];
  format_as_manual(row->format, manual, sizeof manual);
  ck_assert_str_eq(manual, logs_md[_i]);
}
END_TEST

/* The shared LOGS.md itself, when it is beside the checkout (../shared/, or
 * IKELAB_LOGS_MD): every "| K1 | `message` | when |" row must match the
 * catalogue. On a machine without it, the copy above stands in. */
START_TEST(test_format_matches_shared_logs_md)
{
  const char *path = getenv("IKELAB_LOGS_MD");
  if (!path)
    path = test_source_path("../shared/LOGS.md");
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "test_log: %s not present; the built-in copy of LOGS.md is used\n", path);
    return;
  }
  char line[512];
  unsigned rows = 0;
  while (fgets(line, sizeof line, f)) {
    char code[8], message[256];
    if (sscanf(line, "| %7[KP0-9] | `%255[^`]` |", code, message) != 2)
      continue;
    const struct log_row *row = log_row_by_code(code);
    ck_assert_msg(row != NULL, "LOGS.md row %s is not in the catalogue", code);
    char manual[256];
    format_as_manual(row->format, manual, sizeof manual);
    ck_assert_msg(strcmp(manual, message) == 0, "%s: catalogue \"%s\", LOGS.md \"%s\"", code,
                  manual, message);
    rows++;
  }
  fclose(f);
  ck_assert_uint_eq(rows, LOG_ID_COUNT);
}
END_TEST

/* "Two exclamation marks mean an error or a warning"; K rows are IKE, P IPSec. */
START_TEST(test_severity_and_category)
{
  const struct log_row *row = log_row((enum log_id)_i);
  int bang = strncmp(row->format, "!! ", 3) == 0;
  ck_assert_int_eq(row->severity == LOG_SEV_WARNING, bang);
  ck_assert_int_eq(row->category == LOG_CAT_IPSEC, row->code[0] == 'P');
}
END_TEST

START_TEST(test_lookup_misses)
{
  ck_assert_ptr_null(log_row_by_code("K99"));
  ck_assert_ptr_null(log_row_by_code("K"));
  ck_assert_ptr_null(log_row_by_code(""));
  ck_assert_ptr_null(log_row_by_code(NULL));
  ck_assert_ptr_null(log_row(LOG_ID_COUNT));
  ck_assert_ptr_nonnull(log_row_by_code("P6"));
}
END_TEST

/* ---- snprintf behaviour on small buffers ---------------------------------- */

START_TEST(test_render_tiny_buffers)
{
  struct log_event ev = sample_event(LOG_K15);
  const char *full = "!! Local / remote IPs of incoming request conflict with rule <#3>";
  char buf[8];

  memset(buf, 'x', sizeof buf);
  ck_assert_uint_eq(log_render(&ev, buf, 0), strlen(full));
  ck_assert_int_eq(buf[0], 'x'); /* outlen 0: nothing written */
  ck_assert_uint_eq(log_render(&ev, NULL, 0), strlen(full));

  memset(buf, 'x', sizeof buf);
  ck_assert_uint_eq(log_render(&ev, buf, 1), strlen(full));
  ck_assert_int_eq(buf[0], '\0');
  ck_assert_int_eq(buf[1], 'x');

  memset(buf, 'x', sizeof buf);
  ck_assert_uint_eq(log_render(&ev, buf, 5), strlen(full));
  ck_assert_str_eq(buf, "!! L");
  ck_assert_int_eq(buf[5], 'x');

  /* A cut inside a placeholder's value. */
  struct log_event ip = sample_event(LOG_K2);
  char cut[30];
  ck_assert_uint_eq(log_render(&ip, cut, sizeof cut), strlen("Send Main Mode request to <10.0.0.2>"));
  ck_assert_str_eq(cut, "Send Main Mode request to <10");
}
END_TEST

START_TEST(test_router_line_tiny_buffers)
{
  struct log_event ev = sample_event(LOG_K8);
  ev.time_ms = EXAMPLE_T0_MS;
  const char *full = "001 01 Jan 08:08:07 Phase 1 IKE SA process done";
  char buf[8];

  memset(buf, 'x', sizeof buf);
  ck_assert_uint_eq(log_format_router_line(&ev, 1, buf, 0), strlen(full));
  ck_assert_int_eq(buf[0], 'x');
  ck_assert_uint_eq(log_format_router_line(&ev, 1, buf, 1), strlen(full));
  ck_assert_int_eq(buf[0], '\0');
  ck_assert_uint_eq(log_format_router_line(&ev, 1, buf, 5), strlen(full));
  ck_assert_str_eq(buf, "001 ");

  char line[128];
  ck_assert_uint_eq(log_format_router_line(&ev, 1, line, sizeof line), strlen(full));
  ck_assert_str_eq(line, full);
  /* Past 999 the index just grows wider. */
  log_format_router_line(&ev, 1000, line, sizeof line);
  ck_assert_str_eq(line, "1000 01 Jan 08:08:07 Phase 1 IKE SA process done");
}
END_TEST

/* ---- the router's view: LOGS.md's example, byte for byte ------------------- */

static char *router_view_text(const struct log_ring *ring)
{
  char *text = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&text, &size);
  ck_assert_ptr_nonnull(mem);
  log_write_router_view(ring, mem);
  ck_assert_int_eq(fclose(mem), 0);
  return text;
}

START_TEST(test_router_view_example)
{
  static const struct {
    enum log_id id;
    unsigned second; /* after 08:08:07 */
    const char *payloads;
  } steps[] = {
      {LOG_K4, 0, ""},
      {LOG_K7, 0, "<SA>"},
      {LOG_K6, 1, "<SA>"},
      {LOG_K7, 1, "<KE><NONCE>"},
      {LOG_K6, 3, "<KE><NONCE>"},
      {LOG_K7, 3, "<ID><HASH>"},
      {LOG_K6, 3, "<ID><HASH>"},
      {LOG_K8, 3, ""},
      {LOG_K7, 3, "<HASH><SA><NONCE><ID><ID>"},
      {LOG_K9, 3, ""},
      {LOG_K6, 3, "<HASH><SA><NONCE><ID><ID>"},
      {LOG_K7, 3, "<HASH>"},
  };
  static const char expected[] =
      "Index: Date/Time: Log:\n"
      "------------------------------------------------------------\n"
      "001 01 Jan 08:08:07 Recv Main Mode request from <192.168.100.100>\n"
      "002 01 Jan 08:08:07 Recv:<SA>\n"
      "003 01 Jan 08:08:08 Send:<SA>\n"
      "004 01 Jan 08:08:08 Recv:<KE><NONCE>\n"
      "005 01 Jan 08:08:10 Send:<KE><NONCE>\n"
      "006 01 Jan 08:08:10 Recv:<ID><HASH>\n"
      "007 01 Jan 08:08:10 Send:<ID><HASH>\n"
      "008 01 Jan 08:08:10 Phase 1 IKE SA process done\n"
      "009 01 Jan 08:08:10 Recv:<HASH><SA><NONCE><ID><ID>\n"
      "010 01 Jan 08:08:10 Start Phase 2: Quick Mode\n"
      "011 01 Jan 08:08:10 Send:<HASH><SA><NONCE><ID><ID>\n"
      "012 01 Jan 08:08:10 Recv:<HASH>\n";

  struct log_ring ring;
  ck_assert_int_eq(log_ring_init(&ring, 64), 0);
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    struct log_event ev = {.id = steps[i].id};
    /* Milliseconds never round a second up. */
    ev.time_ms = EXAMPLE_T0_MS + steps[i].second * 1000u + (i * 83u) % 1000u;
    ev.f.addr = IPV4(192, 168, 100, 100);
    strcpy(ev.f.payloads, steps[i].payloads);
    log_ring_push(&ring, &ev);
  }
  char *text = router_view_text(&ring);
  ck_assert_str_eq(text, expected);
  free(text);
  log_ring_free(&ring);
}
END_TEST

/* ---- ring ----------------------------------------------------------------- */

START_TEST(test_ring_wraps)
{
  struct log_ring ring;
  ck_assert_int_eq(log_ring_init(&ring, 4), 0);
  ck_assert_ptr_null(log_ring_at(&ring, 0));
  for (int rule = 1; rule <= 10; rule++) {
    struct log_event ev = {.id = LOG_K1, .time_ms = EXAMPLE_T0_MS};
    ev.f.rule = rule;
    log_ring_push(&ring, &ev);
    ck_assert_uint_eq(ring.total, (uint64_t)rule);
    ck_assert_uint_eq(ring.count, rule < 4 ? (size_t)rule : 4u);
    /* The newest is always last. */
    ck_assert_int_eq(log_ring_at(&ring, ring.count - 1)->f.rule, rule);
  }
  for (size_t i = 0; i < 4; i++)
    ck_assert_int_eq(log_ring_at(&ring, i)->f.rule, (int)(7 + i));
  ck_assert_ptr_null(log_ring_at(&ring, 4));

  char *text = router_view_text(&ring);
  ck_assert_str_eq(text, "Index: Date/Time: Log:\n"
                         "------------------------------------------------------------\n"
                         "001 01 Jan 08:08:07 Cannot find outbound SA for rule <#7>\n"
                         "002 01 Jan 08:08:07 Cannot find outbound SA for rule <#8>\n"
                         "003 01 Jan 08:08:07 Cannot find outbound SA for rule <#9>\n"
                         "004 01 Jan 08:08:07 Cannot find outbound SA for rule <#10>\n");
  free(text);

  log_ring_clear(&ring);
  ck_assert_uint_eq(ring.count, 0);
  ck_assert_uint_eq(ring.total, 0);
  ck_assert_ptr_null(log_ring_at(&ring, 0));
  struct log_event again = {.id = LOG_P2};
  log_ring_push(&ring, &again);
  ck_assert_int_eq(log_ring_at(&ring, 0)->id, LOG_P2);
  log_ring_free(&ring);
  ck_assert_ptr_null(ring.events);
}
END_TEST

START_TEST(test_ring_rejects_zero_capacity)
{
  struct log_ring ring;
  ck_assert_int_ne(log_ring_init(&ring, 0), 0);
  struct log_event ev = {.id = LOG_K8};
  log_ring_push(&ring, &ev); /* must not crash; nothing is held */
  ck_assert_ptr_null(log_ring_at(&ring, 0));
  log_ring_free(&ring);
}
END_TEST

/* ---- JSON lines ----------------------------------------------------------- */

static json_object *json_line_of(const struct log_event *ev)
{
  char *text = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&text, &size);
  ck_assert_ptr_nonnull(mem);
  ck_assert_int_eq(log_write_json_line(ev, mem), 0);
  ck_assert_int_eq(fclose(mem), 0);
  /* Exactly one line. */
  ck_assert_uint_gt(size, 2);
  ck_assert_ptr_eq(strchr(text, '\n'), text + size - 1);
  json_object *obj = json_tokener_parse(text);
  free(text);
  ck_assert_ptr_nonnull(obj);
  return obj;
}

static const char *json_str(json_object *obj, const char *key)
{
  json_object *v = NULL;
  ck_assert_msg(json_object_object_get_ex(obj, key, &v), "missing key %s", key);
  ck_assert_int_eq(json_object_get_type(v), json_type_string);
  return json_object_get_string(v);
}

START_TEST(test_json_full)
{
  struct log_event ev = sample_event(LOG_K7);
  strcpy(ev.f.payloads, "<SA>");
  ev.time_ms = EXAMPLE_T0_MS + 123;
  static const uint8_t icookie[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  memcpy(ev.f.icookie, icookie, sizeof icookie);
  ev.f.spi = 0xc0ffee;

  json_object *obj = json_line_of(&ev);
  ck_assert_str_eq(json_str(obj, "id"), "K7");
  ck_assert_str_eq(json_str(obj, "category"), "IKE");
  ck_assert_str_eq(json_str(obj, "severity"), "info");
  ck_assert_str_eq(json_str(obj, "peer"), "10.0.0.2");
  ck_assert_str_eq(json_str(obj, "icookie"), "0123456789abcdef");
  ck_assert_str_eq(json_str(obj, "spi"), "0x00c0ffee");
  ck_assert_str_eq(json_str(obj, "message"), "Recv:<SA>");
  json_object *v = NULL;
  ck_assert(json_object_object_get_ex(obj, "time_ms", &v));
  ck_assert_int_eq(json_object_get_int64(v), (int64_t)(EXAMPLE_T0_MS + 123));
  ck_assert(json_object_object_get_ex(obj, "rule", &v));
  ck_assert_int_eq(json_object_get_int(v), 3);
  ck_assert(!json_object_object_get_ex(obj, "rcookie", NULL)); /* zero: left out */
  json_object_put(obj);
}
END_TEST

START_TEST(test_json_sparse)
{
  /* P1's address is our own WAN address: the message carries it, "peer" doesn't. */
  struct log_event ev = {.id = LOG_P1};
  ev.f.addr = IPV4(10, 0, 0, 2);
  json_object *obj = json_line_of(&ev);
  ck_assert_str_eq(json_str(obj, "id"), "P1");
  ck_assert_str_eq(json_str(obj, "category"), "IPSEC");
  ck_assert_str_eq(json_str(obj, "severity"), "warning");
  ck_assert_str_eq(json_str(obj, "message"), "!! WAN IP changed to <10.0.0.2>");
  static const char *const absent[] = {"time_ms", "rule", "peer", "icookie", "rcookie", "spi"};
  for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
    ck_assert_msg(!json_object_object_get_ex(obj, absent[i], NULL), "%s present", absent[i]);
  json_object_put(obj);

  /* A message with '/' survives the round trip unchanged. */
  struct log_event k16 = sample_event(LOG_K16);
  obj = json_line_of(&k16);
  ck_assert_str_eq(json_str(obj, "message"), "!! Invalid IP <10.1.0.1>/<10.1.0.9>");
  json_object_put(obj);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("log");

  TCase *catalogue = tcase_create("catalogue");
  tcase_add_test(catalogue, test_row_count);
  tcase_add_loop_test(catalogue, test_render_row, 0, (int)ROW_COUNT);
  tcase_add_loop_test(catalogue, test_format_matches_logs_md, 0, LOG_ID_COUNT);
  tcase_add_loop_test(catalogue, test_severity_and_category, 0, LOG_ID_COUNT);
  tcase_add_test(catalogue, test_format_matches_shared_logs_md);
  tcase_add_test(catalogue, test_lookup_misses);
  suite_add_tcase(s, catalogue);

  TCase *buffers = tcase_create("buffers");
  tcase_add_test(buffers, test_render_tiny_buffers);
  tcase_add_test(buffers, test_router_line_tiny_buffers);
  suite_add_tcase(s, buffers);

  TCase *sinks = tcase_create("sinks");
  tcase_add_test(sinks, test_router_view_example);
  tcase_add_test(sinks, test_ring_wraps);
  tcase_add_test(sinks, test_ring_rejects_zero_capacity);
  tcase_add_test(sinks, test_json_full);
  tcase_add_test(sinks, test_json_sparse);
  suite_add_tcase(s, sinks);

  return s;
}
