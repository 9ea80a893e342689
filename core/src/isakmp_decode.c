/* Strict ISAKMP decoder. Each structure is first bounded (a sub-reader of
 * exactly its own length) and then interpreted; every refusal names the
 * RFC 2408 notify type it deserves, the field, its value and its offset. */
#include "ikelab/isakmp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NONCE_MIN 8   /* RFC 2409 §5: nonces are 8 to 256 bytes */
#define NONCE_MAX 256

__attribute__((format(printf, 6, 7))) static bool
fail(struct isakmp_error *err, uint16_t notify, const char *field, uint32_t value,
     size_t offset, const char *fmt, ...)
{
  if (!err)
    return false;
  err->notify = notify;
  err->field = field;
  err->value = value;
  err->offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->text, sizeof err->text, fmt, ap);
  va_end(ap);
  return false;
}

#define TOO_SHORT(err, what, need, have, off)                                              \
  fail(err, ISAKMP_N_PAYLOAD_MALFORMED, what, (uint32_t)(have), off,                       \
       "%s too short: %zu bytes, need %zu", what, (size_t)(have), (size_t)(need))

void isakmp_msg_reset(struct isakmp_msg *msg)
{
  memset(&msg->hdr, 0, sizeof msg->hdr);
  msg->encrypted = slice_of(NULL, 0);
  msg->padding = slice_of(NULL, 0);
  msg->npayloads = msg->nproposals = msg->ntransforms = msg->nattrs = 0;
}

/* ---- header (RFC 2408 §5.2) ---- */

static bool phase1_exchange(uint8_t x)
{
  return x == ISAKMP_XCHG_BASE || x == ISAKMP_XCHG_IDPROT || x == ISAKMP_XCHG_AUTH_ONLY ||
         x == ISAKMP_XCHG_AGGRESSIVE;
}

static bool top_level_type(uint8_t t)
{
  return isakmp_payload_type_known(t) && t != ISAKMP_NP_P && t != ISAKMP_NP_T;
}

static bool decode_header(struct buf_reader *r, struct isakmp_hdr *h, size_t datagram,
                          struct isakmp_error *err)
{
  uint8_t version;
  if (br_left(r) < ISAKMP_HDR_LEN)
    return TOO_SHORT(err, "header", ISAKMP_HDR_LEN, br_left(r), 0);
  br_copy(r, h->icookie, sizeof h->icookie);
  br_copy(r, h->rcookie, sizeof h->rcookie);
  br_u8(r, &h->next_payload);
  br_u8(r, &version);
  br_u8(r, &h->exchange);
  br_u8(r, &h->flags);
  br_u32(r, &h->msgid);
  br_u32(r, &h->length);
  h->major = version >> 4;
  h->minor = version & 0x0f;

  if (slice_is_zero(slice_of(h->icookie, sizeof h->icookie)))
    return fail(err, ISAKMP_N_INVALID_COOKIE, "header.initiator_cookie", 0, 0,
                "initiator cookie is zero");
  if (!top_level_type(h->next_payload))
    return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE, "header.next_payload", h->next_payload,
                16, "header next payload %u is not a message payload type", h->next_payload);
  if (h->major != 1)
    return fail(err, ISAKMP_N_INVALID_MAJOR_VERSION, "header.major_version", h->major, 17,
                "major version %u (expected 1)", h->major);
  if (h->minor != 0)
    return fail(err, ISAKMP_N_INVALID_MINOR_VERSION, "header.minor_version", h->minor, 17,
                "minor version %u (expected 0)", h->minor);
  if (!isakmp_exchange_type_known(h->exchange))
    return fail(err, ISAKMP_N_INVALID_EXCHANGE_TYPE, "header.exchange_type", h->exchange, 18,
                "exchange type %u is not defined", h->exchange);
  if (h->flags & ~(ISAKMP_FLAG_E | ISAKMP_FLAG_C | ISAKMP_FLAG_A))
    return fail(err, ISAKMP_N_INVALID_FLAGS, "header.flags", h->flags, 19,
                "flags 0x%02x set undefined bits (allowed 0x07)", h->flags);
  if (phase1_exchange(h->exchange) && h->msgid != 0)
    return fail(err, ISAKMP_N_INVALID_MESSAGE_ID, "header.message_id", h->msgid, 20,
                "message ID 0x%08x in a Phase 1 exchange (expected 0)", h->msgid);
  if (!phase1_exchange(h->exchange) && h->exchange != ISAKMP_XCHG_INFO && h->msgid == 0)
    return fail(err, ISAKMP_N_INVALID_MESSAGE_ID, "header.message_id", 0, 20,
                "message ID 0 in a %s exchange (expected non-zero)",
                isakmp_name_or_unknown(&isakmp_exchange_names, h->exchange));
  if (h->length != datagram)
    return fail(err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length", h->length, 24,
                "header length %u but datagram is %zu bytes", h->length, datagram);
  return true;
}

