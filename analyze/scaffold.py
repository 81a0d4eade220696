"""`consult init`: a new round folder with a commented round.yaml to fill in."""

from __future__ import annotations

from pathlib import Path

ROUND_TEMPLATE = """\
# Round file: paths are relative to this folder. See README "The round folder".
round: {name}
title:
  en: "Public consultation: {name}"
  zh: "公眾諮詢：{name}"
questions:
  - id: general
    en: "General views"
    zh: "整體意見"
sources:
  - name: web-form
    kind: form
    path: raw/submissions.csv     # put the CSV/XLSX export here; raw/ is never modified
    channel: form
    mapping:
      text: {{views: general}}     # answer column -> question id
      id: submission_no
      received_at: submitted_at
      respondent_type: respondent_type
      organisation: organisation
topics:
  min_topic_size: 8
  seed: 42
publish:
  quotes_per_topic: 3
limits:                           # caps on each source file; what is over one becomes a rejects row naming it
  max_file_bytes: 2147483648
  max_rows: 5000000
  max_attachments: 20
"""


class ScaffoldError(ValueError):
    """The round folder cannot be created."""


def init_round(name: str, parent: Path) -> Path:
    """Create `parent/name/` with round.yaml and empty raw/, interim/ and processed/ folders."""
    if not name or any(c in name for c in "/\\ ") or name.startswith("."):
        raise ScaffoldError(f"round name {name!r} must be a short name without spaces or slashes")
    root = Path(parent) / name
    if (root / "round.yaml").exists():
        raise ScaffoldError(f"{root / 'round.yaml'} already exists")
    for sub in ("raw", "interim", "processed"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "round.yaml").write_text(ROUND_TEMPLATE.format(name=name), encoding="utf-8")
    return root
