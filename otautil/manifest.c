/* The manifest parser.  It works on the raw bytes and keeps each
 * section's extent, because CERT.SF signs sections byte for byte. */
#include "otautil/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Java refuses longer keys; values are bounded only by the line limit. */
#define KEY_MAX 70
#define LINE_MAX_BYTES 65536
/* Real sections carry a handful of attributes (a name and a digest or
 * two; a main section a few more).  The cap keeps the duplicate-key check
 * (each key against the section's earlier ones) linear in the text. */
#define ATTRS_MAX 64

typedef struct line {
    size_t start, len; /* without the terminator */
    size_t next;       /* start of the following line */
} line;

/* The line at pos; 0 when the text ends without a line break. */
static int next_line(const uint8_t *d, size_t n, size_t pos, line *l)
{
    size_t i = pos;
    while (i < n && d[i] != '\r' && d[i] != '\n')
        i++;
    if (i == n)
        return 0;
    l->start = pos;
    l->len = i - pos;
    l->next = i + (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n' ? 2 : 1);
    return 1;
}

static int is_key_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static void free_section(ota_mf_section *s)
{
    for (size_t i = 0; i < s->nattrs; i++) {
        free(s->attrs[i].key);
        free(s->attrs[i].value);
    }
    free(s->attrs);
    free(s->name);
    memset(s, 0, sizeof *s);
}

void ota_manifest_free(ota_manifest *mf)
{
    free_section(&mf->main);
    for (size_t i = 0; i < mf->count; i++)
        free_section(&mf->sections[i]);
    free(mf->sections);
    free(mf->by_name);
    memset(mf, 0, sizeof *mf);
}

const char *ota_manifest_attr(const ota_mf_section *s, const char *key)
{
    for (size_t i = 0; i < s->nattrs; i++)
        if (strcasecmp(s->attrs[i].key, key) == 0)
            return s->attrs[i].value;
    return NULL;
}

typedef struct parser {
    const uint8_t *d;
    size_t n;
    const char *what;
    size_t lineno;
    ota_error *err;
} parser;

static int perr(parser *p, const char *why)
{
    return ota_error_set(p->err, OTA_ERR_FORMAT, "%s: line %zu: %s", p->what, p->lineno, why);
}

static char *dup_bytes(const uint8_t *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

/* The value being continued: its length and allocated size are kept, so
 * each continuation line costs its own length, not the value's. */
typedef struct growing {
    ota_mf_attr *attr;
    size_t len, cap;
} growing;

static int append_value(growing *g, const uint8_t *s, size_t n)
{
    if (g->len + n > LINE_MAX_BYTES)
        return -1;
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap * 2 > g->len + n + 1 ? g->cap * 2 : g->len + n + 1;
        char *v = realloc(g->attr->value, cap);
        if (!v)
            return -1;
        g->attr->value = v;
        g->cap = cap;
    }
    memcpy(g->attr->value + g->len, s, n);
    g->len += n;
    g->attr->value[g->len] = '\0';
    return 0;
}

static int add_attr(parser *p, ota_mf_section *s, const line *l)
{
    const uint8_t *t = p->d + l->start;
    size_t k = 0;
    while (k < l->len && is_key_char(t[k]))
        k++;
    if (k == 0 || k >= l->len || t[k] != ':')
        return perr(p, "not a \"Key: value\" line");
    if (k > KEY_MAX)
        return perr(p, "key longer than 70 bytes");
    if (k + 1 >= l->len || t[k + 1] != ' ')
        return perr(p, "no space after the colon");
    if (s->nattrs == ATTRS_MAX)
        return ota_error_set(p->err, OTA_ERR_LIMIT,
                             "%s: line %zu: more than %d attributes in one section", p->what,
                             p->lineno, ATTRS_MAX);
    ota_mf_attr a = {dup_bytes(t, k), dup_bytes(t + k + 2, l->len - k - 2)};
    if (!a.key || !a.value) {
        free(a.key);
        free(a.value);
        return ota_error_set(p->err, OTA_ERR_NOMEM, "%s: out of memory", p->what);
    }
    if (ota_manifest_attr(s, a.key)) {
        char why[128];
        snprintf(why, sizeof why, "key \"%s\" appears twice in one section", a.key);
        free(a.key);
        free(a.value);
        return perr(p, why);
    }
    ota_mf_attr *attrs = realloc(s->attrs, (s->nattrs + 1) * sizeof *attrs);
    if (!attrs) {
        free(a.key);
        free(a.value);
        return ota_error_set(p->err, OTA_ERR_NOMEM, "%s: out of memory", p->what);
    }
    s->attrs = attrs;
    s->attrs[s->nattrs++] = a;
    return 0;
}

/* Reads one section from *pos through the blank line that ends it (or the
 * end of the text). */
static int parse_section(parser *p, size_t *pos, ota_mf_section *s)
{
    s->offset = *pos;
    s->line = p->lineno;
    line l;
    growing last = {NULL, 0, 0};
    while (*pos < p->n) {
        if (!next_line(p->d, p->n, *pos, &l))
            return perr(p, "the text does not end with a line break");
        if (l.len > LINE_MAX_BYTES)
            return perr(p, "line longer than 64 KiB");
        *pos = l.next;
        if (l.len == 0) {
            p->lineno++;
            break;
        }
        if (p->d[l.start] == ' ') {
            if (s->nattrs == 0)
                return perr(p, "continuation line without a line to continue");
            if (!last.attr) {
                last.attr = &s->attrs[s->nattrs - 1];
                last.len = strlen(last.attr->value);
                last.cap = last.len + 1;
            }
            if (append_value(&last, p->d + l.start + 1, l.len - 1) < 0)
                return perr(p, "value longer than 64 KiB");
        } else {
            last.attr = NULL; /* a new attribute (and maybe a moved array) */
            if (add_attr(p, s, &l) < 0)
                return -1;
        }
        p->lineno++;
    }
    s->len = *pos - s->offset;
    return 0;
}

static int cmp_by_name(const void *a, const void *b, void *ctx)
{
    const ota_manifest *mf = ctx;
    return strcmp(mf->sections[*(const size_t *)a].name, mf->sections[*(const size_t *)b].name);
}

static int index_names(parser *p, ota_manifest *mf)
{
    mf->by_name = malloc((mf->count ? mf->count : 1) * sizeof *mf->by_name);
    if (!mf->by_name)
        return ota_error_set(p->err, OTA_ERR_NOMEM, "%s: out of memory", p->what);
    for (size_t i = 0; i < mf->count; i++)
        mf->by_name[i] = i;
    qsort_r(mf->by_name, mf->count, sizeof *mf->by_name, cmp_by_name, mf);
    for (size_t i = 1; i < mf->count; i++) {
        const ota_mf_section *a = &mf->sections[mf->by_name[i - 1]];
        const ota_mf_section *b = &mf->sections[mf->by_name[i]];
        if (strcmp(a->name, b->name) == 0)
            return ota_error_set(p->err, OTA_ERR_FORMAT,
                                 "%s: entry \"%s\" is named twice (lines %zu and %zu)", p->what,
                                 a->name, a->line < b->line ? a->line : b->line,
                                 a->line < b->line ? b->line : a->line);
    }
    return 0;
}

int ota_manifest_parse(const uint8_t *data, size_t len, const char *what, ota_manifest *mf,
                       ota_error *err)
{
    memset(mf, 0, sizeof *mf);
    parser p = {data, len, what, 1, err};
    if (memchr(data, '\0', len))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: contains a NUL byte", what);
    size_t pos = 0;
    int rc = parse_section(&p, &pos, &mf->main);
    size_t cap = 0;
    while (rc == 0 && pos < len) {
        line l;
        /* Blank lines between sections belong to no section. */
        if (next_line(data, len, pos, &l) && l.len == 0) {
            pos = l.next;
            p.lineno++;
            continue;
        }
        if (mf->count == cap) {
            cap = cap ? cap * 2 : 16;
            ota_mf_section *s = realloc(mf->sections, cap * sizeof *s);
            if (!s) {
                rc = ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
                break;
            }
            mf->sections = s;
        }
        ota_mf_section *s = &mf->sections[mf->count++];
        memset(s, 0, sizeof *s);
        size_t first_line = p.lineno;
        rc = parse_section(&p, &pos, s);
        if (rc == 0 && (s->nattrs == 0 || strcasecmp(s->attrs[0].key, "Name") != 0)) {
            p.lineno = first_line;
            rc = perr(&p, "section does not start with a Name");
        } else if (rc == 0 && s->attrs[0].value[0] == '\0') {
            p.lineno = first_line;
            rc = perr(&p, "section has an empty Name");
        } else if (rc == 0 && !(s->name = strdup(s->attrs[0].value))) {
            rc = ota_error_set(err, OTA_ERR_NOMEM, "%s: out of memory", what);
        }
    }
    if (rc == 0)
        rc = index_names(&p, mf);
    if (rc < 0)
        ota_manifest_free(mf);
    return rc;
}

const ota_mf_section *ota_manifest_find(const ota_manifest *mf, const char *name)
{
    size_t lo = 0, hi = mf->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ota_mf_section *s = &mf->sections[mf->by_name[mid]];
        int c = strcmp(name, s->name);
        if (c == 0)
            return s;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
