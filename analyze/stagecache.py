"""The per-response stages through the content cache (analyze/textcache.py): only new texts are computed.

Each stage's key names what its result depends on: the package version, the stage's settings and the patterns it
matches with, so a change to any of them starts a fresh store instead of reusing old results. Results are the
same as calling the stage function directly (tests/unit/test_textcache.py checks tables byte for byte).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyze import language, pii, segment, sentences, sentiment, stance
from analyze.duplicates import key as dup_key
from analyze.duplicates import variants as dup_variants
from analyze.duplicates.signature import signatures
from analyze.normalise import normalised_texts, text_array
from analyze.textcache import TextCache, cache_config, cached_column, cached_frame, column_matrix, vector_column
from analyze.topics.keywords import tokenize_texts
from collect.storage import read_table

_SEP = pa.scalar("\x1f", pa.large_string())  # between the parts of a key
MapFrame = Callable[[Callable[[pd.DataFrame], pd.DataFrame], pd.DataFrame], pd.DataFrame]


def _direct(fn: Callable[[pd.DataFrame], pd.DataFrame], df: pd.DataFrame) -> pd.DataFrame:
    return fn(df)


def _digest(*patterns: str) -> str:
    return hashlib.sha256("\x1e".join(patterns).encode()).hexdigest()[:16]


def language_config() -> str:
    """What `detect_language` depends on besides the text."""
    names = [n for n in dir(language) if n.isupper() and isinstance(getattr(language, n), int | float)]
    return cache_config(
        settings={n: getattr(language, n) for n in sorted(names)},
        markers=_digest(language._YUE_MARKER.pattern, *sorted(language.EN_FUNCTION_WORDS)),
    )


def pii_config() -> str:
    """What `find_pii_spans` depends on besides the text: its rules."""
    rules = [f"{r.type}\x1f{r.pattern.pattern}\x1f{r.group}" for r in pii.RULES]
    return cache_config(max_scan_chars=pii.MAX_SCAN_CHARS, rules=_digest(*rules))


def sentiment_config() -> str:
    """What `score_sentiment` (default models) depends on besides the text and its language."""
    names = [n for n in dir(sentiment) if n.isupper() and isinstance(getattr(sentiment, n), int | float)]
    return cache_config(
        settings={n: getattr(sentiment, n) for n in sorted(names)}, courtesy=_digest(sentiment._COURTESY.pattern)
    )


def stance_config() -> str:
    """What `find_stance` depends on besides each row's question, meta, text and sentiment: its cues and rules."""
    patterns = [f"{p.pattern}\x1f{p.flags}\x1f{d}" for p, d in stance._CUES]
    patterns += [p.pattern for p in (stance._MODAL, stance._MODAL_NEG, stance._WORD, stance._REMOVING, sentences._END)]
    return cache_config(
        sentiment_decides=stance.SENTIMENT_DECIDES,
        min_sentence_chars=sentences._MIN_CHARS,
        closed_answers=stance.CLOSED_ANSWERS,
        rules=_digest(*patterns, *sorted(stance._NOT_PROPOSAL_WORDS)),
    )


def cached_language(responses: pd.DataFrame, folder: Path, map_frame: MapFrame = _direct) -> pd.DataFrame:
    """`detect_language(responses)`, from the store `folder`/language.parquet for texts seen before."""
    cache = TextCache(Path(folder) / "language.parquet", "language", language_config())
    return cached_frame(responses, language.detect_language, text_array(responses["text"]), cache, map_frame)


def cached_sentiment(docs: pd.DataFrame, folder: Path, map_frame: MapFrame = _direct) -> pd.DataFrame:
    """`score_sentiment(docs)` (default models), from `folder`/sentiment.parquet for (text, lang) seen before."""
    langs = text_array(docs["lang"].fillna("en").astype(str) if "lang" in docs.columns else ["en"] * len(docs))
    keys = pc.binary_join_element_wise(langs, text_array(docs["text_norm"]), _SEP)
    cache = TextCache(Path(folder) / "sentiment.parquet", "sentiment", sentiment_config())
    return cached_frame(docs, sentiment.score_sentiment, keys, cache, map_frame)


