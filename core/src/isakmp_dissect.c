/* Text dissector. It prints from the typed message only; the packet bytes
 * were all read by the decoder, and slices are read back through buf.c. */
#include "ikelab/isakmp_dissect.h"

#include <inttypes.h>
#include <string.h>

#define HEX_MAX 64 /* bytes shown of a long value; the length is always shown */

static void hex(FILE *out, struct buf_slice s)
{
  size_t n = s.len < HEX_MAX ? s.len : HEX_MAX;
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%02x", slice_byte(s, i));
  if (n < s.len)
    fputs("...", out);
}

static void cookie(FILE *out, const uint8_t c[ISAKMP_COOKIE_LEN])
{
  for (int i = 0; i < ISAKMP_COOKIE_LEN; i++)
    fprintf(out, "%02x", c[i]);
}

static void named(FILE *out, const struct isakmp_names *table, uint32_t v)
{
  const char *name = table ? isakmp_name_of(table, v) : NULL;
  if (name)
    fprintf(out, "%" PRIu32 " (%s)", v, name);
  else
    fprintf(out, "%" PRIu32, v);
}

static void header(const struct isakmp_hdr *h, FILE *out)
{
  fputs("ISAKMP icookie=", out);
  cookie(out, h->icookie);
  fputs(" rcookie=", out);
  cookie(out, h->rcookie);
  fprintf(out, "\n  version=%u.%u exchange=", h->major, h->minor);
  named(out, &isakmp_exchange_names, h->exchange);
  fprintf(out, " flags=0x%02x%s%s%s msgid=0x%08" PRIx32 " length=%" PRIu32 "\n", h->flags,
          h->flags & ISAKMP_FLAG_E ? " E" : "", h->flags & ISAKMP_FLAG_C ? " C" : "",
          h->flags & ISAKMP_FLAG_A ? " A" : "", h->msgid, h->length);
}

static void attribute(const struct isakmp_attr *a, uint8_t protocol, FILE *out)
{
  fputs("        attr ", out);
  named(out, isakmp_attr_names_for(protocol), a->type);
  if (a->tv) {
    fputs(" = ", out);
    named(out, isakmp_attr_value_names(protocol, a->type), a->tv_value);
  } else {
    uint64_t v;
    fprintf(out, " (TLV, %zu bytes) = ", a->value.len);
    if (isakmp_attr_uint(a, &v))
      fprintf(out, "%" PRIu64, v);
    else
      hex(out, a->value);
  }
  fputc('\n', out);
}

static void sa(const struct isakmp_msg *msg, const struct isakmp_sa *s, FILE *out)
{
  fputs("  doi=", out);
  named(out, &isakmp_doi_names, s->doi);
  fputs(" situation=", out);
  named(out, &isakmp_situation_names, s->situation);
  fputc('\n', out);
  for (unsigned i = 0; i < s->nproposals; i++) {
    const struct isakmp_proposal *p = &msg->proposals[s->first_proposal + i];
    fprintf(out, "    PROPOSAL #%u protocol=", p->number);
    named(out, &isakmp_protocol_names, p->protocol);
    fprintf(out, " spi(%zu)=", p->spi.len);
    hex(out, p->spi);
    fprintf(out, " transforms=%u\n", p->ntransforms);
    for (unsigned j = 0; j < p->ntransforms; j++) {
      const struct isakmp_transform *t = &msg->transforms[p->first_transform + j];
      fprintf(out, "      TRANSFORM #%u id=", t->number);
      named(out, isakmp_transform_names_for(p->protocol), t->id);
      fputc('\n', out);
      for (unsigned k = 0; k < t->nattrs; k++)
        attribute(&msg->attrs[t->first_attr + k], p->protocol, out);
    }
  }
}

