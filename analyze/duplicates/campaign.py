"""The duplicates stage: exact groups, near-duplicate groups, campaigns, their templates and variant sentences.

A campaign is a near-duplicate group of at least `min_campaign_size` responses (copies counted); its template is
the medoid: the distinct text most similar, on average, to the campaign's responses. See
docs/adr/0004-counting.md for how campaigns enter the counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from analyze.aligned import factorize_sorted
from analyze.duplicates.key import KeysOf, duplicate_keys, key_digests
from analyze.duplicates.signature import near_groups, signatures, similarity
from analyze.duplicates.variants import VariantsOf, variant_sentences

Redact = Callable[[list[str]], list[str]]
"""Texts -> the same texts with personal data replaced by placeholders (`analyze.pii.redact_texts`)."""

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
_MEDOID_CELLS = 1 << 24  # signature values compared at once by `_medoids`


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


def _medoids(groups: list[np.ndarray], counts: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """`_medoid` of each group (its distinct texts, most copied first), groups of one size compared at once.

    In a group of at most MEDOID_CANDIDATES texts every text is a candidate and in the sample, so the groups of a
    size stack into one array: one comparison for them all instead of a Python call per group (most campaigns are
    small). Their scores count agreeing signature values times copies, integers that are `_medoid`'s scores times
    num_perm exactly, so argmax picks the same (first, most copied) text on ties.
    """
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    out = np.empty(len(groups), dtype=np.int64)
    for m in np.unique(sizes):
        same = np.flatnonzero(sizes == m)
        if m > min(MEDOID_CANDIDATES, MEDOID_SAMPLE):
            out[same] = [_medoid(groups[i], counts, sig) for i in same]
            continue
        step = max(1, _MEDOID_CELLS // (m * m * sig.shape[1]))  # groups compared at once
        for chunk in np.array_split(same, range(step, len(same), step)):
            members = np.stack([groups[i] for i in chunk])  # groups x m
            values = sig[members]
            agree = np.count_nonzero(values[:, :, None, :] == values[:, None, :, :], axis=3)  # groups x m x m
            score = (agree * counts[members][:, None, :]).sum(axis=2)
            out[chunk] = members[np.arange(len(chunk)), score.argmax(axis=1)]
    return out


def _least_per_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each row's smallest value within its group, groups labelled 0..k-1 (numpy sorts strings without Python calls)."""
    order = np.argsort(values, kind="stable")
    _, first = np.unique(groups[order], return_index=True)  # each group's first position in sorted order
    return values[order[first][groups]]


def _tallies(rows: pd.DataFrame, column: str) -> dict[int, str]:
    """Per near group, the counts of each value of `column` as sorted JSON, e.g. {"email": 3, "form": 120}."""
    if column not in rows:
        return {}
    counts = rows.groupby(["near", rows[column].astype(str)], sort=True).size()
    out: dict[int, dict[str, int]] = {}
    for (near, value), n in counts.items():
        out.setdefault(near, {})[value] = int(n)
    return {near: json.dumps(c, ensure_ascii=False) for near, c in out.items()}


def _campaign_rows(
    frame: pd.DataFrame,
    units: pd.DataFrame,
    digests: np.ndarray,
    sig: np.ndarray,
    min_size: int,
    variants_of: VariantsOf,
    redact: Redact | None,
) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """One dict per campaign, and per distinct text its campaign id (None outside) and similarity to the template.

    `frame` has one row per response with `unit` (its distinct text, -1 for empty) and `near`; `units` one row
    per distinct text with copies, near and first_row (the first response with that text); `digests` its key's.
    """
    sizes = units.groupby("near")["copies"].sum()
    chosen = sizes.index[sizes >= min_size]
    described = [c for c in ("near", "received_at", "channel", "lang") if c in frame]  # not the texts
    in_campaign = frame.loc[frame["near"].isin(chosen), described]
    seen = in_campaign.groupby("near")["received_at"].agg(["min", "max"]) if "received_at" in frame else None
    channels, languages = _tallies(in_campaign, "channel"), _tallies(in_campaign, "lang")
    copies, first_row = units["copies"].to_numpy(), units["first_row"].to_numpy()
    group = units["near"].to_numpy()
    by_count = np.lexsort((np.arange(len(units)), -copies, group))  # each near group's texts, most copied first
    counts = np.bincount(group, minlength=len(sizes))  # distinct texts per near group
    starts = np.cumsum(counts) - counts
    members = [by_count[starts[c] : starts[c] + counts[c]] for c in chosen]
    templates = _medoids(members, copies, sig)
    variants = [m[:VARIANT_TEXTS] for m in members]
    template_of = np.full(len(sizes), -1)
    template_of[chosen] = templates
    template_of = template_of[group]  # each text's campaign template, -1 outside campaigns
    inside = np.flatnonzero(template_of >= 0)  # every campaign member at once, not one campaign at a time
    campaign_ids = np.full(len(units), None, dtype=object)
    campaign_ids[inside] = np.strings.add("c-", digests[template_of[inside]])
    agree = np.full(len(units), np.nan)
    agree[inside] = similarity(sig, inside, template_of[inside])
    # Only the rows quoted are taken out of the Arrow-backed columns: converting whole columns cost more than the rest.
    rows = first_row[np.concatenate([templates, *variants]).astype(np.int64)]

    def texts(column: str) -> list:
        return frame[column].take(rows).tolist()

    plain = texts("text_norm")
    redacted = None if redact is None else redact(plain)
    quoted = plain if redacted is None else redacted  # what added sentences are quoted from
    ends = np.cumsum([len(templates), *(len(v) for v in variants)])
    added = variants_of(
        [(quoted[i], quoted[ends[i] : ends[i + 1]], copies[v].tolist()) for i, v in enumerate(variants)]
    )
    ids = frame["response_id"].take(rows[: len(templates)]).tolist()
    first_seen, last_seen = (
        [None] * len(chosen) if seen is None else seen[c].reindex(chosen).tolist() for c in ("min", "max")
    )
    campaigns = [
        {
            "campaign_id": campaign_ids[template],
            "size": int(size),
            "unique_texts": int(counts[near]),
            "template_response_id": ids[i],
            "template_text": plain[i],
            "template_redacted": None if redacted is None else redacted[i],
            "first_seen_at": first_seen[i],
            "last_seen_at": last_seen[i],
            "channels": channels.get(near, "{}"),
            "languages": languages.get(near, "{}"),
            "variant_sentences": added[i],
        }
        for i, (near, template, size) in enumerate(zip(chosen, templates, sizes[chosen], strict=True))
    ]
    return campaigns, campaign_ids, agree


