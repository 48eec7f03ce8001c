# The block-image room: range sets, transfer lists and the engine that
# applies them, shared by the updater (block_image_update), the A/B agent
# and the release tools that write transfer lists.  The engine applies
# bsdiff/imgdiff patches and makes cache room through applypatch.
blockimg_LIBS := blockimg applypatch otautil
