"""Recommendation on MovieLens latest-small (+ TMDB synopses), side by side with implicit.

Measures, in one run:
1. training time and top-10 latency for one user (p50/p95/p99 over many users) of jogak's ALS
   recommender and of implicit's AlternatingLeastSquares called directly (same matrix, same
   factors, iterations, regularisation, alpha and BM25 weighting);
2. (--evaluate) MAP@10, NDCG@10, coverage, entropy, novelty and intra-list diversity of
   popularity, item-kNN, ALS, BPR, content-based and hybrid on one leave-last-10 split;
3. (--cold-start) the cold-start protocol: 10 % of titles held out of training entirely;
4. (--search) the 50 paraphrase queries over the full TMDB catalogue (slow: embeds 4,803
   synopses).

Usage::

    .venv/bin/python benchmarks/recommend.py --evaluate --cold-start --json out.json
    .venv/bin/python benchmarks/recommend.py --no-speed --tune     # validation grid
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as implicit asks; before numpy loads
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def load_movielens(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings, and movies joined to TMDB synopses through links.tmdbId."""
    ml = data_dir / "movielens_latest_small"
    ratings = pd.read_csv(ml / "ratings.csv.gz")
    movies = pd.read_csv(ml / "movies.csv.gz")
    links = pd.read_csv(ml / "links.csv.gz")
    links["tmdbId"] = links["tmdbId"].astype("Int64")
    tmdb = pd.read_csv(data_dir / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz",
                       usecols=["id", "overview"]).astype({"id": "Int64"})
    items = (movies.merge(links[["movieId", "tmdbId"]], on="movieId", how="left")
             .merge(tmdb, left_on="tmdbId", right_on="id", how="left"))
    items["genres_text"] = (items["genres"].str.replace("|", " ", regex=False)
                            .replace("(no genres listed)", ""))
    return ratings, items[["movieId", "title", "genres_text", "overview"]]


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1e3
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "p99_ms": float(np.percentile(ms, 99)), "mean_ms": float(ms.mean())}


