#include "tweaks.h"

void tweak_aggressive(struct ike_config *a, struct ike_config *b)
{
  a->rules[0].mode = b->rules[0].mode = IKE_MODE_AGGRESSIVE;
}
