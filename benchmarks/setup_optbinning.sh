#!/usr/bin/env bash
# Build the optbinning peer environment for benchmarks/credit.py, OUTSIDE the repository.
#
#   benchmarks/setup_optbinning.sh
#
# Environment:
#   JOGAK_PEERS_DIR  where the venv goes (default /work/peers); never inside the repo
#   PEER_PYTHON      interpreter to build it with (default python3)
#
# optbinning is a peer, never a dependency of jogak: it pulls ortools, cvxpy, highspy, osqp,
# clarabel, scs and protobuf (about 0.3 GB) for a job jogak does with its own binning.
# The venv gets the same pandas / scikit-learn majors as jogak's, so the benchmark also checks
# that optbinning runs on pandas 3 and scikit-learn 1.9. Versions go to <venv>/versions.txt.
set -euo pipefail

PEERS_DIR="${JOGAK_PEERS_DIR:-/work/peers}"
PEER_PYTHON="${PEER_PYTHON:-python3}"
OPTBINNING_VERSION="1.0.0"
VENV="$PEERS_DIR/optbinning"

log() { printf '[setup_optbinning %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
quiet_pip() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

mkdir -p "$PEERS_DIR"
case "$(realpath "$PEERS_DIR")" in
    "$(realpath "$(dirname "$0")/..")"*) log "JOGAK_PEERS_DIR must be outside the repo"; exit 2 ;;
esac

start=$SECONDS
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV with $("$PEER_PYTHON" --version 2>&1)"
    "$PEER_PYTHON" -m venv "$VENV"
    quiet_pip "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
quiet_pip nice -n 10 "$VENV/bin/python" -m pip install --quiet \
    "optbinning==$OPTBINNING_VERSION" "pandas>=3" "scikit-learn>=1.9" numpy scipy
"$VENV/bin/python" -m pip freeze --all > "$VENV/versions.txt"
log "ready: $(grep -i -E '^(optbinning|ortools|pandas|scikit-learn|numpy)==' "$VENV/versions.txt" | tr '\n' ' ')"
log "took $((SECONDS - start)) s"
