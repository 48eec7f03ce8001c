/* Unit tests of range sets (blockimg/rangeset.h): Android's "N,a,b,..."
 * text form both ways, what is refused, and the set operations checked
 * against a brute-force bitmap. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockimg/rangeset.h"
#include "tests/common/testutil.h"

static bi_rangeset parse_ok(const char *text)
{
    bi_rangeset rs;
    ota_error err;
    ck_assert_msg(bi_rangeset_parse(&rs, text, strlen(text), 0, &err) == 0, "%s: %s", text,
                  err.message);
    return rs;
}

START_TEST(parse_and_format_round_trip)
{
    static const struct {
        const char *text;
        size_t ranges;
        uint64_t blocks;
    } cases[] = {
        {"2,0,1", 1, 1},
        {"2,10,20", 1, 10},
        {"4,10,20,0,5", 2, 15},        /* order as written is kept */
        {"6,1,2,3,4,5,6", 3, 3},
        {"2,0,18446744073709551", 1, 18446744073709551ull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bi_rangeset rs = parse_ok(cases[i].text);
        ck_assert_uint_eq(rs.count, cases[i].ranges);
        ck_assert_uint_eq(rs.blocks, cases[i].blocks);
        char *back = bi_rangeset_to_string(&rs);
        ck_assert_str_eq(back, cases[i].text);
        free(back);
        bi_rangeset_free(&rs);
    }
}
END_TEST

START_TEST(bad_sets_are_refused_with_the_reason)
{
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"", "no count"},
        {"x", "no count"},
        {"0", "not a positive even number"},
        {"3,1,2,3", "not a positive even number"},
        {"2,1", "does not match"},
        {"4,1,2", "does not match"},
        {"4,1,2,3,", "expected 4 numbers"},
        {"2,1,2,3,4", "more numbers than the count"},
        {"2,5,5", "empty or reversed range 5-5"},
        {"2,6,5", "empty or reversed range 6-5"},
        {"2,1,2 ", "more numbers"},
        {"2,-1,2", "expected 2 numbers"},
        {"2,1,99999999999999999999", "expected 2 numbers"},
        {"4,0,10,5,15", "block 5 is in two ranges"},
        {"4,5,15,0,10", "block 5 is in two ranges"},
        {"1000000000,1,2", "does not match"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bi_rangeset rs;
        ota_error err;
        ck_assert_msg(bi_rangeset_parse(&rs, cases[i].text, strlen(cases[i].text), 0, &err) == -1,
                      "\"%s\" was accepted", cases[i].text);
        ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
        ck_assert_msg(strstr(err.message, cases[i].reason) != NULL, "\"%s\": %s",
                      cases[i].text, err.message);
        ck_assert_ptr_null(rs.ranges);
    }
}
END_TEST

START_TEST(blocks_past_the_partition_are_refused)
{
    bi_rangeset rs;
    ota_error err;
    ck_assert_int_eq(bi_rangeset_parse(&rs, "2,0,100", 7, 100, &err), 0);
    bi_rangeset_free(&rs);
    ck_assert_int_eq(bi_rangeset_parse(&rs, "2,0,101", 7, 100, &err), -1);
    ck_assert_msg(strstr(err.message, "block 100 is past the end") != NULL, "%s", err.message);
}
END_TEST

/* Brute force over blocks 0..63: a set as a bitmap. */
static uint64_t bits(const bi_rangeset *rs)
{
    uint64_t m = 0;
    for (size_t i = 0; i < rs->count; i++)
        for (uint64_t b = rs->ranges[i].begin; b < rs->ranges[i].end; b++)
            m |= 1ull << b;
    return m;
}

static bi_rangeset from_bits(uint64_t m, int shuffle)
{
    bi_rangeset rs = {0};
    bi_range tmp[64];
    size_t n = 0;
    for (uint64_t b = 0; b < 64;) {
        if (!(m >> b & 1)) {
            b++;
            continue;
        }
        uint64_t e = b;
        while (e < 64 && (m >> e & 1))
            e++;
        tmp[n++] = (bi_range){b, e};
        b = e;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = shuffle ? n - 1 - i : i; /* reversed order: unsorted input */
        ck_assert_int_eq(bi_rangeset_append(&rs, tmp[k].begin, tmp[k].end, NULL), 0);
    }
    return rs;
}

