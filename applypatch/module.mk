# applypatch links: applypatch otautil
applypatch_LIBS := applypatch otautil
# The patch-stream codecs: decoders (brotli, xz, zstd, LZ4) are in PKGS,
# since the device programs need them; the brotli encoder only bsdiff and
# imgdiff need.
applypatch_LDLIBS := $(shell pkg-config --libs libbrotlienc 2>/dev/null || echo -lbrotlienc)
