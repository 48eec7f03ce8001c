#include "blockimg/rangeset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Block numbers fit in 64 bits with room to spare; text longer than this
 * is not a block number. */
#define MAX_DIGITS 19

static int push(bi_rangeset *rs, uint64_t begin, uint64_t end, ota_error *err)
{
    if (rs->count == rs->cap) {
        size_t ncap = rs->cap ? rs->cap * 2 : 8;
        bi_range *r = realloc(rs->ranges, ncap * sizeof *r);
        if (!r)
            return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
        rs->ranges = r;
        rs->cap = ncap;
    }
    rs->ranges[rs->count++] = (bi_range){begin, end};
    rs->blocks += end - begin;
    return 0;
}

/* Reads one decimal number at *pos; -1 when there is none or it is too long. */
static int number(const char *text, size_t len, size_t *pos, uint64_t *out)
{
    size_t start = *pos;
    uint64_t v = 0;
    while (*pos < len && text[*pos] >= '0' && text[*pos] <= '9') {
        if (*pos - start >= MAX_DIGITS)
            return -1;
        v = v * 10 + (uint64_t)(text[*pos] - '0');
        (*pos)++;
    }
    if (*pos == start)
        return -1;
    *out = v;
    return 0;
}

static int cmp_range(const void *a, const void *b)
{
    const bi_range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

int bi_rangeset_parse(bi_rangeset *rs, const char *text, size_t len, uint64_t max_block,
                      ota_error *err)
{
    memset(rs, 0, sizeof *rs);
    size_t pos = 0;
    uint64_t n;
    if (number(text, len, &pos, &n) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": no count", text);
    if (n == 0 || n % 2 != 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": the count %llu is not a "
                             "positive even number", text, (unsigned long long)n);
    /* Each number takes at least two characters (",d"): a count the text
     * cannot hold is refused before anything is allocated. */
    if (n > len / 2)
        return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": the count %llu does not "
                             "match the numbers that follow", text, (unsigned long long)n);
    for (uint64_t i = 0; i < n; i += 2) {
        uint64_t b, e;
        if (pos >= len || text[pos++] != ',' || number(text, len, &pos, &b) < 0 || pos >= len ||
            text[pos++] != ',' || number(text, len, &pos, &e) < 0) {
            bi_rangeset_free(rs);
            return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": expected %llu "
                                 "numbers after the count", text, (unsigned long long)n);
        }
        if (b >= e) {
            bi_rangeset_free(rs);
            return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": empty or reversed "
                                 "range %llu-%llu", text, (unsigned long long)b,
                                 (unsigned long long)e);
        }
        if (max_block && e > max_block) {
            bi_rangeset_free(rs);
            return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": block %llu is past "
                                 "the end of the partition (%llu blocks)", text,
                                 (unsigned long long)(e - 1), (unsigned long long)max_block);
        }
        if (push(rs, b, e, err) < 0) {
            bi_rangeset_free(rs);
            return -1;
        }
    }
    if (pos != len) {
        bi_rangeset_free(rs);
        return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": more numbers than the "
                             "count %llu says", text, (unsigned long long)n);
    }
    bi_range *sorted = malloc(rs->count * sizeof *sorted);
    if (!sorted) {
        bi_rangeset_free(rs);
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    }
    memcpy(sorted, rs->ranges, rs->count * sizeof *sorted);
    qsort(sorted, rs->count, sizeof *sorted, cmp_range);
    for (size_t i = 1; i < rs->count; i++) {
        if (sorted[i].begin < sorted[i - 1].end) {
            uint64_t at = sorted[i].begin;
            free(sorted);
            bi_rangeset_free(rs);
            return ota_error_set(err, OTA_ERR_FORMAT, "range set \"%.40s\": block %llu is in "
                                 "two ranges", text, (unsigned long long)at);
        }
    }
    free(sorted);
    return 0;
}

int bi_rangeset_format(const bi_rangeset *rs, ota_buf *out, ota_error *err)
{
    char num[32];
    int n = snprintf(num, sizeof num, "%zu", rs->count * 2);
    if (ota_buf_append(out, num, (size_t)n, err) < 0)
        return -1;
    for (size_t i = 0; i < rs->count; i++) {
        n = snprintf(num, sizeof num, ",%llu,%llu", (unsigned long long)rs->ranges[i].begin,
                     (unsigned long long)rs->ranges[i].end);
        if (ota_buf_append(out, num, (size_t)n, err) < 0)
            return -1;
    }
    return 0;
}

char *bi_rangeset_to_string(const bi_rangeset *rs)
{
    ota_buf b = {0};
    if (bi_rangeset_format(rs, &b, NULL) < 0 || ota_buf_append(&b, "", 1, NULL) < 0) {
        ota_buf_free(&b);
        return NULL;
    }
    return (char *)b.data;
}

int bi_rangeset_append(bi_rangeset *rs, uint64_t begin, uint64_t end, ota_error *err)
{
    if (begin >= end)
        return ota_error_set(err, OTA_ERR_ARGS, "empty range %llu-%llu",
                             (unsigned long long)begin, (unsigned long long)end);
    if (rs->count && rs->ranges[rs->count - 1].end == begin) {
        rs->ranges[rs->count - 1].end = end;
        rs->blocks += end - begin;
        return 0;
    }
    return push(rs, begin, end, err);
}

