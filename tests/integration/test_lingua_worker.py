"""lingua in its worker process: the same values as in-process, and detect_language the same results as classify."""

import pandas as pd
import pytest

from analyze import linguaworker
from analyze.language import classify, detect_language
from analyze.normalise import normalise_text

TEXTS = [
    "Agree.",
    "Totally support this!",
    "Je ne suis pas d'accord avec cette proposition du gouvernement.",
    "Ich bin gegen diesen Vorschlag, weil er die Privatsphäre verletzt.",
    "Saya tidak setuju",
    "ok",
]


def test_worker_confidences_equal_in_process_and_an_unread_answer_stops_the_worker():
    expected = [linguaworker.confidences(t) for t in TEXTS]
    with linguaworker.in_worker(TEXTS) as wait:
        assert wait() == [pytest.approx(e, rel=1e-12) for e in expected]  # lingua's last bits vary by process
    with pytest.raises(KeyError), linguaworker.in_worker(TEXTS):
        raise KeyError("left before the answer")
    with linguaworker.in_worker(TEXTS[2:3]) as wait:  # a new worker: no stale answer read
        assert wait() == [pytest.approx(expected[2], rel=1e-12)]


def test_detect_language_equals_classify_text_by_text():
    texts = [*TEXTS, "政府應該公開資料", "The government should publish the data it holds on this", ""]
    out = detect_language(pd.DataFrame({"response_id": [f"r{i}" for i in range(len(texts))], "text": texts}))
    assert {"en", "other"} <= set(out["lang"])
    for text, row in zip(texts, out.itertuples(), strict=True):
        lang, confidence, en_share = classify(normalise_text(text))
        assert (row.lang, row.lang_confidence, row.en_share) == (lang, confidence, round(en_share, 3)), text
