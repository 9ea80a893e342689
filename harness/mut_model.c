/* Reading a message into nodes, writing nodes back with every length and
 * count derived, and the subtree edits the operations are built from. */
#include "mut_model.h"

#include <string.h>

#include "ikelab/isakmp_types.h"

enum { HDR = 28, GENERIC = 4 };

uint32_t mut_arena_put(struct mut_msg *m, const void *src, size_t n)
{
  if (n > MUT_ARENA - m->arena_len)
    return UINT32_MAX;
  uint32_t off = (uint32_t)m->arena_len;
  if (src)
    memcpy(m->arena + off, src, n);
  else
    memset(m->arena + off, 0, n);
  m->arena_len += n;
  return off;
}

static bool put_slice(struct mut_msg *m, struct buf_slice s, uint32_t *off)
{
  *off = (uint32_t)m->arena_len;
  if (s.len > MUT_ARENA - m->arena_len)
    return false;
  m->arena_len += slice_copy(s, m->arena + *off, s.len);
  return true;
}

struct buf_slice mut_node_bytes(const struct mut_msg *m, const struct mut_node *nd)
{
  return slice_of(m->arena + nd->off, nd->len);
}

static struct mut_node *new_node(struct mut_msg *m, uint8_t level)
{
  if (m->nn == MUT_MAX_NODES)
    return NULL;
  struct mut_node *nd = &m->n[m->nn++];
  memset(nd, 0, sizeof *nd);
  nd->level = level;
  return nd;
}

/* ---- reading ---- */

/* A generic header: next type and a reader bounded to the body. */
static bool read_generic(struct buf_reader *r, uint8_t *next, uint8_t *reserved,
                         struct buf_reader *body)
{
  uint16_t len;
  return br_u8(r, next) && br_u8(r, reserved) && br_u16(r, &len) && len >= GENERIC &&
         br_sub(r, len - GENERIC, body);
}

static bool read_attrs(struct mut_msg *m, struct buf_reader *r)
{
  while (br_left(r) > 0) {
    struct mut_node *nd = new_node(m, ML_ATTR);
    struct buf_slice value = slice_of(NULL, 0);
    if (!nd || !br_copy(r, nd->f, 4))
      return false;
    if (!(nd->f[0] & 0x80) && !br_slice(r, mut_get16(nd->f + 2), &value))
      return false;
    if (!put_slice(m, value, &nd->off))
      return false;
    nd->len = (uint32_t)value.len;
  }
  return true;
}

static bool read_proposal(struct mut_msg *m, struct buf_reader *r)
{
  uint8_t spi_size, declared, next = ISAKMP_NP_T, count = 0;
  struct buf_slice spi;
  struct mut_node *nd = new_node(m, ML_PROP);
  if (!nd || !br_copy(r, nd->f, 2) || !br_u8(r, &spi_size) || !br_u8(r, &declared) ||
      !br_slice(r, spi_size, &spi) || !put_slice(m, spi, &nd->off))
    return false;
  nd->len = spi_size;
  while (next == ISAKMP_NP_T && br_left(r) > 0) {
    struct buf_reader body;
    struct mut_node *x = new_node(m, ML_XFORM);
    if (!x || !read_generic(r, &next, &x->reserved, &body) || !br_copy(&body, x->f, 4) ||
        !read_attrs(m, &body))
      return false;
    count++;
  }
  /* Only a proposal the writer reproduces byte for byte is structured. */
  return next == ISAKMP_NP_NONE && count == declared && br_left(r) == 0;
}

static bool read_sa_body(struct mut_msg *m, struct mut_node *sa, struct buf_reader *r)
{
  uint8_t next = ISAKMP_NP_P, reserved;
  if (!br_copy(r, sa->f, 8))
    return false;
  while (next == ISAKMP_NP_P && br_left(r) > 0) {
    struct buf_reader body;
    size_t at = m->nn;
    if (!read_generic(r, &next, &reserved, &body) || !read_proposal(m, &body))
      return false;
    m->n[at].reserved = reserved;
  }
  return next == ISAKMP_NP_NONE && br_left(r) == 0;
}

/* An SA body into children of node i (the last node); on failure the
 * children are dropped and the body stays opaque. */
