/* Datagrams into a pcap file (LINKTYPE_RAW: IPv4, UDP 500 -> 500). */
#ifndef IKELAB_TRIAGE_PCAP_WRITE_H
#define IKELAB_TRIAGE_PCAP_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_out;

/* NULL with why in err when the file cannot be written. */
struct pcap_out *pcap_out_open(const char *path, char *err, size_t errlen);
/* One datagram from src to dst (host order IPv4) at ts seconds. */
bool pcap_out_add(struct pcap_out *p, uint32_t src, uint32_t dst, const uint8_t *data, size_t len,
                  unsigned ts);
void pcap_out_close(struct pcap_out *p);

#endif
