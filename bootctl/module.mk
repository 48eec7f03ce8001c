# bootctl: boot control (A/B slots) over four backends; links only otautil,
# plus libubootenv for the U-Boot environment backend.
bootctl_LIBS := bootctl otautil
bootctl_LDLIBS := $(shell pkg-config --libs libubootenv 2>/dev/null || echo -lubootenv -lz)
