"""Personal data in submissions (Hong Kong formats first), replaced by typed placeholders before publishing.

Found by pattern plus validation, so every quote, table and chart label can come from redacted text.

Each kind of personal data is one `Rule`: a regular expression, the group that holds the value, and an optional
validator (HKID check digit, Luhn for cards, no calendar dates as phone numbers). Where rules overlap, the longest
span wins, then the earlier rule, so "012-345-678901" is one bank account, not a bank code and a phone number.
The audit table records type and offsets only, never the value. Offsets are into `text_norm`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyze.normalise import text_array, texts_of

PII_COLUMNS = ["response_id", "text_redacted", "pii_counts"]
AUDIT_COLUMNS = ["response_id", "type", "start", "end"]
MAX_SCAN_CHARS = 200_000  # a longer text is redacted whole beyond this point: scanning megabytes gains nothing


@dataclass(frozen=True)
class Span:
    """One piece of personal data: [start, end) offsets and its type (the placeholder name)."""

    start: int
    end: int
    type: str


@dataclass(frozen=True)
class Rule:
    """A type of personal data: its pattern, the group holding the value and an optional validator of the value."""

    type: str
    pattern: re.Pattern[str]
    group: int = 0
    valid: Callable[[str], bool] | None = None
    trigger: re.Pattern[str] | None = None  # a cheap pattern that must occur for `pattern` to be tried (speed)


def hkid_valid(value: str) -> bool:
    """Whether a Hong Kong identity card number's check digit is right (e.g. A123456(3), AB9876543)."""
    s = re.sub(r"[\s()]", "", value).upper()
    if not re.fullmatch(r"[A-Z]{1,2}\d{6}[0-9A]", s):
        return False
    body = s[:-1].rjust(8)  # one-letter prefixes are padded with a space, which counts as 36
    total = sum((36 if c == " " else int(c, 36)) * w for c, w in zip(body, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return s[-1] == ("A" if check == 10 else str(check))


def luhn_valid(value: str) -> bool:
    """Whether a card number passes the Luhn check and has a card's length (13 to 19 digits)."""
    digits = [int(c) for c in value if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


_DATE8 = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")


def phone_valid(value: str) -> bool:
    """A bare 8-digit run that reads as a date (20240131) is not taken for a phone number."""
    return not _DATE8.fullmatch(value)


def bank_valid(value: str) -> bool:
    """A bank account has 9 to 16 digits (HK: 3-digit bank code, branch, account)."""
    return 9 <= sum(c.isdigit() for c in value) <= 16


def bank_uncued_valid(value: str) -> bool:
    """Without a word like "account" nearby, 12 to 16 digits: 3-3-4 is a North American phone number."""
    return 12 <= sum(c.isdigit() for c in value) <= 16


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# Common Hong Kong surnames (single and double), so that a name before 謹啟 is a name and not a phrase.
_SURNAMES = (
    "歐陽|司徒|上官|諸葛|司馬|端木|"
    "陳|李|張|黃|何|林|吳|胡|劉|蔡|梁|鄭|郭|謝|羅|王|楊|曾|周|馮|馬|朱|徐|譚|袁|蘇|葉|麥|鄧|盧|潘|彭|許|區|"
    "莫|余|石|孔|文|方|姚|杜|鍾|鄺|廖|趙|顏|岑|簡|傅|雷|韓|魏|程|伍|范|甘|關|江|招|孫|崔|唐|夏|高|戴|尹|"
    "熊|丁|龍|植|翁|冼|温|溫|容|邱|邵|阮|施|嚴|游|賴|薛|鮑|姜|侯|錢|任|汪|董|莊|洪|金|秦|萬|沈|黎|陸"
)
_ZH_NAME = rf"(?:{_SURNAMES})[{_CJK}]{{1,2}}"
_EN_NAME = r"(?!The\b)(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?[A-Z][A-Za-z'’\-]+(?:[ \-][A-Z][A-Za-z'’\-]+){1,3}"
_EN_SIGN_CUE = (
    r"(?:Yours\s+(?:faithfully|sincerely|truly)|Sincerely(?:\s+yours)?|(?:Best|Kind|Warm)?\s*[Rr]egards|"
    r"Respectfully(?:\s+submitted)?|Submitted\s+by|My\s+name\s+is|(?:Name|Signed|Signature)\s*[:：])"
)
_HK_AREAS = (
    "中西區|灣仔|東區|南區|油尖旺|深水埗|九龍城|黃大仙|觀塘|葵青|荃灣|屯門|元朗|北區|大埔|沙田|西貢|離島|旺角|"
    "油麻地|尖沙咀|佐敦|太子|中環|上環|西環|西營盤|銅鑼灣|北角|鰂魚涌|筲箕灣|柴灣|香港仔|鴨脷洲|紅磡|土瓜灣|"
    "何文田|將軍澳|馬鞍山|天水圍|粉嶺|上水|大圍|火炭|青衣|東涌|長沙灣|石硤尾|藍田|九龍灣|牛頭角|鑽石山|"
    "西灣河|慈雲山|跑馬地|薄扶林|堅尼地城|葵涌|荔枝角|美孚|大角咀|深井|坑口|調景嶺|秀茂坪|黃埔|橫頭磡|樂富"
)
# A street name is a few Chinese characters that are not pronouns or verbs of "living at".
_ZH_STREET_CHAR = rf"(?:(?![我你佢他她喺在住於係是的嘅址去寄到])[{_CJK}])"
_ZH_PLACE = rf"(?:香港|九龍|新界){{0,2}}(?:{_HK_AREAS})?"
_ZH_BUILDING = rf"(?:{_ZH_STREET_CHAR}{{1,8}}?(?:大廈|中心|廣場|花園|苑|閣|樓|座|商場|大樓))"
_ZH_FLOOR = (  # block, floor, room; spaces allowed around numbers as people type them
    r"(?: ?(?:第?[A-Z0-9]{1,3} ?座)? ?(?:地下|\d{1,3} ?樓|\d{1,3}/F|[一二三四五六七八九十]{1,3}樓)"
    r"(?: ?[A-Z0-9]{1,4} ?(?:室|號舖|舖))?)"
)
_ZH_ADDRESS = (  # a street number, then building and floor if given; or an estate or a named place, with a floor
    rf"{_ZH_PLACE}(?:{_ZH_STREET_CHAR}{{1,5}}?(?:道|路|街|里|徑|坊|巷|圍)(?:中|東|西|南|北)?"
    rf" ?\d{{1,4}}(?:[-至]\d{{1,4}})? ?號 ?{_ZH_BUILDING}?{_ZH_FLOOR}?"
    rf"|{_ZH_STREET_CHAR}{{1,6}}?(?:邨|苑|花園|村){_ZH_BUILDING}?{_ZH_FLOOR}"
    rf"|(?:{_HK_AREAS}){_ZH_STREET_CHAR}{{1,6}}?{_ZH_FLOOR})"
)
_EN_STREET = (
    r"(?:(?<![\d\-/.])\d{1,4}[A-Z]?(?:-\d{1,4})?\s+(?:[A-Z][A-Za-z']+\s+){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Path|Terrace|Drive|Crescent|Square|Boulevard|Highway|Praya)\b(?:\s+(?:Central|East|West|North|South)\b)?\.?)"
)
_EN_UNIT = r"(?:(?:Flat|Room|Rm|Unit|Shop|Suite)\s*[A-Z0-9]{1,4},?\s*)"
_EN_FLOOR = r"(?:(?:\d{1,3}|G|UG|LG)/F\.?,?\s*|\d{1,3}(?:st|nd|rd|th)\s+Floor,?\s*)"
_EN_BUILDING = (
    r"(?:(?:(?:Block|Tower|Blk)\s*[A-Z0-9]{1,3},?\s*)?(?:[A-Z][A-Za-z']+\s+){1,3}"
    r"(?:Building|House|Court|Mansion|Centre|Center|Tower|Plaza|Estate|Gardens?|Villa)\b,?\s*)"
)
_EN_TAIL = r"(?:,\s*(?:N\.T\.|H\.K\.|Kln\.?|[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})){0,3}"
_EN_ADDRESS = (
    rf"(?:{_EN_UNIT}?{_EN_FLOOR}?{_EN_BUILDING}?{_EN_STREET}{_EN_TAIL})"
    rf"|(?:{_EN_UNIT}?{_EN_FLOOR}{_EN_BUILDING}(?:{_EN_STREET})?{_EN_TAIL})"
)
_URL_PERSONAL_KEYS = frozenset(
    "token access_token auth key session sid uid user userid user_id id email e phone tel name code ref".split()
)
_URL_TOKEN = re.compile(r"[A-Za-z0-9]{16,}")  # no - or _: slugs of words (news-article-title) are not tokens
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# A number in a path is an article or document id, unless the part before it says it names a person.
_URL_PERSON_PARTS = frozenset("u user users member members profile profiles account accounts people uid".split())


def _random_token(segment: str, previous: str) -> bool:
    """A path part that identifies someone: a generated token or UUID, or a number after /user/, /u/, /profile/."""
    if re.fullmatch(r"\d{6,}", segment):
        return previous.lower() in _URL_PERSON_PARTS
    if _UUID.fullmatch(segment):
        return True
    if not _URL_TOKEN.fullmatch(segment):
        return False
    return any(c.isdigit() for c in segment) or sum(c.isupper() for c in segment[1:]) >= 2


def url_personal(value: str) -> bool:
    """A URL carries a personal token: an id/token/e-mail query field, an @, or a long generated path part."""
    from urllib.parse import parse_qsl, urlsplit

    if "@" in value or "%40" in value:
        return True
    parts = urlsplit(value if "://" in value else "http://" + value)
    if any(k.lower() in _URL_PERSONAL_KEYS for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    segments = parts.path.split("/")
    return any(_random_token(seg, prev) for prev, seg in zip([""] + segments, segments, strict=False))


def _rule(
    kind: str,
    pattern: str,
    group: int = 0,
    valid: Callable[[str], bool] | None = None,
    flags: int = 0,
    trigger: re.Pattern[str] | None = None,
) -> Rule:
    return Rule(kind, re.compile(pattern, flags), group, valid, trigger)


# Triggers: each rule's pattern can only match where its trigger does, so most texts skip most rules. Each starts with
# a character class or with branches that each start with a literal: the regex engine then jumps from one such
# character to the next, where a pattern starting with a repeat, an assertion or a class in one of its branches is
# tried at every position (2 to 4 times slower). Where that takes rewriting, the plain form is in the comment, and
# each branch checks by a look-behind which character opened it.
_DIGITS3 = re.compile(r"\d\d\d")  # \d{3}
_ZH_ADDRESS_TRIGGER = re.compile(r"[號樓地](?:(?<=地)下|(?<!地))")  # [號樓]|地下
# r"https?://|www\." ignoring case (ſ is a case-insensitive s)
_URL_TRIGGER = re.compile(r"[hHwW](?:(?<=[hH])[tT][tT][pP][sSſ]?://|(?<=[wW])[wW][wW]\.)")
# r"\d[A-Z]?\s+[A-Z]|/F\b|\bFloor\b|\b(?:Flat|Room|Rm|Unit|Shop|Suite)\s*[A-Z0-9]{1,4}\b"; (?<!\wF) is the \b before F
_EN_ADDRESS_TRIGGER = re.compile(
    r"[\d/FRUS](?:(?<=\d)[A-Z]?\s+[A-Z]|(?<=/)F\b|(?<=F)(?<!\wF)(?:loor\b|lat\s*[A-Z0-9]{1,4}\b)"
    r"|(?<=R)(?<!\wR)(?:oom|m)\s*[A-Z0-9]{1,4}\b|(?<=U)(?<!\wU)nit\s*[A-Z0-9]{1,4}\b|(?<=S)(?<!\wS)(?:hop|uite)\s*[A-Z0-9]{1,4}\b)"
)
_ZH_SIGN_TRIGGER = re.compile(r"謹啟|謹上|敬上|敬啟|謹致|拜上|謹識|姓名|名字|簽署|署名|聯絡人|本人|我叫")
_EN_SIGN_TRIGGER = re.compile(r"Yours|Sincerely|egards|Respectfully|Submitted|My|Name|Sign")  # in every _EN_SIGN_CUE
_ACCOUNT_NUMBER = re.compile(r"\d[\d -]{7,22}\d")  # the cued bank account's number (its digits may be spaced)


# Order matters only on ties of span length: the earlier rule wins, so rules with a cue word come first.
RULES: tuple[Rule, ...] = (
    _rule(
        "EMAIL",
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        trigger=re.compile("@"),
    ),
    _rule(
        "URL",
        r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+(?<![.,;:!?'\]])",
        valid=url_personal,
        flags=re.IGNORECASE,
        trigger=_URL_TRIGGER,
    ),
    # Card numbers as printed: one run of digits, groups of four, or American Express 4-6-5.
    _rule(
        "CARD",
        r"(?<![\d-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|\d{4}[ -]\d{6}[ -]\d{5})(?![\d-])",
        valid=luhn_valid,
        trigger=_DIGITS3,
    ),
    _rule(
        "PASSPORT",
        r"(?:passport|travel\s+document|護照|旅行證件)(?:\s*(?:no\.?|number|#|號碼|編號))?\s*[:：]?\s*(?:is\s+|係|是|為)?\s*"
        r"([A-Z]{0,2}\d{6,9})(?![A-Za-z0-9])",
        group=1,
        flags=re.IGNORECASE,
        trigger=_DIGITS3,
    ),
    _rule(
        "BANK",
        r"(?:account|a/c|acct|戶口|帳戶|賬戶|帳號|賬號)(?:\s*(?:no\.?|number|#|號碼))?\s*[:：]?\s*(?:is\s+|係|是|為)?\s*"
        r"(\d[\d -]{7,22}\d)(?![\d])",
        group=1,
        valid=bank_valid,
        flags=re.IGNORECASE,
        trigger=_ACCOUNT_NUMBER,
    ),
    _rule(
        "HKID",
        r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{6}\s?(?:\([0-9Aa]\)|[0-9Aa])(?![A-Za-z0-9])",
        valid=hkid_valid,
        trigger=_DIGITS3,
    ),
    _rule("PASSPORT", r"(?<![A-Za-z0-9])(?:[HK]\d{8}|E[A-Z]?\d{7,8})(?![A-Za-z0-9])", trigger=_DIGITS3),
    _rule(
        "BANK",
        r"(?<![\d-])\d{3}-\d{3,6}-\d{3,9}(?:-\d{1,3})?(?![\d-])",
        valid=bank_uncued_valid,
        trigger=_DIGITS3,
    ),
    _rule(
        "PHONE",
        r"(?<![\d+\-/])(?:(?:\+|00)?852[\s-]?|\(\+?852\)\s?)?[2356789]\d{3}[\s-]?\d{4}(?![\d\-/])",
        valid=phone_valid,
        trigger=_DIGITS3,
    ),
    # North American numbers, common in English letters: (416) 555-0199, 410.627.6293, 410-627-6293.
    _rule(
        "PHONE",
        r"(?<![\d.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[.-]\d{4}(?![\d-])",
        trigger=_DIGITS3,
    ),
    _rule("ADDRESS", _ZH_ADDRESS, trigger=_ZH_ADDRESS_TRIGGER),
    _rule("ADDRESS", _EN_ADDRESS, trigger=_EN_ADDRESS_TRIGGER),
    _rule("NAME", rf"(?<![{_CJK}])({_ZH_NAME})\s*(?:謹啟|謹上|敬上|敬啟|謹致|拜上|謹識)", trigger=_ZH_SIGN_TRIGGER),
    _rule(
        "NAME",
        rf"(?:姓名|名字|簽署|署名|聯絡人|本人|我叫)\s*[:：]?\s*({_ZH_NAME})",
        group=1,
        trigger=_ZH_SIGN_TRIGGER,
    ),
    _rule("NAME", rf"\b{_EN_SIGN_CUE}\s*[,:\-–]?\s*({_EN_NAME})", group=1, trigger=_EN_SIGN_TRIGGER),
)


def find_pii(text: str, rules: tuple[Rule, ...] = RULES) -> list[Span]:
    """Personal data in a text, as non-overlapping spans in text order.

    Args:
        text: normalised text (offsets refer to it).
        rules: the rules to apply (default: every Hong Kong rule).

    Returns:
        Spans sorted by start; where candidates overlap, the longest (then the earlier rule) is kept.

    """
    scan = text[:MAX_SCAN_CHARS]
    candidates: list[tuple[int, int, int, str]] = []  # (-length, rule order, start, type) for sorting
    triggered: dict[re.Pattern[str], bool] = {}
    for order, rule in enumerate(rules):
        if rule.trigger is not None:
            if rule.trigger not in triggered:
                triggered[rule.trigger] = rule.trigger.search(scan) is not None
            if not triggered[rule.trigger]:
                continue
        for m in rule.pattern.finditer(scan):
            start, end = m.span(rule.group)
            if start < end and (rule.valid is None or rule.valid(m.group(rule.group))):
                candidates.append((start - end, order, start, rule.type))
    kept: list[Span] = []
    for neg_len, _, start, kind in sorted(candidates):
        end = start - neg_len
        if all(end <= s.start or start >= s.end for s in kept):
            kept.append(Span(start, end, kind))
    if len(text) > MAX_SCAN_CHARS:
        kept.append(Span(MAX_SCAN_CHARS, len(text), "UNSCANNED"))
    return sorted(kept, key=lambda s: s.start)


def apply_spans(text: str, spans: list[Span]) -> str:
    """The text with each span replaced by its placeholder, e.g. [PHONE]."""
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out += [text[pos : s.start], f"[{s.type}]"]
        pos = s.end
    return "".join(out) + text[pos:]


def redact_texts(texts: Sequence[str]) -> list[str]:
    """Each text with its personal data replaced by placeholders: the `text_redacted` that `redact_pii` gives it.

    For the few texts another stage publishes (campaign templates and the texts their added sentences are quoted
    from), so that stage need not wait for this one's table.
    """
    return [apply_spans(text, find_pii(text)) for text in texts]


PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


def without_placeholders(text: str) -> str:
    """Redacted text with its placeholders removed, for models that must not learn "[NAME]" as a word."""
    return " ".join(PLACEHOLDER.sub(" ", text).split())


def find_pii_spans(df: pd.DataFrame, text_column: str = "text_norm") -> pd.DataFrame:
    """The audit table: where each piece of personal data is, never what it was.

    Args:
        df: rows with `response_id` and the text column (default `text_norm`, from the language stage).
        text_column: the column scanned; offsets refer to it.

    Returns:
        One row per span: response_id, type, start, end (sorted by response order, then start).

    """
    rows = [
        (rid, s.type, s.start, s.end)
        for rid, text in zip(df["response_id"], texts_of(df[text_column]), strict=True)
        for s in find_pii(text)
    ]
    audit = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    return audit.astype({"response_id": str, "type": str, "start": "int64", "end": "int64"})


def redact_pii(df: pd.DataFrame, audit: pd.DataFrame | None = None, text_column: str = "text_norm") -> pd.DataFrame:
    """Replace personal data with typed placeholders ([HKID], [PHONE], [EMAIL], [ADDRESS], [NAME] ...).

    Args:
        df: rows with `response_id` and the text column.
        audit: spans from `find_pii_spans` on the same rows (computed when not given).
        text_column: the column redacted (default `text_norm`).

    Returns:
        One row per input row: response_id, text_redacted, pii_counts (JSON object type -> count, sorted keys).

    """
    if audit is None:
        audit = find_pii_spans(df, text_column)
    by_id: dict[str, list[Span]] = {}
    for rid, kind, start, end in audit[AUDIT_COLUMNS].itertuples(index=False):
        by_id.setdefault(rid, []).append(Span(int(start), int(end), kind))
    ids = df["response_id"].astype(str)
    # Most rows have no span: their text stays in Arrow, and only the rows with spans are turned into str and back.
    texts, counts = text_array(df[text_column]), ["{}"] * len(df)
    hit = ids.isin(list(by_id)).to_numpy()
    redacted = []
    for i in np.flatnonzero(hit):
        spans = by_id[ids.iloc[i]]
        redacted.append(apply_spans(texts[int(i)].as_py(), spans))
        counts[i] = json.dumps(dict(sorted(Counter(x.type for x in spans).items())))
    texts = pc.replace_with_mask(texts, pa.array(hit), pa.array(redacted, pa.large_string()))
    return pd.DataFrame({"response_id": ids.array, "text_redacted": texts.to_pandas().array, "pii_counts": counts})
