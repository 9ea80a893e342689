/* Reading and writing the stateful targets' scripts, and the step-level
 * edits: drop, duplicate, reorder, insert, operand values, and the packet
 * inside a step handed to the ISAKMP edits (fuzz_initiator's template
 * records to mut_initiator.c). */
#include "mut_script.h"

#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp_types.h"
#include "mut_initiator.h"
#include "mut_values.h"
#include "quick_env.h"
#include "quick_peer.h"
#include "raw_datagram.h"
#include "responder_env.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert((int)MUT_MAX_STEPS == (int)SCRIPT_MAX_STEPS, "the mutator edits the steps the targets run");

static bool arena_put(struct mut_script *sc, struct buf_slice s, uint32_t *off)
{
  if (s.len > MUT_SCRIPT_ARENA - sc->arena_len)
    return false;
  *off = (uint32_t)sc->arena_len;
  sc->arena_len += slice_copy(s, sc->arena + *off, s.len);
  return true;
}

/* fuzz_responder's steps (responder_env.h); opcodes past them end it. */
static bool responder_layout(uint8_t op, uint8_t *nopnd, uint8_t *body)
{
  static const uint8_t nopnds[STEP_COUNT] = {
      [STEP_CLOCK] = 1, [STEP_REPLAY] = 1, [STEP_RAW] = 1, /* flags */
      [STEP_SEALED] = 7, /* flags, exchange, M-ID, first payload */
      [STEP_TRIGGER] = 1, [STEP_TEMPLATE] = 1, /* flags, then the record count */
      [STEP_SHADOW] = 1};
  if (op >= STEP_COUNT)
    return false;
  *nopnd = nopnds[op];
  *body = op == STEP_PACKET || op == STEP_RAW ? BODY_DATAGRAM
          : op == STEP_SEALED                 ? BODY_CHAIN
          : op == STEP_TEMPLATE               ? BODY_TPL
                                              : BODY_NONE;
  return true;
}

/* Where a chain step keeps its first payload type. */
static uint8_t *chain_first(const struct mut_script *sc, struct mut_step *st)
{
  return &st->opnd[sc->fmt == MUT_FMT_RESPONDER ? 6 : 5];
}

/* The operand bytes and body kind of a step, from its opcode. */
static bool layout(enum mut_format fmt, uint8_t op, uint8_t *nopnd, uint8_t *body)
{
  *body = BODY_NONE;
  if (fmt == MUT_FMT_RESPONDER)
    return responder_layout(op, nopnd, body);
  if (fmt == MUT_FMT_INITIATOR) {
    mut_init_layout(op, nopnd, body);
    return true;
  }
  switch (op % QSTEP_COUNT) {
  case QSTEP_QM:
  case QSTEP_INFO:
    *nopnd = 6; /* flags, M-ID, first payload */
    *body = BODY_CHAIN;
    break;
  case QSTEP_RAW:
    *nopnd = 0;
    *body = BODY_RAW;
    break;
  case QSTEP_CLOCK:
    *nopnd = 2;
    break;
  case QSTEP_FAIL_SEND:
    *nopnd = 0;
    break;
  default:
    *nopnd = 1;
    break;
  }
  return true;
}

/* A body's length as the target reads it: a u16, or a template's u8
 * record count. */
static bool read_len(struct buf_reader *r, uint8_t body, size_t *len)
{
  uint16_t n16;
  uint8_t n8;
  if (body == BODY_TPL && br_u8(r, &n8)) {
    *len = (size_t)n8 * MUT_TPL_RECORD;
    return true;
  }
  if (body == BODY_TPL || !br_u16(r, &n16))
    return false;
  *len = n16;
  return true;
}

static bool read_step(struct mut_script *sc, struct buf_reader *r, struct mut_step *st)
{
  size_t len;
  struct buf_slice body;
  if (!br_u8(r, &st->op) || !layout(sc->fmt, st->op, &st->nopnd, &st->body) ||
      !br_copy(r, st->opnd, st->nopnd))
    return false;
  st->off = st->len = 0;
  if (st->body == BODY_NONE)
    return true;
  if (!read_len(r, st->body, &len) || !br_slice(r, len, &body) ||
      !arena_put(sc, body, &st->off))
    return false;
  st->len = (uint32_t)len;
  return true;
}

