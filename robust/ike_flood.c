/* ike_flood: IKEv1 floods against a responder, from inside a network
 * namespace the caller made (issue 9's robustness tests, ci/robust-floods).
 * Every mode is bounded by a count and a time; every packet is built by the
 * engine or the codec (first messages come off an initiator engine that
 * reads the same config format as ikelabd), never typed in as bytes. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flood.h"
#include "ikelab/buf.h"

struct opts {
  const char *mode;
  const char *config;
  int rule;
  struct ike_endpoint src, target;
  bool have_src, have_target;
  unsigned long count;
  double duration;
  unsigned long rate;       /* datagrams per second, 0 = as fast as we can */
  uint8_t icookie[8], rcookie[8];
  bool have_cookies;
  bool natt;                /* malformed: the non-ESP marker first (port 4500) */
  bool dry_run;             /* build every packet, open no socket, send nothing */
};

static void usage(FILE *out)
{
  fputs(
      "Usage: ike_flood MODE [options]\n"
      "\n"
      "IKEv1 floods against one responder, bounded by --count and --duration,\n"
      "sent from this network namespace (run it under ip netns exec). Prints one\n"
      "line of counts: what was sent, how fast, what came back.\n"
      "\n"
      "Modes:\n"
      "  half-open  Main Mode message 1, each with a random initiator cookie and a\n"
      "             random source port (raw socket, IP_HDRINCL) from --src; its SA\n"
      "             payload is the one --config's rule offers, so each copy is a real\n"
      "             new negotiation for a responder holding the mirror rule\n"
      "  duplicate  a real exchange up to message 4 over UDP from --src:500 (an\n"
      "             engine initiator with --config's rule), then its message 1 and\n"
      "             message 3 each replayed --count times (duplicate cookies), then\n"
      "             the exchange completed: Phase 1 and Quick Mode. Prints the\n"
      "             cookies, for ikelabctl status\n"
      "  fresh      --count fresh exchanges up to message 4 (each costs the\n"
      "             responder its Diffie-Hellman): the reference for duplicate\n"
      "  malformed  the crafted-packet builder's malformed cases (see --list) under\n"
      "             --icookie/--rcookie, in a loop, from --src:PORT to --target\n"
      "\n"
      "Options:\n"
      "  --config FILE       ikelabd config of the flooding side (half-open, duplicate,\n"
      "                      fresh, malformed: its rule's first message is a base)\n"
      "  --rule N            the rule in it (default 1)\n"
      "  --src ADDR[:PORT]   our address (in this namespace); port for duplicate,\n"
      "                      fresh and malformed (default 500)\n"
      "  --target ADDR[:PORT] the responder (default port 500); half-open, malformed\n"
      "  --count N           at most N datagrams (duplicate: replays of each message;\n"
      "                      fresh: exchanges) (default 1000)\n"
      "  --duration S        at most S seconds of flooding (default 10)\n"
      "  --rate N            at most N datagrams a second (default 0: no limit)\n"
      "  --icookie HEX16, --rcookie HEX16  the established SA (malformed)\n"
      "  --natt              malformed: prepend the non-ESP marker (for port 4500)\n"
      "  --list              the malformed cases, one a line\n"
      "  --dry-run           half-open, malformed: build every packet, print their\n"
      "                      sizes, send nothing (no root needed)\n"
      "  -h, --help          this text\n"
      "\n"
      "Exit status: 0 done, 1 the exchange or a send failed, 2 usage error.\n",
      out);
}

