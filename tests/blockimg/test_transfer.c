/* Unit tests of the transfer list parser and its whole-list checks
 * (blockimg/transfer.h): every command in every version, the three
 * source forms, stash IDs by version, and a table of broken lists, each
 * refused with the line and the reason. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockimg/transfer.h"
#include "tests/common/testutil.h"

#define H1 "0123456789abcdef0123456789abcdef01234567"
#define H2 "89abcdef0123456789abcdef0123456789abcdef"
#define H3 "fedcba9876543210fedcba9876543210fedcba98"

static bi_transfer_list parse_ok(const char *text)
{
    bi_transfer_list tl;
    ota_error err;
    ck_assert_msg(bi_transfer_parse(&tl, text, strlen(text), &err) == 0, "%s\n-> %s", text,
                  err.message);
    return tl;
}

static void ranges_are(const bi_rangeset *rs, const char *want)
{
    char *s = bi_rangeset_to_string(rs);
    ck_assert_str_eq(s, want);
    free(s);
}

START_TEST(version1_commands)
{
    bi_transfer_list tl = parse_ok("1\n"
                                   "30\n"
                                   "erase 2,20,30\n"
                                   "zero 2,0,1\n"
                                   "new 4,1,3,9,10\n"
                                   "move 2,10,15 2,3,8\n"
                                   "bsdiff 0 100 2,15,17 2,8,9\n"
                                   "imgdiff 100 50 2,17,20 2,10,12\n");
    ck_assert_int_eq(tl.version, 1);
    ck_assert_uint_eq(tl.total_blocks, 30);
    ck_assert_uint_eq(tl.header_lines, 2);
    ck_assert_uint_eq(tl.ncmds, 6);
    ck_assert_int_eq(tl.cmds[0].type, BI_CMD_ERASE);
    ck_assert_uint_eq(tl.cmds[0].line, 3);
    ck_assert_uint_eq(tl.cmds[0].index, 0);
    ck_assert_str_eq(tl.cmds[0].text, "erase 2,20,30");
    ck_assert_int_eq(tl.cmds[2].type, BI_CMD_NEW);
    ranges_are(&tl.cmds[2].target, "4,1,3,9,10");
    const bi_command *m = &tl.cmds[3];
    ck_assert_int_eq(m->type, BI_CMD_MOVE);
    ranges_are(&m->src.ranges, "2,10,15");
    ranges_are(&m->target, "2,3,8");
    ck_assert_uint_eq(m->src.blocks, 5);
    ck_assert_int_eq(m->has_hashes, 0);
    const bi_command *d = &tl.cmds[5];
    ck_assert_int_eq(d->type, BI_CMD_IMGDIFF);
    ck_assert_uint_eq(d->patch_offset, 100);
    ck_assert_uint_eq(d->patch_len, 50);
    ranges_are(&d->src.ranges, "2,17,20");
    ranges_are(&d->target, "2,10,12");
    bi_transfer_free(&tl);
}
END_TEST

START_TEST(version2_sources_and_slots)
{
    bi_transfer_list tl = parse_ok("2\n"
                                   "40\n"
                                   "2\n"
                                   "9\n"
                                   "stash 0 2,30,34\n"
                                   "stash 1 2,34,39\n"
                                   "move 2,0,4 4 2,10,14\n"
                                   "move 2,4,8 4 - 0:2,0,4\n"
                                   "bsdiff 0 10 2,8,20 12 2,40,43 2,0,3 1:2,3,8 0:4,8,10,10,12\n"
                                   "free 0\n"
                                   "free 1\n");
    ck_assert_int_eq(tl.version, 2);
    ck_assert_uint_eq(tl.stash_entries, 2);
    ck_assert_uint_eq(tl.stash_max_blocks, 9);
    ck_assert_uint_eq(tl.ncmds, 7);
    ck_assert_uint_eq(tl.cmds[0].index, 0);
    ck_assert_str_eq(tl.cmds[0].stash_id, "0");
    ranges_are(&tl.cmds[0].src.ranges, "2,30,34");
    const bi_command *only_stash = &tl.cmds[3];
    ck_assert_uint_eq(only_stash->src.ranges.count, 0);
    ck_assert_uint_eq(only_stash->src.nstashes, 1);
    ck_assert_str_eq(only_stash->src.stashes[0].id, "0");
    const bi_command *both = &tl.cmds[4];
    ck_assert_uint_eq(both->src.blocks, 12);
    ranges_are(&both->src.ranges, "2,40,43");
    ranges_are(&both->src.locs, "2,0,3");
    ck_assert_uint_eq(both->src.nstashes, 2);
    ck_assert_str_eq(both->src.stashes[1].id, "0");
    ranges_are(&both->src.stashes[1].locs, "4,8,10,10,12");
    ck_assert_int_eq(tl.cmds[6].type, BI_CMD_FREE);
    ck_assert_str_eq(tl.cmds[6].stash_id, "1");
    bi_transfer_free(&tl);
}
END_TEST

START_TEST(version3_and_4_hashes)
{
    for (int v = 3; v <= 4; v++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "%d\n20\n1\n4\n"
                 "stash " H1 " 2,10,14\n"
                 "move " H2 " 2,0,4 4 2,4,8\n"
                 "bsdiff 7 9 " H2 " " H3 " 2,4,8 4 - " H1 ":2,0,4\n"
                 "imgdiff 16 1 " H3 " " H1 " 2,8,10 4 2,18,20 2,0,2 " H1 ":2,2,4\n"
                 "free " H1 "\n"
                 "new 2,10,20\n",
                 v);
        bi_transfer_list tl = parse_ok(text);
        ck_assert_int_eq(tl.version, v);
        ck_assert_uint_eq(tl.ncmds, 6);
        ck_assert_str_eq(tl.cmds[0].stash_id, H1);
        const bi_command *m = &tl.cmds[1];
        ck_assert_int_eq(m->has_hashes, 1);
        char hex[41];
        ota_hex_encode(m->src_sha1, 20, hex);
        ck_assert_str_eq(hex, H2);
        ck_assert_mem_eq(m->src_sha1, m->tgt_sha1, 20); /* move: one hash for both */
        const bi_command *b = &tl.cmds[2];
        ota_hex_encode(b->tgt_sha1, 20, hex);
        ck_assert_str_eq(hex, H3);
        ck_assert_uint_eq(b->patch_offset, 7);
        ck_assert_uint_eq(b->src.nstashes, 1);
        ck_assert_uint_eq(tl.cmds[3].src.nstashes, 1);
        ck_assert_uint_eq(tl.cmds[5].index, 5);
        ota_error err;
        ck_assert_int_eq(bi_transfer_check(&tl, 20, 20, 1, &err), 0);
        bi_transfer_free(&tl);
    }
}
END_TEST

