/* What "ikelabctl up N" answers. ike_engine_trigger() is true whether it
 * started a negotiation (K1), found one under way (K10) or found the rule
 * up (nothing logged); the rows it logged while taking the trigger tell
 * them apart. */
#include "daemon.h"

const char *ctl_up_outcome(const struct log_ring *ring, uint64_t before)
{
  if (!ring)
    return "negotiation requested"; /* no rows to read it from */
  if (ring->total <= before)
    return "already up";
  uint64_t fresh = ring->total - before;
  size_t n = fresh < ring->count ? (size_t)fresh : ring->count;
  bool started = false;
  for (size_t i = ring->count - n; i < ring->count; i++) {
    const struct log_event *ev = log_ring_at(ring, i);
    if (ev && ev->id == LOG_K10)
      return "negotiation already in process";
    if (ev && ev->id == LOG_K1)
      started = true;
  }
  return started ? "negotiation started" : "already up";
}
