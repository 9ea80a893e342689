/* The three reports: Markdown for people, JSON for scripts (the campaign
 * runner), SARIF 2.1.0 for code-scanning upload. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

#define TOOL_VERSION "0.1.0"
#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

static const char *describe_kind(const char *kind)
{
  static const struct {
    const char *kind, *text;
  } table[] = {
      {"heap-buffer-overflow", "access past a heap allocation"},
      {"stack-buffer-overflow", "access past a stack array"},
      {"stack-buffer-underflow", "access before a stack array"},
      {"global-buffer-overflow", "access past a global"},
      {"heap-use-after-free", "freed memory used"},
      {"double-free", "memory freed twice"},
      {"bad-free", "free of memory malloc did not return"},
      {"null-deref", "null pointer dereferenced"},
      {"segv", "wild memory access"},
      {"leak", "memory leaked"},
      {"timeout", "input runs past the time limit"},
      {"oom", "input exhausts memory"},
      {"abort", "abort (a broken invariant or assertion)"},
      {"stack-overflow", "stack exhausted (unbounded recursion)"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strncmp(kind, table[i].kind, strlen(table[i].kind)) == 0)
      return table[i].text;
  if (strncmp(kind, "ubsan-", 6) == 0)
    return "undefined behaviour";
  return "crash";
}

const char *triage_rel(const struct triage *t, const char *path)
{
  size_t n = strlen(t->source);
  if (n && strncmp(path, t->source, n) == 0 && path[n] == '/')
    return path + n + 1;
  return path;
}

/* The top project frame, or NULL. */
static const struct frame *top_frame(const struct crash *c)
{
  size_t i = report_top_project_frame(&c->rep);
  return i < c->rep.nframes ? &c->rep.frames[i] : NULL;
}

static void one_line(const struct triage *t, const struct crash *c, char *out, size_t outlen)
{
  const struct frame *f = top_frame(c);
  char access[64] = "";
  if (c->rep.access[0])
    tr_text(access, sizeof access, " (%s of size %lu)", c->rep.access, c->rep.size);
  if (f)
    tr_text(out, outlen, "%s%s in %s at %s:%u", c->full_kind, access, f->func,
             triage_rel(t, f->file), f->line);
  else
    tr_text(out, outlen, "%s%s", c->full_kind, access);
}

/* ---- Markdown ---- */

static void md_stack(FILE *o, const struct triage *t, const struct report *r)
{
  fputs("```\n", o);
  for (size_t i = 0; i < r->nframes; i++) {
    const struct frame *f = &r->frames[i];
    fprintf(o, "#%-2zu %s %s", i, frame_is_project(f) ? "*" : " ", f->func[0] ? f->func : "?");
    if (f->file[0])
      fprintf(o, " %s:%u", triage_rel(t, f->file), f->line);
    else if (f->module[0])
      fprintf(o, " (%s)", f->module);
    fputc('\n', o);
  }
  if (!r->nframes)
    fputs("(no stack in the report)\n", o);
  fputs("```\n", o);
}

