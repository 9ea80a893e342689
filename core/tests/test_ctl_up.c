/* ctl_up_outcome (core/daemon/daemon_up.c): what "ikelabctl up N" answers,
 * read from the rows the engine logged while it took the trigger. The
 * engine's trigger is true for all three outcomes, so before this the
 * answer was "negotiation started" even when K10 said otherwise. */

#include "check_run.h"
#include "daemon.h"

static struct log_ring ring;

static void setup(void)
{
  ck_assert_int_eq(log_ring_init(&ring, 8), 0);
}

static void teardown(void)
{
  log_ring_free(&ring);
}

static void push(enum log_id id)
{
  struct log_event ev = {.id = id, .time_ms = 1000 * ring.total};
  ev.f.rule = 1;
  log_ring_push(&ring, &ev);
}

START_TEST(started_logs_k1)
{
  push(LOG_K7);
  uint64_t before = ring.total;
  push(LOG_K1);
  push(LOG_K2);
  push(LOG_K6);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "negotiation started");
}
END_TEST

START_TEST(under_way_logs_k10)
{
  push(LOG_K1);
  push(LOG_K2);
  uint64_t before = ring.total;
  push(LOG_K10);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "negotiation already in process");
}
END_TEST

START_TEST(up_logs_nothing)
{
  push(LOG_K8);
  push(LOG_K9);
  ck_assert_str_eq(ctl_up_outcome(&ring, ring.total), "already up");
}
END_TEST

/* Rows from before the request do not count, K10 included. */
START_TEST(older_rows_ignored)
{
  push(LOG_K10);
  uint64_t before = ring.total;
  push(LOG_K1);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "negotiation started");
  before = ring.total;
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "already up");
}
END_TEST

/* A ring that has wrapped: the newest rows are read, not the oldest slots. */
START_TEST(wrapped_ring)
{
  for (int i = 0; i < 13; i++)
    push(i % 2 ? LOG_K10 : LOG_K7);
  uint64_t before = ring.total;
  push(LOG_K1);
  push(LOG_K2);
  ck_assert_uint_eq(ring.count, 8);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "negotiation started");
  before = ring.total;
  push(LOG_K10);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "negotiation already in process");
}
END_TEST

/* "log clear" between requests starts the count over: nothing is new. */
START_TEST(cleared_ring)
{
  push(LOG_K1);
  uint64_t before = ring.total;
  log_ring_clear(&ring);
  ck_assert_str_eq(ctl_up_outcome(&ring, before), "already up");
}
END_TEST

START_TEST(no_ring)
{
  ck_assert_str_eq(ctl_up_outcome(NULL, 0), "negotiation requested");
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("ctl_up");
  TCase *tc = tcase_create("outcome");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, started_logs_k1);
  tcase_add_test(tc, under_way_logs_k10);
  tcase_add_test(tc, up_logs_nothing);
  tcase_add_test(tc, older_rows_ignored);
  tcase_add_test(tc, wrapped_ring);
  tcase_add_test(tc, cleared_ring);
  tcase_add_test(tc, no_ring);
  suite_add_tcase(s, tc);
  return s;
}
