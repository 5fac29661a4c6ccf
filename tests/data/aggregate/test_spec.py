"""FeatureSpec validation: bad specs fail on creation with a message that says how to fix them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jogak.data.aggregate import Aggregation, EntityTable, EventTable, FeatureSpec, Ratio
from jogak.errors import ConfigError


def _events(**kwargs: object) -> EventTable:
    base: dict[str, object] = {"name": "logs", "source": pd.DataFrame(), "key": "user",
                               "time": "day",
                               "aggregations": (Aggregation(func="count"),)}
    base.update(kwargs)
    return EventTable(**base)  # type: ignore[arg-type]


def test_aggregation_names_one_feature_per_window() -> None:
    agg = Aggregation(func="sum", column="secs", windows=(7, 30, None))
    assert agg.feature_names("logs") == ["logs_sum_secs_7d", "logs_sum_secs_30d",
                                         "logs_sum_secs_all"]
    assert Aggregation(func="count", name="n").feature_names("logs") == ["n_all"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"func": "median", "column": "x"}, "func must be one of"),
    ({"func": "sum"}, "needs a column"),
    ({"func": "sum", "column": "x", "windows": (0,)}, "whole number of days"),
    ({"func": "sum", "column": "x", "windows": (7, 7)}, "repeat"),
    ({"func": "sum", "column": "x y"}, "identifier"),
], ids=["unknown_func", "no_column", "zero_window", "repeated_window", "bad_name"])
def test_aggregation_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Aggregation(**kwargs)  # type: ignore[arg-type]


def test_event_table_rejects_unsafe_or_unorderable_derived_columns() -> None:
    with pytest.raises(ConfigError, match="arithmetic"):
        _events(derived={"x": "secs; DROP TABLE t"})
    with pytest.raises(ConfigError, match="another derived column"):
        _events(derived={"x": "secs * 2", "y": "x + 1"})
    with pytest.raises(ConfigError, match="list it in dates"):
        _events(derived={"age": "ends - day"}, dates=("ends",))
    assert _events(derived={"age": "ends - day"}, dates=("day", "ends")).measured_columns() \
        == ["ends"]


def test_spec_rejects_clashing_features_and_unknown_ratio_parts() -> None:
    a = _events(name="a", aggregations=(Aggregation(func="count", name="n"),))
    b = _events(name="b", aggregations=(Aggregation(func="count", name="n"),))
    with pytest.raises(ConfigError, match="clash"):
        FeatureSpec(key="user", events=(a, b))
    with pytest.raises(ConfigError, match="not a feature"):
        FeatureSpec(key="user", events=(a,), ratios=(Ratio(name="r", numerator="n_all",
                                                           denominator="missing"),))
    with pytest.raises(ConfigError, match="at least one"):
        FeatureSpec(key="user")


def test_entity_table_needs_columns() -> None:
    with pytest.raises(ConfigError, match="passes no column"):
        EntityTable(name="m", source=pd.DataFrame(), key="user")


def test_spec_from_file_resolves_sources_next_to_the_file(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({
        "key": "user",
        "events": [{"name": "logs", "source": "logs.parquet", "key": "user", "time": "day",
                    "aggregations": [{"func": "sum", "column": "secs", "windows": [7, None]}]}],
        "entities": [{"name": "m", "source": "/abs/m.csv", "key": "user",
                      "categorical": ["city"]}],
    }))
    spec = FeatureSpec.from_file(spec_path)
    assert spec.events[0].source == str(tmp_path / "logs.parquet")
    assert spec.entities[0].source == "/abs/m.csv"
    assert spec.feature_names() == ["logs_sum_secs_7d", "logs_sum_secs_all", "city"]


def test_spec_from_file_reports_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        FeatureSpec.from_file(tmp_path / "nope.json")
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: [unclosed")
    with pytest.raises(ConfigError, match="Cannot parse"):
        FeatureSpec.from_file(bad)
    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(json.dumps({"events": []}))
    with pytest.raises(ConfigError, match="Invalid feature spec"):
        FeatureSpec.from_file(incomplete)
