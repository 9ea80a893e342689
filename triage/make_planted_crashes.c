/* make_planted_crashes DIR [N]: N (default 50) different inputs of
 * fuzz_isakmp_decode that all reach the bug IKELAB_PLANTED_BUG plants (a
 * R-U-THERE notification with more than four data bytes, isakmp_decode.c),
 * for the tests of ikelab-triage: they must triage into one signature.
 * What varies: datagram or decrypted-chain form, cookies, message ID, zero
 * to two payloads before the notification (HASH, Vendor ID, an
 * INITIAL-CONTACT notification), the notification's protocol and SPI, its
 * data (5 to 40 bytes) and the chain's padding. Each input is checked to
 * reach the notification: with the bug absent, the decoder accepts it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ikelab/buf.h"
#include "ikelab/isakmp.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t below)
{
  rng_state ^= rng_state << 13; /* xorshift64 */
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % below);
}

static void random_bytes(struct buf_writer *w, size_t n)
{
  for (size_t i = 0; i < n; i++)
    bw_u8(w, (uint8_t)rnd(256));
}

/* Generic header: next payload, reserved, length. */
static void generic(struct buf_writer *w, uint8_t next, size_t body)
{
  bw_u8(w, next);
  bw_u8(w, 0);
  bw_u16(w, (uint16_t)(ISAKMP_GENERIC_LEN + body));
}

static void notify(struct buf_writer *w, uint8_t next, uint16_t type, size_t data)
{
  bool isakmp_spi = rnd(2); /* protocol ISAKMP with the cookies as SPI, or none */
  size_t spi = isakmp_spi ? 16 : 0;
  generic(w, next, 8 + spi + data);
  bw_u32(w, ISAKMP_DOI_IPSEC);
  bw_u8(w, isakmp_spi ? ISAKMP_PROTO_ISAKMP : 0);
  bw_u8(w, (uint8_t)spi);
  bw_u16(w, type);
  random_bytes(w, spi + data);
}

/* The payload chain: a few payloads, the R-U-THERE last; returns the first type. */
static uint8_t chain(struct buf_writer *w)
{
  static const uint8_t before[] = {ISAKMP_NP_HASH, ISAKMP_NP_VID, ISAKMP_NP_N};
  uint8_t types[3];
  size_t n = rnd(3);
  for (size_t i = 0; i < n; i++)
    types[i] = before[rnd(3)];
  types[n] = ISAKMP_NP_N;
  for (size_t i = 0; i <= n; i++) {
    uint8_t next = i < n ? types[i + 1] : ISAKMP_NP_NONE;
    if (i == n) {
      notify(w, next, ISAKMP_N_R_U_THERE, 5 + rnd(36));
    } else if (types[i] == ISAKMP_NP_N) {
      notify(w, next, ISAKMP_N_INITIAL_CONTACT, 0);
    } else {
      size_t len = types[i] == ISAKMP_NP_HASH ? 16 + 4 * rnd(5) : 8 + rnd(13);
      generic(w, next, len);
      random_bytes(w, len);
    }
  }
  return types[0];
}

static size_t make_one(uint8_t *out, size_t cap)
{
  struct buf_writer w;
  bw_init(&w, out, cap);
  if (rnd(2)) { /* a whole datagram: Informational, E clear */
    random_bytes(&w, 16);
    size_t first_at = bw_pos(&w);
    bw_u8(&w, 0);
    bw_u8(&w, 0x10);
    bw_u8(&w, ISAKMP_XCHG_INFO);
    bw_u8(&w, 0);
    bw_u32(&w, 1 + rnd(0xfffffffeu));
    bw_u32(&w, 0); /* length, patched below */
    uint8_t first = chain(&w);
    size_t len = bw_pos(&w);
    out[first_at] = first;
    for (int i = 0; i < 4; i++)
      out[24 + i] = (uint8_t)(len >> (24 - 8 * i));
    return bw_ok(&w) ? len : 0;
  }
  /* fuzz_isakmp_decode's other form: the first payload type, then a
   * decrypted body with its cipher padding */
  size_t first_at = bw_pos(&w);
  bw_u8(&w, 0);
  out[first_at] = chain(&w);
  random_bytes(&w, rnd(8));
  return bw_ok(&w) ? bw_pos(&w) : 0;
}

/* Without the bug the decoder takes it: the notification is reached. */
static bool reaches_notify(const uint8_t *p, size_t len)
{
  static struct isakmp_msg msg;
  struct isakmp_error err;
  if (len >= ISAKMP_HDR_LEN && p[17] == 0x10 && p[18] == ISAKMP_XCHG_INFO &&
      isakmp_decode(&msg, p, len, &err))
    return true;
  isakmp_msg_reset(&msg);
  return isakmp_decode_chain(&msg, p[0], slice_of(p + 1, len - 1), ISAKMP_HDR_LEN, true, &err);
}

int main(int argc, char **argv)
{
  if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc < 2 ? stderr : stdout,
            "usage: %s DIR [N]\nWrites N (default 50) inputs of fuzz_isakmp_decode that reach "
            "the IKELAB_PLANTED_BUG over-read, DIR/planted-NN.\n",
            argv[0]);
    return argc < 2 ? 2 : 0;
  }
  char *end;
  long n = argc == 3 ? strtol(argv[2], &end, 10) : 50;
  if (argc == 3 && (*end || n < 1 || n > 10000)) {
    fprintf(stderr, "make_planted_crashes: N %s: expected 1 to 10000\n", argv[2]);
    return 2;
  }
  if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "make_planted_crashes: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  rng_state = 0x9e3779b97f4a7c15ull;
  for (long i = 0; i < n; i++) {
    uint8_t buf[1024];
    size_t len = make_one(buf, sizeof buf);
    if (len == 0 || !reaches_notify(buf, len)) {
      fprintf(stderr, "make_planted_crashes: input %ld (%zu bytes) does not reach the "
                      "notification\n", i, len);
      return 1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/planted-%02ld", argv[1], i);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
      fprintf(stderr, "make_planted_crashes: %s: %s\n", path, strerror(errno));
      return 1;
    }
  }
  printf("make_planted_crashes: %ld inputs in %s\n", n, argv[1]);
  return 0;
}
