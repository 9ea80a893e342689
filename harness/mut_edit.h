/* Internal to the ISAKMP edits: node helpers and the operations, split
 * between mut_isakmp.c (shape: insert, delete, duplicate, swap, retype,
 * splice) and mut_fields.c (values: header, attributes, payload fields,
 * deliberate breaks, bytes). Each operation returns false when it found
 * nothing to work on, so the dispatcher can pick another. */
#ifndef IKELAB_MUT_EDIT_H
#define IKELAB_MUT_EDIT_H

#include "mut_ops.h"

/* A random node of this level, or SIZE_MAX. */
size_t mut_pick(struct mut_ctx *c, const struct mut_msg *m, enum mut_level level);
/* The protocol of the proposal a node sits in (ISAKMP outside one). */
uint8_t mut_protocol_of(const struct mut_msg *m, size_t i);
/* Gives node i new bytes (copied into the arena). */
bool mut_set_bytes(struct mut_msg *m, size_t i, const uint8_t *bytes, size_t n);

bool mut_op_header(struct mut_ctx *c, struct mut_msg *m);
bool mut_op_attr(struct mut_ctx *c, struct mut_msg *m);
bool mut_op_insert_attr(struct mut_ctx *c, struct mut_msg *m);
bool mut_op_field(struct mut_ctx *c, struct mut_msg *m);
bool mut_op_break(struct mut_ctx *c, struct mut_msg *m);
bool mut_op_bytes(struct mut_ctx *c, struct mut_msg *m);

#endif
