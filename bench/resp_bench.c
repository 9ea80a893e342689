/* resp_bench: what a responder engine spends per half-open Phase 1 SA and
 * per established SA (issue 9), with no sockets and no clock: time is a
 * number passed in.
 *
 * Half-open: one responder engine is fed N Main Mode message 1 datagrams
 * (aes128-sha1-modp2048, made by an initiator engine once) from its rule's
 * peer address, each with a fresh random initiator cookie and source port,
 * at a virtual rate of --rate per second; timers are ticked as the virtual
 * clock passes them. Reported: datagrams answered, peak half-open SAs held,
 * CPU per attempt, and RSS growth over the flood (/proc/self/smaps_rollup) beside
 * the engine's own size per Phase 1 slot.
 *
 * Established: two engines joined in memory (core/tests/engine_net.c)
 * negotiate Main Mode + Quick Mode N times (both engines cleared between
 * runs); CPU per handshake counts both sides. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_internal.h"
#include "engine_net.h"
#include "ikelab/isakmp_types.h"

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set in KiB. smaps_rollup walks the page tables, so it is exact;
 * status's VmRSS is the kernel's per-task counter, synced in batches (up to
 * 64 page faults late), too coarse for 64 SAs of a few KiB. */
static long rss_kib(void)
{
  static const struct {
    const char *file, *key;
  } src[] = {{"/proc/self/smaps_rollup", "Rss:"}, {"/proc/self/status", "VmRSS:"}};
  for (size_t i = 0; i < sizeof src / sizeof src[0]; i++) {
    FILE *f = fopen(src[i].file, "r");
    if (!f)
      continue;
    char line[256];
    long kib = -1;
    size_t kl = strlen(src[i].key);
    while (fgets(line, sizeof line, f))
      if (strncmp(line, src[i].key, kl) == 0)
        kib = strtol(line + kl, NULL, 10);
    fclose(f);
    if (kib >= 0)
      return kib;
  }
  return -1;
}

static void xrandom(void *ctx, uint8_t *out, size_t len)
{
  uint64_t *state = ctx;
  for (size_t i = 0; i < len; i++) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    out[i] = (uint8_t)*state;
  }
}

static const struct ike_p1_proposal p1_prop = {OAKLEY_ENCR_AES_CBC, 128, OAKLEY_HASH_SHA1,
                                               OAKLEY_GROUP_MODP2048, 28800};
static const struct ike_p2_proposal p2_prop = {ISAKMP_PROTO_ESP, ISAKMP_ESP_AES_CBC, 128,
                                               IPSEC_AUTH_HMAC_SHA1, 0, IPSEC_ENCAP_TUNNEL,
                                               3600, 0};

/* ---- the first message, from an initiator engine ---- */
struct capture {
  uint8_t data[NET_MAX_PACKET];
  size_t len;
};

static bool capture_sink(void *ctx, const struct ike_event *ev)
{
  struct capture *c = ctx;
  if (ev->kind == IKE_EV_SEND && c->len == 0 && ev->u.send.len <= sizeof c->data) {
    memcpy(c->data, ev->u.send.data, ev->u.send.len);
    c->len = ev->u.send.len;
  }
  return true;
}

struct counts {
  unsigned long sends;
};

static bool count_sink(void *ctx, const struct ike_event *ev)
{
  struct counts *c = ctx;
  if (ev->kind == IKE_EV_SEND)
    c->sends++;
  return true;
}

static _Noreturn void die(const char *what, const char *why)
{
  fprintf(stderr, "resp_bench: %s%s%s\n", what, why ? ": " : "", why ? why : "");
  exit(2);
}

