#include "profile.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

struct load_ctx {
  struct peer_profile *p;
  char *why;
  size_t whylen;
};

static bool copy_to(char *dst, size_t cap, const char *value)
{
  size_t n = strlen(value);
  if (n >= cap)
    return false;
  memcpy(dst, value, n + 1);
  return true;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
  struct load_ctx *c = user;
  struct peer_profile *p = c->p;
  struct {
    const char *section, *key;
    char *dst;
    size_t cap;
  } text[] = {
      {"peer", "name", p->name, sizeof p->name},
      {"peer", "start", p->start, sizeof p->start},
      {"peer", "stop", p->stop, sizeof p->stop},
      {"peer", "set_mode", p->set_mode, sizeof p->set_mode},
      {"peer", "initiate", p->initiate, sizeof p->initiate},
      {"peer", "pid_file", p->pid_file, sizeof p->pid_file},
      {"peer", "reset", p->reset, sizeof p->reset},
      {"peer", "log", p->log, sizeof p->log},
      {"config", "template", p->template_file, sizeof p->template_file},
      {"config", "file", p->config_file, sizeof p->config_file},
  };
  for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
    if (strcmp(section, text[i].section) == 0 && strcmp(key, text[i].key) == 0) {
      if (copy_to(text[i].dst, text[i].cap, value))
        return 1;
      snprintf(c->why, c->whylen, "[%s] %s is longer than %zu bytes",
               section, key, text[i].cap - 1);
      return 0;
    }
  if (strcmp(section, "config") == 0 && strcmp(key, "aggressive") == 0) {
    if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
      p->aggressive = strcmp(value, "yes") == 0;
      return 1;
    }
    snprintf(c->why, c->whylen, "[config] aggressive must be yes or no, not \"%s\"",
             value);
    return 0;
  }
  snprintf(c->why, c->whylen, "unknown key \"%s\" in [%s]", key, section);
  return 0;
}

bool profile_load(struct peer_profile *p, const char *path, char *why, size_t whylen)
{
  memset(p, 0, sizeof *p);
  snprintf(p->path, sizeof p->path, "%s", path);
  struct load_ctx c = {p, why, whylen};
  why[0] = '\0';
  int r = ini_parse(path, on_key, &c);
  if (r < 0) {
    snprintf(why, whylen, "%s: cannot open: %s", path, strerror(errno));
    return false;
  }
  if (r > 0) {
    char what[256];
    snprintf(what, sizeof what, "%s", why[0] ? why : "not an ini line");
    snprintf(why, whylen, "%s:%d: %s", path, r, what);
    return false;
  }
  const char *missing = !p->name[0] ? "[peer] name" : !p->start[0] ? "[peer] start"
                      : !p->stop[0] ? "[peer] stop" : !p->log[0] ? "[peer] log"
                      : !p->template_file[0] ? "[config] template"
                      : !p->config_file[0] ? "[config] file" : NULL;
  if (missing) {
    snprintf(why, whylen, "%s: %s is missing", path, missing);
    return false;
  }
  if (p->aggressive && !p->set_mode[0]) {
    snprintf(why, whylen, "%s: aggressive = yes needs [peer] set_mode", path);
    return false;
  }
  return true;
}

