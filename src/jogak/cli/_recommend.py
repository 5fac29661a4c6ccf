"""``jogak recommend``: recommendation: train, for-user, similar, search, blocks, evaluate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import read_data
from jogak.errors import ConfigError

__all__ = ["group"]

group = typer.Typer(help="Recommendation: train, for-user, similar, search, evaluate.",
                    no_args_is_help=True)
app.add_typer(group, name="recommend")

_err = Console(stderr=True)
_ALGORITHMS = ("popularity", "item_knn", "als", "bpr", "blend", "content", "hybrid")
_HYBRID_CF = ("als", "blend", "recency_blend")

UserCol = Annotated[str, typer.Option("--user-col", help="Column with user ids.")]
ItemCol = Annotated[str, typer.Option("--item-col", help="Column with item ids (also in "
                                                         "--items).")]
RatingCol = Annotated[str | None, typer.Option("--rating-col", help="Explicit ratings; leave "
                                                                    "out for implicit events.")]
TimeCol = Annotated[str | None, typer.Option("--time-col", help="Timestamp column (orders "
                                                                "repeats and splits).")]
Items = Annotated[str | None, typer.Option("--items", help="Catalogue file with synopses "
                                                           "(or 'duckdb:SELECT ...').")]
TextCol = Annotated[list[str] | None, typer.Option("--text-col", help="Synopsis column(s) of "
                                                                      "--items (repeatable).")]
TitleCol = Annotated[str | None, typer.Option("--title-col", help="Title column of --items.")]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]
K = Annotated[int, typer.Option("-k", "--k", help="Number of titles.")]
Bundle = Annotated[Path, typer.Argument(help="A recommender bundle folder.")]
Cf = Annotated[str, typer.Option(help="Hybrid: collaborative part, als, blend (ALS + BPR) or "
                                      "recency_blend (ALS + BPR + item-kNN weighing recent "
                                      "titles more; needs --time-col).")]
Exposure = Annotated[float, typer.Option(help="Hybrid: exposure penalty weight.")]
ExposureDepth = Annotated[int, typer.Option(help="Hybrid: list length over which exposure is "
                                                 "counted.")]
ItemZscore = Annotated[float, typer.Option(help="Hybrid: share of each title's score "
                                                "standardised over the users (0-1).")]
ContentWeight = Annotated[float, typer.Option(help="Hybrid: share of content.")]
LongTail = Annotated[float, typer.Option(help="Hybrid: long-tail bonus weight.")]
Seed = Annotated[int, typer.Option(help="Random seed.")]


@contextmanager
def _working(message: str) -> Iterator[Progress]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=_err, transient=True) as progress:
        progress.add_task(message, total=None)
        yield progress


def _model(algorithm: str, *, user_col: str, item_col: str, rating_col: str | None,
           time_col: str | None, text_cols: list[str] | None, title_col: str | None,
           content_weight: float, mmr_lambda: float, long_tail: float, encoder: str,
           topics: int, seed: int, cf: str = "als", exposure: float = 0.0,
           exposure_depth: int = 50, item_zscore: float = 0.0) -> Any:
    from jogak.solutions.recommend import (
        ALSRecommender,
        BlendRecommender,
        BPRRecommender,
        ContentModel,
        Recommender,
        recency_blend,
    )

    if algorithm not in _ALGORITHMS:
        raise ConfigError(f"--algorithm must be one of {', '.join(_ALGORITHMS)}; got "
                          f"{algorithm!r}.")
    if cf not in _HYBRID_CF:
        raise ConfigError(f"--cf must be one of {', '.join(_HYBRID_CF)}; got {cf!r}.")
    blend = BlendRecommender(estimators=[
        ("als", ALSRecommender(factors=128, random_state=seed)),
        ("bpr", BPRRecommender(random_state=seed))])
    collaborative: Any = {"als": ALSRecommender(random_state=seed),
                          "bpr": BPRRecommender(random_state=seed), "blend": blend,
                          "hybrid": {"blend": blend,
                                     "recency_blend": recency_blend(random_state=seed)
                                     }.get(cf, ALSRecommender(random_state=seed))
                          }.get(algorithm, algorithm)
    if algorithm == "content":
        collaborative, content_weight = "popularity", 1.0
    elif algorithm != "hybrid":
        content_weight, mmr_lambda, long_tail, exposure, item_zscore = 0.0, 1.0, 0.0, 0.0, 0.0
    return Recommender(user_col=user_col, item_col=item_col, rating_col=rating_col,
                       time_col=time_col, text_cols=tuple(text_cols or ("overview",)),
                       title_col=title_col, collaborative=collaborative,
                       content=ContentModel(encoder=encoder, n_topics=topics,  # type: ignore[arg-type]
                                            random_state=seed),
                       content_weight=content_weight, mmr_lambda=mmr_lambda,
                       long_tail_weight=long_tail, exposure_weight=exposure,
                       exposure_depth=exposure_depth, item_zscore_weight=item_zscore)


def _show(frame: pd.DataFrame, title: str, as_json: bool, extra: dict[str, Any]) -> None:
    if as_json:
        typer.echo(json.dumps({**extra, "results": json.loads(frame.to_json(orient="records"))},
                              ensure_ascii=False))
        return
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    _err.print(table)


@group.command()
def train(
    data: Annotated[str, typer.Argument(help="Interactions file or 'duckdb:SELECT ...'.")],
    user_col: UserCol,
    item_col: ItemCol,
    out: Annotated[Path, typer.Option(help="Bundle folder to write.")],
    rating_col: RatingCol = None,
    time_col: TimeCol = None,
    items: Items = None,
    text_col: TextCol = None,
    title_col: TitleCol = None,
    algorithm: Annotated[str, typer.Option(help="hybrid, als, bpr, blend (ALS + BPR), "
                                                "item_knn, popularity or content.")] = "hybrid",
    cf: Cf = "als",
    exposure: Exposure = 0.0,
    exposure_depth: ExposureDepth = 50,
    item_zscore: ItemZscore = 0.0,
    content_weight: ContentWeight = 0.3,
    mmr_lambda: Annotated[float, typer.Option(help="Hybrid: MMR λ (1 = no re-ranking).")] = 0.8,
    long_tail: LongTail = 0.1,
    encoder: Annotated[str, typer.Option(help="tfidf, embedding or both.")] = "tfidf",
    topics: Annotated[int, typer.Option(help="Number of synopsis topics.")] = 20,
    seed: Seed = 0,
    as_json: AsJson = False,
) -> None:
    """Train a recommender on interactions (and a catalogue with synopses) and save it."""
    model = _model(algorithm, user_col=user_col, item_col=item_col, rating_col=rating_col,
                   time_col=time_col, text_cols=text_col, title_col=title_col,
                   content_weight=content_weight, mmr_lambda=mmr_lambda, long_tail=long_tail,
                   encoder=encoder, topics=topics, seed=seed, cf=cf, exposure=exposure,
                   exposure_depth=exposure_depth, item_zscore=item_zscore)
    frame = read_data(data)
    catalogue = read_data(items) if items is not None else None
    with _working(f"training {algorithm} on {len(frame):,} interactions"):
        model.fit(frame, items=catalogue)
        path = model.save(out, name=algorithm)
    summary = {"bundle": str(path), "algorithm": algorithm,
               "n_users": int(model.matrix_.shape[0]), "n_items": int(model.matrix_.shape[1]),
               "n_interactions": int(model.matrix_.nnz), "n_cold_items": int(model.is_cold_.sum()),
               "n_duplicates": int(model.n_duplicates_), "n_empty_texts": model.n_empty_texts_,
               "topics": [] if model.content_ is None else list(model.content_.topic_labels_)}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    if model.n_duplicates_:
        _err.print(f"note: {model.n_duplicates_} repeated (user, item) rows were merged.")
    _err.print(f"recommender written to [bold]{path}[/bold]: {summary['n_users']} users, "
               f"{summary['n_items']} titles ({summary['n_cold_items']} without interactions), "
               f"{summary['n_interactions']} interactions.")


@group.command("for-user")
def for_user(
    model: Bundle,
    user: Annotated[str, typer.Argument(help="The user id.")],
    k: K = 10,
    as_json: AsJson = False,
) -> None:
    """Top-k titles for a user (an unknown user gets a diverse popular list)."""
    from jogak.solutions.recommend import load_recommender

    frame = load_recommender(model).recommend(user, k)
    fallback = bool((frame["source"] == "popular (unknown user)").any())
    if fallback and not as_json:
        _err.print(f"note: user {user!r} is not in the model; showing a diverse popular list.")
    _show(frame, f"top {k} for user {user}", as_json, {"user": user, "fallback": fallback})


@group.command()
def similar(
    model: Bundle,
    item: Annotated[str, typer.Argument(help="The item id.")],
    k: K = 10,
    as_json: AsJson = False,
) -> None:
    """Titles most similar to a title (content only for titles without interactions)."""
    from jogak.solutions.recommend import load_recommender

    frame = load_recommender(model).similar(item, k)
    _show(frame, f"titles like {item}", as_json, {"item": item})


@group.command()
def search(
    model: Bundle,
    query: Annotated[str, typer.Argument(help="Plot or mood, e.g. 'missing child, rain'.")],
    k: K = 10,
    as_json: AsJson = False,
) -> None:
    """Titles whose synopsis matches a free-text plot or mood query, with their topics."""
    from jogak.solutions.recommend import load_recommender

    frame = load_recommender(model).search(query, k)
    topics = frame.attrs.get("query_topics", [])
    if not as_json:
        _err.print(f"query topics: {', '.join(topics) or '—'}")
    _show(frame, f"search: {query}", as_json, {"query": query, "query_topics": topics})


@group.command()
def blocks(
    model: Bundle,
    n_blocks: Annotated[int, typer.Option("--blocks", help="Number of shelves.")] = 6,
    per_block: Annotated[int, typer.Option(help="Titles per shelf.")] = 10,
    skip_top: Annotated[float, typer.Option(help="Share of most popular titles left "
                                                 "out.")] = 0.05,
    as_json: AsJson = False,
) -> None:
    """Curation shelves built from synopsis topics, beyond the blockbusters."""
    from jogak.solutions.recommend import curation_blocks, load_recommender

    frame = curation_blocks(load_recommender(model), n_blocks=n_blocks, per_block=per_block,
                            skip_top_share=skip_top)
    _show(frame, "curation blocks", as_json, {})


@group.command()
def evaluate(
    data: Annotated[str, typer.Argument(help="Interactions file or 'duckdb:SELECT ...'.")],
    user_col: UserCol,
    item_col: ItemCol,
    rating_col: RatingCol = None,
    time_col: TimeCol = None,
    items: Items = None,
    text_col: TextCol = None,
    algorithms: Annotated[str, typer.Option(help="Comma-separated: " + ", ".join(_ALGORITHMS)
                                            + ".")] = "popularity,item_knn,als,bpr",
    holdout: Annotated[int, typer.Option(help="Leave-last-N: each user's N latest "
                                              "interactions are the test set.")] = 10,
    k: K = 10,
    content_weight: ContentWeight = 0.3,
    mmr_lambda: Annotated[float, typer.Option(help="Hybrid: MMR λ.")] = 0.8,
    long_tail: LongTail = 0.1,
    cf: Cf = "als",
    exposure: Exposure = 0.0,
    exposure_depth: ExposureDepth = 50,
    item_zscore: ItemZscore = 0.0,
    seed: Seed = 0,
    as_json: AsJson = False,
) -> None:
    """Compare algorithms side by side on a leave-last-N split (MAP, NDCG, coverage, ...)."""
    from jogak.solutions.recommend import compare_recommenders

    names = [name.strip() for name in algorithms.split(",") if name.strip()]
    needs_text = {"content", "hybrid"} & set(names)
    if needs_text and items is None:
        raise ConfigError(f"{sorted(needs_text)} need synopses: pass --items ITEMS "
                          "--text-col COLUMN.")
    models = {name: _model(name, user_col=user_col, item_col=item_col, rating_col=rating_col,
                           time_col=time_col, text_cols=text_col, title_col=None,
                           content_weight=content_weight, mmr_lambda=mmr_lambda,
                           long_tail=long_tail, encoder="tfidf", topics=20, seed=seed,
                           cf=cf, exposure=exposure, exposure_depth=exposure_depth,
                           item_zscore=item_zscore)
              for name in names}
    frame = read_data(data)
    catalogue = read_data(items) if items is not None else None
    with _working("evaluating") as progress:
        task = progress.tasks[0].id
        table = compare_recommenders(
            frame, models, items=catalogue, holdout=holdout, k=k,
            progress=lambda name: progress.update(task, description=f"evaluating {name}"))
    split = f"leave-last-{holdout} per user" + (f" by {time_col}" if time_col else "")
    if as_json:
        typer.echo(json.dumps({"split": split, "k": k, "metrics": table.to_dict(orient="index")}))
        return
    shown = table.reset_index(names="algorithm")
    _show(shown, f"{split}, k={k}", False, {})