static void md_crash(FILE *o, const struct triage *t, const struct crash *c, size_t k)
{
  char line[1024];
  one_line(t, c, line, sizeof line);
  fprintf(o, "## %zu. `%s` — %s severity%s\n\n", k + 1, c->name, severity_name(c->sev),
          c->known ? " (known)" : " (new)");
  fprintf(o, "- **What**: %s: %s\n", describe_kind(c->rep.kind), line);
  fprintf(o, "- **Sanitizer**: %s: `%s`\n", c->rep.tool, c->rep.message);
  fprintf(o, "- **Signature**: `%s` (hash `%s`)\n", c->signature, c->hash);
  fprintf(o, "- **Inputs**: %zu; representative `%s` (%zu bytes)\n", c->ninputs,
          t->inputs[c->representative].path, t->inputs[c->representative].size);
  fprintf(o, "- **Reproduced**: %u of %u runs%s\n", c->crashed_runs, c->runs,
          c->flaky ? " — **flaky**" : "");
  if (c->release_ran)
    fprintf(o, "- **Release build**: %s (%s)\n",
            c->release_crashed ? "crashes too" : "does not crash", c->release_outcome);
  else
    fprintf(o, "- **Release build**: not run (%s)\n", c->release_outcome);
  if (c->known)
    fprintf(o, "- **Regression**: already in `%s`\n", triage_rel(t, c->known_file));
  else if (c->added_file[0])
    fprintf(o, "- **Regression**: added as `%s`\n", triage_rel(t, c->added_file));
  else
    fprintf(o, "- **Regression**: none yet (`--add-regression` stores it as `%s/%s`)\n",
            t->corpus_name, c->name);
  fprintf(o, "- **Minimised** (%s): %zu -> %zu bytes, `%s`%s%s\n", c->min_method, c->orig_size,
          c->min_size, c->min_path, c->min_note[0] ? "; " : "", c->min_note);
  fprintf(o, "- **Reproduce**: `%s %s`\n", t->bin, c->min_path);
  if (c->npackets >= 0)
    fprintf(o, "- **Packets**: %d in `%s` (`tshark -r %s -V`)\n\n", c->npackets, c->pcap_path,
            c->pcap_path);
  else
    fprintf(o, "- **Packets**: not decoded: %s\n\n", c->decode_note);
  fputs("### Stack (`*`: project frames)\n\n", o);
  md_stack(o, t, &c->rep);
  fputs("\n### The minimised reproducer, decoded\n\n```\n", o);
  size_t len;
  char *text = triage_slurp(c->decode_path, &len);
  if (text) {
    fputs(text, o);
    if (len && text[len - 1] != '\n')
      fputc('\n', o);
  } else {
    fputs("(no decoding)\n", o);
  }
  free(text);
  fputs("```\n\n", o);
}

bool emit_markdown(const struct triage *t, const char *path, char *err, size_t errlen)
{
  FILE *o = fopen(path, "w");
  if (!o) {
    tr_text(err, errlen, "%s: %s", path, strerror(errno));
    return false;
  }
  size_t fresh = 0, lost = 0;
  for (size_t i = 0; i < t->ncrashes; i++)
    fresh += !t->crashes[i].known;
  for (size_t i = 0; i < t->ninputs; i++)
    lost += t->inputs[i].crash < 0;
  fprintf(o, "# ikelab-triage: %s\n\n", t->target);
  fprintf(o, "%zu input(s), %zu unique crash(es) (%zu new, %zu known), %zu did not reproduce. "
             "Each input ran %u time(s) under `%s`; minimiser `%s`; release build `%s`.\n\n",
          t->ninputs, t->ncrashes, fresh, t->ncrashes - fresh, lost, t->runs, t->bin,
          t->fuzzer_bin[0] ? t->fuzzer_bin : "none", t->release_bin[0] ? t->release_bin : "none");
  if (t->ncrashes) {
    fputs("| # | signature | severity | what | inputs | reproduced | release | regression |\n"
          "|---|---|---|---|---|---|---|---|\n", o);
    for (size_t i = 0; i < t->ncrashes; i++) {
      const struct crash *c = &t->crashes[i];
      char line[1024];
      one_line(t, c, line, sizeof line);
      fprintf(o, "| %zu | `%s` | %s | %s | %zu | %u/%u%s | %s | %s |\n", i + 1, c->name,
              severity_name(c->sev), line, c->ninputs, c->crashed_runs, c->runs,
              c->flaky ? " flaky" : "",
              !c->release_ran ? "not run" : c->release_crashed ? "crashes" : "no crash",
              c->known ? "known" : c->added_file[0] ? "added" : "new");
    }
    fputc('\n', o);
  }
  for (size_t i = 0; i < t->ncrashes; i++)
    md_crash(o, t, &t->crashes[i], i);
  if (lost) {
    fputs("## Inputs that did not reproduce\n\n", o);
    for (size_t i = 0; i < t->ninputs; i++)
      if (t->inputs[i].crash < 0)
        fprintf(o, "- `%s` (%zu bytes): %s in each of %u run(s)\n", t->inputs[i].path,
                t->inputs[i].size, t->inputs[i].outcome, t->inputs[i].runs);
    fputc('\n', o);
  }
  bool ok = fclose(o) == 0;
  if (!ok)
    tr_text(err, errlen, "%s: %s", path, strerror(errno));
  return ok;
}

