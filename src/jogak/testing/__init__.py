"""Synthetic data builders and Hypothesis strategies for jogak's tests (and yours).

Library code never imports this package (an import-linter contract checks it).
"""

from __future__ import annotations

from jogak.testing._frames import make_classification_frame, make_frame, make_numeric_frame
from jogak.testing._strategies import mixed_frames, numeric_frames

__all__ = ["make_classification_frame", "make_frame", "make_numeric_frame", "mixed_frames",
           "numeric_frames"]