/* IPv4 and IPv6 addresses in ID payloads print as addresses; names as text. */
static void id_data(const struct isakmp_id *id, FILE *out)
{
  struct buf_slice d = id->data;
  switch (id->type) {
  case ISAKMP_ID_IPV4_ADDR:
  case ISAKMP_ID_IPV4_ADDR_SUBNET:
  case ISAKMP_ID_IPV4_ADDR_RANGE:
    for (size_t i = 0; i < d.len; i++)
      fprintf(out, "%u%s", slice_byte(d, i), i + 1 == d.len ? "" : (i % 4 == 3 ? "/" : "."));
    return;
  case ISAKMP_ID_FQDN:
  case ISAKMP_ID_USER_FQDN:
    fputc('"', out);
    for (size_t i = 0; i < d.len; i++) {
      uint8_t c = slice_byte(d, i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
        fputc(c, out);
      else
        fprintf(out, "\\x%02x", c);
    }
    fputc('"', out);
    return;
  default:
    hex(out, d);
  }
}

static void payload(const struct isakmp_msg *msg, const struct isakmp_payload *pl, FILE *out)
{
  fputs("  ", out);
  named(out, &isakmp_payload_names, pl->type);
  fprintf(out, " @%zu", pl->offset);
  switch (pl->type) {
  case ISAKMP_NP_SA:
    fputc('\n', out);
    sa(msg, &pl->u.sa, out);
    return;
  case ISAKMP_NP_ID:
    fputs(" type=", out);
    named(out, &isakmp_id_names, pl->u.id.type);
    fprintf(out, " protocol=%u port=%u data=", pl->u.id.protocol, pl->u.id.port);
    id_data(&pl->u.id, out);
    break;
  case ISAKMP_NP_CERT:
  case ISAKMP_NP_CR:
    fputs(" encoding=", out);
    named(out, &isakmp_cert_names, pl->u.cert.encoding);
    fprintf(out, " data(%zu)=", pl->u.cert.data.len);
    hex(out, pl->u.cert.data);
    break;
  case ISAKMP_NP_N:
    fputs(" doi=", out);
    named(out, &isakmp_doi_names, pl->u.notify.doi);
    fputs(" protocol=", out);
    named(out, &isakmp_protocol_names, pl->u.notify.protocol);
    fputs(" type=", out);
    named(out, &isakmp_notify_names, pl->u.notify.type);
    fprintf(out, " spi(%zu)=", pl->u.notify.spi.len);
    hex(out, pl->u.notify.spi);
    fprintf(out, " data(%zu)=", pl->u.notify.data.len);
    hex(out, pl->u.notify.data);
    break;
  case ISAKMP_NP_D:
    fputs(" doi=", out);
    named(out, &isakmp_doi_names, pl->u.del.doi);
    fputs(" protocol=", out);
    named(out, &isakmp_protocol_names, pl->u.del.protocol);
    fprintf(out, " spi_size=%u nspis=%u spis=", pl->u.del.spi_size, pl->u.del.nspis);
    hex(out, pl->u.del.spis);
    break;
  case ISAKMP_NP_NATOA:
  case ISAKMP_NP_NATOA_DRAFT:
    fputs(" id_type=", out);
    named(out, &isakmp_id_names, pl->u.natoa.id_type);
    fputs(" addr=", out);
    hex(out, pl->u.natoa.addr);
    break;
  case ISAKMP_NP_VID: {
    const char *vendor = isakmp_vendor_name(pl->u.data);
    fprintf(out, " (%zu)=", pl->u.data.len);
    hex(out, pl->u.data);
    if (vendor)
      fprintf(out, " [%s]", vendor);
    break;
  }
  default: /* KE, HASH, SIG, NONCE, NAT-D */
    fprintf(out, " (%zu)=", pl->u.data.len);
    hex(out, pl->u.data);
  }
  fputc('\n', out);
}

void isakmp_dissect(const struct isakmp_msg *msg, FILE *out)
{
  header(&msg->hdr, out);
  if (msg->encrypted.len) {
    fputs("  first payload=", out);
    named(out, &isakmp_payload_names, msg->hdr.next_payload);
    fprintf(out, " encrypted body (%zu bytes)=", msg->encrypted.len);
    hex(out, msg->encrypted);
    fputc('\n', out);
    return;
  }
  for (size_t i = 0; i < msg->npayloads; i++)
    payload(msg, &msg->payloads[i], out);
  if (msg->padding.len) {
    fprintf(out, "  padding (%zu)=", msg->padding.len);
    hex(out, msg->padding);
    fputc('\n', out);
  }
}

void isakmp_error_format(const struct isakmp_error *err, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s at offset %zu (%s=%" PRIu32 "): %s",
           isakmp_name_or_unknown(&isakmp_notify_names, err->notify), err->offset,
           err->field ? err->field : "?", err->value, err->text);
}

bool isakmp_dissect_packet(const uint8_t *pkt, size_t len, FILE *out)
{
  /* The message is large (its pools); keep it off the stack. */
  static _Thread_local struct isakmp_msg msg;
  struct isakmp_error err;
  if (!isakmp_decode(&msg, pkt, len, &err)) {
    char line[320];
    isakmp_error_format(&err, line, sizeof line);
    fprintf(out, "REJECT %s\n", line);
    return false;
  }
  isakmp_dissect(&msg, out);
  return true;
}
