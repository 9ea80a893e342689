/* ikelab-triage: crash, timeout and OOM inputs in; per unique crash a
 * classified, symbolised, minimised and decoded report out (Markdown, JSON,
 * SARIF), deduplicated against corpus/regressions/. README: "Triage a
 * crash". */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "decode.h"
#include "symbolize.h"
#include "triage.h"

#ifndef IKELAB_SOURCE_DIR
#define IKELAB_SOURCE_DIR "."
#endif

enum { EXIT_NO_NEW = 0, EXIT_NEW = 1, EXIT_SETUP = 2 };

static bool quiet;

static void usage(FILE *out, const char *argv0)
{
  fprintf(out,
          "usage: %s --target TARGET [options] FILE|DIR...\n"
          "Triages crash, timeout and OOM inputs of one fuzz target (fuzz_isakmp_decode,\n"
          "fuzz_responder, fuzz_quick_mode, fuzz_initiator, fuzz_esp, fuzz_config).\n"
          "Each input runs several times under the sanitizer build's reproducer (flaky\n"
          "inputs are marked) and once under the release build's; the report is\n"
          "classified (kind, READ/WRITE and size, ClusterFuzz-style severity), its stack\n"
          "symbolised, and a signature made of the kind and the top %d project frames.\n"
          "Per unique signature: deduplicated against corpus/regressions/<name>/,\n"
          "minimised (libFuzzer -minimize_crash, else afl-tmin), decoded (packets through\n"
          "the dissector, scripts step by step) into a pcap. Reports: OUT/report.md,\n"
          "OUT/report.json, OUT/report.sarif (SARIF 2.1.0); per crash OUT/<signature>/.\n"
          "\n"
          "  -t, --target NAME      the fuzz target (\"fuzz_\" may be left out)\n"
          "  -o, --out DIR          where the reports go (default triage-out)\n"
          "  -b, --build DIR        sanitizer build tree (default: build/fuzz, else build/dev):\n"
          "                         its harness/NAME_repro runs the inputs, its libFuzzer\n"
          "                         harness/NAME minimises (either alone does both)\n"
          "      --bin PATH         the sanitizer binary itself (libFuzzer or _repro)\n"
          "      --release DIR|none release build tree (default build/release if built)\n"
          "      --afl-bin PATH|DIR AFL++ build of the target (or its build tree), for\n"
          "                         afl-tmin when there is no libFuzzer binary (default build/afl)\n"
          "  -n, --runs N           runs per input under the sanitizer build (default 3)\n"
          "  -j, --jobs N           runs at once (default 1)\n"
          "      --timeout S        seconds before a run is a timeout (default 10)\n"
          "      --rss-limit MB     memory before a run is an OOM (default 2048)\n"
          "  -m, --minimize-time S  bound on minimising one crash, 0 = off (default 30)\n"
          "  -s, --source DIR       source tree (default %s)\n"
          "      --regressions DIR  default SOURCE/corpus/regressions\n"
          "  -a, --add-regression   store each new crash's minimised input as\n"
          "                         REGRESSIONS/<name>/<kind>-<hash8> and in REGRESSIONS/index.json\n"
          "      --symbolizer PATH  llvm-symbolizer (default: found on PATH or /usr/lib/llvm-*)\n"
          "  -d, --decode           only decode each input (to stdout, packets to\n"
          "                         OUT/decoded-N.pcap): nothing is run\n"
          "  -q, --quiet            no progress lines\n"
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 no new unique crash (none, or all known), 1 a new one, 2 usage or setup\n"
          "error.\n",
          argv0, REPORT_SIG_FRAMES, IKELAB_SOURCE_DIR);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
  if (quiet)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
}

