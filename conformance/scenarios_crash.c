/* Malformed-packet patterns that crashed other IKEv1 stacks (racoon /
 * ipsec-tools, Openswan and Libreswan pluto, strongSwan charon IKEv1,
 * vendor stacks): absurd SA lengths and counts, zero-length payloads,
 * cookies reused after a refusal, a deleted SA spoken to again, proposals
 * that yield no keying material. Each must end in its notify or a
 * deliberate silence, never in a crash or in state left behind; the
 * runner's recovery check then proves both engines still negotiate.
 *
 * Clear first messages are A's real Main or Aggressive Mode 1, decoded and
 * re-crafted (craft.h). Encrypted ones come from the scripted peer of
 * builders_crash.h, which completes Main Mode with B on its own keys. */
#include <string.h>

#include "builders.h"
#include "builders_crash.h"
#include "craft.h"
#include "ikelab/isakmp.h"
#include "ikelab/isakmp_types.h"
#include "scenario.h"
#include "tweaks.h"

static struct isakmp_msg msg;
static uint8_t src[NET_MAX_PACKET];

/* ---- tweaks ---------------------------------------------------------- */

/* Aggressive Mode, and A offers 3DES where B wants AES: B refuses AM1. */
static void aggressive_mismatch(struct ike_config *a, struct ike_config *b)
{
  tweak_aggressive(a, b);
  a->rules[0].p1[0].encr = OAKLEY_ENCR_3DES_CBC;
  a->rules[0].p1[0].key_bits = 0;
}
/* B accepts ESP-NULL only with HMAC-SHA1 integrity. */
static void b_esp_null(struct ike_config *a, struct ike_config *b)
{
  (void)a;
  b->rules[0].p2[0].encr = ISAKMP_ESP_NULL;
  b->rules[0].p2[0].key_bits = 0;
}
static void b_ah(struct ike_config *a, struct ike_config *b)
{
  (void)a;
  b->rules[0].p2[0].protocol = ISAKMP_PROTO_AH;
  b->rules[0].p2[0].encr = 0;
  b->rules[0].p2[0].key_bits = 0;
}

/* ---- clear first messages -------------------------------------------- */

/* A's first message, decoded into msg (slices point into src). */
static bool first_decoded(struct world *w)
{
  struct isakmp_error err;
  size_t len = take_first_message(w, src, sizeof src);
  return len && isakmp_decode(&msg, src, len, &err);
}

static size_t payload_index(uint8_t type)
{
  for (size_t i = 0; i < msg.npayloads; i++)
    if (msg.payloads[i].type == type)
      return i;
  return msg.npayloads;
}

struct pattern {
  const struct craft_override *ov;
  size_t n;
};
#define OV(...)                                                                          \
  {(const struct craft_override[]){__VA_ARGS__},                                         \
   sizeof((const struct craft_override[]){__VA_ARGS__}) / sizeof(struct craft_override)}

/* SA payload patterns on A's first message (the SA is payload 0; its one
 * transform carries ENC, KEY_LENGTH, HASH, AUTH, GROUP, LIFE_TYPE,
 * LIFE_DURATION as attributes 0-6). */
enum {
  SA_NTRANSFORMS_255, SA_MORE_PROPOSALS, SA_PROP_LEN_FFFF, SA_XFORM_LEN_4, SA_ATTR_PAST_END,
  SA_PROP_LEN_8, SA_LEN_SHORT, SA_NEXT_200, SA_KEY_LENGTH_0,
};
static const struct pattern sa_patterns[] = {
    [SA_NTRANSFORMS_255] = OV({CRAFT_PROP_NTRANSFORMS, 0, 255, NULL}),
    [SA_MORE_PROPOSALS] = OV({CRAFT_PROP_NEXT, 0, ISAKMP_NP_P, NULL}),
    [SA_PROP_LEN_FFFF] = OV({CRAFT_PROP_LENGTH, 0, 0xffff, NULL}),
    [SA_XFORM_LEN_4] = OV({CRAFT_XFORM_LENGTH, 0, 4, NULL}),
    /* LIFE_DURATION turned TLV, claiming 0xfff0 bytes. */
    [SA_ATTR_PAST_END] = OV({CRAFT_ATTR_TYPE, 6, OAKLEY_ATTR_LIFE_DURATION, NULL},
                            {CRAFT_ATTR_VALUE, 6, 0xfff0, NULL}),
    /* The proposal ends after its own header; its transform spills out. */
    [SA_PROP_LEN_8] = OV({CRAFT_PROP_LENGTH, 0, 8, NULL}),
    /* The SA payload ends inside its proposal's header. */
    [SA_LEN_SHORT] = OV({CRAFT_PL_LENGTH, 0, 16, NULL}),
    [SA_NEXT_200] = OV({CRAFT_PL_NEXT, 0, 200, NULL}),
    [SA_KEY_LENGTH_0] = OV({CRAFT_ATTR_VALUE, 1, 0, NULL}),
};

