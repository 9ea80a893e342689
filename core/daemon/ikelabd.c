/* ikelabd: the engine (engine.h) on real UDP sockets, the wall clock and
 * the OS's randomness. One thread, one poll() loop: datagrams in, timers
 * from ike_engine_next_timer(), the WAN address looked at once a second,
 * signals through a self-pipe. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "ikelab/isakmp_types.h"

enum { EXIT_CONFIG = 2, MAX_UP = 16, MAX_DATAGRAM = 65535, LOG_RING_EVENTS = 512 };

struct daemon {
  char config_path[PATH_MAX];
  struct ike_config *cfg;          /* the running config */
  struct ikelabd_settings settings;
  struct ikelabd_log_sink cli_log[IKELABD_MAX_LOGS]; /* --log: replaces the file's */
  size_t ncli_log;
  bool foreground;
  const char *pid_file;
  int up[MAX_UP];
  size_t nup;
  struct daemon_net net;
  struct daemon_log log;
  struct ike_engine *engine;
  const char *tun_name;            /* --tun; NULL = no datapath */
  struct daemon_tunnel tun;
  const char *ctl_path;            /* --control */
  struct daemon_ctl ctl;
  struct log_ring ring;            /* ikelabctl log */
  struct daemon_wan wan;           /* wan_interface; its addr is the engine's */
  struct {                         /* the half-open limit's note (flood_note) */
    uint64_t noted;                /* half_open_dropped when last noted */
    uint64_t at_ms;                /* when; 0 = not yet */
  } flood;
};

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
  int saved = errno;
  if (sig == SIGHUP)
    got_hup = 1;
  else
    got_stop = 1;
  /* Wakes poll(); a full pipe already holds a wake-up. */
  (void)!write(sig_pipe[1], "s", 1);
  errno = saved;
}

static uint64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts); /* log lines carry wall-clock times */
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void os_random(void *ctx, uint8_t *out, size_t len)
{
  (void)ctx;
  while (len > 0) {
    ssize_t got = getrandom(out, len, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      /* Keys from anything else would be worse than stopping. */
      perror("ikelabd: getrandom");
      abort();
    }
    out += got;
    len -= (size_t)got;
  }
}

static struct dpath_io io_of(struct daemon *d)
{
  return (struct dpath_io){.t = &d->tun, .net = &d->net, .log = &d->log, .engine = d->engine,
                           .cfg = d->cfg, .random = os_random};
}

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct daemon *d = ctx;
  char a[16];
  switch (ev->kind) {
  case IKE_EV_SEND:
    return net_send(&d->net, ev->u.send.from, ev->u.send.to, ev->u.send.data, ev->u.send.len);
  case IKE_EV_LOG:
    dlog_event(&d->log, &ev->u.log);
    return true;
  case IKE_EV_SA_ADD:
  case IKE_EV_SA_DEL: {
    const struct ike_ipsec_sa *sa = &ev->u.sa;
    dlog_note(&d->log, "rule %d: IPsec SA %s: %s spi in 0x%08x out 0x%08x peer %s:%u%s",
              sa->rule, ev->kind == IKE_EV_SA_ADD ? "add" : "delete",
              sa->protocol == ISAKMP_PROTO_AH ? "AH" : "ESP", (unsigned)sa->spi_in,
              (unsigned)sa->spi_out, ipv4_text(sa->peer.addr, a), sa->peer.port,
              sa->udp_encap ? " udp-encap" : "");
    struct dpath_io io = io_of(d);
    dpath_sa_event(&io, now_ms(), ev);
    return true;
  }
  case IKE_EV_RESULT: {
    static const char *const what[] = {"Phase 1 up", "Phase 1 failed", "Phase 2 up",
                                       "Phase 2 failed", "Phase 1 deleted"};
    const struct ike_result *r = &ev->u.result;
    dlog_note(&d->log, "rule %d: %s with %s:%u (notify %u)", r->rule, what[r->kind],
              ipv4_text(r->peer.addr, a), r->peer.port, r->notify);
    return true;
  }
  }
  return true;
}