__attribute__((format(printf, 1, 2))) static _Noreturn void die_usage(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "ike_flood: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static bool parse_endpoint(const char *s, struct ike_endpoint *ep, uint16_t def_port)
{
  char host[64];
  const char *colon = strchr(s, ':');
  size_t n = colon ? (size_t)(colon - s) : strlen(s);
  if (n >= sizeof host)
    return false;
  memcpy(host, s, n);
  host[n] = 0;
  ep->port = def_port;
  if (colon) {
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (*end || colon[1] == 0 || p > 65535)
      return false;
    ep->port = (uint16_t)p;
  }
  return parse_ipv4(host, &ep->addr);
}

static bool parse_cookie(const char *s, uint8_t out[8])
{
  if (strlen(s) != 16)
    return false;
  for (int i = 0; i < 8; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1)
      return false;
    out[i] = (uint8_t)v;
  }
  return true;
}

static void hex8(const uint8_t c[8], char out[17])
{
  for (int i = 0; i < 8; i++)
    snprintf(out + 2 * i, 3, "%02x", c[i]);
}

static void parse(int argc, char **argv, struct opts *o)
{
  enum { O_CONFIG = 256, O_RULE, O_SRC, O_TARGET, O_COUNT, O_DURATION, O_RATE, O_IC, O_RC,
         O_NATT, O_LIST, O_DRY };
  static const struct option lo[] = {
      {"config", 1, 0, O_CONFIG}, {"rule", 1, 0, O_RULE},     {"src", 1, 0, O_SRC},
      {"target", 1, 0, O_TARGET}, {"count", 1, 0, O_COUNT},   {"duration", 1, 0, O_DURATION},
      {"rate", 1, 0, O_RATE},     {"icookie", 1, 0, O_IC},    {"rcookie", 1, 0, O_RC},
      {"natt", 0, 0, O_NATT},     {"list", 0, 0, O_LIST},     {"help", 0, 0, 'h'},
      {"dry-run", 0, 0, O_DRY},
      {0, 0, 0, 0}};
  bool ic = false, rc = false;
  o->rule = 1;
  o->count = 1000;
  o->duration = 10;
  o->src.port = 500;
  int c;
  char *end;
  while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    switch (c) {
    case O_CONFIG: o->config = optarg; break;
    case O_RULE:
      o->rule = (int)strtol(optarg, &end, 10);
      if (*end || o->rule < 1 || o->rule > 999)
        die_usage("--rule \"%s\": a rule number 1-999", optarg);
      break;
    case O_SRC:
      if (!parse_endpoint(optarg, &o->src, 500))
        die_usage("--src \"%s\": not ADDR or ADDR:PORT", optarg);
      o->have_src = true;
      break;
    case O_TARGET:
      if (!parse_endpoint(optarg, &o->target, 500))
        die_usage("--target \"%s\": not ADDR or ADDR:PORT", optarg);
      o->have_target = true;
      break;
    case O_COUNT:
      o->count = strtoul(optarg, &end, 10);
      if (*end || optarg[0] == '-' || o->count == 0 || o->count > 100000000ul)
        die_usage("--count \"%s\": a number 1-100000000", optarg);
      break;
    case O_DURATION:
      o->duration = strtod(optarg, &end);
      if (*end || !(o->duration > 0) || o->duration > 3600)
        die_usage("--duration \"%s\": seconds, more than 0, at most 3600", optarg);
      break;
    case O_RATE:
      o->rate = strtoul(optarg, &end, 10);
      if (*end || optarg[0] == '-')
        die_usage("--rate \"%s\": datagrams a second, 0 = no limit", optarg);
      break;
    case O_IC:
      if (!parse_cookie(optarg, o->icookie))
        die_usage("--icookie \"%s\": 16 hex digits", optarg);
      ic = true;
      break;
    case O_RC:
      if (!parse_cookie(optarg, o->rcookie))
        die_usage("--rcookie \"%s\": 16 hex digits", optarg);
      rc = true;
      break;
    case O_NATT: o->natt = true; break;
    case O_DRY: o->dry_run = true; break;
    case O_LIST:
      for (size_t i = 0; i < malformed_count(); i++)
        printf("%s\n", malformed_name(i));
      exit(0);
    case 'h': usage(stdout); exit(0);
    default: usage(stderr); exit(2);
    }
  }
  if (optind != argc - 1) {
    usage(stderr);
    exit(2);
  }
  o->mode = argv[optind];
  o->have_cookies = ic && rc;
  if (!o->config)
    die_usage("%s: --config is needed (the flooding side's rule)", o->mode);
  if (!o->have_src)
    die_usage("%s: --src is needed (an address of this namespace)", o->mode);
  bool raw = strcmp(o->mode, "half-open") == 0 || strcmp(o->mode, "malformed") == 0;
  if (raw && !o->have_target)
    die_usage("%s: --target is needed", o->mode);
  if (strcmp(o->mode, "malformed") == 0 && !o->have_cookies)
    die_usage("%s: --icookie and --rcookie are needed (the established SA's)", o->mode);
}

