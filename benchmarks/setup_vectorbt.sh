#!/usr/bin/env bash
# Build the vectorbt peer venv for benchmarks/backtest_sweep.py, OUTSIDE the repo.
#
#   benchmarks/setup_vectorbt.sh
#
# vectorbt's licence (Apache 2.0 + Commons Clause) forbids selling products built on it: it is
# never a dependency of jogak, only a speed reference.
# Environment: JOGAK_PEERS_DIR (default /work/peers), PEER_PYTHON (default python3).
set -euo pipefail

PEERS_DIR="${JOGAK_PEERS_DIR:-/work/peers}"
PEER_PYTHON="${PEER_PYTHON:-python3}"
VENV="$PEERS_DIR/vectorbt"
VECTORBT_VERSION="1.2.0"

mkdir -p "$PEERS_DIR"
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PEER_PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
"$VENV/bin/python" -m pip install --quiet "vectorbt==$VECTORBT_VERSION"
"$VENV/bin/python" -m pip freeze > "$VENV/versions.txt"
echo "vectorbt venv ready: $VENV/bin/python" >&2