/* ---- generic payload header (RFC 2408 §5.3) ---- */

struct generic {
  uint8_t next;
  uint16_t length;
  size_t offset;
};

/* Reads a generic header and bounds the payload body. min_len includes the
 * 4-byte generic header. */
static bool read_generic(struct buf_reader *r, const char *what, size_t min_len,
                         struct generic *g, struct buf_reader *body, struct isakmp_error *err)
{
  uint8_t reserved;
  g->offset = br_offset(r);
  if (br_left(r) < ISAKMP_GENERIC_LEN)
    return TOO_SHORT(err, what, ISAKMP_GENERIC_LEN, br_left(r), g->offset);
  br_u8(r, &g->next);
  br_u8(r, &reserved);
  br_u16(r, &g->length);
  if (reserved != 0)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "payload.reserved", reserved, g->offset + 1,
                "%s RESERVED is 0x%02x (must be zero)", what, reserved);
  if (g->length < min_len)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "payload.length", g->length, g->offset + 2,
                "%s length %u below its minimum %zu", what, g->length, min_len);
  if (!br_sub(r, g->length - ISAKMP_GENERIC_LEN, body))
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "payload.length", g->length, g->offset + 2,
                "%s length %u exceeds the %zu bytes left", what, g->length,
                br_left(r) + ISAKMP_GENERIC_LEN);
  return true;
}

/* ---- SA, proposal, transform, attributes (RFC 2408 §3.4-3.6, §5.4-5.5) ---- */

static bool spi_size_valid(uint8_t protocol, size_t size, bool allow_zero)
{
  if (size == 0)
    return allow_zero;
  switch (protocol) {
  case 0:
  case ISAKMP_PROTO_ISAKMP:
    return size == 16;
  case ISAKMP_PROTO_AH:
  case ISAKMP_PROTO_ESP:
    return size == 4;
  case ISAKMP_PROTO_IPCOMP:
    return size == 2 || size == 4;
  default:
    return false;
  }
}

static bool decode_attrs(struct isakmp_msg *msg, uint8_t protocol, struct buf_reader *r,
                         struct isakmp_transform *t, struct isakmp_error *err)
{
  t->first_attr = (uint16_t)msg->nattrs;
  t->nattrs = 0;
  while (br_left(r) > 0) {
    size_t off = br_offset(r);
    uint16_t af_type, word;
    if (!br_u16(r, &af_type) || !br_u16(r, &word))
      return TOO_SHORT(err, "attribute", 4, br_left(r), off);
    if (msg->nattrs == ISAKMP_MAX_ATTRS)
      return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "attribute", ISAKMP_MAX_ATTRS, off,
                  "more than %d attributes in one message", ISAKMP_MAX_ATTRS);
    struct isakmp_attr *a = &msg->attrs[msg->nattrs];
    a->type = af_type & 0x7fff;
    a->tv = (af_type & ISAKMP_ATTR_AF) != 0;
    a->tv_value = 0;
    a->value = slice_of(NULL, 0);
    if (a->type == 0)
      return fail(err, ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "attribute.type", 0, off,
                  "attribute type 0 is reserved");
    if (a->tv) {
      a->tv_value = word;
    } else {
      if (isakmp_attr_basic_only(protocol, a->type))
        return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "attribute.format", a->type, off,
                    "attribute %s is basic-only but sent as TLV",
                    isakmp_name_or_unknown(isakmp_attr_names_for(protocol), a->type));
      if (!br_slice(r, word, &a->value))
        return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "attribute.length", word, off + 2,
                    "attribute length %u exceeds the %zu bytes left in its transform", word,
                    br_left(r));
    }
    msg->nattrs++;
    t->nattrs++;
  }
  return true;
}

