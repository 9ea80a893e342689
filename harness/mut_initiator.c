/* fuzz_initiator's steps for the mutator (mut_initiator.h). The template
 * records are small programs run on the shadow responder's genuine next
 * message, so their offsets aim at the header's fields and the first
 * payloads, and their values come from mut_values' tables. */
#include "mut_initiator.h"

#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp_types.h"
#include "initiator_env.h"
#include "mut_values.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(MUT_COUNT == 8 && PMUT_COUNT == 8, "the template mutations mut_initiator.c picks");

void mut_init_layout(uint8_t op, uint8_t *nopnd, uint8_t *body)
{
  *body = BODY_NONE;
  switch (op % ISTEP_COUNT) {
  case ISTEP_TEMPLATE: /* flags, then the record count as the body's length */
    *nopnd = 1;
    *body = BODY_TPL;
    break;
  case ISTEP_RAW: /* flags, then u16 n and a whole datagram */
    *nopnd = 1;
    *body = BODY_DATAGRAM;
    break;
  case ISTEP_CLOCK:
    *nopnd = 2;
    break;
  case ISTEP_FAIL_SEND:
  case ISTEP_LOSE:
    *nopnd = 0;
    break;
  default: /* REPLAY, TRIGGER, PEER */
    *nopnd = 1;
    break;
  }
}

static uint8_t pick8(struct mut_rng *r, const uint8_t *t, size_t n) { return t[mut_below(r, n)]; }

uint8_t mut_tpl_flags(struct mut_rng *r)
{
  static const uint8_t other[] = {0, TPL_CLEAR, TPL_KEEP_LEN, TPL_DROP,
                                  TPL_FIX_HASH | TPL_CLEAR, TPL_FIX_HASH | TPL_KEEP_LEN};
  /* A resealed HASH lets a mutated message through. */
  return mut_chance(r, 70) ? TPL_FIX_HASH : pick8(r, other, COUNT(other));
}

void mut_init_operands(struct mut_rng *r, struct mut_step *st)
{
  static const uint8_t raw_other[] = {0, RAW_COOKIES, RAW_COOKIES | RAW_LENGTH,
                                      RAW_COOKIES | RAW_MSGID};
  /* The retransmit schedule is 3 x 10 s (give up at 40 s), DPD 30 s, the
   * Phase 2 lifetime 3600 s (rekey before), Phase 1 28800 s. */
  static const uint16_t secs[] = {0, 1, 9, 10, 11, 20, 30, 39, 40, 41, 60, 90, 3300, 3600, 28800};
  static const uint8_t replay[] = {0, 1, 2, 3, 0x7f, 0x80, 0x81, 0x82, 0x83, 0xff};
  static const uint8_t rules[] = {1, 1, 2, 0, 3, 0xff};
  switch (st->op % ISTEP_COUNT) {
  case ISTEP_TEMPLATE:
    st->opnd[0] = mut_tpl_flags(r);
    break;
  case ISTEP_RAW:
    st->opnd[0] = mut_chance(r, 75) ? RAW_COOKIES | RAW_MSGID | RAW_LENGTH
                                    : pick8(r, raw_other, COUNT(raw_other));
    break;
  case ISTEP_CLOCK:
    mut_put16(st->opnd, mut_chance(r, 85) ? secs[mut_below(r, COUNT(secs))]
                                          : (uint16_t)mut_next(r));
    break;
  case ISTEP_REPLAY:
    st->opnd[0] = pick8(r, replay, COUNT(replay));
    break;
  case ISTEP_TRIGGER:
    st->opnd[0] = pick8(r, rules, COUNT(rules));
    break;
  case ISTEP_PEER:
    st->opnd[0] = (uint8_t)mut_below(r, 4);
    break;
  default:
    break;
  }
}

uint8_t mut_init_variant(struct mut_rng *r) { return (uint8_t)mut_below(r, INIT_VARIANTS); }

/* ---- template records ---- */

static uint16_t pick_offset(struct mut_rng *r, uint8_t op)
{
  /* Header: cookies, next payload, version, exchange, flags, M-ID, length. */
  static const uint8_t hdr[] = {0, 8, 16, 17, 18, 19, 20, 23, 24, 26, 27};
  if (op == MUT_PAYLOAD) /* which payload */
    return mut_chance(r, 90) ? (uint16_t)mut_below(r, 8) : (uint16_t)mut_next(r);
  switch (mut_below(r, 10)) {
  case 0:
  case 1:
  case 2:
    return hdr[mut_below(r, COUNT(hdr))];
  case 3:
    return (uint16_t)mut_below(r, 28);
  case 4:
  case 5: /* the first payload's generic header */
    return (uint16_t)(28 + mut_below(r, 4));
  case 6:
  case 7: /* into the first payloads' bodies */
    return (uint16_t)(32 + mut_below(r, 96));
  case 8:
    return (uint16_t)mut_pick_boundary(r, 2, 0);
  default:
    return (uint16_t)mut_next(r);
  }
}