START_TEST(stash_ids_upper_case_are_normalised_and_empty_lines_skipped)
{
    bi_transfer_list tl = parse_ok("4\n4\n1\n4\n\nstash 0123456789ABCDEF0123456789ABCDEF01234567 2,0,4\n"
                                   "\nmove " H2 " 2,4,8 4 - " H1 ":2,0,4\n\n");
    ck_assert_uint_eq(tl.ncmds, 2);
    ck_assert_str_eq(tl.cmds[0].stash_id, H1);
    ck_assert_uint_eq(tl.cmds[0].line, 6);
    ck_assert_uint_eq(tl.cmds[0].index, 1); /* Android counts empty lines too */
    ck_assert_uint_eq(tl.cmds[1].index, 3);
    bi_transfer_free(&tl);
}
END_TEST

START_TEST(broken_lists_name_line_and_reason)
{
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"", "line 1: version \"\" is not a number from 1 to 4"},
        {"5\n1\n", "line 1: version \"5\""},
        {"0\n1\n", "line 1: version \"0\""},
        {"4\n", "line 2: total block count is missing (empty line)"},
        {"4\n10", "transfer list has 2 lines; a version 4 list starts with 4 header lines"},
        {"4\n10\n0\n", "line 4: maximum stashed blocks is missing"},
        {"1\nten\n", "line 2: total block count \"ten\" is not a decimal number"},
        {"3\n1\nx\n0\n", "line 3: stash entry count"},
        {"3\n1\n0\n-1\n", "line 4: maximum stashed blocks"},
        {"3\n1\n0\n0\r\n", "line 4: carriage return"},
        {"1\n1\nfrobnicate 2,0,1\n", "line 3: unknown command \"frobnicate\""},
        {"1\n1\nzero\n", "line 3 (zero): missing target ranges"},
        {"1\n1\nzero 2,0,1 \n", "line 3 (zero): space at the end of the line"},
        {"1\n1\nzero  2,0,1\n", "line 3 (zero): empty field"},
        {"1\n1\nzero 2,0,1 2,3,4\n", "line 3 (zero): unexpected field \"2,3,4\""},
        {"1\n1\nnew 3,0,1\n", "line 3 (new): target ranges: range set"},
        {"1\n1\nmove 2,0,1\n", "line 3 (move): missing target ranges"},
        {"1\n1\nstash 0 2,0,1\n", "stashes need a version 2 or later list"},
        {"2\n1\n0\n0\nstash abc 2,0,1\n", "line 5 (stash): stash id \"abc\" is not a slot number"},
        {"3\n1\n0\n0\nstash 12 2,0,1\n", "line 5 (stash): stash id \"12\" is not a SHA-1"},
        {"3\n1\n0\n0\nfree\n", "line 5 (free): missing stash id"},
        {"3\n1\n0\n0\nmove zz 2,0,1 1 2,1,2\n", "line 5 (move): block hash \"zz\" is not a SHA-1"},
        {"3\n1\n0\n0\nbsdiff 0 1 " H1 " 2,0,1 1 2,1,2\n", "target hash \"2,0,1\" is not a SHA-1"},
        {"3\n1\n0\n0\nbsdiff 0 0 " H1 " " H2 " 2,0,1 1 2,1,2\n", "patch length is 0"},
        {"3\n1\n0\n0\nbsdiff x 1 " H1 " " H2 " 2,0,1 1 2,1,2\n", "patch offset \"x\" is not a decimal"},
        {"3\n1\n0\n0\nbsdiff 9999999999999999999 9999999999999999999 " H1 " " H2 " 2,0,1 1 2,1,2\n",
         "patch offset + length overflows"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,1 0 2,1,2\n", "source block count is 0"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,1 2 2,1,2\n", "source ranges hold 1 blocks, the count says 2"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 -\n", "\"-\" (source from stashes only) names no stash"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 - " H2 "\n", "is not ID:RANGES"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 - 12:2,0,2\n", "stash id \"12\" is not a SHA-1"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 - " H2 ":2,0,1\n", "source blocks 1-1 of 2 are filled from nowhere"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 - " H2 ":2,0,3\n", "past its count 2"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,2 2 - " H2 ":2,0,2 " H3 ":2,1,2\n", "source block 1 is filled twice"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,3 3 2,5,7 2,1,3 " H2 ":2,0,2\n", "source block 1 is filled twice"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,3 3 2,5,7 2,0,1\n", "source locations hold 1 blocks, the source ranges 2"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,3 3 2,5,7 2,1,3\n", "source blocks 0-0 of 3 are filled from nowhere"},
        {"3\n1\n0\n0\nmove " H1 " 2,0,3 3 2,5,7 2,1,3 " H2 ":2,0,1:3\n", "stash locations"},
        {"1\n1\nzero 2,0,1\nnew 2,1,2\x00\n", "NUL byte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bi_transfer_list tl;
        ota_error err;
        size_t len = strlen(cases[i].text);
        if (strstr(cases[i].reason, "NUL"))
            len += 2;
        ck_assert_msg(bi_transfer_parse(&tl, cases[i].text, len, &err) < 0, "case %zu accepted", i);
        ck_assert_int_eq(err.code, OTA_ERR_FORMAT);
        ck_assert_msg(strstr(err.message, cases[i].reason), "case %zu: \"%s\" lacks \"%s\"", i,
                      err.message, cases[i].reason);
    }
}
END_TEST

