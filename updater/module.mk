# updater links: updater edify blockimg applypatch otautil
updater_LIBS := updater edify blockimg applypatch otautil
# The update-binary runs inside whatever recovery the device has: static.
updater_STATIC := updater
# The block-update tests make their patches with our bsdiff and imgdiff.
updater_CHECK_PROGS := bsdiff imgdiff