int bi_rangeset_copy(bi_rangeset *dst, const bi_rangeset *src, ota_error *err)
{
    bi_rangeset tmp = {0};
    for (size_t i = 0; i < src->count; i++)
        if (bi_rangeset_append(&tmp, src->ranges[i].begin, src->ranges[i].end, err) < 0) {
            bi_rangeset_free(&tmp);
            return -1;
        }
    bi_rangeset_free(dst);
    *dst = tmp;
    return 0;
}

void bi_rangeset_free(bi_rangeset *rs)
{
    if (!rs)
        return;
    free(rs->ranges);
    memset(rs, 0, sizeof *rs);
}

/* A sorted, merged copy of rs. */
static int normalized(const bi_rangeset *rs, bi_rangeset *out, ota_error *err)
{
    memset(out, 0, sizeof *out);
    if (rs->count == 0)
        return 0;
    bi_range *sorted = malloc(rs->count * sizeof *sorted);
    if (!sorted)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    memcpy(sorted, rs->ranges, rs->count * sizeof *sorted);
    qsort(sorted, rs->count, sizeof *sorted, cmp_range);
    int rc = 0;
    bi_range cur = sorted[0];
    for (size_t i = 1; i <= rs->count && rc == 0; i++) {
        if (i < rs->count && sorted[i].begin <= cur.end) {
            if (sorted[i].end > cur.end)
                cur.end = sorted[i].end;
            continue;
        }
        rc = bi_rangeset_append(out, cur.begin, cur.end, err);
        if (i < rs->count)
            cur = sorted[i];
    }
    free(sorted);
    if (rc < 0)
        bi_rangeset_free(out);
    return rc;
}

int bi_rangeset_overlaps(const bi_rangeset *a, const bi_rangeset *b)
{
    /* Small sets are the rule in transfer lists: pairwise is fine, and
     * needs no allocation. */
    for (size_t i = 0; i < a->count; i++)
        for (size_t j = 0; j < b->count; j++)
            if (a->ranges[i].begin < b->ranges[j].end && b->ranges[j].begin < a->ranges[i].end)
                return 1;
    return 0;
}

enum set_op { OP_UNION, OP_SUBTRACT, OP_INTERSECT };

/* A sweep over the boundaries of two normalized sets: a block is in the
 * result when its membership in (a, b) satisfies op. */
static int combine(const bi_rangeset *a, const bi_rangeset *b, enum set_op op, bi_rangeset *out,
                   ota_error *err)
{
    bi_rangeset na, nb, res = {0};
    if (normalized(a, &na, err) < 0)
        return -1;
    if (normalized(b, &nb, err) < 0) {
        bi_rangeset_free(&na);
        return -1;
    }
    size_t i = 0, j = 0;
    uint64_t pos = 0;
    int rc = 0;
    for (;;) {
        /* Skip ranges that end at or before pos. */
        while (i < na.count && na.ranges[i].end <= pos)
            i++;
        while (j < nb.count && nb.ranges[j].end <= pos)
            j++;
        if (i == na.count && j == nb.count)
            break;
        uint64_t next_a = i < na.count ? (na.ranges[i].begin > pos ? na.ranges[i].begin
                                                                   : na.ranges[i].end)
                                       : UINT64_MAX;
        uint64_t next_b = j < nb.count ? (nb.ranges[j].begin > pos ? nb.ranges[j].begin
                                                                   : nb.ranges[j].end)
                                       : UINT64_MAX;
        int in_a = i < na.count && na.ranges[i].begin <= pos;
        int in_b = j < nb.count && nb.ranges[j].begin <= pos;
        uint64_t next = next_a < next_b ? next_a : next_b;
        int keep = op == OP_UNION ? (in_a || in_b) : op == OP_SUBTRACT ? (in_a && !in_b)
                                                                       : (in_a && in_b);
        if (keep && (rc = bi_rangeset_append(&res, pos, next, err)) < 0)
            break;
        pos = next;
    }
    bi_rangeset_free(&na);
    bi_rangeset_free(&nb);
    if (rc < 0) {
        bi_rangeset_free(&res);
        return -1;
    }
    bi_rangeset_free(out);
    *out = res;
    return 0;
}

int bi_rangeset_union(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                      ota_error *err)
{
    return combine(a, b, OP_UNION, out, err);
}

int bi_rangeset_subtract(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                         ota_error *err)
{
    return combine(a, b, OP_SUBTRACT, out, err);
}

int bi_rangeset_intersect(const bi_rangeset *a, const bi_rangeset *b, bi_rangeset *out,
                          ota_error *err)
{
    return combine(a, b, OP_INTERSECT, out, err);
}

int bi_rangeset_first(const bi_rangeset *rs, uint64_t n, bi_rangeset *out, ota_error *err)
{
    if (n > rs->blocks)
        return ota_error_set(err, OTA_ERR_ARGS, "cannot take %llu blocks of a set of %llu",
                             (unsigned long long)n, (unsigned long long)rs->blocks);
    bi_rangeset res = {0};
    for (size_t i = 0; i < rs->count && n > 0; i++) {
        uint64_t len = rs->ranges[i].end - rs->ranges[i].begin;
        uint64_t take = len < n ? len : n;
        if (bi_rangeset_append(&res, rs->ranges[i].begin, rs->ranges[i].begin + take, err) < 0) {
            bi_rangeset_free(&res);
            return -1;
        }
        n -= take;
    }
    bi_rangeset_free(out);
    *out = res;
    return 0;
}

int bi_rangeset_equal(const bi_rangeset *a, const bi_rangeset *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->ranges[i].begin != b->ranges[i].begin || a->ranges[i].end != b->ranges[i].end)
            return 0;
    return 1;
}
