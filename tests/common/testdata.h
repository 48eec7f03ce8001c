/* Android's test data for the unit tests: where it is, paths inside it, and
 * whether it is there.  The directory is $OTA_TESTDATA, else
 * ../shared/testdata/aosp (tests/run-tests sets OTA_TESTDATA). */
#ifndef TESTS_COMMON_TESTDATA_H
#define TESTS_COMMON_TESTDATA_H

#include <stddef.h>

/* $OTA_TESTDATA, or ../shared/testdata/aosp when it is unset. */
const char *test_data_dir(void);

/* Writes DIR/rel into out (cap bytes, truncated if need be); returns out. */
const char *test_data_path(const char *rel, char *out, size_t cap);

/* 1 when DIR/probe is readable; else prints a note that Android test data
 * is not at DIR to stdout once per process and returns 0 (test_data_exit
 * then says what was left out). */
int test_data_present(const char *probe);

/* The exit status of a test program whose cases that need Android's data
 * were left out when it is absent (the others ran): 1 when a case failed;
 * else 77, saying what was left out (left_out: "the 12 verifier cases on
 * Android's signed packages"), when present is 0; else 0. */
int test_data_exit(int failed, int present, const char *left_out);

#endif