/* With a WAN interface (listen is then 0.0.0.0) the engine's own address is
 * the interface's, so "My IP" 0 and the initiator's ID are a real address. */
static struct ike_engine *engine_for(struct daemon *d, const struct ike_config *cfg,
                                     const struct ikelabd_settings *s, char *err, size_t errlen)
{
  uint32_t local = s->wan_interface[0] ? d->wan.addr : s->listen_ip;
  struct ike_host host = {.random = os_random, .sink = sink, .sink_ctx = d,
                          .local = {local, s->ike_port}, .natt_port = s->natt_port};
  struct ike_engine *e = ike_engine_new(cfg, &host, err, errlen);
  if (e)
    d->wan.addr = local; /* what wan_poll compares the interface with */
  return e;
}

static const struct ikelabd_log_sink *sinks_of(const struct daemon *d,
                                               const struct ikelabd_settings *s, size_t *n)
{
  *n = d->ncli_log ? d->ncli_log : s->nlog;
  return d->ncli_log ? d->cli_log : s->log;
}

/* New listen address or ports: the engine's own endpoints change, which it
 * cannot take in place. Its SAs are deleted (Deletes out of the old sockets)
 * and a fresh engine starts on the new ones. False: nothing changed. */
static bool move_engine(struct daemon *d, const struct ike_config *cfg,
                        const struct ikelabd_settings *s, char *err, size_t errlen)
{
  struct daemon_net net;
  if (!net_open(&net, s->listen_ip, s->ike_port, s->natt_port, err, errlen))
    return false;
  struct ike_engine *e = engine_for(d, cfg, s, err, errlen);
  if (!e) {
    net_close(&net);
    return false;
  }
  ike_engine_shutdown(d->engine, now_ms()); /* its SA_DELs empty the datapath */
  ike_engine_free(d->engine);
  net_close(&d->net);
  d->net = net;
  d->engine = e;
  return true;
}

/* SIGHUP. A bad file keeps everything running as it was; a good one goes
 * to the engine in place, which keeps the SAs whose rule still fits (the
 * datapath keeps them too: the engine's SA_DEL events remove the rest). */
static void reload(struct daemon *d)
{
  char err[512];
  struct ike_config *cfg = malloc(sizeof *cfg);
  struct ikelabd_settings s = d->settings;
  if (!cfg) {
    dlog_note(&d->log, "reload: out of memory; running config kept");
    return;
  }
  *cfg = *d->cfg;
  bool ok = config_load_file(d->config_path, cfg, &s, err, sizeof err);
  bool moved = s.listen_ip != d->settings.listen_ip || s.ike_port != d->settings.ike_port ||
               s.natt_port != d->settings.natt_port;
  if (ok)
    ok = moved ? move_engine(d, cfg, &s, err, sizeof err)
               : ike_engine_reconfigure(d->engine, now_ms(), cfg, err, sizeof err);
  if (!ok) {
    dlog_note(&d->log, "reload refused, running config kept: %s", err);
    free(cfg);
    return;
  }
  size_t nsink;
  const struct ikelabd_log_sink *sinks = sinks_of(d, &s, &nsink);
  struct daemon_log log;
  if (dlog_open(&log, sinks, nsink, d->foreground, err, sizeof err)) {
    log.index = d->log.index;
    log.ring = d->log.ring;
    dlog_close(&d->log);
    d->log = log;
  } else {
    dlog_note(&d->log, "reload: %s; old log sinks kept", err);
  }
  free(d->cfg);
  d->cfg = cfg;
  d->settings = s;
  wan_watch(&d->wan, s.wan_interface); /* another one is looked at on the next turn */
  dlog_note(&d->log, "config reloaded from %s (%s)", d->config_path,
            moved ? "new address or ports: SAs deleted, engine restarted"
                  : "SAs that still fit kept");
}

