"""A round's `round.yaml`: validated once (unknown keys rejected) and resolved against the round folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

from collect.storage import read_yaml

ROUND_FILE = "round.yaml"


class RoundFileError(ValueError):
    """The round file is missing or invalid; the message is one line for the user."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    """A text in English and Traditional Chinese."""

    en: str
    zh: str


class Question(_Strict):
    """A consultation question or proposal that answers refer to."""

    id: str
    en: str
    zh: str


class FormMapping(_Strict):
    """Which columns of a form export hold what. Columns not named here go to `meta`.

    `text` maps answer columns to question ids: a column name alone means question "general".
    """

    text: dict[str, str] | list[str] | str
    id: str | None = None
    received_at: str | None = None
    respondent_type: str | None = None
    organisation: str | None = None

    def text_columns(self) -> dict[str, str]:
        """Answer column -> question_id."""
        if isinstance(self.text, str):
            return {self.text: "general"}
        if isinstance(self.text, list):
            return {c: ("general" if len(self.text) == 1 else c) for c in self.text}
        return dict(self.text)


class FormSource(_Strict):
    """A CSV or XLSX export of a web form: an explicit mapping, or a vendor preset that finds the columns."""

    name: str
    kind: Literal["form"] = "form"
    path: str
    channel: Literal["form", "email", "letter", "web", "legco", "other"] = "form"
    mapping: FormMapping | None = None  # None: the preset decides which columns are answers
    preset: Literal["auto", "google", "microsoft", "surveymonkey", "qualtrics", "generic"] = "auto"
    sheet: str | int = 0


class EmailSource(_Strict):
    """An .eml file, an .mbox mailbox, or a folder of them (searched recursively)."""

    name: str
    kind: Literal["email"]
    path: str


class DocumentsSource(_Strict):
    """Letters: a PDF, DOCX, TXT or Markdown file, or a folder of them (searched recursively)."""

    name: str
    kind: Literal["documents"]
    path: str


class FolderSource(_Strict):
    """Everything under a folder, recursively; each file's importer is chosen from its type and content."""

    name: str
    kind: Literal["folder"]
    path: str
    preset: Literal["auto", "google", "microsoft", "surveymonkey", "qualtrics", "generic"] = "auto"


class SpiderSelectors(_Strict):
    """CSS or XPath (starting with "/" or "(") selectors per page type; each one overrides the preset's.

    Listing selectors apply inside each `listing_items` match; `next_page`, the `detail_*` and `lang` apply to the page.
    """

    listing_items: str | None = None
    listing_link: str | None = None
    listing_title: str | None = None
    listing_author: str | None = None
    listing_organisation: str | None = None
    listing_date: str | None = None
    next_page: str | None = None
    detail_title: str | None = None
    detail_author: str | None = None
    detail_organisation: str | None = None
    detail_date: str | None = None
    detail_body: str | None = None
    detail_attachments: str | None = None
    detail_alternate: str | None = None
    lang: str | None = None


class SpiderSource(_Strict):
    """Submissions published on web pages, gathered by `consult crawl` (collect/spiders) before `consult collect`."""

    name: str
    kind: Literal["spider"]
    start_urls: list[str] = Field(min_length=1)
    channel: Literal["web", "legco"] = "web"
    preset: Literal["committee_index", "consultation_pages"] | None = None
    selectors: SpiderSelectors = SpiderSelectors()
    allowed_domains: list[str] = Field(default_factory=list)  # empty: the hosts of start_urls
    user_agent: str | None = None  # None: the identifiable consultkit default
    download_delay: float = Field(default=1.0, ge=0)
    concurrency_per_domain: int = Field(default=2, ge=1, le=8)
    retries: int = Field(default=3, ge=0, le=10)
    max_download_mb: float = Field(default=50, gt=0)
    timeout_s: float = Field(default=60, gt=0)
    http_cache: bool = False  # development only: replays earlier responses
    max_pages: int | None = Field(default=None, ge=1)  # stop after this many responses; the next crawl resumes
    primary_lang: Literal["zh", "en"] = "zh"  # of a bilingual pair, whose text fills `text`

    @field_validator("start_urls")
    @classmethod
    def _urls_are_http(cls, v: list[str]) -> list[str]:
        bad = [u for u in v if not u.startswith(("http://", "https://"))]
        if bad:
            raise ValueError(f"start URLs must start with http:// or https://, not {bad[0]!r}")
        return v


