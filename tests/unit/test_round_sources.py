import shutil
from pathlib import Path

import pytest

from collect.collector import collect_round
from collect.roundfile import RoundFileError, load_round

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"

ROUND = """
round: r1
title: {en: "Round one", zh: "第一輪"}
sources:
  - {name: web, path: raw/forms/google_forms.csv, preset: google}
  - {name: mail, kind: email, path: raw/mail}
  - {name: letters, kind: documents, path: raw/letters}
  - {name: inbox, kind: folder, path: raw/inbox}
"""


def _round(tmp_path, text=ROUND):
    files = {
        "forms": ["google_forms.csv"],
        "mail": ["consultation.mbox", "mail_big5_qp_attachment.eml"],
        "letters": ["letter_zh.pdf", "letter_yue.docx", "scanned_no_text.pdf"],
        "inbox": ["qualtrics.csv", "letter_gb18030.txt"],
    }
    for folder, names in files.items():
        (tmp_path / "raw" / folder).mkdir(parents=True)
        for name in names:
            shutil.copy(FIX / name, tmp_path / "raw" / folder / name)
    (tmp_path / "round.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_source_kind_is_collected_and_the_form_kind_may_be_left_out(tmp_path):
    cfg, root = load_round(_round(tmp_path))
    assert [s.kind for s in cfg.sources] == ["form", "email", "documents", "folder"]
    responses, rejects, manifest = collect_round(cfg, root)
    assert set(responses["channel"]) == {"form", "email", "letter"}
    assert len(manifest) == 8
    assert "raw/letters/scanned_no_text.pdf" in set(rejects["source"])
    assert responses["response_id"].is_unique


def test_unknown_source_kind_is_a_one_line_error(tmp_path):
    bad = ROUND.replace("kind: documents", "kind: fax")
    with pytest.raises(RoundFileError, match="sources.2"):
        load_round(_round(tmp_path, bad))