/* ---- JSON ---- */

#define S(x) json_object_new_string(x)
#define I(x) json_object_new_int64((int64_t)(x))
#define B(x) json_object_new_boolean(x)

static json_object *frames_json(const struct triage *t, const struct report *r)
{
  json_object *a = json_object_new_array();
  for (size_t i = 0; i < r->nframes; i++) {
    const struct frame *f = &r->frames[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "function", S(f->func));
    if (f->file[0]) {
      json_object_object_add(o, "file", S(triage_rel(t, f->file)));
      json_object_object_add(o, "line", I(f->line));
    }
    if (f->module[0])
      json_object_object_add(o, "module", S(f->module));
    json_object_object_add(o, "project", B(frame_is_project(f)));
    json_object_array_add(a, o);
  }
  return a;
}

static json_object *crash_json(const struct triage *t, const struct crash *c)
{
  json_object *o = json_object_new_object();
  json_object_object_add(o, "name", S(c->name));
  json_object_object_add(o, "signature", S(c->signature));
  json_object_object_add(o, "hash", S(c->hash));
  json_object_object_add(o, "kind", S(c->full_kind));
  json_object_object_add(o, "sanitizer", S(c->rep.tool));
  json_object_object_add(o, "access", S(c->rep.access));
  json_object_object_add(o, "size", I(c->rep.size));
  json_object_object_add(o, "severity", S(severity_name(c->sev)));
  json_object_object_add(o, "message", S(c->rep.message));
  json_object_object_add(o, "frames", frames_json(t, &c->rep));
  json_object *inputs = json_object_new_array();
  for (size_t i = 0; i < t->ninputs; i++)
    if (t->inputs[i].crash == (int)(c - t->crashes))
      json_object_array_add(inputs, S(t->inputs[i].path));
  json_object_object_add(o, "inputs", inputs);
  json_object_object_add(o, "representative", S(t->inputs[c->representative].path));
  json_object_object_add(o, "crashed_runs", I(c->crashed_runs));
  json_object_object_add(o, "runs", I(c->runs));
  json_object_object_add(o, "flaky", B(c->flaky));
  json_object *rel = json_object_new_object();
  json_object_object_add(rel, "ran", B(c->release_ran));
  json_object_object_add(rel, "crashed", B(c->release_crashed));
  json_object_object_add(rel, "outcome", S(c->release_outcome));
  json_object_object_add(o, "release", rel);
  json_object_object_add(o, "known", B(c->known));
  json_object_object_add(o, "regression",
                         c->known        ? S(triage_rel(t, c->known_file))
                         : c->added_file[0] ? S(triage_rel(t, c->added_file))
                                            : NULL);
  json_object *min = json_object_new_object();
  json_object_object_add(min, "method", S(c->min_method));
  json_object_object_add(min, "path", S(c->min_path));
  json_object_object_add(min, "from_bytes", I(c->orig_size));
  json_object_object_add(min, "bytes", I(c->min_size));
  json_object_object_add(min, "note", S(c->min_note));
  json_object_object_add(o, "minimised", min);
  json_object *dec = json_object_new_object();
  json_object_object_add(dec, "text", S(c->decode_path));
  json_object_object_add(dec, "pcap", c->npackets >= 0 ? S(c->pcap_path) : NULL);
  json_object_object_add(dec, "packets", I(c->npackets));
  if (c->npackets < 0)
    json_object_object_add(dec, "error", S(c->decode_note));
  json_object_object_add(o, "decoded", dec);
  json_object_object_add(o, "log", S(c->log_path));
  return o;
}