void mut_script_parse(struct mut_script *sc, enum mut_format fmt, const uint8_t *data,
                      size_t size)
{
  struct buf_reader r;
  sc->fmt = (uint8_t)fmt;
  sc->nsteps = 0;
  sc->arena_len = 0;
  sc->tail_off = sc->tail_len = 0;
  br_init(&r, data, size);
  sc->has_variant =
      (fmt == MUT_FMT_QUICK || fmt == MUT_FMT_INITIATOR) && br_u8(&r, &sc->variant);
  while (sc->nsteps < MUT_MAX_STEPS) {
    struct buf_reader at = r;
    if (!read_step(sc, &r, &sc->s[sc->nsteps])) {
      r = at;
      break;
    }
    sc->nsteps++;
  }
  struct buf_slice rest = br_rest(&r);
  if (arena_put(sc, rest, &sc->tail_off))
    sc->tail_len = (uint32_t)rest.len;
}

size_t mut_script_write(const struct mut_script *sc, uint8_t *out, size_t cap)
{
  struct buf_writer w;
  bw_init(&w, out, cap);
  if (sc->has_variant)
    bw_u8(&w, sc->variant);
  for (size_t i = 0; i < sc->nsteps; i++) {
    const struct mut_step *st = &sc->s[i];
    bw_u8(&w, st->op);
    bw_bytes(&w, st->opnd, st->nopnd);
    if (st->body == BODY_TPL) {
      if (st->len % MUT_TPL_RECORD || st->len > MUT_TPL_MAX)
        return 0;
      bw_u8(&w, (uint8_t)(st->len / MUT_TPL_RECORD));
    } else if (st->body != BODY_NONE) {
      if (st->len > 0xffff)
        return 0;
      bw_u16(&w, (uint16_t)st->len);
    }
    bw_bytes(&w, sc->arena + st->off, st->len);
  }
  bw_bytes(&w, sc->arena + sc->tail_off, sc->tail_len);
  return bw_ok(&w) ? bw_pos(&w) : 0;
}

/* ---- step edits ---- */

static bool insert_step(struct mut_script *sc, size_t at, const struct mut_step *st)
{
  if (sc->nsteps == MUT_MAX_STEPS || at > sc->nsteps)
    return false;
  memmove(&sc->s[at + 1], &sc->s[at], (sc->nsteps - at) * sizeof sc->s[0]);
  sc->s[at] = *st;
  sc->nsteps++;
  return true;
}

static void remove_step(struct mut_script *sc, size_t i)
{
  memmove(&sc->s[i], &sc->s[i + 1], (sc->nsteps - i - 1) * sizeof sc->s[0]);
  sc->nsteps--;
}

/* A step with a packet body, or SIZE_MAX. */
static size_t pick_packet(struct mut_ctx *c, const struct mut_script *sc)
{
  size_t n = 0;
  for (size_t i = 0; i < sc->nsteps; i++)
    n += sc->s[i].body != BODY_NONE;
  size_t rank = mut_below(&c->rng, n);
  for (size_t i = 0; i < sc->nsteps; i++)
    if (sc->s[i].body != BODY_NONE && rank-- == 0)
      return i;
  return SIZE_MAX;
}

static bool set_body(struct mut_script *sc, size_t i, const uint8_t *b, size_t n)
{
  if (n > 0xffff || !arena_put(sc, slice_of(b, n), &sc->s[i].off))
    return false;
  sc->s[i].len = (uint32_t)n;
  return true;
}

/* The packet of step i through the ISAKMP edits. A RAW step's bytes start
 * at the header's next-payload field: cookies are put in front for the
 * edit and taken off again. */
static bool packet_edit(struct mut_ctx *c, struct mut_script *sc, size_t i, bool structural)
{
  static uint8_t b[65536 + 64];
  struct mut_step *st = &sc->s[i];
  size_t skip = st->body == BODY_RAW ? 16 : 0, n;
  memset(b, 0x11, skip);
  size_t len = slice_copy(slice_of(sc->arena + st->off, st->len), b + skip, 0xffff);
  size_t max = 0xffff + skip;
  if (st->body == BODY_TPL) /* template records: edited as records */
    n = mut_init_records(c, b, len, structural);
  else if (!structural)
    n = mut_bytes(c, b + skip, len, 0xffff) + skip;
  else if (st->body == BODY_CHAIN)
    n = mut_isakmp_chain(c, chain_first(sc, st), b, len, max);
  else
    n = mut_isakmp_datagram(c, b, len + skip, max);
  /* No template records is a template step still; no datagram is a failed edit. */
  if (n < skip || (structural && n == 0 && st->body != BODY_TPL))
    return false;
  return set_body(sc, i, b + skip, n - skip);
}

