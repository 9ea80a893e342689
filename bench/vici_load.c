/* vici_load: the charon side of ci/bench-handshakes (issue 9). strongSwan's
 * own load-tester plugin is not built into Debian's packages, so charon is
 * driven the way swanctl drives it, through its VICI socket, without a
 * process per request: --concurrency connections to the socket, slot k
 * looping "initiate" of connection and child c<k> (the answer comes when
 * Main Mode + Quick Mode are done, or failed), then "terminate" of IKE_SA
 * c<k> (Deletes for the CHILD_SA and the ISAKMP SA), then again. One
 * thread, one poll() loop.
 *
 * VICI (strongSwan's src/libcharon/plugins/vici/README.md): each packet
 * is a 32-bit big-endian length, a type byte (0 CMD_REQUEST with a name,
 * 1 CMD_RESPONSE, 2 CMD_UNKNOWN), then message elements: 1 SECTION_START
 * (name), 2 SECTION_END, 3 KEY_VALUE (u8 key length, key, u16 value
 * length, value), 4 LIST_START (name), 5 LIST_ITEM (u16 length, value),
 * 6 LIST_END. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ikelab/buf.h"
#include "load_clock.h"

enum { MAX_SLOTS = 32, BUF = 65536 };
enum state { IDLE, INITIATING, TERMINATING };

struct slot {
  int k, fd;
  enum state state;
  double started;
  uint8_t in[BUF];
  size_t inlen;
};

static struct {
  unsigned long done, failed;
  double latency_ms_sum;
} st;
static bool measuring;
static long timeout_ms = 30000;

__attribute__((format(printf, 1, 2))) static _Noreturn void die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vici_load: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

/* ---- requests ---- */
struct out {
  uint8_t b[512];
  size_t n;
};

static void put(struct out *o, const void *p, size_t n)
{
  if (o->n + n > sizeof o->b)
    die("request too long");
  memcpy(o->b + o->n, p, n);
  o->n += n;
}

static void put_kv(struct out *o, const char *k, const char *v)
{
  uint8_t t = 3, kl = (uint8_t)strlen(k);
  uint16_t vl = (uint16_t)strlen(v);
  uint8_t vlb[2] = {(uint8_t)(vl >> 8), (uint8_t)vl};
  put(o, &t, 1);
  put(o, &kl, 1);
  put(o, k, kl);
  put(o, vlb, 2);
  put(o, v, vl);
}

static void request(struct slot *s, const char *cmd, const char *ike, const char *child)
{
  struct out o = {.n = 4};
  char to[24];
  uint8_t t = 0, nl = (uint8_t)strlen(cmd);
  put(&o, &t, 1);
  put(&o, &nl, 1);
  put(&o, cmd, nl);
  if (child)
    put_kv(&o, "child", child);
  put_kv(&o, "ike", ike);
  snprintf(to, sizeof to, "%ld", timeout_ms);
  put_kv(&o, "timeout", to);
  uint32_t len = (uint32_t)(o.n - 4);
  o.b[0] = (uint8_t)(len >> 24);
  o.b[1] = (uint8_t)(len >> 16);
  o.b[2] = (uint8_t)(len >> 8);
  o.b[3] = (uint8_t)len;
  /* Small requests on a fresh stream socket go out whole. */
  if (write(s->fd, o.b, o.n) != (ssize_t)o.n)
    die("write to the VICI socket: %s", strerror(errno));
}

static void initiate(struct slot *s)
{
  char name[16];
  snprintf(name, sizeof name, "c%d", s->k);
  s->started = now_s();
  s->state = INITIATING;
  request(s, "initiate", name, name);
}

static void terminate(struct slot *s)
{
  char name[16];
  snprintf(name, sizeof name, "c%d", s->k);
  s->state = TERMINATING;
  request(s, "terminate", name, NULL);
}

/* The top-level "success" of a CMD_RESPONSE message: 1 yes, 0 no, -1 the
 * packet is not a response we can read. charon's bytes come in through the
 * bounds-checked reader like any packet's. */
static int success_of(const uint8_t *p, size_t n)
{
  struct buf_reader r;
  uint8_t type, t, klen;
  uint16_t vlen;
  struct buf_slice key, value;
  int depth = 0, ok = 0;
  br_init(&r, p, n);
  if (!br_u8(&r, &type) || type != 1)
    return -1;
  while (br_left(&r) > 0) {
    br_u8(&r, &t);
    if (t == 1 || t == 4) { /* section or list start: a name */
      if (!br_u8(&r, &klen) || !br_skip(&r, klen))
        return -1;
      depth++;
    } else if (t == 2 || t == 6) { /* section or list end */
      depth--;
    } else if (t == 3) { /* key-value */
      if (!br_u8(&r, &klen) || !br_slice(&r, klen, &key) || !br_u16(&r, &vlen) ||
          !br_slice(&r, vlen, &value))
        return -1;
      if (depth == 0 && slice_eq_bytes(key, "success", 7))
        ok = slice_eq_bytes(value, "yes", 3);
    } else if (t == 5) { /* list item */
      if (!br_u16(&r, &vlen) || !br_skip(&r, vlen))
        return -1;
    } else {
      return -1;
    }
  }
  return ok;
}

static void on_response(struct slot *s, int ok)
{
  if (s->state == INITIATING) {
    if (ok == 1 && measuring) {
      st.done++;
      st.latency_ms_sum += (now_s() - s->started) * 1000;
    } else if (ok != 1 && measuring) {
      st.failed++;
    }
    terminate(s);
  } else {
    initiate(s);
  }
}

