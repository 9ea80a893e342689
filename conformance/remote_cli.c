/* ikelab-conform --target: direction 2, the cases played against a real
 * peer (remote_runner.h), with an optional peer profile (profile.h) and a
 * report folder (remote_report.h). */
#include "remote_cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "profile.h"
#include "remote_report.h"
#include "remote_runner.h"
#include "runner.h"
#include "scenarios_initiator.h"

static void usage(FILE *out)
{
  fputs("usage: ikelab-conform --target udp:ADDR:PORT [--local ADDR:PORT] [--psk KEY]\n"
        "                      [--initiator-of] [--profile FILE] [--work DIR] [--report DIR]\n"
        "                      [--case ID] [--covers ROW] [--quiet-ms N] [--list] [--help]\n"
        "Direction 2: our engine (side A) plays each case's scripted peer against the\n"
        "IKEv1 implementation at ADDR:PORT (side B), over UDP on a real clock.\n"
        "  --target udp:ADDR:PORT  the peer under test\n"
        "  --local ADDR:PORT       our socket (default 0.0.0.0:500: the address routed to\n"
        "                          the peer, port 500)\n"
        "  --psk KEY               the pre-shared key the peer holds for us\n"
        "                          (default ikelab-test-psk)\n"
        "  --initiator-of          the peer initiates: play the cases where side B starts\n"
        "                          (IO-*, scenarios_initiator.c) with our engine answering;\n"
        "                          the profile's initiate command starts the peer, without\n"
        "                          a profile the peer must start by itself within 3 s\n"
        "  --profile FILE          a peer profile (conformance/profiles/*.ini): start, stop,\n"
        "                          configure per case, log; without one, cases that need the\n"
        "                          peer reconfigured are N/A\n"
        "  --work DIR              the profile's work folder (default REPORT/work)\n"
        "  --report DIR            write report.md, report.html, junit.xml, details.txt,\n"
        "                          pcaps/ and logs/ (the peer's log during each case)\n"
        "  --case ID, --covers ROW select cases (repeatable)\n"
        "  --quiet-ms N            a run ends after N ms without a datagram (default 100)\n"
        "  --list                  each case with whether it can be played, and why not\n"
        "Verdicts: PASS, FAIL (not carried out, or the peer unusable afterwards),\n"
        "DEVIATION (departs from the RFC section the case covers), N/A (not playable).\n"
        "Exit 0 when no case FAILs, 1 otherwise, 2 on a usage or set-up error.\n",
        out);
}

enum { MAX_FILTERS = 32, MAX_CASES = 512 };

struct options {
  const char *target, *local, *psk, *profile, *work, *report;
  bool initiator_of, list;
  unsigned quiet_ms;
  const char *cases[MAX_FILTERS], *rows[MAX_FILTERS];
  size_t ncases, nrows;
};

static bool parse(int argc, char **argv, struct options *o)
{
  memset(o, 0, sizeof *o);
  o->local = "0.0.0.0:500";
  o->psk = "ikelab-test-psk";
  o->quiet_ms = 100;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool used = true;
    if (strcmp(a, "--initiator-of") == 0) {
      o->initiator_of = true;
      used = false;
    } else if (strcmp(a, "--list") == 0) {
      o->list = true;
      used = false;
    } else if (!v) {
      fprintf(stderr, "ikelab-conform: %s needs a value\n", a);
      return false;
    } else if (strcmp(a, "--target") == 0) {
      o->target = v;
    } else if (strcmp(a, "--local") == 0) {
      o->local = v;
    } else if (strcmp(a, "--psk") == 0) {
      o->psk = v;
    } else if (strcmp(a, "--profile") == 0) {
      o->profile = v;
    } else if (strcmp(a, "--work") == 0) {
      o->work = v;
    } else if (strcmp(a, "--report") == 0) {
      o->report = v;
    } else if (strcmp(a, "--case") == 0 && o->ncases < MAX_FILTERS) {
      o->cases[o->ncases++] = v;
    } else if (strcmp(a, "--covers") == 0 && o->nrows < MAX_FILTERS) {
      o->rows[o->nrows++] = v;
    } else if (strcmp(a, "--quiet-ms") == 0) {
      char *end;
      unsigned long n = strtoul(v, &end, 10);
      if (*end || n < 20 || n > 60000) {
        fprintf(stderr, "ikelab-conform: --quiet-ms \"%s\": want 20-60000\n", v);
        return false;
      }
      o->quiet_ms = (unsigned)n;
    } else {
      fprintf(stderr, "ikelab-conform: bad argument \"%s\"\n", a);
      return false;
    }
    i += used;
  }
  if (!o->target || strncmp(o->target, "udp:", 4) != 0) {
    fprintf(stderr, "ikelab-conform: --target \"%s\": want udp:ADDR:PORT\n",
            o->target ? o->target : "");
    return false;
  }
  return true;
}

