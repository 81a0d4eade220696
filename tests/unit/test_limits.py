"""Caps on file size, unpacked size, rows, field length and attachments; `../` attachment names stay inert.

Files are the real import fixtures (tests/fixtures/import/, see SOURCE.md there: Polis CC BY 4.0, OpenRice CC BY 4.0).
"""

from __future__ import annotations

import shutil
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest

from collect.importer import import_file, import_paths
from collect.roundfile import LimitSettings, RoundFileError, load_round
from collect.spiders.rawstore import RawStore, StoreError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _import(name: str, **limits) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    chunks = list(import_file(FIXTURES / name, round_id="r1", source=name, **limits))
    responses = pd.concat([c[0] for c in chunks], ignore_index=True)
    return responses, pd.concat([c[1] for c in chunks], ignore_index=True), sum(c[2] for c in chunks)


def _reasons(rejects: pd.DataFrame, cap: str) -> pd.DataFrame:
    return rejects[rejects["reason"].str.contains(f"limits.{cap}", regex=False)]


def test_the_defaults_hit_no_cap_on_a_real_export():
    _, rejects, kept = _import("google_forms.csv")
    assert kept == 5 and not rejects["reason"].str.contains("limits.").any()


def test_a_file_over_max_file_bytes_is_one_reject_naming_the_cap():
    responses, rejects, kept = _import("google_forms.csv", max_file_bytes=1000)
    assert responses.empty and kept == 0
    assert len(_reasons(rejects, "max_file_bytes")) == 1
    assert rejects["source_key"].tolist() == ["file"]


def test_an_xlsx_declaring_more_than_max_unzipped_bytes_is_refused_unopened():
    _, rejects, kept = _import("microsoft_forms.xlsx", max_unzipped_bytes=10_000)
    assert kept == 0 and len(_reasons(rejects, "max_unzipped_bytes")) == 1


def test_rows_past_max_rows_are_not_read_and_one_reject_says_so():
    responses, rejects, kept = _import("google_forms.csv", max_rows=2)
    assert kept == 2 and responses["source_key"].str.startswith("row ").all()
    capped = _reasons(rejects, "max_rows")
    assert capped["source_key"].tolist() == ["row 4"]  # header is row 1; data rows 2 and 3 were kept


def test_a_text_over_max_field_chars_rejects_its_whole_submission_so_rows_still_add_up():
    _, rejects_all, kept_all = _import("google_forms.csv")
    responses, rejects, kept = _import("google_forms.csv", max_field_chars=60)
    long = _reasons(rejects, "max_field_chars")
    assert len(long) >= 1 and kept + len(rejects) == kept_all + len(rejects_all)
    assert responses["text"].str.len().le(60).all()
    assert not responses["source_key"].isin(long["source_key"]).any()


def test_messages_past_max_rows_in_a_mailbox_are_one_reject():
    _, rejects, _ = _import("consultation.mbox", max_rows=1)
    assert _reasons(rejects, "max_rows")["source_key"].tolist() == ["message 2"]


def test_attachments_past_max_attachments_are_rejects_never_opened():
    responses, rejects, _ = _import("mail_big5_qp_attachment.eml", max_attachments=0)
    assert not responses["source_key"].str.contains("attachment").any()
    assert len(_reasons(rejects, "max_attachments")) == 1
    with_one, _, _ = _import("mail_big5_qp_attachment.eml", max_attachments=1)
    assert with_one["source_key"].str.contains("attachment").sum() == 1


def test_round_file_limits_are_validated_and_reach_the_importer(tmp_path):
    (tmp_path / "exports").mkdir()
    shutil.copy(FIXTURES / "google_forms.csv", tmp_path / "exports" / "google_forms.csv")
    base = "round: r1\ntitle: {en: T, zh: 題}\nsources: []\n"
    (tmp_path / "round.yaml").write_text(base + "limits: {max_rows: 3, max_cells: 9}\n", encoding="utf-8")
    with pytest.raises(RoundFileError, match="max_cells"):
        load_round(tmp_path / "round.yaml")
    (tmp_path / "round.yaml").write_text(base + "limits: {max_rows: 3}\n", encoding="utf-8")
    assert load_round(tmp_path / "round.yaml")[0].limits == LimitSettings(max_rows=3)
    report = import_paths([tmp_path / "exports"], tmp_path, round_id="r1")
    assert report.totals()["kept"] == 3 and report.totals()["rejected"] == 1
    assert any("limits.max_rows" in reason for reason in report.reasons)


def test_a_cap_above_the_readers_ceiling_is_a_config_error():
    with pytest.raises(ValueError, match="max_field_chars"):
        LimitSettings(max_field_chars=10_000_000)


def _hostile_mail(folder: Path) -> Path:
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "a@example.org", "views", "<h1@example.org>"
    msg.set_content("我反對呢個方案。")
    for name in ("../../outside.txt", "/tmp/absolute.txt", "..\\..\\win.txt"):
        msg.add_attachment("attached views 意見".encode(), maintype="text", subtype="plain", filename=name)
    path = folder / "mail" / "hostile.eml"
    path.parent.mkdir(parents=True)
    path.write_bytes(bytes(msg))
    return path


def test_attachment_names_with_dot_dot_never_name_a_file_on_disk(tmp_path):
    round_dir = tmp_path / "round"
    path = _hostile_mail(round_dir)
    before = {p for p in tmp_path.rglob("*")}
    import_paths([path], round_dir, round_id="r1")
    written = {p for p in tmp_path.rglob("*")} - before
    assert written and all(p.resolve().is_relative_to(round_dir / "interim") for p in written)
    assert not Path("/tmp/absolute.txt").exists()
    responses = pd.read_parquet(round_dir / "interim" / "responses.parquet")
    assert responses["meta"].str.contains("outside.txt").sum() == 1  # the name is data in meta, nothing more


@pytest.mark.parametrize(
    "url", ["https://x.gov.hk/../../../etc/passwd.pdf", "https://x.gov.hk/a/..%2F..%2Fb.docx", "https://x/%00.txt"]
)
def test_spider_files_are_named_by_url_hash_inside_the_round(tmp_path, url):
    store = RawStore.for_source(tmp_path, "legco")
    target = (tmp_path / store.file_for(url, "attachment")).resolve()
    assert target.is_relative_to(tmp_path / "raw" / "legco" / "files")


@pytest.mark.parametrize("name", ["../up", "a/b", "..", ".hidden"])
def test_a_spider_source_name_that_would_leave_the_round_is_refused(tmp_path, name):
    with pytest.raises(StoreError):
        RawStore.for_source(tmp_path, name)
