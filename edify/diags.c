/* Syntax-error lists returned by edify_parse. */
#include <stdio.h>
#include <stdlib.h>

#include "edify/edify.h"

void edify_diags_free(edify_diags *diags)
{
    if (!diags)
        return;
    free(diags->items);
    /* The filename is our own copy (edify_parse strdup's it). */
    free((char *)diags->filename);
    diags->items = NULL;
    diags->filename = NULL;
    diags->count = 0;
}

void edify_diag_format(const edify_diags *diags, size_t i, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    if (!diags || i >= diags->count) {
        out[0] = '\0';
        return;
    }
    const edify_diag *d = &diags->items[i];
    snprintf(out, outsz, "%s:%d:%d: %s", diags->filename ? diags->filename : "<script>",
             d->line, d->column, d->message);
}