static void half_open(unsigned long n, unsigned limit, unsigned long rate)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_prop, &p2_prop);
  char why[256];
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  struct capture cap = {.len = 0};
  struct ike_host ih = {.random = xrandom, .random_ctx = &rng, .sink = capture_sink,
                        .sink_ctx = &cap, .local = {0x0a000001u, 500}};
  struct ike_engine *init = ike_engine_new(&a, &ih, why, sizeof why);
  if (!init)
    die("initiator engine", why);
  if (!ike_engine_trigger(init, 1000, 1) || cap.len < 28)
    die("the initiator sent no Main Mode message 1", NULL);
  ike_engine_free(init);

  b.g.max_half_open_phase1 = limit;
  /* A dynamic rule, so first messages from any address are new
   * negotiations: the flood comes from random addresses, as a spoofed one
   * would, and one address's share of the limit (half) is not what is
   * measured. */
  b.rules[0].secure_gateway = 0;
  struct counts cnt = {0};
  uint64_t rng2 = 12345;
  struct ike_host rh = {.random = xrandom, .random_ctx = &rng2, .sink = count_sink,
                        .sink_ctx = &cnt, .local = {0x0a000002u, 500}};
  long rss0 = rss_kib();
  struct ike_engine *resp = ike_engine_new(&b, &rh, why, sizeof why);
  if (!resp)
    die("responder engine", why);
  uint64_t frng = 777;
  size_t peak = 0;
  uint64_t now = 1000000;
  /* The first attempt pays the fixed costs (the engine's scratch buffers
   * touched, OpenSSL's lazy set-up): measured apart, as rss1. */
  long rss1 = 0;
  double t0 = cpu_now();
  for (unsigned long i = 0; i < n; i++) {
    if (i == 1) {
      rss1 = rss_kib();
      t0 = cpu_now();
    }
    uint64_t t = 1000000 + i * 1000 / rate;
    if (t > now)
      now = t;
    if (ike_engine_next_timer(resp) <= now)
      ike_engine_tick(resp, now);
    uint8_t port[2];
    xrandom(&frng, cap.data, 8);   /* a fresh initiator cookie */
    cap.data[0] |= 1;
    xrandom(&frng, port, 2);
    uint8_t host[2];
    xrandom(&frng, host, 2);
    struct ike_endpoint from = {0x0a000000u | (uint32_t)host[0] << 8 | host[1] | 1u,
                                (uint16_t)(1024 + ((port[0] << 8 | port[1]) % 60000))};
    ike_engine_input(resp, now, from, rh.local, cap.data, cap.len);
    size_t held = ike_engine_sa_count(resp);
    if (held > peak)
      peak = held;
  }
  double cpu = cpu_now() - t0;
  long rss2 = rss_kib();
  if (n < 2)
    rss1 = rss2, cpu = 0;
  printf("half_open\tlimit=%u\tattempts=%lu\trate=%lu/s\tanswered=%lu\tpeak_held=%zu\t"
         "cpu_us_per_attempt=%.2f\tengine_kib=%.1f\tp1_slot_bytes=%zu\tp1_slots=%d\t"
         "rss_before_kib=%ld\trss_first_kib=%ld\trss_after_kib=%ld\t"
         "rss_growth_bytes_per_held=%.0f\n",
         limit, n, rate, cnt.sends, peak, n > 1 ? cpu * 1e6 / (double)(n - 1) : 0.0,
         sizeof(struct ike_engine) / 1024.0, sizeof(struct p1_sa), (int)resp->p1_cap, rss0, rss1, rss2,
         peak > 1 ? (double)(rss2 - rss1) * 1024.0 / (double)(peak - 1) : 0.0);
  /* Where a half-open SA's bytes go: its slot, and what it holds on the
   * heap (the offered SA payload, the answer kept for resending). The key
   * exchange material (kx) only comes with message 3. */
  size_t held = 0, sai = 0, sent = 0;
  for (size_t i = 0; i < resp->p1_top; i++)
    if (resp->p1[i].state != P1_FREE) {
      held++;
      sai += resp->p1[i].sai_len;
      sent += resp->p1[i].sent.len;
    }
  struct p1_sa *z = NULL;
  printf("p1_slot_fields\tslot=%zu\tkeys=%zu\tnonces=%zu\theap_sai_b_avg=%zu\t"
         "heap_sent_avg=%zu\tkx_after_msg3=%zu\n",
         sizeof *z, sizeof z->keys, sizeof z->ni + sizeof z->nr, held ? sai / held : 0,
         held ? sent / held : 0, sizeof(struct p1_kx));
  ike_engine_free(resp);
}

/* Both sides' Diffie-Hellman of one handshake through ike_dh.c (two
 * ike_dh_generate, two ike_dh_shared), with privlen-byte exponents: what
 * part of a handshake the engine's DH is, and what the exponent's length
 * costs. Microseconds per handshake. */
static double dh_cost(size_t privlen, unsigned n)
{
  uint64_t rng = 5;
  double total = 0;
  for (unsigned i = 0; i < n; i++) {
    uint8_t xa[IKE_DH_MAX], xb[IKE_DH_MAX], sa[IKE_DH_MAX], sb[IKE_DH_MAX];
    xrandom(&rng, xa, privlen);
    xrandom(&rng, xb, privlen);
    xa[0] &= 0x7f, xb[0] &= 0x7f;
    xa[privlen - 1] |= 2, xb[privlen - 1] |= 2;
    struct ike_dh a, b;
    double t0 = cpu_now();
    if (!ike_dh_generate(OAKLEY_GROUP_MODP2048, xa, privlen, &a) ||
        !ike_dh_generate(OAKLEY_GROUP_MODP2048, xb, privlen, &b) ||
        !ike_dh_shared(&a, b.pub, b.len, sa) || !ike_dh_shared(&b, a.pub, a.len, sb))
      die("ike_dh failed", NULL);
    total += cpu_now() - t0;
    if (memcmp(sa, sb, a.len) != 0)
      die("the two sides' g^xy differ", NULL);
    ike_dh_clear(&a);
    ike_dh_clear(&b);
  }
  return total * 1e6 / n;
}

