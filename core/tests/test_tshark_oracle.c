/* Wireshark as an independent oracle. Our samples are written to a pcap
 * and dissected by tshark: it must find nothing malformed and must read the
 * same exchange type, length, message ID and payload list (proposals and
 * transforms included) as our decoder. The same comparison runs over the
 * third-party captures in corpus/kat/pcap. A deliberately broken packet
 * shows that the oracle can fail. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/frame.h"
#include "ikelab/isakmp.h"
#include "isakmp_samples.h"

#define MAX_FRAMES 64
#define LINE 512

static struct isakmp_msg msg;

static void require_tshark(void)
{
  ck_assert_msg(system("tshark -v >/dev/null 2>&1") == 0,
                "tshark is not installed (apt-get install -y tshark)");
}

/* Runs tshark with args on path; returns the number of output lines. */
static size_t tshark(const char *path, const char *args, char lines[][LINE], size_t max)
{
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "tshark -n -r '%s' %s 2>/dev/null", path, args);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  size_t n = 0;
  char buf[LINE];
  while (fgets(buf, sizeof buf, p)) {
    buf[strcspn(buf, "\n")] = '\0';
    if (n < max)
      snprintf(lines[n], LINE, "%s", buf);
    n++;
  }
  ck_assert_int_eq(pclose(p), 0);
  return n;
}

static size_t tshark_findings(const char *path)
{
  static char lines[MAX_FRAMES][LINE];
  return tshark(path, "-Y '_ws.malformed || _ws.expert.severity >= \"Warning\"' -T fields "
                      "-e frame.number",
                lines, MAX_FRAMES);
}

/* Our reading of a message in tshark's field format:
 * exchange;length;payload types in order, SA contents expanded;message ID. */
static void our_line(const struct isakmp_msg *m, char *out, size_t outlen)
{
  /* Room for the rest of the line too ("255;65535;" and ";0x12345678"). */
  char types[LINE - 32] = "";
  size_t used = 0;
  /* Stops appending once full: snprintf returns what it would have written. */
#define APPEND(v)                                                                     \
  do {                                                                                \
    if (used < sizeof types)                                                          \
      used += (size_t)snprintf(types + used, sizeof types - used, "%s%u", used ? "," : "", \
                               (unsigned)(v));                                        \
  } while (0)
  for (size_t i = 0; i < m->npayloads; i++) {
    const struct isakmp_payload *pl = &m->payloads[i];
    APPEND(pl->type);
    if (pl->type != ISAKMP_NP_SA)
      continue;
    for (unsigned p = 0; p < pl->u.sa.nproposals; p++) {
      APPEND(ISAKMP_NP_P);
      for (unsigned t = 0; t < m->proposals[pl->u.sa.first_proposal + p].ntransforms; t++)
        APPEND(ISAKMP_NP_T);
    }
  }
#undef APPEND
  snprintf(out, outlen, "%u;%u;%s;0x%08x", m->hdr.exchange, (unsigned)m->hdr.length, types,
           (unsigned)m->hdr.msgid);
}

/* Decodes every IKE frame of a capture with our codec. */
static size_t our_lines(const char *path, char lines[][LINE], size_t max)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *p = pcap_open_offline(path, errbuf);
  ck_assert_msg(p != NULL, "%s: %s", path, errbuf);
  struct pcap_pkthdr *h;
  const u_char *data;
  size_t n = 0;
  while (pcap_next_ex(p, &h, &data) == 1) {
    struct frame_udp udp;
    struct buf_slice ike;
    struct isakmp_error err;
    uint8_t copy[65535];
    if (!frame_parse_udp(pcap_datalink(p), data, h->caplen, &udp) ||
        frame_ike_payload(&udp, &ike) != FRAME_IKE)
      continue;
    size_t len = slice_copy(ike, copy, sizeof copy);
    ck_assert_msg(isakmp_decode(&msg, copy, len, &err), "%s frame: %s", path, err.text);
    ck_assert_uint_lt(n, max);
    our_line(&msg, lines[n++], LINE);
  }
  pcap_close(p);
  return n;
}