/* Keeps a flood at or under --rate: sleeps when ahead of schedule. */
static void pace(const struct opts *o, double t0, unsigned long sent)
{
  if (o->rate == 0)
    return;
  double ahead = (double)sent / (double)o->rate - (flood_now() - t0);
  if (ahead > 0.0005) {
    struct timespec ts = {(time_t)ahead, (long)((ahead - (double)(time_t)ahead) * 1e9)};
    nanosleep(&ts, NULL);
  }
}

static bool over(const struct opts *o, double t0, unsigned long sent)
{
  return sent >= o->count || flood_now() - t0 >= o->duration;
}

/* The rule's first message, from an engine that never sends it. */
static bool first_message(const struct opts *o, struct peer_dgram *d)
{
  static struct flood_peer p;
  char err[256];
  if (!peer_open(&p, o->config, o->rule, o->src, false, err, sizeof err)) {
    fprintf(stderr, "ike_flood: %s\n", err);
    return false;
  }
  p.quiet_log = true;
  bool ok = peer_trigger(&p) && peer_take(&p, d) && d->len >= 28;
  if (!ok)
    fprintf(stderr, "ike_flood: rule %d of %s gave no first message\n", o->rule, o->config);
  peer_close(&p);
  return ok;
}

static void report(const char *mode, unsigned long sent, unsigned long refused, double secs,
                   const char *extra)
{
  printf("ike_flood: %s sent=%lu refused=%lu seconds=%.2f rate=%.0f/s%s%s\n", mode, sent,
         refused, secs, secs > 0 ? (double)sent / secs : 0.0, extra[0] ? " " : "", extra);
  fflush(stdout);
}

static int half_open(const struct opts *o)
{
  static struct peer_dgram mm1;
  char err[256];
  if (!first_message(o, &mm1))
    return 1;
  if (o->dry_run) {
    printf("ike_flood: half-open dry-run first_message=%zu bytes\n", mm1.len);
    return 0;
  }
  int fd = raw_open(err, sizeof err);
  if (fd < 0) {
    fprintf(stderr, "ike_flood: %s\n", err);
    return 1;
  }
  unsigned long sent = 0, refused = 0;
  uint8_t rnd[4096];
  size_t used = sizeof rnd;
  double t0 = flood_now();
  while (!over(o, t0, sent + refused)) {
    if (used + 10 > sizeof rnd) {
      flood_random(NULL, rnd, sizeof rnd);
      used = 0;
    }
    memcpy(mm1.data, rnd + used, 8); /* the initiator cookie */
    mm1.data[0] |= 0x80;             /* never all zero */
    uint16_t port = (uint16_t)(1024 + ((rnd[used + 8] << 8 | rnd[used + 9]) % 64000));
    used += 10;
    if (port == 500 || port == 4500)
      port = 4501;
    struct ike_endpoint from = {o->src.addr, port};
    if (raw_send(fd, from, o->target, false, mm1.data, mm1.len))
      sent++;
    else
      refused++;
    pace(o, t0, sent + refused);
  }
  report("half-open", sent, refused, flood_now() - t0, "");
  close(fd);
  return 0;
}

static bool until_out(const struct flood_peer *p) { return p->nout > 0; }
static bool until_up(const struct flood_peer *p) { return p->phase2_up || p->failed; }

