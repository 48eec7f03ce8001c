# recovery links: recovery otautil
recovery_LIBS := recovery otautil
