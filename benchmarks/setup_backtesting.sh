#!/usr/bin/env bash
# Build the backtesting.py peer venv for the markets parity test and benchmark, OUTSIDE the repo.
#
#   benchmarks/setup_backtesting.sh
#
# backtesting.py is AGPL-3.0: it is never a dependency of jogak, only a reference we compare to.
# Environment: JOGAK_PEERS_DIR (default /work/peers), PEER_PYTHON (default python3).
# Also installs quantstats and empyrical-reloaded (risk-metric references) in the same venv.
set -euo pipefail

PEERS_DIR="${JOGAK_PEERS_DIR:-/work/peers}"
PEER_PYTHON="${PEER_PYTHON:-python3}"
VENV="$PEERS_DIR/backtesting"
BACKTESTING_VERSION="0.6.6"

mkdir -p "$PEERS_DIR"
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PEER_PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
"$VENV/bin/python" -m pip install --quiet "backtesting==$BACKTESTING_VERSION" "pandas<3" \
    quantstats empyrical-reloaded
"$VENV/bin/python" -m pip freeze > "$VENV/versions.txt"
echo "backtesting.py venv ready: $VENV/bin/python" >&2
