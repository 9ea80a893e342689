#include "fuzz_invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/log.h"
#include "exact_copy.h"

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

void invariant_deliver(const char *target, struct ike_engine *e, uint64_t now,
                       struct ike_endpoint from, struct ike_endpoint to, const uint8_t *pkt,
                       size_t len, bool authentic, unsigned *sa_events)
{
  /* An exact-size copy, so ASan sees any read past the datagram. */
  const uint8_t *copy = exact_copy(pkt, len);
  struct sa_list before, after;
  if (!copy)
    return;
  if (!authentic)
    sa_list_take(e, &before);
  *sa_events = 0;
  ike_engine_input(e, now, from, to, copy, len);
  if (authentic)
    return;
  sa_list_take(e, &after);
  if (*sa_events || !sa_list_same(&before, &after))
    invariant_broken(target, "a message that failed authentication changed the IPsec SAs");
}
