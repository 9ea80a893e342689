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

#endif
