#include "pcap_write.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "ikelab/buf.h"

enum { IP_UDP_LEN = 28, DGRAM_MAX = 65535 - IP_UDP_LEN };

struct pcap_out {
  pcap_t *dead;
  pcap_dumper_t *dump;
  uint8_t frame[65535];
};

struct pcap_out *pcap_out_open(const char *path, char *err, size_t errlen)
{
  struct pcap_out *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  p->dead = pcap_open_dead(DLT_RAW, 65535);
  p->dump = p->dead ? pcap_dump_open(p->dead, path) : NULL;
  if (!p->dump) {
    snprintf(err, errlen, "%s: %s", path, p->dead ? pcap_geterr(p->dead) : "pcap_open_dead failed");
    if (p->dead)
      pcap_close(p->dead);
    free(p);
    return NULL;
  }
  return p;
}

/* The RFC 791 header checksum, so Wireshark shows no warning. */
static uint16_t ip_checksum(const uint8_t *h)
{
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2)
    sum += (uint32_t)h[i] << 8 | h[i + 1];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

bool pcap_out_add(struct pcap_out *p, uint32_t src, uint32_t dst, const uint8_t *data, size_t len,
                  unsigned ts)
{
  struct buf_writer w;
  if (len > DGRAM_MAX)
    len = DGRAM_MAX; /* cannot be a UDP datagram; what fits is shown */
  bw_init(&w, p->frame, sizeof p->frame);
  bw_u8(&w, 0x45);
  bw_u8(&w, 0);
  bw_u16(&w, (uint16_t)(IP_UDP_LEN + len));
  bw_u32(&w, 0);
  bw_u8(&w, 64);
  bw_u8(&w, 17);
  bw_u16(&w, 0);
  bw_u32(&w, src);
  bw_u32(&w, dst);
  bw_u16(&w, 500);
  bw_u16(&w, 500);
  bw_u16(&w, (uint16_t)(8 + len));
  bw_u16(&w, 0); /* no UDP checksum (allowed over IPv4) */
  bw_bytes(&w, data, len);
  if (!bw_ok(&w))
    return false;
  uint16_t sum = ip_checksum(p->frame);
  p->frame[10] = (uint8_t)(sum >> 8);
  p->frame[11] = (uint8_t)sum;
  struct pcap_pkthdr h = {.caplen = (bpf_u_int32)bw_pos(&w), .len = (bpf_u_int32)bw_pos(&w)};
  h.ts.tv_sec = (time_t)ts;
  pcap_dump((u_char *)p->dump, &h, p->frame);
  return true;
}

void pcap_out_close(struct pcap_out *p)
{
  if (!p)
    return;
  pcap_dump_close(p->dump);
  pcap_close(p->dead);
  free(p);
}