def _source_kind(value: object) -> str:
    # `kind` may be left out for a form source, as in round files written before other kinds existed.
    return value.get("kind", "form") if isinstance(value, dict) else getattr(value, "kind", "form")


Source = Annotated[
    Annotated[FormSource, Tag("form")]
    | Annotated[EmailSource, Tag("email")]
    | Annotated[DocumentsSource, Tag("documents")]
    | Annotated[FolderSource, Tag("folder")]
    | Annotated[SpiderSource, Tag("spider")],
    Discriminator(_source_kind),
]


class TopicOverride(_Strict):
    """One analyst edit of the fitted topics (merge, rename, split, move); see analyze/topics/overrides.py."""

    action: Literal["merge", "rename", "split", "move"]
    topics: list[int] = Field(default_factory=list)
    into: int | None = None
    keyword: str | None = None
    response_ids: list[str] = Field(default_factory=list)
    label_en: str | None = None
    label_zh: str | None = None
    note: str = ""


class TopicSettings(_Strict):
    """Parameters of the topic stage; each becomes a keyword argument of `fit_topics`."""

    min_topic_size: int = Field(default=8, ge=2)
    n_keywords: int = Field(default=8, ge=3, le=30)
    seed: int = 42
    embedding_model: str | None = None  # sentence-transformers name or local path; None = packaged MiniLM
    n_neighbors: int = Field(default=15, ge=2, le=200)  # neighbours per response in the clustering graph
    resolution: float = Field(default=1.0, gt=0.0, le=10.0)  # higher: more, smaller topics
    lexical_weight: float = Field(default=0.4, ge=0.0, lt=1.0)  # shared characters' share of Chinese texts' similarity
    sample_size: int = Field(default=3000, ge=100)  # embed and cluster at most this many distinct texts; place the rest
    refit_growth: float | None = Field(default=1.25, ge=1.0)  # topics found again when the round grows this much
    outlier_threshold: float = Field(default=0.1, ge=-1.0, le=1.0)  # least similarity to join the nearest topic
    secondary_ratio: float = Field(default=0.9, gt=0.0, le=1.0)  # secondary topic: this close relative to the main
    max_secondary: int = Field(default=2, ge=0, le=10)
    seed_threshold: float = Field(default=0.5, ge=0.0, le=1.0)  # similarity to a theme's seeds that guides a text
    theme_threshold: float = Field(default=0.45, ge=0.0, le=2.0)  # least score to map a topic to a theme
    match_threshold: float = Field(default=0.5, ge=0.0, le=1.0)  # least similarity to keep a previous round's id
    overrides: list[TopicOverride] = Field(default_factory=list)  # applied in order on every run


class CodebookSettings(_Strict):
    """The round's codebook: a YAML path relative to the round folder (None = the shipped AI ethics codebook)."""

    path: str | None = None
    mode: Literal["replace", "extend"] = "replace"  # extend: the shipped themes plus (or replaced by id) these


class DuplicateSettings(_Strict):
    """Parameters of the duplicates stage; each becomes a keyword argument of `find_campaigns`."""

    min_campaign_size: int = Field(default=5, ge=2)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)  # Jaccard of character shingles; see docs/adr/0007
    num_perm: int = Field(default=64, ge=16, le=512)
    seed: int = 42


class LimitSettings(_Strict):
    """Caps on one source file; each becomes a keyword argument of `collect.importer.import_file`.

    NOTE: the readers keep their own ceilings (1,000,000 characters a cell, 200 MiB unpacked a ZIP container), so
    these caps can be lowered below them, never raised above.
    """

    max_file_bytes: int = Field(default=2 * 1024**3, ge=1)  # a 1,000,000-row CSV export is about 1 GB
    max_unzipped_bytes: int = Field(default=200 * 1024**2, ge=1, le=200 * 1024**2)  # XLSX/DOCX, before inflating
    max_rows: int = Field(default=5_000_000, ge=1)  # data rows of a form export, messages of a mailbox
    max_field_chars: int = Field(default=1_000_000, ge=1, le=1_000_000)  # one answer, letter or e-mail part
    max_attachments: int = Field(default=20, ge=0)  # per e-mail; the rest are rejects, never read


