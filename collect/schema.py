"""The `responses` and `rejects` tables (DESIGN.md, "Data contract"), their validation and stable ids."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collect.hashing import sha256_hex

RESPONSE_COLUMNS: dict[str, str] = {
    "response_id": "string",
    "submission_id": "string",
    "round": "string",
    "channel": "string",
    "source": "string",
    "source_key": "string",
    "question_id": "string",
    "received_at": "datetime64[ns, UTC]",
    "respondent_type": "string",
    "organisation": "string",
    "text": "string",
    "meta": "string",
}
REJECT_COLUMNS: dict[str, str] = {
    "source": "string",
    "source_key": "string",
    "reason": "string",
    "raw_excerpt": "string",
}
CHANNELS = frozenset({"form", "email", "letter", "web", "legco", "other"})
RESPONDENT_TYPES = frozenset({"individual", "organisation", "anonymous", "unknown"})
EXCERPT_CHARS = 200


class SchemaError(ValueError):
    """A table does not match the data contract."""


def _digest(*parts: str, length: int = 16) -> str:
    # Unit separator between parts, so ("a", "bc") and ("ab", "c") never collide.
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def make_response_id(round_id: str, source: str, source_key: str, question_id: str) -> str:
    """Stable id of one answer text: the same record re-imported gets the same id (see docs/adr/0001)."""
    return "r-" + _digest(round_id, source, source_key, question_id)


def make_submission_id(round_id: str, source: str, submission_key: str) -> str:
    """Stable id of one whole submission (one respondent, one letter, one e-mail)."""
    return "s-" + _digest(round_id, source, submission_key)


def make_ids(prefix: str, round_id: str, source: str, keys: pa.Array, question_id: str | None = None) -> pa.Array:
    """`make_response_id` ("r-", with a question id) or `make_submission_id` ("s-") of many keys, as Arrow strings.

    The same ids, computed with one C-level sha256 call per key and no Python string per id (a form import makes two
    per row, so this is where its time goes).
    """
    tail = "" if question_id is None else "\x1f" + question_id
    return sha256_hex(pc.binary_join_element_wise(f"{round_id}\x1f{source}\x1f", keys, tail, ""), 16, prefix)


def to_meta(values: Mapping[str, Any]) -> str:
    """Serialise extra source fields as sorted JSON, so the same record always gives the same string."""
    clean = {str(k): (None if pd.isna(v) else v) for k, v in values.items() if not isinstance(v, list | dict)}
    return json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str)


def excerpt(raw: object) -> str:
    """A short, printable excerpt of a raw value for a `rejects` row (undecodable bytes shown escaped)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    # Lone surrogates (bytes kept by errors="surrogateescape") would make the rejects table unwritable.
    return text[:EXCERPT_CHARS].encode("utf-8", "backslashreplace").decode("utf-8")


def empty_responses() -> pd.DataFrame:
    """An empty `responses` table with the contract's columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in RESPONSE_COLUMNS.items()})


def empty_rejects() -> pd.DataFrame:
    """An empty `rejects` table."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REJECT_COLUMNS.items()})


def make_rejects(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a `rejects` table from dicts with source, source_key, reason and raw_excerpt."""
    df = pd.DataFrame(list(rows), columns=list(REJECT_COLUMNS))
    return df.astype(REJECT_COLUMNS) if len(df) else empty_rejects()


def coerce_responses(rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Turn records into a `responses` table with contract dtypes, then validate it."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if df.empty:
        return empty_responses()
    missing = [c for c in RESPONSE_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"responses table lacks columns: {', '.join(missing)}")
    df = df[list(RESPONSE_COLUMNS)]
    df["received_at"] = pd.to_datetime(df["received_at"], utc=True, errors="coerce")
    df = df.astype({c: t for c, t in RESPONSE_COLUMNS.items() if c != "received_at"})
    validate_responses(df)
    return df.reset_index(drop=True)


def validate_responses(df: pd.DataFrame) -> None:
    """Raise SchemaError naming the first broken rule of the `responses` contract."""
    missing = [c for c in RESPONSE_COLUMNS if c not in df.columns]
    if missing:
        raise SchemaError(f"responses table lacks columns: {', '.join(missing)}")
    for col in ("response_id", "submission_id", "round", "channel", "source", "source_key", "question_id"):
        if df[col].isna().any():
            raise SchemaError(f"responses.{col} has empty values")
    dup = df["response_id"][df["response_id"].duplicated()]
    if len(dup):
        raise SchemaError(f"responses.response_id is not unique, e.g. {dup.iloc[0]}")
    bad_channel = set(df["channel"].unique()) - CHANNELS  # unique first: no Python str per row
    if bad_channel:
        raise SchemaError(f"unknown channel(s): {', '.join(sorted(bad_channel))}")
    bad_type = set(df["respondent_type"].dropna().unique()) - RESPONDENT_TYPES
    if bad_type:
        raise SchemaError(f"unknown respondent_type(s): {', '.join(sorted(bad_type))}")
