#include "builders_rfc2408.h"

#include <string.h>

#include "builders.h"
#include "ikelab/isakmp_types.h"

/* The base message and the bytes its slices point into. Static: a message
 * is large, and one case builds one packet at a time. */
static struct isakmp_msg base;
static uint8_t base_pkt[NET_MAX_PACKET];
static uint8_t junk[32];
static uint8_t cookies[16];
static const uint8_t stranger_cookies[16] = {0x51, 2, 3, 4, 5, 6, 7, 8,
                                             0x59, 10, 11, 12, 13, 14, 15, 16};

static bool decode_base(size_t len)
{
  struct isakmp_error err;
  return len > 0 && isakmp_decode(&base, base_pkt, len, &err);
}

/* The cookies of B's first IKE SA (any state), or the stranger's. A real
 * peer's SAs are known by side A's copy: the same cookie pair. */
static bool pick_cookies(struct world *w, const struct recipe *r)
{
  struct ike_sa_info info;
  if (r->stranger) {
    memcpy(cookies, stranger_cookies, 16);
    return true;
  }
  if (!ike_engine_sa_info(w->net.side[w->remote ? SIDE_A : SIDE_B].e, 0, &info))
    return false;
  memcpy(cookies, info.icookie, 8);
  memcpy(cookies + 8, info.rcookie, 8);
  return true;
}

static void header_under(uint8_t exchange, uint32_t msgid, uint8_t flags)
{
  isakmp_msg_reset(&base);
  memcpy(base.hdr.icookie, cookies, 8);
  memcpy(base.hdr.rcookie, cookies + 8, 8);
  base.hdr.major = 1;
  base.hdr.exchange = exchange;
  base.hdr.msgid = msgid;
  base.hdr.flags = flags;
}

static bool made_base(struct world *w, const struct recipe *r)
{
  const struct trace_entry *t;
  struct isakmp_payload *pl;
  switch (r->base) {
  case BASE_FIRST:
    return decode_base(take_first_message(w, base_pkt, sizeof base_pkt));
  case BASE_WIRE:
    t = world_ike_packet(w, r->packet);
    if (!t || t->len > sizeof base_pkt)
      return false;
    memcpy(base_pkt, t->data, t->len);
    return decode_base(t->len);
  case BASE_SEALED:
    if (!pick_cookies(w, r))
      return false;
    header_under(r->exchange, r->msgid, ISAKMP_FLAG_E);
    memset(junk, 0x5a, sizeof junk);
    base.hdr.next_payload = ISAKMP_NP_HASH;
    base.encrypted = slice_of(junk, sizeof junk);
    return true;
  case BASE_NOTIFY:
    if (!pick_cookies(w, r))
      return false;
    header_under(ISAKMP_XCHG_INFO, 0x3d3d3d3d, 0);
    pl = isakmp_add_payload(&base, ISAKMP_NP_N);
    pl->u.notify.doi = ISAKMP_DOI_IPSEC;
    pl->u.notify.protocol = ISAKMP_PROTO_ISAKMP;
    pl->u.notify.type = r->notify;
    pl->u.notify.spi = slice_of(cookies, 16);
    return true;
  case BASE_DELETE:
    if (!pick_cookies(w, r))
      return false;
    header_under(ISAKMP_XCHG_INFO, 0x3d3d3d3d, 0);
    pl = isakmp_add_payload(&base, ISAKMP_NP_D);
    pl->u.del.doi = ISAKMP_DOI_IPSEC;
    pl->u.del.protocol = ISAKMP_PROTO_ISAKMP;
    pl->u.del.spi_size = 16;
    pl->u.del.nspis = 1;
    pl->u.del.spis = slice_of(cookies, 16);
    return true;
  }
  return false;
}

/* The override that moves payload r->pl_index's length by r->pl_delta. */
static bool length_moved(const struct recipe *r, uint8_t *out, size_t cap,
                         struct craft_override *ov)
{
  static struct isakmp_msg again;
  struct isakmp_error err;
  size_t len = isakmp_encode(&base, out, cap);
  if (len == 0 || !isakmp_decode(&again, out, len, &err) || r->pl_index >= again.npayloads)
    return false;
  size_t at = again.payloads[r->pl_index].offset + 2;
  int now = out[at] << 8 | out[at + 1];
  *ov = (struct craft_override){CRAFT_PL_LENGTH, r->pl_index, (uint32_t)(now + r->pl_delta),
                                NULL};
  return now + r->pl_delta >= 0;
}

