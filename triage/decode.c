/* Decoding reproducers for the report. The scripts are read with the
 * mutator's step reader (mut_script_parse), which reads them as the
 * targets do; the packets go through the project's own dissector. */
#include "decode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "initiator_env.h"
#include "mut_script.h"
#include "pcap_write.h"
#include "quick_env.h"
#include "quick_peer.h"
#include "responder_env.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct sink {
  FILE *out;
  struct pcap_out *pcap;
  int packets;
};

static void hexdump(FILE *out, const uint8_t *p, size_t n, size_t max)
{
  for (size_t i = 0; i < n && i < max; i += 16) {
    fprintf(out, "    %04zx ", i);
    for (size_t j = i; j < i + 16 && j < n; j++)
      fprintf(out, " %02x", p[j]);
    fputc('\n', out);
  }
  if (n > max)
    fprintf(out, "    ... (%zu bytes more)\n", n - max);
}

/* A datagram: dissected, and into the pcap. */
static void datagram(struct sink *s, const uint8_t *p, size_t n, unsigned ts)
{
  uint8_t *exact = malloc(n ? n : 1); /* the dissector reads an exact-size copy too */
  if (!exact)
    return;
  memcpy(exact, p, n);
  isakmp_dissect_packet(exact, n, s->out);
  free(exact);
  if (s->pcap && pcap_out_add(s->pcap, PEER_ADDR, RESPONDER_ADDR, p, n, ts))
    s->packets++;
}

/* A plaintext payload chain as a target hands it to the decoder (a
 * decrypted body, padding allowed), then a datagram around it for the pcap:
 * a header with zero cookies made up here, the E flag clear. */
static void chain(struct sink *s, uint8_t first, uint8_t exchange, uint32_t msgid,
                  const uint8_t *p, size_t n, unsigned ts)
{
  static struct isakmp_msg msg;
  struct isakmp_error err;
  char why[320];
  uint8_t *exact = malloc(n ? n : 1);
  if (!exact)
    return;
  memcpy(exact, p, n);
  isakmp_msg_reset(&msg);
  if (isakmp_decode_chain(&msg, first, slice_of(exact, n), ISAKMP_HDR_LEN, true, &err)) {
    /* The header the pcap gets, so both show the same message. */
    msg.hdr.next_payload = first;
    msg.hdr.major = 1;
    msg.hdr.exchange = exchange;
    msg.hdr.msgid = msgid;
    msg.hdr.length = (uint32_t)(ISAKMP_HDR_LEN + n);
    isakmp_dissect(&msg, s->out);
    if (msg.padding.len)
      fprintf(s->out, "  padding: %zu bytes\n", msg.padding.len);
  } else {
    isakmp_error_format(&err, why, sizeof why);
    fprintf(s->out, "REJECT %s\n", why);
  }
  free(exact);
  if (!s->pcap || n > 65535 - ISAKMP_HDR_LEN - 28)
    return;
  uint8_t *dgram = malloc(ISAKMP_HDR_LEN + n);
  if (!dgram)
    return;
  struct buf_writer w;
  bw_init(&w, dgram, ISAKMP_HDR_LEN + n);
  for (int i = 0; i < 16; i++)
    bw_u8(&w, 0);
  bw_u8(&w, first);
  bw_u8(&w, 0x10);
  bw_u8(&w, exchange);
  bw_u8(&w, 0);
  bw_u32(&w, msgid);
  bw_u32(&w, (uint32_t)(ISAKMP_HDR_LEN + n));
  bw_bytes(&w, p, n);
  if (bw_ok(&w) && pcap_out_add(s->pcap, PEER_ADDR, RESPONDER_ADDR, dgram, bw_pos(&w), ts))
    s->packets++;
  free(dgram);
}

/* ---- fuzz_isakmp_decode ---- */

static void isakmp_decode_input(struct sink *s, const uint8_t *p, size_t n)
{
  fprintf(s->out, "fuzz_isakmp_decode reads the input twice.\n\n"
                  "1. As a datagram (whole_message):\n");
  datagram(s, p, n, 0);
  fprintf(s->out, "\n2. As a decrypted payload chain (plaintext_chain): byte 0 is the first "
                  "payload type, the rest the body; in the pcap under a made-up header "
                  "(zero cookies, Informational, E clear):\n");
  if (n == 0) {
    fprintf(s->out, "(empty: not run)\n");
    return;
  }
  fprintf(s->out, "first payload type %u (%s)\n", p[0],
          isakmp_payload_name(p[0]) ? isakmp_payload_name(p[0]) : "unknown");
  chain(s, p[0], ISAKMP_XCHG_INFO, 0, p + 1, n - 1, 1);
}

/* ---- the stateful targets' scripts ---- */