def speed(ratings: pd.DataFrame, items: pd.DataFrame, args: argparse.Namespace) -> dict:
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import bm25_weight

    from jogak.solutions.recommend import ALSRecommender, ContentModel, Recommender

    params = {"factors": args.factors, "iterations": args.iterations, "regularization": 0.05,
              "alpha": 2.0}
    out: dict[str, dict] = {}
    jogak_model = Recommender(user_col="userId", item_col="movieId", rating_col="rating",
                              collaborative=ALSRecommender(**params), content_weight=0.0)
    start = time.perf_counter()
    jogak_model.fit(ratings)
    out["jogak ALS"] = {"train_s": time.perf_counter() - start}

    start = time.perf_counter()
    matrix = jogak_model.matrix_  # the same users × items matrix, built outside the timing
    weighted = bm25_weight(matrix, K1=100, B=0.8).tocsr()
    direct = AlternatingLeastSquares(**params, num_threads=1, random_state=0)
    direct.fit(weighted, show_progress=False)
    out["implicit ALS (direct)"] = {"train_s": time.perf_counter() - start}

    hybrid = Recommender(user_col="userId", item_col="movieId", rating_col="rating",
                         text_cols=("genres_text", "overview"),
                         collaborative=ALSRecommender(**params),
                         content=ContentModel(n_topics=20), content_weight=0.2, mmr_lambda=0.8)
    start = time.perf_counter()
    hybrid.fit(ratings, items=items)
    out["jogak hybrid (ALS + TF-IDF, MMR 0.8)"] = {"train_s": time.perf_counter() - start}

    tuned = Recommender(**_common(), **tuned_params())
    start = time.perf_counter()
    tuned.fit(ratings, items=items)
    out["jogak tuned (3-way blend + corrections)"] = {"train_s": time.perf_counter() - start}

    rng = np.random.default_rng(0)
    users = rng.choice(jogak_model.user_ids_, size=args.queries)
    rows = pd.Index(jogak_model.user_ids_).get_indexer(users)
    for _ in range(20):  # warm caches
        jogak_model.recommend_items(users[0], 10)
        hybrid.recommend_items(users[0], 10)
        tuned.recommend_items(users[0], 10)
        direct.recommend(int(rows[0]), matrix[int(rows[0])], N=10)
    calls = {
        "jogak ALS": lambda user, row: jogak_model.recommend_items(user, 10),
        "implicit ALS (direct)": lambda user, row: direct.recommend(
            int(row), matrix[int(row)], N=10, filter_already_liked_items=True),
        "jogak hybrid (ALS + TF-IDF, MMR 0.8)": lambda user, row: hybrid.recommend_items(user,
                                                                                         10),
        "jogak tuned (3-way blend + corrections)": lambda user, row: tuned.recommend_items(user,
                                                                                          10),
    }
    # wall time, and this thread's CPU time (what the call costs without the waits for a
    # core that a loaded machine adds); the models take turns for every user
    wall: dict[str, list[float]] = {key: [] for key in calls}
    cpu: dict[str, list[float]] = {key: [] for key in calls}
    for user, row in zip(users, rows, strict=True):
        for key, call in calls.items():
            c0, t0 = time.thread_time(), time.perf_counter()
            call(user, row)
            wall[key].append(time.perf_counter() - t0)
            cpu[key].append(time.thread_time() - c0)
    for key in calls:
        out[key].update(percentiles(wall[key]))
        out[key].update({f"cpu_{name}": value for name, value in percentiles(cpu[key]).items()})
    same = np.mean([set(jogak_model.recommend_items(u, 10).tolist()) ==
                    set(jogak_model.item_ids_[direct.recommend(int(r), matrix[int(r)], N=10)[0]]
                        .tolist()) for u, r in zip(users[:50], rows[:50], strict=True)])
    out["jogak ALS"]["same_top10_as_implicit_share"] = float(same)
    return out


def _common() -> dict:
    from jogak.solutions.recommend import ContentModel

    return {"user_col": "userId", "item_col": "movieId", "rating_col": "rating",
            "time_col": "timestamp", "text_cols": ("genres_text", "overview"),
            "content": ContentModel(n_topics=20)}


def three_way_blend(weights: tuple[float, float, float] = (0.3, 0.4, 0.3),
                    als_half_life: float | None = 25, knn_half_life: float | None = 10) -> object:
    """ALS (recency-decayed) + BPR + item-kNN (recency-weighted history), standardised and mixed."""
    from jogak.solutions.recommend import recency_blend

    return recency_blend(weights=weights, als_half_life=als_half_life,
                         knn_half_life=knn_half_life)


# previous round's choice (ALS-128 + BPR, exposure 0.3 over top-10 lists), kept for comparison
PREVIOUS = {"collaborative": "blend", "content_weight": 0.0, "exposure_weight": 0.3,
            "exposure_depth": 10}
# chosen by --tune on the validation split carved from the training part (see tune()); the
# rule, fixed before the test split was looked at: the highest validation MAP@10 among the
# settings whose coverage is >= 2.2x ALS's and whose entropy is >= ALS's + 1.2 bits there
# (margins over the goal's 2x and +1 bit, because validation and test users differ)
TUNED_CORRECTIONS = {"item_zscore_weight": 0.4, "exposure_weight": 0.3, "exposure_depth": 50}
TUNED_RULE = {"coverage_ratio": 2.2, "entropy_gain": 1.2}


def tuned_params() -> dict:
    return {"collaborative": three_way_blend(), "content_weight": 0.0, **TUNED_CORRECTIONS}


