/* Unit tests of the transfer-list writer (blockimg/transfer_write.h): the
 * exact text of every command form Android's generator writes, the header
 * counts (blocks written, most blocks stashed at once, implicit stashes),
 * shared stashes, and what is refused. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "blockimg/transfer_write.h"
#include "tests/common/testutil.h"

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_S "1111111111111111111111111111111111111111"
#define SHA_T "2222222222222222222222222222222222222222"

static bi_rangeset set(const char *text)
{
    bi_rangeset rs;
    ota_error err;
    ck_assert_msg(bi_rangeset_parse(&rs, text, strlen(text), 0, &err) == 0, "%s", err.message);
    return rs;
}

static char *finish(bi_transfer_writer *w)
{
    ota_buf out = {0};
    ota_error err;
    ck_assert_msg(bi_tw_finish(w, &out, &err) == 0, "%s", err.message);
    ck_assert(ota_buf_append(&out, "", 1, NULL) == 0);
    return (char *)out.data;
}

#define OK(call)                                                   \
    do {                                                           \
        ota_error e_;                                              \
        ck_assert_msg((call) == 0, "%s: %s", #call, e_.message);   \
    } while (0)

START_TEST(every_command_form_as_android_writes_it)
{
    bi_transfer_writer w;
    OK(bi_tw_init(&w, 4, &e_));
    bi_rangeset erase = set("2,100,110"), newr = set("2,0,1030"),
                zero = set("4,2000,2500,3000,3600"), a = set("2,10,12"), src1 = set("2,8,12"),
                tgt1 = set("2,20,24"), tgt2 = set("2,30,32"), tgt3 = set("2,40,44"),
                src3 = set("2,42,46"), same = set("2,50,52");
    OK(bi_tw_erase(&w, &erase, &e_));
    OK(bi_tw_new(&w, &newr, &e_));
    OK(bi_tw_zero(&w, &zero, &e_));
    OK(bi_tw_stash(&w, ID_A, &a, &e_));
    OK(bi_tw_stash(&w, ID_A, &a, &e_)); /* a second user of the same blocks */
    bi_tw_stash_ref ref = {ID_A, &a};
    bi_tw_source s1 = {&src1, &ref, 1};
    OK(bi_tw_move(&w, SHA_T, &tgt1, &s1, &e_));
    bi_tw_source s2 = {&a, &ref, 1};
    OK(bi_tw_diff(&w, "bsdiff", 0, 100, SHA_S, SHA_T, &tgt2, &s2, &e_));
    bi_tw_source s3 = {&src3, NULL, 0};
    OK(bi_tw_diff(&w, "imgdiff", 100, 50, SHA_S, SHA_T, &tgt3, &s3, &e_));
    bi_tw_source s4 = {&same, NULL, 0};
    OK(bi_tw_move(&w, SHA_T, &same, &s4, &e_)); /* in place: nothing to write */
    char *text = finish(&w);
    ck_assert_str_eq(text,
                     "4\n"
                     "2140\n"
                     "0\n"
                     "4\n"
                     "erase 2,100,110\n"
                     "new 2,0,1024\n"
                     "new 2,1024,1030\n"
                     "zero 4,2000,2500,3000,3524\n"
                     "zero 2,3524,3600\n"
                     "stash " ID_A " 2,10,12\n"
                     "move " SHA_T " 2,20,24 4 2,8,10 2,0,2 " ID_A ":2,2,4\n"
                     "bsdiff 0 100 " SHA_S " " SHA_T " 2,30,32 2 - " ID_A ":2,0,2\n"
                     "free " ID_A "\n"
                     "imgdiff 100 50 " SHA_S " " SHA_T " 2,40,44 4 2,42,46\n");
    free(text);
    bi_tw_free(&w);
    bi_rangeset *all[] = {&erase, &newr, &zero, &a, &src1, &tgt1, &tgt2, &tgt3, &src3, &same};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        bi_rangeset_free(all[i]);
}
END_TEST

START_TEST(two_stashes_in_one_source_and_the_peak_count)
{
    bi_transfer_writer w;
    OK(bi_tw_init(&w, 3, &e_));
    bi_rangeset a = set("2,0,3"), b = set("2,10,12"), src = set("4,0,5,10,12"),
                tgt = set("2,100,107");
    OK(bi_tw_stash(&w, ID_A, &a, &e_));
    OK(bi_tw_stash(&w, ID_B, &b, &e_));
    bi_tw_stash_ref refs[] = {{ID_B, &b}, {ID_A, &a}};
    bi_tw_source s = {&src, refs, 2};
    OK(bi_tw_move(&w, SHA_T, &tgt, &s, &e_));
    char *text = finish(&w);
    ck_assert_str_eq(text, "3\n7\n0\n5\n"
                           "stash " ID_A " 2,0,3\n"
                           "stash " ID_B " 2,10,12\n"
                           "move " SHA_T " 2,100,107 7 2,3,5 2,3,5 " ID_B ":2,5,7 " ID_A ":2,0,3\n"
                           "free " ID_B "\n"
                           "free " ID_A "\n");
    free(text);
    bi_tw_free(&w);
    bi_rangeset_free(&a);
    bi_rangeset_free(&b);
    bi_rangeset_free(&src);
    bi_rangeset_free(&tgt);
}
END_TEST

START_TEST(bad_input_is_refused_with_the_reason)
{
    bi_transfer_writer w;
    ota_error err;
    ck_assert_int_eq(bi_tw_init(&w, 2, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "only versions 3 and 4"));
    ck_assert_int_eq(bi_tw_init(&w, 4, &err), 0);
    bi_rangeset unsorted = set("4,10,20,0,5"), a = set("2,0,2"), b = set("2,5,6"),
                tgt = set("2,50,52"), outside = set("2,7,9");
    ck_assert_int_eq(bi_tw_new(&w, &unsorted, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not sorted"));
    ck_assert_int_eq(bi_tw_stash(&w, "ABC", &a, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not a SHA-1"));
    /* a stash that is not part of the source */
    bi_tw_stash_ref ref = {ID_A, &outside};
    bi_tw_source s = {&a, &ref, 1};
    ck_assert_int_eq(bi_tw_stash(&w, ID_A, &outside, &err), 0);
    ck_assert_int_eq(bi_tw_move(&w, SHA_T, &tgt, &s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "overlap or leave"));
    /* using a stash nobody made */
    bi_tw_stash_ref ref_b = {ID_B, &b};
    bi_rangeset src = set("4,0,2,5,6"), tgt3 = set("2,60,63");
    bi_tw_source s2 = {&src, &ref_b, 1};
    ck_assert_int_eq(bi_tw_diff(&w, "bsdiff", 0, 1, SHA_S, SHA_T, &tgt3, &s2, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "used but not held"));
    ck_assert_int_eq(bi_tw_diff(&w, "xdelta", 0, 1, SHA_S, SHA_T, &tgt3, &s2, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not a patch command"));
    /* the stash of ID_A was never used */
    ota_buf out = {0};
    ck_assert_int_eq(bi_tw_finish(&w, &out, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "never used"));
    bi_tw_free(&w);
    bi_rangeset *all[] = {&unsorted, &a, &b, &tgt, &outside, &src, &tgt3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        bi_rangeset_free(all[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transfer_write");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, every_command_form_as_android_writes_it);
    tcase_add_test(tc, two_stashes_in_one_source_and_the_peak_count);
    tcase_add_test(tc, bad_input_is_refused_with_the_reason);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