static size_t first_sa_pattern(struct world *w, const struct action *act, uint8_t *out,
                               size_t cap)
{
  const struct pattern *p = &sa_patterns[act->arg];
  return first_decoded(w) ? craft_build(&msg, p->ov, p->n, out, cap, NULL, 0) : 0;
}

/* AM1 whose ID is ID_FQDN "peer.example" where B's rule knows A by its
 * address. */
static size_t am1_fqdn_id(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  static const char fqdn[] = "peer.example";
  if (!first_decoded(w) || payload_index(ISAKMP_NP_ID) == msg.npayloads)
    return 0;
  struct isakmp_id *id = &msg.payloads[payload_index(ISAKMP_NP_ID)].u.id;
  id->type = ISAKMP_ID_FQDN;
  id->protocol = 0;
  id->port = 0;
  id->data = slice_of((const uint8_t *)fqdn, sizeof fqdn - 1);
  return craft_build(&msg, NULL, 0, out, cap, NULL, 0);
}

/* AM1 with an empty payload of type act->offset (NONCE or KE). */
static size_t am1_empty(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  size_t i;
  if (!first_decoded(w) || (i = payload_index((uint8_t)act->offset)) == msg.npayloads)
    return 0;
  msg.payloads[i].u.data = slice_of(NULL, 0);
  return craft_build(&msg, NULL, 0, out, cap, NULL, 0);
}

/* MM1 whose one transform carries 1900 more attributes of a private-use
 * type (16384): 7.6 kB of SA. */
static size_t mm1_many_attrs(struct world *w, const struct action *act, uint8_t *out,
                             size_t cap)
{
  (void)act;
  if (!first_decoded(w) || msg.ntransforms != 1 ||
      msg.transforms[0].first_attr + msg.transforms[0].nattrs != msg.nattrs)
    return 0;
  for (int i = 0; i < 1900; i++) {
    struct isakmp_attr *a = &msg.attrs[msg.nattrs++];
    *a = (struct isakmp_attr){.type = 16384, .tv = true, .tv_value = (uint16_t)i};
    msg.transforms[0].nattrs++;
  }
  return craft_build(&msg, NULL, 0, out, cap, NULL, 0);
}

/* MM1 followed by 64 Vendor ID payloads: 65 payloads in one message. */
static size_t mm1_65_payloads(struct world *w, const struct action *act, uint8_t *out,
                              size_t cap)
{
  (void)act;
  size_t len = take_first_message(w, out, cap);
  struct isakmp_error err;
  if (!len || !isakmp_decode(&msg, out, len, &err) || len + 64 * 8 > cap)
    return 0;
  out[msg.payloads[msg.npayloads - 1].offset] = ISAKMP_NP_VID; /* was the last */
  for (int i = 0; i < 64; i++, len += 8) {
    static const uint8_t vid[8] = {0, 0, 0, 8, 'c', 'r', 's', 'h'};
    memcpy(out + len, vid, 8);
    out[len] = i < 63 ? ISAKMP_NP_VID : ISAKMP_NP_NONE;
  }
  for (int i = 0; i < 4; i++)
    out[24 + i] = (uint8_t)(len >> (24 - 8 * i));
  return len;
}

/* One byte: no header, no cookies to answer to. */
static size_t one_byte(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)w, (void)act, (void)cap;
  out[0] = 0x01;
  return 1;
}

/* A's first message cut to its header: length 28, next payload SA. */
static size_t header_only(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  size_t len = take_first_message(w, out, cap);
  if (len < ISAKMP_HDR_LEN || out[16] != ISAKMP_NP_SA)
    return 0;
  out[24] = out[25] = out[26] = 0;
  out[27] = ISAKMP_HDR_LEN;
  return ISAKMP_HDR_LEN;
}

/* ---- a refusal's cookie reused --------------------------------------- */

/* A's AM1 again, with the responder cookie B named in its clear
 * NO-PROPOSAL-CHOSEN notify (both from the wire trace). */
static size_t am1_with_refusal_rcookie(struct world *w, const struct action *act, uint8_t *out,
                                       size_t cap)
{
  (void)act;
  struct isakmp_error err;
  const struct trace_entry *am1 = world_ike_packet(w, 1), *t;
  uint8_t rcookie[8];
  bool found = false;
  for (unsigned k = 2; !found && (t = world_ike_packet(w, k)) != NULL; k++)
    if (t->from == SIDE_B && isakmp_decode(&msg, t->data, t->len, &err) &&
        msg.hdr.exchange == ISAKMP_XCHG_INFO && msg.npayloads == 1 &&
        msg.payloads[0].u.notify.type == ISAKMP_N_NO_PROPOSAL_CHOSEN) {
      memcpy(rcookie, msg.hdr.rcookie, 8);
      found = true;
    }
  if (!found || !am1 || am1->from != SIDE_A || am1->len > sizeof src)
    return 0;
  memcpy(src, am1->data, am1->len);
  if (!isakmp_decode(&msg, src, am1->len, &err))
    return 0;
  const struct craft_override ov = {CRAFT_HDR_RCOOKIE, 0, 0, rcookie};
  return craft_build(&msg, &ov, 1, out, cap, NULL, 0);
}

