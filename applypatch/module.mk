# applypatch links: applypatch otautil
applypatch_LIBS := applypatch otautil
