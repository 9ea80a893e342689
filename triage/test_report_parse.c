/* The report parser on real sanitizer output (the .txt files in
 * triage/testdata, made by testdata/make-canned from crashers.c): kind,
 * the message and the signature of each kind of report, from clang and gcc
 * ASan, UBSan, LeakSanitizer and libFuzzer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "report.h"
#include "triage.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct canned {
  const char *file;
  const char *tool, *kind; /* the full kind */
  const char *access;
  unsigned long size;
  enum severity sev;
  const char *signature;
  const char *message; /* a part of it */
};

static const struct canned cases[] = {
    {"clang-heap-read", "AddressSanitizer", "heap-buffer-overflow-read", "READ", 1, SEV_MEDIUM,
     "heap-buffer-overflow-read|heap_read|run|main", "heap-buffer-overflow on address"},
    {"clang-heap-write", "AddressSanitizer", "heap-buffer-overflow-write", "WRITE", 24, SEV_HIGH,
     "heap-buffer-overflow-write|heap_write|run|main", "heap-buffer-overflow"},
    {"clang-stack-write", "AddressSanitizer", "stack-buffer-overflow-write", "WRITE", 4, SEV_HIGH,
     "stack-buffer-overflow-write|stack_write|run|main", "stack-buffer-overflow"},
    {"clang-global-read", "AddressSanitizer", "global-buffer-overflow-read", "READ", 1,
     SEV_MEDIUM, "global-buffer-overflow-read|global_read|run|main", "global-buffer-overflow"},
    {"clang-use-after-free", "AddressSanitizer", "heap-use-after-free-write", "WRITE", 4,
     SEV_HIGH, "heap-use-after-free-write|use_after_free|run|main", "heap-use-after-free"},
    {"clang-double-free", "AddressSanitizer", "double-free", "", 0, SEV_HIGH,
     "double-free|double_free|run|main", "attempting double-free"},
    {"clang-leak", "LeakSanitizer", "leak", "", 48, SEV_LOW, "leak|leak|run|main",
     "detected memory leaks"},
    {"clang-wild-write", "AddressSanitizer", "segv-write", "WRITE", 0, SEV_HIGH,
     "segv-write|wild_write|run|main", "SEGV on unknown address 0x7fff00001000"},
    {"clang-near-null", "AddressSanitizer", "null-deref-read", "READ", 0, SEV_LOW,
     "null-deref-read|near_null|run|main", "SEGV on unknown address 0x000000000010"},
    {"clang-null", "UndefinedBehaviorSanitizer", "ubsan-null", "", 0, SEV_LOW,
     "ubsan-null|null_read|run|main", "member access within null pointer"},
    {"clang-signed-overflow", "UndefinedBehaviorSanitizer", "ubsan-signed-integer-overflow", "",
     0, SEV_LOW, "ubsan-signed-integer-overflow|signed_overflow|run|main",
     "signed integer overflow: 1 + 2147483647"},
    {"clang-shift", "UndefinedBehaviorSanitizer", "ubsan-shift-exponent", "", 0, SEV_LOW,
     "ubsan-shift-exponent|shift|run|main", "shift exponent 40"},
    {"clang-misaligned", "UndefinedBehaviorSanitizer", "ubsan-alignment", "", 0, SEV_LOW,
     "ubsan-alignment|misaligned|run|main", "misaligned address"},
    {"clang-bounds", "UndefinedBehaviorSanitizer", "ubsan-bounds", "", 0, SEV_LOW,
     "ubsan-bounds|out_of_bounds|run|main", "index 4 out of bounds"},
    {"clang-abort", "AddressSanitizer", "abort", "", 0, SEV_NONE, "abort|run|main",
     "crashers: invariant broken: the answer is not 42"},
    /* gcc's libasan: the same signatures as clang's. */
    {"gcc-heap-read", "AddressSanitizer", "heap-buffer-overflow-read", "READ", 1, SEV_MEDIUM,
     "heap-buffer-overflow-read|heap_read|run|main", "heap-buffer-overflow"},
    {"gcc-leak", "LeakSanitizer", "leak", "", 48, SEV_LOW, "leak|leak|run|main",
     "detected memory leaks"},
    {"gcc-use-after-free", "AddressSanitizer", "heap-use-after-free-write", "WRITE", 4, SEV_HIGH,
     "heap-use-after-free-write|use_after_free|run|main", "heap-use-after-free"},
    /* libFuzzer's own errors. */
    {"libfuzzer-timeout", "libFuzzer", "timeout", "", 0, SEV_NONE,
     "timeout|spin|LLVMFuzzerTestOneInput", "timeout after 1 seconds"},
    {"libfuzzer-oom", "libFuzzer", "oom", "", 3221225472ul, SEV_LOW,
     "oom|hog|LLVMFuzzerTestOneInput", "out-of-memory (malloc(3221225472))"},
    {"libfuzzer-abort", "libFuzzer", "abort", "", 0, SEV_NONE,
     "abort|check|LLVMFuzzerTestOneInput", "crashers_fuzz: invariant broken: byte 0 is A"},
};

static char *canned_text(const char *name)
{
  char rel[256];
  size_t len;
  snprintf(rel, sizeof rel, "triage/testdata/%s.txt", name);
  char *text = triage_slurp(test_source_path(rel), &len);
  ck_assert_msg(text != NULL, "cannot read %s", test_source_path(rel));
  return text;
}

