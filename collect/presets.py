"""Vendor layouts of form exports: which header rows, which columns are answers, ids, times and respondent fields.

Presets: google (Google Forms), microsoft (Microsoft Forms), surveymonkey (two header rows), qualtrics (three header
rows, the third holding {"ImportId": ...}), generic (one header row). `detect_preset` picks one from the first rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from collect.roundfile import FormMapping
from collect.tables import MappingError, SourceError

PRESETS = ("google", "microsoft", "surveymonkey", "qualtrics", "generic")
GOOGLE_TIMESTAMPS = frozenset({"timestamp", "時間戳記", "时间戳记", "marca temporal", "horodateur", "zeitstempel"})
MICROSOFT_COLUMNS = frozenset({"id", "start time", "completion time"})
SURVEYMONKEY_COLUMNS = frozenset({"respondent id", "collector id"})
SURVEYMONKEY_PLAIN = frozenset({"response", "open-ended response", ""})
# Header words of columns that are about the respondent, not answers: they go to `meta` (never analysed as text).
META_WORDS = re.compile(
    r"^(?:e-?mail(?: address)?|email address|name|first name|last name|full name|phone|telephone|tel|age|age group|"
    r"gender|sex|district|region|area|consent|ip address|collector id|start date|end date|start time|"
    r"completion time|last modified time|status|progress|duration.*|finished|recordeddate|startdate|enddate|"
    r"ipaddress|recipient.*|externalreference|location.*|distributionchannel|userlanguage|score|總分|"
    r"電郵(?:地址)?|电邮(?:地址)?|電子郵件(?:地址)?|电子邮件(?:地址)?|姓名|名稱|電話|电话|年齡|年龄|年齡組別|性別|性别|"
    r"地區|地区|居住地區|同意.*)$",
    re.IGNORECASE,
)
ID_WORDS = re.compile(
    r"^(?:id|respondent id|responseid|response id|submission id|submission no|no\.?|編號|编号)$", re.IGNORECASE
)
TIME_WORDS = re.compile(
    r"^(?:timestamp|submitted(?:_| )at|submitted|completion time|end date|recordeddate|date|"
    r"時間戳記|时间戳记|提交時間|提交时间)$",
    re.IGNORECASE,
)
TYPE_WORDS = re.compile(
    r"respondent type|responding as|are you responding|capacity|individual or organi[sz]ation|身份|身分", re.I
)
ORG_WORDS = re.compile(
    r"organi[sz]ation(?: name)?$|name of (?:your )?organi[sz]ation|company name|"
    r"機構名稱|团体名称|團體名稱|組織名稱|组织名称",
    re.I,
)

FREE_TEXT = re.compile(r"[A-Za-z]\s+[A-Za-z]|[\u3400-\u9fff\uf900-\ufaff]")


class NoAnswerColumns(MappingError):
    """A preset finds no free-text column: for a detected preset, a fact about the file (a reject), not a mistake."""


@dataclass(frozen=True)
class Answer:
    """An answer column: its position, question id and the question text as the export states it."""

    col: int
    question_id: str
    question: str


@dataclass(frozen=True)
class Layout:
    """How to read one export: header rows to skip and the role of every column."""

    preset: str
    header_rows: int
    answers: list[Answer]
    id_col: int | None = None
    received_col: int | None = None
    type_col: int | None = None
    org_col: int | None = None
    meta: dict[int, str] = field(default_factory=dict)  # column -> name in `meta`


def detect_preset(rows: list[list[str]]) -> str:
    """The vendor preset that fits the first rows of an export (header rows plus a few data rows)."""
    first = [c.strip().lower() for c in rows[0]] if rows else []
    if len(rows) >= 3 and any(c.strip().startswith('{"ImportId"') for c in rows[2]):
        return "qualtrics"
    if SURVEYMONKEY_COLUMNS <= set(first):
        return "surveymonkey"
    if MICROSOFT_COLUMNS <= set(first):
        return "microsoft"
    if first and first[0] in GOOGLE_TIMESTAMPS:
        return "google"
    return "generic"


def _unique(names: list[str]) -> list[str]:
    # Exports repeat headers (two questions with the same text): number the repeats, as spreadsheets show them.
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _question_columns(rows: list[list[str]], preset: str) -> tuple[list[str], list[str]]:
    """Per column: (question_id, question text) lists for the preset's header rows."""
    top = [c.strip() for c in rows[0]]
    if preset == "qualtrics":
        texts = ([c.strip() for c in rows[1]] + [""] * len(top))[: len(top)]  # header rows may be ragged
        ids = []
        for name, cell in zip(top, rows[2] + [""] * (len(top) - len(rows[2])), strict=False):
            try:
                ids.append(str(json.loads(cell)["ImportId"]))
            except (ValueError, KeyError, TypeError):
                ids.append(name)
        return _unique(ids), [t or n for t, n in zip(texts, top, strict=True)]
    if preset == "surveymonkey":
        subs = ([c.strip() for c in rows[1]] + [""] * len(top))[: len(top)]
        names, current = [], ""
        for head, sub in zip(top, subs, strict=True):
            current = head or current  # a multi-option question fills only its first header cell
            names.append(current if sub.lower() in SURVEYMONKEY_PLAIN else f"{current} / {sub}")
        return _unique(names), _unique(names)
    names = _unique(top)
    return names, names


