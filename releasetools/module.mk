# releasetools links: releasetools applypatch blockimg otautil (range sets and the
# transfer-list writer; never the device-side engine)
releasetools_LIBS := releasetools applypatch blockimg otautil