/* ---- encrypted messages from the scripted peer ----------------------- */

static struct mini_peer peer;
enum { QM_MSGID = 0x2bad1dea, INFO_MSGID = 0x1de1e7e0 };

/* Quick Mode 1 patterns, applied to the honest chain (payloads: 0 SA,
 * 1 NONCE, 2 IDci, 3 IDcr; transform 0's attributes: LIFE_TYPE,
 * LIFE_DURATION, ENCAPSULATION, AUTH, KEY_LENGTH). */
enum {
  QM_HONEST, QM_NTRANSFORMS_255, QM_PROP_LEN_FFFF, QM_NEXT_200, QM_XFORM_LEN_4,
  QM_KEY_LENGTH_0, QM_IDCR_FQDN, QM_ESP_NULL_NO_AUTH, QM_AH_NO_AUTH,
};
static const struct pattern qm_patterns[] = {
    [QM_HONEST] = {NULL, 0},
    [QM_NTRANSFORMS_255] = OV({CRAFT_PROP_NTRANSFORMS, 0, 255, NULL}),
    [QM_PROP_LEN_FFFF] = OV({CRAFT_PROP_LENGTH, 0, 0xffff, NULL}),
    [QM_NEXT_200] = OV({CRAFT_PL_NEXT, 1, 200, NULL}),
    [QM_XFORM_LEN_4] = OV({CRAFT_XFORM_LENGTH, 0, 4, NULL}),
    [QM_KEY_LENGTH_0] = OV({CRAFT_ATTR_VALUE, 4, 0, NULL}),
};

/* The honest chain reshaped for the patterns that change content, not
 * bytes. */
static void qm_reshape(unsigned which)
{
  static const char fqdn[] = "peer.example";
  struct isakmp_transform *t = &msg.transforms[0];
  switch (which) {
  case QM_IDCR_FQDN:
    msg.payloads[3].u.id.type = ISAKMP_ID_FQDN;
    msg.payloads[3].u.id.data = slice_of((const uint8_t *)fqdn, sizeof fqdn - 1);
    break;
  case QM_ESP_NULL_NO_AUTH: /* ESP_NULL, no AUTH, no KEY_LENGTH: no keys at all */
    t->id = ISAKMP_ESP_NULL;
    t->nattrs = 3;
    break;
  case QM_AH_NO_AUTH: /* AH-SHA without its AUTH attribute */
    msg.proposals[0].protocol = ISAKMP_PROTO_AH;
    t->id = ISAKMP_AH_SHA;
    t->nattrs = 3;
    break;
  default:
    break;
  }
}

/* Main Mode with B, then Quick Mode 1 carrying qm_patterns[act->arg]. */
static size_t peer_qm1(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  static uint8_t clear[NET_MAX_PACKET], rest[NET_MAX_PACKET];
  uint8_t first;
  if (!mini_main_mode(w, &peer))
    return 0;
  mini_qm1_msg(&peer, &msg);
  qm_reshape((unsigned)act->arg);
  const struct pattern *p = act->arg < sizeof qm_patterns / sizeof qm_patterns[0]
                                ? &qm_patterns[act->arg]
                                : &qm_patterns[QM_HONEST];
  size_t len = craft_build(&msg, p->ov, p->n, clear, sizeof clear, NULL, 0);
  size_t n = mini_rest_of(clear, len, &first, rest, sizeof rest);
  return n ? mini_seal(&peer, ISAKMP_XCHG_QUICK, QM_MSGID, first, rest, n, out, cap) : 0;
}

/* The honest QM1 with its last 5 bytes cut off and the header length
 * following: the body is no whole number of cipher blocks. */
static size_t peer_qm1_cut(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  size_t len = peer_qm1(w, act, out, cap);
  if (len < ISAKMP_HDR_LEN + 16)
    return 0;
  len -= 5;
  for (int i = 0; i < 4; i++)
    out[24 + i] = (uint8_t)(len >> (24 - 8 * i));
  return len;
}

/* A protected Informational under the peer's IKE SA: one payload, built
 * as a clear message and stripped of its header. */
