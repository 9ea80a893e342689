/* fuzz_responder's world: the responder engine (responder_env.h) and the
 * script steps that drive it, shared by the fuzz target and the seed maker
 * (which replays its seeds here and checks where the engine got). One
 * world per process: the engine is made on the first run and cleared at
 * the start of every run. */
#ifndef IKELAB_RESPONDER_WORLD_H
#define IKELAB_RESPONDER_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "ikelab/engine.h"
#include "responder_env.h"

/* Told every event and cleartext copy after the world has seen them. */
struct resp_observer {
  bool (*event)(void *ctx, const struct ike_event *ev);
  void (*clear)(void *ctx, const struct ike_clear *c);
  void *ctx;
};

/* Runs a script from a cleared engine (at most SCRIPT_MAX_STEPS steps),
 * the invariants checked after every step (abort when broken). Returns the
 * engine, as the script left it, until resp_world_end() or the next run;
 * obs may be NULL. */
struct ike_engine *resp_world_run(const uint8_t *script, size_t len,
                                  const struct resp_observer *obs);
/* How many steps the last run ran. */
size_t resp_world_steps(void);
/* Frees what the last run made the engine allocate. */
void resp_world_end(void);

#endif
