/* The structure-aware mutator (mutator.h) run many times over the seed
 * corpora with fixed seeds. Every parse reads an exact-size heap copy, so
 * ASan (dev preset) catches any read past the input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/isakmp.h"
#include "initiator_env.h"
#include "mutator.h"
#include "quick_peer.h"

enum { MAX_SEEDS = 64, CAP = 70000 };

struct seeds {
  size_t n;
  uint8_t *data[MAX_SEEDS];
  size_t len[MAX_SEEDS];
};

static void seeds_free(struct seeds *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->data[i]);
  s->n = 0;
}

/* Up to MAX_SEEDS files of corpus/<dir>, in name order. */
static void seeds_load(struct seeds *s, const char *dir)
{
  struct dirent **names;
  char path[4096];
  const char *root = test_source_path(dir);
  int count = scandir(root, &names, NULL, alphasort);
  ck_assert_msg(count > 0, "no seeds in %s", root);
  s->n = 0;
  for (int i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/%s", root, names[i]->d_name);
    FILE *f = names[i]->d_name[0] == '.' || s->n == MAX_SEEDS ? NULL : fopen(path, "rb");
    free(names[i]);
    if (!f)
      continue;
    uint8_t *buf = malloc(CAP);
    size_t n = fread(buf, 1, CAP, f);
    fclose(f);
    s->data[s->n] = realloc(buf, n ? n : 1);
    s->len[s->n++] = n;
  }
  free(names);
}

static uint8_t *exact_copy(const uint8_t *data, size_t n)
{
  uint8_t *copy = malloc(n ? n : 1);
  memcpy(copy, data, n);
  return copy;
}

/* Output never exceeds max, whatever max is, over chains of mutations. */
static void never_past_max(enum mut_format fmt, const char *dir)
{
  static uint8_t buf[CAP];
  struct seeds s;
  struct mut_rng pick = {42};
  seeds_load(&s, dir);
  for (size_t i = 0; i < s.n; i++) {
    size_t n = s.len[i];
    memcpy(buf, s.data[i], n);
    for (unsigned k = 0; k < 300; k++) {
      size_t max = 1 + mut_below(&pick, 2 * n + 64);
      if (max > sizeof buf)
        max = sizeof buf;
      if (n > max)
        n = max;
      n = ikelab_mutate(fmt, buf, n, max, (unsigned)(i * 1000 + k), NULL);
      ck_assert_uint_le(n, max);
      if (k % 50 == 49) { /* back to the seed now and then */
        n = s.len[i];
        memcpy(buf, s.data[i], n);
      }
    }
  }
  seeds_free(&s);
}

START_TEST(datagram_max)
{
  never_past_max(MUT_FMT_DATAGRAM, "corpus/isakmp_decode");
}
END_TEST

START_TEST(responder_max)
{
  never_past_max(MUT_FMT_RESPONDER, "corpus/responder");
}
END_TEST

START_TEST(quick_max)
{
  never_past_max(MUT_FMT_QUICK, "corpus/quick_mode");
}
END_TEST

START_TEST(initiator_max)
{
  never_past_max(MUT_FMT_INITIATOR, "corpus/initiator");
}
END_TEST

/* Reading then writing changes nothing, for every prefix of every seed:
 * the model keeps what it does not understand. */
START_TEST(model_round_trip)
{
  static struct mut_msg m;
  static uint8_t out[CAP];
  struct seeds s;
  seeds_load(&s, "corpus/isakmp_decode");
  for (size_t i = 0; i < s.n; i++)
    for (size_t cut = 0; cut <= s.len[i]; cut++) {
      uint8_t *copy = exact_copy(s.data[i], cut);
      if (mut_model_parse(&m, copy, cut)) {
        size_t n = mut_model_write(&m, out, sizeof out, NULL);
        ck_assert_uint_eq(n, cut);
        ck_assert_msg(memcmp(out, copy, cut) == 0, "seed %zu cut at %zu changed", i, cut);
      }
      free(copy);
    }
  seeds_free(&s);
}
END_TEST

