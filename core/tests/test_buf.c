/* The bounds-checked reader and the sticky writer. */
#include <string.h>

#include "check_run.h"
#include "ikelab/buf.h"

START_TEST(reader_refuses_to_overread_and_does_not_advance)
{
  static const uint8_t bytes[] = {0x01, 0x02, 0x03};
  struct buf_reader r;
  uint32_t v32;
  uint16_t v16;
  uint8_t v8;
  br_init(&r, bytes, sizeof bytes);
  ck_assert(!br_u32(&r, &v32));
  ck_assert_uint_eq(br_left(&r), 3);
  ck_assert(br_u16(&r, &v16));
  ck_assert_uint_eq(v16, 0x0102);
  ck_assert(!br_u16(&r, &v16));
  ck_assert_uint_eq(br_offset(&r), 2);
  ck_assert(br_u8(&r, &v8));
  ck_assert_uint_eq(v8, 3);
  ck_assert(!br_u8(&r, &v8));
  ck_assert(!br_skip(&r, 1));
}
END_TEST

START_TEST(sub_reader_is_confined_and_keeps_offsets)
{
  static const uint8_t bytes[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
  struct buf_reader r, sub;
  uint8_t v;
  br_init(&r, bytes, sizeof bytes);
  ck_assert(br_skip(&r, 1));
  ck_assert(!br_sub(&r, 5, &sub)); /* longer than what is left */
  ck_assert(br_sub(&r, 2, &sub));
  ck_assert_uint_eq(br_offset(&sub), 1);
  ck_assert(br_u8(&sub, &v) && v == 0xbb);
  ck_assert(br_u8(&sub, &v) && v == 0xcc);
  ck_assert(!br_u8(&sub, &v)); /* the parent still has bytes; the child must not see them */
  ck_assert_uint_eq(br_offset(&r), 3);
  ck_assert(br_peek_u8(&r, 1, &v) && v == 0xee);
  ck_assert(!br_peek_u8(&r, 2, &v));
}
END_TEST

START_TEST(slices_compare_and_copy_within_bounds)
{
  static const uint8_t bytes[] = {0, 0, 7, 0};
  struct buf_reader r;
  struct buf_slice s, rest;
  uint8_t out[2] = {0x55, 0x55};
  br_init(&r, bytes, sizeof bytes);
  ck_assert(br_slice(&r, 2, &s));
  ck_assert(slice_is_zero(s));
  rest = br_rest(&r);
  ck_assert_uint_eq(rest.len, 2);
  ck_assert(!slice_is_zero(rest));
  ck_assert(slice_eq_bytes(rest, "\x07\x00", 2));
  ck_assert(!slice_eq(s, rest));
  ck_assert_uint_eq(slice_copy(rest, out, 1), 1);
  ck_assert_uint_eq(out[0], 7);
  ck_assert_uint_eq(out[1], 0x55);
  ck_assert_uint_eq(slice_byte(rest, 0), 7);
}
END_TEST

START_TEST(writer_patches_lengths_and_fails_sticky)
{
  uint8_t buf[6];
  struct buf_writer w;
  bw_init(&w, buf, sizeof buf);
  size_t pos = bw_reserve16(&w);
  bw_u16(&w, 0xbeef);
  bw_patch16(&w, pos, bw_pos(&w));
  ck_assert(bw_ok(&w));
  ck_assert(slice_eq_bytes(bw_written(&w), "\x00\x04\xbe\xef", 4));
  bw_u32(&w, 1); /* 8 > 6: fails */
  ck_assert(!bw_ok(&w));
  bw_u8(&w, 1); /* would fit, but the writer stays failed */
  ck_assert(!bw_ok(&w));
  ck_assert_uint_eq(bw_pos(&w), 4);
}
END_TEST

START_TEST(writer_refuses_a_patch_value_that_does_not_fit)
{
  uint8_t buf[4];
  struct buf_writer w;
  bw_init(&w, buf, sizeof buf);
  size_t pos = bw_reserve16(&w);
  bw_patch16(&w, pos, 0x10000);
  ck_assert(!bw_ok(&w));
}
END_TEST

Suite *ikelab_suite(void)
{
  Suite *s = suite_create("buf");
  TCase *tc = tcase_create("reader and writer");
  tcase_add_test(tc, reader_refuses_to_overread_and_does_not_advance);
  tcase_add_test(tc, sub_reader_is_confined_and_keeps_offsets);
  tcase_add_test(tc, slices_compare_and_copy_within_bounds);
  tcase_add_test(tc, writer_patches_lengths_and_fails_sticky);
  tcase_add_test(tc, writer_refuses_a_patch_value_that_does_not_fit);
  suite_add_tcase(s, tc);
  return s;
}
