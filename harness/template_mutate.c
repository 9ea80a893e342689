#include "template_mutate.h"

#include <stdbool.h>
#include <string.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp.h"

/* Lengths and counts where parsers make their decisions. */
static const uint16_t edges[] = {0, 1, 3, 4, 5, 8, 0x0f, 0x10, 0x14, 0x1c, 0x24,
                                 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff};

enum { CHAIN_MAX = 64 };

/* Where each payload of the chain starts, and where its type is written
 * (the header's next-payload byte for the first, the previous payload's
 * for the rest). Stops at the first payload that does not fit. */
struct chain {
  size_t at[CHAIN_MAX], type_at[CHAIN_MAX], len[CHAIN_MAX];
  size_t n;
};

static void walk(const uint8_t *msg, size_t len, struct chain *c)
{
  struct buf_reader r;
  size_t type_at = 16;
  uint8_t next;
  uint16_t plen;
  c->n = 0;
  br_init(&r, msg, len);
  if (!br_peek_u8(&r, 16, &next) || !br_skip(&r, ISAKMP_HDR_LEN))
    return;
  while (next != ISAKMP_NP_NONE && c->n < CHAIN_MAX) {
    size_t at = br_offset(&r);
    uint8_t following, reserved;
    if (!br_u8(&r, &following) || !br_u8(&r, &reserved) || !br_u16(&r, &plen) || plen < 4 ||
        !br_skip(&r, plen - 4u))
      return;
    c->at[c->n] = at;
    c->type_at[c->n] = type_at;
    c->len[c->n++] = plen;
    type_at = at;
    next = following;
  }
}

static void put16(uint8_t *p, unsigned v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void cut(uint8_t *msg, size_t *len, size_t at, size_t n)
{
  memmove(msg + at, msg + at + n, *len - at - n);
  *len -= n;
}

/* Opens n bytes at at (false: no room). */
static bool open_gap(uint8_t *msg, size_t *len, size_t cap, size_t at, size_t n)
{
  if (*len + n > cap)
    return false;
  memmove(msg + at + n, msg + at, *len - at);
  *len += n;
  return true;
}

static void payload(uint8_t *msg, size_t *len, size_t cap, uint16_t which, uint8_t value)
{
  struct chain c;
  walk(msg, *len, &c);
  if (c.n == 0)
    return;
  size_t i = which % c.n, at = c.at[i], plen = c.len[i];
  uint8_t arg = value & 0x1f;
  switch (value >> 5) {
  case PMUT_NEXT:
    msg[at] = arg;
    break;
  case PMUT_LENGTH:
    put16(msg + at + 2, (unsigned)(plen + arg - 16) & 0xffff);
    break;
  case PMUT_REMOVE:
    msg[c.type_at[i]] = msg[at];
    cut(msg, len, at, plen);
    break;
  case PMUT_DOUBLE:
    if (open_gap(msg, len, cap, at + plen, plen)) {
      memcpy(msg + at + plen, msg + at, plen);
      msg[at] = msg[c.type_at[i]]; /* the first copy is followed by the second */
    }
    break;
  case PMUT_RESERVED:
    msg[at + 1] = arg | 1;
    break;
  default: /* PMUT_LAST and the spare codes */
    msg[at] = ISAKMP_NP_NONE;
    *len = at + plen;
    break;
  }
}

void tmut_apply(uint8_t *msg, size_t *len, size_t cap, uint8_t op, uint16_t offset,
                uint8_t value)
{
  if (*len == 0)
    return;
  size_t at = offset % *len;
  switch (op % MUT_COUNT) {
  case MUT_SET:
    msg[at] = value;
    break;
  case MUT_XOR:
    msg[at] ^= value;
    break;
  case MUT_ADD:
    msg[at] = (uint8_t)(msg[at] + value);
    break;
  case MUT_INSERT:
    at = offset % (*len + 1); /* appending too */
    if (open_gap(msg, len, cap, at, 1))
      msg[at] = value;
    break;
  case MUT_DELETE: {
    size_t n = value % 16u + 1;
    cut(msg, len, at, n < *len - at ? n : *len - at);
    break;
  }
  case MUT_TRUNCATE:
    *len = at;
    break;
  case MUT_SET16:
    if (at + 2 <= *len)
      put16(msg + at, edges[value % (sizeof edges / sizeof edges[0])]);
    break;
  default:
    payload(msg, len, cap, offset, value);
    break;
  }
}
