/* Direction 2's report for one peer: Markdown and HTML (the case table,
 * each deviation with the RFC section it departs from, the peer's log and
 * the pcaps of each case, each pcap checked by tshark as an independent
 * decoder for malformed frames) and JUnit XML for CI. */
#ifndef IKELAB_CONFORM_REMOTE_REPORT_H
#define IKELAB_CONFORM_REMOTE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "remote_runner.h"

struct report_row {
  const struct scenario *sc;
  struct remote_result res;
  int tshark_bad;        /* frames tshark flags (malformed or warning), -1: not checked */
  bool has_log;          /* logs/<id>.log was written */
};

struct report_info {
  const char *peer;      /* the profile's name, or "ADDR:PORT" */
  const char *target;    /* udp:ADDR:PORT */
  const char *direction; /* "peer as responder" / "peer as initiator" */
  const char *dir;       /* report folder: pcaps/ and logs/ are in it */
  double secs;
};

/* Joins every played case's dir/pcaps/<id>.pcap into pcaps/all-cases.pcap,
 * runs tshark over it once (-d udp.port==PORT,udpencap when port != 500)
 * and sets each row's tshark_bad (-1 when tshark is missing). */
void report_tshark_check(const char *dir, struct report_row *rows, size_t n, unsigned port);

/* Writes dir/report.md, dir/report.html and dir/junit.xml. */
bool report_write(const struct report_info *info, const struct report_row *rows, size_t n,
                  char *why, size_t whylen);

#endif