static size_t peer_info(struct isakmp_payload pl, uint32_t msgid, uint8_t *out, size_t cap)
{
  static uint8_t clear[512], rest[512];
  uint8_t first;
  isakmp_msg_reset(&msg);
  msg.hdr.major = 1;
  msg.hdr.exchange = ISAKMP_XCHG_INFO;
  *isakmp_add_payload(&msg, pl.type) = pl;
  size_t len = isakmp_encode(&msg, clear, sizeof clear);
  size_t n = mini_rest_of(clear, len, &first, rest, sizeof rest);
  return n ? mini_seal(&peer, ISAKMP_XCHG_INFO, msgid, first, rest, n, out, cap) : 0;
}

/* Main Mode with B, then the peer deletes the IKE SA (RFC 2409 §5.7). */
static size_t peer_delete(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)act;
  static uint8_t spi[16];
  if (!mini_main_mode(w, &peer))
    return 0;
  memcpy(spi, peer.icookie, 8);
  memcpy(spi + 8, peer.rcookie, 8);
  struct isakmp_payload d = {.type = ISAKMP_NP_D};
  d.u.del = (struct isakmp_delete){ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 16, 1,
                                   slice_of(spi, 16)};
  return peer_info(d, INFO_MSGID, out, cap);
}

/* After the Delete: a protected notify of type act->arg under the keys
 * and cookies of the SA that is gone (a fresh message ID each). */
static size_t peer_notify(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)w;
  static uint8_t seq[4] = {0, 0, 0, 1};
  struct isakmp_payload n = {.type = ISAKMP_NP_N};
  n.u.notify.doi = ISAKMP_DOI_IPSEC;
  n.u.notify.protocol = ISAKMP_PROTO_ISAKMP;
  n.u.notify.type = (uint16_t)act->arg;
  n.u.notify.data = act->arg == ISAKMP_N_R_U_THERE ? slice_of(seq, 4) : slice_of(NULL, 0);
  return peer_info(n, INFO_MSGID + 2 + (uint32_t)act->arg, out, cap);
}

/* After the Delete: the same Delete again, byte for byte. */
static size_t peer_delete_again(struct world *w, const struct action *act, uint8_t *out,
                                size_t cap)
{
  (void)w, (void)act;
  static uint8_t spi[16];
  memcpy(spi, peer.icookie, 8);
  memcpy(spi + 8, peer.rcookie, 8);
  struct isakmp_payload d = {.type = ISAKMP_NP_D};
  d.u.del = (struct isakmp_delete){ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 16, 1,
                                   slice_of(spi, 16)};
  return peer_info(d, INFO_MSGID, out, cap);
}

/* After the Delete: a clear NO-PROPOSAL-CHOSEN under the old cookies. */
static size_t peer_clear_notify(struct world *w, const struct action *act, uint8_t *out,
                                size_t cap)
{
  (void)w, (void)act;
  isakmp_msg_reset(&msg);
  memcpy(msg.hdr.icookie, peer.icookie, 8);
  memcpy(msg.hdr.rcookie, peer.rcookie, 8);
  msg.hdr.major = 1;
  msg.hdr.exchange = ISAKMP_XCHG_INFO;
  struct isakmp_payload *n = isakmp_add_payload(&msg, ISAKMP_NP_N);
  n->u.notify.doi = ISAKMP_DOI_IPSEC;
  n->u.notify.protocol = ISAKMP_PROTO_ISAKMP;
  n->u.notify.type = ISAKMP_N_NO_PROPOSAL_CHOSEN;
  return isakmp_encode(&msg, out, cap);
}

/* After the Delete: Quick Mode 1 under the dead SA. */
static size_t peer_qm_after(struct world *w, const struct action *act, uint8_t *out, size_t cap)
{
  (void)w, (void)act;
  static uint8_t clear[NET_MAX_PACKET], rest[NET_MAX_PACKET];
  uint8_t first;
  mini_qm1_msg(&peer, &msg);
  size_t len = isakmp_encode(&msg, clear, sizeof clear);
  size_t n = mini_rest_of(clear, len, &first, rest, sizeof rest);
  return n ? mini_seal(&peer, ISAKMP_XCHG_QUICK, QM_MSGID, first, rest, n, out, cap) : 0;
}

/* ---- expectations ---------------------------------------------------- */

#define INJECT_B(fn, arg) INJECT(SIDE_B, fn, 0, arg)

/* B refuses a crafted first message (the builder reads arg as act->arg or
 * act->offset) in the decoder: its clear notify is
 * the only thing it logs, and it keeps nothing (RFC 2408 §5.1-5.5). */
#define REFUSED_FIRST(fn, arg, notify)                                                   \
  .actions = ACTIONS(INJECT(SIDE_B, fn, arg, arg), RUN(1000)),                           \
  .expect = {{0}, {.in_order = LINES("Send:<NOTFY>"), .nlogs = EXACTLY(1),               \
                   .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0), .sends_notify = notify}}