def quality(ratings: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    from jogak.solutions.recommend import (
        ALSRecommender,
        ItemKNNRecommender,
        Recommender,
        compare_recommenders,
    )

    common = _common()
    models = {
        "popularity": Recommender(**common, collaborative="popularity", content_weight=0.0),
        "item_knn": Recommender(**common, collaborative="item_knn", content_weight=0.0),
        "als": Recommender(**common, collaborative="als", content_weight=0.0),
        "bpr": Recommender(**common, collaborative="bpr", content_weight=0.0),
        "blend (ALS-128 + BPR)": Recommender(**common, collaborative="blend",
                                             content_weight=0.0),
        "content": Recommender(**common, collaborative="popularity", content_weight=1.0),
        "hybrid (w=0.2, λ=0.8)": Recommender(**common, content_weight=0.2, mmr_lambda=0.8),
        "hybrid (w=0.2, λ=0.8, tail=0.3)": Recommender(**common, content_weight=0.2,
                                                       mmr_lambda=0.8, long_tail_weight=0.3),
        "previous: blend + exposure 0.3@10": Recommender(**common, **PREVIOUS),
        "ALS, recency half-life 25": Recommender(
            **common, collaborative=ALSRecommender(half_life=25), content_weight=0.0),
        "item-kNN, recency half-life 10": Recommender(
            **common, collaborative=ItemKNNRecommender(half_life=10), content_weight=0.0),
        "3-way blend (recency)": Recommender(**common, collaborative=three_way_blend(),
                                             content_weight=0.0),
        "tuned: 3-way + z 0.4 + exposure 0.3@50": Recommender(**common, **tuned_params()),
        "tuned + content w=0.1": Recommender(**{**common, **tuned_params(),
                                                "content_weight": 0.1}),
    }
    return compare_recommenders(ratings, models, items=items, holdout=10, k=10,
                                progress=lambda name: print(f"  evaluating {name}", flush=True))


def tune(ratings: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The grid behind the tuned model, on a validation split carved from the TRAINING part.

    The test split (each user's last 10 ratings) is dropped first; the last 10 of what is left
    validate. The test split is never looked at here. Stage 1 compares collaborative bases
    (no corrections); stage 2 puts the item-side corrections on the 3-way blend.
    """
    from jogak.solutions.recommend import Recommender, compare_recommenders, leave_last_n_split

    train, _ = leave_last_n_split(ratings, user_col="userId", time_col="timestamp", n=10)
    common = {**_common(), "content_weight": 0.0}
    models = {"als": Recommender(**common, collaborative="als"),
              "blend ALS-128 + BPR": Recommender(**common, collaborative="blend"),
              "3-way no recency": Recommender(**common, collaborative=three_way_blend(
                  (0.4, 0.4, 0.2), None, None))}
    for weights in ((0.3, 0.4, 0.3), (0.4, 0.4, 0.2), (0.35, 0.5, 0.15)):
        models[f"3-way {weights}"] = Recommender(**common,
                                                 collaborative=three_way_blend(weights))
    corrections = [{"exposure_weight": 0.5}, {"exposure_weight": 0.7},
                   {"item_zscore_weight": 0.5}, {"item_zscore_weight": 0.6},
                   {"item_zscore_weight": 0.2, "exposure_weight": 0.5},
                   {"item_zscore_weight": 0.3, "exposure_weight": 0.4},
                   {"item_zscore_weight": 0.4, "exposure_weight": 0.3}]
    for params in corrections:
        label = " + ".join(f"{'z' if key.startswith('item') else 'exposure'} {value}"
                           for key, value in params.items())
        models[f"3-way (0.3, 0.4, 0.3) {label}@50"] = Recommender(
            **common, collaborative=three_way_blend(), exposure_depth=50, **params)
    grid = compare_recommenders(train, models, items=items, holdout=10, k=10,
                                progress=lambda name: print(f"  tuning {name}", flush=True))
    als = grid.loc["als"]
    eligible = grid[(grid["coverage"] >= TUNED_RULE["coverage_ratio"] * als["coverage"]) &
                    (grid["entropy"] >= als["entropy"] + TUNED_RULE["entropy_gain"])]
    if not eligible.empty:
        print(f"  rule picks: {eligible['map@10'].idxmax()}", flush=True)
    return grid


def cold_start(ratings: pd.DataFrame, items: pd.DataFrame) -> dict:
    from jogak.solutions.recommend import ContentModel, Recommender, cold_start_evaluation

    out = {}
    # genre words alone make short, near-identical texts; the synopsis alone carries the plot
    for label, columns in (("overview", ("overview",)),
                           ("genres + overview", ("genres_text", "overview"))):
        for mode in ("content", "ridge"):
            # the ridge settings were chosen on seed 0; seed 1 draws other held-out titles
            for seed in (0, 1):
                model = Recommender(user_col="userId", item_col="movieId", rating_col="rating",
                                    time_col="timestamp", text_cols=columns,
                                    content=ContentModel(n_topics=20), content_weight=0.2,
                                    cold_start=mode)
                name = f"{label} | cold_start={mode} | seed {seed}"
                out[name] = cold_start_evaluation(ratings, items, model, share=0.1, k=10,
                                                  random_state=seed)
                print(f"  {name}: lift {out[name]['lift']:.2f}", flush=True)
    return out


def search(data_dir: Path) -> dict:
    from jogak.solutions.recommend import ContentModel

    tmdb = pd.read_csv(data_dir / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz",
                       usecols=["id", "title", "overview"])
    queries = json.loads((REPO / "tests/solutions/recommend/search_queries.json").read_text())
    out = {}
    for encoder in ("tfidf", "both"):
        model = ContentModel(encoder=encoder, n_topics=20).fit(tmdb["overview"])
        scores = model.query_scores([q["query"] for q in queries])
        hits = [q["title"] in set(tmdb["title"].to_numpy()[np.argsort(-scores[i])[:10]])
                for i, q in enumerate(queries)]
        out[encoder] = {"hits": int(sum(hits)), "of": len(queries),
                        "share": float(np.mean(hits))}
        print(f"  search {encoder}: {sum(hits)}/{len(queries)}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(
        os.environ.get("JOGAK_DATA_DIR", REPO.parent / "shared" / "datasets")))
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--queries", type=int, default=1000, help="Users timed for latency.")
    parser.add_argument("--evaluate", action="store_true")
    parser.add_argument("--cold-start", action="store_true")
    parser.add_argument("--search", action="store_true")
    parser.add_argument("--tune", action="store_true",
                        help="The validation grid behind the tuned model (training data only).")
    parser.add_argument("--no-speed", action="store_true", help="Skip the latency part.")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    ratings, items = load_movielens(args.data_dir)
    result: dict[str, object] = {"data": "movielens_latest_small + tmdb_5000_movies",
                                 "n_ratings": len(ratings)}
    if not args.no_speed:
        print("speed (top-10 for one user; ALS factors="
              f"{args.factors}, iterations={args.iterations})")
        table = pd.DataFrame.from_dict(speed(ratings, items, args), orient="index")
        print(table.round(3).to_string())
        result["speed"] = table.to_dict(orient="index")
    if args.tune:
        print("tuning (validation: last 10 of the training part; k=10)")
        grid = tune(ratings, items)
        print(grid.round(4).to_string())
        result["tune"] = grid.to_dict(orient="index")
    if args.evaluate:
        print("quality (leave-last-10 per user by timestamp; k=10)")
        metrics = quality(ratings, items)
        print(metrics.round(4).to_string())
        result["quality"] = metrics.to_dict(orient="index")
    if args.cold_start:
        print("cold start (10 % of titles with synopsis held out of training)")
        cold = cold_start(ratings, items)
        print(json.dumps(cold, indent=1))
        result["cold_start"] = cold
    if args.search:
        print("search (50 paraphrases, full TMDB catalogue of 4,803)")
        result["search"] = search(args.data_dir)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1, default=float))


if __name__ == "__main__":
    main()
