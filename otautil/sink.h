/* A byte sink: where streaming producers (zip entries, patch output) put
 * their data, in order.  Returning <0 stops the producer; the sink then has
 * set err itself. */
#ifndef OTAUTIL_SINK_H
#define OTAUTIL_SINK_H

#include <stddef.h>
#include <stdint.h>

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

/* A sink that checks what it is given equals `want`, in order: an
 * OTA_ERR_VERIFY error at the first difference or byte too many.  After
 * the producer is done, pos == len means everything matched. */
typedef struct ota_compare {
    const unsigned char *want;
    size_t len, pos;
} ota_compare;
int ota_compare_sink(void *compare, const void *data, size_t len, ota_error *err);

/* Text files a line at a time: the line of text (len bytes) that starts at
 * *pos, with *n its length without the '\n'; *pos moves past it.  NULL
 * when *pos is at the end (a last line without '\n' is a line). */
const char *ota_next_line(const char *text, size_t len, size_t *pos, size_t *n);

/* A whole text that is a decimal number -- digits only: no sign, space or
 * prefix, which strtoull would take -- and fits 64 bits: 0 with *out set;
 * otherwise -1 and *out untouched. */
int ota_parse_decimal(const char *text, uint64_t *out);

/* A sink writing to a file descriptor: ctx points to the int fd. */
int ota_fd_sink(void *fd_ptr, const void *data, size_t len, ota_error *err);
/* write(2) until done, retrying on EINTR and short writes. */
int ota_write_all(int fd, const void *data, size_t len, ota_error *err);
/* read(2) until len bytes or EOF; returns bytes read or -1. */
long long ota_read_all(int fd, void *data, size_t len, ota_error *err);
/* The whole file at path (used as given), appended to out, which stays
 * NUL-terminated (out->data is never NULL afterwards); on failure out may
 * hold part of it (free it).  More than max bytes is refused
 * (OTA_ERR_LIMIT), also when the file grows while it is read.  A missing
 * file is OTA_ERR_NOTFOUND.  Errors name path, after what it is when what
 * is not NULL ("cannot open private key PATH: ...").  With OTA_READ_REGULAR
 * (what the device reads: property, keys and command files) a FIFO, socket
 * or device is refused at once (ota_open_regular, otautil/safe_file.h:
 * opened non-blocking and never read), so it cannot hang the reader;
 * without it (the host tools) a pipe such as <(command) is read to its
 * end. */
#define OTA_READ_REGULAR 1u
int ota_read_file(const char *path, const char *what, size_t max, unsigned flags, ota_buf *out,
                  ota_error *err);

#endif
