/* Known-answer packets from third-party peers (corpus/kat, made by
 * ci/capture-kat from strongSwan charon and ike-scan). Each must decode to
 * the header fields and payload chain recorded independently of our codec
 * in expected.txt, and encode back to the same bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/isakmp.h"

static struct isakmp_msg msg;

struct kat_line {
  char file[128];
  unsigned exchange, flags, length, first;
  uint32_t msgid;
  char chain[256];
};

static size_t read_file(const char *path, uint8_t **out)
{
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  ck_assert_int_gt(size, 0);
  *out = malloc((size_t)size); /* exact size: ASan sees any over-read */
  ck_assert_uint_eq(fread(*out, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  return (size_t)size;
}

static void chain_of(const struct isakmp_msg *m, char *out, size_t outlen)
{
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < m->npayloads; i++)
    used += (size_t)snprintf(out + used, outlen - used, "%s%u", i ? "," : "",
                             m->payloads[i].type);
}

static void check_one(const struct kat_line *k)
{
  char rel[256], chain[256];
  uint8_t *pkt, out[65535];
  struct isakmp_error err;
  snprintf(rel, sizeof rel, "corpus/kat/%s", k->file);
  size_t n = read_file(test_source_path(rel), &pkt);
  ck_assert_msg(isakmp_decode(&msg, pkt, n, &err), "%s rejected: %s", k->file, err.text);
  ck_assert_uint_eq(msg.hdr.exchange, k->exchange);
  ck_assert_uint_eq(msg.hdr.flags, k->flags);
  ck_assert_uint_eq(msg.hdr.msgid, k->msgid);
  ck_assert_uint_eq(msg.hdr.length, k->length);
  ck_assert_uint_eq(msg.hdr.next_payload, k->first);
  if (strcmp(k->chain, "-") == 0) {
    ck_assert_msg(msg.encrypted.len > 0, "%s: expected an encrypted body", k->file);
  } else {
    chain_of(&msg, chain, sizeof chain);
    ck_assert_msg(strcmp(chain, k->chain) == 0, "%s: chain %s, expected %s", k->file, chain,
                  k->chain);
  }
  ck_assert_uint_eq(isakmp_encode(&msg, out, sizeof out), n);
  ck_assert_msg(memcmp(out, pkt, n) == 0, "%s: re-encoded bytes differ", k->file);
  free(pkt);
}

START_TEST(every_known_answer_packet_decodes_and_round_trips)
{
  FILE *f = fopen(test_source_path("corpus/kat/expected.txt"), "r");
  ck_assert_msg(f != NULL, "corpus/kat/expected.txt missing");
  char line[512];
  unsigned count = 0;
  while (fgets(line, sizeof line, f)) {
    struct kat_line k;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    int got = sscanf(line, "%127s %u 0x%x %" SCNx32 " %u %u %255s", k.file, &k.exchange,
                     &k.flags, &k.msgid, &k.length, &k.first, k.chain);
    ck_assert_msg(got == 7, "bad expected.txt line: %s", line);
    check_one(&k);
    count++;
  }
  fclose(f);
  ck_assert_uint_ge(count, 15); /* Main, Aggressive, Quick Mode, notify, ike-scan */
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("kat");
  TCase *tc = tcase_create("third-party packets");
  tcase_add_test(tc, every_known_answer_packet_decodes_and_round_trips);
  suite_add_tcase(s, tc);
  return s;
}