def _per_distinct(values: pd.Series | np.ndarray, texts: Callable[[np.ndarray], list[str]]) -> pa.Array:
    """Each value's text, `texts` given the distinct values once (question ids and scores repeat)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    return pa.array(texts(distinct), pa.large_string()).take(codes)


def _stance_keys(table: pd.DataFrame, questions: dict[str, str]) -> pa.Array:
    """Each row's stance key: question id, question, meta, text and repr(sentiment), joined column by column.

    The values are those of `stance.stance_keys`; scores are told apart by their bits, so -0.0 keeps its own repr.
    """
    scores = table["sentiment"].astype(float).fillna(0.0).to_numpy(np.float64)
    return pc.binary_join_element_wise(
        _per_distinct(table["question_id"], lambda ids: [f"{q}\x1f{questions.get(str(q), '')}" for q in ids]),
        text_array(table["meta"]),
        text_array(table["text_norm"]),
        _per_distinct(scores.view(np.int64), lambda bits: list(map(repr, bits.view(np.float64).tolist()))),
        _SEP,
    )


def cached_stance(
    responses: pd.DataFrame, language: pd.DataFrame, sentiment: pd.DataFrame, questions: dict[str, str], folder: Path
) -> pd.DataFrame:
    """`find_stance(...)`, from `folder`/stance.parquet for (question, meta, text, sentiment) seen before."""
    table = stance.stance_inputs(responses, language, sentiment)
    keys = _stance_keys(table, questions)
    cache = TextCache(Path(folder) / "stance.parquet", "stance", stance_config())
    return cached_frame(table, lambda rows: stance.stance_rows(rows, questions), keys, cache, _direct)


def cached_pii_spans(docs: pd.DataFrame, folder: Path, map_frame: MapFrame = _direct) -> pd.DataFrame:
    """`find_pii_spans(docs)` (on text_norm), from the store `folder`/pii.parquet for texts seen before.

    The store holds each text's spans as three lists (types, starts, ends); the audit table is rebuilt from them.
    """
    cache = TextCache(Path(folder) / "pii.parquet", "pii", pii_config())

    def compute(positions: list[int]) -> pa.Table:
        rows = docs.iloc[positions]
        audit = map_frame(pii.find_pii_spans, rows)  # spans in row order, then by start
        row_of = pd.Index(rows["response_id"]).get_indexer(audit["response_id"])
        offsets = pa.array(np.r_[0, np.cumsum(np.bincount(row_of, minlength=len(rows)))], pa.int32())
        return pa.table(
            {
                name: pa.ListArray.from_arrays(offsets, pa.array(audit[column].to_numpy(), kind))
                for name, column, kind in (
                    ("types", "type", pa.string()),
                    ("starts", "start", pa.int64()),
                    ("ends", "end", pa.int64()),
                )
            }
        )

    if docs.empty:
        return map_frame(pii.find_pii_spans, docs)
    spans = cache.get(text_array(docs["text_norm"]), compute)
    cache.save()
    counts = pc.list_value_length(spans.column("types")).to_numpy(zero_copy_only=False)
    audit = pd.DataFrame(
        {
            "response_id": np.repeat(docs["response_id"].astype(str).to_numpy(), counts),
            **{
                column: pc.list_flatten(spans.column(name)).to_numpy(zero_copy_only=False)
                for name, column in (("types", "type"), ("starts", "start"), ("ends", "end"))
            },
        },
        columns=pii.AUDIT_COLUMNS,
    )
    return audit.astype({"response_id": str, "type": str, "start": "int64", "end": "int64"})


def cached_signer(folder: Path) -> Callable[..., np.ndarray]:
    """A drop-in for `signatures(keys, num_perm, seed)` keeping signatures in `folder`/signatures.parquet.

    An Arrow array of keys is looked up by its bytes: no Python string per stored key.
    """

    def sign(keys: list[str] | pa.Array, num_perm: int = 64, seed: int = 42) -> np.ndarray:
        if not len(keys):
            return signatures(keys, num_perm=num_perm, seed=seed)
        column = cached_column(
            Path(folder) / "signatures.parquet",
            "signatures",
            cache_config(num_perm=num_perm, seed=seed),
            keys,
            "signature",
            lambda new: vector_column(signatures(new, num_perm, seed)),
        )
        return column_matrix(column, np.uint32)

    return sign


def _key_rules() -> dict[str, str]:
    """What `duplicate_key` depends on besides the text: OpenCC's dictionaries fold the script, so its version too."""
    return {"pattern": dup_key._NOT_WORD.pattern, "opencc": version("OpenCC")}


def _key_array(texts: Sequence[str] | pa.Array) -> pa.Array:
    return pa.array(dup_key.duplicate_keys(texts), pa.string())


