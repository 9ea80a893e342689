/* Reading ASan, LSan, UBSan and libFuzzer reports. Only the first error
 * counts: what follows it (a second report, libFuzzer's "MS:" line, the
 * allocation stack of an overflow) is context, not the crash. */
#include "report.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static char project_root[512];

void report_set_project_root(const char *root)
{
  snprintf(project_root, sizeof project_root, "%s", root ? root : "");
  size_t n = strlen(project_root);
  while (n > 1 && project_root[n - 1] == '/')
    project_root[--n] = '\0';
}

static void copy(char *dst, size_t cap, const char *src, size_t n)
{
  if (n >= cap)
    n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static const char *skip_space(const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* "==123==ERROR: AddressSanitizer: x" -> "x" after the marker, or NULL. */
static const char *after(const char *line, const char *marker)
{
  const char *p = strstr(line, marker);
  return p ? p + strlen(marker) : NULL;
}

/* ---- frames ---- */

/* "file:line:col", "file:line" or "file" */
static void parse_location(const char *loc, struct frame *f)
{
  size_t n = strlen(loc);
  const char *end = loc + n;
  unsigned nums[2] = {0, 0};
  int got = 0;
  while (got < 2) {
    const char *colon = end;
    while (colon > loc && colon[-1] != ':')
      colon--;
    if (colon == loc || colon == end)
      break;
    bool digits = true;
    for (const char *p = colon; p < end; p++)
      digits = digits && isdigit((unsigned char)*p);
    if (!digits)
      break;
    nums[got++] = (unsigned)strtoul(colon, NULL, 10);
    end = colon - 1;
  }
  copy(f->file, sizeof f->file, loc, (size_t)(end - loc));
  f->line = got == 2 ? nums[1] : got == 1 ? nums[0] : 0;
}

/* "    #3 0x55d0c0 in decode_body /src/core/src/isakmp_decode.c:534:12"
 * "    #6 0x55d0c0 in fuzzer::F::Run(unsigned char const*) (/bin/x+0x672f3) (BuildId: ab)"
 * "    #1 0x7f0b5c (/lib/x86_64-linux-gnu/libc.so.6+0x2724a)" */
static bool parse_frame(const char *line, struct frame *f)
{
  const char *p = skip_space(line);
  char rest[1024];
  if (p[0] != '#' || !isdigit((unsigned char)p[1]))
    return false;
  p++;
  while (isdigit((unsigned char)*p))
    p++;
  p = skip_space(p);
  if (strncmp(p, "0x", 2) != 0)
    return false;
  p += 2;
  while (isxdigit((unsigned char)*p))
    p++;
  memset(f, 0, sizeof *f);
  p = skip_space(p);
  bool named = strncmp(p, "in ", 3) == 0;
  if (named)
    p += 3;
  copy(rest, sizeof rest, p, strlen(p));
  char *build_id = strstr(rest, " (BuildId:");
  if (build_id)
    *build_id = '\0';
  size_t n = strlen(rest);
  while (n && (rest[n - 1] == ' ' || rest[n - 1] == '\r'))
    rest[--n] = '\0';
  char *paren = n && rest[n - 1] == ')' ? strrchr(rest, '(') : NULL;
  if (paren && strstr(paren, "+0x") && (paren == rest || paren[-1] == ' ')) {
    copy(f->module, sizeof f->module, paren + 1, strlen(paren + 1) - 1);
    if (paren > rest)
      paren[-1] = '\0';
    else
      *paren = '\0';
    if (named)
      copy(f->func, sizeof f->func, rest, strlen(rest));
    return true;
  }
  if (!named)
    return true;
  char *space = strrchr(rest, ' ');
  if (!space) {
    copy(f->func, sizeof f->func, rest, n);
    return true;
  }
  *space = '\0';
  copy(f->func, sizeof f->func, rest, strlen(rest));
  parse_location(space + 1, f);
  return true;
}

bool frame_is_project(const struct frame *f)
{
  static const char *const runtime[] = {"__asan", "__interceptor", "__sanitizer", "__ubsan",
                                        "__lsan", "fuzzer::", "__libc", "_start"};
  static const char *const folders[] = {"core/", "harness/", "triage/", "conformance/"};
  if (!f->file[0])
    return false;
  for (size_t i = 0; i < COUNT(runtime); i++)
    if (strncmp(f->func, runtime[i], strlen(runtime[i])) == 0)
      return false;
  const char *rel = f->file;
  size_t root = strlen(project_root);
  if (rel[0] == '/' && root) {
    if (strncmp(rel, project_root, root) != 0 || rel[root] != '/')
      return false;
    rel += root + 1;
  } else if (rel[0] == '/') {
    /* No root known: the project's folders anywhere in the path. */
    const char *best = NULL;
    for (size_t i = 0; i < COUNT(folders); i++) {
      const char *hit = strstr(rel, folders[i]);
      if (hit && hit[-1] == '/' && (!best || hit < best))
        best = hit;
    }
    if (!best)
      return false;
    rel = best;
  }
  if (strstr(rel, "reproducer_main.c"))
    return false; /* the reproducer's driver, which the libFuzzer build does not have */
  for (size_t i = 0; i < COUNT(folders); i++)
    if (strncmp(rel, folders[i], strlen(folders[i])) == 0)
      return true;
  return false;
}

/* ---- kinds ---- */

/* The check a UBSan "runtime error:" message names. */
static const char *ubsan_check(const char *msg)
{
  static const struct {
    const char *text, *check;
  } table[] = {
      {"signed integer overflow", "signed-integer-overflow"},
      {"negation of", "signed-integer-overflow"},
      {"unsigned integer overflow", "unsigned-integer-overflow"},
      {"shift exponent", "shift-exponent"},
      {"left shift of", "shift-base"},
      {"division by zero", "integer-divide-by-zero"},
      {"misaligned address", "alignment"},
      {"null pointer passed as argument", "nonnull-attribute"},
      {"null pointer returned from function", "returns-nonnull-attribute"},
      {"offset to null pointer", "pointer-overflow"},
      {"pointer index expression", "pointer-overflow"},
      {"unsigned offset", "pointer-overflow"},
      {"null pointer", "null"},
      {"out of bounds for type", "bounds"},
      {"not a valid value for type 'bool'", "bool"},
      {"not a valid value for type", "enum"},
      {"unreachable program point", "unreachable"},
      {"end of a value-returning function", "return"},
      {"outside the range of representable values", "float-cast-overflow"},
      {"implicit conversion", "implicit-conversion"},
      {"variable length array bound", "vla-bound"},
      {"incorrect function type", "function"},
      {"passing zero to", "builtin"},
  };
  for (size_t i = 0; i < COUNT(table); i++)
    if (strstr(msg, table[i].text))
      return table[i].check;
  return "undefined-behavior";
}

/* The ASan error after "AddressSanitizer: ". */
static void asan_kind(const char *what, struct report *r)
{
  static const struct {
    const char *prefix, *kind;
  } table[] = {
      {"attempting double-free", "double-free"},
      {"attempting free on address which was not malloc", "bad-free"},
      {"SEGV", "segv"},
      {"BUS", "segv"},
      {"ABRT", "abort"},
      {"FPE", "fpe"},
      {"ILL", "illegal-instruction"},
      {"requested allocation size", "allocation-size-too-big"},
      {"allocation-size-too-big", "allocation-size-too-big"},
      {"out of memory", "oom"},
      {"allocator is out of memory", "oom"},
      {"calloc parameters overflow", "calloc-overflow"},
      {"hard rss limit exhausted", "oom"},
      {"rss limit exhausted", "oom"},
  };
  for (size_t i = 0; i < COUNT(table); i++)
    if (strncmp(what, table[i].prefix, strlen(table[i].prefix)) == 0) {
      snprintf(r->kind, sizeof r->kind, "%s", table[i].kind);
      break;
    }
  if (!r->kind[0]) { /* heap-buffer-overflow, stack-use-after-scope, ...: the first word */
    size_t n = strcspn(what, " :(");
    copy(r->kind, sizeof r->kind, what, n);
  }
  if (strcmp(r->kind, "segv") == 0) {
    const char *a = strstr(what, "address 0x");
    if (a && strtoull(a + 8, NULL, 16) < 0x1000)
      snprintf(r->kind, sizeof r->kind, "null-deref");
  }
}

/* libFuzzer's own errors. */
static bool libfuzzer_kind(const char *what, struct report *r)
{
  static const struct {
    const char *prefix, *kind;
  } table[] = {
      {"timeout", "timeout"},           {"out-of-memory", "oom"},
      {"deadly signal", "deadly-signal"}, {"fuzz target exited", "exit"},
      {"fuzz target overwrites", "const-input-write"}, {"malloc(", "oom"},
  };
  for (size_t i = 0; i < COUNT(table); i++)
    if (strncmp(what, table[i].prefix, strlen(table[i].prefix)) == 0) {
      snprintf(r->kind, sizeof r->kind, "%s", table[i].kind);
      const char *m = strstr(what, "malloc(");
      if (m)
        r->size = strtoul(m + 7, NULL, 10);
      return true;
    }
  return false;
}

static void set_message(struct report *r, const char *line)
{
  line = skip_space(line);
  size_t n = strcspn(line, "\r\n");
  copy(r->message, sizeof r->message, line, n);
}

/* READ of size 4 at ... / WRITE of size 8 at ... */
static void access_line(const char *line, struct report *r)
{
  const char *p = skip_space(line);
  static const char *const kinds[] = {"READ", "WRITE"};
  for (size_t i = 0; i < COUNT(kinds); i++) {
    size_t n = strlen(kinds[i]);
    if (strncmp(p, kinds[i], n) == 0 && strncmp(p + n, " of size ", 9) == 0) {
      snprintf(r->access, sizeof r->access, "%s", kinds[i]);
      r->size = strtoul(p + n + 9, NULL, 10);
    }
  }
  /* SEGV: "The signal is caused by a WRITE memory access." */
  if (strstr(p, "The signal is caused by a READ"))
    snprintf(r->access, sizeof r->access, "READ");
  else if (strstr(p, "The signal is caused by a WRITE"))
    snprintf(r->access, sizeof r->access, "WRITE");
  if (strstr(p, "address points to the zero page") && strcmp(r->kind, "segv") == 0)
    snprintf(r->kind, sizeof r->kind, "null-deref");
}

static bool has_abort_frame(const struct report *r)
{
  for (size_t i = 0; i < r->nframes; i++)
    if (strcmp(r->frames[i].func, "abort") == 0 || strcmp(r->frames[i].func, "__GI_abort") == 0 ||
        strcmp(r->frames[i].func, "raise") == 0 || strcmp(r->frames[i].func, "__GI_raise") == 0)
      return true;
  return false;
}

enum stack_state { STACK_WAIT, STACK_IN, STACK_DONE };

struct parser {
  struct report *r;
  enum stack_state stack;
  bool leak;              /* frames come after "Direct leak of" */
  char prev[320];         /* the last non-empty line before the error */
  char ubsan_loc[256];    /* "file:line:col" of a runtime error */
};

/* The first error line; true once one is found. */
static bool error_line(struct parser *ps, const char *line)
{
  struct report *r = ps->r;
  const char *w;
  if ((w = after(line, "ERROR: AddressSanitizer: "))) {
    snprintf(r->tool, sizeof r->tool, "AddressSanitizer");
    asan_kind(w, r);
  } else if ((w = after(line, "ERROR: LeakSanitizer: "))) {
    snprintf(r->tool, sizeof r->tool, "LeakSanitizer");
    snprintf(r->kind, sizeof r->kind, "leak");
    ps->leak = true;
  } else if ((w = after(line, ": runtime error: "))) {
    snprintf(r->tool, sizeof r->tool, "UndefinedBehaviorSanitizer");
    snprintf(r->kind, sizeof r->kind, "ubsan-%s", ubsan_check(w));
    copy(ps->ubsan_loc, sizeof ps->ubsan_loc, skip_space(line),
         (size_t)(w - strlen(": runtime error: ") - skip_space(line)));
  } else if ((w = after(line, "ERROR: libFuzzer: ")) && libfuzzer_kind(w, r)) {
    snprintf(r->tool, sizeof r->tool, "libFuzzer");
  } else {
    return false;
  }
  r->crashed = true;
  set_message(r, line);
  return true;
}

static void after_error(struct parser *ps, const char *line)
{
  struct report *r = ps->r;
  struct frame f;
  if (ps->stack == STACK_DONE)
    return;
  if (ps->leak && ps->stack == STACK_WAIT) {
    const char *d = after(line, "Direct leak of ");
    if (!d)
      d = after(line, "Indirect leak of ");
    if (d && r->size == 0)
      r->size = strtoul(d, NULL, 10);
    if (!d && r->size == 0)
      return; /* frames only after the first leak line */
  }
  if (parse_frame(line, &f)) {
    ps->stack = STACK_IN;
    if (r->nframes < REPORT_MAX_FRAMES)
      r->frames[r->nframes++] = f;
    return;
  }
  if (ps->stack == STACK_IN) {
    ps->stack = STACK_DONE;
    return;
  }
  access_line(line, r);
}

/* libFuzzer and UBSan details settled once the stack is known. */
static void settle(struct parser *ps)
{
  struct report *r = ps->r;
  if (strcmp(r->kind, "deadly-signal") == 0 && has_abort_frame(r))
    snprintf(r->kind, sizeof r->kind, "abort");
  if (strcmp(r->kind, "abort") == 0) {
    /* The target's last words, "fuzz_isakmp_decode: invariant broken: ...",
     * rather than libFuzzer's own lines. */
    if (ps->prev[0] && strncmp(ps->prev, "INFO:", 5) != 0 && strncmp(ps->prev, "Running", 7) != 0 &&
        strncmp(ps->prev, "running", 7) != 0)
      set_message(r, ps->prev);
  }
  if (strncmp(r->kind, "ubsan-", 6) == 0 && r->nframes == 0 && ps->ubsan_loc[0]) {
    /* No stack (print_stacktrace=0): the error's own location. */
    struct frame *f = &r->frames[r->nframes++];
    memset(f, 0, sizeof *f);
    parse_location(ps->ubsan_loc, f);
  }
}

bool report_parse(const char *text, struct report *r)
{
  struct parser ps = {.r = r, .stack = STACK_WAIT};
  memset(r, 0, sizeof *r);
  char line[2048];
  const char *p = text;
  bool found = false;
  while (*p) {
    size_t n = strcspn(p, "\n");
    copy(line, sizeof line, p, n);
    p += n + (p[n] == '\n');
    if (!found) {
      found = error_line(&ps, line);
      /* The target's last line before the report; not the sanitizers' own. */
      if (!found && line[strspn(line, " \t\r")] != '\0' && line[0] != '=' &&
          !strstr(line, "Sanitizer:DEADLYSIGNAL")) {
        /* Cut to fit: a long line's start says enough. */
        const char *from = skip_space(line);
        size_t k = strnlen(from, sizeof ps.prev - 1);
        memcpy(ps.prev, from, k);
        ps.prev[k] = '\0';
      }
      continue;
    }
    after_error(&ps, line);
  }
  if (!found)
    return false;
  settle(&ps);
  return true;
}

/* ---- kind, severity, signature ---- */

void report_full_kind(const struct report *r, char *out, size_t outlen)
{
  char access[8];
  size_t i = 0;
  for (; r->access[i] && i + 1 < sizeof access; i++)
    access[i] = (char)tolower((unsigned char)r->access[i]);
  access[i] = '\0';
  if (access[0])
    snprintf(out, outlen, "%s-%s", r->kind[0] ? r->kind : "unknown", access);
  else
    snprintf(out, outlen, "%s", r->kind[0] ? r->kind : "unknown");
}

static bool kind_is(const struct report *r, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(r->kind, list[i]) == 0)
      return true;
  return false;
}

enum severity report_severity(const struct report *r)
{
  /* Memory corruption an attacker can steer (ClusterFuzz: a write, or a
   * freed object in use, is High; an out-of-bounds read is Medium). */
  static const char *const always_high[] = {"heap-use-after-free", "double-free",
                                            "stack-use-after-return", "stack-use-after-scope",
                                            "use-after-poison"};
  static const char *const bounds[] = {"heap-buffer-overflow", "stack-buffer-overflow",
                                       "stack-buffer-underflow", "global-buffer-overflow",
                                       "dynamic-stack-buffer-overflow", "container-overflow",
                                       "segv", "unknown-crash", "memcpy-param-overlap",
                                       "negative-size-param", "bad-free"};
  /* Denial of service at worst. */
  static const char *const low[] = {"leak", "null-deref", "stack-overflow", "oom",
                                    "allocation-size-too-big", "calloc-overflow", "fpe",
                                    "alloc-dealloc-mismatch", "new-delete-type-mismatch",
                                    "deadly-signal", "illegal-instruction"};
  if (!r->crashed)
    return SEV_NONE;
  if (kind_is(r, always_high, COUNT(always_high)))
    return SEV_HIGH;
  if (kind_is(r, bounds, COUNT(bounds)))
    return strcmp(r->access, "WRITE") == 0 ? SEV_HIGH : SEV_MEDIUM;
  if (kind_is(r, low, COUNT(low)) || strncmp(r->kind, "ubsan-", 6) == 0)
    return SEV_LOW;
  return SEV_NONE; /* timeout, abort (an invariant or assertion), exit */
}

const char *severity_name(enum severity s)
{
  static const char *const names[] = {"None", "Low", "Medium", "High"};
  return names[s];
}

size_t report_top_project_frame(const struct report *r)
{
  for (size_t i = 0; i < r->nframes; i++)
    if (frame_is_project(&r->frames[i]))
      return i;
  return r->nframes;
}

static const char *base_name(const char *path)
{
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

void report_signature(const struct report *r, char *out, size_t outlen)
{
  size_t used = 0, taken = 0;
  char kind[96];
  report_full_kind(r, kind, sizeof kind);
  used += (size_t)snprintf(out, outlen, "%s|", kind);
  for (size_t i = 0; i < r->nframes && taken < REPORT_SIG_FRAMES && used < outlen; i++) {
    const struct frame *f = &r->frames[i];
    if (!frame_is_project(f))
      continue;
    char name[300];
    if (f->func[0])
      snprintf(name, sizeof name, "%s", f->func);
    else /* no symbol: where it is */
      snprintf(name, sizeof name, "%s:%u", base_name(f->file), f->line);
    used += (size_t)snprintf(out + used, outlen - used, "%s%s", taken ? "|" : "", name);
    taken++;
  }
}

void signature_hash8(const char *signature, char out[9])
{
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *)signature; *p; p++) {
    h ^= *p;
    h *= 16777619u;
  }
  snprintf(out, 9, "%08x", (unsigned)h);
}

void signature_file_name(const struct report *r, char *out, size_t outlen)
{
  char sig[1024], kind[96], hash[9];
  report_signature(r, sig, sizeof sig);
  signature_hash8(sig, hash);
  report_full_kind(r, kind, sizeof kind);
  snprintf(out, outlen, "%s-%s", kind, hash);
}
