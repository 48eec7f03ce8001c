/* Small helpers every Check unit-test program shares. */
#ifndef TESTS_COMMON_TESTUTIL_H
#define TESTS_COMMON_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* Runs every test of s (forking, as Check does by default) and returns the
 * number of tests that failed. */
int test_run(Suite *s);

/* The whole file, malloc'd and NUL-terminated (the NUL not counted in
 * *len); a failed read fails the current test. */
void *test_read_file(const char *path, size_t *len);

/* Writes len bytes to path (created or truncated); a failure fails the
 * current test. */
void test_write_file(const char *path, const void *data, size_t len);

/* A new directory /tmp/NAME.XXXXXX (malloc'd path); test_remove_tree
 * removes it with everything in it and frees the path. */
char *test_temp_dir(const char *name);
void test_remove_tree(char *dir);

#endif
