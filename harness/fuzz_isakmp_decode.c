/* fuzz_isakmp_decode: the codec's round trip.
 *
 * Invariants checked, each a crash when broken:
 *  - a message the decoder accepts encodes back to exactly the same bytes,
 *    and the re-encoded bytes decode again to a message that agrees with
 *    the first (header, every payload's type and offset, pool counts, and
 *    the same bytes once more when encoded);
 *  - a rejection names a notify type from the RFC 2408 table, a field, and
 *    an offset inside the packet;
 *  - a plaintext chain with trailing padding (a decrypted body) re-encodes
 *    to the same bytes, padding included;
 *  - the payload symbols of any accepted message fit ISAKMP_SYMBOLS_MAX,
 *    and in a log event's room they are the whole list or whole symbols
 *    then "...". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikelab/isakmp.h"
#include "ikelab/isakmp_dissect.h"
#include "ikelab/log.h"

#define MAX_DATAGRAM 65535

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
  fprintf(stderr, "fuzz_isakmp_decode: invariant broken: %s\n", what);
  abort();
}

static void check_rejection(const struct isakmp_error *err, size_t size)
{
  if (!isakmp_name_of(&isakmp_notify_names, err->notify))
    broken("rejection with a notify type outside the table");
  if (!err->field || err->text[0] == '\0')
    broken("rejection without a field or text");
  if (err->offset > size)
    broken("rejection offset past the end of the packet");
}

static void same_message(const struct isakmp_msg *a, const struct isakmp_msg *b)
{
  if (memcmp(&a->hdr, &b->hdr, sizeof a->hdr) != 0)
    broken("the two decodes disagree on the header");
  if (a->npayloads != b->npayloads || a->nproposals != b->nproposals ||
      a->ntransforms != b->ntransforms || a->nattrs != b->nattrs ||
      a->encrypted.len != b->encrypted.len || a->padding.len != b->padding.len)
    broken("the two decodes disagree on counts");
  for (size_t i = 0; i < a->npayloads; i++)
    if (a->payloads[i].type != b->payloads[i].type ||
        a->payloads[i].offset != b->payloads[i].offset)
      broken("the two decodes disagree on a payload");
  for (size_t i = 0; i < a->nattrs; i++)
    if (a->attrs[i].type != b->attrs[i].type || a->attrs[i].tv != b->attrs[i].tv ||
        a->attrs[i].tv_value != b->attrs[i].tv_value ||
        !slice_eq(a->attrs[i].value, b->attrs[i].value))
      broken("the two decodes disagree on an attribute");
}

/* A log event keeps LOG_PAYLOADS_MAX of the list: all of it, or a cut
 * that says so (isakmp.h). */
static void check_symbols(const struct isakmp_msg *m)
{
  char all[ISAKMP_SYMBOLS_MAX], cut[LOG_PAYLOADS_MAX];
  size_t need = isakmp_payload_symbols(m, all, sizeof all);
  if (need >= sizeof all || strlen(all) != need)
    broken("payload symbols longer than ISAKMP_SYMBOLS_MAX");
  isakmp_payload_symbols(m, cut, sizeof cut);
  size_t n = strlen(cut);
  if (need < sizeof cut) {
    if (strcmp(cut, all) != 0)
      broken("a payload list with room to spare was changed");
  } else if (n < 4 || strcmp(cut + n - 3, "...") != 0 || cut[n - 4] != '>' ||
             strncmp(cut, all, n - 3) != 0 || all[n - 3] != '<') {
    broken("a payload list cut for a log event is not whole symbols then \"...\"");
  }
}

static void whole_message(const uint8_t *data, size_t size)
{
  static struct isakmp_msg first, again;
  static uint8_t out[MAX_DATAGRAM], out2[MAX_DATAGRAM];
  struct isakmp_error err;
  if (!isakmp_decode(&first, data, size, &err)) {
    check_rejection(&err, size);
    return;
  }
  size_t n = isakmp_encode(&first, out, sizeof out);
  if (n != size || memcmp(out, data, size) != 0)
    broken("decode then encode changed the bytes");
  if (!isakmp_decode(&again, out, n, &err))
    broken("re-encoded message was rejected");
  same_message(&first, &again);
  if (isakmp_encode(&again, out2, sizeof out2) != n || memcmp(out2, out, n) != 0)
    broken("the second decode encodes differently");
  check_symbols(&first);
}

/* First byte: the first payload type; the rest: a decrypted body. The
 * decoder is told what it is told in real use: the type came from the
 * header (offset 16) and the body starts after the header. */
static void plaintext_chain(const uint8_t *data, size_t size)
{
  static struct isakmp_msg msg;
  static uint8_t out[MAX_DATAGRAM];
  struct buf_reader r;
  uint8_t first;
  struct isakmp_error err;
  br_init(&r, data, size);
  if (!br_u8(&r, &first))
    return;
  struct buf_slice body = br_rest(&r);
  isakmp_msg_reset(&msg);
  if (!isakmp_decode_chain(&msg, first, body, ISAKMP_HDR_LEN, true, &err)) {
    check_rejection(&err, ISAKMP_HDR_LEN + body.len);
    return;
  }
  struct buf_writer w;
  bw_init(&w, out, sizeof out);
  isakmp_encode_chain(&msg, &w);
  if (!bw_ok(&w) || !slice_eq(bw_written(&w), body))
    broken("plaintext chain did not re-encode to the same bytes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > MAX_DATAGRAM)
    return -1; /* not a datagram: keep it out of the corpus */
  whole_message(data, size);
  plaintext_chain(data, size);
  return 0;
}
