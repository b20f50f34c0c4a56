#!/usr/bin/env bash
# Installs tmux from Debian's packages when it is missing: cmd/nectar's
# TestShellInTerminal drives `nectar shell` in a real terminal through it
# (send-keys, capture-pane). test.sh runs this before `go test ./...`; on
# CI (CI set) the test fails rather than skips without tmux.
set -euo pipefail
command -v tmux >/dev/null && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-tmux: tmux not found and not root; install the tmux package (the shell's terminal test skips without it)" >&2
	exit 1
fi
echo "install-tmux: installing tmux from Debian's packages" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
