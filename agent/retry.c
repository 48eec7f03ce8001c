#include "agent/retry.h"

#include <errno.h>
#include <time.h>

int64_t agent_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void agent_retry_start(agent_retry *r, const agent_retry_policy *policy)
{
    r->policy = *policy;
    r->start_ms = agent_now_ms();
    r->failures = 0;
    r->next_delay_ms = policy->delay_ms;
}

int agent_retry_next(agent_retry *r, int progress, long *delay_ms)
{
    if (progress) {
        r->failures = 0;
        r->next_delay_ms = r->policy.delay_ms;
    }
    if (++r->failures > r->policy.max_failures)
        return -1;
    long delay = r->next_delay_ms;
    if (r->policy.total_ms > 0 && agent_now_ms() + delay - r->start_ms > r->policy.total_ms)
        return -1;
    *delay_ms = delay;
    long next = delay * 2;
    r->next_delay_ms = next > r->policy.max_delay_ms ? r->policy.max_delay_ms : next;
    if (r->next_delay_ms < 1)
        r->next_delay_ms = 1;
    return 0;
}

void agent_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
