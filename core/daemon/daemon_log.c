/* ikelabd's log sinks: the router's numbered view (stdout in the
 * foreground), the same lines in a file, JSON lines, and syslog. The
 * rendering is log.h's; this file only opens, writes and flushes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "daemon.h"

const char *ipv4_text(uint32_t a, char out[16])
{
  snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(a >> 24) & 0xffu, (unsigned)(a >> 16) & 0xffu,
           (unsigned)(a >> 8) & 0xffu, (unsigned)a & 0xffu);
  return out;
}

bool dlog_parse_spec(const char *spec, struct ikelabd_log_sink *out, char *err, size_t errlen)
{
  memset(out, 0, sizeof *out);
  const char *path = NULL;
  if (strcmp(spec, "router") == 0) {
    out->kind = IKELABD_LOG_ROUTER;
  } else if (strcmp(spec, "syslog") == 0) {
    out->kind = IKELABD_LOG_SYSLOG;
  } else if (strncmp(spec, "file:", 5) == 0) {
    out->kind = IKELABD_LOG_FILE;
    path = spec + 5;
  } else if (strncmp(spec, "json:", 5) == 0) {
    out->kind = IKELABD_LOG_JSON;
    path = spec + 5;
  } else {
    snprintf(err, errlen, "unknown log sink \"%s\" (known: router, syslog, file:/path, json:/path)",
             spec);
    return false;
  }
  if (path) {
    /* Absolute, as in the config file: the daemon changes to / later. */
    if (path[0] != '/' || strlen(path) >= sizeof out->path) {
      snprintf(err, errlen, "log sink \"%s\" needs an absolute path shorter than %d", spec,
               IKELABD_PATH_MAX);
      return false;
    }
    memcpy(out->path, path, strlen(path) + 1);
  }
  return true;
}

bool dlog_open(struct daemon_log *d, const struct ikelabd_log_sink *sinks, size_t n,
               bool foreground, char *err, size_t errlen)
{
  memset(d, 0, sizeof *d);
  d->foreground = foreground;
  for (size_t i = 0; i < n && i < IKELABD_MAX_LOGS; i++) {
    d->sink[i] = sinks[i];
    d->n = i + 1;
    if (sinks[i].kind == IKELABD_LOG_FILE || sinks[i].kind == IKELABD_LOG_JSON) {
      d->file[i] = fopen(sinks[i].path, "ae");
      if (!d->file[i]) {
        snprintf(err, errlen, "cannot open log %s: %s", sinks[i].path, strerror(errno));
        dlog_close(d);
        return false;
      }
      setvbuf(d->file[i], NULL, _IOLBF, 0); /* a test (or tail -f) sees each line */
    } else if (sinks[i].kind == IKELABD_LOG_SYSLOG && !d->syslog_open) {
      openlog("ikelabd", LOG_PID | LOG_NDELAY, LOG_USER);
      d->syslog_open = true;
    }
  }
  if (foreground) {
    for (size_t i = 0; i < d->n; i++)
      if (d->sink[i].kind == IKELABD_LOG_ROUTER) {
        /* The router's heading, once, as its log screen shows it. */
        fputs("Index: Date/Time: Log:\n", stdout);
        fputs("------------------------------------------------------------\n", stdout);
        fflush(stdout);
        break;
      }
  }
  return true;
}

void dlog_close(struct daemon_log *d)
{
  for (size_t i = 0; i < d->n; i++)
    if (d->file[i]) {
      fclose(d->file[i]);
      d->file[i] = NULL;
    }
  if (d->syslog_open)
    closelog();
  d->syslog_open = false;
  d->n = 0;
}

void dlog_event(struct daemon_log *d, const struct log_event *ev)
{
  char line[512];
  d->index++;
  if (d->ring)
    log_ring_push(d->ring, ev);
  log_format_router_line(ev, d->index, line, sizeof line);
  for (size_t i = 0; i < d->n; i++) {
    switch (d->sink[i].kind) {
    case IKELABD_LOG_ROUTER:
      if (d->foreground) {
        printf("%s\n", line);
        fflush(stdout);
      }
      break;
    case IKELABD_LOG_FILE:
      fprintf(d->file[i], "%s\n", line);
      break;
    case IKELABD_LOG_JSON:
      log_write_json_line(ev, d->file[i]);
      break;
    case IKELABD_LOG_SYSLOG:
      log_write_syslog(ev);
      break;
    }
  }
}

void dlog_note(struct daemon_log *d, const char *fmt, ...)
{
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (d->foreground) {
    fprintf(stderr, "ikelabd: %s\n", text);
    fflush(stderr);
  }
  if (d->syslog_open || !d->foreground) {
    /* Daemon mode without a syslog sink still has to say why it stops. */
    syslog(LOG_DAEMON | LOG_NOTICE, "%s", text);
  }
}
