/* Unit tests of the A/B package's partition record
 * (otautil/ab_partitions.h): what parses, what is refused and by which
 * key, and that the writer's text reads back to the same record. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/ab_partitions.h"
#include "tests/common/testutil.h"

#define H64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static const char good[] = "ab-partitions=1\n"
                           "partitions=boot,system,bootloader\n"
                           "boot.slotted=yes\nboot.size=4097\nboot.sha256=" H64 "\n"
                           "system.slotted=yes\nsystem.size=8192\nsystem.sha256=" H64 "\n"
                           "system.source-ranges=2,0,2\nsystem.source-sha256=" H64 "\n"
                           "bootloader.slotted=no\nbootloader.size=512\nbootloader.sha256=" H64
                           "\n";

START_TEST(a_record_parses_and_formats_back)
{
    ota_ab_partitions p, again;
    ota_error err;
    ck_assert_msg(ota_ab_partitions_parse(good, strlen(good), &p, &err) == 0, "%s", err.message);
    ck_assert_uint_eq(p.count, 3);
    ck_assert_str_eq(p.v[0].name, "boot");
    ck_assert_int_eq(p.v[0].slotted, 1);
    ck_assert_uint_eq(p.v[0].size, 4097);
    ck_assert_ptr_null(p.v[0].source_ranges);
    ck_assert_str_eq(p.v[1].source_ranges, "2,0,2");
    ck_assert_uint_eq(p.v[1].source_sha256[31], 0xff);
    ck_assert_int_eq(p.v[2].slotted, 0);
    ota_buf text = {0};
    ck_assert_int_eq(ota_ab_partitions_format(&p, &text, &err), 0);
    ck_assert_int_eq(ota_ab_partitions_parse((const char *)text.data, text.len, &again, &err), 0);
    ck_assert_uint_eq(again.count, p.count);
    for (size_t i = 0; i < p.count; i++) {
        ck_assert_str_eq(again.v[i].name, p.v[i].name);
        ck_assert_uint_eq(again.v[i].size, p.v[i].size);
        ck_assert_int_eq(again.v[i].slotted, p.v[i].slotted);
        ck_assert_mem_eq(again.v[i].sha256, p.v[i].sha256, OTA_SHA256_LEN);
    }
    ota_buf_free(&text);
    ota_ab_partitions_free(&again);
    ota_ab_partitions_free(&p);
}
END_TEST

typedef struct bad_case {
    const char *text;
    const char *names; /* what the message must contain */
} bad_case;

static const bad_case bad[] = {
    {"ab-partitions=2\npartitions=a\n", "ab-partitions=2"},
    {"ab-partitions=1\n", "no partitions="},
    {"ab-partitions=1\npartitions=Sys\nSys.slotted=yes\n", "bad partition name 'Sys'"},
    {"ab-partitions=1\npartitions=a,a\n", "partition a is listed twice"},
    {"ab-partitions=1\npartitions=a\na.slotted=maybe\n", "a.slotted"},
    {"ab-partitions=1\npartitions=a\na.slotted=yes\na.size=0\na.sha256=" H64 "\n", "a.size"},
    {"ab-partitions=1\npartitions=a\na.slotted=yes\na.size=1x\na.sha256=" H64 "\n", "a.size"},
    {"ab-partitions=1\npartitions=a\na.slotted=yes\na.size=1\na.sha256=12\n", "a.sha256"},
    {"ab-partitions=1\npartitions=a\na.slotted=yes\na.size=1\na.sha256=" H64
     "\na.source-ranges=2,0,1\n",
     "source-ranges without source-sha256"},
    {"ab-partitions=1\npartitions=a\na.slotted=no\na.size=1\na.sha256=" H64
     "\na.source-ranges=2,0,1\na.source-sha256=" H64 "\n",
     "single-copy partition a has a source"},
    {"ab-partitions=1\npartitions=a\na.slotted=yes\na.size=1\na.sha256=" H64 "\nb.size=1\n",
     "unknown key 'b.size'"},
};

START_TEST(bad_records_are_refused_by_name)
{
    const bad_case *c = &bad[_i];
    ota_ab_partitions p;
    ota_error err;
    ck_assert_int_eq(ota_ab_partitions_parse(c->text, strlen(c->text), &p, &err), -1);
    ck_assert_msg(strstr(err.message, c->names) != NULL, "case %d: \"%s\" lacks \"%s\"", _i,
                  err.message, c->names);
    ck_assert_msg(strstr(err.message, OTA_AB_PARTITIONS_ENTRY) != NULL, "%s", err.message);
    ck_assert_ptr_null(p.v);
}
END_TEST

START_TEST(names)
{
    ck_assert(ota_ab_partition_name_ok("system"));
    ck_assert(ota_ab_partition_name_ok("vendor_boot-2"));
    ck_assert(!ota_ab_partition_name_ok(""));
    ck_assert(!ota_ab_partition_name_ok("../misc"));
    ck_assert(!ota_ab_partition_name_ok("a/b"));
    ck_assert(!ota_ab_partition_name_ok("System"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("A/B partition record");
    TCase *tc = tcase_create("ab_partitions");
    tcase_add_test(tc, a_record_parses_and_formats_back);
    tcase_add_loop_test(tc, bad_records_are_refused_by_name, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return test_run(s) ? EXIT_FAILURE : EXIT_SUCCESS;
}
