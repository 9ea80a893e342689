/* make_responder_seeds DIR: records complete exchanges against the
 * fuzz_responder world (responder_env.h) as scripts, one file each:
 * Main Mode + Quick Mode with rule 1, Aggressive Mode + Quick Mode with
 * rule 2, each without and with NAT-T offered. Built in the fuzz preset, the recording replays there step for
 * step (same generator seed, same fixed DH pairs), so the fuzzer starts
 * from established SAs rather than from nothing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/engine.h"
#include "responder_env.h"

struct wire {
  uint8_t pkt[8][4096];
  size_t len[8];
  size_t n;
};

struct side {
  struct wire out;   /* what this side sent, not yet delivered */
};

static bool sink(void *ctx, const struct ike_event *ev)
{
  struct side *s = ctx;
  if (ev->kind == IKE_EV_SEND && s->out.n < 8 && ev->u.send.len <= 4096) {
    memcpy(s->out.pkt[s->out.n], ev->u.send.data, ev->u.send.len);
    s->out.len[s->out.n++] = ev->u.send.len;
  }
  return true;
}

static void record(FILE *f, const uint8_t *pkt, size_t len)
{
  uint8_t hdr[3] = {STEP_PACKET, (uint8_t)(len >> 8), (uint8_t)len};
  fwrite(hdr, 1, 3, f);
  fwrite(pkt, 1, len, f);
}

static int scenario(const char *dir, const char *name, int rule, bool natt)
{
  static struct ike_config icfg, rcfg;
  struct side is = {0}, rs = {0};
  uint64_t irng = 77, rrng = ENV_SEED, now = ENV_START_MS;
  char why[256], path[4096];
  initiator_config(&icfg);
  icfg.g.nat_traversal = natt; /* with it: Vendor ID and NAT-D payloads */
  responder_config(&rcfg);
  struct ike_host ih = {.random = env_random, .random_ctx = &irng, .sink = sink,
                        .sink_ctx = &is, .local = {PEER_ADDR, 500}};
  struct ike_host rh = {.random = env_random, .random_ctx = &rrng, .sink = sink,
                        .sink_ctx = &rs, .local = {RESPONDER_ADDR, 500}};
  struct ike_engine *ie = ike_engine_new(&icfg, &ih, why, sizeof why);
  struct ike_engine *re = ike_engine_new(&rcfg, &rh, why, sizeof why);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!ie || !re || !f) {
    fprintf(stderr, "make_responder_seeds: %s: %s\n", name, f ? why : "cannot write");
    return 1;
  }
  ike_engine_trigger(ie, now, rule);
  unsigned recorded = 0;
  for (int round = 0; round < 16 && (is.out.n || rs.out.n); round++) {
    struct wire to_r = is.out, to_i = rs.out;
    is.out.n = rs.out.n = 0;
    for (size_t i = 0; i < to_r.n; i++) {
      record(f, to_r.pkt[i], to_r.len[i]);
      recorded++;
      ike_engine_input(re, now, (struct ike_endpoint){PEER_ADDR, 500},
                       (struct ike_endpoint){RESPONDER_ADDR, 500}, to_r.pkt[i], to_r.len[i]);
    }
    for (size_t i = 0; i < to_i.n; i++)
      ike_engine_input(ie, now, (struct ike_endpoint){RESPONDER_ADDR, 500},
                       (struct ike_endpoint){PEER_ADDR, 500}, to_i.pkt[i], to_i.len[i]);
  }
  fclose(f);
  struct ike_sa_info info;
  bool up = ike_engine_sa_info(re, 0, &info) && info.phase2_up == 1;
  printf("%s: %u packets recorded, responder %s\n", path, recorded,
         up ? "has an IPsec SA up" : "did NOT finish");
  ike_engine_free(ie);
  ike_engine_free(re);
  return up ? 0 : 1;
}

int main(int argc, char **argv)
{
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: %s DIR\nRecords Main+Quick and Aggressive+Quick Mode exchanges against\n"
            "the fuzz_responder world as seed scripts in DIR. Run the fuzz preset's\n"
            "build so the seeds replay exactly under the fuzzer.\n",
            argv[0]);
    return argc == 2 ? 0 : 2;
  }
  return scenario(argv[1], "seed_main_quick.bin", 1, false) |
         scenario(argv[1], "seed_aggressive_quick.bin", 2, false) |
         scenario(argv[1], "seed_main_quick_natt.bin", 1, true) |
         scenario(argv[1], "seed_aggressive_quick_natt.bin", 2, true);
}
