#!/usr/bin/env bash
# The MLflow peer of benchmarks/serve_load.py in its own venv (/work/peers/mlflow), so that full
# MLflow (which pins pyarrow<26) never touches the project's environment. jogak is installed
# without dependencies and the model libraries at the project's exact versions, because the
# served pyfunc loads a jogak bundle (hash- and version-checked).
# Note: a bundle records the versions of every model library installed where it was trained
# (xgboost, catboost, torch too) and refuses to load elsewhere without them; install those at
# the recorded versions here as well, or let serve_load.py use the project venv's mlflow
# (the `mlflow` extra: mlflow-skinny, the same scoring server), which is its default.
set -euo pipefail
PEER=${PEER:-/work/peers/mlflow}
PROJECT=${PROJECT:-$(cd "$(dirname "$0")/.." && pwd)}
PY=${PYTHON:-python3}
"$PY" -m venv "$PEER"
pin() { "$PROJECT/.venv/bin/python" -c "import importlib.metadata as m; print(m.version('$1'))"; }
"$PEER/bin/pip" install -q --upgrade pip
"$PEER/bin/pip" install -q "mlflow>=3,<4" \
  "scikit-learn==$(pin scikit-learn)" "lightgbm==$(pin lightgbm)" "numpy==$(pin numpy)" \
  "scipy==$(pin scipy)" "optuna==$(pin optuna)" "duckdb==$(pin duckdb)" "holidays" \
  "charset-normalizer" "openpyxl" "threadpoolctl" "typer" "rich" "joblib==$(pin joblib)"
"$PEER/bin/pip" install -q --no-deps -e "$PROJECT"
"$PEER/bin/python" -c "import mlflow, jogak.registry._pyfunc; print('mlflow', mlflow.__version__, 'ready in $PEER')"