static bool write_file(const char *path, const void *data, size_t len)
{
  FILE *f = fopen(path, "wb");
  if (!f)
    return false;
  bool ok = fwrite(data, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

static bool executable(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* ---- set-up: binaries, symboliser, inputs ---- */

static bool file_contains(const char *path, const char *needle)
{
  size_t len, k = strlen(needle);
  char *data = triage_slurp(path, &len);
  bool found = false;
  for (size_t i = 0; data && !found && i + k <= len; i++)
    found = data[i] == needle[0] && memcmp(data + i, needle, k) == 0;
  free(data);
  return found;
}

/* The reproducer runs each input (it starts faster than a libFuzzer binary
 * and copies the input to an exact-size buffer); the libFuzzer binary of the
 * same build minimises, and gives a timeout its stack. Either alone will do. */
static bool pick_binary(struct triage *t, const char *build, char *err, size_t errlen)
{
  const char *dirs[2] = {build, NULL};
  char fuzz[PATH_MAX], dev[PATH_MAX];
  if (!t->bin[0] && !build) {
    tr_text(fuzz, sizeof fuzz, "%s/build/fuzz", t->source);
    tr_text(dev, sizeof dev, "%s/build/dev", t->source);
    dirs[0] = fuzz;
    dirs[1] = dev;
  }
  for (size_t i = 0; i < 2 && dirs[i] && !t->bin[0]; i++) {
    char lf[PATH_MAX + 300], repro[PATH_MAX + 300];
    tr_text(lf, sizeof lf, "%s/harness/%s", dirs[i], t->target);
    tr_text(repro, sizeof repro, "%s/harness/%s_repro", dirs[i], t->target);
    if (executable(lf) && file_contains(lf, "minimize_crash_internal_step"))
      tr_text(t->fuzzer_bin, sizeof t->fuzzer_bin, "%s", lf);
    if (executable(repro))
      tr_text(t->bin, sizeof t->bin, "%s", repro);
    else if (t->fuzzer_bin[0])
      tr_text(t->bin, sizeof t->bin, "%s", t->fuzzer_bin);
  }
  if (!t->bin[0]) {
    tr_text(err, errlen, "no sanitizer build of %s: looked for harness/%s and harness/%s_repro in %s%s%s "
                          "(build the fuzz or dev preset, or give --build or --bin)",
             t->target, t->target, t->target, dirs[0], dirs[1] ? " and " : "", dirs[1] ? dirs[1] : "");
    return false;
  }
  if (!executable(t->bin)) {
    tr_text(err, errlen, "--bin %s: not an executable file", t->bin);
    return false;
  }
  /* libFuzzer's flag table is in every libFuzzer binary. */
  t->libfuzzer = file_contains(t->bin, "minimize_crash_internal_step");
  if (t->libfuzzer)
    tr_text(t->fuzzer_bin, sizeof t->fuzzer_bin, "%s", t->bin);
  else if (!t->fuzzer_bin[0]) { /* --bin X_repro: X beside it */
    char lf[PATH_MAX];
    size_t n = strlen(t->bin);
    if (n > 6 && strcmp(t->bin + n - 6, "_repro") == 0 && tr_path(lf, sizeof lf, "%.*s", (int)(n - 6), t->bin) &&
        executable(lf) && file_contains(lf, "minimize_crash_internal_step"))
      tr_text(t->fuzzer_bin, sizeof t->fuzzer_bin, "%s", lf);
  }
  return true;
}

static bool pick_release(struct triage *t, const char *release, char *err, size_t errlen)
{
  if (release && strcmp(release, "none") == 0)
    return true;
  char dir[PATH_MAX], p[PATH_MAX + 300];
  tr_text(dir, sizeof dir, "%s", release ? release : "");
  if (!release)
    tr_text(dir, sizeof dir, "%s/build/release", t->source);
  tr_text(p, sizeof p, "%s/harness/%s_repro", dir, t->target);
  if (executable(p))
    tr_text(t->release_bin, sizeof t->release_bin, "%s", p);
  else if (release) {
    tr_text(err, errlen, "--release %s: no executable %s", release, p);
    return false;
  }
  return true;
}

static bool find_symbolizer(struct triage *t, const char *given, char *err, size_t errlen)
{
  const char *env = getenv("ASAN_SYMBOLIZER_PATH");
  const char *first = given ? given : env && env[0] ? env : NULL;
  if (first) {
    if (!executable(first)) {
      tr_text(err, errlen, "symbolizer %s (%s): not an executable file", first,
               given ? "--symbolizer" : "ASAN_SYMBOLIZER_PATH");
      return false;
    }
    tr_text(t->symbolizer, sizeof t->symbolizer, "%s", first);
    return true;
  }
  const char *path = getenv("PATH");
  char names[12][32];
  size_t nnames = 0;
  tr_text(names[nnames++], sizeof names[0], "llvm-symbolizer");
  for (int v = 20; v >= 11 && nnames < 12; v--)
    tr_text(names[nnames++], sizeof names[0], "llvm-symbolizer-%d", v);
  for (size_t i = 0; i < nnames && path; i++) {
    char dirs[4096];
    tr_text(dirs, sizeof dirs, "%s", path);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
      char p[PATH_MAX + 64];
      tr_text(p, sizeof p, "%s/%s", d, names[i]);
      if (executable(p)) {
        tr_text(t->symbolizer, sizeof t->symbolizer, "%s", p);
        return true;
      }
    }
  }
  glob_t g;
  if (glob("/usr/lib/llvm-*/bin/llvm-symbolizer", 0, NULL, &g) == 0) {
    tr_text(t->symbolizer, sizeof t->symbolizer, "%s", g.gl_pathv[g.gl_pathc - 1]);
    globfree(&g);
    return true;
  }
  tr_text(err, errlen, "no llvm-symbolizer on PATH or in /usr/lib/llvm-*/bin (install llvm, "
                        "or give --symbolizer PATH)");
  return false;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
  return strcmp((*a)->d_name, (*b)->d_name);
}

static bool skipped_name(const char *name)
{
  return name[0] == '.' || strcmp(name, "README.md") == 0 || strcmp(name, "README.txt") == 0;
}

static bool add_input(struct triage *t, const char *path, size_t *cap, char *err, size_t errlen)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    tr_text(err, errlen, "%s: %s", path, strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
      tr_text(err, errlen, "%s: %s", path, strerror(errno));
      return false;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
      if (ok && !skipped_name(names[i]->d_name)) {
        char child[PATH_MAX];
        tr_text(child, sizeof child, "%s/%s", path, names[i]->d_name);
        ok = add_input(t, child, cap, err, errlen);
      }
      free(names[i]);
    }
    free(names);
    return ok;
  }
  if (t->ninputs == *cap) {
    *cap = *cap ? *cap * 2 : 64;
    struct input *grown = realloc(t->inputs, *cap * sizeof *grown);
    if (!grown) {
      tr_text(err, errlen, "out of memory");
      return false;
    }
    t->inputs = grown;
  }
  struct input *in = &t->inputs[t->ninputs++];
  memset(in, 0, sizeof *in);
  tr_text(in->path, sizeof in->path, "%s", path);
  in->size = (size_t)st.st_size;
  in->crash = -1;
  return true;
}