static uint8_t set_value(struct mut_rng *r, uint16_t offset)
{
  static const uint8_t version[] = {0x10, 0x00, 0x11, 0x20, 0x0f, 0xf0};
  static const uint8_t flags[] = {0, 1, 2, 3, 4, 7, 0xf8, 0xff};
  if (offset == 16 || offset == 28)
    return mut_pick_payload_type(r, false);
  if (offset == 17)
    return pick8(r, version, COUNT(version));
  if (offset == 18)
    return (uint8_t)mut_pick_name(r, &isakmp_exchange_names);
  if (offset == 19)
    return pick8(r, flags, COUNT(flags));
  return (uint8_t)mut_pick_boundary(r, 1, 0);
}

/* A PMUT_* code in the top three bits and its argument. */
static uint8_t payload_value(struct mut_rng *r)
{
  static const uint8_t deltas[] = {0, 12, 15, 17, 20, 31}; /* -16, -4, -1, +1, +4, +15 */
  uint8_t pmut = (uint8_t)mut_below(r, PMUT_LAST + 1), arg;
  switch (pmut) {
  case PMUT_NEXT:
    arg = mut_pick_payload_type(r, false);
    break;
  case PMUT_LENGTH:
    arg = pick8(r, deltas, COUNT(deltas));
    break;
  default:
    arg = (uint8_t)mut_next(r);
    break;
  }
  return (uint8_t)(pmut << 5 | (arg & 0x1f));
}

static uint8_t pick_value(struct mut_rng *r, uint8_t op, uint16_t offset)
{
  static const uint8_t adds[] = {1, 0xff, 4, 0xfc, 0x10, 0x80};
  switch (op % MUT_COUNT) {
  case MUT_SET:
    return set_value(r, offset);
  case MUT_XOR:
    return mut_chance(r, 80) ? (uint8_t)(1u << mut_below(r, 8)) : 0xff;
  case MUT_ADD:
    return pick8(r, adds, COUNT(adds));
  case MUT_DELETE: /* value % 16 + 1 bytes */
    return (uint8_t)mut_below(r, 16);
  case MUT_SET16: /* an index into the target's edge table */
    return (uint8_t)mut_below(r, 19);
  case MUT_PAYLOAD:
    return payload_value(r);
  default: /* INSERT: a byte; TRUNCATE: unused */
    return (uint8_t)mut_pick_boundary(r, 1, 0);
  }
}

static uint8_t pick_op(struct mut_rng *r)
{
  /* Field values and payload edits most: whole-message cuts end early. */
  static const uint8_t ops[] = {MUT_SET, MUT_SET, MUT_SET, MUT_XOR, MUT_ADD, MUT_SET16,
                                MUT_SET16, MUT_PAYLOAD, MUT_PAYLOAD, MUT_PAYLOAD,
                                MUT_INSERT, MUT_DELETE, MUT_TRUNCATE};
  return pick8(r, ops, COUNT(ops));
}

static void new_record(struct mut_rng *r, uint8_t rec[MUT_TPL_RECORD])
{
  uint8_t op = pick_op(r);
  uint16_t offset = pick_offset(r, op);
  rec[0] = op;
  mut_put16(rec + 1, offset);
  rec[3] = pick_value(r, op, offset);
}

/* One field of a record: a new op (with a value that suits it), offset or value. */
static void change_record(struct mut_rng *r, uint8_t rec[MUT_TPL_RECORD])
{
  switch (mut_below(r, 3)) {
  case 0:
    rec[0] = pick_op(r);
    rec[3] = pick_value(r, rec[0], mut_get16(rec + 1));
    break;
  case 1:
    mut_put16(rec + 1, pick_offset(r, rec[0] % MUT_COUNT));
    break;
  default:
    rec[3] = pick_value(r, rec[0], mut_get16(rec + 1));
    break;
  }
}

