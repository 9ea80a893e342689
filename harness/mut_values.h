/* Values worth trying in ISAKMP fields: the registered numbers of
 * isakmp_types.h (so a mutation lands on a value the engine has a branch
 * for) and the boundaries around them. */
#ifndef IKELAB_MUT_VALUES_H
#define IKELAB_MUT_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "ikelab/isakmp_types.h"
#include "mut_rng.h"

/* A registered value from a name table; t may be NULL (then a boundary). */
uint32_t mut_pick_name(struct mut_rng *r, const struct isakmp_names *t);
/* Boundaries for a field of this many bytes (1, 2 or 4), around base. */
uint32_t mut_pick_boundary(struct mut_rng *r, unsigned width, uint32_t base);
/* A payload type: mostly the codec's, sometimes P, T, NONE or any byte. */
uint8_t mut_pick_payload_type(struct mut_rng *r, bool known_only);
/* An attribute number for a proposal's protocol and a value for it: a
 * registered one when the table names values, else a duration, key
 * length or boundary. */
uint16_t mut_pick_attr_type(struct mut_rng *r, uint8_t protocol);
uint32_t mut_pick_attr_value(struct mut_rng *r, uint8_t protocol, uint16_t type);
/* A vendor ID we recognise (isakmp_vendor.c); returns its length. */
size_t mut_pick_vendor_id(struct mut_rng *r, uint8_t out[16]);
/* A plausible body for a payload of this type (for inserts); returns its
 * length, at most cap. The body decodes when the codec knows the type. */
size_t mut_template_body(struct mut_rng *r, uint8_t type, uint8_t *out, size_t cap);

#endif