static int sorted_merged(const bi_rangeset *rs)
{
    for (size_t i = 1; i < rs->count; i++)
        if (rs->ranges[i].begin <= rs->ranges[i - 1].end)
            return 0;
    return 1;
}

START_TEST(set_operations_match_a_bitmap)
{
    uint64_t seed = 42;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t a = seed;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t b = seed & (seed >> 7);
        bi_rangeset ra = from_bits(a, round & 1), rb = from_bits(b, round & 2), out = {0};
        ck_assert_int_eq(bi_rangeset_union(&ra, &rb, &out, NULL), 0);
        ck_assert_uint_eq(bits(&out), a | b);
        ck_assert(sorted_merged(&out));
        ck_assert_int_eq(bi_rangeset_subtract(&ra, &rb, &out, NULL), 0);
        ck_assert_uint_eq(bits(&out), a & ~b);
        ck_assert(sorted_merged(&out));
        ck_assert_int_eq(bi_rangeset_intersect(&ra, &rb, &out, NULL), 0);
        ck_assert_uint_eq(bits(&out), a & b);
        ck_assert_uint_eq(out.blocks, (uint64_t)__builtin_popcountll(a & b));
        ck_assert_int_eq(bi_rangeset_overlaps(&ra, &rb), (a & b) != 0);
        bi_rangeset_free(&ra);
        bi_rangeset_free(&rb);
        bi_rangeset_free(&out);
    }
}
END_TEST

START_TEST(first_blocks_follow_the_written_order)
{
    bi_rangeset rs = parse_ok("6,10,14,0,3,20,30"), out = {0};
    ota_error err;
    ck_assert_int_eq(bi_rangeset_first(&rs, 6, &out, &err), 0);
    char *text = bi_rangeset_to_string(&out);
    ck_assert_str_eq(text, "4,10,14,0,2");
    free(text);
    ck_assert_int_eq(bi_rangeset_first(&rs, rs.blocks, &out, &err), 0);
    ck_assert_uint_eq(out.blocks, rs.blocks);
    ck_assert_int_eq(bi_rangeset_first(&rs, rs.blocks + 1, &out, &err), -1);
    ck_assert_int_eq(bi_rangeset_copy(&out, &rs, &err), 0);
    text = bi_rangeset_to_string(&out);
    ck_assert_str_eq(text, "6,10,14,0,3,20,30");
    free(text);
    bi_rangeset_free(&rs);
    bi_rangeset_free(&out);
}
END_TEST

START_TEST(append_merges_adjacent_ranges)
{
    bi_rangeset rs = {0};
    for (uint64_t b = 0; b < 1000; b++)
        ck_assert_int_eq(bi_rangeset_append(&rs, b, b + 1, NULL), 0);
    ck_assert_uint_eq(rs.count, 1);
    ck_assert_uint_eq(rs.blocks, 1000);
    for (uint64_t b = 2000; b < 4000; b += 2)
        ck_assert_int_eq(bi_rangeset_append(&rs, b, b + 1, NULL), 0);
    ck_assert_uint_eq(rs.count, 1001);
    ck_assert_int_eq(bi_rangeset_append(&rs, 5, 5, NULL), -1);
    bi_rangeset_free(&rs);
}
END_TEST

START_TEST(equal_means_same_ranges_in_the_same_order)
{
    bi_rangeset a = parse_ok("4,0,5,10,20"), b = parse_ok("4,0,5,10,20"),
                c = parse_ok("4,10,20,0,5"), d = parse_ok("2,0,5");
    ck_assert(bi_rangeset_equal(&a, &b));
    ck_assert(!bi_rangeset_equal(&a, &c)); /* same blocks, other order */
    ck_assert(!bi_rangeset_equal(&a, &d));
    bi_rangeset_free(&a);
    bi_rangeset_free(&b);
    bi_rangeset_free(&c);
    bi_rangeset_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("range sets");
    TCase *tc = tcase_create("rangeset");
    tcase_add_test(tc, parse_and_format_round_trip);
    tcase_add_test(tc, bad_sets_are_refused_with_the_reason);
    tcase_add_test(tc, blocks_past_the_partition_are_refused);
    tcase_add_test(tc, set_operations_match_a_bitmap);
    tcase_add_test(tc, first_blocks_follow_the_written_order);
    tcase_add_test(tc, append_merges_adjacent_ranges);
    tcase_add_test(tc, equal_means_same_ranges_in_the_same_order);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
