/* ike_load: a load driver for handshakes per second (issue 9). It embeds
 * --concurrency initiator engines, each with its own address and UDP socket
 * (port 500), against one responder (a real ikelabd). Each engine loops:
 * trigger rule 1, Main Mode + Quick Mode to completion (Phase 2 up), then
 * take the rule down (protected Deletes for the IPsec and the ISAKMP SA, as
 * `ikelabctl down` does) and start again. One thread, one poll() loop; time
 * from CLOCK_MONOTONIC, randomness from getrandom(), as ikelabd does.
 *
 * Slot k (from 1) uses address --local-base + k-1 and proxy IDs
 * 172.20.k.0/24 (ours) and 172.21.k.0/24 (the responder's): the responder's
 * config needs rule k with that address as its secure gateway and the
 * mirror-image nets (ci/bench-handshakes writes it).
 *
 * Output: one line of key=value pairs for the measured window, after a
 * warm-up; with --responder-pid, that process's CPU time and context
 * switches over the window are read from /proc. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ikelab/engine.h"
#include "load_clock.h"
#include "ikelab/isakmp_types.h"

enum { MAX_SLOTS = IKE_MAX_RULES, MAX_DATAGRAM = 65535 };

struct slot {
  int k;                   /* 1.. */
  int fd;
  struct ike_engine *e;
  uint32_t addr;
  bool up_pending;         /* Phase 2 came up inside an engine call */
  bool failed_pending;     /* a negotiation failed: start again */
  uint64_t started_ms;     /* when this handshake was triggered */
};

struct stats {
  unsigned long done, failed, retransmits, send_errors;
  double latency_ms_sum;
};

static struct stats st;
static bool measuring;

__attribute__((format(printf, 1, 2))) static _Noreturn void die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "ike_load: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(2);
}

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Context switches of a process's main thread: voluntary ones are waits
 * for input (it was idle), involuntary ones are preemptions (it had work
 * but another task had the CPU). */
static void pid_switches(long pid, long *voluntary, long *preempted)
{
  char path[64], line[128];
  *voluntary = *preempted = -1;
  snprintf(path, sizeof path, "/proc/%ld/status", pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
      *voluntary = strtol(line + 24, NULL, 10);
    else if (strncmp(line, "nonvoluntary_ctxt_switches:", 27) == 0)
      *preempted = strtol(line + 27, NULL, 10);
  }
  fclose(f);
}

static void os_random(void *ctx, uint8_t *out, size_t len)
{
  (void)ctx;
  while (len > 0) {
    ssize_t got = getrandom(out, len, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      perror("ike_load: getrandom");
      abort();
    }
    out += got;
    len -= (size_t)got;
  }
}

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct slot *s = ctx;
  switch (ev->kind) {
  case IKE_EV_SEND: {
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(ev->u.send.to.port),
                             .sin_addr.s_addr = htonl(ev->u.send.to.addr)};
    if (sendto(s->fd, ev->u.send.data, ev->u.send.len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
      st.send_errors++;
      return false;
    }
    return true;
  }
  case IKE_EV_LOG:
    if (ev->u.log.id == LOG_K19 && measuring)
      st.retransmits++;
    return true;
  case IKE_EV_RESULT:
    /* The sink must not call back into the engine: act after the call. */
    if (ev->u.result.kind == IKE_RESULT_PHASE2_UP)
      s->up_pending = true;
    else if (ev->u.result.kind == IKE_RESULT_PHASE1_FAILED ||
             ev->u.result.kind == IKE_RESULT_PHASE2_FAILED)
      s->failed_pending = true;
    return true;
  default:
    return true;
  }
}

static void start(struct slot *s)
{
  s->started_ms = now_ms();
  if (!ike_engine_trigger(s->e, s->started_ms, 1))
    die("slot %d: the engine refused to start rule 1", s->k);
}

/* After each engine call: a finished handshake is counted, taken down
 * (Deletes sent) and started again; a failed one is started again. */
static void settle(struct slot *s)
{
  if (s->up_pending) {
    s->up_pending = false;
    uint64_t t = now_ms();
    if (measuring) {
      st.done++;
      st.latency_ms_sum += (double)(t - s->started_ms);
    }
    ike_engine_down(s->e, t, 1);
    start(s);
  } else if (s->failed_pending) {
    s->failed_pending = false;
    if (measuring)
      st.failed++;
    ike_engine_down(s->e, now_ms(), 1);
    start(s);
  }
}

