/* Crafted packets for the RFC 2408 §5 cases (scenarios_rfc2408*.c): a base
 * message (a real one taken from the engines, or one made under B's IKE SA)
 * reshaped, then encoded with craft_build() and its field overrides. A case
 * names its recipe by index: INJECT(side, builder, recipe, 0). */
#ifndef IKELAB_CONFORM_BUILDERS_RFC2408_H
#define IKELAB_CONFORM_BUILDERS_RFC2408_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "craft.h"
#include "ikelab/isakmp.h"
#include "world.h"

enum recipe_base {
  BASE_FIRST = 0, /* A's first message, taken off the wire (builders.h) */
  BASE_WIRE,      /* wire datagram `packet` (a clear one, e.g. dropped on its way) */
  BASE_SEALED,    /* under B's first IKE SA: `exchange`, `msgid`, E flag, a junk body */
  BASE_NOTIFY,    /* under B's first IKE SA: a clear Informational with one Notify */
  BASE_DELETE,    /* under B's first IKE SA: a clear Informational with one Delete */
};

enum { RECIPE_MAX_OV = 4 };

struct recipe {
  enum recipe_base base;
  unsigned packet;           /* BASE_WIRE */
  uint8_t exchange;          /* BASE_SEALED */
  uint32_t msgid;            /* BASE_SEALED */
  uint16_t notify;           /* BASE_NOTIFY: its type */
  bool stranger;             /* made-up cookies instead of B's SA's */
  /* Reshapes the decoded base before it is encoded (NULL: none). */
  void (*edit)(struct isakmp_msg *m);
  struct craft_override ov[RECIPE_MAX_OV];
  size_t nov;
  /* The header length follows a CRAFT_APPEND (the datagram stays
   * consistent; what follows the last payload is the fault). */
  bool fix_length;
  /* Payload pl_index's length moved by pl_delta (0: not), whatever the
   * payload's real length is. */
  unsigned pl_index;
  int pl_delta;
};

/* .ov and .nov of a recipe, from the overrides in order. */
#define OVS(...)                                                                           \
  .ov = {__VA_ARGS__},                                                                     \
  .nov = sizeof((struct craft_override[]){__VA_ARGS__}) / sizeof(struct craft_override)

/* Builds the recipe into out; 0 when it cannot (the case then fails). */
size_t recipe_build(struct world *w, const struct recipe *r, uint8_t *out, size_t cap);

/* Payload edits for recipes. */
void edit_nonce_short(struct isakmp_msg *m);    /* 4 bytes: below RFC 2409's 8 */
void edit_nonce_long(struct isakmp_msg *m);     /* 300 bytes: above its 256 */
void edit_ke_short(struct isakmp_msg *m);       /* 64 bytes for a 128-byte group */
void edit_ke_empty(struct isakmp_msg *m);
void edit_id_ipv4_short(struct isakmp_msg *m);  /* ID_IPV4_ADDR with 3 bytes */
void edit_hash_flip(struct isakmp_msg *m);      /* one HASH byte changed */
void edit_hash_short(struct isakmp_msg *m);     /* HASH cut to 12 bytes */
void edit_add_cert(struct isakmp_msg *m);       /* a CERT of encoding 4 (X.509) */
void edit_add_cert_bad(struct isakmp_msg *m);   /* a CERT of encoding 99 */
void edit_add_cr_bad(struct isakmp_msg *m);     /* a CR of type 99 */
void edit_add_sig(struct isakmp_msg *m);        /* a SIG of 20 bytes */
void edit_add_sig_empty(struct isakmp_msg *m);
void edit_add_vid(struct isakmp_msg *m);        /* a Vendor ID nobody knows */

#endif
