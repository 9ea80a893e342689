/* ISAKMP (RFC 2408) message codec with the IPsec DOI (RFC 2407), the Oakley
 * attributes of IKEv1 (RFC 2409 Appendix A) and NAT-T (RFC 3947).
 *
 * isakmp_decode() validates a datagram strictly and yields a typed message
 * whose variable-length fields are slices of the caller's packet (the packet
 * must outlive the message). isakmp_encode() writes a message back; decoding
 * then encoding a valid packet gives the same bytes, because every field the
 * encoder derives (next-payload types, lengths, counts) was checked to agree
 * with the chain when it was decoded.
 *
 * Every rejection fills a struct isakmp_error whose `notify` is the RFC 2408
 * notify type the message deserves, with the offending field, its value and
 * its offset in the packet. */
#ifndef IKELAB_ISAKMP_H
#define IKELAB_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp_types.h"

#define ISAKMP_HDR_LEN 28
#define ISAKMP_GENERIC_LEN 4
#define ISAKMP_COOKIE_LEN 8

/* Per-message limits. A 64 KiB datagram could hold more; real peers send a
 * few dozen transforms at most, and a message past a limit is refused with
 * PAYLOAD-MALFORMED naming the limit. */
#define ISAKMP_MAX_PAYLOADS 64
#define ISAKMP_MAX_PROPOSALS 64
#define ISAKMP_MAX_TRANSFORMS 512
#define ISAKMP_MAX_ATTRS 2048

struct isakmp_hdr {
  uint8_t icookie[ISAKMP_COOKIE_LEN];
  uint8_t rcookie[ISAKMP_COOKIE_LEN];
  uint8_t next_payload;
  uint8_t major;
  uint8_t minor;
  uint8_t exchange;
  uint8_t flags;
  uint32_t msgid;
  uint32_t length;
};

/* A data attribute. TV form (AF bit set) carries a 16-bit value; TLV form
 * carries bytes. Both forms are kept as sent, for the round trip. */
struct isakmp_attr {
  uint16_t type;          /* without the AF bit */
  bool tv;
  uint16_t tv_value;
  struct buf_slice value; /* TLV only */
};

struct isakmp_transform {
  uint8_t number;
  uint8_t id;
  uint16_t first_attr;    /* index into msg->attrs */
  uint16_t nattrs;
  size_t offset;
};

struct isakmp_proposal {
  uint8_t number;
  uint8_t protocol;       /* enum isakmp_proto */
  struct buf_slice spi;   /* spi.len is the SPI size */
  uint16_t first_transform; /* index into msg->transforms */
  uint16_t ntransforms;
  size_t offset;
};

struct isakmp_sa {
  uint32_t doi;
  uint32_t situation;
  uint16_t first_proposal; /* index into msg->proposals */
  uint16_t nproposals;
};

struct isakmp_id {
  uint8_t type;           /* enum isakmp_id_type */
  uint8_t protocol;       /* IP protocol, 0 = any */
  uint16_t port;          /* 0 = any */
  struct buf_slice data;
};

/* CERT (encoding + certificate) and CR (type + authority) share a shape. */
struct isakmp_cert {
  uint8_t encoding;
  struct buf_slice data;
};

struct isakmp_notify {
  uint32_t doi;
  uint8_t protocol;
  uint16_t type;          /* enum isakmp_notify_type */
  struct buf_slice spi;
  struct buf_slice data;
};

struct isakmp_delete {
  uint32_t doi;
  uint8_t protocol;
  uint8_t spi_size;
  uint16_t nspis;
  struct buf_slice spis;  /* nspis * spi_size bytes */
};

struct isakmp_natoa {
  uint8_t id_type;        /* ISAKMP_ID_IPV4_ADDR or ISAKMP_ID_IPV6_ADDR */
  struct buf_slice addr;
};

struct isakmp_payload {
  uint8_t type;           /* enum isakmp_payload_type */
  size_t offset;          /* of the generic header, in the packet */
  union {
    struct isakmp_sa sa;
    struct isakmp_id id;
    struct isakmp_cert cert; /* CERT and CR */
    struct isakmp_notify notify;
    struct isakmp_delete del;
    struct isakmp_natoa natoa;
    struct buf_slice data;   /* KE, HASH, SIG, NONCE, VID, NAT-D */
  } u;
};

