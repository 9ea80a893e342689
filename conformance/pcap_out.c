#include "pcap_out.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "ikelab/buf.h"

/* IPv4 (no options) around the datagram: UDP between the sides' ports for IKE, protocol
 * 50 for ESP. Checksums are left zero (tshark does not insist). */
static size_t frame(const struct world *w, const struct trace_entry *t, const uint8_t *data,
                    size_t len, uint8_t *out, size_t cap)
{
  struct buf_writer b;
  bool ike = t->kind == TR_IKE;
  size_t udp = ike ? 8 : 0;
  bw_init(&b, out, cap);
  bw_u8(&b, 0x45);
  bw_u8(&b, 0);
  bw_u16(&b, (uint16_t)(20 + udp + len));
  bw_u32(&b, 0);
  bw_u8(&b, 64);
  bw_u8(&b, ike ? 17 : 50);
  bw_u16(&b, 0);
  bw_u32(&b, w->net.side[t->from].addr.addr);
  bw_u32(&b, w->net.side[1 - t->from].addr.addr);
  if (ike) {
    bw_u16(&b, w->net.side[t->from].addr.port);
    bw_u16(&b, w->net.side[1 - t->from].addr.port);
    bw_u16(&b, (uint16_t)(8 + len));
    bw_u16(&b, 0);
  }
  bw_bytes(&b, data, len);
  return bw_ok(&b) ? bw_pos(&b) : 0;
}

static bool write_one(const char *path, const struct world *w, bool clear, char *why,
                      size_t whylen)
{
  static uint8_t pkt[NET_MAX_PACKET + 28];
  pcap_t *p = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t *d = p ? pcap_dump_open(p, path) : NULL;
  if (!d) {
    snprintf(why, whylen, "%s: %s", path, p ? pcap_geterr(p) : "pcap_open_dead failed");
    if (p)
      pcap_close(p);
    return false;
  }
  for (size_t i = 0; i < w->ntrace; i++) {
    const struct trace_entry *t = &w->trace[i];
    if (clear && !t->clear_len)
      continue;
    size_t n = clear ? frame(w, t, t->clear, t->clear_len, pkt, sizeof pkt)
                     : frame(w, t, t->data, t->len, pkt, sizeof pkt);
    if (!n)
      continue;
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)n, .len = (bpf_u_int32)n};
    h.ts.tv_sec = (time_t)(t->at_ms / 1000);
    h.ts.tv_usec = (suseconds_t)(t->at_ms % 1000 * 1000);
    pcap_dump((u_char *)d, &h, pkt);
  }
  pcap_dump_close(d);
  pcap_close(p);
  return true;
}

bool pcap_write_case(const char *dir, const char *id, const struct world *w, char *why,
                     size_t whylen)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.pcap", dir, id);
  if (!write_one(path, w, false, why, whylen))
    return false;
  snprintf(path, sizeof path, "%s/%s.clear.pcap", dir, id);
  return write_one(path, w, true, why, whylen);
}
