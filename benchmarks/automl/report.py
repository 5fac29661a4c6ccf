"""Tables from the results file: scores, ranks, wins over FLAML, costs, and the issue's goals.

Failed or timed-out folds count with the constant predictor's score on the same fold (the AMLB
convention), or the fold's worst score when no constant run exists, and are flagged with ``!``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Table", "build_tables", "load_results", "to_markdown"]

HIGHER_IS_BETTER = {"roc_auc": True, "accuracy": True, "log_loss": False, "rmse": False,
                    "mae": False, "r2": True}
KEY = ["framework", "task", "budget", "n_folds", "fold", "seed"]
JOGAK, FLAML = "jogak", "flaml"


@dataclass
class Table:
    """A titled table of strings, shared by the console and the Markdown output."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


def load_results(*paths: Path) -> pd.DataFrame:
    """One row per run from the results files merged in order: the last line for each run key."""
    lines = [{**json.loads(line), "source": path.name} for path in paths
             for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        return pd.DataFrame(columns=[*KEY, "status", "score"])
    frame = pd.DataFrame(lines).drop_duplicates(subset=KEY, keep="last")
    frame["ok"] = frame["status"].eq("ok")
    frame["task_label"] = frame["task"] + np.where(
        frame.groupby("task")["n_folds"].transform("nunique") > 1,
        " (" + frame["n_folds"].astype(str) + "-fold)", "")
    return frame.reset_index(drop=True)


def _fold_scores(runs: pd.DataFrame) -> pd.DataFrame:
    """Folds x frameworks scores of one (task, budget), failures imputed as the module says."""
    scores = runs.pivot_table(index="fold", columns="framework", values="score", aggfunc="last")
    scores = scores.reindex(columns=sorted(runs["framework"].unique()))
    failed = runs[~runs["ok"]]
    better_high = HIGHER_IS_BETTER[runs["metric"].iloc[0]]
    for _, run in failed.iterrows():
        fold_row = scores.loc[run["fold"]] if run["fold"] in scores.index else pd.Series()
        fallback = fold_row.get("constant", np.nan)
        if pd.isna(fallback):
            fallback = fold_row.min() if better_high else fold_row.max()
        scores.loc[run["fold"], run["framework"]] = fallback
    return scores


def _task_means(results: pd.DataFrame, budget: float) -> dict[str, pd.Series]:
    """Per task label: the mean fold score of each framework at ``budget``."""
    at_budget = results[results["budget"] == budget]
    return {label: _fold_scores(runs).mean() for label, runs in at_budget.groupby("task_label")}


def _metric_of(results: pd.DataFrame, label: str) -> str:
    return results.loc[results["task_label"] == label, "metric"].iloc[0]


def _score_table(results: pd.DataFrame, budget: float, frameworks: list[str]) -> Table:
    rows = []
    for label, runs in results[results["budget"] == budget].groupby("task_label"):
        scores = _fold_scores(runs)
        metric = runs["metric"].iloc[0]
        cells = [label, metric]
        for name in frameworks:
            if name not in scores:
                cells.append("")
                continue
            mine = runs[runs["framework"] == name]
            n_failed, n_folds = int((~mine["ok"]).sum()), int(mine["n_folds"].iloc[0])
            column = scores[name].dropna()
            cells.append(f"{column.mean():.4f}±{column.std(ddof=0):.4f}"
                         + (f" !{n_failed}" if n_failed else "")
                         + (f" ({len(mine)}/{n_folds} folds)" if len(mine) < n_folds else ""))
        rows.append(cells)
    return Table(f"Test score per task, mean±std over outer folds (budget {budget:g} s)",
                 ["task", "metric", *frameworks], rows,
                 "roc_auc/accuracy: higher is better; rmse: lower is better. "
                 "!k = k failed folds counted at the constant predictor's score; "
                 "(i/n folds) = only i of the n outer folds have run.")


def _ranks(results: pd.DataFrame, budget: float) -> tuple[pd.DataFrame, list[str]]:
    """Tasks x frameworks rank (1 = best, ties averaged) on the mean fold score, over the tasks
    every framework at this budget ran; the other tasks' labels come second."""
    frameworks = set(results.loc[results["budget"] == budget, "framework"])
    ranks, incomplete = {}, []
    for label, means in _task_means(results, budget).items():
        if set(means.dropna().index) != frameworks:
            incomplete.append(label)
            continue
        ascending = not HIGHER_IS_BETTER[_metric_of(results, label)]
        ranks[label] = means.rank(ascending=ascending, method="average")
    return pd.DataFrame(ranks).T, incomplete


def _run_cell(runs: pd.DataFrame) -> str:
    """Worst fit time and overrun of a task's folds, then the failed folds by status."""
    cell = ""
    fit, overrun = _column(runs, "fit_seconds"), _column(runs, "overrun")
    if len(fit):
        cell = f"{fit.max():.0f} s" + (f" +{overrun.max():.0%}" if len(overrun) else "")
    failed = runs.loc[~runs["ok"], "status"].value_counts()
    return " ".join([cell, *(f"!{n} {status}" for status, n in failed.items())]).strip()


def _run_table(results: pd.DataFrame, budget: float, frameworks: list[str]) -> Table:
    rows = []
    for label, runs in results[results["budget"] == budget].groupby("task_label"):
        cells = [label]
        for name in frameworks:
            mine = runs[runs["framework"] == name]
            cells.append(_run_cell(mine) if len(mine) else "")
        rows.append(cells)
    return Table(f"Fit time and overrun per task, worst fold (budget {budget:g} s)",
                 ["task", *frameworks], rows,
                 "Longest fit over the task's folds and its largest overrun (failed fits "
                 "included when they recorded a time); '!k error|timeout' = k failed folds. "
                 "Baselines ignore the budget.")


def _rank_table(results: pd.DataFrame, budgets: list[float], frameworks: list[str]) -> Table:
    rows = []
    for budget in budgets:
        ranks, incomplete = _ranks(results, budget)
        rows.append([f"{budget:g}", str(len(ranks)), ", ".join(incomplete)]
                    + [f"{ranks[f].mean():.2f}" if f in ranks else "" for f in frameworks])
    return Table("Mean rank per framework (1 = best) over tasks", ["budget s", "tasks",
                                                                 "left out", *frameworks], rows,
                 "Ranked only on tasks every framework ran at that budget; 'left out' lists "
                 "the tasks some framework has no run for yet.")


def _wins(results: pd.DataFrame, budget: float, name: str, rival: str) -> tuple[int, int]:
    wins = total = 0
    for label, means in _task_means(results, budget).items():
        if name not in means or rival not in means:
            continue
        total += 1
        sign = 1 if HIGHER_IS_BETTER[_metric_of(results, label)] else -1
        wins += int(sign * (means[name] - means[rival]) > 0)
    return wins, total


def _wins_table(results: pd.DataFrame, budgets: list[float], frameworks: list[str]) -> Table:
    rows = []
    for budget in budgets:
        cells = [f"{budget:g}"]
        for name in frameworks:
            wins, total = _wins(results, budget, name, FLAML)
            cells.append(f"{wins}/{total} ({wins / total:.0%})" if total and name != FLAML
                         else "")
        rows.append(cells)
    return Table("Tasks where the framework's mean score beats FLAML's", ["budget s",
                                                                          *frameworks], rows)


def _column(runs: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column, empty when no run recorded it (older result files)."""
    if name not in runs:
        return pd.Series(dtype=np.float64)
    return pd.to_numeric(runs[name], errors="coerce").dropna()


def _median(values: pd.Series, fmt: str) -> str:
    return format(values.median(), fmt) if len(values) else ""


def _cost_table(results: pd.DataFrame, budget: float, frameworks: list[str]) -> Table:
    rows = []
    for name in frameworks:
        runs = results[(results["budget"] == budget) & (results["framework"] == name)]
        if runs.empty:
            continue
        ok = runs[runs["ok"]]
        overrun = _column(ok, "overrun")
        rows.append([
            name, f"{len(ok)}/{len(runs)}", _median(_column(ok, "fit_seconds"), ".1f"),
            _median(_column(ok, "fit_cpu_seconds"), ".0f"),
            f"{overrun.mean():.1%}" if len(overrun) else "",
            f"{overrun.max():.1%}" if len(overrun) else "",
            f"{(overrun > 0.10).mean():.0%}" if len(overrun) else "",
            _median(_column(ok, "peak_memory_mb"), ".0f"),
            _median(_column(ok, "artifact_bytes") / 2**20, ".2f"),
            _median(_column(ok, "latency_p50_ms"), ".3f"),
            _median(_column(ok, "latency_p99_ms"), ".3f"),
            _median(_column(ok, "batch_rows_per_s"), ",.0f"),
            _median(_column(runs, "load_1min_before"), ".1f"),
        ])
    return Table(f"Cost per framework, medians over successful runs (budget {budget:g} s)",
                 ["framework", "ok runs", "fit s", "fit CPU s", "overrun mean", "overrun max",
                  "runs >10 %", "peak memory MB", "artifact MB", "1-row p50 ms", "1-row p99 ms",
                  "10k batch rows/s", "load before"], rows,
                 "overrun = max(0, fit time / budget - 1). Fit CPU s: user + system time of "
                 "the runner's process tree during fit (2 cores: at most 2 x fit s). "
                 "Peak memory up to the end of fit: max of the process's max RSS and the "
                 "sampled PSS of its process tree. "
                 "Latency: one row at a time, in process, after 20 warm-up calls. Load before: "
                 "the machine's 1-minute load average when the run started (2 cores).")


def _goal_rows(results: pd.DataFrame, budgets: list[float]) -> list[list[str]]:
    runs = results[(results["framework"] == JOGAK) & results["ok"]]
    if runs.empty:
        return [["jogak has no successful runs yet", "", ""]]
    rows = []
    for budget in budgets:
        ranks, _ = _ranks(results, budget)
        if JOGAK in ranks and len(ranks):
            means = ranks.mean()
            best = means.drop(JOGAK).min() if len(means) > 1 else np.inf
            rows.append([f"best mean rank at {budget:g} s",
                         f"{means[JOGAK]:.2f} vs best peer {best:.2f}",
                         "PASS" if means[JOGAK] < best else "FAIL"])
    if 120.0 in budgets:
        wins, total = _wins(results, 120.0, JOGAK, FLAML)
        if total:
            rows.append(["ahead of FLAML on >= 75 % of tasks at 120 s", f"{wins}/{total}",
                         "PASS" if wins / total >= 0.75 else "FAIL"])
    for column, limit, label in [("latency_p50_ms", 1.0, "single-row p50 <= 1 ms"),
                                 ("latency_p99_ms", 5.0, "single-row p99 <= 5 ms")]:
        values = _column(runs, column)
        rows.append([label, f"median {values.median():.3f}, worst {values.max():.3f} ms",
                     "PASS" if (values <= limit).all() else "FAIL"])
    ensemble = runs["model"].map(lambda m: bool(m.get("is_ensemble")) if isinstance(m, dict)
                                 else True)
    for is_ensemble, limit, label in [(False, 100_000, "batch >= 100k rows/s, single model"),
                                      (True, 20_000, "batch >= 20k rows/s, ensemble")]:
        values = _column(runs[ensemble == is_ensemble], "batch_rows_per_s")
        if len(values):
            rows.append([label, f"{len(values)} runs, worst {values.min():,.0f} rows/s",
                         "PASS" if (values >= limit).all() else "FAIL"])
    overrun = _column(runs, "overrun")
    rows.append(["overrun <= 10 %", f"worst {overrun.max():.1%}",
                 "PASS" if (overrun <= 0.10).all() else "FAIL"])
    return rows


def _versions_table(results: pd.DataFrame, frameworks: list[str]) -> Table:
    rows = []
    for name in frameworks:
        versions = results.loc[results["framework"] == name, "versions"].dropna()
        if len(versions):
            latest = versions.iloc[-1]
            rows.append([name, ", ".join(f"{k} {v}" for k, v in latest.items()
                                         if v != "not installed")])
    return Table("Versions", ["framework", "packages"], rows)


def build_tables(results: pd.DataFrame, order: list[str]) -> list[Table]:
    """Every table of the report, frameworks in ``order`` (those present)."""
    frameworks = [f for f in order if f in set(results["framework"])]
    budgets = sorted(results["budget"].astype(float).unique())
    tables = [_score_table(results, b, frameworks) for b in budgets]
    tables += [_run_table(results, b, frameworks) for b in budgets]
    tables += [_rank_table(results, budgets, frameworks),
               _wins_table(results, budgets, frameworks)]
    tables += [_cost_table(results, b, frameworks) for b in budgets]
    tables.append(Table("jogak against the issue's goals", ["goal", "measured", "verdict"],
                        _goal_rows(results, budgets)))
    tables.append(_versions_table(results, frameworks))
    return tables


def to_markdown(tables: list[Table], preamble: str = "") -> str:
    """The tables as GitHub Markdown."""
    parts = [preamble] if preamble else []
    for table in tables:
        parts.append(f"### {table.title}\n")
        parts.append("| " + " | ".join(table.headers) + " |")
        parts.append("|" + "|".join("---" for _ in table.headers) + "|")
        parts += ["| " + " | ".join(row) + " |" for row in table.rows]
        parts.append(f"\n{table.note}\n" if table.note else "")
    return "\n".join(parts) + "\n"
