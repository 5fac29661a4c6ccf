"""The dashboard's pages in menu order: ``(file stem under pages/, title)``."""

from __future__ import annotations

__all__ = ["PAGES"]

PAGES: tuple[tuple[str, str], ...] = (
    ("overview", "Overview · 개요"),
    ("explorer", "Data explorer · 데이터 탐색"),
    ("why", "Why · 원인 분석"),
    ("what_if", "What-if · 시뮬레이터"),
    ("targeting", "Targeting · 타기팅"),
    ("content", "Content investment · 콘텐츠 투자"),
    ("markets", "Markets · 시장"),
    ("customers", "Customers · 고객"),
    ("credit", "Credit · 신용"),
    ("recommendations", "Recommendations · 추천"),
    ("automl", "AutoML · 자동 모델링"),
)
