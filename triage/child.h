/* Running a reproducer as a child process: its stdout and stderr captured
 * together, extra environment set, and killed (its whole process group)
 * when it outlives its time. */
#ifndef IKELAB_TRIAGE_CHILD_H
#define IKELAB_TRIAGE_CHILD_H

#include <stdbool.h>
#include <stddef.h>

struct child_result {
  char *output;     /* NUL-terminated, at most CHILD_OUTPUT_MAX bytes kept */
  size_t len;
  int status;       /* waitpid's status */
  bool timed_out;   /* killed at the deadline */
  double seconds;   /* wall time */
};

enum { CHILD_OUTPUT_MAX = 4 << 20 };

/* argv[0] is a path; env holds "NAME=value" strings set in the child (NULL
 * ends the list; env may be NULL). A timeout of 0 waits for ever. False
 * (and why in err) only when the child could not be started. */
bool child_run(char *const argv[], char *const env[], unsigned timeout_s,
               struct child_result *res, char *err, size_t errlen);
void child_result_free(struct child_result *res);

/* Several at once: up to `jobs` children run together, each task's result
 * filled in. False (and why) when one could not be started; the others
 * that did start are still waited for. */
struct child_task {
  char **argv, **env;
  const char *stdin_path; /* NULL: /dev/null */
  unsigned timeout_s;
  struct child_result res;
};
bool child_run_many(struct child_task *tasks, size_t ntasks, unsigned jobs, char *err,
                    size_t errlen);
/* "exit 0", "exit 1", "signal 11 (SIGSEGV)", "killed after 10 s (timeout)". */
void child_describe(const struct child_result *res, unsigned timeout_s, char *out, size_t outlen);
/* A clean run: exit 0, no signal, no timeout. */
bool child_clean(const struct child_result *res);

#endif