/* ---- running ---- */

struct run {
  struct report rep;
  char signature[1024];
  char *output;
  char outcome[128];
};

static void sanitizer_env(const struct triage *t, bool symbolize, bool libfuzzer,
                          char env[3][1024])
{
  tr_text(env[0], sizeof env[0],
          "ASAN_OPTIONS=symbolize=%d:external_symbolizer_path=%s:detect_leaks=1:abort_on_error=0:"
          "handle_abort=%d:allocator_may_return_null=0:hard_rss_limit_mb=%u:print_summary=1",
          symbolize, t->symbolizer, !libfuzzer, t->rss_mb);
  tr_text(env[1], sizeof env[1],
          "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:symbolize=%d:"
          "external_symbolizer_path=%s",
          symbolize, t->symbolizer);
  tr_text(env[2], sizeof env[2], "IKELAB_TRIAGE_CHILD=1");
}

/* The command line of one run of one input under the sanitizer build. */
struct cmd {
  char env[3][1024];
  char *envp[4];
  char timeout[32], rss[32], prefix[PATH_MAX + 32];
  char *argv[8];
  unsigned deadline;
};

static void make_cmd(const struct triage *t, const char *bin, bool libfuzzer, const char *input,
                     struct cmd *c)
{
  /* Symbolised afterwards, a batch at a time (symbolize.h). */
  sanitizer_env(t, false, libfuzzer, c->env);
  for (int i = 0; i < 3; i++)
    c->envp[i] = c->env[i];
  c->envp[3] = NULL;
  tr_text(c->timeout, sizeof c->timeout, "-timeout=%u", t->timeout);
  tr_text(c->rss, sizeof c->rss, "-rss_limit_mb=%u", t->rss_mb);
  tr_text(c->prefix, sizeof c->prefix, "-artifact_prefix=%s/.artifacts/", t->out);
  size_t n = 0;
  c->argv[n++] = (char *)bin;
  if (libfuzzer) {
    c->argv[n++] = c->timeout;
    c->argv[n++] = c->rss;
    c->argv[n++] = c->prefix;
  }
  c->argv[n++] = (char *)input;
  c->argv[n] = NULL;
  /* libFuzzer reports its own timeout; the deadline here only stops a hang
   * of libFuzzer itself. The reproducer is stopped at the timeout. */
  c->deadline = libfuzzer ? t->timeout * 2 + 10 : t->timeout;
}

/* What a finished run says; takes the output over when it crashed. */
static void read_run(struct child_result *res, unsigned deadline, struct run *out)
{
  memset(out, 0, sizeof *out);
  child_describe(res, deadline, out->outcome, sizeof out->outcome);
  if (!report_parse(res->output ? res->output : "", &out->rep)) {
    if (res->timed_out) {
      out->rep.crashed = true;
      tr_text(out->rep.tool, sizeof out->rep.tool, "ikelab-triage");
      tr_text(out->rep.kind, sizeof out->rep.kind, "timeout");
      tr_text(out->rep.message, sizeof out->rep.message, "killed after %u s", deadline);
    } else if (WIFSIGNALED(res->status)) {
      out->rep.crashed = true;
      tr_text(out->rep.tool, sizeof out->rep.tool, "signal");
      tr_text(out->rep.kind, sizeof out->rep.kind, "%s",
              WTERMSIG(res->status) == SIGABRT ? "abort" : "deadly-signal");
      tr_text(out->rep.message, sizeof out->rep.message, "%s without a sanitizer report",
              out->outcome);
    }
  }
  if (out->rep.crashed) {
    out->output = res->output;
    res->output = NULL;
  }
  child_result_free(res);
}

/* The crashed runs' stacks symbolised, one llvm-symbolizer for all, then
 * their signatures. */
static bool sign_runs(const struct triage *t, struct run *runs, size_t n, char *err,
                      size_t errlen)
{
  struct report **reps = calloc(n ? n : 1, sizeof *reps);
  size_t k = 0;
  if (!reps) {
    tr_text(err, errlen, "out of memory");
    return false;
  }
  for (size_t i = 0; i < n; i++)
    if (runs[i].rep.crashed)
      reps[k++] = &runs[i].rep;
  char work[PATH_MAX + 16];
  tr_text(work, sizeof work, "%s/.artifacts", t->out);
  bool ok = symbolize_reports(t->symbolizer, work, reps, k, err, errlen);
  free(reps);
  for (size_t i = 0; ok && i < n; i++)
    if (runs[i].rep.crashed)
      report_signature(&runs[i].rep, runs[i].signature, sizeof runs[i].signature);
  return ok;
}

static bool run_one(const struct triage *t, const char *bin, bool libfuzzer, const char *input,
                    struct run *out, char *err, size_t errlen)
{
  struct cmd *c = malloc(sizeof *c);
  struct child_result res;
  if (!c) {
    tr_text(err, errlen, "out of memory");
    return false;
  }
  make_cmd(t, bin, libfuzzer, input, c);
  bool ok = child_run(c->argv, c->envp, c->deadline, &res, err, errlen);
  if (ok)
    read_run(&res, c->deadline, out);
  free(c);
  return ok && sign_runs(t, out, 1, err, errlen);
}