static bool decode_transform(struct isakmp_msg *msg, uint8_t protocol, struct buf_reader *r,
                             size_t offset, struct isakmp_error *err)
{
  uint16_t reserved2;
  if (msg->ntransforms == ISAKMP_MAX_TRANSFORMS)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "transform", ISAKMP_MAX_TRANSFORMS, offset,
                "more than %d transforms in one message", ISAKMP_MAX_TRANSFORMS);
  struct isakmp_transform *t = &msg->transforms[msg->ntransforms++];
  t->offset = offset;
  br_u8(r, &t->number);
  br_u8(r, &t->id);
  br_u16(r, &reserved2);
  if (reserved2 != 0)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "transform.reserved2", reserved2, offset + 6,
                "transform #%u RESERVED2 is 0x%04x (must be zero)", t->number, reserved2);
  bool id_ok = protocol == ISAKMP_PROTO_ISAKMP ? t->id == ISAKMP_TRANSFORM_KEY_IKE : t->id != 0;
  if (!id_ok)
    return fail(err, ISAKMP_N_INVALID_TRANSFORM_ID, "transform.id", t->id, offset + 5,
                "transform #%u ID %u is not valid for %s", t->number, t->id,
                isakmp_name_or_unknown(&isakmp_protocol_names, protocol));
  return decode_attrs(msg, protocol, r, t, err);
}

static bool decode_transforms(struct isakmp_msg *msg, struct isakmp_proposal *p,
                              uint8_t declared, struct buf_reader *r, struct isakmp_error *err)
{
  p->first_transform = (uint16_t)msg->ntransforms;
  p->ntransforms = 0;
  uint8_t next = ISAKMP_NP_T;
  while (next == ISAKMP_NP_T) {
    struct generic g;
    struct buf_reader body;
    if (p->ntransforms == declared)
      return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms", declared,
                  p->offset + 7, "proposal #%u declares %u transforms but has more",
                  p->number, declared);
    if (!read_generic(r, "transform", 8, &g, &body, err))
      return false;
    if (g.next != ISAKMP_NP_NONE && g.next != ISAKMP_NP_T)
      return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "transform.next_payload", g.next,
                  g.offset, "transform next payload %u (expected 0 or 3)", g.next);
    if (!decode_transform(msg, p->protocol, &body, g.offset, err))
      return false;
    p->ntransforms++;
    next = g.next;
  }
  if (p->ntransforms != declared)
    return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms", declared,
                p->offset + 7, "proposal #%u declares %u transforms but has %u", p->number,
                declared, p->ntransforms);
  if (br_left(r) != 0)
    return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.length", (uint32_t)br_left(r),
                br_offset(r), "%zu bytes after the last transform of proposal #%u",
                br_left(r), p->number);
  return true;
}

static bool decode_proposal(struct isakmp_msg *msg, struct buf_reader *r, size_t offset,
                            uint8_t min_number, struct isakmp_error *err)
{
  uint8_t spi_size, ntransforms;
  if (msg->nproposals == ISAKMP_MAX_PROPOSALS)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "proposal", ISAKMP_MAX_PROPOSALS, offset,
                "more than %d proposals in one message", ISAKMP_MAX_PROPOSALS);
  struct isakmp_proposal *p = &msg->proposals[msg->nproposals++];
  p->offset = offset;
  br_u8(r, &p->number);
  br_u8(r, &p->protocol);
  br_u8(r, &spi_size);
  br_u8(r, &ntransforms);
  if (p->number < min_number)
    return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.number", p->number, offset + 4,
                "proposal #%u follows proposal #%u (numbers must not decrease)", p->number,
                min_number);
  if (!isakmp_transform_names_for(p->protocol))
    return fail(err, ISAKMP_N_INVALID_PROTOCOL_ID, "proposal.protocol_id", p->protocol,
                offset + 5, "proposal #%u protocol ID %u is not defined", p->number,
                p->protocol);
  if (!spi_size_valid(p->protocol, spi_size, p->protocol == ISAKMP_PROTO_ISAKMP))
    return fail(err, ISAKMP_N_INVALID_SPI, "proposal.spi_size", spi_size, offset + 6,
                "proposal #%u SPI size %u is not valid for %s", p->number, spi_size,
                isakmp_name_or_unknown(&isakmp_protocol_names, p->protocol));
  if (!br_slice(r, spi_size, &p->spi))
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "proposal.spi_size", spi_size, offset + 6,
                "proposal #%u SPI size %u exceeds its payload", p->number, spi_size);
  if (ntransforms == 0)
    return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.num_transforms", 0, offset + 7,
                "proposal #%u has no transform", p->number);
  return decode_transforms(msg, p, ntransforms, r, err);
}