struct isakmp_msg {
  struct isakmp_hdr hdr;
  /* With the E flag set, the decoder leaves the body here undecoded; the
   * engine decrypts it and calls isakmp_decode_chain(). */
  struct buf_slice encrypted;
  /* Bytes after the last payload of a decrypted chain (cipher padding). */
  struct buf_slice padding;
  size_t npayloads;
  struct isakmp_payload payloads[ISAKMP_MAX_PAYLOADS];
  size_t nproposals, ntransforms, nattrs;
  struct isakmp_proposal proposals[ISAKMP_MAX_PROPOSALS];
  struct isakmp_transform transforms[ISAKMP_MAX_TRANSFORMS];
  struct isakmp_attr attrs[ISAKMP_MAX_ATTRS];
};

struct isakmp_error {
  uint16_t notify;        /* the notify type the message deserves */
  const char *field;      /* e.g. "header.major_version" */
  uint32_t value;         /* the offending value */
  size_t offset;          /* of the offending field, in the packet */
  char text[192];         /* one line, names the field, value and limit */
};

/* Empties a message (cheap: only counters and the header are reset). */
void isakmp_msg_reset(struct isakmp_msg *msg);

/* Decodes one datagram (without the NAT-T non-ESP marker). */
bool isakmp_decode(struct isakmp_msg *msg, const uint8_t *pkt, size_t len,
                   struct isakmp_error *err);

/* Decodes a plaintext payload chain, e.g. a decrypted body. Bytes after the
 * last payload are kept as msg->padding when allow_padding is set and are an
 * error otherwise. base_offset is where body starts in its packet. Payloads
 * are appended to msg. */
bool isakmp_decode_chain(struct isakmp_msg *msg, uint8_t first_type, struct buf_slice body,
                         size_t base_offset, bool allow_padding, struct isakmp_error *err);

/* Encodes a message. Header next_payload and length, every payload's next
 * type and length, and proposal/transform counts are derived from the
 * message, not taken from it. With the E flag set and msg->encrypted
 * non-empty the body is written as is; otherwise the payload chain (and any
 * padding) is written. Returns the length, or 0 when it does not fit. */
size_t isakmp_encode(const struct isakmp_msg *msg, uint8_t *out, size_t cap);
/* The payload chain alone (the plaintext to encrypt), then the padding. */
void isakmp_encode_chain(const struct isakmp_msg *msg, struct buf_writer *w);
/* A header whose length field says ISAKMP_HDR_LEN + body_len. */
void isakmp_encode_header(const struct isakmp_hdr *hdr, size_t body_len, struct buf_writer *w);

/* ---- reading attributes ---- */
/* The attribute's value as an integer: TV, or TLV of 1..8 bytes. */
bool isakmp_attr_uint(const struct isakmp_attr *a, uint64_t *out);
const struct isakmp_attr *isakmp_transform_attr(const struct isakmp_msg *msg,
                                                const struct isakmp_transform *t,
                                                uint16_t type);

/* ---- building messages (engine, tests, crafted packets) ---- */
/* Each returns NULL when the message's pools are full. */
struct isakmp_payload *isakmp_add_payload(struct isakmp_msg *msg, uint8_t type);
struct isakmp_proposal *isakmp_add_proposal(struct isakmp_msg *msg, struct isakmp_payload *sa,
                                            uint8_t number, uint8_t protocol,
                                            struct buf_slice spi);
struct isakmp_transform *isakmp_add_transform(struct isakmp_msg *msg,
                                              struct isakmp_proposal *prop, uint8_t number,
                                              uint8_t id);
/* Attributes go to the last transform added. */
bool isakmp_add_attr_tv(struct isakmp_msg *msg, uint16_t type, uint16_t value);
bool isakmp_add_attr_tlv(struct isakmp_msg *msg, uint16_t type, struct buf_slice value);

/* ---- presentation ---- */
/* Table 27-3 symbols of the top-level chain, e.g. "<SA><VID>", for the
 * Send:/Recv: log lines. An encrypted, undecoded message renders as
 * nothing. Returns the length the whole list needs, like snprintf. A list
 * that does not fit is cut after the last whole symbol that leaves room
 * for "...", which ends it ("<CER_REQ><CER_REQ>..."): a cut is never
 * silent, and never halves a symbol. ISAKMP_SYMBOLS_MAX holds any list:
 * ISAKMP_MAX_PAYLOADS payloads, each the longest symbol ("CER_REQ"). */
#define ISAKMP_SYMBOL_MAX 7
#define ISAKMP_SYMBOLS_MAX (ISAKMP_MAX_PAYLOADS * (ISAKMP_SYMBOL_MAX + 2) + 1)
size_t isakmp_payload_symbols(const struct isakmp_msg *msg, char *out, size_t outlen);

#endif
