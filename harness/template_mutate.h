/* The template steps' mutations (fuzz_initiator's and fuzz_responder's,
 * shadow_peer.h): bytes and ISAKMP payload fields of one message, edited
 * in place. The message is the whole datagram, or an encrypted one's
 * plaintext (header, then the payload chain from byte 28). */
#ifndef IKELAB_TEMPLATE_MUTATE_H
#define IKELAB_TEMPLATE_MUTATE_H

#include <stddef.h>
#include <stdint.h>

/* Template flags. */
enum {
  TPL_FIX_HASH = 0x01, /* Quick Mode/Informational: HASH computed again after mutation */
  TPL_CLEAR = 0x02,    /* an encrypted template goes out as plaintext (E clear) */
  TPL_KEEP_LEN = 0x04, /* the header length is left as the mutations left it */
  TPL_DROP = 0x08,     /* the datagram is lost instead of delivered */
};

/* Mutations (op modulo MUT_COUNT); offsets are taken modulo the message
 * length (plus one where appending makes sense). */
enum {
  MUT_SET,      /* byte = value */
  MUT_XOR,      /* byte ^= value */
  MUT_ADD,      /* byte += value */
  MUT_INSERT,   /* value inserted before the byte */
  MUT_DELETE,   /* value % 16 + 1 bytes removed */
  MUT_TRUNCATE, /* the message ends here */
  MUT_SET16,    /* u16 here = an edge value (table, value modulo its size) */
  MUT_PAYLOAD,  /* payload (offset modulo their number), value: PMUT_* << 5 | arg */
  MUT_COUNT
};
/* Payload mutations (the top 3 bits of a MUT_PAYLOAD value). */
enum {
  PMUT_NEXT,    /* next-payload type = arg */
  PMUT_LENGTH,  /* payload length += arg - 16 */
  PMUT_REMOVE,  /* payload cut out, the chain relinked */
  PMUT_DOUBLE,  /* payload repeated right after itself */
  PMUT_RESERVED,/* reserved byte = arg | 1 */
  PMUT_LAST,    /* the chain ends with this payload */
  PMUT_COUNT = 8
};

/* Applies one mutation to msg (*len bytes, room for cap); a mutation that
 * does not fit changes nothing. */
void tmut_apply(uint8_t *msg, size_t *len, size_t cap, uint8_t op, uint16_t offset,
                uint8_t value);

#endif