START_TEST(classifies_each_kind)
{
  const struct canned *c = &cases[_i];
  struct report r;
  char kind[96], sig[1024], name[160], hash[9], want_name[160];
  report_set_project_root("/src/ikelab"); /* make-canned's -fdebug-prefix-map */
  char *text = canned_text(c->file);
  ck_assert_msg(report_parse(text, &r), "%s: no report found", c->file);
  free(text);
  report_full_kind(&r, kind, sizeof kind);
  report_signature(&r, sig, sizeof sig);
  ck_assert_msg(r.crashed, "%s: not a crash", c->file);
  ck_assert_str_eq(r.tool, c->tool);
  ck_assert_str_eq(kind, c->kind);
  ck_assert_str_eq(r.access, c->access);
  ck_assert_msg(r.size == c->size, "%s: size %lu, expected %lu", c->file, r.size, c->size);
  ck_assert_msg(report_severity(&r) == c->sev, "%s: severity %s, expected %s", c->file,
                severity_name(report_severity(&r)), severity_name(c->sev));
  ck_assert_str_eq(sig, c->signature);
  ck_assert_msg(strstr(r.message, c->message), "%s: message \"%s\" lacks \"%s\"", c->file,
                r.message, c->message);
  /* The regression file name: the kind and the signature's hash. */
  signature_hash8(sig, hash);
  signature_file_name(&r, name, sizeof name);
  snprintf(want_name, sizeof want_name, "%s-%s", c->kind, hash);
  ck_assert_str_eq(name, want_name);
}
END_TEST

START_TEST(clean_output_is_no_crash)
{
  struct report r;
  ck_assert(!report_parse("INFO: Seed: 1\nrunning x (10 bytes)\n1 inputs ran\n", &r));
  ck_assert(!r.crashed);
  ck_assert(!report_parse("", &r));
}
END_TEST

/* Only the first error counts: a second report after it is context. */
START_TEST(first_error_wins)
{
  report_set_project_root("/src/ikelab");
  char *ubsan = canned_text("clang-shift"), *asan = canned_text("clang-heap-read");
  size_t n = strlen(ubsan) + strlen(asan) + 1;
  char *both = malloc(n);
  snprintf(both, n, "%s%s", ubsan, asan);
  struct report r;
  ck_assert(report_parse(both, &r));
  ck_assert_str_eq(r.kind, "ubsan-shift-exponent");
  snprintf(both, n, "%s%s", asan, ubsan);
  ck_assert(report_parse(both, &r));
  ck_assert_str_eq(r.kind, "heap-buffer-overflow");
  ck_assert_str_eq(r.access, "READ");
  free(both);
  free(ubsan);
  free(asan);
}
END_TEST

START_TEST(project_frames)
{
  report_set_project_root("/src/ikelab");
  struct frame f = {.func = "decode_notify", .file = "/src/ikelab/core/src/isakmp_decode.c"};
  ck_assert(frame_is_project(&f));
  snprintf(f.file, sizeof f.file, "/elsewhere/core/src/isakmp_decode.c");
  ck_assert(!frame_is_project(&f)); /* outside the root */
  snprintf(f.file, sizeof f.file, "/src/ikelab/harness/reproducer_main.c");
  ck_assert(!frame_is_project(&f)); /* the reproducer's driver */
  snprintf(f.file, sizeof f.file, "/src/ikelab/core/src/isakmp_decode.c");
  snprintf(f.func, sizeof f.func, "__interceptor_memcpy");
  ck_assert(!frame_is_project(&f));
  struct frame libc = {.func = "__libc_start_main", .file = "csu/../csu/libc-start.c"};
  ck_assert(!frame_is_project(&libc));
  struct frame module = {.func = "main", .module = "/bin/x+0x80e72"};
  ck_assert(!frame_is_project(&module));
}
END_TEST

/* The scale the README gives: each row's severity. */
START_TEST(severity_table)
{
  static const struct {
    const char *kind, *access;
    enum severity sev;
  } rows[] = {
      {"heap-buffer-overflow", "WRITE", SEV_HIGH}, {"heap-buffer-overflow", "READ", SEV_MEDIUM},
      {"stack-buffer-overflow", "READ", SEV_MEDIUM}, {"heap-use-after-free", "READ", SEV_HIGH},
      {"double-free", "", SEV_HIGH},              {"segv", "READ", SEV_MEDIUM},
      {"null-deref", "READ", SEV_LOW},            {"leak", "", SEV_LOW},
      {"ubsan-shift-base", "", SEV_LOW},          {"oom", "", SEV_LOW},
      {"stack-overflow", "", SEV_LOW},            {"timeout", "", SEV_NONE},
      {"abort", "", SEV_NONE},
  };
  for (size_t i = 0; i < N(rows); i++) {
    struct report r = {.crashed = true};
    snprintf(r.kind, sizeof r.kind, "%s", rows[i].kind);
    snprintf(r.access, sizeof r.access, "%s", rows[i].access);
    ck_assert_msg(report_severity(&r) == rows[i].sev, "%s %s: %s", rows[i].kind, rows[i].access,
                  severity_name(report_severity(&r)));
  }
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("report_parse");
  TCase *tc = tcase_create("canned");
  tcase_add_loop_test(tc, classifies_each_kind, 0, (int)N(cases));
  tcase_add_test(tc, clean_output_is_no_crash);
  tcase_add_test(tc, first_error_wins);
  tcase_add_test(tc, project_frames);
  tcase_add_test(tc, severity_table);
  suite_add_tcase(s, tc);
  return s;
}
