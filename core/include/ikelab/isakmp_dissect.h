/* A text dissector: one line per payload, nested proposals, transforms and
 * attributes indented, every number followed by its name where it has one.
 * Used by the ikelab-dissect tool, triage reports and test failure output. */
#ifndef IKELAB_ISAKMP_DISSECT_H
#define IKELAB_ISAKMP_DISSECT_H

#include <stdbool.h>
#include <stdio.h>

#include "ikelab/isakmp.h"

/* Prints a decoded message. */
void isakmp_dissect(const struct isakmp_msg *msg, FILE *out);
/* Decodes and prints a datagram; on rejection prints the reason
 * ("REJECT PAYLOAD-MALFORMED at offset 33 (payload.length=2): ..."). */
bool isakmp_dissect_packet(const uint8_t *pkt, size_t len, FILE *out);
/* One-line form of a rejection, as above without the leading word. */
void isakmp_error_format(const struct isakmp_error *err, char *out, size_t outlen);

/* A known Vendor ID's name (RFC 3947, the NAT-T drafts, DPD, XAUTH, IKE
 * fragmentation, Cisco Unity...), or NULL. */
const char *isakmp_vendor_name(struct buf_slice vid);

/* What a known Vendor ID says its sender supports. */
enum isakmp_vendor_cap {
  VENDOR_NATT_RFC3947 = 1u << 0,
  VENDOR_NATT_DRAFT = 1u << 1,     /* NAT-D/NAT-OA as payloads 130/131 */
  VENDOR_DPD = 1u << 2,
  VENDOR_XAUTH = 1u << 3,
  VENDOR_FRAGMENTATION = 1u << 4,
  VENDOR_UNITY = 1u << 5,
};
unsigned isakmp_vendor_caps(struct buf_slice vid);

#endif