static bool selected(const struct options *o, const struct scenario *sc)
{
  if (o->ncases == 0 && o->nrows == 0)
    return true;
  for (size_t i = 0; i < o->ncases; i++)
    if (strcmp(sc->id, o->cases[i]) == 0)
      return true;
  for (size_t i = 0; i < o->nrows; i++)
    if (scenario_covers(sc, o->rows[i]))
      return true;
  return false;
}

static bool make_dir(const char *path)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      mkdir(buf, 0755);
      *p = '/';
    }
  if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "ikelab-conform: cannot create %s: %s\n", path, strerror(errno));
    return false;
  }
  return true;
}

static struct peer_profile profile;
static volatile sig_atomic_t interrupted;
static void on_signal(int sig)
{
  (void)sig;
  interrupted = 1;
}

static struct report_row rows[MAX_CASES];

int remote_main(int argc, char **argv)
{
  struct options o;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    }
  if (!parse(argc, argv, &o)) {
    usage(stderr);
    return 2;
  }
  char why[512];
  struct ike_endpoint peer_ep, local_ep;
  if (!remote_parse_endpoint(o.target + 4, &peer_ep, why, sizeof why) ||
      !remote_parse_endpoint(o.local, &local_ep, why, sizeof why)) {
    fprintf(stderr, "ikelab-conform: %s\n", why);
    return 2;
  }
  struct remote_link link;
  struct remote_peer peer = {.link = &link, .psk = o.psk, .initiator_of = o.initiator_of,
                             .quiet_ms = o.quiet_ms};
  if (o.profile && !profile_load(&profile, o.profile, why, sizeof why)) {
    fprintf(stderr, "ikelab-conform: %s\n", why);
    return 2;
  }
  if (o.profile) {
    peer.can_aggressive = profile.aggressive;
    peer.set_mode = profile_set_mode;
    peer.initiate = profile.initiate[0] ? profile_initiate : NULL;
    peer.reset = profile.reset[0] ? profile_reset : NULL;
    peer.ctx = &profile;
  }
  if (!remote_open(&link, &local_ep, &peer_ep, why, sizeof why)) {
    fprintf(stderr, "ikelab-conform: %s\n", why);
    return 2;
  }
  /* The peer as responder: the conformance suite's cases. As initiator:
   * the table written for it (scenarios_initiator.h). */
  static const struct scenario *sel[MAX_CASES];
  size_t n = 0;
  size_t total = o.initiator_of ? initiator_cases.n : scenario_count();
  for (size_t i = 0; i < total && n < MAX_CASES; i++) {
    const struct scenario *sc = o.initiator_of ? &initiator_cases.cases[i] : scenario_at(i);
    if (selected(&o, sc))
      sel[n++] = sc;
  }
  if (n == 0) {
    fputs("ikelab-conform: no case matches the filter\n", stderr);
    return 2;
  }
  if (o.list) {
    for (size_t i = 0; i < n; i++) {
      const char *na = remote_not_applicable(sel[i], &peer, why, sizeof why);
      printf("%-34s %-12s %s\n", sel[i]->id, na ? "N/A" : "played", na ? na : sel[i]->what);
    }
    return 0;
  }
  char pcaps[1024] = "", logs[1024] = "", work[1024] = "";
  FILE *details = NULL;
  if (o.report) {
    snprintf(pcaps, sizeof pcaps, "%s/pcaps", o.report);
    snprintf(logs, sizeof logs, "%s/logs", o.report);
    if (!make_dir(pcaps) || !make_dir(logs))
      return 2;
    char path[1200];
    snprintf(path, sizeof path, "%s/details.txt", o.report);
    if (!(details = fopen(path, "w"))) {
      fprintf(stderr, "ikelab-conform: %s: %s\n", path, strerror(errno));
      return 2;
    }
    fputs("Each FAIL and DEVIATION with the wire dissected (clear copies where side A\n"
          "could decrypt).\n\n", details);
  }
  if (o.profile) {
    snprintf(work, sizeof work, "%s", o.work ? o.work : o.report ? o.report : "/tmp");
    if (!o.work && o.report)
      snprintf(work, sizeof work, "%s/work", o.report);
    if (!make_dir(work))
      return 2;
    snprintf(profile.work, sizeof profile.work, "%s", work);
    profile.peer = link.peer;
    profile.us = link.local;
    profile.psk = o.psk;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!profile_start(&profile, why, sizeof why)) {
      fprintf(stderr, "ikelab-conform: %s\n", why);
      profile_stop(&profile);
      return 2;
    }
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t c[4] = {0};
  /* Main Mode cases first, then Aggressive Mode ones: the peer is switched
   * once. The report keeps the table's order. */
  static size_t order[MAX_CASES];
  size_t k = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n; i++)
      if (remote_case_aggressive(sel[i], &peer) == (pass == 1))
        order[k++] = i;
  for (size_t j = 0; j < n && !interrupted; j++) {
    size_t i = order[j];
    struct report_row *r = &rows[i];
    r->sc = sel[i];
    r->tshark_bad = -1;
    printf("[%3zu/%zu] %-34s ", j + 1, n, sel[i]->id);
    fflush(stdout);
    long log_from = o.profile ? profile_log_size(&profile) : 0;
    remote_run_case(sel[i], &peer, o.report ? pcaps : NULL, details, &r->res);
    c[r->res.verdict]++;
    printf("%-9s %5.2f s  %s\n", verdict_name(r->res.verdict), r->res.secs,
           r->res.verdict == VERDICT_NA ? "" : r->res.answers);
    if (r->res.verdict == VERDICT_FAIL || r->res.verdict == VERDICT_DEVIATION)
      printf("          %s\n", r->res.detail);
    /* A peer that died is started again, so one crash does not fail
     * every later case; the case says so. */
    if (o.profile && r->res.verdict != VERDICT_NA && !profile_alive(&profile)) {
      r->res.verdict = VERDICT_FAIL;
      snprintf(r->res.detail + strlen(r->res.detail),
               sizeof r->res.detail - strlen(r->res.detail),
               "the peer's process died during this case (restarted for the next); ");
      printf("          %s\n", r->res.detail);
      profile_stop(&profile);
      if (!profile_start(&profile, why, sizeof why)) {
        fprintf(stderr, "ikelab-conform: restarting the peer: %s\n", why);
        interrupted = 1;
      }
    }
    if (r->res.verdict != VERDICT_NA && o.report) {
      if (o.profile) {
        char dest[1200];
        snprintf(dest, sizeof dest, "%s/%s.log", logs, sel[i]->id);
        r->has_log = profile_log_copy(&profile, log_from, dest);
      }
    }
  }
  if (o.profile)
    profile_stop(&profile);
  remote_close(&link);
  if (details)
    fclose(details);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("\n%s: %zu cases: PASS %zu, FAIL %zu, DEVIATION %zu, N/A %zu (%.1f s)\n",
         o.profile ? profile.name : o.target, n, c[VERDICT_PASS], c[VERDICT_FAIL],
         c[VERDICT_DEVIATION], c[VERDICT_NA], secs);
  if (interrupted) {
    fputs("ikelab-conform: interrupted\n", stderr);
    return 2;
  }
  if (o.report) {
    report_tshark_check(o.report, rows, n, link.peer.port);
    struct report_info info = {.peer = o.profile ? profile.name : o.target + 4,
                               .target = o.target,
                               .direction = o.initiator_of ? "peer as initiator"
                                                           : "peer as responder",
                               .dir = o.report, .secs = secs};
    if (!report_write(&info, rows, n, why, sizeof why)) {
      fprintf(stderr, "ikelab-conform: %s\n", why);
      return 2;
    }
  }
  return c[VERDICT_FAIL] ? 1 : 0;
}
