/* Link, IP and UDP headers around IKE datagrams in capture files. */
#include "ikelab/frame.h"

#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_UDP_NUM 17

/* Leaves r at the IP header and returns the ethertype, or 0 if unknown. */
static uint16_t skip_link(int linktype, struct buf_reader *r)
{
  uint16_t type = 0;
  uint8_t b;
  switch (linktype) {
  case FRAME_LINK_ETHERNET:
    if (!br_skip(r, 12) || !br_u16(r, &type))
      return 0;
    while (type == ETHERTYPE_VLAN)
      if (!br_skip(r, 2) || !br_u16(r, &type))
        return 0;
    return type;
  case FRAME_LINK_LINUX_SLL:
    return br_skip(r, 14) && br_u16(r, &type) ? type : 0;
  case FRAME_LINK_LINUX_SLL2:
    return br_u16(r, &type) && br_skip(r, 18) ? type : 0;
  case FRAME_LINK_NULL: /* 4-byte address family in the capturer's byte order */
  case FRAME_LINK_RAW:
  case FRAME_LINK_DLT_RAW:
  case FRAME_LINK_DLT_RAW_BSD:
    if (linktype == FRAME_LINK_NULL && !br_skip(r, 4))
      return 0;
    if (!br_peek_u8(r, 0, &b))
      return 0;
    return (b >> 4) == 4 ? ETHERTYPE_IPV4 : (b >> 4) == 6 ? ETHERTYPE_IPV6 : 0;
  default:
    return 0;
  }
}

/* Leaves r at the UDP header, bounded by the IP payload length. */
static bool ipv4(struct buf_reader *r, struct frame_udp *out, struct buf_reader *l4)
{
  uint8_t vihl, proto;
  uint16_t total, frag;
  if (!br_u8(r, &vihl) || (vihl >> 4) != 4 || (vihl & 0x0f) < 5 || !br_skip(r, 1) ||
      !br_u16(r, &total) || !br_skip(r, 2) || !br_u16(r, &frag) || !br_skip(r, 1) ||
      !br_u8(r, &proto) || !br_skip(r, 2) || !br_copy(r, out->src, 4) ||
      !br_copy(r, out->dst, 4) || !br_skip(r, (size_t)((vihl & 0x0f) - 5) * 4))
    return false;
  size_t hlen = (size_t)(vihl & 0x0f) * 4;
  if (proto != IPPROTO_UDP_NUM || (frag & 0x1fff) != 0 || total < hlen)
    return false;
  out->family = 4;
  return br_sub(r, total - hlen, l4);
}

static bool ipv6(struct buf_reader *r, struct frame_udp *out, struct buf_reader *l4)
{
  uint8_t next, hdrlen;
  uint16_t plen;
  struct buf_reader body;
  if (!br_skip(r, 4) || !br_u16(r, &plen) || !br_u8(r, &next) || !br_skip(r, 1) ||
      !br_copy(r, out->src, 16) || !br_copy(r, out->dst, 16) || !br_sub(r, plen, &body))
    return false;
  while (next == 0 || next == 43 || next == 60) { /* hop-by-hop, routing, destination */
    if (!br_u8(&body, &next) || !br_u8(&body, &hdrlen) || !br_skip(&body, 6 + (size_t)hdrlen * 8))
      return false;
  }
  if (next != IPPROTO_UDP_NUM)
    return false;
  out->family = 6;
  *l4 = body;
  return true;
}

bool frame_parse_udp(int linktype, const uint8_t *frame, size_t len, struct frame_udp *out)
{
  struct buf_reader r, l4, udp_body;
  uint16_t ulen;
  memset(out, 0, sizeof *out);
  br_init(&r, frame, len);
  uint16_t type = skip_link(linktype, &r);
  bool ok = type == ETHERTYPE_IPV4 ? ipv4(&r, out, &l4)
            : type == ETHERTYPE_IPV6 ? ipv6(&r, out, &l4)
                                     : false;
  if (!ok || !br_u16(&l4, &out->sport) || !br_u16(&l4, &out->dport) || !br_u16(&l4, &ulen) ||
      !br_skip(&l4, 2) || ulen < 8 || !br_sub(&l4, (size_t)ulen - 8, &udp_body))
    return false;
  out->payload = br_rest(&udp_body);
  return true;
}

enum frame_ike_kind frame_ike_payload(const struct frame_udp *udp, struct buf_slice *ike)
{
  struct buf_reader r;
  uint32_t marker;
  br_from_slice(&r, udp->payload, 0);
  if (udp->sport == IKE_PORT || udp->dport == IKE_PORT) {
    *ike = udp->payload;
    return FRAME_IKE;
  }
  if (udp->sport != IKE_NATT_PORT && udp->dport != IKE_NATT_PORT)
    return FRAME_NOT_IKE;
  if (udp->payload.len == 1 && slice_byte(udp->payload, 0) == 0xff)
    return FRAME_NATT_KEEPALIVE;
  if (!br_u32(&r, &marker) || marker != 0)
    return FRAME_ESP_IN_UDP;
  *ike = br_rest(&r);
  return FRAME_IKE;
}

size_t frame_build_udp4(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                        struct buf_slice payload, uint8_t *out, size_t cap)
{
  struct buf_writer w;
  size_t total = 20 + 8 + payload.len;
  if (total > 0xffff)
    return 0;
  bw_init(&w, out, cap);
  bw_u8(&w, 0x45);
  bw_u8(&w, 0);
  bw_u16(&w, (uint16_t)total);
  bw_u32(&w, 0);          /* id, no fragmentation */
  bw_u8(&w, 64);          /* TTL */
  bw_u8(&w, IPPROTO_UDP_NUM);
  size_t csum_pos = bw_reserve16(&w);
  bw_u32(&w, src);
  bw_u32(&w, dst);
  /* RFC 791 header checksum over the ten 16-bit words just written. */
  uint32_t sum = 0x4500 + (uint32_t)total + ((64u << 8) | IPPROTO_UDP_NUM) + (src >> 16) +
                 (src & 0xffff) + (dst >> 16) + (dst & 0xffff);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  bw_patch16(&w, csum_pos, (uint16_t)~sum);
  bw_u16(&w, sport);
  bw_u16(&w, dport);
  bw_u16(&w, (uint16_t)(8 + payload.len));
  bw_u16(&w, 0);
  bw_slice(&w, payload);
  return bw_ok(&w) ? bw_pos(&w) : 0;
}