static int crash_for(struct triage *t, const struct run *r)
{
  for (size_t i = 0; i < t->ncrashes; i++)
    if (strcmp(t->crashes[i].signature, r->signature) == 0)
      return (int)i;
  struct crash *grown = realloc(t->crashes, (t->ncrashes + 1) * sizeof *grown);
  if (!grown)
    return -1;
  t->crashes = grown;
  struct crash *c = &t->crashes[t->ncrashes];
  memset(c, 0, sizeof *c);
  c->representative = SIZE_MAX;
  tr_text(c->signature, sizeof c->signature, "%s", r->signature);
  signature_hash8(c->signature, c->hash);
  report_full_kind(&r->rep, c->full_kind, sizeof c->full_kind);
  signature_file_name(&r->rep, c->name, sizeof c->name);
  return (int)t->ncrashes++;
}

/* A timeout of the reproducer has no stack: the libFuzzer binary prints
 * one when it times out itself, which gives the signature its frames. */
static void timeout_stack(const struct triage *t, const char *input, struct run *first)
{
  if (strcmp(first->rep.kind, "timeout") != 0 || first->rep.nframes || !t->fuzzer_bin[0] ||
      strcmp(t->fuzzer_bin, t->bin) == 0)
    return;
  struct run again;
  char err[512];
  if (!run_one(t, t->fuzzer_bin, true, input, &again, err, sizeof err))
    return;
  if (again.rep.crashed && strcmp(again.rep.kind, "timeout") == 0 && again.rep.nframes) {
    free(first->output);
    *first = again;
    return;
  }
  free(again.output);
}

/* The runs of input i are done: group it under its signature. */
static bool settle_input(struct triage *t, size_t i, struct run *runs, char *err, size_t errlen)
{
  struct input *in = &t->inputs[i];
  struct run *first = NULL;
  for (unsigned k = 0; k < t->runs; k++) {
    in->runs++;
    if (!runs[k].rep.crashed) {
      if (!in->outcome[0])
        tr_text(in->outcome, sizeof in->outcome, "%s", runs[k].outcome);
      continue;
    }
    if (!first)
      first = &runs[k];
    /* Another signature in a later run counts as not reproducing this one. */
    in->crashed_runs += strcmp(runs[k].signature, first->signature) == 0;
  }
  if (!first) {
    note("[%zu/%zu] %s (%zu bytes): did not reproduce (%s)\n", i + 1, t->ninputs, in->path,
         in->size, in->outcome);
    return true;
  }
  timeout_stack(t, in->path, first);
  int k = crash_for(t, first);
  if (k < 0) {
    tr_text(err, errlen, "out of memory");
    return false;
  }
  struct crash *c = &t->crashes[k];
  in->crash = k;
  c->ninputs++;
  c->runs += in->runs;
  c->crashed_runs += in->crashed_runs;
  c->flaky = c->crashed_runs < c->runs;
  if (c->representative == SIZE_MAX || in->size < t->inputs[c->representative].size) {
    c->representative = i;
    c->rep = first->rep;
    c->sev = report_severity(&c->rep);
    free(c->log);
    c->log = first->output;
    first->output = NULL;
  }
  note("[%zu/%zu] %s (%zu bytes): %s (%u/%u runs)\n", i + 1, t->ninputs, in->path, in->size,
       c->name, in->crashed_runs, in->runs);
  return true;
}

/* Every input t->runs times, t->jobs at once, a batch of inputs at a time. */
static bool reproduce_all(struct triage *t, char *err, size_t errlen)
{
  enum { BATCH = 16 };
  size_t per = t->runs, max = BATCH * per;
  struct cmd *cmds = calloc(BATCH, sizeof *cmds);
  struct child_task *tasks = calloc(max, sizeof *tasks);
  struct run *runs = calloc(max, sizeof *runs);
  bool ok = cmds && tasks && runs;
  if (!ok)
    tr_text(err, errlen, "out of memory");
  for (size_t base = 0; ok && base < t->ninputs; base += BATCH) {
    size_t n = t->ninputs - base < BATCH ? t->ninputs - base : BATCH;
    for (size_t i = 0; i < n; i++) {
      make_cmd(t, t->bin, t->libfuzzer, t->inputs[base + i].path, &cmds[i]);
      for (size_t k = 0; k < per; k++)
        tasks[i * per + k] = (struct child_task){
            .argv = cmds[i].argv, .env = cmds[i].envp, .timeout_s = cmds[i].deadline};
    }
    ok = child_run_many(tasks, n * per, t->jobs, err, errlen);
    for (size_t j = 0; j < n * per; j++) {
      if (ok)
        read_run(&tasks[j].res, tasks[j].timeout_s, &runs[j]);
      else
        child_result_free(&tasks[j].res);
    }
    ok = ok && sign_runs(t, runs, n * per, err, errlen);
    for (size_t i = 0; ok && i < n; i++)
      ok = settle_input(t, base + i, &runs[i * per], err, errlen);
    for (size_t j = 0; j < n * per; j++) {
      free(runs[j].output);
      runs[j].output = NULL;
    }
  }
  free(cmds);
  free(tasks);
  free(runs);
  return ok;
}

/* ---- per unique crash ---- */

static void release_run(const struct triage *t, struct crash *c)
{
  if (!t->release_bin[0]) {
    tr_text(c->release_outcome, sizeof c->release_outcome,
             "no release build: cmake --preset release && cmake --build --preset release");
    return;
  }
  char *argv[] = {(char *)t->release_bin, t->inputs[c->representative].path, NULL};
  struct child_result res;
  char err[512];
  if (!child_run(argv, NULL, t->timeout, &res, err, sizeof err)) {
    tr_text(c->release_outcome, sizeof c->release_outcome, "%s", err);
    return;
  }
  c->release_ran = true;
  c->release_crashed = !child_clean(&res);
  child_describe(&res, t->timeout, c->release_outcome, sizeof c->release_outcome);
  child_result_free(&res);
}

