/* Address ranges and their ISAKMP proxy-ID form (see rules.h). */
#include <stdbool.h>

#include "ikelab/isakmp_types.h"
#include "ikelab/rules.h"

bool addr_mask_contiguous(uint32_t mask)
{
  /* A contiguous mask's complement is 2^k - 1: adding one clears it. */
  uint32_t host = ~mask;
  return (host & (host + 1)) == 0;
}

bool addr_range_valid(const struct addr_range *r)
{
  switch (r->kind) {
  case ADDR_SINGLE:
    return true;
  case ADDR_RANGE:
    return r->a <= r->b;
  case ADDR_SUBNET:
    return addr_mask_contiguous(r->b) && (r->a & ~r->b) == 0;
  }
  return false; /* a kind outside the enum (memory from a config file) */
}

void addr_range_bounds(const struct addr_range *r, uint32_t *lo, uint32_t *hi)
{
  switch (r->kind) {
  case ADDR_RANGE:
    *lo = r->a;
    *hi = r->b;
    return;
  case ADDR_SUBNET:
    *lo = r->a & r->b;
    *hi = r->a | ~r->b;
    return;
  case ADDR_SINGLE:
  default:
    *lo = *hi = r->a;
    return;
  }
}

bool addr_range_equal(const struct addr_range *x, const struct addr_range *y)
{
  uint32_t xl, xh, yl, yh;
  if (!addr_range_valid(x) || !addr_range_valid(y))
    return false;
  addr_range_bounds(x, &xl, &xh);
  addr_range_bounds(y, &yl, &yh);
  return xl == yl && xh == yh;
}

bool addr_range_overlap(const struct addr_range *x, const struct addr_range *y)
{
  uint32_t xl, xh, yl, yh;
  if (!addr_range_valid(x) || !addr_range_valid(y))
    return false;
  addr_range_bounds(x, &xl, &xh);
  addr_range_bounds(y, &yl, &yh);
  return xl <= yh && yl <= xh;
}

bool addr_range_contains(const struct addr_range *outer, const struct addr_range *inner)
{
  uint32_t ol, oh, il, ih;
  if (!addr_range_valid(outer) || !addr_range_valid(inner))
    return false;
  addr_range_bounds(outer, &ol, &oh);
  addr_range_bounds(inner, &il, &ih);
  return ol <= il && ih <= oh;
}

bool addr_range_peer_usable(const struct addr_range *r)
{
  static const struct addr_range forbidden[] = {
      {ADDR_SINGLE, 0, 0},                       /* 0.0.0.0 */
      {ADDR_SUBNET, IPV4(127, 0, 0, 0), IPV4(255, 0, 0, 0)},
      {ADDR_SUBNET, IPV4(224, 0, 0, 0), IPV4(224, 0, 0, 0)},
  };
  if (!addr_range_valid(r))
    return false;
  for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
    if (addr_range_overlap(r, &forbidden[i]))
      return false;
  return true;
}

void addr_range_log_bounds(const struct addr_range *r, uint32_t *start, uint32_t *end)
{
  if (addr_range_valid(r) || r->kind == ADDR_SINGLE) {
    addr_range_bounds(r, start, end);
    return;
  }
  *start = r->a;
  *end = r->b;
}

bool addr_range_from_id(uint8_t id_type, struct buf_slice data, struct addr_range *out)
{
  struct buf_reader rd;
  uint32_t a, b = 0;
  size_t want;
  enum addr_kind kind;
  switch (id_type) {
  case ISAKMP_ID_IPV4_ADDR:
    kind = ADDR_SINGLE, want = 4;
    break;
  case ISAKMP_ID_IPV4_ADDR_SUBNET:
    kind = ADDR_SUBNET, want = 8;
    break;
  case ISAKMP_ID_IPV4_ADDR_RANGE:
    kind = ADDR_RANGE, want = 8;
    break;
  default:
    return false; /* FQDN, IPv6, ...: no Prestige rule can name them */
  }
  if (slice_len(data) != want)
    return false;
  br_from_slice(&rd, data, 0);
  if (!br_u32(&rd, &a) || (want == 8 && !br_u32(&rd, &b)))
    return false;
  *out = (struct addr_range){kind, a, b};
  return true;
}

size_t addr_range_to_id(const struct addr_range *r, uint8_t *id_type, uint8_t out[8])
{
  struct buf_writer w;
  bw_init(&w, out, 8);
  switch (r->kind) {
  case ADDR_SINGLE:
    *id_type = ISAKMP_ID_IPV4_ADDR;
    bw_u32(&w, r->a);
    break;
  case ADDR_SUBNET:
    *id_type = ISAKMP_ID_IPV4_ADDR_SUBNET;
    bw_u32(&w, r->a);
    bw_u32(&w, r->b);
    break;
  case ADDR_RANGE:
    *id_type = ISAKMP_ID_IPV4_ADDR_RANGE;
    bw_u32(&w, r->a);
    bw_u32(&w, r->b);
    break;
  default:
    return 0;
  }
  return bw_ok(&w) ? bw_pos(&w) : 0;
}
