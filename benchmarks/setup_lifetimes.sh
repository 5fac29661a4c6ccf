#!/usr/bin/env bash
# Build the lifetimes reference environment for the commerce CLV tests, OUTSIDE the repository.
#
#   benchmarks/setup_lifetimes.sh
#
# Environment: JOGAK_PEERS_DIR (default /work/peers; never inside the repo), PEER_PYTHON
# (default python3); see benchmarks/peer_venv.sh.
#
# lifetimes (BG/NBD, Gamma-Gamma) is unmaintained since 2020 and does not run on pandas 3 /
# numpy 2, so it is never a dependency of jogak: it is only the reference that jogak's own
# BG/NBD and Gamma-Gamma fits are checked against (benchmarks/lifetimes_reference.py prints the
# parameters stored in tests/solutions/commerce/test_clv.py). The venv pins the last numpy,
# pandas and scipy releases lifetimes 0.11.3 was used with. Versions go to <venv>/versions.txt.
set -euo pipefail

LOG_NAME=setup_lifetimes
source "$(dirname "$0")/peer_venv.sh"
LIFETIMES_VERSION="0.11.3"

start=$SECONDS
python="$(make_venv lifetimes)"
quiet_pip nice -n 10 "$python" -m pip install --quiet \
    "lifetimes==$LIFETIMES_VERSION" "numpy==1.23.5" "pandas==1.5.3" "scipy==1.10.1" \
    "autograd==1.5" "dill==0.3.6"
log "ready: $(record_versions lifetimes '^(lifetimes|pandas|numpy|scipy|autograd)==')"
log "took $((SECONDS - start)) s"