static bool decode_sa(struct isakmp_msg *msg, struct isakmp_payload *pl, struct buf_reader *r,
                      struct isakmp_error *err)
{
  struct isakmp_sa *sa = &pl->u.sa;
  size_t off = br_offset(r);
  if (!br_u32(r, &sa->doi) || !br_u32(r, &sa->situation))
    return TOO_SHORT(err, "SA payload", 12, br_left(r) + ISAKMP_GENERIC_LEN, pl->offset);
  if (sa->doi != ISAKMP_DOI_IPSEC)
    return fail(err, ISAKMP_N_DOI_NOT_SUPPORTED, "sa.doi", sa->doi, off,
                "SA DOI %u is not supported (IPsec DOI is 1)", sa->doi);
  if (sa->situation != ISAKMP_SIT_IDENTITY_ONLY)
    return fail(err, ISAKMP_N_SITUATION_NOT_SUPPORTED, "sa.situation", sa->situation, off + 4,
                "SA situation 0x%08x is not supported (only SIT_IDENTITY_ONLY)",
                sa->situation);
  sa->first_proposal = (uint16_t)msg->nproposals;
  sa->nproposals = 0;
  if (br_left(r) == 0)
    return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "sa.proposals", 0, br_offset(r),
                "SA payload has no proposal");
  uint8_t next = ISAKMP_NP_P, min_number = 0;
  while (next == ISAKMP_NP_P) {
    struct generic g;
    struct buf_reader body;
    if (!read_generic(r, "proposal", 8, &g, &body, err))
      return false;
    if (g.next != ISAKMP_NP_NONE && g.next != ISAKMP_NP_P)
      return fail(err, ISAKMP_N_BAD_PROPOSAL_SYNTAX, "proposal.next_payload", g.next,
                  g.offset, "proposal next payload %u (expected 0 or 2)", g.next);
    if (!decode_proposal(msg, &body, g.offset, min_number, err))
      return false;
    min_number = msg->proposals[msg->nproposals - 1].number;
    sa->nproposals++;
    next = g.next;
  }
  if (br_left(r) != 0)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "sa.length", (uint32_t)br_left(r),
                br_offset(r), "%zu bytes after the last proposal of the SA payload",
                br_left(r));
  return true;
}

/* ---- the other payloads (RFC 2408 §3.7-3.15, RFC 2407 §4.6, RFC 3947) ---- */

static bool decode_nonempty(struct isakmp_payload *pl, struct buf_reader *r, uint16_t notify,
                            struct isakmp_error *err)
{
  pl->u.data = br_rest(r);
  if (pl->u.data.len == 0)
    return fail(err, notify, "payload.length", ISAKMP_GENERIC_LEN, pl->offset + 2,
                "%s payload is empty",
                isakmp_name_or_unknown(&isakmp_payload_names, pl->type));
  return true;
}

static bool id_length_ok(uint8_t type, size_t len)
{
  switch (type) {
  case ISAKMP_ID_IPV4_ADDR:
    return len == 4;
  case ISAKMP_ID_IPV4_ADDR_SUBNET:
  case ISAKMP_ID_IPV4_ADDR_RANGE:
    return len == 8;
  case ISAKMP_ID_IPV6_ADDR:
    return len == 16;
  case ISAKMP_ID_IPV6_ADDR_SUBNET:
  case ISAKMP_ID_IPV6_ADDR_RANGE:
    return len == 32;
  default:
    return len > 0;
  }
}