static bool copy_input(const char *from, const char *to, size_t *size)
{
  size_t len;
  char *data = triage_slurp(from, &len);
  bool ok = data && write_file(to, data, len);
  free(data);
  *size = len;
  return ok;
}

/* The candidate crashes the same way: its signature again. */
static bool same_crash(const struct triage *t, const struct crash *c, const char *candidate,
                       char *why, size_t whylen)
{
  struct run r;
  char err[512];
  if (!run_one(t, t->bin, t->libfuzzer, candidate, &r, err, sizeof err)) {
    tr_text(why, whylen, "%s", err);
    return false;
  }
  free(r.output);
  if (!r.rep.crashed) {
    tr_text(why, whylen, "the minimised input did not crash (%s)", r.outcome);
    return false;
  }
  if (strcmp(r.signature, c->signature) != 0) {
    tr_text(why, whylen, "the minimised input crashed elsewhere (%s)", r.signature);
    return false;
  }
  return true;
}

/* --afl-bin: the binary, or an AFL++ build tree (its harness/<target>). */
static const char *afl_binary(const struct triage *t, const char *given, char *buf, size_t buflen)
{
  struct stat st;
  if (given && stat(given, &st) == 0 && !S_ISDIR(st.st_mode))
    return executable(given) ? given : NULL;
  if (given)
    tr_text(buf, buflen, "%s/harness/%s", given, t->target);
  else
    tr_text(buf, buflen, "%s/build/afl/harness/%s", t->source, t->target);
  return executable(buf) ? buf : NULL;
}

static bool find_on_path(const char *name, char *out, size_t outlen)
{
  const char *path = getenv("PATH");
  char dirs[4096];
  tr_text(dirs, sizeof dirs, "%s", path ? path : "/usr/bin");
  for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    tr_text(out, outlen, "%s/%s", d, name);
    if (executable(out))
      return true;
  }
  return false;
}

static void minimise(const struct triage *t, struct crash *c, const char *afl_given)
{
  const char *orig = t->inputs[c->representative].path;
  char cand[PATH_MAX + 32], keep[PATH_MAX + 32], afl_buf[PATH_MAX + 64], tmin[PATH_MAX];
  tr_text(cand, sizeof cand, "%s/minimised.candidate", c->dir);
  tr_text(keep, sizeof keep, "%s/reproducer", c->dir);
  tr_text(c->min_path, sizeof c->min_path, "%s", keep);
  c->orig_size = t->inputs[c->representative].size;
  const char *afl = afl_binary(t, afl_given, afl_buf, sizeof afl_buf);
  struct child_result res;
  char err[512];
  bool ran = false;
  unlink(cand);
  if (t->min_seconds == 0 || c->known) {
    tr_text(c->min_method, sizeof c->min_method, "none");
    tr_text(c->min_note, sizeof c->min_note, "%s",
            c->known ? "known: its regression file is the minimised one" : "--minimize-time 0");
  } else if (t->fuzzer_bin[0]) {
    char env[3][1024], mt[32], to[32], rss[32], exact[PATH_MAX + 32], prefix[PATH_MAX + 32];
    sanitizer_env(t, false, true, env); /* no symbolising of every crash on the way */
    char *envp[] = {env[0], env[1], env[2], NULL};
    /* libFuzzer spends -max_total_time on each step, the last one finding
     * nothing: a third of the bound a step, and the whole run stopped at the
     * bound (each smaller crash is written to `cand` as it is found). */
    tr_text(mt, sizeof mt, "-max_total_time=%u", t->min_seconds / 3 ? t->min_seconds / 3 : 1);
    tr_text(to, sizeof to, "-timeout=%u", t->timeout);
    tr_text(rss, sizeof rss, "-rss_limit_mb=%u", t->rss_mb);
    tr_text(exact, sizeof exact, "-exact_artifact_path=%s", cand);
    tr_text(prefix, sizeof prefix, "-artifact_prefix=%s/.artifacts/", t->out);
    char *argv[] = {(char *)t->fuzzer_bin, "-minimize_crash=1", mt, to, rss, exact, prefix, (char *)orig,
                    NULL};
    tr_text(c->min_method, sizeof c->min_method, "libFuzzer -minimize_crash");
    ran = child_run(argv, envp, t->min_seconds, &res, err, sizeof err);
  } else if (afl && find_on_path("afl-tmin", tmin, sizeof tmin)) {
    char to[32];
    tr_text(to, sizeof to, "%u", t->timeout * 1000);
    char *argv[] = {tmin, "-i", (char *)orig, "-o", cand, "-t", to, "-m", "none", "--",
                    (char *)afl, "@@", NULL};
    /* AFL_NO_FORKSRV: afl-tmin 4.04c cannot start the fork server of a
     * libAFLDriver binary ("Fork server crashed with signal 6"). */
    char *envp[] = {"AFL_SKIP_CPUFREQ=1", "AFL_NO_UI=1", "AFL_NO_FORKSRV=1",
                    "ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0", NULL};
    tr_text(c->min_method, sizeof c->min_method, "afl-tmin");
    ran = child_run(argv, envp, t->min_seconds, &res, err, sizeof err);
  } else {
    tr_text(c->min_method, sizeof c->min_method, "none");
    tr_text(c->min_note, sizeof c->min_note,
             "no libFuzzer build of %s, and no afl-tmin with an AFL++ build (build the fuzz "
             "or afl preset)", t->target);
  }
  if (ran) {
    char log[PATH_MAX + 32];
    tr_text(log, sizeof log, "%s/minimise.log", c->dir);
    write_file(log, res.output, res.len);
    if (res.timed_out) {
      tr_text(c->min_note, sizeof c->min_note, "stopped at the %u s bound", t->min_seconds);
    } else if (!child_clean(&res)) {
      char how[128];
      child_describe(&res, t->min_seconds, how, sizeof how);
      tr_text(c->min_note, sizeof c->min_note, "%s failed (%s), see %s", c->min_method, how, log);
    }
    child_result_free(&res);
  } else if (strcmp(c->min_method, "none") != 0) {
    tr_text(c->min_note, sizeof c->min_note, "%s", err);
  }
  struct stat st;
  char why[1200];
  if (ran && stat(cand, &st) == 0 && (size_t)st.st_size < c->orig_size) {
    if (same_crash(t, c, cand, why, sizeof why) && rename(cand, keep) == 0) {
      c->min_size = (size_t)st.st_size;
      return;
    }
    tr_text(c->min_note, sizeof c->min_note, "%s; the original is kept", why);
  } else if (ran && !c->min_note[0]) {
    tr_text(c->min_note, sizeof c->min_note, "no smaller input found");
  }
  unlink(cand);
  copy_input(orig, keep, &c->min_size);
}