static void readable(struct slot *s)
{
  for (;;) {
    ssize_t got = read(s->fd, s->in + s->inlen, sizeof s->in - s->inlen);
    if (got == 0)
      die("charon closed the VICI socket");
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR)
        break;
      die("read from the VICI socket: %s", strerror(errno));
    }
    s->inlen += (size_t)got;
    while (s->inlen >= 4) {
      size_t len = (size_t)s->in[0] << 24 | (size_t)s->in[1] << 16 | (size_t)s->in[2] << 8 |
                   s->in[3];
      if (len + 4 > sizeof s->in)
        die("VICI packet too long");
      if (s->inlen < len + 4)
        break;
      int ok = success_of(s->in + 4, len);
      memmove(s->in, s->in + 4 + len, s->inlen - 4 - len);
      s->inlen -= 4 + len;
      if (ok < 0)
        die("unexpected VICI packet (not a command response)");
      on_response(s, ok);
    }
  }
}

static void usage(FILE *out)
{
  fputs("Usage: vici_load --socket PATH [--concurrency N] [--seconds S] [--warmup S]\n"
        "                 [--initiator-pid PID] [--responder-pid PID] [--timeout MS]\n"
        "\n"
        "N connections (1-32) to charon's VICI socket; slot k loops initiate of\n"
        "connection and child c<k> (waits until Main Mode + Quick Mode are done),\n"
        "then terminate of IKE_SA c<k>. Prints one line (key=value): concurrency\n"
        "seconds handshakes rate failed latency_ms_mean driver_cpu_s\n"
        "initiator_cpu_s responder_cpu_s (the last two read from /proc for the\n"
        "pids given, -1 without).\n"
        "Defaults: N 1, 5 s measured after 1 s warm-up, timeout 30000 ms.\n",
        out);
}

int main(int argc, char **argv)
{
  const char *path = NULL;
  long n = 1, ipid = 0, rpid = 0;
  double seconds = 5, warmup = 1;
  static const struct option opts[] = {
      {"socket", required_argument, 0, 'S'},        {"concurrency", required_argument, 0, 'n'},
      {"seconds", required_argument, 0, 's'},       {"warmup", required_argument, 0, 'w'},
      {"initiator-pid", required_argument, 0, 'I'}, {"responder-pid", required_argument, 0, 'P'},
      {"timeout", required_argument, 0, 't'},       {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'S': path = optarg; break;
    case 'n': n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > MAX_SLOTS) die("--concurrency %s: want 1-32", optarg);
      break;
    case 's': seconds = strtod(optarg, &end);
      if (*end || seconds <= 0) die("--seconds %s: want a positive number", optarg);
      break;
    case 'w': warmup = strtod(optarg, &end);
      if (*end || warmup < 0) die("--warmup %s: want a number >= 0", optarg);
      break;
    case 'I': ipid = strtol(optarg, &end, 10);
      if (*end || ipid <= 0) die("--initiator-pid %s: not a pid", optarg);
      break;
    case 'P': rpid = strtol(optarg, &end, 10);
      if (*end || rpid <= 0) die("--responder-pid %s: not a pid", optarg);
      break;
    case 't': timeout_ms = strtol(optarg, &end, 10);
      if (*end || timeout_ms < 1) die("--timeout %s: want milliseconds >= 1", optarg);
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!path) {
    usage(stderr);
    return 2;
  }
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path)
    die("--socket %s: path too long", path);
  strcpy(sa.sun_path, path);

  static struct slot slots[MAX_SLOTS];
  struct pollfd pfd[MAX_SLOTS];
  for (int i = 0; i < n; i++) {
    slots[i].k = i + 1;
    slots[i].fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (slots[i].fd < 0 || connect(slots[i].fd, (struct sockaddr *)&sa, sizeof sa) < 0)
      die("cannot connect to %s", path);
    fcntl(slots[i].fd, F_SETFL, O_NONBLOCK);
    pfd[i] = (struct pollfd){.fd = slots[i].fd, .events = POLLIN};
  }
  for (int i = 0; i < n; i++)
    initiate(&slots[i]);

  double t_begin = now_s() + warmup, t_end = t_begin + seconds;
  double cpu0 = 0, icpu0 = 0, rcpu0 = 0;
  for (;;) {
    double t = now_s();
    if (!measuring && t >= t_begin) {
      measuring = true;
      cpu0 = self_cpu_s();
      icpu0 = ipid ? pid_cpu_s(ipid) : 0;
      rcpu0 = rpid ? pid_cpu_s(rpid) : 0;
      t_begin = t;
      t_end = t + seconds;
    }
    if (measuring && t >= t_end)
      break;
    int timeout = (int)(((measuring ? t_end : t_begin) - t) * 1000) + 1;
    if (poll(pfd, (nfds_t)n, timeout) < 0) {
      if (errno == EINTR)
        continue;
      die("poll: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++)
      if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
        readable(&slots[i]);
  }
  double el = now_s() - t_begin;
  double cpu = self_cpu_s() - cpu0;
  double icpu = ipid ? pid_cpu_s(ipid) - icpu0 : -1, rcpu = rpid ? pid_cpu_s(rpid) - rcpu0 : -1;
  printf("concurrency=%ld seconds=%.3f handshakes=%lu rate=%.2f failed=%lu latency_ms_mean=%.1f "
         "driver_cpu_s=%.3f initiator_cpu_s=%.3f responder_cpu_s=%.3f\n",
         n, el, st.done, (double)st.done / el, st.failed,
         st.done ? st.latency_ms_sum / (double)st.done : 0.0, cpu, icpu, rcpu);
  /* Requests still under way finish inside charon; the script stops it. */
  for (int i = 0; i < n; i++)
    close(slots[i].fd);
  return 0;
}
