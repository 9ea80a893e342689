/* Shape edits of a payload chain (insert, delete, duplicate, swap, retype,
 * splice from another input) and the dispatcher that stacks edits and
 * writes the message back with its lengths and counts fixed up. */
#include <string.h>

#include "ikelab/isakmp.h"
#include "mut_edit.h"
#include "mut_values.h"

size_t mut_pick(struct mut_ctx *c, const struct mut_msg *m, enum mut_level level)
{
  size_t n = mut_count_level(m, level);
  return n ? mut_nth_level(m, level, mut_below(&c->rng, n)) : SIZE_MAX;
}

uint8_t mut_protocol_of(const struct mut_msg *m, size_t i)
{
  while (i != SIZE_MAX && m->n[i].level > ML_PROP)
    i = mut_parent(m, i);
  return i != SIZE_MAX && m->n[i].level == ML_PROP ? m->n[i].f[1] : ISAKMP_PROTO_ISAKMP;
}

bool mut_set_bytes(struct mut_msg *m, size_t i, const uint8_t *bytes, size_t n)
{
  uint32_t off = mut_arena_put(m, bytes, n);
  if (off == UINT32_MAX)
    return false;
  m->n[i].off = off;
  m->n[i].len = (uint32_t)n;
  return true;
}

/* Children of parent p (SIZE_MAX: the top-level chain), as [first, end). */
static void children(const struct mut_msg *m, size_t p, size_t *first, size_t *end)
{
  *first = p == SIZE_MAX ? 0 : p + 1;
  *end = p == SIZE_MAX ? m->nn : mut_subtree_end(m, p);
}

static size_t sibling_count(const struct mut_msg *m, size_t i)
{
  size_t first, end, n = 0;
  children(m, mut_parent(m, i), &first, &end);
  for (size_t j = first; j < end; j = mut_subtree_end(m, j))
    n++;
  return n;
}

/* Another child of i's parent, or SIZE_MAX. */
static size_t pick_sibling(struct mut_ctx *c, const struct mut_msg *m, size_t i)
{
  size_t first, end, n = sibling_count(m, i);
  if (n < 2)
    return SIZE_MAX;
  size_t rank = mut_below(&c->rng, n - 1);
  children(m, mut_parent(m, i), &first, &end);
  for (size_t j = first; j < end; j = mut_subtree_end(m, j))
    if (j != i && rank-- == 0)
      return j;
  return SIZE_MAX;
}

static enum mut_level pick_level(struct mut_ctx *c)
{
  static const uint8_t levels[] = {ML_PAYLOAD, ML_PAYLOAD, ML_PAYLOAD, ML_PROP, ML_XFORM,
                                   ML_ATTR};
  return levels[mut_below(&c->rng, sizeof levels)];
}

static bool op_insert(struct mut_ctx *c, struct mut_msg *m)
{
  static uint8_t body[512];
  size_t at = m->nn ? mut_nth_level(m, ML_PAYLOAD,
                                    mut_below(&c->rng, mut_count_level(m, ML_PAYLOAD) + 1))
                    : 0;
  if (at == SIZE_MAX)
    at = m->nn;
  uint8_t type = mut_pick_payload_type(&c->rng, c->keep_valid);
  size_t n = mut_template_body(&c->rng, type, body, sizeof body);
  struct mut_node nd = {.level = ML_PAYLOAD, .type = type};
  if (!mut_insert_node(m, at, &nd))
    return false;
  if (!mut_set_bytes(m, at, body, n)) {
    mut_delete_subtree(m, at);
    return false;
  }
  if (type == ISAKMP_NP_SA)
    mut_structure_sa(m, at);
  return true;
}

/* The codec's limits: past them a message is refused whatever else holds. */
static bool within_limits(const struct mut_msg *m)
{
  return mut_count_level(m, ML_PAYLOAD) <= ISAKMP_MAX_PAYLOADS &&
         mut_count_level(m, ML_PROP) <= ISAKMP_MAX_PROPOSALS &&
         mut_count_level(m, ML_XFORM) <= ISAKMP_MAX_TRANSFORMS &&
         mut_count_level(m, ML_ATTR) <= ISAKMP_MAX_ATTRS;
}

