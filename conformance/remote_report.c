#include "remote_report.h"

#include "markup.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends dir/pcaps/<id>.pcap to the dumper; returns its frame count. */
static int append_pcap(pcap_dumper_t *d, const char *dir, const char *id)
{
  char path[2048], err[PCAP_ERRBUF_SIZE];
  snprintf(path, sizeof path, "%s/pcaps/%s.pcap", dir, id);
  pcap_t *in = pcap_open_offline(path, err);
  if (!in)
    return -1;
  struct pcap_pkthdr *h;
  const u_char *data;
  int n = 0;
  while (pcap_next_ex(in, &h, &data) == 1) {
    pcap_dump((u_char *)d, h, data);
    n++;
  }
  pcap_close(in);
  return n;
}

void report_tshark_check(const char *dir, struct report_row *rows, size_t n, unsigned port)
{
  char all[2048], cmd[4096], decode[64] = "";
  static int first[1024], count_of[1024];
  snprintf(all, sizeof all, "%s/pcaps/.all-cases.pcap", dir);
  pcap_t *p = pcap_open_dead(DLT_RAW, 65535);
  pcap_dumper_t *d = p ? pcap_dump_open(p, all) : NULL;
  if (!d) {
    if (p)
      pcap_close(p);
    return;
  }
  int frames = 0;
  for (size_t i = 0; i < n && i < 1024; i++) {
    rows[i].tshark_bad = -1;
    first[i] = frames + 1;
    count_of[i] = rows[i].res.verdict == VERDICT_NA ? 0 : append_pcap(d, dir, rows[i].sc->id);
    if (count_of[i] > 0)
      frames += count_of[i];
  }
  pcap_dump_close(d);
  pcap_close(p);
  /* One tshark run for every case: it takes a second to start. */
  if (port != 500)
    snprintf(decode, sizeof decode, "-d udp.port==%u,udpencap", port);
  snprintf(cmd, sizeof cmd,
           "command -v tshark >/dev/null 2>&1 || exit 3; tshark -r '%s' %s -T fields "
           "-e frame.number -Y '_ws.malformed || _ws.expert.severity >= \"warning\"' "
           "2>/dev/null",
           all, decode);
  FILE *f = popen(cmd, "r");
  if (!f)
    return;
  static char flagged[65536];
  memset(flagged, 0, sizeof flagged);
  int frame;
  while (fscanf(f, "%d", &frame) == 1)
    if (frame > 0 && frame < (int)sizeof flagged)
      flagged[frame] = 1;
  if (pclose(f) != 0)
    return; /* no tshark: the column says "-" */
  for (size_t i = 0; i < n && i < 1024; i++) {
    if (count_of[i] < 0 || rows[i].res.verdict == VERDICT_NA)
      continue;
    rows[i].tshark_bad = 0;
    for (int k = first[i]; k < first[i] + count_of[i] && k < (int)sizeof flagged; k++)
      rows[i].tshark_bad += flagged[k];
  }
  remove(all); /* each case keeps its own pcap */
}

static void count(const struct report_row *rows, size_t n, size_t out[4])
{
  memset(out, 0, 4 * sizeof out[0]);
  for (size_t i = 0; i < n; i++)
    out[rows[i].res.verdict]++;
}

/* Markdown table cells: no pipes or newlines. */
static void md_cell(FILE *f, const char *s)
{
  for (; *s; s++)
    fputs(*s == '|' ? "\\|" : *s == '\n' ? " " : (char[]){*s, 0}, f);
}

static FILE *open_in(const char *dir, const char *name, char *why, size_t whylen)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f)
    snprintf(why, whylen, "%s: %s", path, strerror(errno));
  return f;
}

static const char *tshark_text(int bad, char *buf, size_t len)
{
  if (bad < 0)
    return "-";
  snprintf(buf, len, "%d", bad);
  return buf;
}

/* A deviation's kind: the word before the first ':' of its detail
 * ("processed", "other notify", "SA harmed", ...). */
static size_t kind_of(const char *detail, char *out, size_t len)
{
  const char *colon = strchr(detail, ':');
  size_t n = colon ? (size_t)(colon - detail) : 0;
  if (n == 0 || n >= len || n > 24)
    n = 0;
  memcpy(out, detail, n);
  out[n] = '\0';
  return n;
}