static void check_fails(const char *text, uint64_t src, uint64_t tgt, int same, const char *reason)
{
    bi_transfer_list tl = parse_ok(text);
    ota_error err;
    ck_assert_msg(bi_transfer_check(&tl, src, tgt, same, &err) < 0, "accepted: %s", text);
    ck_assert_msg(strstr(err.message, reason), "\"%s\" lacks \"%s\"", err.message, reason);
    bi_transfer_free(&tl);
}

START_TEST(whole_list_checks)
{
    check_fails("1\n1\nzero 2,0,11\n", 20, 10, 1, "line 3 (zero): target ranges reach block 10, "
                "past the end of the target partition (10 blocks)");
    check_fails("3\n1\n0\n0\nmove " H1 " 2,0,1 1 2,30,31\n", 20, 20, 0,
                "source ranges reach block 30, past the end of the source partition (20 blocks)");
    check_fails("3\n1\n0\n0\nmove " H1 " 2,0,1 1 - " H2 ":2,0,1\n", 20, 20, 1,
                "line 5 (move): uses stash " H2 ", which no earlier command stashed");
    check_fails("3\n1\n0\n0\nstash " H2 " 2,5,6\nfree " H2 "\nmove " H1 " 2,0,1 1 - " H2 ":2,0,1\n",
                20, 20, 1, "line 7 (move): uses stash");
    check_fails("3\n1\n0\n0\nnew 2,5,8\nzero 2,0,1\nmove " H1 " 2,0,1 1 2,6,7\n", 20, 20, 1,
                "line 7 (move): reads block 6, which line 5 already wrote");
    check_fails("3\n1\n0\n0\nzero 2,5,8\nstash " H1 " 2,4,6\n", 20, 20, 1,
                "line 6 (stash): reads block 5, which line 5 already wrote");

    /* A command may read what it overwrites itself, and source and target
     * on different devices never conflict. */
    const char *ok = "3\n2\n0\n0\nmove " H1 " 2,0,2 2 2,1,3\nmove " H2 " 2,5,7 2 2,0,2\n";
    bi_transfer_list tl = parse_ok(ok);
    ota_error err;
    ck_assert_int_eq(bi_transfer_check(&tl, 20, 20, 1, &err), -1); /* line 6 reads 0-1 */
    ck_assert_int_eq(bi_transfer_check(&tl, 20, 20, 0, &err), 0);
    bi_transfer_free(&tl);
    tl = parse_ok("3\n2\n0\n0\nmove " H1 " 2,0,2 2 2,1,3\n");
    ck_assert_int_eq(bi_transfer_check(&tl, 20, 20, 1, &err), 0);
    bi_transfer_free(&tl);
}
END_TEST