/* Sends what the engine queued and waits (resending on silence) for the
 * engine to want to say the next thing: the exchange's next message. */
static bool step_exchange(struct flood_peer *p, struct peer_dgram *sent_msg, const char *what)
{
  if (!peer_take(p, sent_msg)) {
    fprintf(stderr, "ike_flood: no %s to send\n", what);
    return false;
  }
  for (int attempt = 0; attempt < 5; attempt++) {
    udp_send(p->fd, sent_msg->to, sent_msg->data, sent_msg->len);
    peer_pump(p, 1000, until_out);
    if (p->nout > 0)
      return true;
  }
  fprintf(stderr, "ike_flood: no answer to %s after 5 s\n", what);
  return false;
}

/* Reads and drops every datagram waiting (answers to replays). */
static unsigned long drain(int fd, int wait_ms)
{
  static uint8_t buf[FLOOD_MAX_DGRAM];
  struct ike_endpoint from;
  unsigned long n = 0;
  while (udp_recv(fd, buf, sizeof buf, &from, wait_ms) > 0)
    n++;
  return n;
}

static int duplicate(const struct opts *o)
{
  static struct flood_peer p;
  static struct peer_dgram mm1, mm3;
  char err[256];
  if (!peer_open(&p, o->config, o->rule, o->src, true, err, sizeof err)) {
    fprintf(stderr, "ike_flood: %s\n", err);
    return 1;
  }
  p.quiet_log = true;
  if (!peer_trigger(&p) || !step_exchange(&p, &mm1, "Main Mode message 1") ||
      !step_exchange(&p, &mm3, "Main Mode message 3")) {
    peer_close(&p);
    return 1;
  }
  /* The outbox now holds message 5: held until the replays are done. */
  unsigned long sent = 0, replies = 0, i = 0;
  double t0 = flood_now();
  for (; i < o->count && flood_now() - t0 < o->duration; i++) {
    udp_send(p.fd, mm1.to, mm1.data, mm1.len);
    udp_send(p.fd, mm3.to, mm3.data, mm3.len);
    sent += 2;
    if ((i & 31) == 0)
      replies += drain(p.fd, 0);
    pace(o, t0, sent);
  }
  double secs = flood_now() - t0;
  replies += drain(p.fd, 300);
  peer_flush(&p); /* message 5 */
  uint64_t end = flood_now_ms() + 10000;
  while (!until_up(&p) && flood_now_ms() < end) {
    peer_pump(&p, 200, until_out);
    peer_flush(&p);
  }
  /* The cookies as message 3 carries them (the responder's is in it). */
  uint8_t cookies[16] = {0};
  struct buf_reader r;
  br_init(&r, mm3.data, mm3.len);
  br_copy(&r, cookies, 16);
  char ic[17], rc[17], extra[200];
  hex8(cookies, ic);
  hex8(cookies + 8, rc);
  snprintf(extra, sizeof extra, "mm1_replays=%lu mm3_replays=%lu replies=%lu icookie=%s rcookie=%s "
           "phase1=%s phase2=%s", i, i, replies, ic, rc, p.phase1_up ? "up" : "no",
           p.phase2_up ? "up" : "no");
  report("duplicate", sent, 0, secs, extra);
  bool ok = p.phase2_up;
  if (!ok)
    fprintf(stderr, "ike_flood: the exchange did not complete after the replays\n");
  /* Keep answering for a moment: the responder's last Quick Mode message
   * may still be on its way. */
  peer_pump(&p, 300, NULL);
  peer_flush(&p);
  peer_close(&p);
  return ok ? 0 : 1;
}