/* Fix-up mode: a message the codec accepts is still accepted after edits. */
START_TEST(fixup_still_decodes)
{
  static struct isakmp_msg msg;
  static uint8_t buf[CAP];
  struct isakmp_error err;
  struct seeds s;
  const struct mut_options valid = {.keep_valid = true};
  size_t checked = 0;
  seeds_load(&s, "corpus/isakmp_decode");
  for (size_t i = 0; i < s.n; i++) {
    if (!isakmp_decode(&msg, s.data[i], s.len[i], &err))
      continue;
    size_t n = s.len[i];
    memcpy(buf, s.data[i], n);
    for (unsigned k = 0; k < 200; k++, checked++) {
      n = ikelab_mutate(MUT_FMT_DATAGRAM, buf, n, sizeof buf, k * 7919u + (unsigned)i, &valid);
      uint8_t *copy = exact_copy(buf, n);
      ck_assert_msg(isakmp_decode(&msg, copy, n, &err), "seed %zu step %u: %s", i, k,
                    err.text);
      free(copy);
    }
  }
  ck_assert_uint_gt(checked, 1000);
  seeds_free(&s);
}
END_TEST

/* Script parsing never fails or over-reads, and writes back every prefix
 * of every seed as it was (a cut step becomes the tail). */
static void script_round_trip(enum mut_format fmt, const char *dir)
{
  static struct mut_script sc;
  static uint8_t out[CAP];
  struct seeds s;
  seeds_load(&s, dir);
  for (size_t i = 0; i < s.n && i < 16; i++)
    for (size_t cut = 0; cut <= s.len[i]; cut += 1 + cut / 64) {
      uint8_t *copy = exact_copy(s.data[i], cut);
      mut_script_parse(&sc, fmt, copy, cut);
      ck_assert_uint_eq(mut_script_write(&sc, out, sizeof out), cut);
      ck_assert(memcmp(out, copy, cut) == 0);
      free(copy);
    }
  seeds_free(&s);
}

START_TEST(responder_script_round_trip)
{
  script_round_trip(MUT_FMT_RESPONDER, "corpus/responder");
}
END_TEST

START_TEST(quick_script_round_trip)
{
  script_round_trip(MUT_FMT_QUICK, "corpus/quick_mode");
}
END_TEST

START_TEST(initiator_script_round_trip)
{
  script_round_trip(MUT_FMT_INITIATOR, "corpus/initiator");
}
END_TEST

/* Script edits keep a whole script: everything parses as steps, nothing
 * is left over as a tail, and the result writes back byte for byte. */
static void scripts_stay_scripts(enum mut_format fmt, const char *dir)
{
  static struct mut_script sc;
  static uint8_t buf[CAP], out[CAP];
  const struct mut_options valid = {.keep_valid = true};
  struct seeds s;
  seeds_load(&s, dir);
  for (size_t i = 0; i < s.n && i < 24; i++) {
    mut_script_parse(&sc, fmt, s.data[i], s.len[i]);
    if (sc.tail_len)
      continue; /* a seed that is not a whole script */
    size_t n = s.len[i];
    memcpy(buf, s.data[i], n);
    for (unsigned k = 0; k < 150; k++) {
      n = ikelab_mutate(fmt, buf, n, sizeof buf, k * 104729u + (unsigned)i, &valid);
      uint8_t *copy = exact_copy(buf, n);
      mut_script_parse(&sc, fmt, copy, n);
      ck_assert_msg(sc.tail_len == 0, "seed %zu step %u left %u bytes over", i, k,
                    sc.tail_len);
      ck_assert_uint_eq(mut_script_write(&sc, out, sizeof out), n);
      ck_assert(memcmp(out, copy, n) == 0);
      free(copy);
    }
  }
  seeds_free(&s);
}

START_TEST(responder_scripts_stay_scripts)
{
  scripts_stay_scripts(MUT_FMT_RESPONDER, "corpus/responder");
}
END_TEST

START_TEST(quick_scripts_stay_scripts)
{
  scripts_stay_scripts(MUT_FMT_QUICK, "corpus/quick_mode");
}
END_TEST

START_TEST(initiator_scripts_stay_scripts)
{
  scripts_stay_scripts(MUT_FMT_INITIATOR, "corpus/initiator");
}
END_TEST

/* Steps read as the stateful targets read them: at most SCRIPT_MAX_STEPS,
 * and a step cut short is not run (its bytes are left over). Returns how
 * many; *whole: every byte was read as a step. */
static size_t walk_steps(struct buf_reader *r, bool (*step)(struct buf_reader *, void *),
                         void *ctx, bool *whole)
{
  size_t steps = 0;
  while (steps < SCRIPT_MAX_STEPS) {
    struct buf_reader at = *r;
    if (!step(r, ctx)) {
      *r = at;
      break;
    }
    steps++;
  }
  *whole = br_left(r) == 0;
  return steps;
}