static bool decode_id(struct isakmp_payload *pl, struct buf_reader *r, struct isakmp_error *err)
{
  struct isakmp_id *id = &pl->u.id;
  size_t off = br_offset(r);
  if (!br_u8(r, &id->type) || !br_u8(r, &id->protocol) || !br_u16(r, &id->port))
    return TOO_SHORT(err, "ID payload", 8, br_left(r) + ISAKMP_GENERIC_LEN, pl->offset);
  id->data = br_rest(r);
  if (!isakmp_name_of(&isakmp_id_names, id->type))
    return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "id.type", id->type, off,
                "ID type %u is not defined", id->type);
  if (!id_length_ok(id->type, id->data.len))
    return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "id.data", (uint32_t)id->data.len,
                off + 4, "%s with %zu bytes of identification data",
                isakmp_name_of(&isakmp_id_names, id->type), id->data.len);
  return true;
}

static bool decode_cert(struct isakmp_payload *pl, struct buf_reader *r, bool request,
                        struct isakmp_error *err)
{
  struct isakmp_cert *c = &pl->u.cert;
  size_t off = br_offset(r);
  if (!br_u8(r, &c->encoding))
    return TOO_SHORT(err, request ? "CR payload" : "CERT payload", 5, ISAKMP_GENERIC_LEN,
                     pl->offset);
  c->data = br_rest(r);
  if (!isakmp_name_of(&isakmp_cert_names, c->encoding))
    return fail(err, request ? ISAKMP_N_CERT_TYPE_UNSUPPORTED : ISAKMP_N_INVALID_CERT_ENCODING,
                request ? "cr.type" : "cert.encoding", c->encoding, off,
                "certificate %s %u is not defined", request ? "type" : "encoding",
                c->encoding);
  if (!request && c->data.len == 0)
    return fail(err, ISAKMP_N_INVALID_CERTIFICATE, "cert.data", 0, off + 1,
                "CERT payload carries no certificate");
  return true;
}

static bool decode_nonce(struct isakmp_payload *pl, struct buf_reader *r,
                         struct isakmp_error *err)
{
  pl->u.data = br_rest(r);
  if (pl->u.data.len < NONCE_MIN || pl->u.data.len > NONCE_MAX)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "nonce.length", (uint32_t)pl->u.data.len,
                pl->offset + 2, "nonce of %zu bytes (must be %d to %d)", pl->u.data.len,
                NONCE_MIN, NONCE_MAX);
  return true;
}

static bool doi_ok(uint32_t doi)
{
  return doi == ISAKMP_DOI_ISAKMP || doi == ISAKMP_DOI_IPSEC;
}

#ifdef IKELAB_PLANTED_BUG
/* PLANTED BUG, compiled only with -DIKELAB_PLANTED_BUG=ON (refused in
 * Release builds) and linked only into the fuzz targets and their
 * reproducers, for the tests of ikelab-triage: the R-U-THERE sequence
 * number (RFC 3706) is copied out of the notification data with the data's
 * length, bypassing the reader. A R-U-THERE with more than four data bytes
 * writes past a four-byte stack array (a stack-buffer-overflow WRITE under
 * ASan); a well-formed one, or any other notification, is untouched. */
volatile uint32_t ikelab_planted_sink;

static void planted_dpd_sequence(struct buf_slice data)
{
  uint8_t seq[4] = {0};
  memcpy(seq, data.ptr, data.len);
  ikelab_planted_sink = (uint32_t)seq[0] << 24 | (uint32_t)seq[1] << 16 | (uint32_t)seq[2] << 8 | seq[3];
}
#endif

static bool decode_notify(struct isakmp_payload *pl, struct buf_reader *r,
                          struct isakmp_error *err)
{
  struct isakmp_notify *n = &pl->u.notify;
  size_t off = br_offset(r);
  uint8_t spi_size;
  if (!br_u32(r, &n->doi) || !br_u8(r, &n->protocol) || !br_u8(r, &spi_size) ||
      !br_u16(r, &n->type))
    return TOO_SHORT(err, "notification payload", 12, br_left(r) + ISAKMP_GENERIC_LEN,
                     pl->offset);
  if (!doi_ok(n->doi))
    return fail(err, ISAKMP_N_DOI_NOT_SUPPORTED, "notify.doi", n->doi, off,
                "notification DOI %u is not supported", n->doi);
  if (n->protocol > ISAKMP_PROTO_IPCOMP)
    return fail(err, ISAKMP_N_INVALID_PROTOCOL_ID, "notify.protocol_id", n->protocol, off + 4,
                "notification protocol ID %u is not defined", n->protocol);
  if (!spi_size_valid(n->protocol, spi_size, true))
    return fail(err, ISAKMP_N_INVALID_SPI, "notify.spi_size", spi_size, off + 5,
                "notification SPI size %u is not valid for protocol %u", spi_size,
                n->protocol);
  if (n->type == 0)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "notify.type", 0, off + 6,
                "notify message type 0 is reserved");
  if (!br_slice(r, spi_size, &n->spi))
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "notify.spi_size", spi_size, off + 5,
                "notification SPI size %u exceeds its payload", spi_size);
  n->data = br_rest(r);
