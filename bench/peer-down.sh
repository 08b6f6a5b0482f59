#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# peer-down.sh: stop exactly the processes peer-up.sh started (from $PEER_STATE/pids).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/common.sh"
STATE=${PEER_STATE:-/tmp/vbbench/peer}
bench_stop_recorded "$STATE/pids" peer-down
