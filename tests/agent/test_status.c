/* The status file round trip, its JSON, the progress views and the retry
 * policy. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/progress.h"
#include "agent/retry.h"
#include "agent/status.h"
#include "tests/common/testutil.h"

START_TEST(status_round_trip)
{
    char dir[] = "/tmp/agent-status-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    agent_status st, back;
    ota_error err;
    ck_assert_int_eq(agent_status_load(dir, &st, &err), 0); /* none yet: idle */
    ck_assert_int_eq(st.state, AGENT_IDLE);
    st.state = AGENT_DOWNLOADING;
    st.done = 123;
    st.total = 456;
    strcpy(st.target_build, "fp/2");
    strcpy(st.last_error, "line one\nline \"two\"");
    st.channel_date = 1700000000;
    ck_assert_int_eq(agent_status_save(dir, &st, &err), 0);
    ck_assert_int_eq(agent_status_load(dir, &back, &err), 0);
    ck_assert_int_eq(back.state, AGENT_DOWNLOADING);
    ck_assert(back.done == 123 && back.total == 456 && back.channel_date == 1700000000);
    ck_assert_str_eq(back.target_build, "fp/2");
    ck_assert_str_eq(back.last_error, "line one line \"two\""); /* one line in the file */
    ota_buf json = {0};
    ck_assert_int_eq(agent_status_json(&back, &json, &err), 0);
    ck_assert_int_eq(ota_buf_append(&json, "", 1, &err), 0);
    ck_assert_ptr_nonnull(strstr((char *)json.data, "\"state\": \"downloading\""));
    ck_assert_ptr_nonnull(strstr((char *)json.data, "\"last_error\": \"line one line \\\"two\\\"\""));
    ota_buf_free(&json);
    char path[256];
    snprintf(path, sizeof path, "%s/status", dir);
    unlink(path);
    rmdir(dir);
    for (int s = AGENT_IDLE; s <= AGENT_FAILED; s++)
        ck_assert_int_eq(agent_state_parse(agent_state_name((agent_state)s)), s);
}
END_TEST

START_TEST(progress_views)
{
    agent_progress_view lines = {.style = AGENT_PROGRESS_LINES, .state = (agent_state)-1};
    ota_buf out = {0};
    ota_error err;
    for (uint64_t done = 0; done <= 1000; done += 10)
        ck_assert_int_eq(agent_progress_render(&lines, AGENT_DOWNLOADING, done, 1000, &out, &err), 0);
    int n = 0;
    for (size_t i = 0; i < out.len; i++)
        n += out.data[i] == '\n';
    ck_assert_int_eq(n, 11); /* one line a tenth, 0% to 100% */
    ota_buf_free(&out);
    agent_progress_view bar = {.style = AGENT_PROGRESS_BAR, .width = 20, .state = (agent_state)-1};
    ck_assert_int_eq(agent_progress_render(&bar, AGENT_DOWNLOADING, 500, 1000, &out, &err), 0);
    ck_assert_int_eq(ota_buf_append(&out, "", 1, &err), 0);
    ck_assert_ptr_nonnull(strstr((char *)out.data, "[##########..........]  50%"));
    ota_buf_free(&out);
}
END_TEST

START_TEST(retry_backoff)
{
    agent_retry_policy p = {.max_failures = 3, .delay_ms = 100, .max_delay_ms = 300};
    agent_retry r;
    agent_retry_start(&r, &p);
    long d;
    ck_assert_int_eq(agent_retry_next(&r, 0, &d), 0);
    ck_assert_int_eq(d, 100);
    ck_assert_int_eq(agent_retry_next(&r, 0, &d), 0);
    ck_assert_int_eq(d, 200);
    ck_assert_int_eq(agent_retry_next(&r, 0, &d), 0);
    ck_assert_int_eq(d, 300);
    ck_assert_int_eq(agent_retry_next(&r, 0, &d), -1); /* 4 failures without progress */
    agent_retry_start(&r, &p);
    for (int i = 0; i < 50; i++) { /* progress every time: followed to the end */
        ck_assert_int_eq(agent_retry_next(&r, 1, &d), 0);
        ck_assert_int_eq(d, 100);
    }
    agent_retry_policy bounded = {.max_failures = 100, .delay_ms = 50, .max_delay_ms = 50,
                                  .total_ms = 120};
    agent_retry_start(&r, &bounded);
    int tries = 0;
    while (agent_retry_next(&r, 1, &d) == 0 && tries < 100) {
        agent_sleep_ms(d);
        tries++;
    }
    ck_assert_int_lt(tries, 100); /* the time bound ends it */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent status");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, status_round_trip);
    tcase_add_test(tc, progress_views);
    tcase_add_test(tc, retry_backoff);
    suite_add_tcase(s, tc);
    return test_run(s) ? 1 : 0;
}
