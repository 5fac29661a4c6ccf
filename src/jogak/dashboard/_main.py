"""``python -m jogak.dashboard._main run app.py …``: Streamlit's command line, jogak preloaded.

Streamlit runs each page script inside its server process, so whatever that process has already
imported, a page does not import again. Importing the library before the server starts moves
about 2.5 s (scikit-learn, SciPy, the registry and the model code) from the first page a user
opens to the start-up, which nobody watches. The arguments are Streamlit's own.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]


def main(argv: list[str]) -> None:
    """Import the dashboard's library code, then hand ``argv`` to Streamlit's command line."""
    # one OpenMP thread for the many small predictions of the pages (see app.py); set before
    # any OpenMP library loads, and an OMP_NUM_THREADS the user exported wins
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from streamlit.web import cli

    import jogak.dashboard._model_pages
    import jogak.models
    import jogak.registry  # noqa: F401

    sys.argv = ["streamlit", *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
