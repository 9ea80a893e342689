/* ISAKMP encoder: writes a struct isakmp_msg. Chain types, lengths and counts
 * are derived here, so a message built by hand is always self-consistent;
 * crafted inconsistent packets are made by patching the output. */
#include "ikelab/isakmp.h"

#include <string.h>

/* Writes a generic header whose length is patched by end_payload(). */
static size_t begin_payload(struct buf_writer *w, uint8_t next)
{
  size_t start = bw_pos(w);
  bw_u8(w, next);
  bw_u8(w, 0);
  bw_reserve16(w);
  return start;
}

static void end_payload(struct buf_writer *w, size_t start)
{
  bw_patch16(w, start + 2, bw_pos(w) - start);
}

static void encode_attr(struct buf_writer *w, const struct isakmp_attr *a)
{
  if (a->tv) {
    bw_u16(w, (uint16_t)(a->type | ISAKMP_ATTR_AF));
    bw_u16(w, a->tv_value);
  } else {
    bw_u16(w, a->type & 0x7fff);
    if (a->value.len > 0xffff)
      w->failed = true;
    bw_u16(w, (uint16_t)a->value.len);
    bw_slice(w, a->value);
  }
}

static void encode_proposal(const struct isakmp_msg *msg, const struct isakmp_proposal *p,
                            bool last, struct buf_writer *w)
{
  size_t start = begin_payload(w, last ? ISAKMP_NP_NONE : ISAKMP_NP_P);
  bw_u8(w, p->number);
  bw_u8(w, p->protocol);
  bw_u8(w, (uint8_t)p->spi.len);
  bw_u8(w, (uint8_t)p->ntransforms);
  if (p->spi.len > 0xff || p->ntransforms > 0xff)
    w->failed = true;
  bw_slice(w, p->spi);
  for (unsigned i = 0; i < p->ntransforms; i++) {
    const struct isakmp_transform *t = &msg->transforms[p->first_transform + i];
    size_t tstart = begin_payload(w, i + 1 == p->ntransforms ? ISAKMP_NP_NONE : ISAKMP_NP_T);
    bw_u8(w, t->number);
    bw_u8(w, t->id);
    bw_u16(w, 0);
    for (unsigned j = 0; j < t->nattrs; j++)
      encode_attr(w, &msg->attrs[t->first_attr + j]);
    end_payload(w, tstart);
  }
  end_payload(w, start);
}

static void encode_body(const struct isakmp_msg *msg, const struct isakmp_payload *pl,
                        struct buf_writer *w)
{
  switch (pl->type) {
  case ISAKMP_NP_SA:
    bw_u32(w, pl->u.sa.doi);
    bw_u32(w, pl->u.sa.situation);
    for (unsigned i = 0; i < pl->u.sa.nproposals; i++)
      encode_proposal(msg, &msg->proposals[pl->u.sa.first_proposal + i],
                      i + 1 == pl->u.sa.nproposals, w);
    break;
  case ISAKMP_NP_ID:
    bw_u8(w, pl->u.id.type);
    bw_u8(w, pl->u.id.protocol);
    bw_u16(w, pl->u.id.port);
    bw_slice(w, pl->u.id.data);
    break;
  case ISAKMP_NP_CERT:
  case ISAKMP_NP_CR:
    bw_u8(w, pl->u.cert.encoding);
    bw_slice(w, pl->u.cert.data);
    break;
  case ISAKMP_NP_N:
    bw_u32(w, pl->u.notify.doi);
    bw_u8(w, pl->u.notify.protocol);
    bw_u8(w, (uint8_t)pl->u.notify.spi.len);
    bw_u16(w, pl->u.notify.type);
    bw_slice(w, pl->u.notify.spi);
    bw_slice(w, pl->u.notify.data);
    break;
  case ISAKMP_NP_D:
    bw_u32(w, pl->u.del.doi);
    bw_u8(w, pl->u.del.protocol);
    bw_u8(w, pl->u.del.spi_size);
    bw_u16(w, pl->u.del.nspis);
    bw_slice(w, pl->u.del.spis);
    break;
  case ISAKMP_NP_NATOA:
  case ISAKMP_NP_NATOA_DRAFT:
    bw_u8(w, pl->u.natoa.id_type);
    bw_zeros(w, 3);
    bw_slice(w, pl->u.natoa.addr);
    break;
  default: /* KE, HASH, SIG, NONCE, VID, NAT-D: opaque data */
    bw_slice(w, pl->u.data);
    break;
  }
}

void isakmp_encode_chain(const struct isakmp_msg *msg, struct buf_writer *w)
{
  for (size_t i = 0; i < msg->npayloads; i++) {
    const struct isakmp_payload *pl = &msg->payloads[i];
    uint8_t next = i + 1 < msg->npayloads ? msg->payloads[i + 1].type : ISAKMP_NP_NONE;
    size_t start = begin_payload(w, next);
    encode_body(msg, pl, w);
    end_payload(w, start);
  }
  bw_slice(w, msg->padding);
}

void isakmp_encode_header(const struct isakmp_hdr *hdr, size_t body_len, struct buf_writer *w)
{
  bw_bytes(w, hdr->icookie, sizeof hdr->icookie);
  bw_bytes(w, hdr->rcookie, sizeof hdr->rcookie);
  bw_u8(w, hdr->next_payload);
  bw_u8(w, (uint8_t)((hdr->major << 4) | (hdr->minor & 0x0f)));
  bw_u8(w, hdr->exchange);
  bw_u8(w, hdr->flags);
  bw_u32(w, hdr->msgid);
  size_t len_pos = bw_reserve32(w);
  bw_patch32(w, len_pos, ISAKMP_HDR_LEN + body_len);
}

size_t isakmp_encode(const struct isakmp_msg *msg, uint8_t *out, size_t cap)
{
  struct buf_writer w;
  struct isakmp_hdr hdr = msg->hdr;
  bw_init(&w, out, cap);
  bool opaque = (hdr.flags & ISAKMP_FLAG_E) && msg->encrypted.len > 0;
  if (!opaque)
    hdr.next_payload = msg->npayloads ? msg->payloads[0].type : ISAKMP_NP_NONE;
  size_t hdr_pos = bw_pos(&w);
  isakmp_encode_header(&hdr, 0, &w);
  if (opaque)
    bw_slice(&w, msg->encrypted);
  else
    isakmp_encode_chain(msg, &w);
  bw_patch32(&w, hdr_pos + 24, bw_pos(&w) - hdr_pos);
  return bw_ok(&w) ? bw_pos(&w) : 0;
}