/* fuzz_initiator's own reading of a script (initiator_world.c, step()),
 * written out again so that the mutator's layout is checked against it. */
struct iwalk {
  size_t steps, records;      /* steps the target runs; template records in them */
  size_t nraw;
  struct buf_slice raw[SCRIPT_MAX_STEPS]; /* the RAW steps' datagrams */
  bool whole;                 /* every byte read as a step */
};

static bool walk_step(struct buf_reader *r, void *ctx)
{
  struct iwalk *w = ctx;
  uint8_t op, b, n;
  uint16_t u;
  struct buf_slice s;
  if (!br_u8(r, &op))
    return false;
  switch (op % ISTEP_COUNT) {
  case ISTEP_TEMPLATE:
    if (!br_u8(r, &b) || !br_u8(r, &n) || !br_slice(r, (size_t)n * 4, &s))
      return false;
    w->records += n;
    return true;
  case ISTEP_RAW:
    if (!br_u8(r, &b) || !br_u16(r, &u) || !br_slice(r, u, &s))
      return false;
    w->raw[w->nraw++] = s;
    return true;
  case ISTEP_CLOCK:
    return br_u16(r, &u);
  case ISTEP_FAIL_SEND:
  case ISTEP_LOSE:
    return true;
  default:
    return br_u8(r, &b);
  }
}

static void walk_initiator(const uint8_t *p, size_t n, struct iwalk *w)
{
  struct buf_reader r;
  uint8_t variant;
  memset(w, 0, sizeof *w);
  br_init(&r, p, n);
  if (br_u8(&r, &variant))
    w->steps = walk_steps(&r, walk_step, w, &w->whole);
  else
    w->whole = n == 0;
}

/* A seed with a RAW step: a clear Informational with one Notify. */
static size_t raw_seed(uint8_t *out)
{
  static const uint8_t script[] = {
      0, ISTEP_TEMPLATE, TPL_FIX_HASH, 0, ISTEP_RAW, RAW_COOKIES | RAW_MSGID | RAW_LENGTH, 0, 40,
      1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, /* cookies */
      ISAKMP_NP_N, 0x10, ISAKMP_XCHG_INFO, 0, 0, 0, 0, 0, 0, 0, 0, 40,
      0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14}; /* Notify: DOI, ISAKMP, NO-PROPOSAL-CHOSEN */
  memcpy(out, script, sizeof script);
  return sizeof script;
}

static uint32_t get32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A RAW datagram that was edited as ISAKMP: it still decodes, its length
 * is right and it has other payloads than the one it started with. Byte
 * edits alone practically never get there. */
static bool structured_raw(const struct iwalk *w)
{
  static struct isakmp_msg msg;
  struct isakmp_error err;
  for (size_t i = 0; i < w->nraw; i++) {
    const struct buf_slice d = w->raw[i];
    if (d.len >= 28 && get32(d.ptr + 24) == d.len && isakmp_decode(&msg, d.ptr, d.len, &err) &&
        msg.npayloads != 1)
      return true;
  }
  return false;
}

/* The mutator reads initiator scripts as the target does: the steps it
 * parses are the steps the target runs, a template's record count and
 * body agree, template steps gain records (the seeds have none), and RAW
 * datagrams get ISAKMP edits. */
START_TEST(initiator_edits_follow_the_target)
{
  static struct mut_script sc;
  static uint8_t buf[CAP];
  const struct mut_options valid = {.keep_valid = true};
  size_t with_records = 0, structured = 0, runs = 0;
  struct iwalk w;
  struct seeds s;
  seeds_load(&s, "corpus/initiator");
  for (size_t i = 0; i <= s.n; i++) {
    size_t n = 0;
    for (unsigned k = 0; k < 300; k++, runs++) {
      if (k % 50 == 0) { /* chains of 50 from the seed; the last seed has a RAW step */
        n = i < s.n ? s.len[i] : raw_seed(buf);
        if (i < s.n)
          memcpy(buf, s.data[i], n);
      }
      n = ikelab_mutate(MUT_FMT_INITIATOR, buf, n, sizeof buf, k * 7919u + (unsigned)i, &valid);
      uint8_t *copy = exact_copy(buf, n);
      mut_script_parse(&sc, MUT_FMT_INITIATOR, copy, n);
      walk_initiator(copy, n, &w);
      ck_assert_uint_eq(w.steps, sc.nsteps);
      ck_assert(w.whole == (sc.tail_len == 0));
      size_t records = 0;
      for (size_t j = 0; j < sc.nsteps; j++)
        if (sc.s[j].body == BODY_TPL) {
          ck_assert_uint_eq(sc.s[j].len % 4, 0);
          records += sc.s[j].len / 4;
        }
      ck_assert_uint_eq(records, w.records);
      with_records += records > 0;
      structured += structured_raw(&w);
      free(copy);
    }
  }
  ck_assert_uint_gt(with_records, runs / 2);
  ck_assert_uint_gt(structured, 10);
  seeds_free(&s);
}
END_TEST