/* How many deviations of each kind, with their cases. */
static void write_kinds(FILE *f, const struct report_row *rows, size_t n)
{
  char kinds[16][32];
  size_t nk = 0;
  for (size_t i = 0; i < n; i++) {
    char k[32];
    if (rows[i].res.verdict != VERDICT_DEVIATION || !kind_of(rows[i].res.detail, k, sizeof k))
      continue;
    size_t j = 0;
    while (j < nk && strcmp(kinds[j], k) != 0)
      j++;
    if (j == nk && nk < 16)
      memcpy(kinds[nk++], k, sizeof k);
  }
  if (nk == 0)
    return;
  fputs("| kind of deviation | cases |\n|---|---|\n", f);
  for (size_t j = 0; j < nk; j++) {
    size_t c = 0;
    fprintf(f, "| %s | ", kinds[j]);
    for (size_t i = 0; i < n; i++) {
      char k[32];
      if (rows[i].res.verdict == VERDICT_DEVIATION && kind_of(rows[i].res.detail, k, sizeof k) &&
          strcmp(k, kinds[j]) == 0)
        fprintf(f, "%s%s", c++ ? ", " : "", rows[i].sc->id);
    }
    fprintf(f, " (%zu) |\n", c);
  }
  fputs("\nKinds: *processed* = the peer went on with a message the section says to discard; "
        "*other notify* = it refused it with another notify than the one the section names; "
        "*SA harmed* = an established SA did not survive a message that must be discarded; "
        "*not recovered* / *not resent* = one damaged or repeated answer ended the peer's own "
        "exchange; *refused* = it refused what the section requires it to take.\n\n", f);
}

static void write_md(FILE *f, const struct report_info *info, const struct report_row *rows,
                     size_t n)
{
  size_t c[4];
  char tb[16];
  count(rows, n, c);
  fprintf(f, "# ikelab conformance report: %s\n\n", info->peer);
  fprintf(f, "Direction 2 (`ikelab-conform --target %s`%s): side A is ikelab's engine "
             "playing the scripted peer, side B is the peer under test (%s).\n\n",
          info->target, strcmp(info->direction, "peer as initiator") == 0 ? " --initiator-of" : "",
          info->direction);
  fprintf(f, "| PASS | FAIL | DEVIATION | N/A | cases | wall time |\n|---|---|---|---|---|---|\n"
             "| %zu | %zu | %zu | %zu | %zu | %.1f s |\n\n",
          c[VERDICT_PASS], c[VERDICT_FAIL], c[VERDICT_DEVIATION], c[VERDICT_NA], n, info->secs);
  fputs("PASS: the peer answered as the RFC section allows and a fresh Main Mode + Quick Mode "
        "completed afterwards. FAIL: the case could not be carried out or the peer was not "
        "usable afterwards. DEVIATION: the peer's answer departs from what the section "
        "requires (below). N/A: the case needs what this peer or profile cannot give.\n\n"
        "`tshark` counts the frames of the case's pcap that Wireshark flags as malformed or "
        "with a warning (`_ws.malformed || _ws.expert.severity >= \"warning\"`); crafted "
        "datagrams are malformed on purpose, so non-zero counts are expected there.\n\n",
        f);
  if (c[VERDICT_DEVIATION] || c[VERDICT_FAIL]) {
    fputs("## Deviations and failures\n\n", f);
    write_kinds(f, rows, n);
    for (size_t i = 0; i < n; i++) {
      const struct report_row *r = &rows[i];
      if (r->res.verdict != VERDICT_DEVIATION && r->res.verdict != VERDICT_FAIL)
        continue;
      fprintf(f, "### %s: %s\n\n- case: %s\n- section: ", verdict_name(r->res.verdict),
              r->sc->id, r->sc->what);
      md_cell(f, r->res.rfc);
      fputs("\n- what the peer did: ", f);
      md_cell(f, r->res.answers);
      fputs("\n- why: ", f);
      md_cell(f, r->res.detail);
      fprintf(f, "\n- wire: [pcap](pcaps/%s.pcap), [clear copies](pcaps/%s.clear.pcap), "
                 "dissected in [details.txt](details.txt)\n",
              r->sc->id, r->sc->id);
      if (r->has_log)
        fprintf(f, "- peer log: [logs/%s.log](logs/%s.log)\n", r->sc->id, r->sc->id);
      fputc('\n', f);
    }
  }
  fputs("## All cases\n\n| case | covers | verdict | peer's answer | note | tshark | files |\n"
        "|---|---|---|---|---|---|---|\n", f);
  for (size_t i = 0; i < n; i++) {
    const struct report_row *r = &rows[i];
    fprintf(f, "| %s | %s | %s | ", r->sc->id, r->sc->covers, verdict_name(r->res.verdict));
    md_cell(f, r->res.verdict == VERDICT_NA ? "" : r->res.answers);
    fputs(" | ", f);
    md_cell(f, r->res.verdict == VERDICT_NA ? r->res.rfc : r->res.detail);
    fprintf(f, " | %s | ", tshark_text(r->tshark_bad, tb, sizeof tb));
    if (r->res.verdict != VERDICT_NA)
      fprintf(f, "[pcap](pcaps/%s.pcap)", r->sc->id);
    if (r->has_log)
      fprintf(f, " [log](logs/%s.log)", r->sc->id);
    fputs(" |\n", f);
  }
}

