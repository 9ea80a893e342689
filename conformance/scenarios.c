/* Every scenario table, in the order --list shows them. A new table file
 * adds one line here and its source to CMakeLists.txt. */
#include "scenario.h"

extern const struct scenario_table catalogue_cases, datapath_cases, rfc2408_cases;
extern const struct scenario_table rfc2408_payload_cases;
extern const struct scenario_table wire_cases;
extern const struct scenario_table rfc2409_cases;
extern const struct scenario_table crash_cases;

static const struct scenario_table *const tables[] = {
    &catalogue_cases,
    &datapath_cases,
    &rfc2408_cases,
    &rfc2408_payload_cases,
    &wire_cases,
    &rfc2409_cases,
    &crash_cases,
};

size_t scenario_count(void)
{
  size_t n = 0;
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    n += tables[t]->n;
  return n;
}

const struct scenario *scenario_at(size_t i)
{
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
    if (i < tables[t]->n)
      return &tables[t]->cases[i];
    i -= tables[t]->n;
  }
  return NULL;
}