static void compare_with_tshark(const char *path)
{
  static char ours[MAX_FRAMES][LINE], theirs[MAX_FRAMES][LINE];
  size_t n = our_lines(path, ours, MAX_FRAMES);
  size_t m = tshark(path,
                    "-Y isakmp -T fields -E separator=';' -e isakmp.exchangetype "
                    "-e isakmp.length -e isakmp.typepayload -e isakmp.messageid",
                    theirs, MAX_FRAMES);
  ck_assert_uint_gt(n, 0);
  ck_assert_uint_eq(n, m);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(strcmp(ours[i], theirs[i]) == 0, "%s message %zu: ours %s, tshark %s", path,
                  i + 1, ours[i], theirs[i]);
  ck_assert_uint_eq(tshark_findings(path), 0);
}

static void write_pcap(const char *path, const uint8_t *const pkts[], const size_t lens[],
                       size_t count)
{
  pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t *d = pcap_dump_open(dead, path);
  ck_assert_msg(d != NULL, "%s: %s", path, pcap_geterr(dead));
  for (size_t i = 0; i < count; i++) {
    uint8_t frame[65535];
    size_t n = frame_build_udp4(0x0a000001, IKE_PORT, 0x0a000002, IKE_PORT,
                                slice_of(pkts[i], lens[i]), frame, sizeof frame);
    ck_assert_uint_gt(n, 0);
    struct pcap_pkthdr h = {.ts = {.tv_sec = 1000000000 + (long)i}, .caplen = (bpf_u_int32)n,
                            .len = (bpf_u_int32)n};
    pcap_dump((u_char *)d, &h, frame);
  }
  pcap_dump_close(d);
  pcap_close(dead);
}

START_TEST(tshark_reads_our_samples_as_we_do)
{
  static uint8_t bufs[SAMPLE_COUNT][8192];
  const uint8_t *pkts[SAMPLE_COUNT];
  size_t lens[SAMPLE_COUNT];
  require_tshark();
  for (int i = 0; i < SAMPLE_COUNT; i++) {
    sample_build((enum sample_id)i, &msg);
    lens[i] = isakmp_encode(&msg, bufs[i], sizeof bufs[i]);
    ck_assert_uint_gt(lens[i], 0);
    pkts[i] = bufs[i];
  }
  write_pcap("tshark_samples.pcap", pkts, lens, SAMPLE_COUNT);
  compare_with_tshark("tshark_samples.pcap");
}
END_TEST

START_TEST(tshark_reads_the_third_party_captures_as_we_do)
{
  static const char *const captures[] = {"mm_qm", "am", "no_proposal", "ikescan_mm",
                                         "ikescan_am"};
  char rel[128];
  require_tshark();
  snprintf(rel, sizeof rel, "corpus/kat/pcap/%s.pcap", captures[_i]);
  compare_with_tshark(test_source_path(rel));
}
END_TEST

START_TEST(tshark_flags_a_broken_packet)
{
  /* Control: an SA payload whose length runs past the datagram. If tshark
   * did not flag this, the comparisons above would prove nothing. */
  static uint8_t buf[8192];
  require_tshark();
  sample_build(SAMPLE_MM1, &msg);
  size_t n = isakmp_encode(&msg, buf, sizeof buf);
  buf[30] = 0x01; /* SA length + 256 */
  const uint8_t *pkts[1] = {buf};
  size_t lens[1] = {n};
  write_pcap("tshark_broken.pcap", pkts, lens, 1);
  ck_assert_uint_eq(tshark_findings("tshark_broken.pcap"), 1);
  struct isakmp_error err;
  ck_assert(!isakmp_decode(&msg, buf, n, &err));
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("tshark oracle");
  TCase *tc = tcase_create("tshark");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, tshark_reads_our_samples_as_we_do);
  tcase_add_loop_test(tc, tshark_reads_the_third_party_captures_as_we_do, 0, 5);
  tcase_add_test(tc, tshark_flags_a_broken_packet);
  suite_add_tcase(s, tc);
  return s;
}
