/* ikelab-conform's direction-2 mode (--target): its own options, run and
 * report. Returns the process exit code. */
#ifndef IKELAB_CONFORM_REMOTE_CLI_H
#define IKELAB_CONFORM_REMOTE_CLI_H

int remote_main(int argc, char **argv);

#endif
