#include "check_run.h"

#include <stdio.h>
#include <stdlib.h>

const char *test_source_path(const char *relative)
{
  static char path[4096];
  const char *root = getenv("IKELAB_SOURCE_DIR");
  snprintf(path, sizeof path, "%s/%s", root ? root : ".", relative);
  return path;
}

int main(void)
{
  SRunner *runner = srunner_create(ikelab_suite());
  srunner_set_fork_status(runner, CK_FORK);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
