#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *test_data_dir(void)
{
    const char *env = getenv("OTA_TESTDATA");
    return env ? env : "../shared/testdata/aosp";
}

const char *test_data_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", test_data_dir(), rel);
    return out;
}

int test_data_exit(int failed, int present, const char *left_out)
{
    if (failed)
        return 1;
    if (present)
        return 0;
    printf("SKIP: %s need Android's test data, not found at %s (every other case passed)\n",
           left_out, test_data_dir());
    return 77;
}

int test_data_present(const char *probe)
{
    static int said;
    char path[4200];
    if (access(test_data_path(probe, path, sizeof path), R_OK) == 0)
        return 1;
    if (!said) {
        said = 1;
        printf("note: Android test data not found at %s: the cases that need it are left out\n",
               test_data_dir());
        fflush(stdout); /* before Check forks, so no child repeats it */
    }
    return 0;
}