def _free_text(data: list[list[str]], col: int) -> bool:
    """Whether a column holds free text in the sniffed data rows (or there are none to judge by).

    Rule: some value has a space between words, a CJK character or more than 30 characters; a column of numbers,
    codes or single-word choices in every sniffed row goes to `meta` instead of being analysed as an answer.
    """
    values = [r[col].strip() for r in data if col < len(r) and r[col].strip()]
    return not values or any(len(v) > 30 or FREE_TEXT.search(v) for v in values)


def _find(names: list[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, n in enumerate(names) if pattern.search(n.strip().replace("_", " "))), None)


def _header_rows(rows: list[list[str]], preset: str) -> int:
    """How many header rows the preset's exports have, checked against the rows there are."""
    if preset not in PRESETS:
        raise MappingError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    header_rows = {"qualtrics": 3, "surveymonkey": 2}.get(preset, 1)
    if len(rows) < header_rows:
        raise SourceError(f"the export has fewer than the {header_rows} header row(s) of preset {preset!r}")
    return header_rows


def preset_layout(rows: list[list[str]], preset: str) -> Layout:
    """The layout a vendor preset gives to an export whose first rows are `rows`.

    Raises:
        SourceError: for an unknown preset or when the export has no header row.

    """
    header_rows = _header_rows(rows, preset)
    ids, texts = _question_columns(rows, preset)
    top = [c.strip() for c in rows[0]]
    if preset == "qualtrics":  # Qualtrics names its own columns in row 1; answers have QID import ids
        id_col, received_col = _find(top, re.compile("^ResponseId$", re.I)), _find(top, re.compile("^RecordedDate$"))
    else:
        id_col, received_col = _find(top, ID_WORDS), _find(top, TIME_WORDS)
    type_col, org_col = _find(texts, TYPE_WORDS), _find(texts, ORG_WORDS)
    roles = {id_col, received_col, type_col, org_col} - {None}
    data = rows[header_rows:]
    answers, meta = [], {}
    for i, (qid, text) in enumerate(zip(ids, texts, strict=True)):
        if i in roles:
            continue
        is_meta = META_WORDS.match(top[i]) or not top[i] and preset != "surveymonkey" or not _free_text(data, i)
        if preset == "qualtrics":
            is_meta = not qid.startswith("QID")
        if is_meta:
            meta[i] = top[i] or f"column {i + 1}"
        else:
            answers.append(Answer(i, qid, text))
    if not answers:
        raise NoAnswerColumns(f"preset {preset!r} finds no answer columns; the columns are {top}")
    return Layout(preset, header_rows, answers, id_col, received_col, type_col, org_col, meta)


def mapping_layout(rows: list[list[str]], mapping: FormMapping, preset: str = "generic") -> Layout:
    """The layout of an explicit mapping: named columns only, the rest to `meta`.

    Raises:
        SourceError: listing the export's columns when the mapping names one that is absent.

    """
    header_rows = _header_rows(rows, preset)  # the preset's own choice of answers plays no part
    names = _question_columns(rows, preset)[1]
    wanted = {**mapping.text_columns()}
    roles = {"id": mapping.id, "received": mapping.received_at, "type": mapping.respondent_type}
    roles["org"] = mapping.organisation
    missing = [c for c in [*wanted, *(v for v in roles.values() if v)] if c not in names]
    if missing:
        raise MappingError(f"mapping names column(s) {missing} that are not in the file; its columns are {names}")
    pos = {n: i for i, n in enumerate(names)}
    cols = {k: (pos[v] if v else None) for k, v in roles.items()}
    answers = [Answer(pos[c], q, c) for c, q in wanted.items()]
    used = {a.col for a in answers} | {v for v in cols.values() if v is not None}
    meta = {i: n for i, n in enumerate(names) if i not in used}
    return Layout(preset, header_rows, answers, cols["id"], cols["received"], cols["type"], cols["org"], meta)
