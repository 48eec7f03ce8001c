/* The channel document (otautil/channel.h): what is written parses back,
 * the signature block is split off exactly, and malformed or unsigned
 * documents are refused with a reason.  Real signatures are checked by
 * tests/agent/channel.sh with keys made there. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/channel.h"
#include "tests/common/testutil.h"

static void add(ota_channel *ch, const char *url, const char *md_text, uint8_t fill)
{
    ota_props md = {0};
    ota_error err;
    ck_assert_int_eq(ota_props_parse(&md, md_text, strlen(md_text), "md", &err), 0);
    uint8_t sha[OTA_SHA256_LEN];
    memset(sha, fill, sizeof sha);
    ck_assert_msg(ota_channel_add(ch, url, 1000u + fill, sha, &md, &err) == 0, "%s",
                  err.message);
    ota_props_free(&md);
}

static void make(ota_buf *text)
{
    ota_channel ch = {.name = "stable", .date = 1700000000, .build = "fp/2"};
    add(&ch, "full-2.zip", "post-build=fp/2\npre-device=dev\npost-timestamp=2\n", 1);
    add(&ch, "https://cdn.example/incr-1-2.zip",
        "post-build=fp/2\npre-build=fp/1\npre-device=dev\npost-timestamp=2\n", 2);
    ota_error err;
    ck_assert_int_eq(ota_channel_format(&ch, text, &err), 0);
    /* ota_channel_free would free the literals */
    for (size_t i = 0; i < ch.count; i++) {
        free(ch.packages[i].url);
        ota_props_free(&ch.packages[i].metadata);
    }
    free(ch.packages);
}

START_TEST(format_parses_back)
{
    ota_buf text = {0};
    make(&text);
    ota_channel ch = {0};
    ota_error err;
    ck_assert_msg(ota_channel_parse((const char *)text.data, text.len, &ch, &err) == 0, "%s",
                  err.message);
    ck_assert_str_eq(ch.name, "stable");
    ck_assert_int_eq(ch.date, 1700000000);
    ck_assert_str_eq(ch.build, "fp/2");
    ck_assert_int_eq(ch.count, 2);
    const ota_channel_package *full = ota_channel_full(&ch);
    ck_assert_ptr_nonnull(full);
    ck_assert_str_eq(full->url, "full-2.zip");
    ck_assert_int_eq(full->size, 1001);
    ck_assert_int_eq(full->sha256[31], 1);
    const ota_channel_package *incr = ota_channel_incremental(&ch, "fp/1");
    ck_assert_ptr_nonnull(incr);
    ck_assert_str_eq(incr->url, "https://cdn.example/incr-1-2.zip");
    ck_assert_str_eq(ota_props_get(&incr->metadata, "pre-device"), "dev");
    ck_assert_ptr_null(ota_channel_incremental(&ch, "fp/0"));
    ota_channel_free(&ch);
    ota_buf_free(&text);
}
END_TEST

START_TEST(signature_block_is_split_exactly)
{
    ota_buf doc = {0};
    make(&doc);
    size_t text_len = doc.len;
    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x07, 0xff, 0x00};
    ota_error err;
    ck_assert_int_eq(ota_channel_seal(&doc, der, sizeof der, &err), 0);
    size_t got_len = 0;
    ota_buf got = {0};
    ck_assert_msg(ota_channel_split(doc.data, doc.len, &got_len, &got, &err) == 0, "%s",
                  err.message);
    ck_assert_int_eq(got_len, text_len);
    ck_assert_int_eq(got.len, sizeof der);
    ck_assert(memcmp(got.data, der, sizeof der) == 0);
    ota_buf_free(&got);
    /* Anything after the block is refused. */
    ck_assert_int_eq(ota_buf_append(&doc, "extra=1\n", 8, &err), 0);
    ck_assert_int_eq(ota_channel_split(doc.data, doc.len, &got_len, &got, &err), -1);
    ota_buf_free(&got);
    ota_buf_free(&doc);
}
END_TEST

START_TEST(unsigned_and_malformed_are_refused)
{
    ota_buf text = {0};
    make(&text);
    size_t n;
    ota_buf der = {0};
    ota_error err;
    ck_assert_int_eq(ota_channel_split(text.data, text.len, &n, &der, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.message, "not signed"));
    static const char *bad[] = {
        "name=x\nota-channel=1\nbuild=b\ndate=1\n",  /* version not first */
        "ota-channel=2\nbuild=b\ndate=1\n",          /* unknown version */
        "ota-channel=1\ndate=1\n",                   /* no build */
        "ota-channel=1\nbuild=b\ndate=soon\n",       /* bad date */
        "ota-channel=1\nbuild=b\ndate=1\n",          /* no package */
        "ota-channel=1\nbuild=b\ndate=1\npackage.1.url=u\npackage.1.size=1\n", /* no sha */
        "ota-channel=1\nbuild=b\ndate=1\npackage.0.url=u\n",                   /* index 0 */
        "ota-channel=1\nbuild=b\ndate=1\npackage.1.url=u\npackage.1.size=1\npackage.1.sha256="
        "0101010101010101010101010101010101010101010101010101010101010101\n"
        "package.1.metadata.pre-device=d\npackage.1.metadata.post-build=other\n", /* build */
        "ota-channel=1\nbuild=b\ndate=1\npackage.2.url=u\npackage.2.size=1\npackage.2.sha256="
        "0101010101010101010101010101010101010101010101010101010101010101\n"
        "package.2.metadata.pre-device=d\npackage.2.metadata.post-build=b\n", /* gap */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ota_channel ch = {0};
        ota_error_clear(&err);
        ck_assert_msg(ota_channel_parse(bad[i], strlen(bad[i]), &ch, &err) == -1,
                      "case %zu parsed", i);
        ck_assert_msg(err.message[0], "case %zu: no message", i);
    }
    ota_buf_free(&text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("channel");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, format_parses_back);
    tcase_add_test(tc, signature_block_is_split_exactly);
    tcase_add_test(tc, unsigned_and_malformed_are_refused);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
