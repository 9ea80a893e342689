/* Building messages payload by payload, and reading them back: the helpers
 * the engine, the tests and the crafted-packet builder share. */
#include "ikelab/isakmp.h"

#include <stdio.h>
#include <string.h>

struct isakmp_payload *isakmp_add_payload(struct isakmp_msg *msg, uint8_t type)
{
  if (msg->npayloads == ISAKMP_MAX_PAYLOADS)
    return NULL;
  struct isakmp_payload *pl = &msg->payloads[msg->npayloads++];
  memset(pl, 0, sizeof *pl);
  pl->type = type;
  if (type == ISAKMP_NP_SA) {
    pl->u.sa.doi = ISAKMP_DOI_IPSEC;
    pl->u.sa.situation = ISAKMP_SIT_IDENTITY_ONLY;
    pl->u.sa.first_proposal = (uint16_t)msg->nproposals;
  }
  return pl;
}

/* Proposals of one SA payload are contiguous in the pool, so an SA payload
 * only takes proposals while it is the last one to have been given any. */
struct isakmp_proposal *isakmp_add_proposal(struct isakmp_msg *msg, struct isakmp_payload *sa,
                                            uint8_t number, uint8_t protocol,
                                            struct buf_slice spi)
{
  if (msg->nproposals == ISAKMP_MAX_PROPOSALS ||
      sa->u.sa.first_proposal + sa->u.sa.nproposals != msg->nproposals)
    return NULL;
  struct isakmp_proposal *p = &msg->proposals[msg->nproposals++];
  memset(p, 0, sizeof *p);
  p->number = number;
  p->protocol = protocol;
  p->spi = spi;
  p->first_transform = (uint16_t)msg->ntransforms;
  sa->u.sa.nproposals++;
  return p;
}

struct isakmp_transform *isakmp_add_transform(struct isakmp_msg *msg,
                                              struct isakmp_proposal *prop, uint8_t number,
                                              uint8_t id)
{
  if (msg->ntransforms == ISAKMP_MAX_TRANSFORMS ||
      prop->first_transform + prop->ntransforms != msg->ntransforms)
    return NULL;
  struct isakmp_transform *t = &msg->transforms[msg->ntransforms++];
  memset(t, 0, sizeof *t);
  t->number = number;
  t->id = id;
  t->first_attr = (uint16_t)msg->nattrs;
  prop->ntransforms++;
  return t;
}

static struct isakmp_attr *add_attr(struct isakmp_msg *msg, uint16_t type)
{
  if (msg->ntransforms == 0 || msg->nattrs == ISAKMP_MAX_ATTRS)
    return NULL;
  struct isakmp_transform *t = &msg->transforms[msg->ntransforms - 1];
  if (t->first_attr + t->nattrs != msg->nattrs)
    return NULL;
  struct isakmp_attr *a = &msg->attrs[msg->nattrs++];
  memset(a, 0, sizeof *a);
  a->type = type & 0x7fff;
  t->nattrs++;
  return a;
}

bool isakmp_add_attr_tv(struct isakmp_msg *msg, uint16_t type, uint16_t value)
{
  struct isakmp_attr *a = add_attr(msg, type);
  if (!a)
    return false;
  a->tv = true;
  a->tv_value = value;
  return true;
}

bool isakmp_add_attr_tlv(struct isakmp_msg *msg, uint16_t type, struct buf_slice value)
{
  struct isakmp_attr *a = add_attr(msg, type);
  if (!a)
    return false;
  a->value = value;
  return true;
}

bool isakmp_attr_uint(const struct isakmp_attr *a, uint64_t *out)
{
  if (a->tv) {
    *out = a->tv_value;
    return true;
  }
  if (a->value.len == 0 || a->value.len > 8)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < a->value.len; i++)
    v = (v << 8) | slice_byte(a->value, i);
  *out = v;
  return true;
}

const struct isakmp_attr *isakmp_transform_attr(const struct isakmp_msg *msg,
                                                const struct isakmp_transform *t,
                                                uint16_t type)
{
  for (unsigned i = 0; i < t->nattrs; i++)
    if (msg->attrs[t->first_attr + i].type == type)
      return &msg->attrs[t->first_attr + i];
  return NULL;
}

size_t isakmp_payload_symbols(const struct isakmp_msg *msg, char *out, size_t outlen)
{
  size_t need = 0;
  if (outlen)
    out[0] = '\0';
  for (size_t i = 0; i < msg->npayloads; i++) {
    /* Built by hand: this runs for every message logged, and snprintf
     * was a tenth of the cost of sending one. */
    const char *sym = isakmp_payload_symbol(msg->payloads[i].type);
    char piece[32];
    size_t symlen = strlen(sym ? sym : "?"), n = symlen + 2;
    piece[0] = '<';
    memcpy(piece + 1, sym ? sym : "?", symlen);
    piece[n - 1] = '>';
    piece[n] = '\0';
    if (need + n < outlen)
      memcpy(out + need, piece, n + 1);
    else if (need < outlen)
      out[need] = '\0';
    need += n;
  }
  if (need >= outlen && outlen > 3) {
    /* Whole symbols fit up to strlen(out); drop the last ones until "..."
     * fits after them (a piece starts at its '<'). */
    size_t keep = strlen(out);
    while (keep + 3 >= outlen) {
      char *last = strrchr(out, '<');
      keep = last ? (size_t)(last - out) : 0;
      out[keep] = '\0';
    }
    memcpy(out + keep, "...", 4);
  }
  return need;
}
