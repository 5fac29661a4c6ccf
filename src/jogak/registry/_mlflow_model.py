"""MLflow "models from code" entry: the file MLflow copies into the model and runs to load it.

Never imported by jogak itself (``set_model`` registers the model with MLflow on import).
"""

from mlflow.models import set_model

from jogak.registry._pyfunc import JogakPyfunc

set_model(JogakPyfunc())
