/* Packet builders shared by the scenario tables: real messages taken off
 * an engine, then changed. Each returns the datagram's length, 0 when it
 * could not make one (the case then fails: no silent "silence"). */
#ifndef IKELAB_CONFORM_BUILDERS_H
#define IKELAB_CONFORM_BUILDERS_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "world.h"

/* Side A is triggered for rule 1 and its first message (Main or
 * Aggressive Mode 1, by A's rule) is taken off the wire: it never reaches B
 * by the network. */
size_t take_first_message(struct world *w, uint8_t *out, size_t cap);

/* A's first message with byte act->offset set to act->arg. */
size_t first_with_byte(struct world *w, const struct action *act, uint8_t *out, size_t cap);
/* A's first message with a zero initiator cookie. */
size_t first_zero_icookie(struct world *w, const struct action *act, uint8_t *out, size_t cap);
/* A Quick Mode message under B's first IKE SA's cookies whose body is
 * garbage: it fails authentication. */
size_t quick_junk(struct world *w, const struct action *act, uint8_t *out, size_t cap);

#endif
