/* ikelab-conform: lists and runs the conformance cases; ends with the
 * catalogue rows x cases table; writes TAP, JUnit XML and per-case pcaps.
 * Exit 0 when every selected case passes, 1 on a failure, 2 on a usage
 * error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remote_cli.h"
#include "markup.h"
#include "runner.h"
#include "ikelab/log.h"

static void usage(FILE *out)
{
  fputs("usage: ikelab-conform [--list] [--case ID] [--covers ROW] [--tap FILE]\n"
        "                      [--junit FILE] [--pcap DIR] [--quiet] [--help]\n"
        "  --list         list the cases with what each covers\n"
        "  --case ID      run only case ID (repeatable)\n"
        "  --covers ROW   run only cases covering ROW (K12, P3, RFC2408-5.2; repeatable)\n"
        "  --tap FILE     write TAP results to FILE\n"
        "  --junit FILE   write JUnit XML to FILE\n"
        "  --pcap DIR     write DIR/<case>.pcap (the wire) and DIR/<case>.clear.pcap\n"
        "                 (encrypted messages in the clear) for each case run\n"
        "  --quiet        no per-case progress lines\n"
        "  --target udp:ADDR:PORT  play the cases against a real IKEv1 peer instead\n"
        "                 (ikelab-conform --target x --help lists its options)\n"
        "Every case runs on a virtual clock in a world of two engines; after its own\n"
        "checks, each case must let a clean negotiation through on the same engines.\n",
        out);
}

enum { MAX_FILTERS = 32, MAX_CASES = 512 };
static const char *case_ids[MAX_FILTERS], *rows[MAX_FILTERS];
static size_t ncase_ids, nrows;

static bool selected(const struct scenario *sc)
{
  if (ncase_ids == 0 && nrows == 0)
    return true;
  for (size_t i = 0; i < ncase_ids; i++)
    if (strcmp(sc->id, case_ids[i]) == 0)
      return true;
  for (size_t i = 0; i < nrows; i++)
    if (scenario_covers(sc, rows[i]))
      return true;
  return false;
}

/* The rows a case may cover: the catalogue's, then every other token the
 * selected cases name (RFC sections), in first-seen order. */
static size_t collect_rows(const struct scenario *const *sel, size_t nsel, char rows_out[][32],
                           size_t max)
{
  size_t n = 0;
  for (int id = 0; id < LOG_ID_COUNT && n < max; id++)
    snprintf(rows_out[n++], 32, "%s", log_row((enum log_id)id)->code);
  for (size_t i = 0; i < nsel; i++)
    for (const char *p = sel[i]->covers; *p && n < max;) {
      size_t len = strcspn(p, " ");
      bool known = false;
      for (size_t r = 0; r < n && !known; r++)
        known = strlen(rows_out[r]) == len && strncmp(rows_out[r], p, len) == 0;
      if (!known && len < 32)
        snprintf(rows_out[n++], 32, "%.*s", (int)len, p);
      p += len;
      p += strspn(p, " ");
    }
  return n;
}

/* Catalogue rows (and RFC sections) x cases x PASS/FAIL. A row no selected
 * case covers says so: a hole in the suite is visible. */
static void print_row_table(const struct scenario *const *sel, const bool *pass, size_t nsel)
{
  static char rows_seen[256][32];
  size_t nrows_seen = collect_rows(sel, nsel, rows_seen, 256);
  printf("\n%-16s %-6s %s\n", "row", "result", "cases");
  for (size_t r = 0; r < nrows_seen; r++) {
    size_t n = 0, bad = 0;
    char list[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < nsel; i++) {
      if (!scenario_covers(sel[i], rows_seen[r]))
        continue;
      n++;
      bad += !pass[i];
      if (used < sizeof list)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s%s", n > 1 ? " " : "",
                                 sel[i]->id, pass[i] ? "" : "(FAIL)");
    }
    printf("%-16s %-6s %s\n", rows_seen[r], n == 0 ? "-" : bad ? "FAIL" : "PASS",
           n == 0 ? "(no case selected)" : list);
  }
}

