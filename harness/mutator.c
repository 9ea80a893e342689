/* The entry points both fuzzers' glue calls, and the byte-level mutator
 * used where no libFuzzer is linked (AFL++, the unit test). */
#include "mutator.h"

#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t mut_bytes_default(void *arg, uint8_t *data, size_t size, size_t max)
{
  static const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x10, 0x1c, 0x20, 0x04};
  struct mut_rng *r = arg;
  size_t rounds = 1 + mut_below(r, 4);
  for (size_t k = 0; k < rounds; k++) {
    size_t at = mut_below(r, size + 1);
    switch (mut_below(r, 5)) {
    case 0:
      if (size)
        data[mut_below(r, size)] ^= (uint8_t)(1u << mut_below(r, 8));
      break;
    case 1:
      if (size)
        data[mut_below(r, size)] = interesting[mut_below(r, COUNT(interesting))];
      break;
    case 2: { /* insert a few bytes */
      size_t n = 1 + mut_below(r, 8);
      if (size + n > max)
        break;
      memmove(data + at + n, data + at, size - at);
      for (size_t j = 0; j < n; j++)
        data[at + j] = (uint8_t)mut_next(r);
      size += n;
      break;
    }
    case 3: { /* erase a few bytes */
      size_t n = mut_below(r, 8) + 1;
      if (at + n > size)
        break;
      memmove(data + at, data + at + n, size - at - n);
      size -= n;
      break;
    }
    default:
      if (size)
        data[mut_below(r, size)] = (uint8_t)mut_next(r);
      break;
    }
  }
  return size;
}

size_t mut_bytes(struct mut_ctx *c, uint8_t *data, size_t size, size_t max)
{
  if (size > max)
    size = max;
  if (c->bytes)
    return c->bytes(c->bytes_arg, data, size, max);
  return mut_bytes_default(&c->rng, data, size, max);
}

static void ctx_init(struct mut_ctx *c, unsigned seed, const struct mut_options *o)
{
  memset(c, 0, sizeof *c);
  c->rng.s = seed * 0x2545f4914f6cdd1dull + 1;
  c->keep_valid = o && o->keep_valid;
  c->break_percent = o ? o->break_percent : MUT_BREAK_PERCENT;
  c->bytes = o ? o->bytes : NULL;
  c->bytes_arg = o ? o->bytes_arg : NULL;
}

static size_t mutate_script(struct mut_ctx *c, enum mut_format fmt, uint8_t *data, size_t size,
                            size_t max, const struct mut_script *donor)
{
  static struct mut_script sc;
  static uint8_t out[MUT_SCRIPT_ARENA];
  /* Written aside: a script that outgrew max leaves data as it was. */
  for (int attempt = 0; attempt < 3; attempt++) {
    mut_script_parse(&sc, fmt, data, size);
    mut_script_edit(c, &sc, donor);
    size_t n = mut_script_write(&sc, out, max < sizeof out ? max : sizeof out);
    if (n) {
      memcpy(data, out, n);
      return n;
    }
  }
  return 0;
}

size_t ikelab_mutate(enum mut_format fmt, uint8_t *data, size_t size, size_t max,
                     unsigned seed, const struct mut_options *o)
{
  struct mut_ctx c;
  size_t n = 0;
  ctx_init(&c, seed, o);
  if (size > max)
    size = max;
  /* Now and then the whole input as bytes, as the fuzzer alone would. */
  bool bytes_only = !c.keep_valid && mut_chance(&c.rng, fmt == MUT_FMT_DATAGRAM ? 20 : 5);
  if (!bytes_only)
    n = fmt == MUT_FMT_DATAGRAM ? mut_isakmp_datagram(&c, data, size, max)
                                : mutate_script(&c, fmt, data, size, max, NULL);
  if (n == 0 && !c.keep_valid)
    n = mut_bytes(&c, data, size, max);
  return n ? n : size;
}

size_t ikelab_crossover(enum mut_format fmt, const uint8_t *a, size_t na, const uint8_t *b,
                        size_t nb, uint8_t *out, size_t max, unsigned seed,
                        const struct mut_options *o)
{
  static struct mut_script sa, sb;
  static struct mut_msg donor;
  struct mut_ctx c;
  ctx_init(&c, seed, o);
  if (fmt != MUT_FMT_DATAGRAM) {
    mut_script_parse(&sa, fmt, a, na);
    mut_script_parse(&sb, fmt, b, nb);
    mut_script_cross(&c, &sa, &sb);
    size_t n = mut_script_write(&sa, out, max);
    if (n)
      return n;
  } else if (na <= max && mut_model_parse(&donor, b, nb)) {
    /* A's message with payloads of B's spliced in. */
    memcpy(out, a, na);
    c.donor = &donor;
    size_t n = mut_isakmp_splice(&c, out, na, max);
    if (n)
      return n;
  }
  /* A's head and B's tail. */
  size_t ha = mut_below(&c.rng, na + 1), tb = mut_below(&c.rng, nb + 1);
  if (ha > max)
    ha = max;
  if (tb > max - ha)
    tb = max - ha;
  memcpy(out, a, ha);
  memcpy(out + ha, b + nb - tb, tb);
  return ha + tb;
}

#ifndef IKELAB_MUT_FORMAT
#define IKELAB_MUT_FORMAT datagram
#endif
#define MUT_STR2(x) #x
#define MUT_STR(x) MUT_STR2(x)

enum mut_format ikelab_mutator_format(void)
{
  const char *name = getenv("IKELAB_MUT_FORMAT");
  if (!name)
    name = MUT_STR(IKELAB_MUT_FORMAT);
  if (strcmp(name, "responder") == 0)
    return MUT_FMT_RESPONDER;
  if (strcmp(name, "quick") == 0)
    return MUT_FMT_QUICK;
  if (strcmp(name, "initiator") == 0)
    return MUT_FMT_INITIATOR;
  return MUT_FMT_DATAGRAM;
}