static uint32_t parse_ip(const char *text, const char *what)
{
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1)
    die("%s: not an IPv4 address", what);
  return ntohl(a.s_addr);
}

static void make_slot(struct slot *s, int k, uint32_t addr, uint32_t peer, const char *psk,
                      unsigned retransmit_ms)
{
  struct ike_config cfg;
  memset(&cfg, 0, sizeof cfg);
  ike_globals_default(&cfg.g);
  cfg.g.nat_traversal = false;
  cfg.g.dpd_interval_ms = 0;
  cfg.g.retransmit_interval_ms = retransmit_ms;
  cfg.g.retransmit_count = 5;
  struct ike_rule *r = &cfg.rules[0];
  ike_rule_default(r, 1);
  cfg.nrules = 1;
  r->mode = IKE_MODE_MAIN;
  r->my_ip = addr;
  r->secure_gateway = peer;
  r->local = addr_subnet(IPV4(172, 20, k, 0), 0xffffff00u);
  r->remote = addr_subnet(IPV4(172, 21, k, 0), 0xffffff00u);
  if (!ike_rule_set_psk(r, psk))
    die("--psk %s: too long", psk);
  r->p1[0] = (struct ike_p1_proposal){OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                      OAKLEY_GROUP_MODP2048, 28800};
  r->np1 = 1;
  r->p2[0] = (struct ike_p2_proposal){ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                      IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL, 3600, 0};
  r->np2 = 1;

  s->k = k;
  s->addr = addr;
  s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(500),
                           .sin_addr.s_addr = htonl(addr)};
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sa.sin_addr, text, sizeof text);
  if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    die("bind %s:500 failed (is the address on an interface?)", text);
  char why[256];
  struct ike_host host = {.random = os_random, .sink = sink, .sink_ctx = s,
                          .local = {addr, 500}};
  s->e = ike_engine_new(&cfg, &host, why, sizeof why);
  if (!s->e)
    die("engine: %s", why);
}

static void usage(FILE *out)
{
  fputs("Usage: ike_load --peer IP --local-base IP [--concurrency N] [--seconds S]\n"
        "                [--warmup S] [--psk KEY] [--retransmit MS] [--responder-pid PID]\n"
        "\n"
        "N initiator engines (1-32), slot k on address local-base + k - 1, port 500,\n"
        "each running Main Mode + Quick Mode (aes128-sha1-modp2048, PSK; ESP\n"
        "aes128-sha1, tunnel, no PFS) against PEER:500 in a loop; each finished\n"
        "handshake is taken down with Deletes and started again. Prints one line:\n"
        "concurrency seconds handshakes rate failed retransmits send_errors\n"
        "latency_ms_mean driver_cpu_s responder_cpu_s responder_waits\n"
        "responder_preempted (key=value; the last two: the responder's voluntary and\n"
        "involuntary context switches, -1 without --responder-pid).\n"
        "Defaults: N 1, 5 s measured after 1 s warm-up, retransmit 1000 ms.\n",
        out);
}

