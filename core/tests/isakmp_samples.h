/* Representative messages built with the codec's builders, shared by the
 * codec tests and the tshark oracle test. */
#ifndef IKELAB_ISAKMP_SAMPLES_H
#define IKELAB_ISAKMP_SAMPLES_H

#include "ikelab/isakmp.h"

enum sample_id {
  SAMPLE_MM1,          /* Main Mode 1: SA with two Oakley transforms, VIDs */
  SAMPLE_MM3,          /* Main Mode 3: KE, NONCE, NAT-D x2 */
  SAMPLE_AM1,          /* Aggressive Mode 1: SA, KE, NONCE, ID */
  SAMPLE_QM1,          /* Quick Mode 1 (as if decrypted): HASH SA NONCE KE ID ID NAT-OA */
  SAMPLE_INFO_NOTIFY,  /* Informational: NO-PROPOSAL-CHOSEN with SPI and data */
  SAMPLE_INFO_DELETE,  /* Informational: HASH, Delete of two ESP SPIs */
  SAMPLE_CERTS,        /* ID Protection with CERT, CR, SIG */
  SAMPLE_DRAFT_NATT,   /* draft NAT-T payload numbers 130 and 131 */
  SAMPLE_COUNT
};

extern const char *const sample_names[SAMPLE_COUNT];
/* Expected Table 27-3 symbols of each sample's chain. */
extern const char *const sample_symbols[SAMPLE_COUNT];

/* Builds sample id into msg (reset first). */
void sample_build(enum sample_id id, struct isakmp_msg *msg);

#endif
