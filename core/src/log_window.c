/* One second's budget of lines of one kind (log.h, struct log_window). */
#include "ikelab/log.h"

bool log_window_idle(const struct log_window *w, uint64_t now_ms)
{
  return !w->open || now_ms - w->start_ms >= LOG_WINDOW_MS || now_ms < w->start_ms;
}

bool log_window_pass(struct log_window *w, uint64_t now_ms, unsigned burst, unsigned *held_before)
{
  if (log_window_idle(w, now_ms)) {
    w->open = true;
    w->start_ms = now_ms;
    w->lines = 0;
  }
  if (w->lines >= burst) {
    w->held++;
    return false;
  }
  w->lines++;
  *held_before = w->held;
  w->held = 0;
  return true;
}
