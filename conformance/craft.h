/* Crafted ISAKMP datagrams: malformed and duplicate-cookie packets that real
 * peers never send.
 *
 * craft_build() encodes a well-formed struct isakmp_msg with the codec's own
 * encoder, decodes the result again to learn where every payload, proposal
 * and transform sits, and then patches the requested fields in the bytes.
 * Fields are located by the codec, never by offsets a case guesses, so a
 * case keeps working when a message grows a payload.
 *
 * Counting: a payload index is its position in the top-level chain (0 is
 * the first payload after the header); a proposal, transform or attribute
 * index counts them in datagram order across the whole message (transform 3
 * is the fourth transform on the wire, whatever proposal holds it). */
#ifndef IKELAB_CRAFT_H
#define IKELAB_CRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/isakmp.h"

/* Each field is written big-endian at its RFC 2408 width (shown after it). */
enum craft_field {
  /* Header (RFC 2408 §3.1); index is ignored. */
  CRAFT_HDR_ICOOKIE,      /* 8 bytes from .bytes, or zeros when .bytes is NULL */
  CRAFT_HDR_RCOOKIE,      /* 8 bytes from .bytes, or zeros when .bytes is NULL */
  CRAFT_HDR_NEXT,         /* 8 */
  CRAFT_HDR_VERSION,      /* 8: the whole major/minor byte, e.g. 0x10 */
  CRAFT_HDR_EXCHANGE,     /* 8 */
  CRAFT_HDR_FLAGS,        /* 8 */
  CRAFT_HDR_MSGID,        /* 32 */
  CRAFT_HDR_LENGTH,       /* 32 */
  /* Generic payload header (§3.2) of payload `index`. */
  CRAFT_PL_NEXT,          /* 8 */
  CRAFT_PL_RESERVED,      /* 8 */
  CRAFT_PL_LENGTH,        /* 16 */
  /* SA payload `index` (§3.4). */
  CRAFT_SA_DOI,           /* 32 */
  CRAFT_SA_SITUATION,     /* 32 */
  /* Proposal `index` (§3.5). */
  CRAFT_PROP_NEXT,        /* 8 */
  CRAFT_PROP_RESERVED,    /* 8 */
  CRAFT_PROP_LENGTH,      /* 16 */
  CRAFT_PROP_NUMBER,      /* 8 */
  CRAFT_PROP_PROTOCOL,    /* 8 */
  CRAFT_PROP_SPI_SIZE,    /* 8 */
  CRAFT_PROP_NTRANSFORMS, /* 8 */
  /* Transform `index` (§3.6). */
  CRAFT_XFORM_NEXT,       /* 8 */
  CRAFT_XFORM_RESERVED,   /* 8 */
  CRAFT_XFORM_LENGTH,     /* 16 */
  CRAFT_XFORM_NUMBER,     /* 8 */
  CRAFT_XFORM_ID,         /* 8 */
  CRAFT_XFORM_RESERVED2,  /* 16 */
  /* Data attribute `index` (§3.3). */
  CRAFT_ATTR_TYPE,        /* 16: the word on the wire, AF bit included (0x8001 is
                             a TV attribute of type 1; 0x0001 makes it TLV) */
  CRAFT_ATTR_VALUE,       /* 16: a TV attribute's value or a TLV one's length */
  /* ID payload `index` (RFC 2407 §4.6.2). */
  CRAFT_ID_TYPE,          /* 8 */
  /* Notification payload `index` (§3.14). */
  CRAFT_NOTIFY_DOI,       /* 32 */
  CRAFT_NOTIFY_PROTOCOL,  /* 8 */
  CRAFT_NOTIFY_SPI_SIZE,  /* 8 */
  CRAFT_NOTIFY_TYPE,      /* 16 */
  /* Delete payload `index` (§3.15). */
  CRAFT_DELETE_DOI,       /* 32 */
  CRAFT_DELETE_PROTOCOL,  /* 8 */
  CRAFT_DELETE_SPI_SIZE,  /* 8 */
  CRAFT_DELETE_NSPIS,     /* 16 */
  /* The datagram as bytes. */
  CRAFT_TRUNCATE,         /* cut to `value` bytes (never lengthens) */
  CRAFT_APPEND,           /* `value` bytes after the end, from .bytes or 0x41
                             when NULL; no length field is fixed */
  CRAFT_RAW,              /* `value` bytes from .bytes written at byte `index` */
  CRAFT_FIELD_COUNT
};

struct craft_override {
  enum craft_field field;
  unsigned index;         /* which payload/proposal/transform/attribute */
  uint32_t value;         /* refused when wider than the field */
  const uint8_t *bytes;   /* cookies, CRAFT_APPEND, CRAFT_RAW */
};

/* Encodes msg into out and applies the overrides in order, each to the
 * bytes the previous ones left. Returns the datagram length, or 0 when msg
 * does not encode into cap bytes or an override cannot be applied (a field
 * the message lacks, a value wider than its field, a patch past the end of
 * a truncated datagram); why then says which override and why. why may be
 * NULL. Payload-level overrides need a plaintext chain: on a message whose
 * body is encrypted only the header and the datagram as bytes can be
 * changed. */
size_t craft_build(const struct isakmp_msg *msg, const struct craft_override *ov, size_t nov,
                   uint8_t *out, size_t cap, char *why, size_t whylen);

/* "CRAFT_PL_LENGTH" and so on, for case reports. */
const char *craft_field_name(enum craft_field field);

/* ---- reshaping the payload chain before encoding ----
 * These move only msg->payloads. An SA payload refers to its proposals by
 * index into the message's pools and the encoder walks the payloads, so the
 * pools stay as they are: a dropped SA's proposals are left unused, and a
 * duplicated SA encodes the same proposals twice. Payload offsets in msg
 * are stale afterwards (they describe the packet msg was decoded from).
 * Each returns false, changing nothing, for an index out of range or a
 * full payload array. */
bool craft_drop_payload(struct isakmp_msg *msg, size_t i);
/* The copy goes right after the original. */
bool craft_dup_payload(struct isakmp_msg *msg, size_t i);
bool craft_swap_payloads(struct isakmp_msg *msg, size_t i, size_t j);

#endif