static void dotted(uint32_t a, char *out, size_t len)
{
  snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* @PEER@ @PEER_PORT@ @NATT_PORT@ (4500, or the port + 1) @US@ @PSK@ @AGGRESSIVE@ (yes/no) @MODE@ (main/aggressive) @WORK@. */
static bool render(const struct peer_profile *p, char *why, size_t whylen)
{
  char src[2048], dst[2048], peer[16], us[16], port[8];
  const char *slash = strrchr(p->path, '/');
  int dirlen = slash ? (int)(slash - p->path) : 1;
  snprintf(src, sizeof src, "%.*s/%s", dirlen, slash ? p->path : ".", p->template_file);
  snprintf(dst, sizeof dst, "%s/%s", p->work, p->config_file);
  dotted(p->peer.addr, peer, sizeof peer);
  dotted(p->us.addr, us, sizeof us);
  char natt[8];
  snprintf(port, sizeof port, "%u", p->peer.port);
  snprintf(natt, sizeof natt, "%u", p->peer.port == 500 ? 4500u : p->peer.port + 1u);
  const char *vars[][2] = {{"@PEER@", peer}, {"@US@", us}, {"@PSK@", p->psk},
                           {"@PEER_PORT@", port}, {"@NATT_PORT@", natt},
                           {"@AGGRESSIVE@", p->mode_aggressive ? "yes" : "no"},
                           {"@MODE@", p->mode_aggressive ? "aggressive" : "main"},
                           {"@WORK@", p->work}};
  FILE *in = fopen(src, "r"), *out = in ? fopen(dst, "w") : NULL;
  if (!in || !out) {
    snprintf(why, whylen, "%s: %s", in ? dst : src, strerror(errno));
    if (in)
      fclose(in);
    return false;
  }
  char line[1024];
  while (fgets(line, sizeof line, in)) {
    for (const char *s = line; *s;) {
      size_t k = 0, nv = sizeof vars / sizeof vars[0];
      for (; k < nv; k++)
        if (strncmp(s, vars[k][0], strlen(vars[k][0])) == 0)
          break;
      if (k < nv) {
        fputs(vars[k][1], out);
        s += strlen(vars[k][0]);
      } else {
        fputc(*s++, out);
      }
    }
  }
  fclose(in);
  bool ok = fclose(out) == 0;
  if (!ok)
    snprintf(why, whylen, "%s: %s", dst, strerror(errno));
  return ok;
}

static bool run(const struct peer_profile *p, const char *what, const char *cmd, char *why,
                size_t whylen)
{
  char peer[16], us[16], config[2048];
  dotted(p->peer.addr, peer, sizeof peer);
  dotted(p->us.addr, us, sizeof us);
  snprintf(config, sizeof config, "%s/%s", p->work, p->config_file);
  setenv("IKELAB_WORK", p->work, 1);
  setenv("IKELAB_PEER_ADDR", peer, 1);
  setenv("IKELAB_OUR_ADDR", us, 1);
  setenv("IKELAB_PSK", p->psk, 1);
  setenv("IKELAB_MODE", p->mode_aggressive ? "aggressive" : "main", 1);
  setenv("IKELAB_CONFIG", config, 1);
  char dir[1024];
  const char *slash = strrchr(p->path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - p->path) : 1, slash ? p->path : ".");
  setenv("IKELAB_PROFILE_DIR", dir, 1);
  fflush(NULL);
  int st = system(cmd);
  if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    snprintf(why, whylen, "%s: %s: the %s command failed (status %d)", p->path, p->name, what,
             st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return false;
  }
  return true;
}

bool profile_start(struct peer_profile *p, char *why, size_t whylen)
{
  if (!render(p, why, whylen) || !run(p, "start", p->start, why, whylen))
    return false;
  p->started = true;
  return true;
}

void profile_stop(struct peer_profile *p)
{
  char why[256];
  if (!p->started)
    return;
  p->started = false;
  if (!run(p, "stop", p->stop, why, sizeof why))
    fprintf(stderr, "ikelab-conform: %s\n", why);
}

bool profile_set_mode(void *profile, bool aggressive, char *why, size_t whylen)
{
  struct peer_profile *p = profile;
  if (!p->aggressive && aggressive) {
    snprintf(why, whylen, "%s: the profile cannot configure Aggressive Mode", p->path);
    return false;
  }
  p->mode_aggressive = aggressive;
  return render(p, why, whylen) && run(p, "set_mode", p->set_mode, why, whylen);
}

bool profile_initiate(void *profile, char *why, size_t whylen)
{
  struct peer_profile *p = profile;
  if (!p->initiate[0]) {
    snprintf(why, whylen, "%s: no [peer] initiate command", p->path);
    return false;
  }
  return run(p, "initiate", p->initiate, why, whylen);
}

bool profile_reset(void *profile, char *why, size_t whylen)
{
  struct peer_profile *p = profile;
  return !p->reset[0] || run(p, "reset", p->reset, why, whylen);
}

bool profile_alive(struct peer_profile *p)
{
  char path[2048];
  if (!p->pid_file[0])
    return true;
  snprintf(path, sizeof path, "%s/%s", p->work, p->pid_file);
  FILE *f = fopen(path, "r");
  long pid = 0;
  bool read = f && fscanf(f, "%ld", &pid) == 1 && pid > 1;
  if (f)
    fclose(f);
  /* No signal is sent: 0 only asks whether the process exists. */
  return read && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static FILE *open_log(const struct peer_profile *p)
{
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", p->work, p->log);
  return fopen(path, "rb");
}

long profile_log_size(const struct peer_profile *p)
{
  FILE *f = open_log(p);
  long n = 0;
  if (f && fseek(f, 0, SEEK_END) == 0)
    n = ftell(f);
  if (f)
    fclose(f);
  return n < 0 ? 0 : n;
}

bool profile_log_copy(const struct peer_profile *p, long from, const char *dest)
{
  FILE *f = open_log(p), *out = f ? fopen(dest, "wb") : NULL;
  bool ok = f && out && fseek(f, from, SEEK_SET) == 0;
  char buf[4096];
  size_t n;
  while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
    ok = fwrite(buf, 1, n, out) == n;
  if (f)
    fclose(f);
  if (out)
    ok = fclose(out) == 0 && ok;
  return ok;
}