static void try_structure(struct mut_msg *m, size_t i, struct buf_slice body)
{
  struct buf_reader r;
  size_t nn = m->nn, arena = m->arena_len;
  br_from_slice(&r, body, 0);
  m->n[i].structured = read_sa_body(m, &m->n[i], &r);
  if (!m->n[i].structured) {
    m->nn = nn;
    m->arena_len = arena;
  }
}

static bool read_chain(struct mut_msg *m, uint8_t type, struct buf_reader *r,
                       struct mut_fix *announce)
{
  while (type != ISAKMP_NP_NONE) {
    struct buf_reader body;
    uint8_t next, reserved;
    struct buf_reader at = *r;
    if (m->nn == MUT_MAX_NODES || !read_generic(r, &next, &reserved, &body)) {
      /* The rest is the tail; whoever announced this payload keeps its type. */
      *r = at;
      *announce = (struct mut_fix){FIX_ABS, type};
      return true;
    }
    size_t i = m->nn;
    struct mut_node *nd = new_node(m, ML_PAYLOAD);
    nd->type = type;
    nd->reserved = reserved;
    struct buf_slice b = br_rest(&body);
    if (!put_slice(m, b, &nd->off))
      return false;
    nd->len = (uint32_t)b.len;
    if (type == ISAKMP_NP_SA)
      try_structure(m, i, b);
    announce = &m->n[i].next_fix;
    type = next;
  }
  return true;
}

static void take_tail(struct mut_msg *m, struct buf_reader *r)
{
  struct buf_slice rest = br_rest(r);
  if (put_slice(m, rest, &m->tail_off))
    m->tail_len = (uint32_t)rest.len;
}

static void model_reset(struct mut_msg *m)
{
  m->nn = 0;
  m->arena_len = 0;
  m->tail_off = m->tail_len = 0;
  m->hdr_next_fix = m->hdr_len_fix = (struct mut_fix){FIX_DERIVE, 0};
}

bool mut_model_parse(struct mut_msg *m, const uint8_t *pkt, size_t len)
{
  struct buf_reader r;
  model_reset(m);
  m->has_header = true;
  br_init(&r, pkt, len);
  if (!br_copy(&r, m->hdr, HDR))
    return false;
  /* A header length that disagrees with the datagram stays as it was. */
  uint32_t hlen = (uint32_t)m->hdr[24] << 24 | (uint32_t)m->hdr[25] << 16 |
                  (uint32_t)m->hdr[26] << 8 | m->hdr[27];
  if (hlen != len)
    m->hdr_len_fix = (struct mut_fix){FIX_ABS, (int32_t)hlen};
  if (!(m->hdr[19] & ISAKMP_FLAG_E) && !read_chain(m, m->hdr[16], &r, &m->hdr_next_fix))
    return false;
  if (m->nn == 0)
    m->hdr_next_fix = (struct mut_fix){FIX_ABS, m->hdr[16]};
  take_tail(m, &r);
  return true;
}

bool mut_model_parse_chain(struct mut_msg *m, uint8_t first, const uint8_t *chain, size_t len)
{
  struct buf_reader r;
  model_reset(m);
  m->has_header = false;
  m->first_type = first;
  br_init(&r, chain, len);
  if (!read_chain(m, first, &r, &m->hdr_next_fix))
    return false;
  if (m->nn == 0)
    m->hdr_next_fix = (struct mut_fix){FIX_ABS, first};
  take_tail(m, &r);
  return true;
}

/* ---- writing ---- */

/* The value a field gets: derived, or what a deliberate break says. */
static size_t fixed(struct mut_fix f, size_t derived)
{
  switch (f.mode) {
  case FIX_DELTA:
    return (size_t)((int64_t)derived + f.v);
  case FIX_ABS:
    return (size_t)(uint32_t)f.v;
  default:
    return derived;
  }
}

/* A derived length past 16 bits fails the write; a chosen one is truncated. */
static void patch16(struct buf_writer *w, size_t pos, struct mut_fix f, size_t derived)
{
  size_t v = fixed(f, derived);
  bw_patch16(w, pos, f.mode == FIX_DERIVE ? v : (v & 0xffff));
}

