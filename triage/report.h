/* A sanitizer or libFuzzer crash report, read from a reproducer's output:
 * what went wrong (the kind, the access and its size), the crashing stack,
 * a security severity in the manner of ClusterFuzz, and the signature that
 * tells two crashes apart (the kind and the top three project frames). */
#ifndef IKELAB_TRIAGE_REPORT_H
#define IKELAB_TRIAGE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

enum { REPORT_MAX_FRAMES = 64, REPORT_SIG_FRAMES = 3 };

struct frame {
  char func[160];   /* "decode_notify", or "" when the symboliser had no name */
  char file[256];   /* source path, or "" */
  unsigned line;    /* 0 when unknown */
  char module[256]; /* "(/lib/x86_64-linux-gnu/libc.so.6+0x2724a)" form, or "" */
};

/* Security severity, ClusterFuzz's scale. */
enum severity { SEV_NONE, SEV_LOW, SEV_MEDIUM, SEV_HIGH };

struct report {
  bool crashed;          /* a report was found (or the caller set a timeout) */
  char tool[32];         /* AddressSanitizer, UndefinedBehaviorSanitizer, LeakSanitizer, libFuzzer */
  char kind[64];         /* heap-buffer-overflow, use-after-free, ubsan-signed-integer-overflow, timeout ... */
  char access[8];        /* READ, WRITE or "" */
  unsigned long size;    /* of the access (or the leak, or the allocation), 0 when none */
  char message[320];     /* the line that names the error, trimmed */
  size_t nframes;        /* of the crashing (or leaking, or allocating) stack */
  struct frame frames[REPORT_MAX_FRAMES];
};

/* Reads a reproducer's whole output (stderr and stdout together). The
 * first error reported wins. Returns false when none is found (r->crashed
 * false); the caller decides what a silent non-zero exit means. */
bool report_parse(const char *text, struct report *r);

/* The kind with the access where it matters: "stack-buffer-overflow-write",
 * "heap-use-after-free-read", "leak", "timeout". Used in file names. */
void report_full_kind(const struct report *r, char *out, size_t outlen);

enum severity report_severity(const struct report *r);
const char *severity_name(enum severity s); /* "High", "Medium", "Low", "None" */

/* A frame belongs to the project when its source file is under one of the
 * project's folders (core/, harness/, triage/, conformance/) and it is not
 * the reproducer's own main(): sanitizer, libc and libFuzzer frames do not. */
bool frame_is_project(const struct frame *f);
/* Absolute paths count only under this folder (the source tree). */
void report_set_project_root(const char *root);

/* The signature: the full kind and the function names of the top
 * REPORT_SIG_FRAMES project frames, "kind|f1|f2|f3" (fewer frames when the
 * stack has fewer; "kind|" with none). */
void report_signature(const struct report *r, char *out, size_t outlen);
/* FNV-1a (32 bits) of the signature as 8 hex digits. */
void signature_hash8(const char *signature, char out[9]);
/* The regression file name: "<full kind>-<hash8>". */
void signature_file_name(const struct report *r, char *out, size_t outlen);
/* The index of the first project frame, or nframes when there is none. */
size_t report_top_project_frame(const struct report *r);

#endif
