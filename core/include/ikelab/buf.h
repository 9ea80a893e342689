/* The one way to touch packet bytes.
 *
 * A reader is a window {data, len} onto untrusted memory plus the offset of
 * that window inside the original packet (for error messages). Every getter
 * returns false instead of over-reading and advances only on success. A
 * length-bounded sub-reader confines a parser to one payload, so a bad inner
 * length can never reach past the enclosing payload.
 *
 * A writer appends into a caller-owned buffer. Errors are sticky: after the
 * first overflow every call fails and bw_ok() reports it once at the end.
 * Length fields are reserved first and patched when the child is complete. */
#ifndef IKELAB_BUF_H
#define IKELAB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A span of bytes handed out by a reader. It stays valid as long as the
 * reader's memory does. Only buf.c looks inside. */
struct buf_slice {
  const uint8_t *ptr;
  size_t len;
};

struct buf_reader {
  const uint8_t *data;
  size_t len;     /* bytes left */
  size_t offset;  /* offset of data[0] in the original packet */
};

void br_init(struct buf_reader *r, const uint8_t *data, size_t len);
/* A reader over a slice; offset says where the slice started in its packet. */
void br_from_slice(struct buf_reader *r, struct buf_slice s, size_t offset);

static inline size_t br_left(const struct buf_reader *r) { return r->len; }
static inline size_t br_offset(const struct buf_reader *r) { return r->offset; }

bool br_u8(struct buf_reader *r, uint8_t *out);
bool br_u16(struct buf_reader *r, uint16_t *out);   /* network byte order */
bool br_u32(struct buf_reader *r, uint32_t *out);   /* network byte order */
bool br_copy(struct buf_reader *r, void *out, size_t n);
bool br_skip(struct buf_reader *r, size_t n);
/* Takes the next n bytes as a slice. */
bool br_slice(struct buf_reader *r, size_t n, struct buf_slice *out);
/* Takes the rest as a slice (never fails; may be empty). */
struct buf_slice br_rest(struct buf_reader *r);
/* Splits off the next n bytes as their own reader. */
bool br_sub(struct buf_reader *r, size_t n, struct buf_reader *sub);
/* Looks at byte i ahead without consuming it. */
bool br_peek_u8(const struct buf_reader *r, size_t i, uint8_t *out);

/* ---- slices ---- */
static inline size_t slice_len(struct buf_slice s) { return s.len; }
bool slice_eq(struct buf_slice a, struct buf_slice b);
bool slice_eq_bytes(struct buf_slice a, const void *bytes, size_t n);
bool slice_is_zero(struct buf_slice s);
/* Copies at most cap bytes; returns the number copied. */
size_t slice_copy(struct buf_slice s, void *out, size_t cap);
/* The same where out may overlap the slice (shifting a buffer in place). */
size_t slice_move(struct buf_slice s, void *out, size_t cap);
struct buf_slice slice_of(const void *bytes, size_t n);
/* Byte i of a slice, or 0 past its end (callers check the length first). */
uint8_t slice_byte(struct buf_slice s, size_t i);

/* ---- writer ---- */
struct buf_writer {
  uint8_t *data;
  size_t cap;
  size_t len;
  bool failed;
};

void bw_init(struct buf_writer *w, uint8_t *data, size_t cap);
static inline bool bw_ok(const struct buf_writer *w) { return !w->failed; }
static inline size_t bw_pos(const struct buf_writer *w) { return w->len; }
void bw_u8(struct buf_writer *w, uint8_t v);
void bw_u16(struct buf_writer *w, uint16_t v);
void bw_u32(struct buf_writer *w, uint32_t v);
void bw_bytes(struct buf_writer *w, const void *bytes, size_t n);
void bw_slice(struct buf_writer *w, struct buf_slice s);
void bw_zeros(struct buf_writer *w, size_t n);
/* Reserves a 16/32-bit field and returns its position for bw_patch*. */
size_t bw_reserve16(struct buf_writer *w);
size_t bw_reserve32(struct buf_writer *w);
/* Writes v at a reserved position; fails the writer if v does not fit. */
void bw_patch16(struct buf_writer *w, size_t pos, size_t v);
void bw_patch32(struct buf_writer *w, size_t pos, size_t v);
/* The bytes written so far. */
struct buf_slice bw_written(const struct buf_writer *w);

#endif
