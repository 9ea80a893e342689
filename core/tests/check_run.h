/* Shared entry point of every Check suite: each test file defines
 * ikelab_suite() and links check_run.c, which runs it with CK_FORK on so a
 * sanitizer abort fails one test, not the runner. */
#ifndef IKELAB_CHECK_RUN_H
#define IKELAB_CHECK_RUN_H
#include <check.h>

Suite *ikelab_suite(void);

/* Path of a file in the source tree (IKELAB_SOURCE_DIR is set by ctest). */
const char *test_source_path(const char *relative);

#endif
