"""Stance of each response towards the question or proposal it answers: support, oppose, neutral or unclear.

Order of evidence, strongest first:
1. A closed form answer (a `meta` field such as `stance`, `<question_id>_stance` or the question id itself holding
   Support / Disagree / 支持 / 反對 ...) is used directly.
2. Bilingual cue patterns in the free text (I support, object to, 贊成, 唔同意 ...) with negation (not, never, 唔,
   不, 冇, 未) flipping the cue; when a question is given, "should / 應該" sentences that restate the proposal's
   own words count for it, and with a negation against it.
3. Without any cue, strong sentiment decides (a clearly negative letter opposes; when the proposal is to ban or
   abolish something, the sign turns: praise of the thing opposes its ban); weak sentiment gives neutral.
Conflicting cues of equal weight, or no text at all, give unclear. Each stance keeps the sentence that decided it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import pandas as pd

from analyze.aligned import ids_like, merge_ids
from analyze.sentences import split_sentences

STANCE_COLUMNS = ["response_id", "question_id", "stance", "stance_source", "stance_score", "evidence"]
STANCES = ("support", "oppose", "neutral", "unclear")
SENTIMENT_DECIDES = (
    0.3  # |sentiment| from which a response with no cue supports/opposes (chosen on 12 ArgKP dev topics)
)

# English cue verbs count only with a first-person subject a few words before them ("I strongly support", "we are
# against"): in arguments "it supports families" or "discriminates against women" are not positions on the proposal.
_EN_SELF_WORD = r"\b(?:i|we|i'm|we're|my|our|us)\b"
_EN_SELF = _EN_SELF_WORD + r"(?:\W+\w+){0,3}?\W+"
_EN_NEG = r"(?:not|never|no longer|cannot|can't|don't|do not|does not|doesn't|won't|wouldn't|hardly)\W+(?:\w+\W+){0,2}?"
_EN_SUPPORT = (
    r"(?:support(?:s|ed|ing)?|in favou?r of|agree(?:s|d)?|welcome[sd]?|endorse[sd]?|back(?:s|ed)? (?:this|the)"
    r"|(?:am|are) (?:all )?for)\b"
)
_EN_OPPOSE = r"(?:oppose[sd]?|opposing|object(?:s|ed)?|against|disagree[sd]?|reject(?:s|ed)?)\b"
# Phrases about the proposal itself need no subject.
_EN_PRO_PHRASE = (
    r"\b(?:(?:a |an )?(?:good|great|excellent|sensible) (?:idea|proposal|step|plan)|should (?:go ahead|proceed"
    r"|be (?:adopted|implemented|approved))|go ahead with)\b"
)
_EN_CON_PHRASE = (
    r"\b(?:(?:a |an )?(?:bad|terrible|awful|stupid) (?:idea|proposal|step|plan)|should be (?:dropped|stopped|scrapped"
    r"|withdrawn|shelved)|(?:withdraw|scrap|shelve|drop) (?:this|the|these) (?:plan|proposal|scheme|idea)s?)\b"
)
# Chinese cues: with a first-person subject (我, 本人, 我們, 我哋, 本會, 本團體) up to 6 characters before, or opening
# a sentence ("支持！", "反對此建議"): "政府支持..." reports someone else's position.
_ZH_SELF = r"(?:(?:我|本人|我們|我们|我哋|本會|本会|本團體|本团体|吾等).{0,6}?|^\W*)"
_ZH_NEG = r"(?:唔|不|冇|沒有|没有|未|無|无|並不|并不|絕對唔|絕不|绝不)(?:太|係|是|會|会|可以|能)?"
_ZH_SUPPORT = r"(?:支持|贊成|赞成|同意|認同|认同|歡迎|欢迎|擁護|拥护|贊同|赞同|撐)"
_ZH_OPPOSE = r"(?:反對|反对|抗議|抗议|否決|否决|杯葛)"
_ZH_CON_PHRASE = (
    r"(?:撤回|收回|擱置|搁置)(?:這個|这个|呢個|此)?(?:計劃|计划|建議|建议|方案)"
    r"|(?:唔應該|不應該|不应该)(?:推行|實施|实施)"
)

# (pattern, direction): negated cues come first so "do not support" is read before "support".
_CUES: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(p, re.IGNORECASE), d)
    for p, d in (
        (_EN_SELF + _EN_NEG + _EN_SUPPORT, -1),
        (_EN_SELF + _EN_NEG + _EN_OPPOSE, +1),
        (_ZH_SELF + _ZH_NEG + _ZH_SUPPORT, -1),
        (_ZH_SELF + _ZH_NEG + _ZH_OPPOSE, +1),
        (r"(?:no objection|沒有異議|没有异议|冇異議|並無異議|無異議)", +1),
        (_EN_SELF + _EN_SUPPORT, +1),
        (_EN_SELF + _EN_OPPOSE, -1),
        (_EN_PRO_PHRASE, +1),
        (_EN_CON_PHRASE, -1),
        (_ZH_SELF + _ZH_SUPPORT, +1),
        (_ZH_SELF + _ZH_OPPOSE, -1),
        (_ZH_CON_PHRASE, -1),
    )
)
# Most sentences hold no Chinese cue verb: the cues built on one are searched only when a sentence has a character
# that starts one (a one-character-class scan, far cheaper than the cue patterns themselves).
_ZH_VERB_START = re.compile(
    "[" + "".join(sorted({w[0] for w in re.sub(r"[(?:)]", "", f"{_ZH_SUPPORT}|{_ZH_OPPOSE}").split("|")})) + "]"
)
# Likewise most sentences hold no first-person word, which the English cue verbs need, and none of the words that every
# English proposal phrase holds (a good idea, should go ahead, scrap the scheme), matched ignoring case as they are.
_EN_SELF_START = re.compile(_EN_SELF_WORD, re.IGNORECASE)
# idea|proposal|step|plan|scheme|should|ahead, started by one character class so that the regex engine skips to its
# characters (3x faster); each branch checks by look-behind which one opened it
_EN_PHRASE_WORD = re.compile(
    r"[ipsa](?:(?<=i)dea|(?<=p)(?:roposal|lan)|(?<=s)(?:tep|cheme|hould)|(?<=a)head)", re.IGNORECASE
)


def _cues_without(*parts: str) -> tuple[tuple[re.Pattern[str], int], ...]:
    """The cues, in their order, whose pattern holds none of `parts` (patterns a sentence cannot match)."""
    return tuple((p, d) for p, d in _CUES if not any(part in p.pattern for part in parts))


# (has a Chinese cue verb's first character, has a first-person word, has a proposal phrase's word) -> the cues worth
# searching
_CUES_FOR = {
    (zh, en, phrase): _cues_without(
        *(() if zh else (_ZH_SUPPORT, _ZH_OPPOSE)),
        *(() if en else (_EN_SELF,)),
        *(() if phrase else (_EN_PRO_PHRASE, _EN_CON_PHRASE)),
    )
    for zh, en, phrase in product((True, False), repeat=3)
}
_MODAL = re.compile(r"\b(?:should|must|need to|ought to|has to|have to)\b|應該|应该|必須|必须", re.IGNORECASE)
_MODAL_NEG = re.compile(
    r"\b(?:should not|shouldn't|must not|mustn't|need not|ought not)\b|唔應該|不應該|不应该|不必|唔使|不需要",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]{4,}")
_NOT_PROPOSAL_WORDS = frozenset("should must need ought have would could will shall also that this these those".split())
# A proposal to remove something (ban X, abolish X, 禁止 X): a respondent who speaks well of X opposes it.
_REMOVING = re.compile(
    r"\b(?:ban|banned|abolish(?:ed)?|abolition|abandon(?:ed)?|end|prohibit(?:ed)?|outlaw(?:ed)?|close|scrap"
    r"|fight|stop|criminal offen[cs]e)\b|禁止|取締|取缔|取消|廢除|废除|撤銷|撤销|叫停|停止",
    re.IGNORECASE,
)

# Closed answers of a form, lower-cased, to a stance.
CLOSED_ANSWERS: dict[str, str] = {
    **dict.fromkeys(
        ["support", "strongly support", "agree", "strongly agree", "yes", "for", "in favour", "in favor", "支持",
         "非常支持", "贊成", "赞成", "同意", "非常同意", "十分同意", "是"], "support"),
    **dict.fromkeys(
        ["oppose", "strongly oppose", "disagree", "strongly disagree", "no", "against", "反對", "反对", "非常反對",
         "不同意", "唔同意", "非常不同意", "不支持", "唔支持", "否"], "oppose"),
    **dict.fromkeys(
        ["neutral", "no opinion", "neither agree nor disagree", "don't know", "not sure", "中立", "沒有意見",
         "没有意见", "無意見", "冇意見", "不知道", "唔知"], "neutral"),
}  # fmt: skip


@dataclass(frozen=True)
class Stance:
    """One response's stance, how it was decided, its net cue score and the deciding sentence (or form field)."""

    stance: str
    source: str  # form, cue, proposal, sentiment, none
    score: float
    evidence: str


