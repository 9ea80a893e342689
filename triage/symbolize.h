/* Symbolising the stacks of reports made with symbolize=0: one
 * llvm-symbolizer for every frame of a batch of runs, instead of one per
 * crashing process (which cost a second a run on this machine). */
#ifndef IKELAB_TRIAGE_SYMBOLIZE_H
#define IKELAB_TRIAGE_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* Every frame with a "module+0xoffset" and no source file gets its
 * function, file and line; inlined calls become frames of their own.
 * work_dir holds the query file. False (why in err) when the symboliser
 * could not run; the reports keep their module frames. */
bool symbolize_reports(const char *symbolizer, const char *work_dir, struct report **reps,
                       size_t n, char *err, size_t errlen);

#endif