/* Every prefix of a valid list, and every single-byte change of it, is
 * parsed or refused without a crash or a leak (ASan in SANITIZE=1). */
START_TEST(mutations_never_crash)
{
    const char *base = "4\n20\n1\n4\nstash " H1 " 2,10,14\nmove " H2 " 2,0,4 4 2,4,8\n"
                       "bsdiff 7 9 " H2 " " H3 " 2,4,8 4 - " H1 ":2,0,4\nfree " H1 "\nnew 2,10,20\n";
    size_t len = strlen(base);
    char *buf = malloc(len);
    static const char subst[] = " ,:-0\n9a";
    size_t accepted = 0;
    for (size_t i = 0; i <= len; i++) {
        bi_transfer_list tl;
        ota_error err;
        if (bi_transfer_parse(&tl, base, i, &err) == 0) {
            accepted++;
            bi_transfer_free(&tl);
        }
    }
    for (size_t i = 0; i < len; i++) {
        for (size_t s = 0; s < sizeof subst - 1; s++) {
            memcpy(buf, base, len);
            buf[i] = subst[s];
            bi_transfer_list tl;
            ota_error err;
            if (bi_transfer_parse(&tl, buf, len, &err) == 0) {
                (void)bi_transfer_check(&tl, 64, 64, 1, &err);
                bi_transfer_free(&tl);
            }
        }
    }
    ck_assert_uint_gt(accepted, 0);
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transfer");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, version1_commands);
    tcase_add_test(tc, version2_sources_and_slots);
    tcase_add_test(tc, version3_and_4_hashes);
    tcase_add_test(tc, stash_ids_upper_case_are_normalised_and_empty_lines_skipped);
    tcase_add_test(tc, broken_lists_name_line_and_reason);
    tcase_add_test(tc, whole_list_checks);
    tcase_add_test(tc, mutations_never_crash);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