static void handle_socket(struct daemon *d, int fd)
{
  static uint8_t buf[MAX_DATAGRAM];
  /* Bounded, so timers and signals are not starved by a flood. */
  for (int i = 0; i < 64; i++) {
    struct ike_endpoint from, to;
    bool esp;
    long len = net_recv(&d->net, fd, buf, sizeof buf, &from, &to, &esp);
    if (len == 0)
      return;
    if (len > 0 && esp) {
      struct dpath_io io = io_of(d);
      dpath_esp_input(&io, now_ms(), buf, (size_t)len);
    } else if (len > 0) {
      ike_engine_input(d->engine, now_ms(), from, to, buf, (size_t)len);
    }
  }
}

/* A flood at the half-open limit is dropped without a word to the peer or
 * a catalogue line; this note, at most every FLOOD_NOTE_MS, makes it seen. */
enum { FLOOD_NOTE_MS = 10000 };
static void flood_note(struct daemon *d, uint64_t now)
{
  struct ike_engine_counters c;
  ike_engine_counters(d->engine, &c);
  if (c.half_open_dropped < d->flood.noted) /* a reload made a new engine */
    d->flood.noted = 0;
  if (c.half_open_dropped == d->flood.noted ||
      (d->flood.at_ms != 0 && now - d->flood.at_ms < FLOOD_NOTE_MS))
    return;
  /* The first note comes as the drops begin: checked after every batch of
   * datagrams, they are less than a second old. */
  uint64_t secs = d->flood.at_ms ? (now - d->flood.at_ms + 999) / 1000 : 1;
  dlog_note(&d->log,
            "half-open limit %u reached: %llu Phase 1 requests dropped in the last %llu s "
            "(%llu in all)",
            d->cfg->g.max_half_open_phase1,
            (unsigned long long)(c.half_open_dropped - d->flood.noted), (unsigned long long)secs,
            (unsigned long long)c.half_open_dropped);
  d->flood.noted = c.half_open_dropped;
  d->flood.at_ms = now;
}

static void run(struct daemon *d)
{
  for (size_t i = 0; i < d->nup; i++)
    if (!ike_engine_trigger(d->engine, now_ms(), d->up[i]))
      dlog_note(&d->log, "--up %d: the rule cannot be started", d->up[i]);
  while (!got_stop) {
    uint64_t now = now_ms(), next = ike_engine_next_timer(d->engine);
    if (next <= now) {
      ike_engine_tick(d->engine, now);
      next = ike_engine_next_timer(d->engine);
    }
    struct dpath_io io = io_of(d);
    uint64_t dp_wait = dpath_timers(&io, now);
    if (dp_wait != UINT64_MAX && (next == UINT64_MAX || next > now + dp_wait))
      next = now + (dp_wait ? dp_wait : 1);
    uint64_t wan_wait = wan_poll(&d->wan, d->engine, &d->log, now);
    if (wan_wait != UINT64_MAX && (next == UINT64_MAX || next > now + wan_wait))
      next = now + wan_wait;
    /* A timer the tick did not move waits a millisecond instead of spinning. */
    int timeout = next == UINT64_MAX ? -1
                  : next <= now      ? 1
                  : next - now > 60000 ? 60000
                                       : (int)(next - now);
    /* A negative fd (no --tun) is ignored by poll. */
    struct pollfd p[5] = {{.fd = sig_pipe[0], .events = POLLIN},
                          {.fd = d->net.fd_ike, .events = POLLIN},
                          {.fd = d->net.fd_natt, .events = POLLIN},
                          {.fd = d->tun.fd, .events = POLLIN},
                          {.fd = d->ctl.fd, .events = POLLIN}};
    if (poll(p, 5, timeout) < 0) {
      if (errno == EINTR)
        continue;
      dlog_note(&d->log, "poll: %s", strerror(errno));
      return;
    }
    if (p[0].revents & POLLIN) {
      char drain[64];
      while (read(sig_pipe[0], drain, sizeof drain) > 0) {
      }
    }
    if (got_hup) {
      got_hup = 0;
      reload(d);
      continue; /* the sockets may have changed */
    }
    if (p[1].revents & POLLIN)
      handle_socket(d, d->net.fd_ike);
    if (p[2].revents & POLLIN)
      handle_socket(d, d->net.fd_natt);
    flood_note(d, now_ms());
    if (p[3].revents & POLLIN) {
      io = io_of(d); /* a reload may have replaced engine and config */
      dpath_tun_input(&io, now_ms());
    }
    if (p[4].revents & POLLIN) {
      struct ctl_io c = {.engine = d->engine, .cfg = d->cfg, .t = &d->tun, .ring = &d->ring,
                         .log = &d->log, .wan = &d->wan};
      ctl_serve(&d->ctl, &c, now_ms());
    }
  }
}