class PublishSettings(_Strict):
    """What the brief shows."""

    quotes_per_topic: int = Field(default=3, ge=1, le=10)
    max_topics: int = Field(default=12, ge=1)


class ExecutorSettings(_Strict):
    """Where the work runs: stages in one or two processes, per-response work here or on a Dask cluster.

    `kind`: per-response work in the stage's process (`local`) or on the cluster at `address` (`dask`).
    `stage_processes: 2`: language, PII, sentiment and stance run in a second process beside the other stages
    (analyze.pipeline.SIDE_STAGES); 1: every stage in this one.
    """

    kind: Literal["local", "dask"] = "local"
    address: str | None = None  # e.g. tcp://scheduler:8786; None with kind dask starts a local cluster
    partition_rows: int = Field(default=10_000, ge=1)
    stage_processes: Literal[1, 2] = 2


class RoundConfig(_Strict):
    """The whole `round.yaml`."""

    round: str
    title: Bilingual
    questions: list[Question] = Field(default_factory=list)
    sources: list[Source]
    topics: TopicSettings = TopicSettings()
    codebook: CodebookSettings = CodebookSettings()
    duplicates: DuplicateSettings = DuplicateSettings()
    publish: PublishSettings = PublishSettings()
    limits: LimitSettings = LimitSettings()
    executor: ExecutorSettings = ExecutorSettings()
    previous_round: str | None = None

    @field_validator("round")
    @classmethod
    def _round_is_a_slug(cls, v: str) -> str:
        if not v or any(c in v for c in "/\\ ") or v.startswith("."):
            raise ValueError("round must be a short name without spaces or slashes")
        return v


def round_path(path: Path | str) -> Path:
    """Accept a round folder or its round.yaml and return the yaml path."""
    p = Path(path)
    return p / ROUND_FILE if p.is_dir() else p


def load_round(path: Path | str) -> tuple[RoundConfig, Path]:
    """Load and validate a round file; return the config and the round folder.

    Raises:
        RoundFileError: with a one-line message naming the file and the first problem.

    """
    yml = round_path(path)
    raw = read_yaml(yml, "round file", RoundFileError)
    if not isinstance(raw, dict):
        raise RoundFileError(f"{yml}: expected a mapping at the top level")
    try:
        cfg = RoundConfig.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RoundFileError(f"{yml}: {where}: {first['msg']}") from e
    return cfg, yml.parent.resolve()


class RoundPaths:
    """Where a round's tables live (DESIGN.md layout).

    Reports go to `<project>/reports/<round>/` when the round folder sits in a `data/` folder, as in the
    project layout; a round folder anywhere else keeps its reports inside itself.
    """

    def __init__(self, round_dir: Path, round_id: str) -> None:
        self.root = Path(round_dir)
        self.raw = self.root / "raw"
        self.interim = self.root / "interim"
        self.processed = self.root / "processed"
        base = self.root.parent.parent if self.root.parent.name == "data" else self.root
        self.reports = base / "reports" / round_id

    @property
    def responses(self) -> Path:
        """The collect stage's output table."""
        return self.interim / "responses.parquet"

    @property
    def cache(self) -> Path:
        """The content caches: per-text results kept between runs (analyze/textcache.py)."""
        return self.interim / "cache"

    @property
    def rejects(self) -> Path:
        """Rows and files that could not be read, with reasons."""
        return self.interim / "rejects.parquet"

    @property
    def manifest(self) -> Path:
        """Each raw file's sha256 and size."""
        return self.interim / "manifest.parquet"

    def processed_table(self, stage: str) -> Path:
        """The output table of an analyze stage."""
        return self.processed / f"{stage}.parquet"