static void decode(const struct triage *t, struct crash *c)
{
  size_t len;
  tr_text(c->decode_path, sizeof c->decode_path, "%s/decoded.txt", c->dir);
  tr_text(c->pcap_path, sizeof c->pcap_path, "%s/packets.pcap", c->dir);
  char *data = triage_slurp(c->min_path, &len);
  if (!data) {
    c->npackets = -1;
    tr_text(c->decode_note, sizeof c->decode_note, "%s: %s", c->min_path, strerror(errno));
    return;
  }
  c->npackets = decode_isolated(t->target, (const uint8_t *)data, len, c->decode_path,
                                c->pcap_path, c->decode_note, sizeof c->decode_note);
  free(data);
}

static bool make_dir(const char *path, char *err, size_t errlen)
{
  if (mkdir(path, 0755) != 0 && errno != EEXIST) {
    tr_text(err, errlen, "%s: %s", path, strerror(errno));
    return false;
  }
  return true;
}

static bool finish_crash(struct triage *t, struct crash *c, const char *afl_given, char *err,
                         size_t errlen)
{
  tr_text(c->dir, sizeof c->dir, "%s/%s", t->out, c->name);
  if (!make_dir(c->dir, err, errlen))
    return false;
  tr_text(c->log_path, sizeof c->log_path, "%s/sanitizer.txt", c->dir);
  if (!write_file(c->log_path, c->log, strlen(c->log))) {
    tr_text(err, errlen, "%s: %s", c->log_path, strerror(errno));
    return false;
  }
  note("%s: release build, minimising, decoding\n", c->name);
  release_run(t, c);
  c->known = regress_find(t, c, c->known_file, sizeof c->known_file);
  minimise(t, c, afl_given);
  decode(t, c);
  if (t->add_regression && !c->known && !regress_add(t, c, err, errlen))
    return false;
  return true;
}

static void summary(const struct triage *t)
{
  size_t fresh = 0, lost = 0;
  for (size_t i = 0; i < t->ncrashes; i++)
    fresh += !t->crashes[i].known;
  for (size_t i = 0; i < t->ninputs; i++)
    lost += t->inputs[i].crash < 0;
  printf("ikelab-triage: %s: %zu input(s), %zu unique crash(es), %zu new, %zu did not reproduce\n",
         t->target, t->ninputs, t->ncrashes, fresh, lost);
  for (size_t i = 0; i < t->ncrashes; i++) {
    const struct crash *c = &t->crashes[i];
    size_t top = report_top_project_frame(&c->rep);
    const struct frame *f = top < c->rep.nframes ? &c->rep.frames[top] : NULL;
    char access[64] = "";
    if (c->rep.access[0])
      tr_text(access, sizeof access, "%s of size %lu in ", c->rep.access, c->rep.size);
    printf("  %-5s %s  %s  %s%s", c->known ? "known" : "NEW", c->name, severity_name(c->sev),
           access, f ? f->func : "(no project frame)");
    if (f)
      printf(" %s:%u", triage_rel(t, f->file), f->line);
    for (size_t k = 0; !f && k < c->rep.nframes; k++)
      if (c->rep.frames[k].file[0] == '/' && strstr(c->rep.frames[k].file, "/core/")) {
        /* Built from another checkout: its frames do not count as ours. */
        printf(" (its frames are in %s, outside --source %s)", c->rep.frames[k].file, t->source);
        break;
      }
    printf("\n        %zu input(s), %u/%u runs%s; release: %s; minimised %zu -> %zu bytes; %d "
           "packet(s)\n",
           c->ninputs, c->crashed_runs, c->runs, c->flaky ? " FLAKY" : "",
           c->release_ran ? c->release_outcome : "not run", c->orig_size, c->min_size,
           c->npackets);
    if (c->known)
      printf("        regression: %s\n", triage_rel(t, c->known_file));
    else if (c->added_file[0])
      printf("        regression added: %s\n", triage_rel(t, c->added_file));
  }
  printf("reports: %s/report.md %s/report.json %s/report.sarif\n", t->out, t->out, t->out);
}