int main(int argc, char **argv)
{
  const char *peer_s = NULL, *base_s = NULL, *psk = "ikelab-bench-psk";
  long n = 1, rpid = 0, retransmit = 1000;
  double seconds = 5, warmup = 1;
  static const struct option opts[] = {
      {"peer", required_argument, 0, 'p'},        {"local-base", required_argument, 0, 'b'},
      {"concurrency", required_argument, 0, 'n'}, {"seconds", required_argument, 0, 's'},
      {"warmup", required_argument, 0, 'w'},      {"psk", required_argument, 0, 'k'},
      {"retransmit", required_argument, 0, 'r'},  {"responder-pid", required_argument, 0, 'P'},
      {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case 'p': peer_s = optarg; break;
    case 'b': base_s = optarg; break;
    case 'n': n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > MAX_SLOTS) die("--concurrency %s: want 1-32", optarg);
      break;
    case 's': seconds = strtod(optarg, &end);
      if (*end || seconds <= 0) die("--seconds %s: want a positive number", optarg);
      break;
    case 'w': warmup = strtod(optarg, &end);
      if (*end || warmup < 0) die("--warmup %s: want a number >= 0", optarg);
      break;
    case 'k': psk = optarg; break;
    case 'r': retransmit = strtol(optarg, &end, 10);
      if (*end || retransmit < 10) die("--retransmit %s: want milliseconds >= 10", optarg);
      break;
    case 'P': rpid = strtol(optarg, &end, 10);
      if (*end || rpid <= 0) die("--responder-pid %s: not a pid", optarg);
      break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (!peer_s || !base_s) {
    usage(stderr);
    return 2;
  }
  uint32_t peer = parse_ip(peer_s, peer_s), base = parse_ip(base_s, base_s);

  static struct slot slots[MAX_SLOTS];
  struct pollfd pfd[MAX_SLOTS];
  for (int i = 0; i < n; i++) {
    make_slot(&slots[i], i + 1, base + (uint32_t)i, peer, psk, (unsigned)retransmit);
    pfd[i] = (struct pollfd){.fd = slots[i].fd, .events = POLLIN};
  }
  for (int i = 0; i < n; i++)
    start(&slots[i]);

  static uint8_t buf[MAX_DATAGRAM];
  double t0 = now_s(), t_begin = t0 + warmup, t_end = t_begin + seconds;
  double cpu0 = 0, rcpu0 = 0;
  long rv0 = 0, rp0 = 0, rv1 = -1, rp1 = -1;
  for (;;) {
    double t = now_s();
    if (!measuring && t >= t_begin) {
      measuring = true;
      cpu0 = self_cpu_s();
      rcpu0 = rpid ? pid_cpu_s(rpid) : 0;
      if (rpid)
        pid_switches(rpid, &rv0, &rp0);
      t_begin = t;
      t_end = t + seconds;
    }
    if (measuring && t >= t_end)
      break;
    uint64_t now = now_ms(), next = UINT64_MAX;
    for (int i = 0; i < n; i++) {
      uint64_t nt = ike_engine_next_timer(slots[i].e);
      if (nt <= now) {
        ike_engine_tick(slots[i].e, now);
        settle(&slots[i]);
        nt = ike_engine_next_timer(slots[i].e);
      }
      if (nt < next)
        next = nt;
    }
    double left = (measuring ? t_end : t_begin) - t;
    int timeout = (int)(left * 1000) + 1;
    if (next != UINT64_MAX && next > now && (int)(next - now) < timeout)
      timeout = (int)(next - now);
    if (poll(pfd, (nfds_t)n, timeout) < 0) {
      if (errno == EINTR)
        continue;
      die("poll: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
      if (!(pfd[i].revents & POLLIN))
        continue;
      for (;;) {
        struct sockaddr_in src;
        socklen_t sl = sizeof src;
        ssize_t got = recvfrom(slots[i].fd, buf, sizeof buf, 0, (struct sockaddr *)&src, &sl);
        if (got < 0)
          break;
        struct ike_endpoint from = {ntohl(src.sin_addr.s_addr), ntohs(src.sin_port)};
        struct ike_endpoint to = {slots[i].addr, 500};
        ike_engine_input(slots[i].e, now_ms(), from, to, buf, (size_t)got);
        settle(&slots[i]);
      }
    }
  }
  double el = now_s() - t_begin, cpu = self_cpu_s() - cpu0;
  double rcpu = rpid ? pid_cpu_s(rpid) - rcpu0 : -1;
  if (rpid)
    pid_switches(rpid, &rv1, &rp1);
  printf("concurrency=%ld seconds=%.3f handshakes=%lu rate=%.2f failed=%lu retransmits=%lu "
         "send_errors=%lu latency_ms_mean=%.1f driver_cpu_s=%.3f responder_cpu_s=%.3f "
         "responder_waits=%ld responder_preempted=%ld\n",
         n, el, st.done, (double)st.done / el, st.failed, st.retransmits, st.send_errors,
         st.done ? st.latency_ms_sum / (double)st.done : 0.0, cpu, rcpu,
         rv1 >= 0 ? rv1 - rv0 : -1, rp1 >= 0 ? rp1 - rp0 : -1);
  /* Leave politely: every SA deleted with a Delete, so the responder
   * starts the next run empty. */
  for (int i = 0; i < n; i++) {
    ike_engine_shutdown(slots[i].e, now_ms());
    ike_engine_free(slots[i].e);
    close(slots[i].fd);
  }
  return 0;
}