/* One of a sealed step's operands: its SEAL_* flags, M-ID or first
 * payload type (fuzz_quick_mode's QM/INFO, fuzz_responder's SEALED). */
static void sealed_operands(struct mut_rng *r, uint8_t *flags, uint8_t *msgid, uint8_t *first)
{
  switch (mut_below(r, 3)) {
  case 0: /* SEAL_HASH mostly: a message that authenticates goes deepest */
    *flags = (uint8_t)(mut_chance(r, 60) ? (SEAL_HASH | (mut_next(r) & SEAL_COPY_MSGID))
                                         : mut_next(r) & 0x0f);
    break;
  case 1: {
    uint32_t id = mut_pick_boundary(r, 4, 0);
    for (int k = 0; k < 4; k++)
      msgid[k] = (uint8_t)(id >> (24 - 8 * k));
    break;
  }
  default:
    *first = mut_pick_payload_type(r, false);
    break;
  }
}

static void pick_operands(struct mut_ctx *c, struct mut_script *sc, struct mut_step *st)
{
  static const uint8_t secs8[] = {0, 1, 2, 5, 10, 15, 20, 30, 60, 120, 255};
  static const uint16_t secs16[] = {0, 1, 10, 20, 30, 60, 90, 3240, 3600, 28800, 28801, 65535};
  static const uint8_t small[] = {0, 1, 2, 3, 0x7f, 0x80, 0x81, 0x82, 0xff};
  struct mut_rng *r = &c->rng;
  if (sc->fmt == MUT_FMT_RESPONDER) {
    if (st->op == STEP_CLOCK)
      st->opnd[0] = mut_chance(r, 80) ? secs8[mut_below(r, COUNT(secs8))] : (uint8_t)mut_next(r);
    else if (st->op == STEP_RAW)
      st->opnd[0] = mut_chance(r, 75) ? RAW_COOKIES | RAW_MSGID | RAW_LENGTH
                                      : (uint8_t)(mut_next(r) & 0x07);
    else if (st->op == STEP_SEALED && mut_chance(r, 10))
      st->opnd[1] = (uint8_t)mut_below(r, SEALED_MM5 + 1); /* Quick, Info or MM5 */
    else if (st->op == STEP_SEALED)
      sealed_operands(r, st->opnd, st->opnd + 2, chain_first(sc, st));
    else if (st->op == STEP_TEMPLATE)
      st->opnd[0] = mut_tpl_flags(r);
    else if (st->op == STEP_SHADOW)
      st->opnd[0] = (uint8_t)mut_below(r, SHADOW_ACTIONS);
    else if (st->nopnd)
      st->opnd[0] = mut_chance(r, 80) ? small[mut_below(r, COUNT(small))] : (uint8_t)mut_next(r);
    return;
  }
  if (sc->fmt == MUT_FMT_INITIATOR) {
    mut_init_operands(r, st);
    return;
  }
  switch (st->op % QSTEP_COUNT) {
  case QSTEP_QM:
  case QSTEP_INFO:
    sealed_operands(r, st->opnd, st->opnd + 1, chain_first(sc, st));
    break;
  case QSTEP_CLOCK:
    mut_put16(st->opnd, mut_chance(r, 80) ? secs16[mut_below(r, COUNT(secs16))]
                                          : (uint16_t)mut_next(r));
    break;
  default:
    if (st->nopnd)
      st->opnd[0] = mut_chance(r, 80) ? small[mut_below(r, COUNT(small))] : (uint8_t)mut_next(r);
    break;
  }
}

