#include "otautil/ab_partitions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/props.h"

#define WHAT OTA_AB_PARTITIONS_ENTRY

static const char *const fields[] = {"slotted", "size", "sha256", "source-ranges",
                                     "source-sha256"};

int ota_ab_partition_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= OTA_AB_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

void ota_ab_partitions_free(ota_ab_partitions *p)
{
    for (size_t i = 0; p->v && i < p->count; i++)
        free(p->v[i].source_ranges);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static const char *get(const ota_props *props, const char *part, const char *field)
{
    char key[OTA_AB_NAME_MAX + 32];
    snprintf(key, sizeof key, "%s.%s", part, field);
    return ota_props_get(props, key);
}

static int get_sha256(const ota_props *props, const char *part, const char *field,
                      uint8_t out[OTA_SHA256_LEN], ota_error *err)
{
    const char *v = get(props, part, field);
    if (!v || ota_hex_decode(v, out, OTA_SHA256_LEN, NULL) < 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s.%s must be 64 hex digits%s", WHAT,
                             part, field, v ? "" : " (missing)");
    return 0;
}

static int parse_one(const ota_props *props, ota_ab_partition *p, ota_error *err)
{
    const char *slotted = get(props, p->name, "slotted");
    if (!slotted || (strcmp(slotted, "yes") != 0 && strcmp(slotted, "no") != 0))
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s.slotted must be yes or no", WHAT,
                             p->name);
    p->slotted = strcmp(slotted, "yes") == 0;
    const char *size = get(props, p->name, "size");
    char *end = NULL;
    errno = 0;
    unsigned long long n = size && size[0] >= '0' && size[0] <= '9' ? strtoull(size, &end, 10) : 0;
    if (!size || errno || !end || *end || n == 0)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s.size must be a number of bytes above 0",
                             WHAT, p->name);
    p->size = n;
    if (get_sha256(props, p->name, "sha256", p->sha256, err) < 0)
        return -1;
    const char *ranges = get(props, p->name, "source-ranges");
    const char *src_sha = get(props, p->name, "source-sha256");
    if (!ranges != !src_sha)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: %s has %s without %s", WHAT, p->name,
                             ranges ? "source-ranges" : "source-sha256",
                             ranges ? "source-sha256" : "source-ranges");
    if (!ranges)
        return 0;
    if (!p->slotted)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: single-copy partition %s has a source: "
                             "single-copy partitions are written whole", WHAT, p->name);
    if (get_sha256(props, p->name, "source-sha256", p->source_sha256, err) < 0)
        return -1;
    if (!(p->source_ranges = strdup(ranges)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    return 0;
}

/* Every key belongs to the header or a listed partition. */
static int check_keys(const ota_props *props, const ota_ab_partitions *out, ota_error *err)
{
    for (size_t i = 0; i < props->count; i++) {
        const char *key = props->items[i].key;
        if (!strcmp(key, "ab-partitions") || !strcmp(key, "partitions"))
            continue;
        const char *dot = strchr(key, '.');
        int known = 0;
        for (size_t k = 0; dot && !known && k < out->count; k++)
            if ((size_t)(dot - key) == strlen(out->v[k].name) &&
                !strncmp(key, out->v[k].name, (size_t)(dot - key)))
                for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
                    known |= !strcmp(dot + 1, fields[f]);
        if (!known)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: unknown key '%s'", WHAT, key);
    }
    return 0;
}

static int parse_list(const char *list, ota_ab_partitions *out, ota_error *err)
{
    size_t n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    if (!list[0] || n > OTA_AB_MAX_PARTITIONS)
        return ota_error_set(err, OTA_ERR_FORMAT, "%s: partitions= must list 1 to %d names",
                             WHAT, OTA_AB_MAX_PARTITIONS);
    if (!(out->v = calloc(n, sizeof *out->v)))
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (const char *p = list; out->count < n;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        ota_ab_partition *part = &out->v[out->count];
        if (len >= sizeof part->name)
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: partition name too long", WHAT);
        memcpy(part->name, p, len);
        part->name[len] = '\0';
        if (!ota_ab_partition_name_ok(part->name))
            return ota_error_set(err, OTA_ERR_FORMAT, "%s: bad partition name '%s' (allowed: "
                                 "a-z 0-9 _ -)", WHAT, part->name);
        for (size_t k = 0; k < out->count; k++)
            if (!strcmp(out->v[k].name, part->name))
                return ota_error_set(err, OTA_ERR_FORMAT, "%s: partition %s is listed twice",
                                     WHAT, part->name);
        out->count++;
        p += len + 1;
    }
    return 0;
}

int ota_ab_partitions_parse(const char *text, size_t len, ota_ab_partitions *out,
                            ota_error *err)
{
    memset(out, 0, sizeof *out);
    ota_props props = {0};
    int rc = ota_props_parse(&props, text, len, WHAT, err);
    if (rc == 0) {
        const char *version = ota_props_get(&props, "ab-partitions");
        const char *list = ota_props_get(&props, "partitions");
        if (!version || strcmp(version, OTA_AB_PARTITIONS_VERSION) != 0)
            rc = ota_error_set(err, OTA_ERR_UNSUPPORTED, "%s: ab-partitions=%s (this build reads "
                               "version " OTA_AB_PARTITIONS_VERSION ")", WHAT,
                               version ? version : "(missing)");
        else if (!list)
            rc = ota_error_set(err, OTA_ERR_FORMAT, "%s: no partitions= line", WHAT);
        else
            rc = parse_list(list, out, err);
    }
    for (size_t i = 0; rc == 0 && i < out->count; i++)
        rc = parse_one(&props, &out->v[i], err);
    if (rc == 0)
        rc = check_keys(&props, out, err);
    ota_props_free(&props);
    if (rc < 0)
        ota_ab_partitions_free(out);
    return rc;
}

static int set(ota_props *props, const char *part, const char *field, const char *value,
               ota_error *err)
{
    char key[OTA_AB_NAME_MAX + 32];
    snprintf(key, sizeof key, "%s.%s", part, field);
    return ota_props_set(props, key, value, err);
}

static int format_one(ota_props *props, const ota_ab_partition *p, ota_error *err)
{
    char num[32], hex[2 * OTA_SHA256_LEN + 1];
    snprintf(num, sizeof num, "%llu", (unsigned long long)p->size);
    if (set(props, p->name, "slotted", p->slotted ? "yes" : "no", err) < 0 ||
        set(props, p->name, "size", num, err) < 0)
        return -1;
    ota_hex_encode(p->sha256, OTA_SHA256_LEN, hex);
    if (set(props, p->name, "sha256", hex, err) < 0)
        return -1;
    if (!p->source_ranges)
        return 0;
    ota_hex_encode(p->source_sha256, OTA_SHA256_LEN, hex);
    if (set(props, p->name, "source-ranges", p->source_ranges, err) < 0 ||
        set(props, p->name, "source-sha256", hex, err) < 0)
        return -1;
    return 0;
}

int ota_ab_partitions_format(const ota_ab_partitions *p, ota_buf *out, ota_error *err)
{
    ota_props props = {0};
    ota_buf list = {0};
    int rc = ota_props_set(&props, "ab-partitions", OTA_AB_PARTITIONS_VERSION, err);
    for (size_t i = 0; rc == 0 && i < p->count; i++)
        rc = (i && ota_buf_append(&list, ",", 1, err) < 0) ||
                     ota_buf_append(&list, p->v[i].name, strlen(p->v[i].name), err) < 0
                 ? -1
                 : 0;
    if (rc == 0)
        rc = ota_buf_append(&list, "", 1, err);
    if (rc == 0)
        rc = ota_props_set(&props, "partitions", (const char *)list.data, err);
    for (size_t i = 0; rc == 0 && i < p->count; i++)
        rc = format_one(&props, &p->v[i], err);
    ota_buf text = {0};
    if (rc == 0)
        rc = ota_props_format(&props, &text, err);
    /* The writer's output must read back: one rule for both sides. */
    ota_ab_partitions check;
    if (rc == 0 && ota_ab_partitions_parse((const char *)text.data, text.len, &check, err) == 0)
        ota_ab_partitions_free(&check);
    else if (rc == 0)
        rc = -1;
    if (rc == 0)
        rc = ota_buf_append(out, text.data, text.len, err);
    ota_buf_free(&text);
    ota_buf_free(&list);
    ota_props_free(&props);
    return rc;
}
