/* libFuzzer target: recovery's key=value parser and the package metadata
 * checks.  The input is the package metadata, then a NUL byte, then the
 * device's property file (no NUL: the device has no properties).  Each side
 * that parses must give back the same pairs when written out as key=value
 * lines and parsed again; the checks run on whatever parsed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "otautil/sink.h"
#include "recovery/kv.h"
#include "recovery/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const recovery_kv *kv)
{
    ota_buf text = {0};
    for (size_t i = 0; i < kv->count; i++) {
        if (ota_buf_append(&text, kv->pairs[i].key, strlen(kv->pairs[i].key), NULL) < 0 ||
            ota_buf_append(&text, "=", 1, NULL) < 0 ||
            ota_buf_append(&text, kv->pairs[i].value, strlen(kv->pairs[i].value), NULL) < 0 ||
            ota_buf_append(&text, "\n", 1, NULL) < 0) {
            ota_buf_free(&text);
            return;
        }
    }
    recovery_kv again = {0};
    ota_error err;
    if (recovery_kv_parse(&again, text.data ? (const char *)text.data : "", text.len, "again",
                          &err) < 0 || again.count != kv->count)
        abort(); /* what was parsed must parse again to the same pairs */
    for (size_t i = 0; i < kv->count; i++) {
        const char *v = recovery_kv_get(&again, kv->pairs[i].key);
        if (!v || strcmp(v, kv->pairs[i].value) != 0)
            abort();
    }
    recovery_kv_free(&again);
    ota_buf_free(&text);
}

static int parse(recovery_kv *kv, const uint8_t *data, size_t size)
{
    ota_error err;
    ota_error_clear(&err);
    if (recovery_kv_parse(kv, (const char *)data, size, "fuzz", &err) < 0) {
        if (err.message[0] == '\0')
            abort();
        return -1;
    }
    for (size_t i = 0; i < kv->count; i++)
        if (recovery_kv_get(kv, kv->pairs[i].key) != kv->pairs[i].value)
            abort(); /* keys are unique */
    check_round_trip(kv);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t mlen = nul ? (size_t)(nul - data) : size;
    recovery_kv metadata = {0}, props = {0};
    int ok = parse(&metadata, data, mlen) == 0;
    if (nul && parse(&props, nul + 1, size - mlen - 1) < 0)
        ok = 0;
    if (ok) {
        ota_error err;
        ota_error_clear(&err);
        if (recovery_metadata_check(&metadata, &props, &err) < 0 && err.message[0] == '\0')
            abort();
    }
    recovery_kv_free(&metadata);
    recovery_kv_free(&props);
    return 0;
}