def form_answer(meta: str | None, question_id: str) -> Stance | None:
    """A closed form answer for this question in the response's meta, if one is recognised."""
    try:
        fields = json.loads(meta) if meta else {}
    except (TypeError, ValueError):
        return None
    if not isinstance(fields, dict):
        return None
    for key in ("stance", f"stance_{question_id}", f"{question_id}_stance", question_id):
        value = fields.get(key)
        found = CLOSED_ANSWERS.get(str(value).strip().lower()) if value is not None else None
        if found:
            return Stance(found, "form", 1.0 if found == "support" else -1.0 if found == "oppose" else 0.0,
                          f"{key}: {value}")  # fmt: skip
    return None


@lru_cache(maxsize=256)
def _proposal_words(question: str | None) -> frozenset[str]:
    return frozenset(_WORD.findall(question.lower())) - _NOT_PROPOSAL_WORDS if question else frozenset()


def proposal_direction(question: str | None) -> int:
    """-1 when the proposal removes or bans something (so praise of that thing opposes it), else +1."""
    return -1 if question and _REMOVING.search(question) else 1


@lru_cache(maxsize=1 << 15)  # campaign copies and their variants share sentences; each is read once
def sentence_cue(sentence: str, proposal: frozenset[str]) -> tuple[int, str]:
    """Direction of one sentence (+1 support, -1 oppose, 0 none) and what decided it (cue or proposal)."""
    found = (_ZH_VERB_START.search(sentence), _EN_SELF_START.search(sentence), _EN_PHRASE_WORD.search(sentence))
    for pattern, direction in _CUES_FOR[tuple(m is not None for m in found)]:
        if pattern.search(sentence):
            return direction, "cue"
    if proposal and len(proposal & set(_WORD.findall(sentence.lower()))) >= 2:
        if _MODAL_NEG.search(sentence):
            return -1, "proposal"
        if _MODAL.search(sentence):
            return +1, "proposal"
    return 0, "none"


