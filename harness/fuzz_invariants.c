#include "fuzz_invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/log.h"

_Noreturn void invariant_broken(const char *target, const char *what)
{
  fprintf(stderr, "%s: invariant broken: %s\n", target, what);
  abort();
}

void invariant_event(const char *target, const struct ike_event *ev, char *line,
                     size_t linelen)
{
  static struct isakmp_msg msg;
  struct isakmp_error err;
  char scratch[256];
  if (!line) {
    line = scratch;
    linelen = sizeof scratch;
  }
  switch (ev->kind) {
  case IKE_EV_SEND:
    if (!isakmp_decode(&msg, ev->u.send.data, ev->u.send.len, &err))
      invariant_broken(target, "the engine sent a message its own decoder rejects");
    break;
  case IKE_EV_LOG:
    if (ev->u.log.id >= LOG_ID_COUNT || !log_row(ev->u.log.id) ||
        log_render(&ev->u.log, line, linelen) == 0)
      invariant_broken(target, "a log line outside the catalogue");
    break;
  case IKE_EV_SA_ADD:
    if (ev->u.sa.auth_key_len == 0 && ev->u.sa.enc_key_len == 0)
      invariant_broken(target, "an IPsec SA without keys");
    break;
  default:
    break;
  }
}

void sa_list_take(const struct ike_engine *e, struct sa_list *l)
{
  size_t total = ike_engine_ipsec_count(e);
  l->n = total < 8 ? total : 8;
  memset(l->sa, 0, sizeof l->sa);
  for (size_t i = 0; i < l->n; i++)
    ike_engine_ipsec_info(e, i, &l->sa[i]);
}

bool sa_list_same(const struct sa_list *a, const struct sa_list *b)
{
  return a->n == b->n && memcmp(a->sa, b->sa, sizeof a->sa) == 0;
}