int main(int argc, char **argv)
{
  bool list = false, quiet = false;
  const char *tap_path = NULL, *junit_path = NULL;
  struct run_options opt = {0};
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--target") == 0)
      return remote_main(argc, argv); /* direction 2: a real peer */
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    bool has_arg = i + 1 < argc;
    if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(o, "--list") == 0) {
      list = true;
    } else if (strcmp(o, "--case") == 0 && has_arg && ncase_ids < MAX_FILTERS) {
      case_ids[ncase_ids++] = argv[++i];
    } else if (strcmp(o, "--covers") == 0 && has_arg && nrows < MAX_FILTERS) {
      rows[nrows++] = argv[++i];
    } else if (strcmp(o, "--tap") == 0 && has_arg) {
      tap_path = argv[++i];
    } else if (strcmp(o, "--junit") == 0 && has_arg) {
      junit_path = argv[++i];
    } else if (strcmp(o, "--pcap") == 0 && has_arg) {
      opt.pcap_dir = argv[++i];
    } else if (strcmp(o, "--quiet") == 0) {
      quiet = true;
    } else {
      fprintf(stderr, "ikelab-conform: bad argument \"%s\"\n", o);
      usage(stderr);
      return 2;
    }
  }

  static const struct scenario *sel[MAX_CASES];
  size_t nsel = 0;
  for (size_t i = 0; i < scenario_count() && nsel < MAX_CASES; i++)
    if (selected(scenario_at(i)))
      sel[nsel++] = scenario_at(i);
  if (nsel == 0) {
    fputs("ikelab-conform: no case matches the filter\n", stderr);
    return 2;
  }
  if (list) {
    for (size_t i = 0; i < nsel; i++)
      printf("%-34s %-22s %s\n", sel[i]->id, sel[i]->covers, sel[i]->what);
    return 0;
  }

  static bool pass[MAX_CASES];
  static char why[MAX_CASES][2048];
  size_t failed = 0;
  clock_t t0 = clock();
  for (size_t i = 0; i < nsel; i++) {
    if (!quiet) {
      printf("[%3zu/%zu] %-34s ", i + 1, nsel, sel[i]->id);
      fflush(stdout);
    }
    opt.details = NULL;
    pass[i] = run_scenario(sel[i], &opt, why[i], sizeof why[i]);
    if (!quiet)
      puts(pass[i] ? "PASS" : "FAIL");
    if (!pass[i]) {
      failed++;
      if (quiet)
        printf("FAIL %s\n", sel[i]->id);
      opt.details = stdout;
      run_scenario(sel[i], &opt, why[i], sizeof why[i]); /* again, with details */
    }
  }
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

  print_row_table(sel, pass, nsel);
  printf("\n%zu cases, %zu passed, %zu failed (%.2f s CPU)\n", nsel, nsel - failed, failed, secs);

  if (tap_path) {
    FILE *f = fopen(tap_path, "w");
    if (!f) {
      perror(tap_path);
      return 2;
    }
    fprintf(f, "TAP version 13\n1..%zu\n", nsel);
    for (size_t i = 0; i < nsel; i++) {
      fprintf(f, "%s %zu - %s (covers %s)\n", pass[i] ? "ok" : "not ok", i + 1, sel[i]->id,
              sel[i]->covers);
      if (!pass[i])
        for (const char *p = why[i]; *p;) {
          size_t len = strcspn(p, "\n");
          fprintf(f, "# %.*s\n", (int)len, p);
          p += len + (p[len] == '\n');
        }
    }
    fclose(f);
  }
  if (junit_path) {
    FILE *f = fopen(junit_path, "w");
    if (!f) {
      perror(junit_path);
      return 2;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuite name=\"conformance\" tests=\"%zu\" failures=\"%zu\">\n",
            nsel, failed);
    for (size_t i = 0; i < nsel; i++) {
      fputs("  <testcase classname=\"conformance.", f);
      markup_text(f, sel[i]->covers);
      fputs("\" name=\"", f);
      markup_text(f, sel[i]->id);
      if (pass[i]) {
        fputs("\"/>\n", f);
        continue;
      }
      fputs("\">\n    <failure message=\"", f);
      markup_text(f, why[i]);
      fputs("\"/>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n", f);
    fclose(f);
  }
  return failed ? 1 : 0;
}