static bool op_operands(struct mut_ctx *c, struct mut_script *sc)
{
  if (sc->has_variant && mut_chance(&c->rng, 10)) {
    sc->variant = sc->fmt == MUT_FMT_INITIATOR ? mut_init_variant(&c->rng)
                                               : (uint8_t)mut_below(&c->rng, QUICK_VARIANTS);
    return true;
  }
  size_t n = 0;
  for (size_t i = 0; i < sc->nsteps; i++)
    n += sc->s[i].nopnd > 0;
  size_t rank = mut_below(&c->rng, n);
  for (size_t i = 0; i < sc->nsteps; i++)
    if (sc->s[i].nopnd > 0 && rank-- == 0) {
      pick_operands(c, sc, &sc->s[i]);
      return true;
    }
  return false;
}

/* A Quick Mode or Informational step of one or two template payloads
 * (fuzz_quick_mode's QM/INFO, fuzz_responder's SEALED). */
static bool new_sealed_step(struct mut_ctx *c, struct mut_script *sc, struct mut_step *st)
{
  static uint8_t chain[1200];
  static const uint8_t info[] = {ISAKMP_NP_N, ISAKMP_NP_D};
  static const uint8_t qm[] = {ISAKMP_NP_SA, ISAKMP_NP_NONCE, ISAKMP_NP_ID, ISAKMP_NP_KE};
  bool is_info = mut_chance(&c->rng, 50);
  size_t count = 1 + mut_below(&c->rng, 2), n = 0;
  uint8_t types[2];
  for (size_t k = 0; k < count; k++)
    types[k] = is_info ? info[mut_below(&c->rng, 2)] : qm[mut_below(&c->rng, 4)];
  for (size_t k = 0; k < count; k++) {
    size_t len = mut_template_body(&c->rng, types[k], chain + n + 4, 512);
    chain[n] = k + 1 < count ? types[k + 1] : ISAKMP_NP_NONE;
    chain[n + 1] = 0;
    mut_put16(chain + n + 2, (uint16_t)(len + 4));
    n += len + 4;
  }
  if (sc->fmt == MUT_FMT_RESPONDER) {
    *st = (struct mut_step){.op = STEP_SEALED};
    st->opnd[1] = is_info ? SEALED_INFO : SEALED_QUICK;
  } else {
    *st = (struct mut_step){.op = is_info ? QSTEP_INFO : QSTEP_QM};
  }
  layout(sc->fmt, st->op, &st->nopnd, &st->body);
  st->opnd[0] = SEAL_HASH | (is_info ? 0 : SEAL_COPY_MSGID);
  *chain_first(sc, st) = types[0];
  if (!arena_put(sc, slice_of(chain, n), &st->off))
    return false;
  st->len = (uint32_t)n;
  return true;
}

/* fuzz_responder's template step with 0-3 records. */
static bool new_template_step(struct mut_ctx *c, struct mut_script *sc, struct mut_step *st)
{
  static uint8_t recs[64];
  *st = (struct mut_step){.op = STEP_TEMPLATE};
  layout(sc->fmt, st->op, &st->nopnd, &st->body);
  size_t n = mut_tpl_new_records(c, recs, sizeof recs);
  if (!arena_put(sc, slice_of(recs, n), &st->off))
    return false;
  st->len = (uint32_t)n;
  return true;
}

/* A template step (0-3 records), clock, lose, peer, replay or RAW step. */
static bool new_initiator_step(struct mut_ctx *c, struct mut_script *sc, struct mut_step *st)
{
  static uint8_t body[1200];
  st->op = mut_init_new_op(&c->rng);
  layout(sc->fmt, st->op, &st->nopnd, &st->body);
  if (st->body == BODY_NONE)
    return true;
  size_t n = mut_init_new_body(c, st->op, body, sizeof body);
  if (!arena_put(sc, slice_of(body, n), &st->off))
    return false;
  st->len = (uint32_t)n;
  return true;
}

