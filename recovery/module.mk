# recovery links: recovery otautil
recovery_LIBS := recovery otautil
# Its integration tests install packages: the updater, signed by our signapk
# (whole-file and v1 JAR signature) or Debian's (whole-file only), checked
# with check_ota_package_signature.
# (Names, as main's Makefile takes them in ROOM_CHECK_PROGS.)
recovery_CHECK_PROGS := updater signapk check_ota_package_signature
