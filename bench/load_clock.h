/* Clocks for the load drivers (ike_load, vici_load): wall time, this
 * process's CPU time, and another process's (the daemon under load), read
 * from /proc. */
#ifndef IKELAB_LOAD_CLOCK_H
#define IKELAB_LOAD_CLOCK_H

double now_s(void);           /* CLOCK_MONOTONIC, seconds */
double self_cpu_s(void);      /* this process's CPU, seconds */
/* utime + stime of process pid, in seconds; -1 when unreadable. */
double pid_cpu_s(long pid);

#endif
