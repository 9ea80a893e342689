/* ikelabctl: asks ikelabd over its control socket (daemon_ctl.c). One
 * request per connection; the answer's first line is "ok" or "error: why",
 * the rest is printed as it comes. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
  fputs("Usage: ikelabctl [-s PATH] COMMAND\n"
        "\n"
        "Talks to a running ikelabd over its control socket.\n"
        "\n"
        "Commands:\n"
        "  status       the WAN line (with wan_interface), then one line per IKE SA,\n"
        "               then one per IPsec SA (below), then the engine's flood\n"
        "               counters: \"counters half_open_dropped=N duplicate_requests=N\n"
        "               malformed=N log_suppressed=N unauthenticated=N\" (since the\n"
        "               engine started)\n"
        "  up RULE      negotiate rule RULE now (we initiate); answers \"negotiation\n"
        "               started\", \"negotiation already in process\" (K10) or\n"
        "               \"already up\"\n"
        "  down RULE    delete rule RULE's IPsec and IKE SAs, each announced to the\n"
        "               peer with a Delete\n"
        "  log          the in-memory log (the last 512 events) in the router's\n"
        "               numbered view, heading first\n"
        "  log clear    empty that log\n"
        "\n"
        "Options:\n"
        "  -s, --socket PATH  the control socket (default " IKELABD_CONTROL_PATH ";\n"
        "                     ikelabd --control sets it)\n"
        "  -h, --help         this text\n"
        "\n"
        "Status lines (key=value, keys always in this order):\n"
        "  wan interface=NAME addr=A.B.C.D   (the engine's own address; 0.0.0.0 before\n"
        "      the interface first had one)\n"
        "  ike rule=N role=initiator|responder state=negotiating|established\n"
        "      peer=A.B.C.D:PORT icookie=HEX16 rcookie=HEX16 phase2=N errors=N nat=yes|no\n"
        "  ipsec rule=N proto=ESP|AH encr=NAME[-BITS]|none auth=NAME\n"
        "      mode=tunnel|transport spi_in=0xHEX8 spi_out=0xHEX8 life_s=N life_kb=N\n"
        "      udp_encap=yes|no peer=A.B.C.D:PORT\n"
        "      then, when ikelabd carries the SA's ESP (--tun):\n"
        "        age_s=N pkts_in=N bytes_in=N pkts_out=N bytes_out=N\n"
        "      else: datapath=none\n"
        "  (each SA is one line; it is wrapped here only)\n"
        "\n"
        "Exit status: 0 done, 1 the daemon refused (its reason is printed),\n"
        "2 usage or connection error.\n",
        out);
}

/* The request line from the command words; false when they are not one. */
static bool request_of(int argc, char **argv, char *out, size_t len)
{
  if (argc == 1 && (strcmp(argv[0], "status") == 0 || strcmp(argv[0], "log") == 0)) {
    snprintf(out, len, "%s\n", argv[0]);
    return true;
  }
  if (argc == 2 && strcmp(argv[0], "log") == 0 && strcmp(argv[1], "clear") == 0) {
    snprintf(out, len, "log clear\n");
    return true;
  }
  if (argc == 2 && (strcmp(argv[0], "up") == 0 || strcmp(argv[0], "down") == 0) &&
      strlen(argv[1]) < 16 && !strpbrk(argv[1], " \n")) {
    snprintf(out, len, "%s %s\n", argv[0], argv[1]);
    return true;
  }
  return false;
}

static int connect_to(const char *path)
{
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sun.sun_path) {
    fprintf(stderr, "ikelabctl: socket path too long: %s\n", path);
    return -1;
  }
  memcpy(sun.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (const struct sockaddr *)&sun, sizeof sun) < 0) {
    fprintf(stderr, "ikelabctl: cannot reach ikelabd at %s: %s\n", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

/* Prints the answer; its exit status. */
static int answer(FILE *in)
{
  char line[1024];
  if (!fgets(line, sizeof line, in)) {
    fputs("ikelabctl: ikelabd closed the connection without an answer\n", stderr);
    return EXIT_USAGE;
  }
  if (strncmp(line, "error: ", 7) == 0) {
    fprintf(stderr, "ikelabctl: %s", line + 7);
    return EXIT_REFUSED;
  }
  if (strcmp(line, "ok\n") != 0) {
    fprintf(stderr, "ikelabctl: unexpected answer: %s", line);
    return EXIT_USAGE;
  }
  size_t got;
  char buf[4096];
  while ((got = fread(buf, 1, sizeof buf, in)) > 0)
    fwrite(buf, 1, got, stdout);
  return ferror(in) ? EXIT_USAGE : EXIT_OK;
}

int main(int argc, char **argv)
{
  static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *path = IKELABD_CONTROL_PATH;
  char req[64];
  int c;
  while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
    switch (c) {
    case 's': path = optarg; break;
    case 'h': usage(stdout); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (!request_of(argc - optind, argv + optind, req, sizeof req)) {
    fputs("ikelabctl: expected one command: status | up RULE | down RULE | log | log clear\n",
          stderr);
    return EXIT_USAGE;
  }
  int fd = connect_to(path);
  if (fd < 0)
    return EXIT_USAGE;
  size_t len = strlen(req);
  if (write(fd, req, len) != (ssize_t)len || shutdown(fd, SHUT_WR) < 0) {
    fprintf(stderr, "ikelabctl: sending to %s: %s\n", path, strerror(errno));
    close(fd);
    return EXIT_USAGE;
  }
  FILE *in = fdopen(fd, "r");
  if (!in) {
    close(fd);
    return EXIT_USAGE;
  }
  int rc = answer(in);
  fclose(in);
  return rc;
}
