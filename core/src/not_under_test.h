/* NOT_UNDER_TEST marks fuzz-build machinery (stand-ins, memos) that is not
 * the code under test: libFuzzer builds leave it out of coverage, so its
 * branches and compares do not become features the fuzzer chases. */
#ifndef IKELAB_NOT_UNDER_TEST_H
#define IKELAB_NOT_UNDER_TEST_H

#ifdef __clang__
#define NOT_UNDER_TEST __attribute__((no_sanitize("coverage")))
#else
#define NOT_UNDER_TEST
#endif

#endif
