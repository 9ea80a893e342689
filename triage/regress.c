/* corpus/regressions/<name>/<full kind>-<hash8>: one file per signature,
 * found by its hash; corpus/regressions/index.json says what each hash
 * stands for (kind, frames, severity), since eight hex digits do not. */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "triage.h"

bool regress_find(const struct triage *t, const struct crash *c, char *path, size_t pathlen)
{
  char dir[PATH_MAX + 64], suffix[16];
  tr_text(dir, sizeof dir, "%s/%s", t->regressions, t->corpus_name);
  tr_text(suffix, sizeof suffix, "-%s", c->hash);
  DIR *d = opendir(dir);
  if (!d)
    return false;
  bool found = false;
  struct dirent *e;
  while (!found && (e = readdir(d))) {
    size_t n = strlen(e->d_name), k = strlen(suffix);
    if (e->d_name[0] != '.' && n > k && strcmp(e->d_name + n - k, suffix) == 0) {
      tr_text(path, pathlen, "%s/%s", dir, e->d_name);
      found = true;
    }
  }
  closedir(d);
  return found;
}

static bool copy_file(const char *from, const char *to, char *err, size_t errlen)
{
  size_t len;
  char *data = triage_slurp(from, &len);
  if (!data) {
    tr_text(err, errlen, "%s: %s", from, strerror(errno));
    return false;
  }
  FILE *f = fopen(to, "wb");
  bool ok = f && fwrite(data, 1, len, f) == len;
  if (f && fclose(f) != 0)
    ok = false;
  if (!ok)
    tr_text(err, errlen, "%s: %s", to, strerror(errno));
  free(data);
  return ok;
}

static json_object *index_entry(const struct triage *t, const struct crash *c, const char *file)
{
  json_object *e = json_object_new_object();
  char date[32];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
  json_object_object_add(e, "file", json_object_new_string(file));
  json_object_object_add(e, "target", json_object_new_string(t->target));
  json_object_object_add(e, "kind", json_object_new_string(c->full_kind));
  json_object_object_add(e, "signature", json_object_new_string(c->signature));
  json_object_object_add(e, "severity", json_object_new_string(severity_name(c->sev)));
  json_object *frames = json_object_new_array();
  for (size_t i = 0, n = 0; i < c->rep.nframes && n < REPORT_SIG_FRAMES; i++)
    if (frame_is_project(&c->rep.frames[i])) {
      char where[600];
      tr_text(where, sizeof where, "%s %s:%u", c->rep.frames[i].func,
               triage_rel(t, c->rep.frames[i].file), c->rep.frames[i].line);
      json_object_array_add(frames, json_object_new_string(where));
      n++;
    }
  json_object_object_add(e, "frames", frames);
  json_object_object_add(e, "bytes", json_object_new_int64((int64_t)c->min_size));
  json_object_object_add(e, "added", json_object_new_string(date));
  return e;
}

static bool index_add(const struct triage *t, const struct crash *c, const char *file, char *err,
                      size_t errlen)
{
  char path[PATH_MAX + 16];
  tr_text(path, sizeof path, "%s/index.json", t->regressions);
  json_object *root = NULL;
  struct stat st;
  if (stat(path, &st) == 0) {
    root = json_object_from_file(path);
    if (!root || !json_object_is_type(root, json_type_object)) {
      tr_text(err, errlen, "%s: not a JSON object (%s)", path, json_util_get_last_err());
      json_object_put(root);
      return false;
    }
  } else {
    root = json_object_new_object();
    json_object_object_add(root, "about",
                           json_object_new_string("Written by ikelab-triage --add-regression: "
                                                  "what each <kind>-<hash8> file's signature is "
                                                  "(README: Triage a crash)"));
  }
  json_object *files;
  if (!json_object_object_get_ex(root, "files", &files) ||
      !json_object_is_type(files, json_type_array)) {
    files = json_object_new_array();
    json_object_object_add(root, "files", files);
  }
  /* One entry per file: an older one for the same file is replaced. */
  json_object *kept = json_object_new_array();
  for (size_t i = 0; i < json_object_array_length(files); i++) {
    json_object *e = json_object_array_get_idx(files, i), *f;
    if (json_object_object_get_ex(e, "file", &f) && strcmp(json_object_get_string(f), file) == 0)
      continue;
    json_object_array_add(kept, json_object_get(e));
  }
  json_object_array_add(kept, index_entry(t, c, file));
  json_object_object_add(root, "files", kept);
  bool ok = json_object_to_file_ext(path, root,
                                    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) == 0;
  if (!ok)
    tr_text(err, errlen, "%s: %s", path, json_util_get_last_err());
  json_object_put(root);
  return ok;
}

bool regress_add(const struct triage *t, struct crash *c, char *err, size_t errlen)
{
  char dir[PATH_MAX + 64], file[PATH_MAX + 256], rel[512];
  tr_text(dir, sizeof dir, "%s/%s", t->regressions, t->corpus_name);
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    tr_text(err, errlen, "%s: %s", dir, strerror(errno));
    return false;
  }
  tr_text(file, sizeof file, "%s/%s", dir, c->name);
  tr_text(rel, sizeof rel, "%s/%s", t->corpus_name, c->name);
  if (!copy_file(c->min_path, file, err, errlen) || !index_add(t, c, rel, err, errlen))
    return false;
  tr_text(c->added_file, sizeof c->added_file, "%s", file);
  return true;
}