static void write_node(const struct mut_msg *m, size_t i, size_t next, struct buf_writer *w);

/* Children of node i, each told the type of the sibling after it. */
static size_t write_children(const struct mut_msg *m, size_t i, struct buf_writer *w)
{
  size_t end = mut_subtree_end(m, i), count = 0;
  for (size_t j = i + 1; j < end; j = mut_subtree_end(m, j), count++) {
    size_t after = mut_subtree_end(m, j);
    size_t next = 0;
    if (after < end && m->n[after].level == m->n[j].level)
      next = m->n[j].level == ML_PROP ? ISAKMP_NP_P : ISAKMP_NP_T;
    write_node(m, j, next, w);
  }
  return count;
}

static size_t count_children(const struct mut_msg *m, size_t i)
{
  size_t end = mut_subtree_end(m, i), count = 0;
  for (size_t j = i + 1; j < end; j = mut_subtree_end(m, j))
    count++;
  return count;
}

static void write_node(const struct mut_msg *m, size_t i, size_t next, struct buf_writer *w)
{
  const struct mut_node *nd = &m->n[i];
  struct buf_slice bytes = mut_node_bytes(m, nd);
  if (nd->level == ML_ATTR) {
    bw_bytes(w, nd->f, 2);
    if (nd->f[0] & 0x80) {
      bw_bytes(w, nd->f + 2, 2);
      return;
    }
    size_t pos = bw_reserve16(w);
    patch16(w, pos, nd->len_fix, bytes.len);
    bw_slice(w, bytes);
    return;
  }
  size_t start = bw_pos(w);
  bw_u8(w, (uint8_t)fixed(nd->next_fix, next));
  bw_u8(w, nd->reserved);
  size_t pos = bw_reserve16(w);
  if (nd->level == ML_PROP) {
    bw_bytes(w, nd->f, 2);
    bw_u8(w, (uint8_t)fixed(nd->spi_fix, bytes.len));
    bw_u8(w, (uint8_t)fixed(nd->count_fix, count_children(m, i)));
    bw_slice(w, bytes);
  } else if (nd->level == ML_XFORM) {
    bw_bytes(w, nd->f, 4);
  } else if (nd->structured) {
    bw_bytes(w, nd->f, 8);
  } else {
    bw_slice(w, bytes);
  }
  write_children(m, i, w);
  patch16(w, pos, nd->len_fix, bw_pos(w) - start);
}

size_t mut_model_write(const struct mut_msg *m, uint8_t *out, size_t cap, uint8_t *first)
{
  struct buf_writer w;
  size_t len_pos = 0;
  uint8_t first_type = m->nn ? m->n[0].type : ISAKMP_NP_NONE;
  first_type = (uint8_t)fixed(m->hdr_next_fix, first_type);
  bw_init(&w, out, cap);
  if (m->has_header) {
    bw_bytes(&w, m->hdr, 16);
    bw_u8(&w, first_type);
    bw_bytes(&w, m->hdr + 17, 7);
    len_pos = bw_reserve32(&w);
  }
  for (size_t i = 0; i < m->nn; i = mut_subtree_end(m, i)) {
    size_t after = mut_subtree_end(m, i);
    write_node(m, i, after < m->nn ? m->n[after].type : ISAKMP_NP_NONE, &w);
  }
  bw_slice(&w, slice_of(m->arena + m->tail_off, m->tail_len));
  if (m->has_header)
    bw_patch32(&w, len_pos, (uint32_t)fixed(m->hdr_len_fix, bw_pos(&w)));
  if (first)
    *first = first_type;
  return bw_ok(&w) ? bw_pos(&w) : 0;
}

/* ---- tree walking and subtree edits ---- */

size_t mut_subtree_end(const struct mut_msg *m, size_t i)
{
  size_t j = i + 1;
  while (j < m->nn && m->n[j].level > m->n[i].level)
    j++;
  return j;
}

size_t mut_parent(const struct mut_msg *m, size_t i)
{
  for (size_t j = i; j-- > 0;)
    if (m->n[j].level < m->n[i].level)
      return j;
  return SIZE_MAX;
}

