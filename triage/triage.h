/* ikelab-triage's results, shared by the run (triage_main.c), the
 * regression store (regress.c) and the writers (emit.c). */
#ifndef IKELAB_TRIAGE_H
#define IKELAB_TRIAGE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "report.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct input {
  char path[PATH_MAX];
  size_t size;
  int crash;            /* index into crashes, or -1: it did not reproduce */
  unsigned crashed_runs, runs;
  char outcome[128];    /* of the first run that did not crash the way it did */
};

struct crash {
  struct report rep;    /* from the representative's first crashing run */
  char signature[1024]; /* report_signature() */
  char hash[9];
  char name[160];       /* <full kind>-<hash8>: the regression file name */
  char full_kind[96];
  enum severity sev;
  size_t representative; /* the smallest input with this signature */
  size_t ninputs;
  unsigned crashed_runs, runs; /* over all its inputs */
  bool flaky;
  char *log;            /* the representative's sanitizer output */
  char dir[PATH_MAX];   /* OUT/<name>/ */
  char log_path[PATH_MAX];
  /* the release build's reproducer */
  bool release_ran, release_crashed;
  char release_outcome[256];
  /* corpus/regressions */
  bool known;
  char known_file[2 * PATH_MAX];
  char added_file[2 * PATH_MAX];
  /* minimisation */
  char min_path[PATH_MAX]; /* the minimised input, or a copy of the representative */
  size_t min_size, orig_size;
  char min_method[64];   /* "libFuzzer -minimize_crash", "afl-tmin", "none" */
  char min_note[256];
  /* decoding */
  char decode_path[PATH_MAX], pcap_path[PATH_MAX];
  int npackets;          /* -1: decoding failed, decode_note says why */
  char decode_note[512];
};

struct triage {
  const char *target;    /* fuzz_isakmp_decode */
  const char *corpus_name; /* isakmp_decode */
  char bin[PATH_MAX];    /* runs the inputs: the sanitizer build's _repro, or its libFuzzer binary */
  bool libfuzzer;        /* bin is a libFuzzer binary */
  char fuzzer_bin[PATH_MAX]; /* the same build's libFuzzer binary (minimises), or "" */
  char release_bin[PATH_MAX]; /* "" when there is none */
  char source[PATH_MAX];
  char regressions[PATH_MAX]; /* corpus/regressions (its <corpus_name>/ holds the files) */
  char out[PATH_MAX];
  char symbolizer[PATH_MAX];
  unsigned runs, jobs, timeout, rss_mb, min_seconds;
  bool add_regression;
  struct input *inputs;
  size_t ninputs;
  struct crash *crashes;
  size_t ncrashes;
};

/* regress.c: a regression file whose name ends in -<hash8> under
 * REGRESSIONS/<corpus_name>/, and adding one (the file, and its entry in
 * REGRESSIONS/index.json). */
bool regress_find(const struct triage *t, const struct crash *c, char *path, size_t pathlen);
bool regress_add(const struct triage *t, struct crash *c, char *err, size_t errlen);

/* emit.c */
bool emit_markdown(const struct triage *t, const char *path, char *err, size_t errlen);
bool emit_json(const struct triage *t, const char *path, char *err, size_t errlen);
bool emit_sarif(const struct triage *t, const char *path, char *err, size_t errlen);

/* util.c: snprintf for text that may be cut short (notes, messages)... */
void tr_text(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* ...and for paths, which must not be: false (out emptied) when it would not fit. */
bool tr_path(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A path relative to the source tree when it is inside it. */
const char *triage_rel(const struct triage *t, const char *path);
/* A whole file into a malloc'd, NUL-terminated buffer; NULL on failure. */
char *triage_slurp(const char *path, size_t *len);

#endif