static bool op_insert(struct mut_ctx *c, struct mut_script *sc)
{
  static const uint8_t quick_ops[] = {QSTEP_CLOCK, QSTEP_REPLAY, QSTEP_FAIL_SEND, QSTEP_TRIGGER,
                                      QSTEP_DOWN, QSTEP_VOLUME};
  static const uint8_t responder_ops[] = {STEP_CLOCK, STEP_REPLAY, STEP_FAIL_SEND,
                                          STEP_TRIGGER, STEP_SHADOW, STEP_SHADOW};
  struct mut_step st = {0};
  if (sc->fmt == MUT_FMT_RESPONDER) {
    unsigned pick = (unsigned)mut_below(&c->rng, 10);
    if (pick < 3) {
      if (!new_sealed_step(c, sc, &st))
        return false;
    } else if (pick < 6) {
      if (!new_template_step(c, sc, &st))
        return false;
    } else {
      st.op = responder_ops[mut_below(&c->rng, COUNT(responder_ops))];
    }
  } else if (sc->fmt == MUT_FMT_INITIATOR) {
    if (!new_initiator_step(c, sc, &st))
      return false;
  } else if (mut_chance(&c->rng, 40)) {
    if (!new_sealed_step(c, sc, &st))
      return false;
  } else {
    st.op = quick_ops[mut_below(&c->rng, COUNT(quick_ops))];
  }
  layout(sc->fmt, st.op, &st.nopnd, &st.body);
  pick_operands(c, sc, &st);
  return insert_step(sc, mut_below(&c->rng, sc->nsteps + 1), &st);
}

static bool op_drop(struct mut_ctx *c, struct mut_script *sc)
{
  if (sc->nsteps == 0)
    return false;
  remove_step(sc, mut_below(&c->rng, sc->nsteps));
  return true;
}

static bool op_duplicate(struct mut_ctx *c, struct mut_script *sc)
{
  if (sc->nsteps == 0)
    return false;
  size_t i = mut_below(&c->rng, sc->nsteps);
  /* Right after (a retransmission) or anywhere later (a replay). */
  size_t at = mut_chance(&c->rng, 50) ? i + 1 : i + 1 + mut_below(&c->rng, sc->nsteps - i);
  struct mut_step st = sc->s[i];
  return insert_step(sc, at, &st);
}

static bool op_move(struct mut_ctx *c, struct mut_script *sc)
{
  if (sc->nsteps < 2)
    return false;
  size_t i = mut_below(&c->rng, sc->nsteps);
  struct mut_step st = sc->s[i];
  remove_step(sc, i);
  return insert_step(sc, mut_below(&c->rng, sc->nsteps + 1), &st);
}

/* Steps [from, from + k) of b, bodies copied, go in at position at. */
static bool splice(struct mut_script *a, size_t at, const struct mut_script *b, size_t from,
                   size_t k)
{
  for (size_t j = 0; j < k && from + j < b->nsteps; j++) {
    struct mut_step st = b->s[from + j];
    if (!arena_put(a, slice_of(b->arena + st.off, st.len), &st.off) ||
        !insert_step(a, at + j, &st))
      return false;
  }
  return true;
}

static bool op_splice(struct mut_ctx *c, struct mut_script *sc, const struct mut_script *d)
{
  if (!d || d->nsteps == 0 || d->fmt != sc->fmt)
    return false;
  size_t from = mut_below(&c->rng, d->nsteps);
  return splice(sc, mut_below(&c->rng, sc->nsteps + 1), d, from, 1 + mut_below(&c->rng, 4));
}

void mut_script_cross(struct mut_ctx *c, struct mut_script *a, const struct mut_script *b)
{
  if (!op_splice(c, a, b))
    op_move(c, a);
}

void mut_script_edit(struct mut_ctx *c, struct mut_script *sc, const struct mut_script *donor)
{
  size_t edits = 1 + mut_below(&c->rng, 3), tries = 0;
  while (edits > 0 && tries++ < 12) {
    size_t roll = mut_below(&c->rng, 100), i;
    bool done;
    if (roll < 35) { /* the packet inside a step, as ISAKMP */
      done = (i = pick_packet(c, sc)) != SIZE_MAX && packet_edit(c, sc, i, true);
    } else if (roll < 60) { /* ... or as bytes, its length kept right */
      done = (i = pick_packet(c, sc)) != SIZE_MAX && packet_edit(c, sc, i, false);
    } else if (roll < 70) {
      done = op_operands(c, sc);
    } else if (roll < 76) {
      done = op_drop(c, sc);
    } else if (roll < 83) {
      done = op_duplicate(c, sc);
    } else if (roll < 89) {
      done = op_move(c, sc);
    } else if (roll < 95) {
      done = op_insert(c, sc);
    } else {
      done = op_splice(c, sc, donor);
    }
    edits -= done;
  }
}
