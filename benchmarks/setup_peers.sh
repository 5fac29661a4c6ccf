#!/usr/bin/env bash
# Build the peer environments for benchmarks/automl_vs_peers.py, OUTSIDE the repository.
#
#   benchmarks/setup_peers.sh            # both venvs
#   benchmarks/setup_peers.sh flaml      # just one of: flaml autogluon
#
# Environment: JOGAK_PEERS_DIR (default /work/peers; never inside the repo), PEER_PYTHON
# (default python3; AutoGluon needs 3.10-3.13); see benchmarks/peer_venv.sh.
#
# Each peer gets its own venv because the pins clash with jogak's (AutoGluon wants pandas < 2.4,
# jogak runs on pandas 3). No peer is ever a dependency of jogak.
#
# No GPU stacks: `xgboost` proper and PyPI's torch pull nvidia-* wheels (GBs). We install
# `xgboost-cpu` instead (it provides the same `xgboost` module) and the local CPU build of torch
# (`torch==2.13.0+cpu`, found through pip's find-links). Every install is first resolved with
# `pip install --dry-run --report`, and refused if the plan names an nvidia/CUDA package or any
# torch other than the CPU build. Installed versions are written to <venv>/versions.txt.
set -euo pipefail

LOG_NAME=setup_peers
source "$(dirname "$0")/peer_venv.sh"
FLAML_VERSION="2.7.0"
AUTOGLUON_VERSION="1.6.3"
TORCH_CPU="torch==2.13.0+cpu"
VERSIONS='^(flaml|autogluon.tabular|torch|lightgbm|xgboost-cpu|catboost|scikit-learn|pandas)=='

# guarded_install PYTHON CONSTRAINTS ARGS... : resolve, refuse GPU packages, then install.
guarded_install() {
    local python="$1" constraints="$2"
    shift 2
    local report
    report="$(mktemp)"
    quiet_pip "$python" -m pip install --quiet --dry-run --ignore-installed --report "$report" \
        --constraint "$constraints" "$@"
    "$python" - "$report" <<'PY'
import json, re, sys
plan = json.load(open(sys.argv[1]))["install"]
names = {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in plan}
bad = sorted(n for n in names if re.match(r"(nvidia-|cuda-|cupy|triton$|xgboost$)", n))
if "torch" in names and not names["torch"].endswith("+cpu"):
    bad.append(f"torch {names['torch']} (not the CPU build)")
if bad:
    sys.exit(f"refusing to install GPU packages: {', '.join(bad)}")
print(f"plan ok: {len(names)} distributions, no GPU packages", file=sys.stderr)
PY
    rm -f "$report"
    quiet_pip nice -n 10 "$python" -m pip install --quiet --constraint "$constraints" "$@"
}

setup_flaml() {
    local python constraints
    python="$(make_venv flaml)"
    constraints="$PEERS_DIR/flaml/constraints.txt"
    # flaml[automl] asks for `xgboost<3` (which pulls nvidia-nccl); install its other extras by
    # hand and satisfy the xgboost module with xgboost-cpu in the same version range.
    printf 'xgboost-cpu<3.0\n' > "$constraints"
    guarded_install "$python" "$constraints" \
        "flaml==$FLAML_VERSION" "lightgbm>=4.3" "xgboost-cpu<3.0" scipy pandas pyarrow \
        scikit-learn psutil
    log "flaml ready: $(record_versions flaml "$VERSIONS")"
}

setup_autogluon() {
    local python constraints
    python="$(make_venv autogluon)"
    constraints="$PEERS_DIR/autogluon/constraints.txt"
    printf '%s\n' "$TORCH_CPU" > "$constraints"
    # torch first, from the local CPU wheel, so the extras below never resolve PyPI's CUDA build.
    guarded_install "$python" "$constraints" "$TORCH_CPU"
    # The model families that best_quality/medium_quality use on CPU: GBM, CAT, XGB (xgboost-cpu
    # through AutoGluon's own extra), NN_TORCH and FASTAI (torch). RF/XT/KNN come with sklearn.
    # ray, as in the full `pip install autogluon`: best_quality's dynamic stacking runs its
    # sub-fit in a ray process, and without ray a failed sub-fit aborts the whole fit
    # ("Learner is already fit", seen at 10 s budgets).
    guarded_install "$python" "$constraints" \
        "autogluon.tabular[lightgbm,catboost,xgboost,fastai,ray]==$AUTOGLUON_VERSION" pyarrow psutil
    log "autogluon ready: $(record_versions autogluon "$VERSIONS")"
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(flaml autogluon)
for target in "${targets[@]}"; do
    start=$SECONDS
    case "$target" in
        flaml) setup_flaml ;;
        autogluon) setup_autogluon ;;
        *) log "unknown peer '$target' (expected flaml or autogluon)"; exit 2 ;;
    esac
    log "$target took $((SECONDS - start)) s"
done
