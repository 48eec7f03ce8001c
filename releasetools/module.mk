# releasetools links: releasetools applypatch edify otautil (edify: ota_info reads updater-scripts)
releasetools_LIBS := releasetools applypatch edify otautil
