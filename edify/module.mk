# edify links: edify otautil
edify_LIBS := edify otautil
