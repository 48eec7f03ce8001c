# releasetools links: releasetools applypatch blockimg edify otautil (edify:
# ota_info reads updater-scripts; blockimg: range sets and the transfer-list
# writer, never the device-side engine, which the linker leaves out)
releasetools_LIBS := releasetools applypatch blockimg edify otautil
# libext2fs reads the block maps of system images, libbrotlienc compresses
# block updates' new data: the release tools' own needs.
releasetools_LDLIBS := $(shell pkg-config --libs ext2fs com_err libbrotlienc 2>/dev/null || echo -lext2fs -lcom_err -lbrotlienc)
# Programs of other rooms the release tools' test scripts run.
releasetools_CHECK_PROGS := updater applypatch
