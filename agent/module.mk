# agent links: agent otautil, and libcurl for the network.
agent_LIBS := agent otautil
agent_LDLIBS := $(shell pkg-config --libs libcurl 2>/dev/null)
# Programs of other rooms the agent's test scripts run.
agent_CHECK_PROGS := ota_channel signapk recovery updater
