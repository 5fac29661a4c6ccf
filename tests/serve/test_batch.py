"""Chunked batch scoring of files: same predictions as the whole frame, in order, atomically."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, DataLoadError, SchemaError
from jogak.models import load_model
from jogak.models._batch import score_file
from jogak.testing._serve import make_model_frame


@pytest.fixture(scope="module")
def scored_input(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = make_model_frame(2_500, seed=11).drop(columns=["target"])
    path = tmp_path_factory.mktemp("batch") / "input.csv"
    frame.to_csv(path, index=False)
    return path, pd.read_csv(path)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet", ".jsonl", ".tsv"])
def test_chunked_scores_equal_whole_frame_scores(tmp_path: Path, bundles: dict[str, Path],
                                                 scored_input: tuple[Path, pd.DataFrame],
                                                 suffix: str) -> None:
    source, frame = scored_input
    model = load_model(bundles["binary"])
    seen: list[int] = []
    result = score_file(model, source, tmp_path / f"out{suffix}", chunk_rows=1_000,
                        progress=seen.append)
    assert (result.n_rows, result.n_chunks) == (2_500, 3)
    assert seen == [1_000, 2_000, 2_500]
    if suffix == ".parquet":
        written = pd.read_parquet(result.path)
    elif suffix == ".jsonl":
        written = pd.read_json(result.path, lines=True)
    else:
        written = pd.read_csv(result.path, sep="\t" if suffix == ".tsv" else ",")
    expected = model.predict_proba(frame)
    assert len(written) == 2_500
    assert written["id"].tolist() == frame["id"].tolist()  # input order and columns kept
    # JSON lines carry 15 decimal places (pandas' most): a 1e-7 probability keeps 9 digits
    np.testing.assert_allclose(written[["proba_no", "proba_yes"]].to_numpy(), expected,
                               rtol=1e-9, atol=1e-15 if suffix == ".jsonl" else 0.0)
    assert written["prediction"].tolist() == model.predict(frame).tolist()
    assert not list(tmp_path.glob("*.partial"))


def test_gzip_output_is_one_readable_stream(tmp_path: Path, bundles: dict[str, Path],
                                            scored_input: tuple[Path, pd.DataFrame]) -> None:
    source, _ = scored_input
    result = score_file(load_model(bundles["regression"]), source, tmp_path / "o.csv.gz",
                        chunk_rows=700)
    with gzip.open(result.path, "rt") as handle:
        lines = handle.read().splitlines()
    assert len(lines) == 2_501
    assert lines[0].endswith(",prediction")
    assert sum(line.startswith("id,") for line in lines) == 1  # one header


def test_parquet_source_and_duckdb_query(tmp_path: Path, bundles: dict[str, Path],
                                         scored_input: tuple[Path, pd.DataFrame]) -> None:
    source, frame = scored_input
    parquet = tmp_path / "in.parquet"
    frame.to_parquet(parquet, index=False)
    model = load_model(bundles["regression"])
    expected = model.predict(frame)
    result = score_file(model, parquet, tmp_path / "a.parquet", chunk_rows=999)
    np.testing.assert_allclose(pd.read_parquet(result.path)["prediction"], expected)
    query = f"duckdb:SELECT * FROM read_parquet('{parquet}') ORDER BY id"
    result = score_file(model, query, tmp_path / "b.csv", chunk_rows=1_200)
    written = pd.read_csv(result.path)
    np.testing.assert_allclose(written["prediction"],
                               model.predict(frame.sort_values("id").reset_index(drop=True)))


def test_schema_error_names_the_rows_and_leaves_no_output(
        tmp_path: Path, bundles: dict[str, Path], scored_input: tuple[Path, pd.DataFrame]) -> None:
    _, frame = scored_input
    broken = frame.copy()
    broken["num"] = broken["num"].astype(object)
    broken.loc[1_500, "num"] = "not a number"
    source = tmp_path / "broken.csv"
    broken.to_csv(source, index=False)
    with pytest.raises(SchemaError, match=r"Rows 1001-2000 of .*'num'"):
        score_file(load_model(bundles["binary"]), source, tmp_path / "out.csv", chunk_rows=1_000)
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "out.csv.partial").exists()


def test_bad_arguments(tmp_path: Path, bundles: dict[str, Path],
                       scored_input: tuple[Path, pd.DataFrame]) -> None:
    source, _ = scored_input
    model = load_model(bundles["binary"])
    with pytest.raises(ConfigError, match="chunk_rows must be a positive integer"):
        score_file(model, source, tmp_path / "o.csv", chunk_rows=0)
    with pytest.raises(DataLoadError, match="expected a .csv"):
        score_file(model, source, tmp_path / "o.xlsx")
    with pytest.raises(DataLoadError):
        score_file(model, tmp_path / "absent.csv", tmp_path / "o.csv")
    assert not (tmp_path / "o.csv").exists()
