"""The duplicates stage: exact groups, near-duplicate groups, campaigns, their templates and variant sentences.

A campaign is a near-duplicate group of at least `min_campaign_size` responses (copies counted); its template is
the medoid: the distinct text most similar, on average, to the campaign's responses. See
docs/adr/0004-counting.md for how campaigns enter the counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from analyze.duplicates.key import duplicate_key, duplicate_keys, key_digest
from analyze.duplicates.signature import near_groups, signatures

DUPLICATE_COLUMNS = [
    "response_id",
    "exact_group",
    "near_group",
    "campaign_id",
    "is_campaign_copy",
    "template_similarity",
]
CAMPAIGN_COLUMNS = [
    "campaign_id",
    "size",
    "unique_texts",
    "template_response_id",
    "template_text",
    "template_redacted",
    "first_seen_at",
    "last_seen_at",
    "channels",
    "languages",
    "variant_sentences",
]
MEDOID_CANDIDATES = 100  # most-copied distinct texts considered as the template
MEDOID_SAMPLE = 200  # distinct texts the candidates are compared with
VARIANT_TEXTS = 200  # distinct texts of a campaign searched for added sentences
VARIANT_SENTENCES = 10  # added sentences reported per campaign
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")


def _spread(n: int, k: int) -> np.ndarray:
    """At most k evenly spaced positions out of n (all when n <= k)."""
    return np.arange(n) if n <= k else np.linspace(0, n - 1, k).round().astype(np.int64)


def _medoid(members: np.ndarray, counts: np.ndarray, sig: np.ndarray) -> int:
    """The member whose signature agrees most, weighted by copies, with the campaign's distinct texts."""
    by_count = members[np.lexsort((members, -counts[members]))]
    candidates = by_count[:MEDOID_CANDIDATES]
    sample = np.sort(members)[_spread(len(members), MEDOID_SAMPLE)]
    agree = (sig[candidates][:, None, :] == sig[sample][None, :, :]).mean(axis=2)
    score = agree @ counts[sample]
    return int(candidates[np.argmax(score)])  # argmax keeps the first (most copied) on ties


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _variant_sentences(template: str, texts: np.ndarray, copies: np.ndarray, seen: dict[str, str]) -> str:
    """Sentences that campaign members added to the template, most frequent first, as JSON [{text, count}].

    `seen` holds the key of each sentence met so far: members repeat the template's sentences.
    """
    known = duplicate_key(template)
    tally: dict[str, list] = {}
    for text, n in zip(texts, copies, strict=True):
        for sentence in _sentences(text):
            key = seen.get(sentence)
            if key is None:
                key = seen[sentence] = duplicate_key(sentence)
            if len(key) >= 4 and key not in known:  # a substring test: sentence splits need not agree
                tally.setdefault(key, [sentence, 0])[1] += int(n)
    top = sorted(tally.values(), key=lambda v: (-v[1], v[0]))[:VARIANT_SENTENCES]
    return json.dumps([{"text": t, "count": c} for t, c in top], ensure_ascii=False)


def _tallies(rows: pd.DataFrame, column: str) -> dict[int, str]:
    """Per near group, the counts of each value of `column` as sorted JSON, e.g. {"email": 3, "form": 120}."""
    if column not in rows:
        return {}
    counts = rows.groupby(["near", rows[column].astype(str)], sort=True).size()
    out: dict[int, dict[str, int]] = {}
    for (near, value), n in counts.items():
        out.setdefault(near, {})[value] = int(n)
    return {near: json.dumps(c, ensure_ascii=False) for near, c in out.items()}


def _campaign_rows(frame: pd.DataFrame, units: pd.DataFrame, sig: np.ndarray, min_size: int) -> list[dict]:
    """One dict per campaign; also fills units.campaign_id and units.template_similarity.

    `frame` has one row per response with `unit` (its distinct text, -1 for empty) and `near`; `units` one row
    per distinct text with copies, near, digest and first_row (the first response with that text).
    """
    plain = frame["text_norm"].to_numpy()
    redacted = frame["text_redacted"].to_numpy() if "text_redacted" in frame else None
    text = plain if redacted is None else redacted  # what added sentences are quoted from
    sizes = units.groupby("near")["copies"].sum()
    chosen = sizes.index[sizes >= min_size]
    members_of = units.groupby("near").indices
    in_campaign = frame[frame["near"].isin(chosen)]
    seen = (
        in_campaign.groupby("near")["received_at"].agg(["min", "max"])
        if "received_at" in frame
        else pd.DataFrame(columns=["min", "max"])
    )
    channels, languages = _tallies(in_campaign, "channel"), _tallies(in_campaign, "lang")
    copies, first_row = units["copies"].to_numpy(), units["first_row"].to_numpy()
    ids, digests = frame["response_id"].to_numpy(), units["digest"].to_numpy()  # not a column lookup per campaign
    first_seen, last_seen = seen["min"], seen["max"]
    campaign_ids = np.full(len(units), None, dtype=object)
    similarity = np.full(len(units), np.nan)
    rows, sentence_keys = [], {}
    for near in chosen:
        members = members_of[near]
        template = _medoid(members, copies, sig)
        campaign_ids[members] = "c-" + digests[template]
        similarity[members] = (sig[members] == sig[template]).mean(axis=1)
        variants = members[np.lexsort((members, -copies[members]))][:VARIANT_TEXTS]
        rows.append(
            {
                "campaign_id": campaign_ids[template],
                "size": int(sizes[near]),
                "unique_texts": len(members),
                "template_response_id": ids[first_row[template]],
                "template_text": plain[first_row[template]],
                "template_redacted": None if redacted is None else redacted[first_row[template]],
                "first_seen_at": first_seen.get(near),
                "last_seen_at": last_seen.get(near),
                "channels": channels.get(near, "{}"),
                "languages": languages.get(near, "{}"),
                "variant_sentences": _variant_sentences(
                    text[first_row[template]], text[first_row[variants]], copies[variants], sentence_keys
                ),
            }
        )
    units["campaign_id"] = campaign_ids
    units["template_similarity"] = similarity
    return rows


