# updater links: updater edify applypatch otautil
updater_LIBS := updater edify applypatch otautil
