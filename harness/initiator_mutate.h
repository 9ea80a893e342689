/* fuzz_initiator's template mutations (MUT_* and PMUT_* in
 * initiator_env.h): bytes and ISAKMP payload fields of one message, edited
 * in place. The message is the whole datagram, or an encrypted one's
 * plaintext (header, then the payload chain from byte 28). */
#ifndef IKELAB_INITIATOR_MUTATE_H
#define IKELAB_INITIATOR_MUTATE_H

#include <stddef.h>
#include <stdint.h>

/* Applies one mutation to msg (*len bytes, room for cap); a mutation that
 * does not fit changes nothing. */
void tmut_apply(uint8_t *msg, size_t *len, size_t cap, uint8_t op, uint16_t offset,
                uint8_t value);

#endif