static void usage(FILE *out)
{
  fputs("Usage: ikelabd -c FILE [-f|--foreground] [--pid-file PATH] [--tun NAME]\n"
        "               [--control PATH] [--log SINK]... [--up RULE]... [--check]\n"
        "               [-h|--help]\n"
        "\n"
        "The ikelab IKEv1 daemon: the Prestige 652 rule model on UDP ports 500 and\n"
        "4500 (both set in the config file; see docs/ikelabd.conf.example).\n"
        "\n"
        "  -c, --config FILE  config file (required); a bad one exits 2\n"
        "  -f, --foreground   stay in the foreground; the router view goes to stdout,\n"
        "                     the daemon's own messages to stderr\n"
        "  --pid-file PATH    write our process id there (removed on exit)\n"
        "  --log SINK         router | syslog | file:/PATH | json:/PATH; repeatable\n"
        "                     (up to 4), replaces the config file's log setting\n"
        "  --up RULE          negotiate rule RULE once at start (we initiate)\n"
        "  --tun NAME         carry ESP: create TUN device NAME (e.g. ikelab0; give it\n"
        "                     an address and routes to the remote subnets with ip);\n"
        "                     packets routed into it go through the rules' SAs, and\n"
        "                     one without an SA starts its rule\n"
        "  --control PATH     control socket for ikelabctl (default\n"
        "                     " IKELABD_CONTROL_PATH ", mode 0600)\n"
        "  --check            load the config, report, and exit (0 or 2)\n"
        "  -h, --help         this text\n"
        "\n"
        "Signals: SIGTERM/SIGINT stop, each SA deleted with a Delete to its peer;\n"
        "SIGHUP reloads the config file: a bad one keeps the running config, a good\n"
        "one keeps the SAs whose rule still fits it and deletes the others.\n",
        out);
}