static void established(unsigned n)
{
  struct ike_config a, b;
  net_pair_config(&a, &b, IKE_MODE_MAIN, &p1_prop, &p2_prop);
  static struct net net;
  char why[256];
  if (!net_init(&net, &a, &b, 99, why, sizeof why))
    die("engines", why);
  double total = 0;
  unsigned ok = 0;
  for (unsigned i = 0; i < n; i++) {
    for (int s = 0; s < 2; s++) {
      ike_engine_clear(net.side[s].e);
      net.side[s].nlogs = net.side[s].nadded = net.side[s].ndeleted = 0;
      net.side[s].nresults = 0;
    }
    net.nq = 0;
    double t0 = cpu_now();
    if (!ike_engine_trigger(net.side[0].e, net.now, 1))
      die("the trigger was refused", NULL);
    net_run(&net, net.now + 60000);
    total += cpu_now() - t0;
    if (ike_engine_ipsec_count(net.side[0].e) == 1 && ike_engine_ipsec_count(net.side[1].e) == 1)
      ok++;
    net.now += 100000;
  }
  if (ok != n) {
    fprintf(stderr, "resp_bench: only %u of %u handshakes established an IPsec SA\n", ok, n);
    exit(1);
  }
  printf("established\thandshakes=%u\tcpu_us_per_handshake_both_sides=%.0f\t"
         "p1_slot_bytes=%zu\tp2_slot_bytes=%zu\tp1_slots=%d\tp2_slots=%d\t"
         "bytes_per_established_sa=%zu\n",
         n, total * 1e6 / n, sizeof(struct p1_sa), sizeof(struct p2_sa), (int)net.side[1].e->p1_cap,
         ENGINE_MAX_P2, sizeof(struct p1_sa) + sizeof(struct p1_kx) + sizeof(struct p2_sa));
  unsigned dn = n < 10 ? n : 10;
  printf("dh_modp2048\tdh_us_per_handshake_256B_exponent=%.0f\tdh_us_per_handshake_engine_exponent=%.0f"
         "\tengine_exponent_bytes=%zu\n",
         dh_cost(ike_dh_len(OAKLEY_GROUP_MODP2048), dn),
         dh_cost(ike_dh_priv_len(OAKLEY_GROUP_MODP2048), dn), ike_dh_priv_len(OAKLEY_GROUP_MODP2048));
  net_free(&net);
}

static void usage(FILE *f)
{
  fprintf(f,
          "usage: resp_bench [--attempts N] [--rate R] [--limit L] half-open\n"
          "       resp_bench [--handshakes H] established\n"
          "Responder cost without sockets. half-open: N Main Mode message 1 datagrams\n"
          "with random cookies and source ports into one responder engine (virtual\n"
          "clock). established: H Main Mode + Quick Mode handshakes (aes128-sha1-modp2048,\n"
          "ESP aes128-sha1) between two engines in memory.\n"
          "  --attempts N    half-open attempts (default 100000)\n"
          "  --rate R        virtual datagrams per second (default 100000)\n"
          "  --limit L       max_half_open_phase1 (default: the engine's default)\n"
          "  --handshakes H  MM+QM handshakes (default 50)\n"
          "Prints one TSV-ish line of key=value per run.\n");
}

static unsigned long number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || *s == '-' || v < lo || v > hi) {
    fprintf(stderr, "resp_bench: %s wants %lu..%lu, not '%s'\n", opt, lo, hi, s);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv)
{
  unsigned long attempts = 100000, rate = 100000, handshakes = 50, limit = 0;
  const char *mode = NULL;
  static const struct option opts[] = {{"attempts", required_argument, NULL, 'n'},
                                       {"rate", required_argument, NULL, 'r'},
                                       {"limit", required_argument, NULL, 'l'},
                                       {"handshakes", required_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  for (int c; (c = getopt_long(argc, argv, "n:r:l:k:h", opts, NULL)) != -1;) {
    switch (c) {
    case 'n': attempts = number("--attempts", optarg, 1, 100000000); break;
    case 'r': rate = number("--rate", optarg, 1, 100000000); break;
    case 'l': limit = number("--limit", optarg, 1, 65535); break;
    case 'k': handshakes = number("--handshakes", optarg, 1, 1000000); break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind + 1 != argc ||
      (strcmp(argv[optind], "half-open") != 0 && strcmp(argv[optind], "established") != 0)) {
    fprintf(stderr, "resp_bench: give one mode, half-open or established (--help)\n");
    return 2;
  }
  mode = argv[optind];
  /* Large blocks (an engine is 804 KiB) always straight from mmap, as
   * fresh untouched pages: otherwise glibc, having raised its threshold
   * when the initiator engine was freed, takes the responder's from heap
   * pages OpenSSL's work already made resident and calloc clears them, so
   * the slots would cost no new RSS however many are held. */
  if (mallopt(M_MMAP_THRESHOLD, 128 * 1024) != 1)
    fprintf(stderr, "resp_bench: mallopt refused; RSS growth may be understated\n");
  if (!limit) {
    struct ike_globals g;
    ike_globals_default(&g);
    limit = g.max_half_open_phase1;
  }
  /* One measurement per process: a freed engine's pages would be reused
   * by the next and hide its RSS. */
  if (strcmp(mode, "half-open") == 0)
    half_open(attempts, (unsigned)limit, rate);
  else
    established((unsigned)handshakes);
  return 0;
}
