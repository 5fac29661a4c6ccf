#!/usr/bin/env bash
# Build the optbinning peer environment for benchmarks/credit.py, OUTSIDE the repository.
#
#   benchmarks/setup_optbinning.sh
#
# Environment: JOGAK_PEERS_DIR (default /work/peers; never inside the repo), PEER_PYTHON
# (default python3); see benchmarks/peer_venv.sh.
#
# optbinning is a peer, never a dependency of jogak: it pulls ortools, cvxpy, highspy, osqp,
# clarabel, scs and protobuf (about 0.3 GB) for a job jogak does with its own binning.
# The venv gets the same pandas / scikit-learn majors as jogak's, so the benchmark also checks
# that optbinning runs on pandas 3 and scikit-learn 1.9. Versions go to <venv>/versions.txt.
set -euo pipefail

LOG_NAME=setup_optbinning
source "$(dirname "$0")/peer_venv.sh"
OPTBINNING_VERSION="1.0.0"

start=$SECONDS
python="$(make_venv optbinning)"
quiet_pip nice -n 10 "$python" -m pip install --quiet \
    "optbinning==$OPTBINNING_VERSION" "pandas>=3" "scikit-learn>=1.9" numpy scipy
log "ready: $(record_versions optbinning '^(optbinning|ortools|pandas|scikit-learn|numpy)==')"
log "took $((SECONDS - start)) s"
