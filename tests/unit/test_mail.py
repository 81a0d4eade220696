import json
from pathlib import Path

from collect.mail import import_mail, split_body

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _import(name):
    return import_mail(FIX / name, round_id="r1", source=f"raw/{name}")


def test_big5_quoted_printable_body_and_pdf_attachment_are_one_submission():
    records, rejects = _import("mail_big5_qp_attachment.eml")
    assert rejects == []
    body, attachment = records
    assert body["source_key"] == "<m1@example.hk>"
    assert body["text"].startswith("我覺得我們真的看太近了，最近聽科技業說") and "\ufffd" not in body["text"]
    assert body["meta"]["signature"] == "" and body["text"].endswith("陳大文")
    assert "香港的士商會" in attachment["text"]
    assert attachment["submission_id"] == body["submission_id"]
    assert attachment["response_id"] != body["response_id"]
    assert attachment["meta"]["attachment"] == "意見書.pdf"
    assert body["respondent_type"] == "individual"  # netvigator.com is a personal mailbox
    assert body["received_at"].isoformat() == "2026-03-02T09:30:00+00:00"


def test_html_only_gb2312_body_becomes_text_without_script():
    (record,), _ = _import("mail_html_only_gb2312.eml")
    assert "<p>" not in record["text"] and "alert" not in record["text"]
    assert record["text"].startswith("我觉得UBER跟政府成立的共乘网")
    assert record["respondent_type"] == "anonymous"


def test_quoted_reply_and_signature_are_kept_apart_in_meta():
    (record,), _ = _import("mail_reply_signature.eml")
    assert "Please send your views" not in record["text"]
    assert "Please send your views" in record["meta"]["quoted"]
    assert "Parks Watch Association" in record["meta"]["signature"]
    assert record["organisation"] == "Parks Watch Association"
    assert record["respondent_type"] == "organisation"
    json.dumps(record["meta"], ensure_ascii=False)


def test_mbox_broken_and_empty_messages_are_rejects_and_nothing_is_lost():
    records, rejects = _import("consultation.mbox")
    assert len(records) + len(rejects) == 4
    reasons = {r["source_key"]: r["reason"] for r in rejects}
    assert reasons == {"message 3": "broken MIME (InvalidBase64LengthDefect)", "<m5@example.com>": "no text"}
    assert any("唔" in r["text"] for r in records)  # base64 Big5-HKSCS Cantonese decoded


def test_bytes_that_are_not_an_email_are_a_reject():
    records, rejects = import_mail(FIX / "bad" / "broken_mime.eml", round_id="r1", source="x.eml")
    assert records == [] and rejects[0]["reason"] == "not an e-mail (no headers)"


def test_split_body_finds_chinese_reply_header():
    text, quoted, sig = split_body("支持方案。\n\n於 2026年3月2日 諮詢組 寫道：\n> 請提交意見")
    assert text == "支持方案。" and quoted.startswith("於") and sig == ""
