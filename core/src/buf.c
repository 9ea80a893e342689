/* Bounds-checked reader and sticky-error writer (see buf.h). This file is
 * the only place that indexes packet memory directly. */
#include "ikelab/buf.h"

#include <string.h>

void br_init(struct buf_reader *r, const uint8_t *data, size_t len)
{
  r->data = len ? data : NULL;
  r->len = len;
  r->offset = 0;
}

void br_from_slice(struct buf_reader *r, struct buf_slice s, size_t offset)
{
  br_init(r, s.ptr, s.len);
  r->offset = offset;
}

static void advance(struct buf_reader *r, size_t n)
{
  r->data = (n == r->len) ? NULL : r->data + n;
  r->len -= n;
  r->offset += n;
}

bool br_u8(struct buf_reader *r, uint8_t *out)
{
  if (r->len < 1)
    return false;
  *out = r->data[0];
  advance(r, 1);
  return true;
}

bool br_u16(struct buf_reader *r, uint16_t *out)
{
  if (r->len < 2)
    return false;
  *out = (uint16_t)((r->data[0] << 8) | r->data[1]);
  advance(r, 2);
  return true;
}

bool br_u32(struct buf_reader *r, uint32_t *out)
{
  if (r->len < 4)
    return false;
  *out = ((uint32_t)r->data[0] << 24) | ((uint32_t)r->data[1] << 16) |
         ((uint32_t)r->data[2] << 8) | (uint32_t)r->data[3];
  advance(r, 4);
  return true;
}

bool br_copy(struct buf_reader *r, void *out, size_t n)
{
  if (r->len < n)
    return false;
  if (n)
    memcpy(out, r->data, n);
  advance(r, n);
  return true;
}

bool br_skip(struct buf_reader *r, size_t n)
{
  if (r->len < n)
    return false;
  advance(r, n);
  return true;
}

bool br_slice(struct buf_reader *r, size_t n, struct buf_slice *out)
{
  if (r->len < n)
    return false;
  out->ptr = n ? r->data : NULL;
  out->len = n;
  advance(r, n);
  return true;
}

struct buf_slice br_rest(struct buf_reader *r)
{
  struct buf_slice s;
  br_slice(r, r->len, &s);
  return s;
}

bool br_sub(struct buf_reader *r, size_t n, struct buf_reader *sub)
{
  size_t offset = r->offset;
  struct buf_slice s;
  if (!br_slice(r, n, &s))
    return false;
  br_from_slice(sub, s, offset);
  return true;
}

bool br_peek_u8(const struct buf_reader *r, size_t i, uint8_t *out)
{
  if (i >= r->len)
    return false;
  *out = r->data[i];
  return true;
}

bool slice_eq(struct buf_slice a, struct buf_slice b)
{
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool slice_eq_bytes(struct buf_slice a, const void *bytes, size_t n)
{
  return slice_eq(a, slice_of(bytes, n));
}

bool slice_is_zero(struct buf_slice s)
{
  for (size_t i = 0; i < s.len; i++)
    if (s.ptr[i])
      return false;
  return true;
}

size_t slice_copy(struct buf_slice s, void *out, size_t cap)
{
  size_t n = s.len < cap ? s.len : cap;
  if (n)
    memcpy(out, s.ptr, n);
  return n;
}

size_t slice_move(struct buf_slice s, void *out, size_t cap)
{
  size_t n = s.len < cap ? s.len : cap;
  if (n)
    memmove(out, s.ptr, n);
  return n;
}

struct buf_slice slice_of(const void *bytes, size_t n)
{
  struct buf_slice s = {n ? bytes : NULL, n};
  return s;
}

uint8_t slice_byte(struct buf_slice s, size_t i)
{
  return i < s.len ? s.ptr[i] : 0;
}

void bw_init(struct buf_writer *w, uint8_t *data, size_t cap)
{
  w->data = data;
  w->cap = data ? cap : 0;
  w->len = 0;
  w->failed = false;
}

/* Returns where n bytes may be written, or NULL (and a failed writer). */
static uint8_t *claim(struct buf_writer *w, size_t n)
{
  if (w->failed || w->cap - w->len < n) {
    w->failed = true;
    return NULL;
  }
  uint8_t *p = w->data + w->len;
  w->len += n;
  return p;
}

void bw_u8(struct buf_writer *w, uint8_t v)
{
  uint8_t *p = claim(w, 1);
  if (p)
    p[0] = v;
}

void bw_u16(struct buf_writer *w, uint16_t v)
{
  uint8_t *p = claim(w, 2);
  if (p) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
  }
}

void bw_u32(struct buf_writer *w, uint32_t v)
{
  uint8_t *p = claim(w, 4);
  if (p) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
  }
}

void bw_bytes(struct buf_writer *w, const void *bytes, size_t n)
{
  uint8_t *p = claim(w, n);
  if (p && n)
    memcpy(p, bytes, n);
}

void bw_slice(struct buf_writer *w, struct buf_slice s)
{
  bw_bytes(w, s.ptr, s.len);
}

void bw_zeros(struct buf_writer *w, size_t n)
{
  uint8_t *p = claim(w, n);
  if (p && n)
    memset(p, 0, n);
}

size_t bw_reserve16(struct buf_writer *w)
{
  size_t pos = w->len;
  bw_zeros(w, 2);
  return pos;
}

size_t bw_reserve32(struct buf_writer *w)
{
  size_t pos = w->len;
  bw_zeros(w, 4);
  return pos;
}

void bw_patch16(struct buf_writer *w, size_t pos, size_t v)
{
  if (w->failed || v > 0xffff || pos + 2 > w->len) {
    w->failed = true;
    return;
  }
  w->data[pos] = (uint8_t)(v >> 8);
  w->data[pos + 1] = (uint8_t)v;
}

void bw_patch32(struct buf_writer *w, size_t pos, size_t v)
{
  if (w->failed || v > 0xffffffffu || pos + 4 > w->len) {
    w->failed = true;
    return;
  }
  for (int i = 0; i < 4; i++)
    w->data[pos + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

struct buf_slice bw_written(const struct buf_writer *w)
{
  return slice_of(w->data, w->len);
}
