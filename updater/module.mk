# updater links: updater edify blockimg applypatch otautil
updater_LIBS := updater edify blockimg applypatch otautil
# The update-binary runs inside whatever recovery the device has: static.
updater_STATIC := updater
# The block-update tests make their patches with our bsdiff and imgdiff.
updater_CHECK_PROGS := bsdiff imgdiff

# Device makers' builtins (updater/device_extensions.h, docs/updater.md):
# make UPDATER_EXTENSIONS="vendor/acme/builtins.c ..." compiles those files
# with the project's flags and links them into the updater.  The list is
# kept in a stamp so that changing it relinks the updater.
UPDATER_EXTENSIONS ?=
updater_EXT_DIR := $(BUILD)/obj/updater-extensions
updater_EXT_OBJS := $(foreach f,$(UPDATER_EXTENSIONS),$(updater_EXT_DIR)/$(notdir $(f:.c=.o)))
updater_EXT_STAMP := $(updater_EXT_DIR)/list
$(shell mkdir -p $(updater_EXT_DIR) && { [ -f $(updater_EXT_STAMP) ] && [ "$$(cat $(updater_EXT_STAMP))" = "$(UPDATER_EXTENSIONS)" ] || echo "$(UPDATER_EXTENSIONS)" > $(updater_EXT_STAMP); })
define updater_ext_rule
$(updater_EXT_DIR)/$(notdir $(1:.c=.o)): $(1)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) -c -o $$@ $$<
endef
$(foreach f,$(UPDATER_EXTENSIONS),$(eval $(call updater_ext_rule,$(f))))
$(BUILD)/bin/updater: $(updater_EXT_OBJS) $(updater_EXT_STAMP)
