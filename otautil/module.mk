# otautil: shared by every program (zip, hashing, verifier, fstab, BCB, paths).
otautil_LIBS := otautil
