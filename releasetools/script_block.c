#include "releasetools/script_block.h"

#include <stdio.h>

/* Android's error codes for the system partition (the other partitions'
 * are 1000 higher per partition; only system is block-updated here). */
#define E_UPDATE_FAILURE 1001
#define E_UNEXPECTED_CONTENTS 1002
#define E_RECOVER_FAILURE 1004

static void entry_arg(rt_script *s, const char *partition, const char *suffix)
{
    char name[256];
    snprintf(name, sizeof name, "%s%s", partition, suffix);
    rt_script_quote(s, name);
}

/* FN(DEVICE, package_extract_file("P.transfer.list"), "P" NEW_DATA,
 * "P.patch.dat"), Android's argument list of block_image_update and
 * block_image_verify. */
static void block_call(rt_script *s, const char *fn, const char *partition, const char *device,
                       const char *new_data)
{
    rt_script_raw(s, "%s(", fn);
    rt_script_quote(s, device);
    rt_script_raw(s, ", package_extract_file(");
    entry_arg(s, partition, ".transfer.list");
    rt_script_raw(s, "), ");
    entry_arg(s, partition, new_data);
    rt_script_raw(s, ", ");
    entry_arg(s, partition, ".patch.dat");
    rt_script_raw(s, ")");
}

/* Verifying happens in incrementals only, whose new data is P.new.dat. */
static void verify_call(rt_script *s, const char *partition, const char *device)
{
    block_call(s, "block_image_verify", partition, device, ".new.dat");
}

void rt_script_block_verify(rt_script *s, const char *partition, const char *device,
                            const char *ranges, const char *sha1)
{
    char text[300];
    rt_script_raw(s, "if (range_sha1(");
    rt_script_quote(s, device);
    rt_script_raw(s, ", ");
    rt_script_quote(s, ranges);
    rt_script_raw(s, ") == ");
    rt_script_quote(s, sha1);
    rt_script_raw(s, " || ");
    verify_call(s, partition, device);
    rt_script_raw(s, ") then\n");
    snprintf(text, sizeof text, "Verified %s image...", partition);
    rt_script_print(s, text);
    rt_script_raw(s, "else\n");
    rt_script_raw(s, "check_first_block(");
    rt_script_quote(s, device);
    rt_script_raw(s, ");\nifelse (block_image_recover(");
    rt_script_quote(s, device);
    rt_script_raw(s, ", ");
    rt_script_quote(s, ranges);
    rt_script_raw(s, ") && ");
    verify_call(s, partition, device);
    rt_script_raw(s, ", ui_print(");
    snprintf(text, sizeof text, "%s recovered successfully.", partition);
    rt_script_quote(s, text);
    rt_script_raw(s, "), abort(");
    snprintf(text, sizeof text, "E%d: %s partition fails to recover", E_RECOVER_FAILURE, partition);
    rt_script_quote(s, text);
    rt_script_raw(s, "));\nendif;\n");
}

void rt_script_block_update(rt_script *s, const char *partition, const char *device, int brotli)
{
    char text[300];
    block_call(s, "block_image_update", partition, device, brotli ? ".new.dat.br" : ".new.dat");
    rt_script_raw(s, " ||\n  abort(");
    snprintf(text, sizeof text, "E%d: Failed to update %s image.", E_UPDATE_FAILURE, partition);
    rt_script_quote(s, text);
    rt_script_raw(s, ");\n");
}

void rt_script_block_check(rt_script *s, const char *partition, const char *device,
                           const char *ranges, const char *sha1)
{
    char text[300];
    snprintf(text, sizeof text, "Verifying the updated %s image...", partition);
    rt_script_print(s, text);
    rt_script_raw(s, "if range_sha1(");
    rt_script_quote(s, device);
    rt_script_raw(s, ", ");
    rt_script_quote(s, ranges);
    rt_script_raw(s, ") == ");
    rt_script_quote(s, sha1);
    rt_script_raw(s, " then\n");
    snprintf(text, sizeof text, "Verified the updated %s image.", partition);
    rt_script_print(s, text);
    rt_script_raw(s, "else\n  abort(");
    snprintf(text, sizeof text, "E%d: %s partition has unexpected contents after OTA update",
             E_UNEXPECTED_CONTENTS, partition);
    rt_script_quote(s, text);
    rt_script_raw(s, ");\nendif;\n");
}