def find_campaigns(
    docs: pd.DataFrame,
    *,
    min_campaign_size: int = 5,
    threshold: float = 0.5,
    num_perm: int = 64,
    seed: int = 42,
    sign: Callable[..., np.ndarray] = signatures,
    keys_of: KeysOf = duplicate_keys,
    variants_of: VariantsOf = variant_sentences,
    redact: Redact | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group exact and near-duplicate responses and name the campaigns among them.

    Args:
        docs: response_id, text_norm; optional received_at, channel, lang.
        min_campaign_size: responses (copies counted) a near-duplicate group needs to be a campaign.
        threshold: estimated Jaccard similarity of character shingles at or above which two texts are near
            duplicates (groups are the connected pairs).
        num_perm: MinHash permutations.
        seed: MinHash seed.
        sign: computes the signatures, `signatures(keys, num_perm, seed)` or a cached stand-in for it
            (analyze/stagecache.py); the keys come as an Arrow array unless one holds a lone surrogate.
        keys_of: the duplicate key of each distinct text (an Arrow array when the column is Arrow-backed),
            `duplicate_keys` or a cached stand-in for it.
        variants_of: each campaign's added sentences, `variant_sentences` or a cached stand-in for it.
        redact: the published form of the texts quoted (templates, and the texts added sentences are taken from),
            `analyze.pii.redact_texts` or a cached stand-in for it; None quotes them as they are (template_redacted
            None).

    Returns:
        Per response (same rows and order as `docs`): response_id, exact_group, near_group, campaign_id,
        is_campaign_copy, template_similarity (estimated Jaccard to the campaign template). Empty texts get no
        group. Per campaign, largest first: campaign_id, size, unique_texts, template_response_id,
        template_text (not for publishing), template_redacted (None without `redact`), first_seen_at,
        last_seen_at, channels and languages (JSON counts), variant_sentences (JSON list of {text, count}).
    """
    frame = docs.reset_index(drop=True).copy()
    norm_codes, norms = pd.factorize(frame["text_norm"].fillna(""))  # the order of the distinct texts is immaterial
    # Arrow-backed texts stay in Arrow (keyed from their bytes); others go as a list (one may hold a lone surrogate).
    arrow = isinstance(norms.dtype, pd.StringDtype) and norms.dtype.storage == "pyarrow"
    keys = keys_of(pa.array(norms.array) if arrow else norms.to_numpy().tolist())
    ranks, distinct = factorize_sorted(keys, arrow=True)  # Arrow keys stay Arrow: hashed from their bytes below
    ranks = ranks[norm_codes]  # each response's key as its rank among the distinct keys (every one occurs)
    first = distinct[:1].to_pylist() if isinstance(distinct, pa.Array) else distinct[:1].tolist()
    skip = int(first == [""])  # the empty key, when a text has none, sorts first
    has = ranks >= skip
    unit, unit_keys = ranks[has] - skip, distinct[skip:]
    units = pd.DataFrame({"copies": np.bincount(unit, minlength=len(unit_keys))})
    digests = key_digests(unit_keys)
    units["first_row"] = pd.Series(np.flatnonzero(has)).groupby(unit).min().to_numpy()
    sig = sign(unit_keys if isinstance(unit_keys, pa.Array) else list(unit_keys), num_perm=num_perm, seed=seed)
    units["near"] = near_groups(sig, threshold) if len(units) else np.empty(0, dtype=np.int64)
    frame["unit"] = -1
    frame.loc[has, "unit"] = unit
    frame["near"] = -1
    frame.loc[has, "near"] = units["near"].to_numpy()[unit]
    rows, campaign_ids, agree = _campaign_rows(frame, units, digests, sig, min_campaign_size, variants_of, redact)
    campaigns = pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)
    out = pd.DataFrame({"response_id": frame["response_id"]})
    unit_of_row = frame["unit"].to_numpy()  # -1, a label no unit has, leaves empty texts missing
    for column, values in (
        ("exact_group", np.strings.add("x-", digests)),
        ("near_group", np.strings.add("n-", _least_per_group(digests, units["near"].to_numpy()))),
        ("campaign_id", campaign_ids),
        ("template_similarity", agree.round(4)),
    ):
        # typed once per distinct text, then spread to the responses (an Arrow take for strings)
        out[column] = pd.Series(values).reindex(unit_of_row).set_axis(out.index)
    out["is_campaign_copy"] = out["campaign_id"].notna()
    campaigns = campaigns.sort_values(["size", "campaign_id"], ascending=[False, True], ignore_index=True)
    return out[DUPLICATE_COLUMNS], campaigns