static void write_html(FILE *f, const struct report_info *info, const struct report_row *rows,
                       size_t n)
{
  size_t c[4];
  char tb[16];
  count(rows, n, c);
  fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ikelab conformance: ", f);
  markup_text(f, info->peer);
  fputs("</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}"
        ".PASS{background:#dfd}.FAIL{background:#fbb}.DEVIATION{background:#ffd}"
        ".NA{color:#777}</style></head><body>\n<h1>ikelab conformance report: ", f);
  markup_text(f, info->peer);
  fprintf(f, "</h1>\n<p>Target <code>");
  markup_text(f, info->target);
  fprintf(f, "</code> (%s). PASS %zu, FAIL %zu, DEVIATION %zu, N/A %zu of %zu cases in "
             "%.1f s.</p>\n",
          info->direction, c[VERDICT_PASS], c[VERDICT_FAIL], c[VERDICT_DEVIATION], c[VERDICT_NA],
          n, info->secs);
  fputs("<table><tr><th>case</th><th>covers</th><th>verdict</th><th>peer's answer</th>"
        "<th>section / note</th><th>tshark</th><th>files</th></tr>\n", f);
  for (size_t i = 0; i < n; i++) {
    const struct report_row *r = &rows[i];
    bool na = r->res.verdict == VERDICT_NA;
    fprintf(f, "<tr class=\"%s\"><td>", na ? "NA" : verdict_name(r->res.verdict));
    markup_text(f, r->sc->id);
    fputs("<br><small>", f);
    markup_text(f, r->sc->what);
    fputs("</small></td><td>", f);
    markup_text(f, r->sc->covers);
    fprintf(f, "</td><td>%s</td><td>", verdict_name(r->res.verdict));
    markup_text(f, na ? "" : r->res.answers);
    fputs("</td><td>", f);
    if (r->res.verdict == VERDICT_DEVIATION || r->res.verdict == VERDICT_FAIL) {
      markup_text(f, r->res.rfc);
      fputs("<br><b>", f);
      markup_text(f, r->res.detail);
      fputs("</b>", f);
    } else {
      markup_text(f, na ? r->res.rfc : r->res.detail);
    }
    fprintf(f, "</td><td>%s</td><td>", tshark_text(r->tshark_bad, tb, sizeof tb));
    if (!na)
      fprintf(f, "<a href=\"pcaps/%s.pcap\">pcap</a> <a href=\"pcaps/%s.clear.pcap\">clear</a>",
              r->sc->id, r->sc->id);
    if (r->has_log)
      fprintf(f, " <a href=\"logs/%s.log\">log</a>", r->sc->id);
    fputs("</td></tr>\n", f);
  }
  fputs("</table></body></html>\n", f);
}


static void write_junit(FILE *f, const struct report_info *info, const struct report_row *rows,
                        size_t n)
{
  size_t c[4];
  count(rows, n, c);
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"interop-conform.");
  markup_text(f, info->peer);
  fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n", n,
          c[VERDICT_FAIL], c[VERDICT_NA], info->secs);
  for (size_t i = 0; i < n; i++) {
    const struct report_row *r = &rows[i];
    fputs("  <testcase classname=\"interop-conform.", f);
    markup_text(f, r->sc->covers);
    fputs("\" name=\"", f);
    markup_text(f, r->sc->id);
    fprintf(f, "\" time=\"%.3f\">", r->res.secs);
    /* A deviation is a finding about the peer, reported, not a CI failure. */
    switch (r->res.verdict) {
    case VERDICT_FAIL:
      fputs("<failure message=\"", f);
      markup_text(f, r->res.detail);
      fputs("\"/>", f);
      break;
    case VERDICT_NA:
      fputs("<skipped message=\"", f);
      markup_text(f, r->res.rfc);
      fputs("\"/>", f);
      break;
    case VERDICT_DEVIATION:
      fputs("<system-out>DEVIATION: ", f);
      markup_text(f, r->res.rfc);
      fputs(" -- ", f);
      markup_text(f, r->res.detail);
      fputs("</system-out>", f);
      break;
    case VERDICT_PASS:
      break;
    }
    fputs("</testcase>\n", f);
  }
  fputs("</testsuite>\n", f);
}

bool report_write(const struct report_info *info, const struct report_row *rows, size_t n,
                  char *why, size_t whylen)
{
  FILE *f;
  if (!(f = open_in(info->dir, "report.md", why, whylen)))
    return false;
  write_md(f, info, rows, n);
  fclose(f);
  if (!(f = open_in(info->dir, "report.html", why, whylen)))
    return false;
  write_html(f, info, rows, n);
  fclose(f);
  if (!(f = open_in(info->dir, "junit.xml", why, whylen)))
    return false;
  write_junit(f, info, rows, n);
  return fclose(f) == 0;
}