static const char *step_name(enum mut_format fmt, uint8_t op, char *buf, size_t buflen)
{
  static const char *const responder[STEP_COUNT] = {
      [STEP_PACKET] = "PACKET", [STEP_CLOCK] = "CLOCK",       [STEP_REPLAY] = "REPLAY",
      [STEP_RAW] = "RAW",       [STEP_SEALED] = "SEALED",     [STEP_FAIL_SEND] = "FAIL_SEND",
      [STEP_TRIGGER] = "TRIGGER", [STEP_TEMPLATE] = "TEMPLATE", [STEP_SHADOW] = "SHADOW"};
  static const char *const quick[QSTEP_COUNT] = {
      [QSTEP_QM] = "QM",         [QSTEP_INFO] = "INFO",       [QSTEP_RAW] = "RAW",
      [QSTEP_CLOCK] = "CLOCK",   [QSTEP_REPLAY] = "REPLAY",   [QSTEP_FAIL_SEND] = "FAIL_SEND",
      [QSTEP_TRIGGER] = "TRIGGER", [QSTEP_DOWN] = "DOWN",     [QSTEP_VOLUME] = "VOLUME"};
  static const char *const initiator[ISTEP_COUNT] = {
      [ISTEP_TEMPLATE] = "TEMPLATE", [ISTEP_RAW] = "RAW",         [ISTEP_CLOCK] = "CLOCK",
      [ISTEP_REPLAY] = "REPLAY",     [ISTEP_FAIL_SEND] = "FAIL_SEND", [ISTEP_TRIGGER] = "TRIGGER",
      [ISTEP_LOSE] = "LOSE",         [ISTEP_PEER] = "PEER"};
  const char *name = NULL;
  if (fmt == MUT_FMT_RESPONDER && op < COUNT(responder))
    name = responder[op];
  else if (fmt == MUT_FMT_QUICK)
    name = quick[op % QSTEP_COUNT];
  else if (fmt == MUT_FMT_INITIATOR)
    name = initiator[op % ISTEP_COUNT];
  if (name)
    return name;
  snprintf(buf, buflen, "op 0x%02x", op);
  return buf;
}

static uint32_t be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void seal_flags(FILE *out, uint8_t flags)
{
  fprintf(out, "flags 0x%02x%s%s%s%s", flags, flags & SEAL_HASH ? " HASH" : "",
          flags & SEAL_COPY_MSGID ? " COPY_MSGID" : "", flags & SEAL_CLEAR ? " CLEAR" : "",
          flags & SEAL_EXTRA_PAD ? " EXTRA_PAD" : "");
}

/* A chain step's operands: where its flags, exchange, M-ID and first
 * payload type are (fuzz_responder's SEALED has an exchange byte). */
static void chain_step(struct sink *s, const struct mut_script *sc, const struct mut_step *st,
                       unsigned ts)
{
  const uint8_t *o = st->opnd;
  bool responder = sc->fmt == MUT_FMT_RESPONDER;
  uint8_t exchange = responder ? (o[1] == SEALED_INFO  ? ISAKMP_XCHG_INFO
                                  : o[1] == SEALED_MM5 ? ISAKMP_XCHG_IDPROT
                                                       : ISAKMP_XCHG_QUICK)
                     : st->op % QSTEP_COUNT == QSTEP_INFO ? ISAKMP_XCHG_INFO
                                                          : ISAKMP_XCHG_QUICK;
  uint32_t msgid = be32(responder ? o + 2 : o + 1);
  uint8_t first = responder ? o[6] : o[5];
  fputs("  ", s->out);
  seal_flags(s->out, o[0]);
  fprintf(s->out, ", %s, M-ID 0x%08" PRIx32 ", first payload %u; the plaintext chain the "
                  "harness seals with the Phase 1 keys:\n",
          exchange == ISAKMP_XCHG_INFO    ? "Informational"
          : exchange == ISAKMP_XCHG_IDPROT ? "Main Mode message 5"
                                          : "Quick Mode",
          msgid, first);
  chain(s, first, exchange, msgid, sc->arena + st->off, st->len, ts);
}

static void raw_flags(FILE *out, uint8_t flags)
{
  fprintf(out, "  flags 0x%02x: copied in from the engine's last datagram at run time:%s%s%s%s\n",
          flags, flags & RAW_COOKIES ? " cookies" : "", flags & RAW_MSGID ? " M-ID" : "",
          flags & RAW_LENGTH ? " length" : "", flags & 7 ? "" : " nothing");
}

static void template_step(struct sink *s, const struct mut_script *sc, const struct mut_step *st)
{
  const uint8_t *r = sc->arena + st->off;
  fprintf(s->out, "  flags 0x%02x%s%s%s%s; the shadow peer's next message with %u "
                  "mutation(s) (template_mutate.h):\n",
          st->opnd[0], st->opnd[0] & TPL_FIX_HASH ? " FIX_HASH" : "",
          st->opnd[0] & TPL_CLEAR ? " CLEAR" : "", st->opnd[0] & TPL_KEEP_LEN ? " KEEP_LEN" : "",
          st->opnd[0] & TPL_DROP ? " DROP" : "", (unsigned)(st->len / 4));
  for (size_t i = 0; i + 4 <= st->len; i += 4)
    fprintf(s->out, "    op %u (modulo %d), offset %u, value 0x%02x\n", r[i], MUT_COUNT,
            (unsigned)r[i + 1] << 8 | r[i + 2], r[i + 3]);
}