static bool op_delete(struct mut_ctx *c, struct mut_msg *m)
{
  size_t i = mut_pick(c, m, pick_level(c));
  if (i == SIZE_MAX)
    return false;
  /* A message needs a payload, an SA a proposal, a proposal a transform. */
  if (c->keep_valid && m->n[i].level != ML_ATTR && sibling_count(m, i) < 2)
    return false;
  return mut_delete_subtree(m, i);
}

static bool op_duplicate(struct mut_ctx *c, struct mut_msg *m)
{
  size_t i = mut_pick(c, m, pick_level(c));
  if (i == SIZE_MAX)
    return false;
  size_t end = mut_subtree_end(m, i);
  return mut_insert_nodes(m, end, m, i, end);
}

static bool op_swap(struct mut_ctx *c, struct mut_msg *m)
{
  size_t i = mut_pick(c, m, pick_level(c));
  size_t j = i == SIZE_MAX ? SIZE_MAX : pick_sibling(c, m, i);
  return j != SIZE_MAX && mut_move_after(m, i, j);
}

/* Payload types whose bodies are interchangeable opaque bytes. */
static bool opaque_type(uint8_t t)
{
  return t == ISAKMP_NP_KE || t == ISAKMP_NP_HASH || t == ISAKMP_NP_SIG || t == ISAKMP_NP_VID ||
         t == ISAKMP_NP_NATD || t == ISAKMP_NP_NATD_DRAFT;
}

static bool retype_payload(struct mut_ctx *c, struct mut_msg *m, size_t i)
{
  static const uint8_t opaque[] = {ISAKMP_NP_KE, ISAKMP_NP_HASH, ISAKMP_NP_SIG, ISAKMP_NP_VID,
                                   ISAKMP_NP_NATD, ISAKMP_NP_NATD_DRAFT};
  struct mut_node *nd = &m->n[i];
  if (c->keep_valid) {
    if (!opaque_type(nd->type) || nd->len == 0)
      return false;
    nd->type = opaque[mut_below(&c->rng, sizeof opaque)];
    return true;
  }
  if (!mut_flatten(m, i))
    return false;
  m->n[i].type = mut_pick_payload_type(&c->rng, false);
  if (m->n[i].type == ISAKMP_NP_SA)
    mut_structure_sa(m, i);
  return true;
}

/* Payload type, proposal protocol or transform ID. */
static bool op_retype(struct mut_ctx *c, struct mut_msg *m)
{
  size_t i = mut_pick(c, m, pick_level(c));
  if (i == SIZE_MAX)
    return false;
  struct mut_node *nd = &m->n[i];
  switch (nd->level) {
  case ML_PAYLOAD:
    return retype_payload(c, m, i);
  case ML_PROP: /* the SPI size and transform IDs then rarely fit: not in valid mode */
    if (c->keep_valid)
      return false;
    nd->f[1] = (uint8_t)(mut_chance(&c->rng, 80) ? mut_pick_name(&c->rng, &isakmp_protocol_names)
                                                 : mut_pick_boundary(&c->rng, 1, nd->f[1]));
    return true;
  case ML_XFORM: {
    uint8_t proto = mut_protocol_of(m, i);
    if (c->keep_valid && proto == ISAKMP_PROTO_ISAKMP)
      return false;
    const struct isakmp_names *ids = isakmp_transform_names_for(proto);
    uint8_t id = (uint8_t)(ids && mut_chance(&c->rng, 80) ? mut_pick_name(&c->rng, ids)
                                                          : mut_pick_boundary(&c->rng, 1, nd->f[1]));
    if (c->keep_valid && id == 0)
      return false;
    nd->f[1] = id;
    return true;
  }
  default:
    return false;
  }
}

