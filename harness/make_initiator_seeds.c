/* make_initiator_seeds DIR: fuzz_initiator scripts (initiator_env.h) of
 * real exchanges, one file each. Every step is run through the same world
 * the fuzz target uses while it is written down, and each scenario checks
 * where our engine ended (an IPsec SA up, a NO-PROPOSAL-CHOSEN, SAs
 * deleted), so the seeds replay step for step under the fuzzer. Build it
 * in the fuzz preset (fixed DH pairs) for seeds that match the target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initiator_world.h"

struct rec {
  struct init_world *w;
  uint8_t script[4096];
  size_t len;
};

static void run(struct rec *s, const uint8_t *step, size_t n)
{
  struct buf_reader r;
  if (s->len + n > sizeof s->script)
    return;
  memcpy(s->script + s->len, step, n);
  s->len += n;
  br_init(&r, step, n);
  init_world_step(s->w, &r);
}

static void tpl(struct rec *s, uint8_t flags)
{
  uint8_t step[3] = {ISTEP_TEMPLATE, flags, 0};
  run(s, step, sizeof step);
}

/* Template steps while either side has something to say. */
static void talk(struct rec *s, uint8_t flags)
{
  for (int i = 0; i < 16 && (s->w->shadow.said.n || s->w->shadow.heard.n); i++)
    tpl(s, flags);
}

static void clock_s(struct rec *s, uint16_t secs)
{
  uint8_t step[3] = {ISTEP_CLOCK, (uint8_t)(secs >> 8), (uint8_t)secs};
  run(s, step, sizeof step);
}

static void op(struct rec *s, uint8_t opcode, uint8_t arg, bool has_arg)
{
  uint8_t step[2] = {opcode, arg};
  run(s, step, has_arg ? 2 : 1);
}

static struct init_world *world(int variant)
{
  static struct init_world *worlds[INIT_VARIANTS];
  if (!worlds[variant]) {
    worlds[variant] = malloc(sizeof *worlds[variant]);
    if (!worlds[variant])
      exit(1);
    init_world_new(worlds[variant], variant);
  }
  return worlds[variant];
}

static void start(struct rec *s, int variant)
{
  s->w = world(variant);
  s->script[0] = (uint8_t)variant;
  s->len = 1;
  init_world_reset(s->w);
}

static unsigned ours(const struct rec *s) { return (unsigned)ike_engine_ipsec_count(s->w->us); }

static int save(const char *dir, const char *name, const struct rec *s, bool ok, const char *what)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(s->script, 1, s->len, f) != s->len) {
    fprintf(stderr, "make_initiator_seeds: cannot write %s\n", path);
    if (f)
      fclose(f);
    return 1;
  }
  fclose(f);
  printf("%s: %zu bytes, %s%s\n", path, s->len, ok ? "" : "NOT ", what);
  return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
  struct rec s;
  int rc = 0;
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: %s DIR\nWrites fuzz_initiator seed scripts of real exchanges to DIR.\n",
            argv[0]);
    return argc == 2 ? 0 : 2;
  }
  const char *dir = argv[1];
  static const struct {
    const char *name;
    int variant;
    uint8_t flags;
  } clean[] = {
      {"mm_quick_3des.bin", 0, 0},
      {"mm_quick_aes_pfs.bin", 1, 0},
      {"am_quick_3des.bin", 2, 0},
      {"am_quick_aes256_pfs.bin", 3, 0},
      /* Every encrypted message sealed again by the harness, HASHes too. */
      {"mm_quick_aes_pfs_resealed.bin", 1, TPL_FIX_HASH},
      {"am_quick_aes256_pfs_resealed.bin", 3, TPL_FIX_HASH},
  };
  for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
    start(&s, clean[i].variant);
    talk(&s, clean[i].flags);
    rc |= save(dir, clean[i].name, &s, ours(&s) == 1, "an IPsec SA up");
  }

  start(&s, 4);
  talk(&s, 0);
  rc |= save(dir, "mm_no_proposal.bin", &s, ike_engine_sa_count(s.w->us) == 0,
             "Phase 1 refused");
  start(&s, 5);
  talk(&s, 0);
  rc |= save(dir, "quick_no_proposal.bin", &s, ours(&s) == 0 && ike_engine_sa_count(s.w->us) == 1,
             "Phase 1 up, Quick Mode refused");

  /* MM5 lost on the wire: our engine resends it (K19) ten seconds later. */
  start(&s, 0);
  tpl(&s, 0);
  tpl(&s, 0);
  op(&s, ISTEP_LOSE, 0, false);
  clock_s(&s, 10);
  talk(&s, 0);
  rc |= save(dir, "mm_lost_mm5.bin", &s, ours(&s) == 1, "an IPsec SA up after a resend");

  /* The responder never answers: three resends, then our engine gives up. */
  start(&s, 0);
  op(&s, ISTEP_TRIGGER, 1, true); /* K10: already negotiating */
  for (int i = 0; i < 4; i++) {
    op(&s, ISTEP_LOSE, 0, false);
    clock_s(&s, 10);
  }
  rc |= save(dir, "mm_silent_peer.bin", &s, ike_engine_sa_count(s.w->us) == 0, "given up");

  /* Up, then the responder takes the rule down: protected Deletes. */
  start(&s, 0);
  talk(&s, 0);
  op(&s, ISTEP_PEER, 1, true);
  talk(&s, 0);
  rc |= save(dir, "mm_quick_peer_delete.bin", &s, ours(&s) == 0, "SAs deleted by the peer");

  /* Aggressive Mode with DPD: R-U-THERE and its ACK, then the responder
   * spends its IPsec SA's kilobytes and deletes it. */
  start(&s, 2);
  talk(&s, 0);
  clock_s(&s, 30);
  talk(&s, 0);
  op(&s, ISTEP_PEER, 2, true);
  talk(&s, 0);
  rc |= save(dir, "am_dpd_peer_volume.bin", &s, ours(&s) == 0, "DPD, then the SA deleted");

  /* Up, then the Phase 2 lifetime runs out: rekey and expiry. */
  start(&s, 1);
  talk(&s, 0);
  clock_s(&s, 3300);
  talk(&s, 0);
  clock_s(&s, 400);
  talk(&s, 0);
  rc |= save(dir, "mm_quick_rekey.bin", &s, ours(&s) >= 1, "an IPsec SA up after the rekey");
  return rc;
}
