/* A case's wire as pcap files (libpcap, raw IPv4): <id>.pcap as carried,
 * and <id>.clear.pcap with the clear copy of each encrypted message, so
 * Wireshark or tshark dissect what was inside. */
#ifndef IKELAB_CONFORM_PCAP_OUT_H
#define IKELAB_CONFORM_PCAP_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "world.h"

bool pcap_write_case(const char *dir, const char *id, const struct world *w, char *why,
                     size_t whylen);

#endif
