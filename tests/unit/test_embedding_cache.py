import numpy as np

from analyze.embeddings import CachedEmbedder


class CountingEmbedder:
    def __init__(self, name="stand-in"):
        self.name = name
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        return np.array([[len(t), sum(map(ord, t)) % 97] for t in texts], dtype=np.float32)


TEXTS = [
    "我覺得個 privacy policy 唔清楚",
    "Stop facial recognition in public places.",
    "我覺得個 privacy policy 唔清楚",
]


def test_each_text_is_embedded_once_and_vectors_are_unchanged(tmp_path):
    inner = CountingEmbedder()
    cache = CachedEmbedder(inner, tmp_path / "cache" / "embeddings.parquet")
    first = cache.encode(TEXTS)
    np.testing.assert_array_equal(first, CountingEmbedder().encode(TEXTS))
    assert inner.seen == TEXTS[:2]  # the repeat is embedded once
    again = CachedEmbedder(inner, tmp_path / "cache" / "embeddings.parquet").encode(TEXTS[::-1] + ["new text"])
    assert inner.seen == TEXTS[:2] + ["new text"]  # a new instance reads the store: only the new text is embedded
    np.testing.assert_array_equal(again[:3], first[::-1])


def test_another_model_never_reuses_a_vector(tmp_path):
    path = tmp_path / "embeddings.parquet"
    CachedEmbedder(CountingEmbedder("model-a"), path).encode(TEXTS)
    other = CountingEmbedder("model-b")
    CachedEmbedder(other, path).encode(TEXTS)
    assert other.seen == TEXTS[:2]