/* Returns 0 to go on, or an exit status. */
static int parse_args(struct daemon *d, int argc, char **argv, bool *check)
{
  enum { OPT_PID = 256, OPT_LOG, OPT_UP, OPT_CHECK, OPT_TUN, OPT_CONTROL };
  static const struct option opts[] = {
      {"config", required_argument, NULL, 'c'}, {"foreground", no_argument, NULL, 'f'},
      {"pid-file", required_argument, NULL, OPT_PID}, {"log", required_argument, NULL, OPT_LOG},
      {"up", required_argument, NULL, OPT_UP}, {"check", no_argument, NULL, OPT_CHECK},
      {"tun", required_argument, NULL, OPT_TUN}, {"control", required_argument, NULL, OPT_CONTROL},
      {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
  const char *config = NULL;
  char err[256];
  int c;
  while ((c = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
    switch (c) {
    case 'c': config = optarg; break;
    case 'f': d->foreground = true; break;
    case OPT_PID: d->pid_file = optarg; break;
    case OPT_CHECK: *check = true; break;
    case OPT_CONTROL:
      /* Absolute, so it can be removed at exit after the daemon changed to /. */
      if (optarg[0] != '/') {
        fprintf(stderr, "ikelabd: --control \"%s\": an absolute path\n", optarg);
        return EXIT_CONFIG;
      }
      d->ctl_path = optarg;
      break;
    case OPT_TUN:
      if (!*optarg || strlen(optarg) >= sizeof d->tun.name) {
        fprintf(stderr, "ikelabd: --tun \"%s\": a device name of 1 to %zu characters\n",
                optarg, sizeof d->tun.name - 1);
        return EXIT_CONFIG;
      }
      d->tun_name = optarg;
      break;
    case 'h': usage(stdout); return EXIT_SUCCESS;
    case OPT_LOG:
      if (d->ncli_log == IKELABD_MAX_LOGS) {
        fprintf(stderr, "ikelabd: at most %d --log options\n", IKELABD_MAX_LOGS);
        return EXIT_CONFIG;
      }
      if (!dlog_parse_spec(optarg, &d->cli_log[d->ncli_log++], err, sizeof err)) {
        fprintf(stderr, "ikelabd: --log: %s\n", err);
        return EXIT_CONFIG;
      }
      break;
    case OPT_UP: {
      char *end;
      long n = strtol(optarg, &end, 10);
      if (*end || n < 1 || n > 999 || d->nup == MAX_UP) {
        fprintf(stderr, "ikelabd: --up \"%s\": a rule number 1-999 (at most %d)\n", optarg,
                MAX_UP);
        return EXIT_CONFIG;
      }
      d->up[d->nup++] = (int)n;
      break;
    }
    default: usage(stderr); return EXIT_CONFIG;
    }
  }
  if (!config || optind != argc) {
    fputs(config ? "ikelabd: unexpected argument\n" : "ikelabd: -c FILE is required\n", stderr);
    usage(stderr);
    return EXIT_CONFIG;
  }
  /* Absolute, so SIGHUP finds it after the daemon changed to /. */
  if (!realpath(config, d->config_path)) {
    fprintf(stderr, "%s:0: cannot read: %s\n", config, strerror(errno));
    return EXIT_CONFIG;
  }
  return -1;
}

/* Everything that can be wrong with the config or the command line is found
 * here, before a socket is opened. */
static int load(struct daemon *d)
{
  char err[512];
  d->cfg = malloc(sizeof *d->cfg);
  if (!d->cfg)
    return EXIT_FAILURE;
  memset(d->cfg, 0, sizeof *d->cfg);
  ikelabd_settings_default(&d->settings);
  if (!config_load_file(d->config_path, d->cfg, &d->settings, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    return EXIT_CONFIG;
  }
  for (size_t i = 0; i < d->nup; i++) {
    const struct ike_rule *r = ike_rule_find(d->cfg, d->up[i]);
    if (!r || !r->active || ike_rule_dynamic(r)) {
      fprintf(stderr, "ikelabd: --up %d: no such active rule with a fixed secure gateway\n",
              d->up[i]);
      return EXIT_CONFIG;
    }
  }
  return -1;
}

static int start(struct daemon *d)
{
  char err[512];
  if (!net_open(&d->net, d->settings.listen_ip, d->settings.ike_port, d->settings.natt_port, err,
                sizeof err)) {
    fprintf(stderr, "ikelabd: %s\n", err);
    return EXIT_FAILURE;
  }
  if (d->tun_name) {
    snprintf(d->tun.name, sizeof d->tun.name, "%s", d->tun_name);
    d->tun.fd = tun_open(d->tun.name, err, sizeof err);
    if (d->tun.fd < 0) {
      fprintf(stderr, "ikelabd: %s\n", err);
      return EXIT_FAILURE;
    }
  }
  size_t nsink;
  const struct ikelabd_log_sink *sinks = sinks_of(d, &d->settings, &nsink);
  if (!dlog_open(&d->log, sinks, nsink, d->foreground, err, sizeof err)) {
    fprintf(stderr, "ikelabd: %s\n", err);
    return EXIT_FAILURE;
  }
  d->log.ring = &d->ring;
  if (log_ring_init(&d->ring, LOG_RING_EVENTS) != 0 ||
      !ctl_open(&d->ctl, d->ctl_path ? d->ctl_path : IKELABD_CONTROL_PATH, err, sizeof err)) {
    fprintf(stderr, "ikelabd: %s\n", d->ring.events ? err : "out of memory");
    return EXIT_FAILURE;
  }
  /* The engine starts on the WAN address when there is one already. */
  wan_watch(&d->wan, d->settings.wan_interface);
  if (d->wan.ifname[0]) {
    d->wan.addr = wan_check(&d->wan, &d->log);
    d->wan.next_ms = now_ms() + WAN_CHECK_MS;
  }
  d->engine = engine_for(d, d->cfg, &d->settings, err, sizeof err);
  if (!d->engine) {
    fprintf(stderr, "ikelabd: %s\n", err);
    return EXIT_FAILURE;
  }
  if (!d->foreground && daemon(0, 0) < 0) {
    fprintf(stderr, "ikelabd: daemon: %s\n", strerror(errno));
    return EXIT_FAILURE;
  }
  if (d->pid_file) {
    FILE *f = fopen(d->pid_file, "we");
    if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
      dlog_note(&d->log, "cannot write pid file %s", d->pid_file);
      return EXIT_FAILURE;
    }
  }
  return -1;
}

static bool signals_init(void)
{
  if (pipe(sig_pipe) < 0)
    return false;
  for (int i = 0; i < 2; i++) {
    fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
    fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
      sigaction(SIGHUP, &sa, NULL) < 0)
    return false;
  signal(SIGPIPE, SIG_IGN);
  return true;
}

int main(int argc, char **argv)
{
  static struct daemon d = {.net = {.fd_ike = -1, .fd_natt = -1}, .tun = {.fd = -1},
                            .ctl = {.fd = -1}, .wan = {.state = -1}};
  bool check = false;
  dp_init(&d.tun.dp);
  d.tun.fd = -1;
  int rc = parse_args(&d, argc, argv, &check);
  if (rc < 0)
    rc = load(&d);
  if (rc < 0 && check) {
    printf("%s: ok, %zu rules\n", d.config_path, d.cfg->nrules);
    rc = EXIT_SUCCESS;
  }
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  if (rc < 0) {
    /* Fixed DH keys and other fuzzing shortcuts must never face a peer. */
    fputs("ikelabd: built for fuzzing; refusing to run\n", stderr);
    rc = EXIT_FAILURE;
  }
#endif
  if (rc < 0 && !signals_init()) {
    perror("ikelabd: signals");
    rc = EXIT_FAILURE;
  }
  if (rc < 0)
    rc = start(&d);
  if (rc < 0) {
    dlog_note(&d.log, "listening on %s ports %u and %u, %zu rules%s%s", ipv4_text(d.settings.listen_ip,
              (char[16]){0}), d.settings.ike_port, d.settings.natt_port, d.cfg->nrules,
              d.tun.fd >= 0 ? ", ESP over TUN " : "", d.tun.fd >= 0 ? d.tun.name : "");
    run(&d);
    /* Deletes go out of the sockets synchronously, from inside the call. */
    ike_engine_shutdown(d.engine, now_ms());
    dlog_note(&d.log, "stopping; NAT-T port dropped %lu keepalives, %lu ESP, %lu runts",
              d.net.drops.keepalive, d.net.drops.esp, d.net.drops.runt);
    if (d.tun.fd >= 0) {
      char stats[256];
      dpath_stats_text(&d.tun, stats, sizeof stats);
      dlog_note(&d.log, "%s", stats);
    }
    if (d.pid_file)
      unlink(d.pid_file);
    rc = EXIT_SUCCESS;
  }
  ike_engine_free(d.engine);
  dp_clear(&d.tun.dp);
  if (d.tun.fd >= 0)
    close(d.tun.fd);
  net_close(&d.net);
  ctl_close(&d.ctl);
  dlog_close(&d.log);
  log_ring_free(&d.ring);
  free(d.cfg);
  return rc;
}
