"""Rebuild data/demo/raw/submissions.csv from the real Polis exports in ../shared/data (CC BY 4.0).

The demo round is a web-form export as a consultation would receive it: one row per respondent's comment,
in Traditional Chinese (vTaiwan UberX) and English (Seattle $15/hour, Bowling Green). Texts are unchanged;
comments a moderator rejected (moderated == -1) are left out, as a consultation would not publish them.
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
    out = Path(__file__).resolve().parents[1] / "data" / "demo" / "raw" / "submissions.csv"
    pd.concat(frames, ignore_index=True).to_csv(out, index=False, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data")
