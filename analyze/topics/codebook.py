"""The bilingual codebook of themes: loading, guiding the fit with seed words, and naming each topic's theme.

The shipped codebook (analyze/codebooks/ai_ethics_privacy.yaml) lists AI ethics & privacy themes with seed words
in English and Traditional Chinese. Seeds are used the way BERTopic's guided topic modelling uses them: a
document close to a theme is nudged towards the theme's vector before clustering. After the fit, each topic is
mapped to the theme whose vector is closest to its centroid (plus a bonus per shared seed keyword), or "other".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyze.embeddings import Embedder
from analyze.topics.space import unit_rows
from collect.storage import read_yaml

OTHER = "other"
DEFAULT_CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "ai_ethics_privacy.yaml"


class CodebookError(ValueError):
    """The codebook file is missing or malformed; the message is one line for the user."""


@dataclass(frozen=True)
class Theme:
    """One codebook theme."""

    id: str
    name_en: str
    name_zh: str
    description: str
    seeds_en: tuple[str, ...]
    seeds_zh: tuple[str, ...]

    @property
    def seed_text(self) -> str:
        """The text embedded as the theme's vector: both languages' seeds."""
        return ", ".join(self.seeds_en + self.seeds_zh)


def _theme(raw: object, where: str) -> Theme:
    try:
        name, seeds = raw["name"], raw["seeds"]  # type: ignore[index]
        return Theme(
            id=str(raw["id"]),  # type: ignore[index]
            name_en=str(name["en"]),
            name_zh=str(name["zh"]),
            description=str(raw.get("description", "")),  # type: ignore[union-attr]
            seeds_en=tuple(str(s) for s in seeds.get("en", [])),
            seeds_zh=tuple(str(s) for s in seeds.get("zh", [])),
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise CodebookError(f"{where}: each theme needs id, name.en, name.zh and seeds.en/zh ({e})") from e


def load_codebook(path: Path | str | None = None, extend: bool = False) -> tuple[Theme, ...]:
    """Themes of a codebook YAML (default: the shipped one); with extend, the shipped themes come first.

    A theme in the given file with the id of a shipped theme replaces it.

    Raises:
        CodebookError: the file is missing, not YAML, has no themes, or repeats a theme id.

    """
    path = Path(path) if path else DEFAULT_CODEBOOK
    raw = read_yaml(path, "codebook", CodebookError)
    items = raw.get("themes") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise CodebookError(f"{path}: expected a `themes:` list")
    themes = [_theme(t, str(path)) for t in items]
    ids = [t.id for t in themes]
    if len(set(ids)) != len(ids) or OTHER in ids:
        raise CodebookError(f"{path}: theme ids must be unique and not {OTHER!r}")
    if extend and path != DEFAULT_CODEBOOK:
        given = {t.id for t in themes}
        themes = [t for t in load_codebook() if t.id not in given] + themes
    return tuple(themes)


def theme_vectors(themes: tuple[Theme, ...], embedder: Embedder) -> np.ndarray:
    """One unit vector per theme: the embedding of its seed words."""
    if not themes:
        return np.zeros((0, 0))
    return unit_rows(np.asarray(embedder.encode([t.seed_text for t in themes]), dtype=np.float64))


def guide(embeddings: np.ndarray, vectors: np.ndarray, threshold: float, weight: float = 0.25) -> np.ndarray:
    """Nudge each document whose closest theme is at least `threshold` similar towards that theme's vector.

    As in BERTopic's guided topic modelling, the document becomes a weighted mean of itself and the theme
    (weight 1/4 to the theme), so documents on a theme gather without the theme overriding what they say.
    """
    x = unit_rows(np.asarray(embeddings, dtype=np.float64))
    if not len(vectors):
        return x
    sims = x @ vectors.T
    best = sims.argmax(axis=1)
    close = sims.max(axis=1) >= threshold
    x[close] = (1 - weight) * x[close] + weight * vectors[best[close]]
    return unit_rows(x)


def map_themes(
    centres: np.ndarray, keywords: list[list[str]], themes: tuple[Theme, ...], vectors: np.ndarray, threshold: float
) -> list[tuple[str, float]]:
    """(theme id or "other", score) per topic: cosine to the theme vector + 0.05 per seed word among keywords."""
    out = []
    for centre, words in zip(centres, keywords, strict=True):
        if not themes:
            out.append((OTHER, 0.0))
            continue
        lowered = {w.lower() for w in words}
        bonus = np.array([0.05 * len(lowered & {s.lower() for s in t.seeds_en + t.seeds_zh}) for t in themes])
        scores = vectors @ centre + bonus
        best = int(np.argmax(scores))
        score = round(float(scores[best]), 4)
        out.append((themes[best].id if score >= threshold else OTHER, score))
    return out
