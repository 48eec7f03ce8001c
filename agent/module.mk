# agent links: agent, bootctl and blockimg (A/B: the slots and the block
# engine that writes them), applypatch, otautil, and libcurl for the network.
agent_LIBS := agent bootctl blockimg applypatch otautil
agent_LDLIBS := $(shell pkg-config --libs libcurl 2>/dev/null)
# Programs of other rooms the agent's test scripts run.
agent_CHECK_PROGS := ota_channel signapk recovery updater bootctl ota_from_target_files \
  make_target_files img_from_target_files