size_t mut_count_level(const struct mut_msg *m, enum mut_level level)
{
  size_t c = 0;
  for (size_t i = 0; i < m->nn; i++)
    c += m->n[i].level == level;
  return c;
}

size_t mut_nth_level(const struct mut_msg *m, enum mut_level level, size_t rank)
{
  for (size_t i = 0; i < m->nn; i++)
    if (m->n[i].level == level && rank-- == 0)
      return i;
  return SIZE_MAX;
}

bool mut_delete_subtree(struct mut_msg *m, size_t i)
{
  size_t end = mut_subtree_end(m, i);
  memmove(&m->n[i], &m->n[end], (m->nn - end) * sizeof m->n[0]);
  m->nn -= end - i;
  return true;
}

bool mut_insert_nodes(struct mut_msg *m, size_t at, const struct mut_msg *src, size_t from,
                      size_t to)
{
  static struct mut_node tmp[MUT_MAX_NODES];
  size_t k = to - from;
  if (k > MUT_MAX_NODES - m->nn || at > m->nn)
    return false;
  memcpy(tmp, &src->n[from], k * sizeof tmp[0]);
  if (src != m) /* the donor's bytes come along into our arena */
    for (size_t j = 0; j < k; j++) {
      uint32_t off = mut_arena_put(m, src->arena + tmp[j].off, tmp[j].len);
      if (off == UINT32_MAX)
        return false;
      tmp[j].off = off;
    }
  memmove(&m->n[at + k], &m->n[at], (m->nn - at) * sizeof m->n[0]);
  memcpy(&m->n[at], tmp, k * sizeof tmp[0]);
  m->nn += k;
  return true;
}

bool mut_move_after(struct mut_msg *m, size_t i, size_t j)
{
  static struct mut_node tmp[MUT_MAX_NODES];
  size_t iend = mut_subtree_end(m, i), jend = mut_subtree_end(m, j);
  if (i == j || (j > i && j < iend))
    return false;
  size_t k = iend - i;
  memcpy(tmp, &m->n[i], k * sizeof tmp[0]);
  mut_delete_subtree(m, i);
  size_t at = jend > i ? jend - k : jend;
  memmove(&m->n[at + k], &m->n[at], (m->nn - at) * sizeof m->n[0]);
  memcpy(&m->n[at], tmp, k * sizeof tmp[0]);
  m->nn += k;
  return true;
}

bool mut_structure_sa(struct mut_msg *m, size_t i)
{
  static struct mut_msg scratch;
  struct mut_node sa = m->n[i];
  struct buf_reader r;
  if (sa.structured || sa.level != ML_PAYLOAD)
    return false;
  /* Parse into a scratch model, then splice its nodes in after node i. */
  scratch.nn = 0;
  scratch.arena_len = 0;
  br_from_slice(&r, mut_node_bytes(m, &sa), 0);
  if (!read_sa_body(&scratch, &sa, &r) || !mut_insert_nodes(m, i + 1, &scratch, 0, scratch.nn))
    return false;
  m->n[i].structured = true;
  memcpy(m->n[i].f, sa.f, sizeof sa.f);
  return true;
}

bool mut_flatten(struct mut_msg *m, size_t i)
{
  static uint8_t body[65536];
  struct buf_writer w;
  if (!m->n[i].structured)
    return true;
  bw_init(&w, body, sizeof body);
  bw_bytes(&w, m->n[i].f, 8);
  write_children(m, i, &w);
  uint32_t off = mut_arena_put(m, body, bw_pos(&w));
  if (!bw_ok(&w) || off == UINT32_MAX)
    return false;
  size_t end = mut_subtree_end(m, i);
  memmove(&m->n[i + 1], &m->n[end], (m->nn - end) * sizeof m->n[0]);
  m->nn -= end - i - 1;
  m->n[i].structured = false;
  m->n[i].off = off;
  m->n[i].len = (uint32_t)bw_pos(&w);
  return true;
}

bool mut_insert_node(struct mut_msg *m, size_t at, const struct mut_node *nd)
{
  if (m->nn == MUT_MAX_NODES || at > m->nn)
    return false;
  memmove(&m->n[at + 1], &m->n[at], (m->nn - at) * sizeof m->n[0]);
  m->n[at] = *nd;
  m->nn++;
  return true;
}
