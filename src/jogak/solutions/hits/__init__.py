"""Content hit scoring for films and songs (S1): features, models, intervals, investment board."""

from __future__ import annotations

from jogak.solutions.hits._calendar import CALENDAR_COLUMNS, release_calendar
from jogak.solutions.hits._comparison import (
    JOGAK_MODEL,
    METRIC_NAMES,
    Comparison,
    compare_models,
    regression_scores,
)
from jogak.solutions.hits._competition import (
    COMPETITION_COLUMNS,
    MAJOR_DISTRIBUTORS,
    ReleaseCompetition,
)
from jogak.solutions.hits._conformal import (
    blend_weight,
    conformal_quantile,
    interval_coverage,
    least_squares_scale,
    power_back_transform,
)
from jogak.solutions.hits._embeddings import ArtistEmbedding, credit_sentences
from jogak.solutions.hits._films import FILM_COLUMNS, FILM_TARGET, FilmFeatures, check_film_frame
from jogak.solutions.hits._investment import RISK_GRADES, InvestmentTerms, investment_board
from jogak.solutions.hits._learning import s1_learning_curves
from jogak.solutions.hits._model import (
    HitKind,
    HitModel,
    evaluate_hits,
    load_hit_model,
    song_table,
    top10_auc,
    train_hit_model,
)
from jogak.solutions.hits._names import clean_company, clean_person, clean_title, split_names
from jogak.solutions.hits._regressor import DEFAULT_FAMILIES, HitRegressor, check_count_target
from jogak.solutions.hits._s1_models import S1_BASE_MODELS, S1_MODELS, s1_estimator, tune_s1_model
from jogak.solutions.hits._song_features import SONG_COLUMNS, SongFeatures, is_ost
from jogak.solutions.hits._songs import CHART_COLUMNS, SONG_TARGETS, song_outcomes
from jogak.solutions.hits._track import TrackRecordEncoder

__all__ = [
    "CALENDAR_COLUMNS",
    "CHART_COLUMNS",
    "COMPETITION_COLUMNS",
    "DEFAULT_FAMILIES",
    "FILM_COLUMNS",
    "FILM_TARGET",
    "JOGAK_MODEL",
    "MAJOR_DISTRIBUTORS",
    "METRIC_NAMES",
    "RISK_GRADES",
    "S1_BASE_MODELS",
    "S1_MODELS",
    "SONG_COLUMNS",
    "SONG_TARGETS",
    "ArtistEmbedding",
    "Comparison",
    "FilmFeatures",
    "HitKind",
    "HitModel",
    "HitRegressor",
    "InvestmentTerms",
    "ReleaseCompetition",
    "SongFeatures",
    "TrackRecordEncoder",
    "blend_weight",
    "check_count_target",
    "check_film_frame",
    "clean_company",
    "clean_person",
    "clean_title",
    "compare_models",
    "conformal_quantile",
    "credit_sentences",
    "evaluate_hits",
    "interval_coverage",
    "investment_board",
    "is_ost",
    "least_squares_scale",
    "load_hit_model",
    "power_back_transform",
    "regression_scores",
    "release_calendar",
    "s1_estimator",
    "s1_learning_curves",
    "song_outcomes",
    "song_table",
    "split_names",
    "top10_auc",
    "train_hit_model",
    "tune_s1_model",
]
