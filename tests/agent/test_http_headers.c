/* What the agent reads from HTTP headers: Content-Range, validators, the
 * status of the last response after redirects. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent/http_headers.h"
#include "tests/common/testutil.h"

static void feed(agent_http_response *r, const char *const *lines)
{
    for (size_t i = 0; lines[i]; i++)
        agent_http_header_line(r, lines[i], strlen(lines[i]));
    agent_http_headers_done(r);
}

START_TEST(content_range)
{
    uint64_t s, e, size;
    int known;
    ck_assert_int_eq(agent_http_parse_content_range("bytes 100-199/1000", &s, &e, &size, &known), 0);
    ck_assert(s == 100 && e == 199 && size == 1000 && known);
    ck_assert_int_eq(agent_http_parse_content_range("bytes 0-9/*", &s, &e, &size, &known), 0);
    ck_assert(!known);
    ck_assert_int_eq(agent_http_parse_content_range("bytes 10-9/100", &s, &e, &size, &known), -1);
    ck_assert_int_eq(agent_http_parse_content_range("bytes 0-100/100", &s, &e, &size, &known), -1);
    ck_assert_int_eq(agent_http_parse_content_range("items 0-1/2", &s, &e, &size, &known), -1);
    ck_assert_int_eq(agent_http_parse_content_range("bytes -5/10", &s, &e, &size, &known), -1);
    ck_assert_int_eq(agent_http_parse_content_range("bytes 0-1/99999999999999999999999", &s, &e,
                                                    &size, &known), -1);
}
END_TEST

START_TEST(partial_response)
{
    agent_http_response r;
    memset(&r, 0, sizeof r);
    const char *const lines[] = {"HTTP/1.1 206 Partial Content\r\n", "ETag: \"abc\"\r\n",
                                 "Content-Length: 100\r\n", "content-range: bytes 100-199/1000\r\n",
                                 "\r\n", NULL};
    feed(&r, lines);
    ck_assert_int_eq(r.status, 206);
    ck_assert(r.partial && r.range_start == 100 && r.entity_size == 1000 && r.size_known);
    ck_assert_str_eq(agent_http_validator(&r), "\"abc\"");
}
END_TEST

START_TEST(redirect_then_full_response)
{
    agent_http_response r;
    memset(&r, 0, sizeof r);
    const char *const lines[] = {"HTTP/1.1 302 Found\r\n", "Location: /x\r\n", "ETag: \"old\"\r\n",
                                 "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 5000\r\n",
                                 "ETag: W/\"weak\"\r\n",
                                 "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n", NULL};
    feed(&r, lines);
    ck_assert_int_eq(r.status, 200);
    ck_assert(!r.partial && r.size_known && r.entity_size == 5000);
    /* weak ETags cannot be used with If-Range: Last-Modified is */
    ck_assert_str_eq(agent_http_validator(&r), "Tue, 01 Dec 2026 10:00:00 GMT");
}
END_TEST

START_TEST(inconsistent_partial_is_not_trusted)
{
    agent_http_response r;
    memset(&r, 0, sizeof r);
    const char *const lines[] = {"HTTP/1.1 206 Partial Content\r\n", "Content-Length: 7\r\n",
                                 "Content-Range: bytes 100-199/1000\r\n", NULL};
    feed(&r, lines);
    ck_assert(!r.partial);
    memset(&r, 0, sizeof r);
    const char *const l416[] = {"HTTP/1.1 416 Range Not Satisfiable\r\n",
                                "Content-Range: bytes */1000\r\n", NULL};
    feed(&r, l416);
    ck_assert(r.status == 416 && r.size_known && r.entity_size == 1000);
}
END_TEST

/* libcurl hands header lines without a NUL: nothing may read past len
 * (found by fuzz/http_headers.c). */
START_TEST(lines_are_not_nul_terminated)
{
    agent_http_response r;
    memset(&r, 0, sizeof r);
    char *line = malloc(11);
    memcpy(line, "HTTP/1.1 20", 11);
    agent_http_header_line(&r, line, 11);
    ck_assert_int_eq(r.status, 0);
    memcpy(line, "HTTP/1 206", 10);
    agent_http_header_line(&r, line, 10);
    ck_assert_int_eq(r.status, 206);
    free(line);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http headers");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, content_range);
    tcase_add_test(tc, partial_response);
    tcase_add_test(tc, redirect_then_full_response);
    tcase_add_test(tc, inconsistent_partial_is_not_trusted);
    tcase_add_test(tc, lines_are_not_nul_terminated);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