def find_campaigns(
    docs: pd.DataFrame,
    *,
    min_campaign_size: int = 5,
    threshold: float = 0.5,
    num_perm: int = 64,
    seed: int = 42,
    sign: Callable[..., np.ndarray] = signatures,
    keys_of: Callable[[list[str]], list[str]] = duplicate_keys,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group exact and near-duplicate responses and name the campaigns among them.

    Args:
        docs: response_id, text_norm; optional text_redacted (then the template is also given redacted and added
            sentences are taken from it), received_at, channel, lang.
        min_campaign_size: responses (copies counted) a near-duplicate group needs to be a campaign.
        threshold: estimated Jaccard similarity of character shingles at or above which two texts are near
            duplicates (groups are the connected pairs).
        num_perm: MinHash permutations.
        seed: MinHash seed.
        sign: computes the signatures, `signatures(keys, num_perm, seed)` or a cached stand-in for it
            (analyze/stagecache.py).
        keys_of: the duplicate key of each text, `duplicate_keys` or a cached stand-in for it.

    Returns:
        Per response (same rows and order as `docs`): response_id, exact_group, near_group, campaign_id,
        is_campaign_copy, template_similarity (estimated Jaccard to the campaign template). Empty texts get no
        group. Per campaign, largest first: campaign_id, size, unique_texts, template_response_id,
        template_text (not for publishing), template_redacted (None without text_redacted), first_seen_at,
        last_seen_at, channels and languages (JSON counts), variant_sentences (JSON list of {text, count}).
    """
    frame = docs.reset_index(drop=True).copy()
    norm_codes, norms = pd.factorize(frame["text_norm"].fillna(""), sort=True)
    # Python lists from numpy arrays, not from Arrow-backed columns (iterating those is ten times slower).
    keys = np.array(keys_of(norms.to_numpy().tolist()), dtype=object)[norm_codes]
    has = keys != ""
    unit, unit_keys = pd.factorize(keys[has], sort=True)
    units = pd.DataFrame({"key": unit_keys, "copies": np.bincount(unit, minlength=len(unit_keys))})
    units["digest"] = pd.Series([key_digest(k) for k in unit_keys], dtype=object)
    units["first_row"] = pd.Series(np.flatnonzero(has)).groupby(unit).min().to_numpy()
    sig = sign(unit_keys.tolist(), num_perm=num_perm, seed=seed)
    units["near"] = near_groups(sig, threshold) if len(units) else np.empty(0, dtype=np.int64)
    frame["unit"] = -1
    frame.loc[has, "unit"] = unit
    frame["near"] = -1
    frame.loc[has, "near"] = units["near"].to_numpy()[unit]
    campaigns = pd.DataFrame(_campaign_rows(frame, units, sig, min_campaign_size), columns=CAMPAIGN_COLUMNS)
    # The smallest digest of each near group: "first" after sorting, since "min" on strings is a Python loop per group.
    near_digest = units.sort_values("digest").groupby("near")["digest"].transform("first").reindex(units.index)
    out = pd.DataFrame({"response_id": frame["response_id"]})
    for column, values in (
        ("exact_group", "x-" + units["digest"]),
        ("near_group", "n-" + near_digest),
        ("campaign_id", units["campaign_id"]),
        ("template_similarity", units["template_similarity"].round(4)),
    ):
        out[column] = pd.Series(values.to_numpy()[unit], index=np.flatnonzero(has)).reindex(out.index)
    out["is_campaign_copy"] = out["campaign_id"].notna()
    campaigns = campaigns.sort_values(["size", "campaign_id"], ascending=[False, True], ignore_index=True)
    return out[DUPLICATE_COLUMNS], campaigns
