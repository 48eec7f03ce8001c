/* A byte sink: where streaming producers (zip entries, patch output) put
 * their data, in order.  Returning <0 stops the producer; the sink then has
 * set err itself. */
#ifndef OTAUTIL_SINK_H
#define OTAUTIL_SINK_H

#include <stddef.h>

#include "otautil/error.h"

typedef int (*ota_sink_fn)(void *ctx, const void *data, size_t len, ota_error *err);

/* A growable memory buffer usable as a sink (ota_buf_sink). */
typedef struct ota_buf {
    unsigned char *data;
    size_t len, cap;
} ota_buf;

int ota_buf_append(ota_buf *buf, const void *data, size_t len, ota_error *err);
int ota_buf_sink(void *buf, const void *data, size_t len, ota_error *err);
void ota_buf_free(ota_buf *buf);

/* A sink writing to a file descriptor: ctx points to the int fd. */
int ota_fd_sink(void *fd_ptr, const void *data, size_t len, ota_error *err);
/* write(2) until done, retrying on EINTR and short writes. */
int ota_write_all(int fd, const void *data, size_t len, ota_error *err);
/* read(2) until len bytes or EOF; returns bytes read or -1. */
long long ota_read_all(int fd, void *data, size_t len, ota_error *err);
/* Reads the whole file at path into out (emptied first; a NUL follows the
 * data, not counted in out->len).  Refuses files over max_size bytes (0: no
 * limit) and, naming path, anything it cannot read. */
int ota_read_file(const char *path, size_t max_size, ota_buf *out, ota_error *err);

#endif
