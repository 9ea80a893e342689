/* ikelab-conform: lists and runs the conformance cases; writes TAP and
 * JUnit XML. Exit 0 when every selected case passes, 1 on a failure, 2 on
 * a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner.h"

static void usage(FILE *out)
{
  fputs("usage: ikelab-conform [--list] [--case ID] [--covers ROW] [--tap FILE]\n"
        "                      [--junit FILE] [--help]\n"
        "  --list         list the cases with what each covers\n"
        "  --case ID      run only case ID (repeatable)\n"
        "  --covers ROW   run only cases covering ROW (K12, RFC2408-5.2; repeatable)\n"
        "  --tap FILE     write TAP results to FILE\n"
        "  --junit FILE   write JUnit XML to FILE\n",
        out);
}

enum { MAX_FILTERS = 32 };
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

static void xml_text(FILE *f, const char *s)
{
  for (; *s; s++) {
    switch (*s) {
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '&': fputs("&amp;", f); break;
    case '"': fputs("&quot;", f); break;
    default: fputc(*s, f);
    }
  }
}

int main(int argc, char **argv)
{
  bool list = false;
  const char *tap_path = NULL, *junit_path = NULL;
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
    } else {
      fprintf(stderr, "ikelab-conform: bad argument \"%s\"\n", o);
      usage(stderr);
      return 2;
    }
  }

  const struct scenario *sel[256];
  size_t nsel = 0;
  for (size_t i = 0; i < nscenarios && nsel < 256; i++)
    if (selected(&scenarios[i]))
      sel[nsel++] = &scenarios[i];
  if (nsel == 0) {
    fputs("ikelab-conform: no case matches the filter\n", stderr);
    return 2;
  }
  if (list) {
    for (size_t i = 0; i < nsel; i++)
      printf("%-28s %-22s %s\n", sel[i]->id, sel[i]->covers, sel[i]->what);
    return 0;
  }

  static bool pass[256];
  static char why[256][1024];
  size_t failed = 0;
  clock_t t0 = clock();
  for (size_t i = 0; i < nsel; i++) {
    printf("[%2zu/%zu] %-28s ", i + 1, nsel, sel[i]->id);
    fflush(stdout);
    pass[i] = run_scenario(sel[i], NULL, why[i], sizeof why[i]);
    puts(pass[i] ? "PASS" : "FAIL");
    if (!pass[i]) {
      failed++;
      run_scenario(sel[i], stdout, why[i], sizeof why[i]); /* again, with details */
    }
  }
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

  printf("\n%-28s %-22s %s\n", "case", "covers", "result");
  for (size_t i = 0; i < nsel; i++)
    printf("%-28s %-22s %s\n", sel[i]->id, sel[i]->covers, pass[i] ? "PASS" : "FAIL");
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
      xml_text(f, sel[i]->covers);
      fputs("\" name=\"", f);
      xml_text(f, sel[i]->id);
      if (pass[i]) {
        fputs("\"/>\n", f);
        continue;
      }
      fputs("\">\n    <failure message=\"", f);
      xml_text(f, why[i]);
      fputs("\"/>\n  </testcase>\n", f);
    }
    fputs("</testsuite>\n", f);
    fclose(f);
  }
  return failed ? 1 : 0;
}