static size_t structural_edit(struct mut_rng *r, uint8_t *recs, size_t len)
{
  size_t k = len / MUT_TPL_RECORD, i = mut_below(r, k);
  uint8_t *at = recs + i * MUT_TPL_RECORD;
  if (k == 0 || (k < 255 && mut_chance(r, 40))) {
    i = mut_below(r, k + 1);
    at = recs + i * MUT_TPL_RECORD;
    memmove(at + MUT_TPL_RECORD, at, len - i * MUT_TPL_RECORD);
    new_record(r, at);
    return len + MUT_TPL_RECORD;
  }
  if (mut_chance(r, 30)) {
    memmove(at, at + MUT_TPL_RECORD, len - (i + 1) * MUT_TPL_RECORD);
    return len - MUT_TPL_RECORD;
  }
  change_record(r, at);
  return len;
}

size_t mut_init_records(struct mut_ctx *c, uint8_t *recs, size_t len, bool structural)
{
  len -= len % MUT_TPL_RECORD;
  if (len > MUT_TPL_MAX)
    len = MUT_TPL_MAX;
  if (structural || len == 0) /* no bytes to mutate: a first record */
    return structural_edit(&c->rng, recs, len);
  /* As bytes (dictionary, compare tracing), cut back to whole records. */
  size_t n = mut_bytes(c, recs, len, MUT_TPL_MAX);
  return n - n % MUT_TPL_RECORD;
}

/* ---- new steps ---- */

uint8_t mut_init_new_op(struct mut_rng *r)
{
  static const uint8_t ops[] = {ISTEP_TEMPLATE, ISTEP_TEMPLATE, ISTEP_TEMPLATE, ISTEP_TEMPLATE,
                                ISTEP_TEMPLATE, ISTEP_CLOCK, ISTEP_CLOCK, ISTEP_LOSE,
                                ISTEP_PEER, ISTEP_REPLAY, ISTEP_RAW, ISTEP_TRIGGER,
                                ISTEP_FAIL_SEND};
  return pick8(r, ops, COUNT(ops));
}

/* A clear datagram of one or two template payloads; RAW_* flags give it
 * our engine's cookies, M-ID and the right length. */
static size_t raw_datagram(struct mut_rng *r, uint8_t *out, size_t cap)
{
  static const uint8_t types[] = {ISAKMP_NP_N, ISAKMP_NP_D, ISAKMP_NP_HASH, ISAKMP_NP_SA,
                                  ISAKMP_NP_KE, ISAKMP_NP_NONCE, ISAKMP_NP_VID};
  static const uint8_t xchg[] = {ISAKMP_XCHG_INFO, ISAKMP_XCHG_INFO, ISAKMP_XCHG_QUICK};
  uint8_t t[2], body[512];
  size_t count = 1 + mut_below(r, 2);
  struct buf_writer w;
  for (size_t k = 0; k < count; k++)
    t[k] = pick8(r, types, COUNT(types));
  bw_init(&w, out, cap);
  bw_zeros(&w, 16);
  bw_u8(&w, t[0]);
  bw_u8(&w, 0x10);
  bw_u8(&w, mut_chance(r, 75) ? pick8(r, xchg, COUNT(xchg))
                              : (uint8_t)mut_pick_name(r, &isakmp_exchange_names));
  bw_u8(&w, 0);
  bw_u32(&w, 0);
  size_t len_at = bw_pos(&w);
  bw_u32(&w, 0);
  for (size_t k = 0; k < count; k++) {
    size_t n = mut_template_body(r, t[k], body, sizeof body);
    bw_u8(&w, k + 1 < count ? t[k + 1] : ISAKMP_NP_NONE);
    bw_u8(&w, 0);
    bw_u16(&w, (uint16_t)(n + 4));
    bw_bytes(&w, body, n);
  }
  if (!bw_ok(&w))
    return 0;
  size_t len = bw_pos(&w);
  for (int i = 0; i < 4; i++)
    out[len_at + i] = (uint8_t)(len >> (24 - 8 * i));
  return len;
}

size_t mut_tpl_new_records(struct mut_ctx *c, uint8_t *out, size_t cap)
{
  size_t k = mut_below(&c->rng, 4);
  if (k * MUT_TPL_RECORD > cap)
    return 0;
  for (size_t i = 0; i < k; i++)
    new_record(&c->rng, out + i * MUT_TPL_RECORD);
  return k * MUT_TPL_RECORD;
}

size_t mut_init_new_body(struct mut_ctx *c, uint8_t op, uint8_t *out, size_t cap)
{
  switch (op % ISTEP_COUNT) {
  case ISTEP_TEMPLATE: /* a few records: the step the fuzzer gains most from */
    return mut_tpl_new_records(c, out, cap);
  case ISTEP_RAW:
    return raw_datagram(&c->rng, out, cap);
  default:
    return 0;
  }
}
