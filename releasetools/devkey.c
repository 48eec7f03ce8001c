#include "releasetools/devkey.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEVKEY_NAME "devkey"
#define DEVKEY_SUBJECT "OTA development key - not for release"
#define DEVKEY_DAYS (30L * 365)

int rt_devkey_dir(char *out, size_t outsz, ota_error *err)
{
    const char *dir = getenv("OTA_DEVKEY_DIR");
    int n;
    if (dir && *dir) {
        n = snprintf(out, outsz, "%s", dir);
    } else if ((dir = getenv("XDG_CONFIG_HOME")) && *dir) {
        n = snprintf(out, outsz, "%s/ota", dir);
    } else if ((dir = getenv("HOME")) && *dir) {
        n = snprintf(out, outsz, "%s/.config/ota", dir);
    } else {
        return ota_error_set(err, OTA_ERR_NOTFOUND,
                             "no place for the development key: set OTA_DEVKEY_DIR or HOME, or pass -k");
    }
    if (n < 0 || (size_t)n >= outsz)
        return ota_error_set(err, OTA_ERR_LIMIT, "development key directory path is too long");
    return 0;
}

static int mkdir_p(const char *path, ota_error *err)
{
    char *copy = strdup(path);
    if (!copy)
        return ota_error_set(err, OTA_ERR_NOMEM, "out of memory");
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
            ota_error_errno(err, "cannot create %s", copy);
            free(copy);
            return -1;
        }
        *p = '/';
    }
    free(copy);
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return ota_error_errno(err, "cannot create %s", path);
    return 0;
}

static X509 *make_cert(EVP_PKEY *key)
{
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = cert && name && X509_set_version(cert, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) &&
             X509_gmtime_adj(X509_getm_notBefore(cert), 0) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), DEVKEY_DAYS * 24 * 3600) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        (const unsigned char *)DEVKEY_SUBJECT, -1, -1, 0) &&
             X509_set_subject_name(cert, name) && X509_set_issuer_name(cert, name) &&
             X509_set_pubkey(cert, key) && X509_sign(cert, key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Writes to a temporary name in the same directory and renames, so a
 * reader never sees half a file. */
static int write_key_files(const char *base, EVP_PKEY *key, X509 *cert, ota_error *err)
{
    char tmp[4096], final[4096];
    int rc = -1;
    snprintf(tmp, sizeof tmp, "%s.pk8.tmp", base);
    snprintf(final, sizeof final, "%s.pk8", base);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return ota_error_errno(err, "cannot create %s", tmp);
    BIO *bio = BIO_new_fd(fd, BIO_CLOSE);
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
    if (!bio || !p8 || i2d_PKCS8_PRIV_KEY_INFO_bio(bio, p8) <= 0 || BIO_flush(bio) <= 0 ||
        fsync(fd) < 0) {
        ota_error_set(err, OTA_ERR_IO, "cannot write %s", tmp);
        goto out;
    }
    if (rename(tmp, final) < 0) {
        ota_error_errno(err, "cannot rename %s to %s", tmp, final);
        goto out;
    }
    BIO_free(bio);
    bio = NULL;
    snprintf(tmp, sizeof tmp, "%s.x509.pem.tmp", base);
    snprintf(final, sizeof final, "%s.x509.pem", base);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ota_error_errno(err, "cannot create %s", tmp);
        goto out;
    }
    bio = BIO_new_fd(fd, BIO_CLOSE);
    if (!bio || !PEM_write_bio_X509(bio, cert) || BIO_flush(bio) <= 0 || fsync(fd) < 0) {
        ota_error_set(err, OTA_ERR_IO, "cannot write %s", tmp);
        goto out;
    }
    if (rename(tmp, final) < 0) {
        ota_error_errno(err, "cannot rename %s to %s", tmp, final);
        goto out;
    }
    rc = 0;
out:
    PKCS8_PRIV_KEY_INFO_free(p8);
    if (bio)
        BIO_free(bio);
    else if (rc < 0 && fd >= 0)
        close(fd);
    return rc;
}

int rt_devkey_ensure(char *base, size_t basesz, int *created, ota_error *err)
{
    char dir[4000];
    *created = 0;
    if (rt_devkey_dir(dir, sizeof dir, err) < 0 || mkdir_p(dir, err) < 0)
        return -1;
    int n = snprintf(base, basesz, "%s/" DEVKEY_NAME, dir);
    if (n < 0 || (size_t)n >= basesz)
        return ota_error_set(err, OTA_ERR_LIMIT, "development key path is too long");
    char lock_path[4096], pk8[4096], pem[4096];
    snprintf(lock_path, sizeof lock_path, "%s/.devkey.lock", dir);
    snprintf(pk8, sizeof pk8, "%s.pk8", base);
    snprintf(pem, sizeof pem, "%s.x509.pem", base);
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0)
        return ota_error_errno(err, "cannot open %s", lock_path);
    while (flock(lock, LOCK_EX) < 0) {
        if (errno != EINTR) {
            ota_error_errno(err, "cannot lock %s", lock_path);
            close(lock);
            return -1;
        }
    }
    int rc = 0;
    int have_pk8 = access(pk8, F_OK) == 0, have_pem = access(pem, F_OK) == 0;
    if (have_pk8 && !have_pem) {
        rc = ota_error_set(err, OTA_ERR_NOTFOUND,
                           "%s exists without %s: restore it or remove both to make a new key", pk8,
                           pem);
    } else if (!have_pk8) {
        EVP_PKEY *key = EVP_RSA_gen(2048);
        X509 *cert = key ? make_cert(key) : NULL;
        if (!cert)
            rc = ota_error_set(err, OTA_ERR_IO, "cannot generate the development key (OpenSSL)");
        else
            rc = write_key_files(base, key, cert, err);
        if (rc == 0)
            *created = 1;
        X509_free(cert);
        EVP_PKEY_free(key);
    }
    close(lock); /* releases the lock */
    return rc;
}