def cached_keyer(folder: Path) -> dup_key.KeysOf:
    """A drop-in for `duplicate_keys` keeping each text's duplicate key in `folder`/duplicate_keys.parquet.

    Arrow texts are keyed from their bytes and their keys come back as Arrow: no Python string per stored text.
    """

    def keys_of(texts: Sequence[str] | pa.Array) -> Sequence[str] | pa.ChunkedArray:
        if not len(texts):
            return []
        path, config = Path(folder) / "duplicate_keys.parquet", cache_config(**_key_rules())
        return cached_column(path, "duplicate_keys", config, texts, "duplicate_key", _key_array)

    return keys_of


def prefetch_duplicate_keys(responses: Path, last_language: Path, folder: Path, num_perm: int, seed: int) -> int:
    """Store the duplicate keys and signatures of the responses that the last language table lacks; returns how many.

    Run by this process while it waits for the language table (analyze/warmups.py): their texts are normalised as the
    language stage normalises them (`normalised_texts`), so the duplicates stage then finds the keys and signatures of
    its new texts in `cached_keyer`'s and `cached_signer`'s stores, as it would after computing them itself. Which
    responses are new comes from the ids of the language table the last run wrote (none: every response).
    """
    table = read_table(responses, ["response_id", "text"])
    if last_language.is_file():  # in Arrow: pandas' isin across the two tables' id dtypes took 1.1 s at 157,300 rows
        seen = pa.array(read_table(last_language, ["response_id"])["response_id"])
        table = table[~pc.is_in(pa.array(table["response_id"]), value_set=seen).to_numpy(zero_copy_only=False)]
    norms = list(dict.fromkeys(normalised_texts(table["text"])))  # "" is keyed too
    if not norms:
        return 0
    keys = pc.unique(cached_keyer(folder)(norms))
    keys = keys.filter(pc.not_equal(keys, ""))
    if len(keys):
        cached_signer(folder)(keys, num_perm=num_perm, seed=seed)
    return len(norms)


def _campaign_content(campaign: dup_variants.Campaign) -> str:
    """What a campaign's variants depend on, as one string to key the cache by (a digest of its texts and copies)."""
    template, texts, copies = campaign
    h = hashlib.sha256(template.encode("utf-8", "surrogatepass"))
    for text, n in zip(texts, copies, strict=True):
        h.update(f"\x1e{int(n)}\x1f".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def cached_variants(folder: Path) -> dup_variants.VariantsOf:
    """A drop-in for `variant_sentences` keeping each campaign's result in `folder`/variant_sentences.parquet."""

    def variants_of(campaigns: list[dup_variants.Campaign]) -> list[str]:
        if not campaigns:
            return []
        contents = [_campaign_content(c) for c in campaigns]
        where = {c: i for i, c in enumerate(contents)}
        config = cache_config(
            sentence_end=dup_variants._SENTENCE_END.pattern, top=dup_variants.VARIANT_SENTENCES, **_key_rules()
        )
        column = cached_column(
            Path(folder) / "variant_sentences.parquet",
            "variant_sentences",
            config,
            contents,
            "variant_sentences",
            lambda new: pa.array(dup_variants.variant_sentences([campaigns[where[c]] for c in new]), pa.string()),
        )
        return column.to_pylist()

    return variants_of


def cached_redactor(folder: Path) -> Callable[[list[str]], list[str]]:
    """A drop-in for `pii.redact_texts` keeping each text's redacted form in `folder`/redacted_texts.parquet."""

    def redact(texts: list[str]) -> list[str]:
        if not texts:
            return []
        column = cached_column(
            Path(folder) / "redacted_texts.parquet",
            "redacted_texts",
            pii_config(),
            texts,
            "text_redacted",
            lambda new: pa.array(pii.redact_texts(new), pa.string()),
        )
        return column.to_pylist()

    return redact


def cached_tokenizer(folder: Path) -> Callable[[list[str]], list[list[str]]]:
    """A drop-in for `tokenize_texts` (topic keywords) keeping each text's tokens in `folder`/topic_tokens.parquet."""

    def tokenize(texts: list[str]) -> list[list[str]]:
        if not texts:
            return []
        config = cache_config(stopwords=_digest(*sorted(segment.ZH_STOPWORDS)), pattern=segment._TOKEN.pattern)
        path = Path(folder) / "topic_tokens.parquet"
        words = pa.list_(pa.string())
        column = cached_column(
            path, "topic_tokens", config, texts, "tokens", lambda new: pa.array(tokenize_texts(new), words)
        )
        return column.to_pylist()

    return tokenize