static int fresh(const struct opts *o)
{
  static struct flood_peer p;
  static struct peer_dgram mm1, mm3;
  char err[256];
  if (!peer_open(&p, o->config, o->rule, o->src, true, err, sizeof err)) {
    fprintf(stderr, "ike_flood: %s\n", err);
    return 1;
  }
  p.quiet_log = true;
  unsigned long done = 0, i = 0;
  double t0 = flood_now();
  for (; i < o->count && flood_now() - t0 < o->duration; i++) {
    ike_engine_clear(p.e);
    p.nout = 0;
    drain(p.fd, 0);
    if (!peer_trigger(&p) || !step_exchange(&p, &mm1, "Main Mode message 1") ||
        !step_exchange(&p, &mm3, "Main Mode message 3"))
      break;
    done++; /* message 4 came: the responder did its Diffie-Hellman */
  }
  char extra[64];
  snprintf(extra, sizeof extra, "exchanges=%lu", done);
  report("fresh", done * 2, 0, flood_now() - t0, extra);
  peer_close(&p);
  return done == i ? 0 : 1;
}

/* Rounds built ahead (message IDs and junk differ between them): the
 * codec's encoder and decoder are too slow to run per datagram at flood
 * rates under ASan. */
enum { MAL_VARIANTS = 16, MAL_MAX_CASES = 64, MAL_MAX_LEN = 2048 };

static int malformed(const struct opts *o)
{
  static struct peer_dgram first;
  static uint8_t pkts[MAL_VARIANTS][MAL_MAX_CASES][MAL_MAX_LEN];
  static size_t lens[MAL_VARIANTS][MAL_MAX_CASES];
  char err[256];
  if (!first_message(o, &first))
    return 1;
  size_t n = malformed_count();
  if (n > MAL_MAX_CASES) {
    fprintf(stderr, "ike_flood: %zu cases, at most %d\n", n, MAL_MAX_CASES);
    return 1;
  }
  /* Every case must build: one that cannot would test nothing, silently. */
  for (size_t v = 0; v < MAL_VARIANTS; v++) {
    for (size_t i = 0; i < n; i++) {
      lens[v][i] = malformed_build(i, o->icookie, o->rcookie, first.data, first.len,
                                   (uint32_t)v, pkts[v][i], MAL_MAX_LEN, err, sizeof err);
      if (lens[v][i] == 0) {
        fprintf(stderr, "ike_flood: case %s: %s\n", malformed_name(i), err);
        return 1;
      }
    }
  }
  if (o->dry_run) {
    for (size_t i = 0; i < n; i++)
      printf("ike_flood: malformed dry-run case=%s bytes=%zu\n", malformed_name(i), lens[0][i]);
    return 0;
  }
  int fd = raw_open(err, sizeof err);
  if (fd < 0) {
    fprintf(stderr, "ike_flood: %s\n", err);
    return 1;
  }
  unsigned long sent = 0, refused = 0, rounds = 0;
  double t0 = flood_now();
  while (!over(o, t0, sent + refused)) {
    size_t v = rounds % MAL_VARIANTS;
    for (size_t i = 0; i < n && !over(o, t0, sent + refused); i++) {
      if (raw_send(fd, o->src, o->target, o->natt, pkts[v][i], lens[v][i]))
        sent++;
      else
        refused++;
      pace(o, t0, sent + refused);
    }
    rounds++;
  }
  char extra[64];
  snprintf(extra, sizeof extra, "cases=%zu rounds=%lu", n, rounds);
  report("malformed", sent, refused, flood_now() - t0, extra);
  close(fd);
  return 0;
}

int main(int argc, char **argv)
{
  struct opts o;
  memset(&o, 0, sizeof o);
  parse(argc, argv, &o);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (strcmp(o.mode, "half-open") == 0)
    return half_open(&o);
  if (strcmp(o.mode, "duplicate") == 0)
    return duplicate(&o);
  if (strcmp(o.mode, "fresh") == 0)
    return fresh(&o);
  if (strcmp(o.mode, "malformed") == 0)
    return malformed(&o);
  die_usage("unknown mode \"%s\" (half-open, duplicate, fresh, malformed)", o.mode);
}