/* B's side of the scripted peer's Main Mode, whole. */
#define PEER_MM_LINES                                                                    \
  "Recv Main Mode request from <10.0.0.1>", "Recv:<SA>", "Send:<SA>", "Recv:<KE><NONCE>", \
      "Send:<KE><NONCE>", "Recv:<ID><HASH>", "Send:<ID><HASH>", "Phase 1 IKE SA process done"

/* A Quick Mode 1 whose decrypted chain does not decode: B cannot check
 * its HASH, so it answers PAYLOAD-MALFORMED under the IKE SA (RFC 2408
 * §5.4-5.5; the specific notify would need a chain it can read), counts
 * the error and starts no Phase 2. */
#define QM_UNREADABLE(which) QM_UNREADABLE_BY(peer_qm1, which)
#define QM_UNREADABLE_BY(fn, which)                                                      \
  .actions = ACTIONS(INJECT_B(fn, which), RUN(1000)),                                    \
  .expect = {{0}, {.in_order = LINES(PEER_MM_LINES, "Send:<HASH><NOTFY>"),               \
                   .absent = LINES("Start Phase 2: Quick Mode"), .nlogs = EXACTLY(9),    \
                   .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(0)}},                     \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", ISAKMP_N_PAYLOAD_MALFORMED})

/* A Quick Mode 1 that proves itself but offers what B must refuse. */
#define QM_REFUSED(which, line, notify)                                                  \
  .actions = ACTIONS(INJECT_B(peer_qm1, which), RUN(1000)),                              \
  .expect = {{0}, {.in_order = LINES(PEER_MM_LINES, "Recv:<HASH><SA><NONCE><ID><ID>",    \
                                     "Start Phase 2: Quick Mode", line,                  \
                                     "Send:<HASH><NOTFY>"),                              \
                   .count_line = line, .count = 1, .nlogs = EXACTLY(12),                 \
                   .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(0), .ipsec_up = EXACTLY(0)}}, \
  .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", notify})

