import io
import zipfile
from pathlib import Path

import pytest

from collect.documents import extract_document
from collect.encoding import decode_text

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _read(name):
    return (FIX / name).read_bytes(), name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("letter_zh.pdf", "香港的士商會"),
        ("letter_yue.docx", "評分"),  # table cells are extracted too
        ("letter_big5hkscs.txt", "呢間小店做左都有幾年"),
        ("letter_gb18030.txt", "为"),
        ("letter_utf16_bom.txt", "我"),
        ("letter_utf16le_nobom.txt", "National Directory"),
        ("letter_org.md", "Compression Obsession, Inc."),
    ],
)
def test_text_of_every_letter_format(name, expected):
    text, reason = extract_document(*_read(name))
    assert reason is None
    assert expected in text
    assert "\ufffd" not in text and "\x00" not in text


def test_big5_hkscs_keeps_cantonese_characters():
    text, _ = extract_document(*_read("letter_big5hkscs.txt"))
    assert "冇" in text or "嘅" in text or "唔" in text


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (None, "scanned_no_text.pdf", "no text layer"),
        (b"", "a.txt", "empty file"),
        (b"   \n", "a.txt", "no text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.docx", "password-protected or legacy Office file"),
        (b"%PDF-1.4 truncated", "a.pdf", "unreadable PDF"),
        (b"PK\x03\x04 truncated", "a.docx", "truncated or corrupt ZIP container"),
        (b"\x89PNG\r\n\x1a\n", "photo.png", "unsupported file type '.png'"),
        (b"\x80\x81\xff\xfe\x80\x81\xff", "a.txt", "undecodable bytes"),
    ],
)
def test_bad_documents_give_a_reason_not_a_crash(data, name, reason):
    data = (FIX / name).read_bytes() if data is None else data
    text, why = extract_document(data, name)
    assert text == ""
    assert why.startswith(reason)


def test_docx_zip_bomb_is_refused_without_inflating():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\x00" * (4 * 1024 * 1024))  # 1000:1, past the 200:1 limit
    text, why = extract_document(buf.getvalue(), "bomb.docx")
    assert text == "" and why.startswith("ZIP bomb suspected")


@pytest.mark.parametrize("encoding", ["big5hkscs", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_decode_text_on_real_cantonese(encoding):
    text = (FIX / "letter_big5hkscs.txt").read_bytes().decode("big5hkscs")
    got, _ = decode_text(text.encode(encoding))
    assert got == text
