"""Recommendations (S2): a user's top titles, titles like a title, and plot search, asked live
of the recommender whose bundle ``jogak recommend train … --json`` names in
``HOME/results/recommend/train.json``. User ids are shown only as dashboard tokens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard import _data
from jogak.dashboard._charts import metric_row
from jogak.dashboard._results import result_payload, run_hint
from jogak.dashboard._sources import config
from jogak.errors import JogakError

__all__ = ["TRAIN_COMMAND", "render_recommendations"]

TRAIN_COMMAND = ("jogak recommend train RATINGS.csv --user-col userId --item-col movieId "
                 "--items MOVIES.csv --text-col overview --title-col title --out "
                 "{home}/models/recommender --json > {out}")


@st.cache_resource(show_spinner="Loading the recommender …", max_entries=2)
def _recommender(path: str, mtime: float) -> Any:
    from jogak.solutions.recommend import load_recommender

    return load_recommender(path)


@st.cache_data(show_spinner=False, max_entries=2)
def _user_tokens(path: str, mtime: float, home: str) -> pd.DataFrame:
    users = pd.Series(_recommender(path, mtime).user_ids_)
    return pd.DataFrame({"token": _data.pseudonymise(users, Path(home)).to_numpy(),
                         "user": users.to_numpy()})


def _item_labels(model: Any) -> list[str]:
    ids = [str(i) for i in model.item_ids_]
    if model.titles_ is None:
        return ids
    return [f"{title} ({item})" if title else item for title, item in zip(model.titles_, ids,
                                                                         strict=True)]


def render_recommendations() -> None:
    """For a user, similar titles, plot search."""
    st.title("Recommendations · 추천")
    cfg = config()
    command = TRAIN_COMMAND.format(home=cfg.home, out="{out}")
    payload = result_payload(cfg, "recommend", "train", command)
    if payload is None:
        return
    bundle = Path(str(payload.get("bundle", "")))
    if not (bundle / "manifest.json").exists():
        st.info(run_hint(f"recommender bundle at `{bundle}`", cfg.home / "results" / "recommend",
                         command.format(out=cfg.home / "results/recommend/train.json")))
        return
    mtime = (bundle / "manifest.json").stat().st_mtime
    try:
        model = _recommender(str(bundle), mtime)
    except JogakError as exc:
        st.error(f"Cannot load the recommender {bundle}: {exc}")
        return
    metric_row({"algorithm": str(payload.get("algorithm", "")),
                "users": f"{len(model.user_ids_):,}", "titles": f"{len(model.item_ids_):,}",
                "titles without interactions": f"{int(model.is_cold_.sum()):,}"})
    k = int(st.slider("Titles per list", 3, 30, 10, key="rec_k"))

    st.subheader("For a user · 사용자 추천")
    users = _user_tokens(str(bundle), mtime, str(cfg.home))
    token = st.selectbox("User (pseudonymised id)", users["token"].tolist(), key="rec_user")
    user = users["user"].to_numpy()[users["token"].tolist().index(token)]
    st.dataframe(model.recommend(user, k), hide_index=True, key="rec_for_user")

    st.subheader("Similar titles · 비슷한 작품")
    labels = _item_labels(model)
    label = st.selectbox("Title", labels, key="rec_title")
    item = model.item_ids_[labels.index(label)]
    st.dataframe(model.similar(item, k), hide_index=True, key="rec_similar")

    st.subheader("Plot search · 줄거리 검색")
    if model.content_ is None:
        st.info("This recommender has no synopses; train it with `--items ITEMS --text-col "
                "overview` to search by plot:\n\n```\n"
                f"{command.format(out=cfg.home / 'results/recommend/train.json')}\n```")
        return
    query = st.text_input("Plot or mood", "missing child, rain", key="rec_query")
    if query.strip():
        found = model.search(query, k)
        topics = found.attrs.get("query_topics", [])
        st.caption(f"Query topics: {', '.join(topics) or '—'}")
        st.dataframe(found, hide_index=True, key="rec_search")