/* fuzz_responder's own reading of a script (fuzz_responder.c, step()):
 * the steps it runs, how many are SEALED, whether every byte was read. */
struct rwalk {
  size_t steps, sealed, templates;
  bool whole;
};

static bool walk_responder_step(struct buf_reader *r, void *ctx)
{
  struct rwalk *w = ctx;
  uint8_t op, b;
  uint16_t u;
  uint32_t id;
  struct buf_slice s;
  if (!br_u8(r, &op))
    return false;
  switch (op) {
  case STEP_PACKET:
    return br_u16(r, &u) && br_slice(r, u, &s);
  case STEP_RAW:
    return br_u8(r, &b) && br_u16(r, &u) && br_slice(r, u, &s);
  case STEP_SEALED:
    w->sealed++;
    return br_u8(r, &b) && br_u8(r, &b) && br_u32(r, &id) && br_u8(r, &b) && br_u16(r, &u) &&
           br_slice(r, u, &s);
  case STEP_TEMPLATE:
    w->templates++;
    return br_u8(r, &b) && br_u8(r, &b) && br_slice(r, (size_t)b * 4, &s);
  case STEP_FAIL_SEND:
    return true;
  case STEP_CLOCK:
  case STEP_REPLAY:
  case STEP_TRIGGER:
  case STEP_SHADOW:
    return br_u8(r, &b);
  default:
    return false;
  }
}

static void walk_responder(const uint8_t *p, size_t n, struct rwalk *w)
{
  struct buf_reader r;
  memset(w, 0, sizeof *w);
  br_init(&r, p, n);
  w->steps = walk_steps(&r, walk_responder_step, w, &w->whole);
}

/* A responder script of each newer step kind: RAW (a clear Informational
 * with one Notify, cookies copied), SEALED (an Informational Delete),
 * REPLAY, FAIL_SEND, TRIGGER, SHADOW and TEMPLATE (one record). */
static size_t responder_new_steps(uint8_t *out)
{
  static const uint8_t script[] = {
      STEP_RAW, RAW_COOKIES | RAW_LENGTH, 0, 40,
      1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, /* cookies */
      ISAKMP_NP_N, 0x10, ISAKMP_XCHG_INFO, 0, 0, 0, 0, 0, 0, 0, 0, 40,
      0, 0, 0, 12, 0, 0, 0, 1, 1, 0, 0, 14, /* Notify: DOI, ISAKMP, NO-PROPOSAL-CHOSEN */
      STEP_SEALED, SEAL_HASH, SEALED_INFO, 0, 0, 0, 0, ISAKMP_NP_D, 0, 16,
      0, 0, 0, 16, 0, 0, 0, 1, 3, 4, 0, 1, 1, 2, 3, 4, /* Delete: ESP, one SPI */
      STEP_REPLAY, 0x81, STEP_FAIL_SEND, STEP_TRIGGER, 1, STEP_CLOCK, 10,
      STEP_SHADOW, 0, STEP_TEMPLATE, 0, 1, 0, 0, 17, 0x20};
  memcpy(out, script, sizeof script);
  return sizeof script;
}

/* The mutator reads responder scripts as the target does, including the
 * newer step kinds, and its insertions bring SEALED and TEMPLATE steps in. */
