/* A reproducer decoded the way its target reads it, for the report: for
 * fuzz_isakmp_decode the datagram (and the decrypted payload chain the
 * target also tries), for the stateful targets the script step by step
 * (read by the mutator's step reader, mut_script.h) with each packet
 * through the project's dissector. The packets also go to a pcap that
 * Wireshark opens (IPv4/UDP 500, peer 10.0.0.1 to us 10.0.0.2). */
#ifndef IKELAB_TRIAGE_DECODE_H
#define IKELAB_TRIAGE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Returns the number of packets written to pcap_path (NULL: no pcap), or
 * -1 with why in err. */
int decode_reproducer(const char *target, const uint8_t *data, size_t len, FILE *out,
                      const char *pcap_path, char *err, size_t errlen);

/* The same in a child process, the text into text_path: a codec bug the
 * reproducer reaches must not take ikelab-triage down with it. Returns the
 * packet count, or -1 with why in err (the child's crash included). */
int decode_isolated(const char *target, const uint8_t *data, size_t len, const char *text_path,
                    const char *pcap_path, char *err, size_t errlen);

#endif
