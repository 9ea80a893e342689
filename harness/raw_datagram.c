#include "raw_datagram.h"

#include <string.h>

#include "ikelab/isakmp.h"

void raw_set_length(uint8_t *pkt, size_t len)
{
  if (len >= ISAKMP_HDR_LEN)
    for (int i = 0; i < 4; i++)
      pkt[24 + i] = (uint8_t)(len >> (24 - 8 * i));
}

size_t raw_build(unsigned flags, const uint8_t hdr[RAW_HDR], struct buf_slice body,
                    uint8_t *out, size_t cap)
{
  size_t len = slice_copy(body, out, cap);
  if ((flags & RAW_COOKIES) && len >= 16)
    memcpy(out, hdr, 16);
  if ((flags & RAW_MSGID) && len >= 24)
    memcpy(out + 20, hdr + 20, 4);
  if (flags & RAW_LENGTH)
    raw_set_length(out, len);
  return len;
}