size_t recipe_build(struct world *w, const struct recipe *r, uint8_t *out, size_t cap)
{
  struct craft_override ov[RECIPE_MAX_OV + 1];
  size_t n = 0;
  if (!made_base(w, r))
    return 0;
  if (r->edit)
    r->edit(&base);
  for (; n < r->nov && n < RECIPE_MAX_OV; n++)
    ov[n] = r->ov[n];
  if (r->fix_length && n > 0 && ov[n - 1].field == CRAFT_APPEND) {
    /* The encoded length, plus what the append adds. */
    size_t len = isakmp_encode(&base, out, cap);
    uint32_t added = ov[n - 1].value;
    if (len == 0)
      return 0;
    ov[n++] = (struct craft_override){CRAFT_HDR_LENGTH, 0, (uint32_t)len + added, NULL};
  }
  if (r->pl_delta && !length_moved(r, out, cap, &ov[n++]))
    return 0;
  return craft_build(&base, ov, n, out, cap, NULL, 0);
}

/* ---- payload edits ---- */

static struct isakmp_payload *first_of(struct isakmp_msg *m, uint8_t type)
{
  for (size_t i = 0; i < m->npayloads; i++)
    if (m->payloads[i].type == type)
      return &m->payloads[i];
  return NULL;
}

static uint8_t filler[320];

static void set_data(struct isakmp_msg *m, uint8_t type, size_t len)
{
  struct isakmp_payload *pl = first_of(m, type);
  memset(filler, 0x6b, sizeof filler);
  if (pl)
    pl->u.data = slice_of(filler, len);
}

void edit_nonce_short(struct isakmp_msg *m) { set_data(m, ISAKMP_NP_NONCE, 4); }
void edit_nonce_long(struct isakmp_msg *m) { set_data(m, ISAKMP_NP_NONCE, 300); }
void edit_ke_short(struct isakmp_msg *m) { set_data(m, ISAKMP_NP_KE, 64); }
void edit_ke_empty(struct isakmp_msg *m) { set_data(m, ISAKMP_NP_KE, 0); }

void edit_id_ipv4_short(struct isakmp_msg *m)
{
  struct isakmp_payload *pl = first_of(m, ISAKMP_NP_ID);
  if (pl && pl->u.id.data.len > 3)
    pl->u.id.data.len = 3;
}

static uint8_t hash_copy[64];

void edit_hash_flip(struct isakmp_msg *m)
{
  struct isakmp_payload *pl = first_of(m, ISAKMP_NP_HASH);
  if (!pl || pl->u.data.len == 0 || pl->u.data.len > sizeof hash_copy)
    return;
  size_t len = slice_copy(pl->u.data, hash_copy, sizeof hash_copy);
  hash_copy[len - 1] ^= 0x01;
  pl->u.data = slice_of(hash_copy, len);
}

void edit_hash_short(struct isakmp_msg *m)
{
  struct isakmp_payload *pl = first_of(m, ISAKMP_NP_HASH);
  if (pl && pl->u.data.len > 12)
    pl->u.data.len = 12;
}

static void add_cert(struct isakmp_msg *m, uint8_t type, uint8_t encoding, size_t len)
{
  struct isakmp_payload *pl = isakmp_add_payload(m, type);
  memset(filler, 0x30, sizeof filler);
  if (pl) {
    pl->u.cert.encoding = encoding;
    pl->u.cert.data = slice_of(filler, len);
  }
}

void edit_add_cert(struct isakmp_msg *m) { add_cert(m, ISAKMP_NP_CERT, 4, 40); }
void edit_add_cert_bad(struct isakmp_msg *m) { add_cert(m, ISAKMP_NP_CERT, 99, 40); }
void edit_add_cr_bad(struct isakmp_msg *m) { add_cert(m, ISAKMP_NP_CR, 99, 0); }

static void add_data(struct isakmp_msg *m, uint8_t type, size_t len)
{
  struct isakmp_payload *pl = isakmp_add_payload(m, type);
  memset(filler, 0x77, sizeof filler);
  if (pl)
    pl->u.data = slice_of(filler, len);
}

void edit_add_sig(struct isakmp_msg *m) { add_data(m, ISAKMP_NP_SIG, 20); }
void edit_add_sig_empty(struct isakmp_msg *m) { add_data(m, ISAKMP_NP_SIG, 0); }
void edit_add_vid(struct isakmp_msg *m) { add_data(m, ISAKMP_NP_VID, 16); }
