/* The conformance cases under Check (ctest label conformance): one loop
 * iteration per case, so the XML names each failure, and a guard that
 * every catalogue row keeps at least one case. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "ikelab/log.h"
#include "runner.h"

START_TEST(each_case_passes)
{
  const struct scenario *sc = scenario_at((size_t)_i);
  static char why[4096];
  struct run_options opt = {.details = stderr};
  ck_assert_ptr_nonnull(sc);
  ck_assert_msg(run_scenario(sc, &opt, why, sizeof why), "%s (covers %s): %s", sc->id, sc->covers,
                why);
}
END_TEST

START_TEST(every_catalogue_row_has_a_case)
{
  for (int id = 0; id < LOG_ID_COUNT; id++) {
    const char *code = log_row((enum log_id)id)->code;
    size_t n = 0;
    for (size_t i = 0; i < scenario_count(); i++)
      n += scenario_covers(scenario_at(i), code);
    ck_assert_msg(n > 0, "no conformance case covers %s", code);
  }
}
END_TEST

START_TEST(case_ids_are_unique)
{
  for (size_t i = 0; i < scenario_count(); i++)
    for (size_t j = i + 1; j < scenario_count(); j++)
      ck_assert_msg(strcmp(scenario_at(i)->id, scenario_at(j)->id) != 0, "case %s twice",
                    scenario_at(i)->id);
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("conformance");
  TCase *t = tcase_create("cases");
  tcase_set_timeout(t, 60);
  tcase_add_loop_test(t, each_case_passes, 0, (int)scenario_count());
  tcase_add_test(t, every_catalogue_row_has_a_case);
  tcase_add_test(t, case_ids_are_unique);
  suite_add_tcase(s, t);
  return s;
}
