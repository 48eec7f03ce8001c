/* When to try a failed transfer again: after a delay that doubles from
 * delay_ms up to max_delay_ms, as long as no more than max_failures
 * attempts in a row made no progress and the whole operation stays within
 * total_ms.  An attempt that made progress (received bytes) starts the
 * count and the delay again: a link that drops often but moves forward is
 * followed to the end; one that moves nothing is given up on. */
#ifndef AGENT_RETRY_H
#define AGENT_RETRY_H

#include <stdint.h>

typedef struct agent_retry_policy {
    int max_failures;   /* attempts in a row without progress */
    long delay_ms;      /* first delay */
    long max_delay_ms;  /* cap of the doubling */
    long total_ms;      /* bound on the whole operation; <= 0: none */
} agent_retry_policy;

typedef struct agent_retry {
    agent_retry_policy policy;
    int64_t start_ms;
    int failures;
    long next_delay_ms;
} agent_retry;

/* Monotonic milliseconds. */
int64_t agent_now_ms(void);

void agent_retry_start(agent_retry *r, const agent_retry_policy *policy);
/* After a failed attempt (progress: it moved bytes forward): the delay to
 * wait before the next one in *delay_ms, or -1 when giving up (too many
 * failures in a row, or the time bound would be passed). */
int agent_retry_next(agent_retry *r, int progress, long *delay_ms);
/* Sleeps ms milliseconds (restarting after signals). */
void agent_sleep_ms(long ms);

#endif
