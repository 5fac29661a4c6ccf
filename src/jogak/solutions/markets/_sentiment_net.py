"""The packaged MiniLM with its top layers fine-tuned for sentence classification (PyTorch, CPU).

The lower layers stay frozen, so their outputs are computed once per text; training then runs
only through the top ``n_tuned`` layers and a linear head over the mean-pooled tokens. This is
what makes fine-tuning affordable on a CPU (about ``n_tuned / n_layers`` of the full cost).
Imported only when the ``"tuned"`` sentiment model is used.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

__all__ = ["TunedMiniLM"]


def _extended_mask(mask: torch.Tensor) -> torch.Tensor:
    # BERT's additive attention mask: 0 for tokens, the most negative float for padding
    return (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min


def _mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)


class TunedMiniLM:
    """Frozen lower encoder, trainable upper layers and head.

    Parameters
    ----------
    folder : str
        A local BERT-style model folder (the packaged all-MiniLM-L6-v2).
    n_tuned : int
        Top encoder layers to train.
    n_classes : int
    max_length : int
        Word pieces kept per text.
    """

    def __init__(self, folder: str, *, n_tuned: int, n_classes: int, max_length: int) -> None:
        hf_logging.disable_progress_bar()
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        base = AutoModel.from_pretrained(folder, local_files_only=True).eval()
        layers = base.encoder.layer
        if not 1 <= n_tuned <= len(layers):
            raise ValueError(f"n_tuned must be in [1, {len(layers)}], got {n_tuned}.")
        self.upper = torch.nn.ModuleList(copy.deepcopy(layer) for layer in
                                         layers[len(layers) - n_tuned:])
        base.encoder.layer = layers[:len(layers) - n_tuned]
        for parameter in base.parameters():
            parameter.requires_grad_(False)
        self.lower = base
        self.head = torch.nn.Sequential(torch.nn.Dropout(0.1),
                                        torch.nn.Linear(base.config.hidden_size, n_classes))
        self.max_length = max_length

    def lower_states(self, texts: Sequence[str], batch_size: int) -> list[torch.Tensor]:
        """Frozen hidden states per text (padding removed), in the order of ``texts``."""
        lengths = [len(ids) for ids in self.tokenizer(list(texts), truncation=True,
                                                      max_length=self.max_length)["input_ids"]]
        order = np.argsort(lengths, kind="stable")
        out: list[Any] = [None] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                chunk = order[start:start + batch_size]
                batch = self.tokenizer([texts[i] for i in chunk], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt")
                hidden = self.lower(**batch).last_hidden_state
                for row, i in enumerate(chunk):
                    out[i] = hidden[row, :lengths[i]].clone()
        return out

    def logits(self, states: Sequence[torch.Tensor]) -> torch.Tensor:
        """Class scores of a batch of lower states."""
        hidden = torch.nn.utils.rnn.pad_sequence(list(states), batch_first=True)
        lengths = torch.tensor([len(s) for s in states])
        mask = (torch.arange(hidden.shape[1])[None, :] < lengths[:, None]).float()
        extended = _extended_mask(mask)
        for layer in self.upper:
            hidden = layer(hidden, extended)
        return self.head(_mean_pool(hidden, mask))

    def parameters(self) -> Iterator[torch.nn.Parameter]:
        """The trainable parameters (upper layers and head)."""
        yield from self.upper.parameters()
        yield from self.head.parameters()

    def train(self, mode: bool = True) -> None:
        """Dropout on (training) or off."""
        self.upper.train(mode)
        self.head.train(mode)

    def state(self) -> dict[str, np.ndarray]:
        """Trainable weights as numpy arrays (pickles without torch objects)."""
        return {f"upper.{k}": v.detach().numpy().copy() for k, v in
                self.upper.state_dict().items()} | {
            f"head.{k}": v.detach().numpy().copy() for k, v in self.head.state_dict().items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Restore weights written by :meth:`state`."""
        for prefix, module in (("upper.", self.upper), ("head.", self.head)):
            module.load_state_dict({k.removeprefix(prefix): torch.from_numpy(np.asarray(v))
                                    for k, v in state.items() if k.startswith(prefix)})


def fit_tuned(network: TunedMiniLM, states: list[torch.Tensor], target: np.ndarray, *,
              epochs: int, batch_size: int, learning_rate: float, head_learning_rate: float,
              weight_decay: float, seed: int) -> list[dict[str, float]]:
    """AdamW with a linear decay to zero; batches of similar lengths, shuffled. Returns the
    mean training loss per epoch."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    optimiser = torch.optim.AdamW([
        {"params": list(network.upper.parameters()), "lr": learning_rate},
        {"params": list(network.head.parameters()), "lr": head_learning_rate}],
        weight_decay=weight_decay)
    order = np.argsort([len(s) for s in states], kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    n_steps = max(epochs * len(batches), 1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser,
                                                  lambda step: 1.0 - step / n_steps)
    labels = torch.tensor(np.array(target, dtype="int64"))
    history = []
    for epoch in range(epochs):
        network.train(True)
        total = 0.0
        for k in rng.permutation(len(batches)):
            batch = batches[k]
            loss = torch.nn.functional.cross_entropy(
                network.logits([states[i] for i in batch]), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            scheduler.step()
            total += float(loss.detach()) * len(batch)
        history.append({"epoch": epoch + 1, "train_loss": total / len(states)})
    network.train(False)
    return history


def predict_tuned(network: TunedMiniLM, texts: Sequence[str], batch_size: int) -> np.ndarray:
    """Class probabilities, shape ``(n_texts, n_classes)``."""
    states = network.lower_states(texts, batch_size)
    order = np.argsort([len(s) for s in states], kind="stable")
    out = np.zeros((len(texts), network.head[-1].out_features))
    network.train(False)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            chunk = order[start:start + batch_size]
            out[chunk] = network.logits([states[i] for i in chunk]).softmax(-1).numpy()
    return out