#ifdef IKELAB_PLANTED_BUG
  if (n->type == ISAKMP_N_R_U_THERE && n->data.len > 0)
    planted_dpd_sequence(n->data);
#endif
  return true;
}

static bool decode_delete(struct isakmp_payload *pl, struct buf_reader *r,
                          struct isakmp_error *err)
{
  struct isakmp_delete *d = &pl->u.del;
  size_t off = br_offset(r);
  if (!br_u32(r, &d->doi) || !br_u8(r, &d->protocol) || !br_u8(r, &d->spi_size) ||
      !br_u16(r, &d->nspis))
    return TOO_SHORT(err, "delete payload", 12, br_left(r) + ISAKMP_GENERIC_LEN, pl->offset);
  if (!doi_ok(d->doi))
    return fail(err, ISAKMP_N_DOI_NOT_SUPPORTED, "delete.doi", d->doi, off,
                "delete DOI %u is not supported", d->doi);
  if (d->protocol == 0 || d->protocol > ISAKMP_PROTO_IPCOMP)
    return fail(err, ISAKMP_N_INVALID_PROTOCOL_ID, "delete.protocol_id", d->protocol, off + 4,
                "delete protocol ID %u is not defined", d->protocol);
  if (!spi_size_valid(d->protocol, d->spi_size, false))
    return fail(err, ISAKMP_N_INVALID_SPI, "delete.spi_size", d->spi_size, off + 5,
                "delete SPI size %u is not valid for %s", d->spi_size,
                isakmp_name_or_unknown(&isakmp_protocol_names, d->protocol));
  if (d->nspis == 0)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "delete.num_spis", 0, off + 6,
                "delete payload lists no SPI");
  d->spis = br_rest(r);
  if (d->spis.len != (size_t)d->nspis * d->spi_size)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "delete.num_spis", d->nspis, off + 6,
                "delete payload declares %u SPIs of %u bytes but carries %zu bytes",
                d->nspis, d->spi_size, d->spis.len);
  return true;
}

static bool decode_natoa(struct isakmp_payload *pl, struct buf_reader *r,
                         struct isakmp_error *err)
{
  struct isakmp_natoa *oa = &pl->u.natoa;
  size_t off = br_offset(r);
  uint8_t reserved[3];
  if (!br_u8(r, &oa->id_type) || !br_copy(r, reserved, sizeof reserved))
    return TOO_SHORT(err, "NAT-OA payload", 8, br_left(r) + ISAKMP_GENERIC_LEN, pl->offset);
  if (!slice_is_zero(slice_of(reserved, sizeof reserved)))
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "natoa.reserved", 0, off + 1,
                "NAT-OA RESERVED is not zero");
  oa->addr = br_rest(r);
  size_t want = oa->id_type == ISAKMP_ID_IPV4_ADDR ? 4 : oa->id_type == ISAKMP_ID_IPV6_ADDR ? 16 : 0;
  if (want == 0)
    return fail(err, ISAKMP_N_INVALID_ID_INFORMATION, "natoa.id_type", oa->id_type, off,
                "NAT-OA ID type %u (expected ID_IPV4_ADDR or ID_IPV6_ADDR)", oa->id_type);
  if (oa->addr.len != want)
    return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "natoa.address", (uint32_t)oa->addr.len,
                off + 4, "NAT-OA address of %zu bytes (expected %zu)", oa->addr.len, want);
  return true;
}