/* --decode: each input decoded to stdout, its packets to OUT/decoded-N.pcap. */
static int decode_inputs(struct triage *t, int n, char **paths)
{
  char err[1024];
  if (!make_dir(t->out, err, sizeof err)) {
    fprintf(stderr, "ikelab-triage: %s\n", err);
    return EXIT_SETUP;
  }
  for (int i = 0; i < n; i++) {
    size_t len;
    char pcap[PATH_MAX + 32];
    char *data = triage_slurp(paths[i], &len);
    if (!data) {
      fprintf(stderr, "ikelab-triage: %s: %s\n", paths[i], strerror(errno));
      return EXIT_SETUP;
    }
    tr_text(pcap, sizeof pcap, "%s/decoded-%d.pcap", t->out, i + 1);
    printf("==== %s (%zu bytes)\n", paths[i], len);
    fflush(stdout);
    int k = decode_reproducer(t->target, (const uint8_t *)data, len, stdout, pcap, err, sizeof err);
    free(data);
    if (k < 0) {
      fprintf(stderr, "ikelab-triage: %s\n", err);
      return EXIT_SETUP;
    }
    printf("==== %d packet(s) in %s\n", k, pcap);
  }
  return EXIT_NO_NEW;
}

/* ---- options ---- */

static bool parse_uint(const char *opt, const char *s, unsigned min, unsigned max, unsigned *out)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || end == s || v < min || v > max || s[0] == '-') {
    fprintf(stderr, "ikelab-triage: %s %s: expected a whole number from %u to %u\n", opt, s, min,
            max);
    return false;
  }
  *out = (unsigned)v;
  return true;
}

static bool resolve_target(struct triage *t, const char *name, char *buf, size_t buflen)
{
  static const char *const known[] = {"fuzz_isakmp_decode", "fuzz_responder", "fuzz_quick_mode",
                                      "fuzz_initiator",     "fuzz_esp",       "fuzz_config"};
  tr_text(buf, buflen, "%s%s", strncmp(name, "fuzz_", 5) == 0 ? "" : "fuzz_", name);
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(buf, known[i]) == 0) {
      t->target = buf;
      t->corpus_name = buf + 5;
      return true;
    }
  fprintf(stderr, "ikelab-triage: --target %s: not a fuzz target (fuzz_isakmp_decode, "
                  "fuzz_responder, fuzz_quick_mode, fuzz_initiator, fuzz_esp, fuzz_config)\n",
          name);
  return false;
}