static const struct scenario cases[] = {
    /* ---- 1. absurd SA lengths and counts, clear first messages ---- */
    {.id = "CRASH-mm1-ntransforms-255", .covers = "CRASH RFC2408-5.5",
     .what = "MM1 proposal declaring 255 transforms, carrying 1: BAD-PROPOSAL-SYNTAX",
     REFUSED_FIRST(first_sa_pattern, SA_NTRANSFORMS_255, ISAKMP_N_BAD_PROPOSAL_SYNTAX)},
    {.id = "CRASH-am1-ntransforms-255", .covers = "CRASH RFC2408-5.5",
     .what = "AM1 proposal declaring 255 transforms, carrying 1: BAD-PROPOSAL-SYNTAX",
     .tweak = tweak_aggressive,
     REFUSED_FIRST(first_sa_pattern, SA_NTRANSFORMS_255, ISAKMP_N_BAD_PROPOSAL_SYNTAX)},
    {.id = "CRASH-mm1-more-proposals", .covers = "CRASH RFC2408-5.4",
     .what = "MM1 proposal announcing another proposal past the SA's end: PAYLOAD-MALFORMED",
     REFUSED_FIRST(first_sa_pattern, SA_MORE_PROPOSALS, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-proposal-len-ffff", .covers = "CRASH RFC2408-5.4",
     .what = "MM1 proposal length 0xffff: PAYLOAD-MALFORMED",
     REFUSED_FIRST(first_sa_pattern, SA_PROP_LEN_FFFF, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-am1-proposal-len-ffff", .covers = "CRASH RFC2408-5.4",
     .what = "AM1 proposal length 0xffff: PAYLOAD-MALFORMED", .tweak = tweak_aggressive,
     REFUSED_FIRST(first_sa_pattern, SA_PROP_LEN_FFFF, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-transform-len-4", .covers = "CRASH RFC2408-5.5",
     .what = "MM1 transform length 4, below its 8-byte header: PAYLOAD-MALFORMED",
     REFUSED_FIRST(first_sa_pattern, SA_XFORM_LEN_4, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-am1-transform-len-4", .covers = "CRASH RFC2408-5.5",
     .what = "AM1 transform length 4, below its 8-byte header: PAYLOAD-MALFORMED",
     .tweak = tweak_aggressive,
     REFUSED_FIRST(first_sa_pattern, SA_XFORM_LEN_4, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-attr-past-end", .covers = "CRASH RFC2408-5.5",
     .what = "MM1 TLV attribute claiming 0xfff0 bytes: PAYLOAD-MALFORMED",
     REFUSED_FIRST(first_sa_pattern, SA_ATTR_PAST_END, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-am1-attr-past-end", .covers = "CRASH RFC2408-5.5",
     .what = "AM1 TLV attribute claiming 0xfff0 bytes: PAYLOAD-MALFORMED", .tweak = tweak_aggressive,
     REFUSED_FIRST(first_sa_pattern, SA_ATTR_PAST_END, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-proposal-len-8", .covers = "CRASH RFC2408-5.4",
     .what = "MM1 proposal length 8: its transform lies outside it (nested lengths disagree)",
     REFUSED_FIRST(first_sa_pattern, SA_PROP_LEN_8, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-sa-len-short", .covers = "CRASH RFC2408-5.3",
     .what = "MM1 SA payload length 16: it ends inside its proposal's header",
     REFUSED_FIRST(first_sa_pattern, SA_LEN_SHORT, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-mm1-next-200", .covers = "CRASH RFC2408-5.3",
     .what = "MM1 SA payload naming next payload 200: INVALID-PAYLOAD-TYPE",
     REFUSED_FIRST(first_sa_pattern, SA_NEXT_200, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {.id = "CRASH-am1-next-200", .covers = "CRASH RFC2408-5.3",
     .what = "AM1 SA payload naming next payload 200: INVALID-PAYLOAD-TYPE", .tweak = tweak_aggressive,
     REFUSED_FIRST(first_sa_pattern, SA_NEXT_200, ISAKMP_N_INVALID_PAYLOAD_TYPE)},
    {.id = "CRASH-mm1-1900-attributes", .covers = "CRASH RFC2408-5.5",
     /* 7.6 kB of SA is well-formed but more than B keeps for HASH_I (SAi_b,
      * 2 kB): it refuses the offer it cannot hold as PAYLOAD-MALFORMED, its
      * choice, having logged the request. */
     .what = "MM1 transform with 1907 attributes: refused, nothing kept",
     .actions = ACTIONS(INJECT_B(mm1_many_attrs, 0), RUN(1000)),
     .expect = {{0}, {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Send:<NOTFY>"),
                      .absent = LINES("Send:<SA>"), .nlogs = EXACTLY(2), .ike_sas = EXACTLY(0),
                      .sends_notify = ISAKMP_N_PAYLOAD_MALFORMED}}},
    {.id = "CRASH-mm1-65-payloads", .covers = "CRASH RFC2408-5.3",
     .what = "MM1 with 64 Vendor IDs after its SA (65 payloads): PAYLOAD-MALFORMED",
     REFUSED_FIRST(mm1_65_payloads, 0, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-am1-zero-nonce", .covers = "CRASH RFC2409-5",
     .what = "AM1 with a Nonce of 0 bytes (RFC 2409: 8-256): PAYLOAD-MALFORMED",
     .tweak = tweak_aggressive,
     REFUSED_FIRST(am1_empty, ISAKMP_NP_NONCE, ISAKMP_N_PAYLOAD_MALFORMED)},
    {.id = "CRASH-am1-zero-ke", .covers = "CRASH RFC2408-5.5",
     .what = "AM1 with a KE of 0 bytes: INVALID-KEY-INFORMATION", .tweak = tweak_aggressive,
     REFUSED_FIRST(am1_empty, ISAKMP_NP_KE, ISAKMP_N_INVALID_KEY_INFORMATION)},
    {.id = "CRASH-one-byte", .covers = "CRASH RFC2408-5.2",
     .what = "a 1-byte datagram: no cookie to answer, silence, no state",
     .actions = ACTIONS(INJECT_B(one_byte, 0), RUN(1000)),
     .expect = {{0}, {.nlogs = EXACTLY(0), .ike_sas = EXACTLY(0)}}},
    {.id = "CRASH-header-only", .covers = "CRASH RFC2408-5.2",
     .what = "MM1 cut to its header (length 28, next payload SA): PAYLOAD-MALFORMED",
     REFUSED_FIRST(header_only, 0, ISAKMP_N_PAYLOAD_MALFORMED)},

    /* ---- 1. the same inside Quick Mode, under a valid IKE SA ---- */
    {.id = "CRASH-peer-qm-honest", .covers = "CRASH",
     .what = "control: the scripted peer's honest Quick Mode 1 is answered (no SA: no QM3)",
     .actions = ACTIONS(INJECT_B(peer_qm1, QM_HONEST), RUN(1000)),
     .expect = {{0}, {.in_order = LINES(PEER_MM_LINES, "Recv:<HASH><SA><NONCE><ID><ID>",
                                        "Start Phase 2: Quick Mode",
                                        "Send:<HASH><SA><NONCE><ID><ID>"),
                      .ike_sas = EXACTLY(1), .ipsec_sas = EXACTLY(0)}}},
    {.id = "CRASH-qm-ntransforms-255", .covers = "CRASH RFC2408-5.5",
     .what = "QM1 proposal declaring 255 transforms: protected PAYLOAD-MALFORMED",
     QM_UNREADABLE(QM_NTRANSFORMS_255)},
    {.id = "CRASH-qm-proposal-len-ffff", .covers = "CRASH RFC2408-5.4",
     .what = "QM1 proposal length 0xffff: protected PAYLOAD-MALFORMED",
     QM_UNREADABLE(QM_PROP_LEN_FFFF)},
    {.id = "CRASH-qm-transform-len-4", .covers = "CRASH RFC2408-5.5",
     .what = "QM1 transform length 4: protected PAYLOAD-MALFORMED",
     QM_UNREADABLE(QM_XFORM_LEN_4)},
    {.id = "CRASH-qm-next-200", .covers = "CRASH RFC2408-5.3",
     .what = "QM1 Nonce naming next payload 200: protected PAYLOAD-MALFORMED",
     QM_UNREADABLE(QM_NEXT_200)},
    {.id = "CRASH-qm-body-not-blocks", .covers = "CRASH RFC2408-5.3",
     .what = "QM1 whose encrypted body is 5 bytes short of whole blocks: PAYLOAD-MALFORMED",
     QM_UNREADABLE_BY(peer_qm1_cut, QM_HONEST)},
    /* The notify is protected and authentic: A takes it as B's refusal
     * of its Quick Mode and ends it (no resend); nothing is installed. */
    {.id = "CRASH-qm-corrupt-body", .covers = "CRASH RFC2408-5.3",
     .what = "A's real QM1 with its first encrypted byte flipped: protected PAYLOAD-MALFORMED",
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(30000)),
     .impair = IMPAIR({IMP_CORRUPT_BODY, 7, 0}),
     .expect = {{.in_order = LINES("Send:<HASH><SA><NONCE><ID><ID>", "Recv:<HASH><NOTFY>"),
                 .absent = LINES("!! IKE Packet Retransmit"), .ipsec_sas = EXACTLY(0),
                 .ike_established = EXACTLY(1)},
                {.in_order = LINES("Phase 1 IKE SA process done", "Send:<HASH><NOTFY>"),
                 .absent = LINES("Start Phase 2: Quick Mode"), .nlogs = EXACTLY(9),
                 .ipsec_sas = EXACTLY(0), .ike_established = EXACTLY(1)}},
     .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<HASH><NOTFY>", ISAKMP_N_PAYLOAD_MALFORMED})},

    /* ---- 2. a refused Aggressive Mode retried with the refusal's cookie ---- */
    /* RFC 2408 §5.2: a responder cookie B does not hold fails the cookie
     * check; B may say INVALID-COOKIE (it does, unlogged beyond its Send
     * line). It is no new request (no K5), no duplicate of one in progress
     * (no K11: nothing is in progress), and no second K12. */
    {.id = "CRASH-am1-refusal-rcookie", .covers = "CRASH K12 RFC2408-5.2",
     .what = "AM1 refused (3DES vs AES), resent with the rcookie of B's NO-PROPOSAL-CHOSEN",
     .tweak = aggressive_mismatch,
     .actions = ACTIONS(TRIGGER(SIDE_A, 1), RUN(1000), INJECT_B(am1_with_refusal_rcookie, 0),
                        RUN(1000)),
     .expect = {{.ike_sas = EXACTLY(0)},
                {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                                   "Recv:<SA><KE><NONCE><ID>", "!! No proposal chosen",
                                   "Send:<NOTFY>", "Send:<NOTFY>"),
                 .absent = LINES("!! Duplicate requests with the same cookie"),
                 .count_line = "Recv Aggressive Mode request from <10.0.0.1>", .count = 1,
                 .nlogs = EXACTLY(5), .ike_sas = EXACTLY(0),
                 .sends_notify = ISAKMP_N_INVALID_COOKIE}},
     .wire = WIRE({SIDE_B, ISAKMP_XCHG_INFO, "<NOTFY>", ISAKMP_N_NO_PROPOSAL_CHOSEN},
                  {SIDE_B, ISAKMP_XCHG_INFO, "<NOTFY>", ISAKMP_N_INVALID_COOKIE})},

    /* ---- 3. an FQDN identity where the rule knows an address ---- */
    /* Phase 1: B picks the rule by address and binds the ID into HASH_I;
     * A's HASH_I covers its real (IPv4) ID, so AM3 fails authentication. */
    {.id = "CRASH-am1-fqdn-id", .covers = "CRASH RFC2409-5.4",
     .what = "AM1 with ID_FQDN \"peer.example\": AM3 fails, AUTHENTICATION-FAILED, B not up",
     .tweak = tweak_aggressive,
     .actions = ACTIONS(INJECT_B(am1_fqdn_id, 0), RUN(1000)),
     .no_recovery = "Aggressive Mode has no answer to AM3: A, which authenticated B's AM2, "
                    "holds an IKE SA B refused, and B's INVALID-COOKIE is unauthenticated",
     .expect = {{.ike_established = EXACTLY(1), .ipsec_sas = EXACTLY(0)},
                {.in_order = LINES("Recv Aggressive Mode request from <10.0.0.1>",
                                   "Recv:<SA><KE><NONCE><ID>"),
                 .absent = LINES("Phase 1 IKE SA process done"), .ike_established = EXACTLY(0),
                 .ipsec_sas = EXACTLY(0), .sends_notify = ISAKMP_N_AUTHENTICATION_FAILED}}},
    /* Phase 2: IDcr is B's side; an FQDN is not the rule's local range. */
    {.id = "CRASH-qm-idcr-fqdn", .covers = "CRASH K13 RFC2407-4.6.2",
     .what = "QM1 with IDcr ID_FQDN \"peer.example\": K13, INVALID-ID-INFORMATION",
     QM_REFUSED(QM_IDCR_FQDN, "!! Verifying Local ID failed", ISAKMP_N_INVALID_ID_INFORMATION)},

    /* ---- 4. a deleted IKE SA spoken to again ---- */
    /* RFC 2408 §5.2: after the Delete the cookies are unknown. Protected
     * and clear Informationals under them get silence (an Informational is
     * never answered with a notify: no loops); a Quick Mode gets
     * INVALID-COOKIE. Nothing comes back to life. */
    {.id = "CRASH-deleted-sa-spoken-to", .covers = "CRASH RFC2408-5.2 RFC2409-5.7",
     .what = "the peer deletes its IKE SA, then sends notifies, the Delete again and a QM1",
     .actions = ACTIONS(INJECT_B(peer_delete, 0), RUN(100),
                        INJECT_B(peer_notify, ISAKMP_N_R_U_THERE), RUN(100),
                        INJECT_B(peer_notify, ISAKMP_N_INITIAL_CONTACT), RUN(100),
                        INJECT_B(peer_notify, ISAKMP_N_INVALID_SPI), RUN(100),
                        INJECT_B(peer_delete_again, 0), RUN(100),
                        INJECT_B(peer_clear_notify, 0), RUN(100), INJECT_B(peer_qm_after, 0),
                        RUN(1000)),
     .expect = {{0}, {.in_order = LINES(PEER_MM_LINES, "Recv:<HASH><DEL>", "Send:<NOTFY>"),
                      .count_line = "Recv:<HASH><DEL>", .count = 1, .nlogs = EXACTLY(10),
                      .ike_sas = EXACTLY(0), .ipsec_sas = EXACTLY(0),
                      .sends_notify = ISAKMP_N_INVALID_COOKIE}}},

    /* ---- 5. proposals that give no keying material ---- */
    {.id = "CRASH-mm1-key-length-0", .covers = "CRASH K12 RFC2409-5",
     .what = "MM1 offering AES with KEY_LENGTH 0: K12, NO-PROPOSAL-CHOSEN",
     .actions = ACTIONS(INJECT_B(first_sa_pattern, SA_KEY_LENGTH_0), RUN(1000)),
     .expect = {{0}, {.in_order = LINES("Recv Main Mode request from <10.0.0.1>", "Recv:<SA>",
                                        "!! No proposal chosen", "Send:<NOTFY>"),
                      .nlogs = EXACTLY(4), .ike_sas = EXACTLY(0),
                      .sends_notify = ISAKMP_N_NO_PROPOSAL_CHOSEN}}},
    {.id = "CRASH-qm-key-length-0", .covers = "CRASH K12 RFC2407-4.5",
     .what = "QM1 offering ESP AES with KEY_LENGTH 0: K12, NO-PROPOSAL-CHOSEN",
     QM_REFUSED(QM_KEY_LENGTH_0, "!! No proposal chosen", ISAKMP_N_NO_PROPOSAL_CHOSEN)},
    {.id = "CRASH-qm-esp-null-no-auth", .covers = "CRASH K12 RFC2407-4.5",
     .what = "QM1 offering ESP_NULL without authentication (B: NULL+SHA1): K12",
     .tweak = b_esp_null,
     QM_REFUSED(QM_ESP_NULL_NO_AUTH, "!! No proposal chosen", ISAKMP_N_NO_PROPOSAL_CHOSEN)},
    {.id = "CRASH-qm-ah-no-auth", .covers = "CRASH K12 RFC2407-4.5",
     .what = "QM1 offering AH-SHA without its authentication attribute (B: AH SHA1): K12",
     .tweak = b_ah,
     QM_REFUSED(QM_AH_NO_AUTH, "!! No proposal chosen", ISAKMP_N_NO_PROPOSAL_CHOSEN)},
};

const struct scenario_table crash_cases = {cases, sizeof cases / sizeof cases[0]};
