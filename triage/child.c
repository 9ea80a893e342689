#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_child(char *const argv[], char *const env[], const char *in, int out_fd)
{
  setpgid(0, 0);
  dup2(out_fd, STDOUT_FILENO);
  dup2(out_fd, STDERR_FILENO);
  close(out_fd);
  int input = open(in ? in : "/dev/null", O_RDONLY);
  if (input < 0) {
    fprintf(stderr, "ikelab-triage: cannot read %s: %s\n", in, strerror(errno));
    _exit(127);
  }
  dup2(input, STDIN_FILENO);
  for (size_t i = 0; env && env[i]; i++) {
    char name[128];
    const char *eq = strchr(env[i], '=');
    size_t n = eq ? (size_t)(eq - env[i]) : 0;
    if (!eq || n >= sizeof name)
      continue;
    memcpy(name, env[i], n);
    name[n] = '\0';
    setenv(name, eq + 1, 1);
  }
  execv(argv[0], argv);
  fprintf(stderr, "ikelab-triage: cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

static void append(struct child_result *res, const char *buf, size_t n, size_t *cap)
{
  if (res->len >= CHILD_OUTPUT_MAX)
    return;
  if (n > CHILD_OUTPUT_MAX - res->len)
    n = CHILD_OUTPUT_MAX - res->len;
  if (res->len + n + 1 > *cap) {
    size_t want = (res->len + n + 1) * 2;
    char *grown = realloc(res->output, want);
    if (!grown)
      return; /* what was read so far is kept */
    res->output = grown;
    *cap = want;
  }
  memcpy(res->output + res->len, buf, n);
  res->len += n;
  res->output[res->len] = '\0';
}

struct active {
  pid_t pid;
  int fd;           /* -1 once at EOF */
  size_t task;
  size_t cap;
  double start;
};

static bool start(struct child_task *t, struct active *a, char *err, size_t errlen)
{
  int fds[2];
  memset(&t->res, 0, sizeof t->res);
  a->cap = 0;
  append(&t->res, "", 0, &a->cap);
  if (access(t->argv[0], X_OK) != 0) {
    snprintf(err, errlen, "%s: %s", t->argv[0], strerror(errno));
    return false;
  }
  if (pipe(fds) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return false;
  }
  a->start = now_s();
  a->pid = fork();
  if (a->pid < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (a->pid == 0) {
    close(fds[0]);
    exec_child(t->argv, t->env, t->stdin_path, fds[1]);
  }
  setpgid(a->pid, a->pid); /* also here, so a kill cannot race the child's own call */
  close(fds[1]);
  a->fd = fds[0];
  return true;
}

/* Reaps a child whose output ended (or which timed out). */
static void finish(struct child_task *t, struct active *a)
{
  if (a->fd >= 0)
    close(a->fd);
  while (waitpid(a->pid, &t->res.status, 0) < 0 && errno == EINTR)
    ;
  if (t->res.timed_out) /* what it left behind, a libFuzzer -fork worker say */
    kill(-a->pid, SIGKILL);
  t->res.seconds = now_s() - a->start;
  a->pid = 0;
}

bool child_run_many(struct child_task *tasks, size_t ntasks, unsigned jobs, char *err,
                    size_t errlen)
{
  enum { MAX_JOBS = 16 };
  struct active act[MAX_JOBS];
  size_t next = 0, running = 0;
  bool ok = true;
  if (jobs == 0)
    jobs = 1;
  if (jobs > MAX_JOBS)
    jobs = MAX_JOBS;
  memset(act, 0, sizeof act);
  char buf[65536];
  while (next < ntasks || running) {
    for (unsigned j = 0; j < jobs && ok && next < ntasks; j++)
      if (act[j].pid == 0) {
        act[j].task = next;
        if (!start(&tasks[next], &act[j], err, errlen)) {
          ok = false; /* the ones running are still reaped below */
          break;
        }
        next++;
        running++;
      }
    if (!ok)
      next = ntasks;
    if (!running)
      break;
    struct pollfd pfd[MAX_JOBS];
    unsigned slot[MAX_JOBS], n = 0;
    int wait_ms = -1;
    double now = now_s();
    for (unsigned j = 0; j < jobs; j++) {
      if (act[j].pid == 0)
        continue;
      struct child_task *t = &tasks[act[j].task];
      if (t->timeout_s) {
        double left = act[j].start + t->timeout_s - now;
        if (left <= 0) {
          t->res.timed_out = true;
          kill(-act[j].pid, SIGKILL);
          finish(t, &act[j]);
          running--;
          continue;
        }
        int ms = (int)(left * 1000) + 1;
        wait_ms = wait_ms < 0 || ms < wait_ms ? ms : wait_ms;
      }
      pfd[n] = (struct pollfd){.fd = act[j].fd, .events = POLLIN};
      slot[n++] = j;
    }
    if (n == 0)
      continue;
    int rc = poll(pfd, n, wait_ms);
    if (rc <= 0)
      continue; /* EINTR, or a deadline: checked above */
    for (unsigned k = 0; k < n; k++) {
      if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      struct active *a = &act[slot[k]];
      struct child_task *t = &tasks[a->task];
      ssize_t got = read(a->fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR)
        continue;
      if (got > 0) {
        append(&t->res, buf, (size_t)got, &a->cap);
        continue;
      }
      finish(t, a);
      running--;
    }
  }
  return ok;
}

bool child_run(char *const argv[], char *const env[], unsigned timeout_s,
               struct child_result *res, char *err, size_t errlen)
{
  struct child_task t = {.argv = (char **)argv, .env = (char **)env, .timeout_s = timeout_s};
  bool ok = child_run_many(&t, 1, 1, err, errlen);
  *res = t.res;
  if (!ok)
    child_result_free(res);
  return ok;
}

void child_result_free(struct child_result *res)
{
  free(res->output);
  res->output = NULL;
  res->len = 0;
}

static const char *signal_name(int sig)
{
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGKILL: return "SIGKILL";
  case SIGTERM: return "SIGTERM";
  case SIGTRAP: return "SIGTRAP";
  default: return "another signal";
  }
}

void child_describe(const struct child_result *res, unsigned timeout_s, char *out, size_t outlen)
{
  if (res->timed_out)
    snprintf(out, outlen, "killed after %u s (timeout)", timeout_s);
  else if (WIFSIGNALED(res->status))
    snprintf(out, outlen, "signal %d (%s)", WTERMSIG(res->status), signal_name(WTERMSIG(res->status)));
  else
    snprintf(out, outlen, "exit %d", WEXITSTATUS(res->status));
}

bool child_clean(const struct child_result *res)
{
  return !res->timed_out && WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0;
}
