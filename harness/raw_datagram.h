/* A datagram of fuzzer bytes with header fields copied in from the
 * engine's last sent datagram, so that it gets past the cookie and
 * message ID lookups (fuzz_initiator's ISTEP_RAW, fuzz_responder's
 * STEP_RAW). */
#ifndef IKELAB_RAW_DATAGRAM_H
#define IKELAB_RAW_DATAGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"

/* Raw datagram flags. */
enum {
  RAW_COOKIES = 0x01, /* bytes 0-15: the cookies of the engine's last datagram */
  RAW_MSGID = 0x02,   /* bytes 20-23: its message ID */
  RAW_LENGTH = 0x04,  /* bytes 24-27: the datagram's real length */
};

enum { RAW_HDR = 24 }; /* what is kept of the last datagram: cookies .. M-ID */

/* body into out (at most cap bytes), then what flags copy in from hdr;
 * returns the length. */
size_t raw_build(unsigned flags, const uint8_t hdr[RAW_HDR], struct buf_slice body,
                    uint8_t *out, size_t cap);
/* Bytes 24-27 (the header's length) = len, when there is a header. */
void raw_set_length(uint8_t *pkt, size_t len);

#endif
