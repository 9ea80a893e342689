/* Anti-replay window (RFC 4303 §3.4.3) as a ring bitmap: bit (seq mod size)
 * says whether seq was received, for the `size` numbers ending at `top`.
 * Sliding right clears only the bits that leave, so a packet costs at most
 * `size` bit operations and usually one. Checking and recording are apart
 * because the ICV is verified between them: a forged packet must not move
 * the window. */
#include <string.h>

#include "esp_internal.h"

void esp_replay_init(struct esp_replay *w, uint32_t size)
{
  memset(w, 0, sizeof *w);
  if (size == 0)
    size = ESP_REPLAY_DEFAULT;
  w->size = size > ESP_REPLAY_MAX ? ESP_REPLAY_MAX : size;
}

static bool seen(const struct esp_replay *w, uint32_t seq)
{
  uint32_t i = seq % w->size;
  return (w->bits[i / 64] >> (i % 64)) & 1u;
}

static void mark(struct esp_replay *w, uint32_t seq, bool on)
{
  uint32_t i = seq % w->size;
  uint64_t bit = (uint64_t)1 << (i % 64);
  w->bits[i / 64] = on ? (w->bits[i / 64] | bit) : (w->bits[i / 64] & ~bit);
}

bool esp_replay_check(const struct esp_replay *w, uint32_t seq)
{
  if (seq == 0)               /* never sent: the first packet is 1 (§3.3.3) */
    return false;
  if (seq > w->top)
    return true;
  if (w->top - seq >= w->size)
    return false;             /* left of the window */
  return !seen(w, seq);
}

void esp_replay_update(struct esp_replay *w, uint32_t seq)
{
  if (seq > w->top) {
    uint32_t diff = seq - w->top;
    if (diff >= w->size)
      memset(w->bits, 0, sizeof w->bits);
    else
      for (uint32_t k = 1; k <= diff; k++)
        mark(w, w->top + k, false);
    w->top = seq;
  }
  mark(w, seq, true);
}
