"""Rebuild data/demo/raw/submissions.csv from the real Polis exports in ../shared/data (CC BY 4.0).

The demo round is a web-form export as a consultation would receive it: one row per respondent's comment,
in Traditional Chinese (vTaiwan UberX) and English (Seattle $15/hour, Bowling Green, and letters to a US federal
docket with a real form-letter campaign, CC0). Texts are unchanged; comments a Polis moderator rejected
(moderated == -1) are left out, as a consultation would not publish them.
Run: python scripts/make_demo_round.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SETS = {  # folder -> (conversation label, max comments taken, oldest first)
    "polis-vtaiwan-uberx": ("vtaiwan-uberx", 200),
    "polis-seattle-15-per-hour": ("seattle-15-per-hour", 60),
    "polis-bowling-green": ("bowling-green", 260),
}


def regulations_gov(shared: Path, copies: int = 24, others: int = 36) -> pd.DataFrame:
    """English letters from a US federal docket (CC0): a real form-letter campaign and organisations' letters.

    Submitter names are left out (only the organisation is kept); "see attached" stubs are left out.
    """
    df = pd.read_csv(shared / "regsgov-cms-2022-0163-en" / "comments.csv").sort_values("id")
    text = df["comment_text"].fillna("")
    campaign = text.str.contains("One piece of information that is often important", regex=False)
    stub = text.str.lower().str.startswith(("see attach", "please see")) | (text.str.len() < 150)
    df = pd.concat([df[campaign].head(copies), df[~campaign & ~stub].head(others)]).sort_values("id")
    org = df["organization"].fillna("").astype(str)
    return pd.DataFrame(
        {
            "submission_no": "regsgov-" + df["id"],
            "submitted_at": pd.to_datetime(df["receiveDate"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "respondent_type": ["Organisation" if o else "Individual" for o in org],
            "organisation": org,
            "conversation": "regsgov-cms-2022-0163",
            "agrees": "",
            "disagrees": "",
            "views": df["comment_text"],
        }
    )


def main(shared: Path) -> None:
    """Write the demo export, sorted by conversation and comment id so it is the same every time."""
    frames = []
    for folder, (label, limit) in SETS.items():
        df = pd.read_csv(shared / folder / "comments.csv")
        df = df[df["moderated"] != -1].sort_values("comment-id").head(limit)
        frames.append(
            pd.DataFrame(
                {
                    "submission_no": [f"{label}-{i}" for i in df["comment-id"]],
                    "submitted_at": pd.to_datetime(df["timestamp"], unit="ms", utc=True).dt.strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "respondent_type": "Individual",
                    "organisation": "",
                    "conversation": label,
                    "agrees": df["agrees"],
                    "disagrees": df["disagrees"],
                    "views": df["comment-body"],
                }
            )
        )
    frames.append(regulations_gov(shared))
    out = Path(__file__).resolve().parents[1] / "data" / "demo" / "raw" / "submissions.csv"
    pd.concat(frames, ignore_index=True).to_csv(out, index=False, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
