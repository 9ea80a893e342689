/* fuzz_initiator's script (initiator_env.h) as the mutator sees it: step
 * layouts, operand values, template records and new steps (the records
 * and flags serve fuzz_responder's template step too). Apart from
 * mut_script.c because initiator_env.h's MUT_* names are the template
 * mutations, not the mutator's: only this file's source includes it. */
#ifndef IKELAB_MUT_INITIATOR_H
#define IKELAB_MUT_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mut_ops.h"
#include "mut_script.h"

/* A template record is {u8 op, u16 offset, u8 value}; their count is a u8. */
enum { MUT_TPL_RECORD = 4, MUT_TPL_MAX = 255 * MUT_TPL_RECORD };

/* Operand bytes and body kind of an opcode (every byte is one). */
void mut_init_layout(uint8_t op, uint8_t *nopnd, uint8_t *body);
void mut_init_operands(struct mut_rng *r, struct mut_step *st);
uint8_t mut_init_variant(struct mut_rng *r);
/* Template records edited: one added, removed or changed (structural), or
 * their bytes mutated. Returns the new length: a multiple of
 * MUT_TPL_RECORD, at most MUT_TPL_MAX (recs has room for that). */
size_t mut_init_records(struct mut_ctx *c, uint8_t *recs, size_t len, bool structural);
/* The opcode of a step worth inserting, and its body (0-3 template
 * records, or a small datagram for a RAW step); returns the body length. */
uint8_t mut_init_new_op(struct mut_rng *r);
/* A template step's flags (TPL_*), and 0-3 records for a new one: both
 * targets' template steps (fuzz_responder's STEP_TEMPLATE too). */
uint8_t mut_tpl_flags(struct mut_rng *r);
size_t mut_tpl_new_records(struct mut_ctx *c, uint8_t *out, size_t cap);
size_t mut_init_new_body(struct mut_ctx *c, uint8_t op, uint8_t *out, size_t cap);

#endif
