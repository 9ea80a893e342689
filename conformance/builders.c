#include "builders.h"

#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"

size_t take_first_message(struct world *w, uint8_t *out, size_t cap)
{
  struct net *n = &w->net;
  if (!ike_engine_trigger(n->side[0].e, n->now, 1) || n->nq != 1 || n->queue[0].len > cap)
    return 0;
  size_t len = n->queue[0].len;
  memcpy(out, n->queue[0].data, len);
  n->nq = 0;
  return len;
}

size_t first_with_byte(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  size_t len = take_first_message(w, out, cap);
  if (len <= act->offset)
    return 0;
  out[act->offset] = (uint8_t)act->arg;
  return len;
}

size_t first_zero_icookie(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  size_t len = take_first_message(w, out, cap);
  if (len < 8)
    return 0;
  memset(out, 0, 8);
  return len;
}

size_t quick_junk(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  /* A real peer's SA is known by side A's copy of it. */
  return net_quick_junk(&w->net, w->remote ? SIDE_A : SIDE_B, out, cap);
}
