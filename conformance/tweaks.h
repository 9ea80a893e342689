/* Config edits shared by the scenario tables (a case's .tweak). Each takes
 * the default configs of runner.h and changes what the case needs. */
#ifndef IKELAB_CONFORM_TWEAKS_H
#define IKELAB_CONFORM_TWEAKS_H

#include "ikelab/rules.h"

/* Both sides' rule 1 negotiates Phase 1 in Aggressive Mode. */
void tweak_aggressive(struct ike_config *a, struct ike_config *b);

#endif