int main(int argc, char **argv)
{
  static struct triage t;
  static char target_buf[64];
  const char *build = NULL, *release = NULL, *symbolizer = NULL, *afl_bin = NULL;
  t.runs = 3;
  t.jobs = 1;
  t.timeout = 10;
  t.rss_mb = 2048;
  t.min_seconds = 30;
  tr_text(t.source, sizeof t.source, "%s", IKELAB_SOURCE_DIR);
  tr_text(t.out, sizeof t.out, "triage-out");
  enum { O_BIN = 256, O_RELEASE, O_TIMEOUT, O_RSS, O_REGRESSIONS, O_SYMBOLIZER, O_AFL };
  /* getopt_long's table */
  static const struct option opts[] = {
      {"target", required_argument, NULL, 't'},      {"out", required_argument, NULL, 'o'},
      {"build", required_argument, NULL, 'b'},       {"bin", required_argument, NULL, O_BIN},
      {"release", required_argument, NULL, O_RELEASE}, {"afl-bin", required_argument, NULL, O_AFL},
      {"runs", required_argument, NULL, 'n'},        {"timeout", required_argument, NULL, O_TIMEOUT},
      {"rss-limit", required_argument, NULL, O_RSS}, {"minimize-time", required_argument, NULL, 'm'},
      {"source", required_argument, NULL, 's'},      {"regressions", required_argument, NULL, O_REGRESSIONS},
      {"add-regression", no_argument, NULL, 'a'},    {"symbolizer", required_argument, NULL, O_SYMBOLIZER},
      {"quiet", no_argument, NULL, 'q'},             {"help", no_argument, NULL, 'h'},
      {"jobs", required_argument, NULL, 'j'},        {"decode", no_argument, NULL, 'd'},
      {NULL, 0, NULL, 0}};
  char regressions[PATH_MAX] = "";
  bool decode_only = false;
  int opt;
  while ((opt = getopt_long(argc, argv, "t:o:b:n:m:s:j:adqh", opts, NULL)) != -1) {
    switch (opt) {
    case 't':
      if (!resolve_target(&t, optarg, target_buf, sizeof target_buf))
        return EXIT_SETUP;
      break;
    case 'o': tr_text(t.out, sizeof t.out, "%s", optarg); break;
    case 'b': build = optarg; break;
    case O_BIN: tr_text(t.bin, sizeof t.bin, "%s", optarg); break;
    case O_RELEASE: release = optarg; break;
    case O_AFL: afl_bin = optarg; break;
    case 'n':
      if (!parse_uint("--runs", optarg, 1, 100, &t.runs))
        return EXIT_SETUP;
      break;
    case 'j':
      if (!parse_uint("--jobs", optarg, 1, 16, &t.jobs))
        return EXIT_SETUP;
      break;
    case O_TIMEOUT:
      if (!parse_uint("--timeout", optarg, 1, 3600, &t.timeout))
        return EXIT_SETUP;
      break;
    case O_RSS:
      if (!parse_uint("--rss-limit", optarg, 64, 1 << 20, &t.rss_mb))
        return EXIT_SETUP;
      break;
    case 'm':
      if (!parse_uint("--minimize-time", optarg, 0, 86400, &t.min_seconds))
        return EXIT_SETUP;
      break;
    case 's': tr_text(t.source, sizeof t.source, "%s", optarg); break;
    case O_REGRESSIONS: tr_text(regressions, sizeof regressions, "%s", optarg); break;
    case 'a': t.add_regression = true; break;
    case O_SYMBOLIZER: symbolizer = optarg; break;
    case 'q': quiet = true; break;
    case 'd': decode_only = true; break;
    case 'h': usage(stdout, argv[0]); return EXIT_NO_NEW;
    default: usage(stderr, argv[0]); return EXIT_SETUP;
    }
  }
  if (!t.target || optind == argc) {
    fprintf(stderr, "ikelab-triage: %s\n", !t.target ? "--target is required" : "no input files");
    usage(stderr, argv[0]);
    return EXIT_SETUP;
  }
  char real[PATH_MAX];
  if (!realpath(t.source, real)) {
    fprintf(stderr, "ikelab-triage: --source %s: %s\n", t.source, strerror(errno));
    return EXIT_SETUP;
  }
  tr_text(t.source, sizeof t.source, "%s", real);
  report_set_project_root(t.source);
  if (regressions[0])
    tr_text(t.regressions, sizeof t.regressions, "%s", regressions);
  else
    tr_text(t.regressions, sizeof t.regressions, "%s/corpus/regressions", t.source);

  /* Every file name made below is one of these plus at most ~300 bytes. */
  const char *roots[][2] = {{"--out", t.out}, {"--source", t.source}, {"--regressions", t.regressions}};
  for (size_t i = 0; i < 3; i++)
    if (strlen(roots[i][1]) > PATH_MAX - 512) {
      fprintf(stderr, "ikelab-triage: %s %.60s...: longer than %d bytes\n", roots[i][0], roots[i][1],
              PATH_MAX - 512);
      return EXIT_SETUP;
    }
  char err[2048];
  size_t cap = 0;
  char artifacts[PATH_MAX + 16];
  tr_text(artifacts, sizeof artifacts, "%s/.artifacts", t.out);
  if (decode_only)
    return decode_inputs(&t, argc - optind, argv + optind);
  if (!pick_binary(&t, build, err, sizeof err) || !pick_release(&t, release, err, sizeof err) ||
      !find_symbolizer(&t, symbolizer, err, sizeof err) || !make_dir(t.out, err, sizeof err) ||
      !make_dir(artifacts, err, sizeof err)) {
    fprintf(stderr, "ikelab-triage: %s\n", err);
    return EXIT_SETUP;
  }
  for (int i = optind; i < argc; i++) {
    size_t n = strlen(argv[i]);
    while (n > 1 && argv[i][n - 1] == '/')
      argv[i][--n] = '\0';
    if (!add_input(&t, argv[i], &cap, err, sizeof err)) {
      fprintf(stderr, "ikelab-triage: %s\n", err);
      return EXIT_SETUP;
    }
  }
  if (t.ninputs == 0) {
    fprintf(stderr, "ikelab-triage: no input files in %s%s\n", argv[optind],
            argc - optind > 1 ? " ..." : "");
    return EXIT_SETUP;
  }
  note("ikelab-triage: %s: %zu input(s), %u run(s) each under %s, %u at a time; minimiser %s; "
       "release %s; symbolizer %s\n",
       t.target, t.ninputs, t.runs, t.bin, t.jobs, t.fuzzer_bin[0] ? t.fuzzer_bin : "none",
       t.release_bin[0] ? t.release_bin : "none", t.symbolizer);
  if (!reproduce_all(&t, err, sizeof err)) {
    fprintf(stderr, "ikelab-triage: %s\n", err);
    return EXIT_SETUP;
  }
  for (size_t i = 0; i < t.ncrashes; i++)
    if (!finish_crash(&t, &t.crashes[i], afl_bin, err, sizeof err)) {
      fprintf(stderr, "ikelab-triage: %s\n", err);
      return EXIT_SETUP;
    }
  char md[PATH_MAX + 16], js[PATH_MAX + 16], sarif[PATH_MAX + 16];
  tr_text(md, sizeof md, "%s/report.md", t.out);
  tr_text(js, sizeof js, "%s/report.json", t.out);
  tr_text(sarif, sizeof sarif, "%s/report.sarif", t.out);
  if (!emit_markdown(&t, md, err, sizeof err) || !emit_json(&t, js, err, sizeof err) ||
      !emit_sarif(&t, sarif, err, sizeof err)) {
    fprintf(stderr, "ikelab-triage: %s\n", err);
    return EXIT_SETUP;
  }
  summary(&t);
  bool fresh = false;
  for (size_t i = 0; i < t.ncrashes; i++) {
    fresh = fresh || !t.crashes[i].known;
    free(t.crashes[i].log);
  }
  free(t.crashes);
  free(t.inputs);
  return fresh ? EXIT_NEW : EXIT_NO_NEW;
}
