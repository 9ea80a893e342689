#include "symbolize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "triage.h"

/* "/path/bin+0x672f3" -> path and offset. */
static bool split_module(const char *module, char *path, size_t pathlen, unsigned long long *off)
{
  const char *plus = strstr(module, "+0x");
  const char *next;
  while (plus && (next = strstr(plus + 1, "+0x")))
    plus = next;
  if (!plus || (size_t)(plus - module) >= pathlen)
    return false;
  memcpy(path, module, (size_t)(plus - module));
  path[plus - module] = '\0';
  char *end;
  *off = strtoull(plus + 1, &end, 16);
  return end != plus + 1;
}

static bool wanted(const struct frame *f)
{
  return !f->file[0] && f->module[0] && strstr(f->module, "+0x");
}

/* "file:line:col" (llvm-symbolizer's second line) into f. */
static void location(const char *loc, struct frame *f)
{
  if (strncmp(loc, "??", 2) == 0)
    return;
  char buf[sizeof f->file + 32];
  tr_text(buf, sizeof buf, "%s", loc);
  char *c2 = strrchr(buf, ':');
  if (!c2)
    return;
  *c2 = '\0';
  char *c1 = strrchr(buf, ':');
  if (c1) { /* file:line:col */
    *c1 = '\0';
    f->line = (unsigned)strtoul(c1 + 1, NULL, 10);
  } else {
    f->line = (unsigned)strtoul(c2 + 1, NULL, 10);
  }
  tr_text(f->file, sizeof f->file, "%s", buf);
}

/* One query's answer: pairs of lines (function, location), innermost
 * inlined call first, ending at an empty line. */
static size_t answer(char **cursor, struct frame *out, size_t cap, const struct frame *orig)
{
  size_t n = 0;
  char *p = *cursor;
  while (*p) {
    char *nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    if (*p == '\0') {
      p = nl ? nl + 1 : p + strlen(p);
      break;
    }
    char *func = p;
    p = nl ? nl + 1 : p + strlen(p);
    nl = strchr(p, '\n');
    if (nl)
      *nl = '\0';
    char *loc = p;
    p = nl ? nl + 1 : p + strlen(p);
    if (n < cap) {
      out[n] = *orig;
      if (strcmp(func, "??") != 0)
        tr_text(out[n].func, sizeof out[n].func, "%s", func);
      location(loc, &out[n]);
      n++;
    }
  }
  *cursor = p;
  return n;
}

bool symbolize_reports(const char *symbolizer, const char *work_dir, struct report **reps,
                       size_t n, char *err, size_t errlen)
{
  char query[4096];
  size_t asked = 0;
  tr_text(query, sizeof query, "%s/symbolize.query", work_dir);
  FILE *q = fopen(query, "w");
  if (!q) {
    tr_text(err, errlen, "%s: %s", query, strerror(errno));
    return false;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < reps[i]->nframes; k++) {
      char path[sizeof reps[i]->frames[k].module];
      unsigned long long off;
      if (wanted(&reps[i]->frames[k]) &&
          split_module(reps[i]->frames[k].module, path, sizeof path, &off)) {
        fprintf(q, "%s 0x%llx\n", path, off);
        asked++;
      }
    }
  if (fclose(q) != 0) {
    tr_text(err, errlen, "%s: %s", query, strerror(errno));
    return false;
  }
  if (asked == 0)
    return true;
  char *argv[] = {(char *)symbolizer, "--inlines", "--demangle", NULL};
  struct child_task task = {.argv = argv, .stdin_path = query, .timeout_s = 120};
  if (!child_run_many(&task, 1, 1, err, errlen))
    return false;
  if (!child_clean(&task.res)) {
    char how[128];
    child_describe(&task.res, 120, how, sizeof how);
    tr_text(err, errlen, "%s: %s", symbolizer, how);
    child_result_free(&task.res);
    return false;
  }
  char *cursor = task.res.output;
  static struct frame out[REPORT_MAX_FRAMES];
  for (size_t i = 0; i < n; i++) {
    struct report *r = reps[i];
    size_t m = 0;
    for (size_t k = 0; k < r->nframes && m < REPORT_MAX_FRAMES; k++) {
      char path[sizeof r->frames[k].module];
      unsigned long long off;
      if (wanted(&r->frames[k]) && split_module(r->frames[k].module, path, sizeof path, &off))
        m += answer(&cursor, out + m, REPORT_MAX_FRAMES - m, &r->frames[k]);
      else
        out[m++] = r->frames[k];
    }
    memcpy(r->frames, out, m * sizeof out[0]);
    r->nframes = m;
  }
  child_result_free(&task.res);
  return true;
}
