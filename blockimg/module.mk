# The block-image room: range sets and (later) transfer lists and their
# engine, shared by the updater (block_image_update), the A/B agent and the
# release tools that write transfer lists.
blockimg_LIBS := blockimg otautil
