#!/usr/bin/env bash
# Build the lifetimes reference environment for the commerce CLV tests, OUTSIDE the repository.
#
#   benchmarks/setup_lifetimes.sh
#
# Environment:
#   JOGAK_PEERS_DIR  where the venv goes (default /work/peers); never inside the repo
#   PEER_PYTHON      interpreter to build it with (default python3)
#
# lifetimes (BG/NBD, Gamma-Gamma) is unmaintained since 2020 and does not run on pandas 3 /
# numpy 2, so it is never a dependency of jogak: it is only the reference that jogak's own
# BG/NBD and Gamma-Gamma fits are checked against (benchmarks/lifetimes_reference.py prints the
# parameters stored in tests/solutions/commerce/test_clv.py). The venv pins the last numpy,
# pandas and scipy releases lifetimes 0.11.3 was used with. Versions go to <venv>/versions.txt.
set -euo pipefail

PEERS_DIR="${JOGAK_PEERS_DIR:-/work/peers}"
PEER_PYTHON="${PEER_PYTHON:-python3}"
LIFETIMES_VERSION="0.11.3"
VENV="$PEERS_DIR/lifetimes"

log() { printf '[setup_lifetimes %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
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
    "lifetimes==$LIFETIMES_VERSION" "numpy==1.23.5" "pandas==1.5.3" "scipy==1.10.1" \
    "autograd==1.5" "dill==0.3.6"
"$VENV/bin/python" -m pip freeze --all > "$VENV/versions.txt"
log "ready: $(grep -i -E '^(lifetimes|pandas|numpy|scipy|autograd)==' "$VENV/versions.txt" | tr '\n' ' ')"
log "took $((SECONDS - start)) s"
