/* The mutator's picture of one ISAKMP message (or a bare payload chain, as
 * fuzz_quick_mode seals): its nodes in wire order, each with a nesting
 * level, so that a payload, a proposal, a transform or an attribute is the
 * same thing to an edit: a node and the deeper nodes after it (a subtree).
 *
 * Lengths, next-payload types, SPI sizes and transform counts are not
 * stored: mut_model_write() derives them from the nodes, so any edit comes
 * out consistent. A node's `fix` fields override a derived value, which is
 * how an edit deliberately breaks one.
 *
 * The parser is lenient where the codec is strict: any generic payload
 * chain parses; an SA whose inside does not parse stays an opaque body;
 * bytes after the chain, and the body of an encrypted message, are kept as
 * the tail. Variable bytes live in the model's arena; edits append new
 * bytes there rather than writing over bytes another node may share. */
#ifndef IKELAB_MUT_MODEL_H
#define IKELAB_MUT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"

enum mut_level { ML_PAYLOAD, ML_PROP, ML_XFORM, ML_ATTR };

/* A derived field: written as derived, derived + delta, or an absolute value. */
enum mut_fix_mode { FIX_DERIVE, FIX_DELTA, FIX_ABS };
struct mut_fix {
  uint8_t mode;
  int32_t v;
};

struct mut_node {
  uint8_t level;      /* enum mut_level */
  uint8_t type;       /* payload type (payload level only) */
  uint8_t reserved;   /* the generic header's RESERVED byte */
  bool structured;    /* an SA payload whose proposals are child nodes */
  /* Fixed fields after the generic header, big-endian as on the wire:
   *   SA: DOI(4) situation(4); proposal: number, protocol;
   *   transform: number, id, RESERVED2(2); attribute: AF|type(2), word(2). */
  uint8_t f[8];
  uint32_t off, len;  /* arena bytes: opaque body, SPI, or TLV value */
  struct mut_fix len_fix;   /* generic length; an attribute's TLV length */
  struct mut_fix next_fix;  /* next payload type */
  struct mut_fix count_fix; /* proposal: number of transforms */
  struct mut_fix spi_fix;   /* proposal: SPI size */
};

enum { MUT_MAX_NODES = 4096, MUT_ARENA = 3 * 65536 };

struct mut_msg {
  bool has_header;
  uint8_t hdr[28];          /* as read; next payload and length are derived */
  struct mut_fix hdr_next_fix, hdr_len_fix;
  uint8_t first_type;       /* chain mode: the first payload's type as read */
  size_t nn;
  struct mut_node n[MUT_MAX_NODES];
  uint32_t tail_off, tail_len;
  size_t arena_len;
  uint8_t arena[MUT_ARENA];
};

/* A whole datagram (header first). False when not even the 28-byte header
 * and a generic chain start are there. */
bool mut_model_parse(struct mut_msg *m, const uint8_t *pkt, size_t len);
/* A bare chain whose first payload has type first. */
bool mut_model_parse_chain(struct mut_msg *m, uint8_t first, const uint8_t *chain, size_t len);

/* Writes the message; returns its length, 0 when it does not fit cap. In
 * chain mode *first gets the type the first payload should be announced as. */
size_t mut_model_write(const struct mut_msg *m, uint8_t *out, size_t cap, uint8_t *first);

/* Arena bytes: copies n bytes in (src may be NULL: zeros); returns the
 * offset, or UINT32_MAX when the arena is full. */
uint32_t mut_arena_put(struct mut_msg *m, const void *src, size_t n);
struct buf_slice mut_node_bytes(const struct mut_msg *m, const struct mut_node *nd);

/* The subtree of node i ends (exclusive) here. */
size_t mut_subtree_end(const struct mut_msg *m, size_t i);
/* Index of the nearest node before i at a shallower level, or SIZE_MAX. */
size_t mut_parent(const struct mut_msg *m, size_t i);
/* Nodes at a level, counted and found by their rank. */
size_t mut_count_level(const struct mut_msg *m, enum mut_level level);
size_t mut_nth_level(const struct mut_msg *m, enum mut_level level, size_t rank);

/* Structural edits; each false (nothing changed) when out of room. */
bool mut_delete_subtree(struct mut_msg *m, size_t i);
/* Copies nodes [from, to) of src (may be m) to position at. */
bool mut_insert_nodes(struct mut_msg *m, size_t at, const struct mut_msg *src, size_t from,
                      size_t to);
/* One node (no children) at position at. */
bool mut_insert_node(struct mut_msg *m, size_t at, const struct mut_node *nd);
/* Moves subtree i to just after subtree j (siblings). */
bool mut_move_after(struct mut_msg *m, size_t i, size_t j);
/* Re-reads an opaque SA body into child nodes (after a retype to SA). */
bool mut_structure_sa(struct mut_msg *m, size_t i);
/* Writes a structured SA's body back into the arena and drops its children. */
bool mut_flatten(struct mut_msg *m, size_t i);

static inline uint16_t mut_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void mut_put16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

#endif
