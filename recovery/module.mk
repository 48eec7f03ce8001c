# recovery links: recovery otautil
recovery_LIBS := recovery otautil
# Its integration tests install packages: the updater, signed by our signapk
# (recovery requires the v1 JAR signature, which it writes with -w).
# (Names, as main's Makefile takes them in ROOM_CHECK_PROGS.)
recovery_CHECK_PROGS := updater signapk