/* A payload of the donor (the other input of a crossover) goes in. */
static bool op_splice(struct mut_ctx *c, struct mut_msg *m)
{
  const struct mut_msg *d = c->donor;
  if (!d || c->keep_valid)
    return false;
  size_t n = mut_count_level(d, ML_PAYLOAD);
  if (n == 0)
    return false;
  size_t from = mut_nth_level(d, ML_PAYLOAD, mut_below(&c->rng, n));
  size_t at = mut_nth_level(m, ML_PAYLOAD, mut_below(&c->rng, mut_count_level(m, ML_PAYLOAD) + 1));
  return mut_insert_nodes(m, at == SIZE_MAX ? m->nn : at, d, from, mut_subtree_end(d, from));
}

/* Proposal numbers must not decrease; reordering may have made them. */
static void renumber(struct mut_msg *m)
{
  uint8_t floor = 0;
  for (size_t i = 0; i < m->nn; i++) {
    if (m->n[i].level == ML_PAYLOAD)
      floor = 0;
    else if (m->n[i].level == ML_PROP) {
      if (m->n[i].f[0] < floor)
        m->n[i].f[0] = floor;
      floor = m->n[i].f[0];
    }
  }
}

typedef bool (*mut_op)(struct mut_ctx *c, struct mut_msg *m);

static const struct {
  mut_op fn;
  unsigned weight;
} ops[] = {
    {mut_op_header, 10}, {op_insert, 8},       {op_delete, 10},   {op_duplicate, 8},
    {op_swap, 8},        {op_retype, 6},       {mut_op_attr, 16}, {mut_op_insert_attr, 5},
    {mut_op_field, 12},  {mut_op_bytes, 10},   {op_splice, 6},
};

static bool one_edit(struct mut_ctx *c, struct mut_msg *m)
{
  unsigned total = 0;
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
    total += ops[k].weight;
  size_t roll = mut_below(&c->rng, total);
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    if (roll < ops[k].weight)
      return ops[k].fn(c, m);
    roll -= ops[k].weight;
  }
  return false;
}

void mut_isakmp_edit(struct mut_ctx *c, struct mut_msg *m)
{
  static struct mut_node saved[MUT_MAX_NODES];
  size_t edits = 1 + mut_below(&c->rng, 4), tries = 0;
  while (edits > 0 && tries++ < 16) {
    /* Valid mode undoes an edit that crossed a codec limit (arena bytes
     * are only appended, so the nodes alone are the state). */
    size_t nn = m->nn;
    if (c->keep_valid)
      memcpy(saved, m->n, nn * sizeof saved[0]);
    if (!one_edit(c, m))
      continue;
    if (c->keep_valid && !within_limits(m)) {
      memcpy(m->n, saved, nn * sizeof saved[0]);
      m->nn = nn;
      continue;
    }
    edits--;
  }
  if (c->keep_valid)
    renumber(m);
  else if (mut_chance(&c->rng, c->break_percent))
    mut_op_break(c, m);
}

/* Written aside first: a result that does not fit leaves data untouched. */
static size_t write_back(const struct mut_msg *m, uint8_t *data, size_t max, uint8_t *first)
{
  static uint8_t out[MUT_ARENA];
  uint8_t type;
  size_t n = mut_model_write(m, out, max < sizeof out ? max : sizeof out, &type);
  if (n == 0)
    return 0;
  memcpy(data, out, n);
  if (first)
    *first = type;
  return n;
}

size_t mut_isakmp_datagram(struct mut_ctx *c, uint8_t *data, size_t size, size_t max)
{
  static struct mut_msg m;
  if (!mut_model_parse(&m, data, size))
    return 0;
  mut_isakmp_edit(c, &m);
  return write_back(&m, data, max, NULL);
}

size_t mut_isakmp_splice(struct mut_ctx *c, uint8_t *data, size_t size, size_t max)
{
  static struct mut_msg m;
  if (!mut_model_parse(&m, data, size) || !op_splice(c, &m))
    return 0;
  if (mut_chance(&c->rng, 50))
    mut_isakmp_edit(c, &m);
  return write_back(&m, data, max, NULL);
}

size_t mut_isakmp_chain(struct mut_ctx *c, uint8_t *first, uint8_t *data, size_t size,
                        size_t max)
{
  static struct mut_msg m;
  if (!mut_model_parse_chain(&m, *first, data, size))
    return 0;
  mut_isakmp_edit(c, &m);
  return write_back(&m, data, max, first);
}