static bool decode_body(struct isakmp_msg *msg, struct isakmp_payload *pl,
                        struct buf_reader *r, struct isakmp_error *err)
{
  switch (pl->type) {
  case ISAKMP_NP_SA:
    return decode_sa(msg, pl, r, err);
  case ISAKMP_NP_KE:
    return decode_nonempty(pl, r, ISAKMP_N_INVALID_KEY_INFORMATION, err);
  case ISAKMP_NP_ID:
    return decode_id(pl, r, err);
  case ISAKMP_NP_CERT:
    return decode_cert(pl, r, false, err);
  case ISAKMP_NP_CR:
    return decode_cert(pl, r, true, err);
  case ISAKMP_NP_HASH:
    return decode_nonempty(pl, r, ISAKMP_N_INVALID_HASH_INFORMATION, err);
  case ISAKMP_NP_SIG:
    return decode_nonempty(pl, r, ISAKMP_N_INVALID_SIGNATURE, err);
  case ISAKMP_NP_NONCE:
    return decode_nonce(pl, r, err);
  case ISAKMP_NP_N:
    return decode_notify(pl, r, err);
  case ISAKMP_NP_D:
    return decode_delete(pl, r, err);
  case ISAKMP_NP_VID:
  case ISAKMP_NP_NATD:
  case ISAKMP_NP_NATD_DRAFT:
    return decode_nonempty(pl, r, ISAKMP_N_PAYLOAD_MALFORMED, err);
  case ISAKMP_NP_NATOA:
  case ISAKMP_NP_NATOA_DRAFT:
    return decode_natoa(pl, r, err);
  default: /* read_chain admits only the types above */
    return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE, "payload.type", pl->type, pl->offset,
                "payload type %u is not a message payload type", pl->type);
  }
}

/* ---- the chain ---- */

bool isakmp_decode_chain(struct isakmp_msg *msg, uint8_t first_type, struct buf_slice body,
                         size_t base_offset, bool allow_padding, struct isakmp_error *err)
{
  struct buf_reader r;
  br_from_slice(&r, body, base_offset);
  uint8_t type = first_type;
  if (!top_level_type(type)) /* the first type is named by the header, at offset 16 */
    return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE, "header.next_payload", type, 16,
                "first payload type %u is not a message payload type", type);
  while (type != ISAKMP_NP_NONE) {
    struct generic g;
    struct buf_reader pbody;
    const char *name = isakmp_payload_name(type);
    if (name == NULL)
      name = "UNKNOWN";
    if (!read_generic(&r, name, ISAKMP_GENERIC_LEN, &g, &pbody, err))
      return false;
    if (g.next != ISAKMP_NP_NONE && !top_level_type(g.next))
      return fail(err, ISAKMP_N_INVALID_PAYLOAD_TYPE, "payload.next_payload", g.next, g.offset,
                  "%s payload's next payload %u is not a message payload type", name, g.next);
    if (msg->npayloads == ISAKMP_MAX_PAYLOADS)
      return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "payload", ISAKMP_MAX_PAYLOADS, g.offset,
                  "more than %d payloads in one message", ISAKMP_MAX_PAYLOADS);
    struct isakmp_payload *pl = &msg->payloads[msg->npayloads++];
    memset(pl, 0, sizeof *pl);
    pl->type = type;
    pl->offset = g.offset;
    if (!decode_body(msg, pl, &pbody, err))
      return false;
    type = g.next;
  }
  msg->padding = br_rest(&r);
  if (msg->padding.len && !allow_padding)
    return fail(err, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "header.length",
                (uint32_t)msg->padding.len, br_offset(&r) - msg->padding.len,
                "%zu bytes after the last payload", msg->padding.len);
  return true;
}

bool isakmp_decode(struct isakmp_msg *msg, const uint8_t *pkt, size_t len,
                   struct isakmp_error *err)
{
  struct buf_reader r;
  isakmp_msg_reset(msg);
  br_init(&r, pkt, len);
  if (!decode_header(&r, &msg->hdr, len, err))
    return false;
  struct buf_slice body = br_rest(&r);
  if (msg->hdr.flags & ISAKMP_FLAG_E) {
    if (body.len == 0)
      return fail(err, ISAKMP_N_PAYLOAD_MALFORMED, "header.length", ISAKMP_HDR_LEN, 24,
                  "encrypted message has no body");
    msg->encrypted = body;
    return true;
  }
  return isakmp_decode_chain(msg, msg->hdr.next_payload, body, ISAKMP_HDR_LEN, false, err);
}
