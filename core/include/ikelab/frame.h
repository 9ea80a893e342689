/* IPv4/IPv6 + UDP framing around IKE datagrams, for reading and writing
 * capture files. Parsing goes through the bounds-checked reader like every
 * other packet byte. */
#ifndef IKELAB_FRAME_H
#define IKELAB_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikelab/buf.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500

/* Link types this module understands, as pcap_datalink() reports them.
 * Raw IP is DLT_RAW, which is 12 on Linux (14 on some BSDs) and 101
 * (LINKTYPE_RAW) in files; all three are accepted. */
enum frame_link { FRAME_LINK_NULL = 0, FRAME_LINK_ETHERNET = 1, FRAME_LINK_DLT_RAW = 12,
                  FRAME_LINK_DLT_RAW_BSD = 14, FRAME_LINK_RAW = 101,
                  FRAME_LINK_LINUX_SLL = 113, FRAME_LINK_LINUX_SLL2 = 276 };

struct frame_udp {
  int family;              /* 4 or 6 */
  uint8_t src[16], dst[16];/* addresses, network order; IPv4 uses 4 bytes */
  uint16_t sport, dport;
  struct buf_slice payload;/* the UDP payload */
};

/* Finds the UDP datagram in one captured frame. False when the frame is not
 * UDP over IPv4/IPv6 (or is a non-first IPv4 fragment, or truncated). */
bool frame_parse_udp(int linktype, const uint8_t *frame, size_t len, struct frame_udp *out);

enum frame_ike_kind { FRAME_IKE, FRAME_NATT_KEEPALIVE, FRAME_ESP_IN_UDP, FRAME_NOT_IKE };
/* Classifies a UDP payload by port (RFC 3948): on 4500 a four-zero-byte
 * non-ESP marker precedes IKE, 0xff alone is a keepalive, anything else ESP.
 * For FRAME_IKE, *ike is the ISAKMP message without the marker. */
enum frame_ike_kind frame_ike_payload(const struct frame_udp *udp, struct buf_slice *ike);

/* Writes a raw IPv4 + UDP frame (LINKTYPE_RAW) around payload, with a
 * correct IPv4 header checksum and UDP checksum 0. Addresses in host order.
 * Returns the frame length, 0 when it does not fit. */
size_t frame_build_udp4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                        struct buf_slice payload, uint8_t *out, size_t cap);

#endif
