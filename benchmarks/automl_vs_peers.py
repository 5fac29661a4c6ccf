"""jogak's AutoML side by side with FLAML, AutoGluon and simple baselines (issue 3).

Every (framework, task, outer fold, budget) runs in its own subprocess with the framework's own
interpreter (see benchmarks/automl/); one JSON line per run is appended to ``--out``, so a crash
loses nothing and a rerun skips the runs already there. ``--report`` prints the tables from that
file and ``--markdown FILE`` also writes them as Markdown.

    .venv/bin/python benchmarks/automl_vs_peers.py --budgets 30 120 600 --out results.jsonl
    .venv/bin/python benchmarks/automl_vs_peers.py --report a.jsonl b.jsonl --markdown r.md

Peer venvs come from benchmarks/setup_peers.sh; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from automl.frameworks import FRAMEWORKS
from automl.launcher import RunSpec, check_framework, execute, write_folds
from automl.report import build_tables, load_results, to_markdown
from automl.tasks import TASKS, default_n_folds, fold_indices, load_task
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

console = Console(stderr=True)
RUN_OVERHEAD_S = 25.0  # observed per run on 2 cores: interpreter start, scoring, save, timing


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[30.0, 120.0, 600.0],
                        help="wall-clock fit budgets in seconds (default: 30 120 600)")
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS),
                        choices=list(FRAMEWORKS))
    parser.add_argument("--folds", type=int, default=None,
                        help="outer folds for every task (default: 5 under 10k rows, else 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds and the fits")
    parser.add_argument("--out", type=Path, default=Path("automl_vs_peers.jsonl"),
                        help="results file, one JSON line per run (appended)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jogak_automl_bench"),
                        help="scratch space for fold files and run folders")
    parser.add_argument("--retry-failed", action="store_true",
                        help="rerun runs whose recorded status is not ok")
    parser.add_argument("--keep-runs", action="store_true",
                        help="keep each run's folder (config, log, models)")
    parser.add_argument("--folds-first", action="store_true",
                        help="run every task's first fold before any task's second (a long "
                             "budget then covers all tasks once early; --out resumes the rest)")
    parser.add_argument("--dry-run", action="store_true", help="list the runs, run nothing")
    parser.add_argument("--report", nargs="*", type=Path, default=None, metavar="FILE",
                        help="print the tables from these results files merged (default: "
                        "--out); a run found in several files counts from the last one")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="with --report: also write the tables as Markdown to this file")
    return parser.parse_args(argv)


def _spec_of(record: dict) -> RunSpec:
    return RunSpec(record["framework"], record["task"], float(record["budget"]),
                   record["n_folds"], record["fold"], record["seed"])


def _past_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _reusable(spec: RunSpec, past: dict[tuple, dict]) -> dict | None:
    """A budget-free baseline's ok result for the same fold at another budget, re-labelled."""
    if FRAMEWORKS[spec.framework].uses_budget:
        return None
    source = past.get(replace(spec, budget=0.0).key)
    if source is None:
        return None
    fit = source["fit_seconds"]
    return {**source, "budget": spec.budget, "reused_from_budget": source["budget"],
            "overrun": round(max(0.0, fit / spec.budget - 1.0), 4)}


def _usable_frameworks(names: list[str]) -> list[str]:
    usable = []
    for name in names:
        reason = check_framework(FRAMEWORKS[name])
        if reason is None:
            usable.append(name)
        else:
            console.print(f"[yellow]skipping {name}[/]: {reason}")
    return usable


def _summary(record: dict) -> str:
    head = (f"{record['framework']} {record['task']} {record['budget']:g}s "
            f"fold {record['fold'] + 1}/{record['n_folds']}:")
    if record["status"] != "ok":
        fit = (f" after {record['fit_seconds']:.1f} s of fit (+{record['overrun']:.0%})"
               if "overrun" in record else "")
        return f"[red]{head} {record['status']}{fit}: {record.get('error', '')[:160]}[/]"
    return (f"{head} {record['metric']} {record['score']:.4f}, fit {record['fit_seconds']:.1f} s"
            f" (+{record['overrun']:.0%}, {record.get('fit_cpu_seconds', float('nan')):.0f} CPU s),"
            f" {record['peak_memory_mb']:.0f} MB, "
            f"p50 {record['latency_p50_ms']:.2f} ms, {record['batch_rows_per_s']:,.0f} rows/s")


