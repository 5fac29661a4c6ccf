"""The PyTorch module behind :class:`LSTMRegressor` (imported only when the LSTM is used)."""

from __future__ import annotations

import torch

__all__ = ["LSTMNet"]


class LSTMNet(torch.nn.Module):
    """LSTM over (batch, time, features) followed by a linear head on the last step."""

    def __init__(self, n_features: int, hidden_size: int, num_layers: int) -> None:
        super().__init__()
        self.lstm = torch.nn.LSTM(n_features, hidden_size, num_layers=num_layers,
                                  batch_first=True)
        self.head = torch.nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One output per sequence."""
        output, _ = self.lstm(x)
        return self.head(output[:, -1, :]).squeeze(-1)
