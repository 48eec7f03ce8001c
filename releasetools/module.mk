# releasetools links: releasetools applypatch otautil
releasetools_LIBS := releasetools applypatch otautil
