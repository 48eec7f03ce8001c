# updater links: updater edify applypatch otautil
updater_LIBS := updater edify applypatch otautil
# The update-binary runs inside whatever recovery the device has: static.
updater_STATIC := updater
