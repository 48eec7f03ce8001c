/* The JSON writer (see json.h).  Output is indented by two spaces per
 * level, one member or element a line, which keeps diffs of it readable;
 * compact documents are one line (a stream of events, one a line). */
#include "otautil/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void emit(ota_json *j, const void *data, size_t len)
{
    if (!j->failed && ota_buf_append(j->out, data, len, &j->err) < 0)
        j->failed = 1;
}

static void emits(ota_json *j, const char *s)
{
    emit(j, s, strlen(s));
}

static void fail(ota_json *j, const char *message)
{
    if (!j->failed) {
        ota_error_set(&j->err, OTA_ERR_ARGS, "JSON writer: %s", message);
        j->failed = 1;
    }
}

static void newline_indent(ota_json *j)
{
    if (j->compact)
        return;
    emits(j, "\n");
    for (int i = 0; i < j->depth; i++)
        emits(j, "  ");
}

static void write_string(ota_json *j, const char *s, size_t len);

/* The comma, line break and key before a value at the current level. */
static void before_value(ota_json *j, const char *key)
{
    if (j->depth == 0) {
        if (key || j->has_items[0])
            fail(j, key ? "a key at the top level" : "a second top-level value");
        j->has_items[0] = 1;
        return;
    }
    int level = j->depth;
    if (j->in_object[level] != (key != NULL)) {
        fail(j, key ? "a key inside an array" : "a value without a key inside an object");
        return;
    }
    if (j->has_items[level])
        emits(j, ",");
    j->has_items[level] = 1;
    newline_indent(j);
    if (key) {
        write_string(j, key, strlen(key));
        emits(j, j->compact ? ":" : ": ");
    }
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static void write_string(ota_json *j, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    emits(j, "\"");
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
            i++;
        emit(j, s + run, i - run);
        if (i >= len)
            break;
        unsigned char c = s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
            emits(j, esc);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (!named)
                snprintf(esc, sizeof esc, "\\u%04x", c);
            emits(j, named ? named : esc);
            i++;
        } else {
            size_t n = utf8_length(s + i, len - i);
            if (n) {
                emit(j, s + i, n);
                i += n;
            } else {
                emits(j, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
                i++;
            }
        }
    }
    emits(j, "\"");
}

void ota_json_init(ota_json *j, ota_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

void ota_json_init_compact(ota_json *j, ota_buf *out)
{
    ota_json_init(j, out);
    j->compact = 1;
}

static void open_container(ota_json *j, const char *key, int object)
{
    before_value(j, key);
    emits(j, object ? "{" : "[");
    if (j->depth + 1 >= OTA_JSON_MAX_DEPTH) {
        fail(j, "nested too deeply");
        return;
    }
    j->depth++;
    j->in_object[j->depth] = (unsigned char)object;
    j->has_items[j->depth] = 0;
}

static void close_container(ota_json *j, int object)
{
    if (j->depth == 0 || j->in_object[j->depth] != object) {
        fail(j, object ? "'}' without its '{'" : "']' without its '['");
        return;
    }
    int had_items = j->has_items[j->depth];
    j->depth--;
    if (had_items)
        newline_indent(j);
    emits(j, object ? "}" : "]");
}

void ota_json_object_begin(ota_json *j, const char *key) { open_container(j, key, 1); }
void ota_json_object_end(ota_json *j) { close_container(j, 1); }
void ota_json_array_begin(ota_json *j, const char *key) { open_container(j, key, 0); }
void ota_json_array_end(ota_json *j) { close_container(j, 0); }

void ota_json_string_n(ota_json *j, const char *key, const char *value, size_t len)
{
    before_value(j, key);
    write_string(j, value, len);
}

void ota_json_string(ota_json *j, const char *key, const char *value)
{
    if (!value) {
        ota_json_null(j, key);
        return;
    }
    ota_json_string_n(j, key, value, strlen(value));
}

void ota_json_uint(ota_json *j, const char *key, uint64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, value);
    before_value(j, key);
    emits(j, text);
}

void ota_json_bool(ota_json *j, const char *key, int value)
{
    before_value(j, key);
    emits(j, value ? "true" : "false");
}

void ota_json_null(ota_json *j, const char *key)
{
    before_value(j, key);
    emits(j, "null");
}

int ota_json_finish(ota_json *j, ota_error *err)
{
    if (!j->failed && j->depth != 0)
        fail(j, "a '{' or '[' is not closed");
    if (!j->failed && !j->has_items[0])
        fail(j, "an empty document");
    emits(j, "\n");
    if (j->failed) {
        if (err)
            *err = j->err;
        return -1;
    }
    return 0;
}