START_TEST(responder_edits_follow_the_target)
{
  static struct mut_script sc;
  static uint8_t buf[CAP];
  const struct mut_options valid = {.keep_valid = true};
  size_t with_sealed = 0, with_template = 0, runs = 0;
  struct rwalk w;
  struct seeds s;
  seeds_load(&s, "corpus/responder");
  size_t nseeds = s.n < 8 ? s.n : 8;
  for (size_t i = 0; i <= nseeds; i++) {
    size_t n = 0;
    bool mine = i == nseeds; /* the last chains start from the new steps */
    for (unsigned k = 0; k < 200; k++, runs++) {
      if (k % 50 == 0) {
        n = mine ? responder_new_steps(buf) : s.len[i];
        if (!mine)
          memcpy(buf, s.data[i], n);
      }
      n = ikelab_mutate(MUT_FMT_RESPONDER, buf, n, sizeof buf, k * 6841u + (unsigned)i, &valid);
      uint8_t *copy = exact_copy(buf, n);
      mut_script_parse(&sc, MUT_FMT_RESPONDER, copy, n);
      walk_responder(copy, n, &w);
      ck_assert_uint_eq(w.steps, sc.nsteps);
      ck_assert(w.whole == (sc.tail_len == 0));
      with_sealed += w.sealed > 0;
      with_template += w.templates > 0;
      free(copy);
    }
  }
  ck_assert_uint_gt(with_sealed, runs / 20);
  ck_assert_uint_gt(with_template, runs / 20);
  seeds_free(&s);
}
END_TEST

/* IKELAB_MUT_FORMAT names every format. */
START_TEST(format_names)
{
  static const char *names[] = {"datagram", "responder", "quick", "initiator"};
  static const enum mut_format fmts[] = {MUT_FMT_DATAGRAM, MUT_FMT_RESPONDER, MUT_FMT_QUICK,
                                         MUT_FMT_INITIATOR};
  for (size_t f = 0; f < 4; f++) {
    setenv("IKELAB_MUT_FORMAT", names[f], 1);
    ck_assert_int_eq(ikelab_mutator_format(), fmts[f]);
  }
  unsetenv("IKELAB_MUT_FORMAT");
}
END_TEST

/* The same seed and input give the same output (a crash replays). */
START_TEST(deterministic)
{
  static uint8_t a[CAP], b[CAP];
  struct seeds s;
  seeds_load(&s, "corpus/responder");
  for (unsigned k = 0; k < 200; k++) {
    size_t i = k % s.n;
    memcpy(a, s.data[i], s.len[i]);
    memcpy(b, s.data[i], s.len[i]);
    size_t na = ikelab_mutate(MUT_FMT_RESPONDER, a, s.len[i], sizeof a, k, NULL);
    size_t nb = ikelab_mutate(MUT_FMT_RESPONDER, b, s.len[i], sizeof b, k, NULL);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(a, b, na) == 0);
  }
  seeds_free(&s);
}
END_TEST

/* Crossover output fits, for every format. */
START_TEST(crossover_fits)
{
  static uint8_t out[CAP];
  static const char *dirs[] = {"corpus/isakmp_decode", "corpus/responder", "corpus/quick_mode",
                               "corpus/initiator"};
  static const enum mut_format fmts[] = {MUT_FMT_DATAGRAM, MUT_FMT_RESPONDER, MUT_FMT_QUICK,
                                         MUT_FMT_INITIATOR};
  for (size_t f = 0; f < 4; f++) {
    struct seeds s;
    seeds_load(&s, dirs[f]);
    for (unsigned k = 0; k < 300; k++) {
      size_t i = k % s.n, j = (k * 7 + 3) % s.n;
      size_t max = 1 + (k * 37) % (s.len[i] + s.len[j] + 16);
      size_t n = ikelab_crossover(fmts[f], s.data[i], s.len[i], s.data[j], s.len[j], out, max,
                                  k, NULL);
      ck_assert_uint_le(n, max);
    }
    seeds_free(&s);
  }
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("mutator");
  TCase *tc = tcase_create("mutator");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, datagram_max);
  tcase_add_test(tc, responder_max);
  tcase_add_test(tc, quick_max);
  tcase_add_test(tc, initiator_max);
  tcase_add_test(tc, model_round_trip);
  tcase_add_test(tc, fixup_still_decodes);
  tcase_add_test(tc, responder_script_round_trip);
  tcase_add_test(tc, quick_script_round_trip);
  tcase_add_test(tc, initiator_script_round_trip);
  tcase_add_test(tc, responder_scripts_stay_scripts);
  tcase_add_test(tc, responder_edits_follow_the_target);
  tcase_add_test(tc, quick_scripts_stay_scripts);
  tcase_add_test(tc, initiator_scripts_stay_scripts);
  tcase_add_test(tc, initiator_edits_follow_the_target);
  tcase_add_test(tc, format_names);
  tcase_add_test(tc, deterministic);
  tcase_add_test(tc, crossover_fits);
  suite_add_tcase(s, tc);
  return s;
}
