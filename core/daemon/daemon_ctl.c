/* ikelabd's control socket: AF_UNIX stream, one request line per
 * connection, answered with "ok" or "error: why" and then the body lines.
 * Requests: status | up N | down N | log | log clear (ikelabctl speaks it).
 * Served inside the main loop, so requests never race the engine. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

enum { REQUEST_MAX = 256, BATCH = 8 };

static bool addr_of(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
  memset(sun, 0, sizeof *sun);
  sun->sun_family = AF_UNIX;
  if (!*path || strlen(path) >= sizeof sun->sun_path) {
    snprintf(err, errlen, "control socket path \"%s\": 1 to %zu characters", path,
             sizeof sun->sun_path - 1);
    return false;
  }
  memcpy(sun->sun_path, path, strlen(path) + 1);
  return true;
}

/* A socket file nobody answers on was left by a daemon that died. */
static bool in_use(const struct sockaddr_un *sun)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  bool live = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
  close(fd);
  return live;
}

bool ctl_open(struct daemon_ctl *c, const char *path, char *err, size_t errlen)
{
  struct sockaddr_un sun;
  c->fd = -1;
  if (!addr_of(path, &sun, err, errlen))
    return false;
  if (in_use(&sun)) {
    snprintf(err, errlen, "control socket %s: another daemon answers there", path);
    return false;
  }
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    snprintf(err, errlen, "control socket: %s", strerror(errno));
    return false;
  }
  /* The umask makes the file 0600 from its first moment: no window in which
   * another user could connect and take rules down. */
  mode_t old = umask(0177);
  int rc = bind(fd, (const struct sockaddr *)&sun, sizeof sun);
  umask(old);
  if (rc < 0 || listen(fd, 8) < 0) {
    snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
    close(fd);
    return false;
  }
  c->fd = fd;
  memcpy(c->path, sun.sun_path, sizeof c->path);
  return true;
}

void ctl_close(struct daemon_ctl *c)
{
  if (c->fd < 0)
    return;
  close(c->fd);
  unlink(c->path);
  c->fd = -1;
}

/* "12" -> 12; 0 for anything that is not a rule number. */
static int rule_number(const char *s)
{
  char *end;
  long n = strtol(s, &end, 10);
  return (*s && !*end && n >= 1 && n <= 999) ? (int)n : 0;
}

static bool rule_known(const struct ctl_io *io, const char *arg, int *rule, FILE *out)
{
  *rule = rule_number(arg);
  if (!*rule) {
    fprintf(out, "error: \"%s\" is not a rule number (1-999)\n", arg);
    return false;
  }
  if (!ike_rule_find(io->cfg, *rule)) {
    fprintf(out, "error: no rule %d in the running config\n", *rule);
    return false;
  }
  return true;
}

static void req_up(const struct ctl_io *io, uint64_t now_ms, const char *arg, FILE *out)
{
  int n;
  if (!rule_known(io, arg, &n, out))
    return;
  const struct ike_rule *r = ike_rule_find(io->cfg, n);
  if (!r->active)
    fprintf(out, "error: rule %d is not active\n", n);
  else if (ike_rule_dynamic(r))
    fprintf(out, "error: rule %d has a dynamic secure gateway; only the peer can start it\n", n);
  else {
    uint64_t before = io->ring ? io->ring->total : 0;
    if (!ike_engine_trigger(io->engine, now_ms, n))
      fprintf(out, "error: the engine refused to start rule %d\n", n);
    else
      fprintf(out, "ok\nrule %d: %s\n", n, ctl_up_outcome(io->ring, before));
  }
}

static void req_down(const struct ctl_io *io, uint64_t now_ms, const char *arg, FILE *out)
{
  int n;
  if (!rule_known(io, arg, &n, out))
    return;
  /* Counted first, for the answer; the engine's down is silent. */
  unsigned ike = 0, ipsec = 0;
  for (size_t i = 0, k = ike_engine_sa_count(io->engine); i < k; i++) {
    struct ike_sa_info s;
    ike += ike_engine_sa_info(io->engine, i, &s) && s.rule == n;
  }
  for (size_t i = 0, k = ike_engine_ipsec_count(io->engine); i < k; i++) {
    struct ike_ipsec_sa s;
    ipsec += ike_engine_ipsec_info(io->engine, i, &s) && s.rule == n;
  }
  ike_engine_down(io->engine, now_ms, n);
  dlog_note(io->log, "rule %d taken down by ikelabctl", n);
  fprintf(out, "ok\nrule %d: %u IKE SA(s) and %u IPsec SA(s) taken down\n", n, ike, ipsec);
}

static void dispatch(const struct ctl_io *io, uint64_t now_ms, char *req, FILE *out)
{
  char *arg = strchr(req, ' ');
  if (arg)
    *arg++ = '\0';
  if (strcmp(req, "status") == 0 && !arg) {
    fputs("ok\n", out);
    status_write(io, now_ms, out);
  } else if (strcmp(req, "up") == 0 && arg) {
    req_up(io, now_ms, arg, out);
  } else if (strcmp(req, "down") == 0 && arg) {
    req_down(io, now_ms, arg, out);
  } else if (strcmp(req, "log") == 0 && !arg) {
    fputs("ok\n", out);
    log_write_router_view(io->ring, out);
  } else if (strcmp(req, "log") == 0 && strcmp(arg, "clear") == 0) {
    log_ring_clear(io->ring);
    fputs("ok\nlog cleared\n", out);
  } else {
    fprintf(out, "error: unknown request \"%s%s%s\" (status, up N, down N, log, log clear)\n",
            req, arg ? " " : "", arg ? arg : "");
  }
}

/* Reads one line. The client sends it at once; the time-out keeps a silent
 * client from stalling the loop for more than a second. */
static bool read_request(int fd, char *buf, size_t cap)
{
  size_t len = 0;
  while (len + 1 < cap) {
    ssize_t got = read(fd, buf + len, cap - 1 - len);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    len += (size_t)got;
    if (memchr(buf, '\n', len))
      break;
  }
  buf[len] = '\0';
  buf[strcspn(buf, "\r\n")] = '\0';
  return len > 0;
}

static void serve_one(int fd, const struct ctl_io *io, uint64_t now_ms)
{
  struct timeval tv = {.tv_sec = 1};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char req[REQUEST_MAX];
  bool got = read_request(fd, req, sizeof req);
  FILE *out = fdopen(fd, "w");
  if (!out) {
    close(fd);
    return;
  }
  if (got)
    dispatch(io, now_ms, req, out);
  else
    fputs("error: empty request\n", out);
  fclose(out); /* closes fd too */
}

void ctl_serve(struct daemon_ctl *c, const struct ctl_io *io, uint64_t now_ms)
{
  /* Bounded, so a client loop cannot starve IKE. */
  for (int i = 0; i < BATCH; i++) {
    /* Linux: the accepted socket does not inherit O_NONBLOCK; it blocks
     * with serve_one's time-outs. */
    int fd = accept(c->fd, NULL, NULL);
    if (fd < 0)
      return; /* EAGAIN: none left; other errors: try on the next wake-up */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    serve_one(fd, io, now_ms);
  }
}