def run(args: argparse.Namespace) -> int:
    frameworks = args.frameworks if args.dry_run else _usable_frameworks(args.frameworks)
    if not frameworks:
        console.print("[red]no framework can run; see the messages above[/]")
        return 2
    past = _past_records(args.out)
    done = {_spec_of(r).key for r in past if r.get("status") == "ok" or not args.retry_failed}
    baselines = {replace(_spec_of(r), budget=0.0).key: r for r in past
                 if r.get("status") == "ok" and "reused_from_budget" not in r}
    tasks, plan = {}, []
    for name in args.tasks:
        task = tasks[name] = load_task(name)
        n_folds = args.folds or default_n_folds(len(task.X))
        plan += [RunSpec(f, name, b, n_folds, fold, args.seed)
                 for b in args.budgets for fold in range(n_folds) for f in frameworks]
    if args.folds_first:
        plan.sort(key=lambda s: (args.budgets.index(s.budget), s.fold, args.tasks.index(s.task)))
    else:
        plan.sort(key=lambda s: (args.budgets.index(s.budget), args.tasks.index(s.task), s.fold))
    todo = [spec for spec in plan if spec.key not in done]
    n_baseline_reruns = sum(not FRAMEWORKS[s.framework].uses_budget
                            and s.budget != args.budgets[0] for s in todo)
    hours = (sum(s.budget * FRAMEWORKS[s.framework].uses_budget for s in todo)
             + RUN_OVERHEAD_S * (len(todo) - n_baseline_reruns)) / 3600
    console.print(f"{len(plan)} runs planned, {len(plan) - len(todo)} already in {args.out}, "
                  f"{len(todo)} to run: about {hours:.1f} h (budgets + {RUN_OVERHEAD_S:g} s "
                  "per run for start-up, scoring, saving and timing)")
    if args.dry_run:
        for spec in todo:
            console.print(spec.slug)
        return 0
    fold_files: dict[tuple[str, int], list] = {}
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn()]
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("runs", total=len(todo))
        for spec in todo:
            task = tasks[spec.task]
            if (spec.task, spec.n_folds) not in fold_files:
                folds = fold_indices(task, spec.n_folds, spec.seed)
                fold_files[spec.task, spec.n_folds] = write_folds(
                    task, folds, args.workdir / "data", spec.n_folds, spec.seed)
            train_path, test_path = fold_files[spec.task, spec.n_folds][spec.fold]
            progress.update(bar, description=f"{spec.slug}")
            record = _reusable(spec, baselines) or execute(
                spec, FRAMEWORKS[spec.framework], task, train_path, test_path, args.workdir,
                keep=args.keep_runs)
            if record["status"] == "ok" and "reused_from_budget" not in record:
                baselines[replace(spec, budget=0.0).key] = record
            with open(args.out, "a") as out:
                out.write(json.dumps(record, default=str) + "\n")
            progress.console.print(_summary(record))
            progress.advance(bar)
    return 0


def report(args: argparse.Namespace) -> int:
    paths = args.report or [args.out]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        console.print(f"[red]{', '.join(missing)} not found; run the benchmark first[/]")
        return 2
    results = load_results(*paths)
    results = results[results["framework"].isin(args.frameworks)
                      & results["task"].isin(args.tasks)]
    tables = build_tables(results, list(FRAMEWORKS))
    out = Console()
    for table in tables:
        rich_table = RichTable(title=table.title, caption=table.note or None)
        for header in table.headers:
            rich_table.add_column(header)
        for row in table.rows:
            rich_table.add_row(*row)
        out.print(rich_table)
    if args.markdown:
        notes = "\n".join(f"- **{name}**: {load_task(name).note}"
                          for name in sorted(set(results["task"])))
        args.markdown.write_text(to_markdown(tables, f"## AutoML side by side\n\n{notes}\n"))
        console.print(f"wrote {args.markdown}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    return report(args) if args.report is not None else run(args)


if __name__ == "__main__":
    sys.exit(main())