def text_stance(text: str, sentiment: float = 0.0, question: str | None = None) -> Stance:
    """Stance of a free-text answer (see the module docstring for the rules)."""
    sentences = split_sentences(text)
    if not sentences:
        return Stance("unclear", "none", 0.0, "")
    proposal = _proposal_words(question)
    votes = [(d, how, s) for s in sentences for d, how in [sentence_cue(s, proposal)] if d]
    net = sum(d for d, _, _ in votes)
    if votes and net:
        direction = 1 if net > 0 else -1
        deciding = next((how, s) for d, how, s in votes if d == direction)
        return Stance("support" if direction > 0 else "oppose", deciding[0], float(net), deciding[1])
    if votes:
        return Stance("unclear", "cue", 0.0, votes[0][2])
    if abs(sentiment) >= SENTIMENT_DECIDES:
        leaning = sentiment * proposal_direction(question)
        return Stance("support" if leaning > 0 else "oppose", "sentiment", round(leaning, 4), sentences[0])
    return Stance("neutral", "none", 0.0, "")


def find_stance(
    responses: pd.DataFrame,
    language: pd.DataFrame,
    sentiment: pd.DataFrame,
    questions: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Stance of every response towards its question.

    Args:
        responses: response_id, question_id, meta (closed form answers are read from meta).
        language: response_id, text_norm, and text_redacted when the PII stage ran: the redacted text is then read,
            so the evidence never holds personal data.
        sentiment: response_id, sentiment.
        questions: question_id -> the proposal's text (English and Chinese joined); used to read "should" sentences.

    Returns:
        response_id, question_id, stance, stance_source, stance_score, evidence (the deciding sentence or field).

    """
    return stance_rows(stance_inputs(responses, language, sentiment), questions or {})


def stance_inputs(responses: pd.DataFrame, language: pd.DataFrame, sentiment: pd.DataFrame) -> pd.DataFrame:
    """What `find_stance` reads, one row per response: response_id, question_id, meta, text_norm, sentiment.

    text_norm holds text_redacted when `language` has it (see `find_stance`).
    """
    text = "text_redacted" if "text_redacted" in language.columns else "text_norm"
    texts = language[["response_id", text]].rename(columns={text: "text_norm"})
    # the ids in the stage tables' dtype, so that they line up by position; only their values reach the output
    table = ids_like(responses[["response_id", "question_id", "meta"]], texts)
    return merge_ids(table, texts, sentiment[["response_id", "sentiment"]], how="left")


def stance_keys(table: pd.DataFrame) -> list[tuple[str, str, str, float]]:
    """Each row's (question_id, meta, text, sentiment), missing values as "" and 0.0: all its stance depends on."""
    # Over numpy arrays: iterating Arrow-backed string columns builds each value ten times slower.
    return list(
        zip(
            [str(q) for q in table["question_id"].to_numpy()],
            [m if isinstance(m, str) else "" for m in table["meta"].to_numpy()],
            [t if isinstance(t, str) else "" for t in table["text_norm"].to_numpy()],
            table["sentiment"].astype(float).fillna(0.0).tolist(),
            strict=True,
        )
    )


def stance_rows(table: pd.DataFrame, questions: dict[str, str]) -> pd.DataFrame:
    """`find_stance` on a table from `stance_inputs`; campaign copies (same key) are read once."""
    found: dict[tuple, Stance] = {}
    rows = []
    for response_id, key in zip(table["response_id"].to_numpy(), stance_keys(table), strict=True):
        if key not in found:
            found[key] = form_answer(key[1], key[0]) or text_stance(key[2], key[3], questions.get(key[0]))
        f = found[key]
        rows.append((response_id, key[0], f.stance, f.source, f.score, f.evidence))
    return pd.DataFrame(rows, columns=STANCE_COLUMNS)