static bool write_json(json_object *root, const char *path, char *err, size_t errlen)
{
  int rc = json_object_to_file_ext(path, root,
                                   JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (rc != 0)
    tr_text(err, errlen, "%s: %s", path, json_util_get_last_err());
  json_object_put(root);
  return rc == 0;
}

bool emit_json(const struct triage *t, const char *path, char *err, size_t errlen)
{
  json_object *root = json_object_new_object();
  json_object_object_add(root, "tool", S("ikelab-triage"));
  json_object_object_add(root, "version", S(TOOL_VERSION));
  json_object_object_add(root, "target", S(t->target));
  json_object_object_add(root, "binary", S(t->bin));
  json_object_object_add(root, "libfuzzer", B(t->libfuzzer));
  json_object_object_add(root, "minimiser_binary", t->fuzzer_bin[0] ? S(t->fuzzer_bin) : NULL);
  json_object_object_add(root, "release_binary", t->release_bin[0] ? S(t->release_bin) : NULL);
  json_object_object_add(root, "runs_per_input", I(t->runs));
  size_t fresh = 0;
  json_object *crashes = json_object_new_array();
  for (size_t i = 0; i < t->ncrashes; i++) {
    fresh += !t->crashes[i].known;
    json_object_array_add(crashes, crash_json(t, &t->crashes[i]));
  }
  json_object *inputs = json_object_new_array();
  for (size_t i = 0; i < t->ninputs; i++) {
    const struct input *in = &t->inputs[i];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", S(in->path));
    json_object_object_add(o, "bytes", I(in->size));
    json_object_object_add(o, "crash", in->crash >= 0 ? S(t->crashes[in->crash].name) : NULL);
    json_object_object_add(o, "crashed_runs", I(in->crashed_runs));
    json_object_object_add(o, "runs", I(in->runs));
    if (in->crash < 0)
      json_object_object_add(o, "outcome", S(in->outcome));
    json_object_array_add(inputs, o);
  }
  json_object_object_add(root, "unique_crashes", I(t->ncrashes));
  json_object_object_add(root, "new_crashes", I(fresh));
  json_object_object_add(root, "crashes", crashes);
  json_object_object_add(root, "inputs", inputs);
  return write_json(root, path, err, errlen);
}

/* ---- SARIF 2.1.0 ---- */

static const char *security_score(enum severity s)
{
  /* GitHub reads "security-severity" as a CVSS-like score. */
  static const char *const scores[] = {"0.0", "3.0", "5.5", "8.0"};
  return scores[s];
}

static const char *sarif_level(enum severity s)
{
  return s >= SEV_MEDIUM ? "error" : s == SEV_LOW ? "warning" : "note";
}

static json_object *location(const char *uri, unsigned line, const char *func)
{
  json_object *loc = json_object_new_object(), *phys = json_object_new_object(),
              *art = json_object_new_object(), *region = json_object_new_object();
  json_object_object_add(art, "uri", S(uri));
  json_object_object_add(art, "uriBaseId", S("SRCROOT"));
  json_object_object_add(region, "startLine", I(line ? line : 1));
  json_object_object_add(phys, "artifactLocation", art);
  json_object_object_add(phys, "region", region);
  json_object_object_add(loc, "physicalLocation", phys);
  if (func && func[0]) {
    json_object *logical = json_object_new_array(), *l = json_object_new_object();
    json_object_object_add(l, "name", S(func));
    json_object_object_add(l, "kind", S("function"));
    json_object_array_add(logical, l);
    json_object_object_add(loc, "logicalLocations", logical);
  }
  return loc;
}

static json_object *sarif_result(const struct triage *t, const struct crash *c)
{
  json_object *res = json_object_new_object();
  char text[3 * PATH_MAX], line[1024];
  one_line(t, c, line, sizeof line);
  tr_text(text, sizeof text, "%s in %s: %s. Signature %s. Reproducer %s (%zu bytes), %u of %u "
                              "runs%s.",
           describe_kind(c->rep.kind), t->target, line, c->signature, c->min_path, c->min_size,
           c->crashed_runs, c->runs, c->flaky ? ", flaky" : "");
  json_object *msg = json_object_new_object();
  json_object_object_add(msg, "text", S(text));
  json_object_object_add(res, "ruleId", S(c->full_kind));
  json_object_object_add(res, "level", S(sarif_level(c->sev)));
  json_object_object_add(res, "message", msg);
  /* Where: the top project frame; with none (a timeout without a stack),
   * the target's source. */
  const struct frame *f = top_frame(c);
  char uri[PATH_MAX + 32];
  if (f)
    tr_text(uri, sizeof uri, "%s", triage_rel(t, f->file));
  else
    tr_text(uri, sizeof uri, "harness/%s.c", t->target);
  json_object *locs = json_object_new_array();
  json_object_array_add(locs, location(uri, f ? f->line : 1, f ? f->func : NULL));
  json_object_object_add(res, "locations", locs);
  /* The whole project stack. */
  json_object *frames = json_object_new_array();
  for (size_t i = 0; i < c->rep.nframes; i++) {
    const struct frame *fr = &c->rep.frames[i];
    if (!frame_is_project(fr))
      continue;
    json_object *sf = json_object_new_object();
    json_object_object_add(sf, "location", location(triage_rel(t, fr->file), fr->line, fr->func));
    json_object_array_add(frames, sf);
  }
  json_object *stack = json_object_new_object(), *stacks = json_object_new_array(),
              *smsg = json_object_new_object();
  json_object_object_add(smsg, "text", S(c->rep.message));
  json_object_object_add(stack, "message", smsg);
  json_object_object_add(stack, "frames", frames);
  json_object_array_add(stacks, stack);
  json_object_object_add(res, "stacks", stacks);
  json_object *fp = json_object_new_object();
  json_object_object_add(fp, "ikelabCrashSignature/v1", S(c->hash));
  json_object_object_add(res, "partialFingerprints", fp);
  json_object *props = json_object_new_object();
  json_object_object_add(props, "severity", S(severity_name(c->sev)));
  json_object_object_add(props, "signature", S(c->signature));
  json_object_object_add(props, "known", B(c->known));
  json_object_object_add(props, "flaky", B(c->flaky));
  json_object_object_add(props, "inputs", I(c->ninputs));
  json_object_object_add(res, "properties", props);
  return res;
}

static json_object *sarif_rule(const struct crash *c)
{
  json_object *rule = json_object_new_object(), *sd = json_object_new_object(),
              *props = json_object_new_object(), *tags = json_object_new_array();
  char text[256];
  tr_text(text, sizeof text, "%s (%s)", describe_kind(c->rep.kind), c->full_kind);
  json_object_object_add(rule, "id", S(c->full_kind));
  json_object_object_add(sd, "text", S(text));
  json_object_object_add(rule, "shortDescription", sd);
  json_object_array_add(tags, S("security"));
  json_object_array_add(tags, S("fuzzing"));
  json_object_object_add(props, "tags", tags);
  json_object_object_add(props, "security-severity", S(security_score(c->sev)));
  json_object_object_add(rule, "properties", props);
  return rule;
}

bool emit_sarif(const struct triage *t, const char *path, char *err, size_t errlen)
{
  json_object *root = json_object_new_object(), *runs = json_object_new_array(),
              *run = json_object_new_object(), *tool = json_object_new_object(),
              *driver = json_object_new_object(), *rules = json_object_new_array(),
              *results = json_object_new_array();
  json_object_object_add(root, "$schema", S(SARIF_SCHEMA));
  json_object_object_add(root, "version", S("2.1.0"));
  json_object_object_add(driver, "name", S("ikelab-triage"));
  json_object_object_add(driver, "version", S(TOOL_VERSION));
  for (size_t i = 0; i < t->ncrashes; i++) {
    bool seen = false; /* one rule per kind */
    for (size_t k = 0; k < i; k++)
      seen = seen || strcmp(t->crashes[k].full_kind, t->crashes[i].full_kind) == 0;
    if (!seen)
      json_object_array_add(rules, sarif_rule(&t->crashes[i]));
    json_object_array_add(results, sarif_result(t, &t->crashes[i]));
  }
  json_object_object_add(driver, "rules", rules);
  json_object_object_add(tool, "driver", driver);
  json_object_object_add(run, "tool", tool);
  json_object *base = json_object_new_object(), *src = json_object_new_object();
  char uri[PATH_MAX + 16];
  tr_text(uri, sizeof uri, "file://%s/", t->source);
  json_object_object_add(src, "uri", S(uri));
  json_object_object_add(base, "SRCROOT", src);
  json_object_object_add(run, "originalUriBaseIds", base);
  json_object_object_add(run, "results", results);
  json_object_array_add(runs, run);
  json_object_object_add(root, "runs", runs);
  return write_json(root, path, err, errlen);
}
