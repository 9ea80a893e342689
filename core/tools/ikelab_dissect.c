/* ikelab-dissect: prints ISAKMP messages from raw datagram files or from
 * pcap/pcapng captures, the way the codec understands them. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/frame.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"

#define MAX_DATAGRAM 65535

struct options {
  bool symbols;  /* only the Table 27-3 line, as Send:/Recv: would log it */
  bool quiet;    /* only the verdict */
};

struct counts {
  unsigned ok, rejected, skipped;
};

static void usage(FILE *out, const char *argv0)
{
  fprintf(out,
          "usage: %s [options] FILE...\n"
          "Decodes ISAKMP (IKEv1) messages with ikelab's codec and prints them.\n"
          "A FILE is a raw datagram (the ISAKMP message, without UDP or the NAT-T\n"
          "marker) or a pcap/pcapng capture, told apart by its magic number; in a\n"
          "capture, UDP 500 and 4500 (non-ESP marker stripped) are decoded.\n"
          "\n"
          "  -s, --symbols  print only the payload symbols (\"<SA><VID>\") per message\n"
          "  -q, --quiet    print only OK/REJECT per message\n"
          "  -h, --help     this text\n"
          "\n"
          "Exit status: 0 all decoded, 1 some message was rejected, 2 usage or I/O error.\n",
          argv0);
}

static void one(const char *label, const uint8_t *pkt, size_t len, const struct options *o,
                struct counts *c)
{
  static struct isakmp_msg msg;
  struct isakmp_error err;
  char line[ISAKMP_SYMBOLS_MAX > 320 ? ISAKMP_SYMBOLS_MAX : 320]; /* the whole list, or an error */
  printf("== %s (%zu bytes)\n", label, len);
  if (!isakmp_decode(&msg, pkt, len, &err)) {
    isakmp_error_format(&err, line, sizeof line);
    printf("REJECT %s\n", line);
    c->rejected++;
    return;
  }
  c->ok++;
  if (o->quiet) {
    puts("OK");
  } else if (o->symbols) {
    isakmp_payload_symbols(&msg, line, sizeof line);
    puts(msg.encrypted.len ? "(encrypted)" : line);
  } else {
    isakmp_dissect(&msg, stdout);
  }
}

static bool is_capture(const uint8_t *head, size_t n)
{
  static const uint8_t magics[][4] = {{0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1},
                                      {0xa1, 0xb2, 0x3c, 0x4d}, {0x4d, 0x3c, 0xb2, 0xa1},
                                      {0x0a, 0x0d, 0x0d, 0x0a}};
  for (size_t i = 0; n >= 4 && i < sizeof magics / sizeof magics[0]; i++)
    if (memcmp(head, magics[i], 4) == 0)
      return true;
  return false;
}

static void addr(char *out, size_t outlen, const struct frame_udp *u, const uint8_t *a)
{
  if (!inet_ntop(u->family == 4 ? AF_INET : AF_INET6, a, out, (socklen_t)outlen))
    snprintf(out, outlen, "?");
}

static int capture(const char *path, const struct options *o, struct counts *c)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(path, errbuf);
  if (!p) {
    fprintf(stderr, "ikelab-dissect: %s: %s\n", path, errbuf);
    return -1;
  }
  int link = pcap_datalink(p);
  struct pcap_pkthdr *h;
  const u_char *data;
  unsigned frame = 0;
  int rc;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
    struct frame_udp udp;
    struct buf_slice ike;
    frame++;
    if (!frame_parse_udp(link, data, h->caplen, &udp) ||
        frame_ike_payload(&udp, &ike) != FRAME_IKE) {
      c->skipped++;
      continue;
    }
    uint8_t copy[MAX_DATAGRAM];
    size_t n = slice_copy(ike, copy, sizeof copy);
    char s[64], d[64], label[256];
    addr(s, sizeof s, &udp, udp.src);
    addr(d, sizeof d, &udp, udp.dst);
    snprintf(label, sizeof label, "%s frame %u %s:%u -> %s:%u", path, frame, s, udp.sport, d,
             udp.dport);
    one(label, copy, n, o, c);
  }
  if (rc == PCAP_ERROR)
    fprintf(stderr, "ikelab-dissect: %s: %s\n", path, pcap_geterr(p));
  pcap_close(p);
  return rc == PCAP_ERROR ? -1 : 0;
}

static int raw(const char *path, const struct options *o, struct counts *c)
{
  static uint8_t buf[MAX_DATAGRAM + 1];
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "ikelab-dissect: %s: %s\n", path, strerror(errno));
    return -1;
  }
  /* Captures can be any size; only a raw datagram is read whole. */
  size_t n = fread(buf, 1, 4, f);
  if (is_capture(buf, n)) {
    fclose(f);
    return capture(path, o, c);
  }
  n += fread(buf + n, 1, sizeof buf - n, f);
  bool err = ferror(f);
  fclose(f);
  if (err || n > MAX_DATAGRAM) {
    fprintf(stderr, "ikelab-dissect: %s: %s\n", path,
            err ? "read error" : "larger than a UDP datagram (65535 bytes)");
    return -1;
  }
  /* An exact-size copy, so a sanitizer sees any read past the end. */
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact)
    return -1;
  memcpy(exact, buf, n);
  one(path, exact, n, o, c);
  free(exact);
  return 0;
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {{"symbols", no_argument, NULL, 's'},
                                           {"quiet", no_argument, NULL, 'q'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  struct options o = {0};
  int ch;
  while ((ch = getopt_long(argc, argv, "sqh", longopts, NULL)) != -1) {
    switch (ch) {
    case 's': o.symbols = true; break;
    case 'q': o.quiet = true; break;
    case 'h': usage(stdout, argv[0]); return 0;
    default: usage(stderr, argv[0]); return 2;
    }
  }
  if (optind == argc) {
    usage(stderr, argv[0]);
    return 2;
  }
  struct counts c = {0};
  bool io_error = false;
  for (int i = optind; i < argc; i++)
    io_error |= raw(argv[i], &o, &c) != 0;
  fflush(stdout);
  fprintf(stderr, "ikelab-dissect: %u decoded, %u rejected, %u frames not IKE\n", c.ok,
          c.rejected, c.skipped);
  return io_error ? 2 : c.rejected ? 1 : 0;
}