static void script_step(struct sink *s, const struct mut_script *sc, size_t i)
{
  const struct mut_step *st = &sc->s[i];
  char buf[16];
  unsigned ts = (unsigned)i + 1;
  fprintf(s->out, "\nstep %zu: %s", i + 1, step_name(sc->fmt, st->op, buf, sizeof buf));
  if (st->nopnd) {
    fputs(" [", s->out);
    for (size_t k = 0; k < st->nopnd; k++)
      fprintf(s->out, "%s%02x", k ? " " : "", st->opnd[k]);
    fputc(']', s->out);
  }
  if (st->body != BODY_NONE)
    fprintf(s->out, ", %" PRIu32 " bytes", st->len);
  fputc('\n', s->out);
  bool raw_flagged = (sc->fmt == MUT_FMT_RESPONDER && st->op == STEP_RAW) ||
                     (sc->fmt == MUT_FMT_INITIATOR && st->op % ISTEP_COUNT == ISTEP_RAW);
  switch (st->body) {
  case BODY_DATAGRAM:
    if (raw_flagged)
      raw_flags(s->out, st->opnd[0]);
    datagram(s, sc->arena + st->off, st->len, ts);
    break;
  case BODY_CHAIN:
    chain_step(s, sc, st, ts);
    break;
  case BODY_RAW: { /* the Phase 1 cookies, then the step's bytes */
    uint8_t *d = malloc(16 + (size_t)st->len);
    if (!d)
      break;
    memset(d, 0, 16);
    memcpy(d + 16, sc->arena + st->off, st->len);
    fprintf(s->out, "  the Phase 1 cookies at run time (zero here), then these bytes:\n");
    datagram(s, d, 16 + (size_t)st->len, ts);
    free(d);
    break;
  }
  case BODY_TPL:
    template_step(s, sc, st);
    break;
  default:
    break;
  }
}

static void script_input(struct sink *s, enum mut_format fmt, const char *target,
                         const uint8_t *p, size_t n)
{
  static struct mut_script sc;
  mut_script_parse(&sc, fmt, p, n);
  fprintf(s->out, "%s script: %zu step(s) run", target, sc.nsteps);
  if (sc.has_variant)
    fprintf(s->out, ", variant byte %u", sc.variant);
  fprintf(s->out, "\n");
  for (size_t i = 0; i < sc.nsteps; i++)
    script_step(s, &sc, i);
  if (sc.tail_len) {
    fprintf(s->out, "\n%" PRIu32 " byte(s) after the last step, not run:\n", sc.tail_len);
    hexdump(s->out, sc.arena + sc.tail_off, sc.tail_len, 256);
  }
}

int decode_reproducer(const char *target, const uint8_t *data, size_t len, FILE *out,
                      const char *pcap_path, char *err, size_t errlen)
{
  struct sink s = {.out = out};
  if (pcap_path && !(s.pcap = pcap_out_open(pcap_path, err, errlen)))
    return -1;
  if (strcmp(target, "fuzz_isakmp_decode") == 0)
    isakmp_decode_input(&s, data, len);
  else if (strcmp(target, "fuzz_responder") == 0)
    script_input(&s, MUT_FMT_RESPONDER, target, data, len);
  else if (strcmp(target, "fuzz_quick_mode") == 0)
    script_input(&s, MUT_FMT_QUICK, target, data, len);
  else if (strcmp(target, "fuzz_initiator") == 0)
    script_input(&s, MUT_FMT_INITIATOR, target, data, len);
  else {
    fprintf(out, "%s: no decoder for this target's input; the bytes:\n", target);
    hexdump(out, data, len, 4096);
  }
  pcap_out_close(s.pcap);
  return s.packets;
}

int decode_isolated(const char *target, const uint8_t *data, size_t len, const char *text_path,
                    const char *pcap_path, char *err, size_t errlen)
{
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    return -1;
  }
  if (pid == 0) {
    char why[512];
    FILE *out = fopen(text_path, "w");
    if (!out)
      _exit(254);
    int n = decode_reproducer(target, data, len, out, pcap_path, why, sizeof why);
    if (n < 0)
      fprintf(out, "pcap: %s\n", why);
    fclose(out);
    /* 100 + packets: a sanitizer's exit status (1) cannot pass for success. */
    _exit(n < 0 ? 253 : 100 + (n > 150 ? 150 : n));
  }
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code >= 100 && code <= 250)
    return code - 100;
  if (code == 254)
    snprintf(err, errlen, "%s: cannot write", text_path);
  else if (code == 253)
    snprintf(err, errlen, "cannot write the pcap %s", pcap_path ? pcap_path : "");
  else if (WIFSIGNALED(status))
    snprintf(err, errlen, "the dissector itself crashed on this input (signal %d): the bug may "
                          "be in the codec; %s holds what it printed", WTERMSIG(status), text_path);
  else
    snprintf(err, errlen, "the dissector itself failed on this input (exit %d, a sanitizer's "
                          "report is on stderr): the bug may be in the codec", code);
  return -1;
}
