"""Text from a letter or attachment: PDF (text layer), DOCX, TXT/Markdown, with the encoding detected.

`extract_document(data, filename)` is a stable public function: the spiders call it for attachments.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path, PurePath

from collect.encoding import UndecodableError, decode_text

log = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ""})
DOCX_SUFFIXES = frozenset({".docx", ".docm"})
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls, and every password-protected Office file
# A DOCX that inflates past these is treated as a ZIP bomb and never opened by python-docx.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200


def zip_problem(data: bytes | Path, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> str | None:
    """Why an Office (ZIP) container (bytes or a file) must not be opened, or None when it looks safe.

    Checks the declared sizes in the central directory only, so a ZIP bomb is refused without inflating it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):  # NotImplementedError: odd version
        return "truncated or corrupt ZIP container"
    unzipped = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unzipped > max_unzipped_bytes or unzipped / packed > MAX_ZIP_RATIO:
        return f"ZIP bomb suspected ({unzipped:,} bytes unpacked from {packed:,})"
    return None


def _pdf_text(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return "", "password-protected PDF"
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as e:  # fuzzing found pypdf raising PyPdfError subclasses, ValueError, KeyError, TypeError ...
        return "", f"unreadable PDF ({type(e).__name__})"
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    return (text, None) if text else ("", "no text layer")


def _docx_text(data: bytes) -> tuple[str, str | None]:
    from docx import Document

    problem = zip_problem(data)
    if problem:
        return "", problem
    try:
        doc = Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises KeyError/ValueError/lxml errors for broken parts
        return "", f"unreadable DOCX ({type(e).__name__})"
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += ["\t".join(cell.text for cell in row.cells) for row in table.rows]
    text = "\n".join(p for p in parts if p.strip()).strip()
    return (text, None) if text else ("", "no text")


def _plain_text(data: bytes) -> tuple[str, str | None]:
    try:
        text, _ = decode_text(data)
    except UndecodableError:
        return "", "undecodable bytes"
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    return (text, None) if text else ("", "no text")


def document_kind(data: bytes, filename: str) -> str:
    """The kind of document: pdf, docx, ole, text or other, from the leading bytes first and the file name second."""
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"%PDF") or suffix == ".pdf":
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(b"PK\x03\x04") or suffix in DOCX_SUFFIXES:
        return "docx" if suffix in DOCX_SUFFIXES or b"word/" in data[:4096] else "other"
    return "text" if suffix in TEXT_SUFFIXES else "other"


def extract_document(data: bytes, filename: str) -> tuple[str, str | None]:
    """Extract the text of one document.

    Args:
        data: the file's bytes.
        filename: its name; the extension is a hint, the leading bytes decide.

    Returns:
        (text, reject_reason). The reason is None when text was found; otherwise text is "" and the reason is one of
        "empty file", "no text layer" (a scanned PDF: OCR is out of scope), "no text", "password-protected PDF",
        "password-protected or legacy Office file", "unreadable PDF (...)", "unreadable DOCX (...)",
        "truncated or corrupt ZIP container", "ZIP bomb suspected (...)", "undecodable bytes" or
        "unsupported file type '.ext'". Never raises on bad bytes.

    """
    if not data:
        return "", "empty file"
    kind = document_kind(data, filename)
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind == "ole":
        return "", "password-protected or legacy Office file"
    if kind == "text":
        return _plain_text(data)
    return "", f"unsupported file type '{PurePath(filename).suffix.lower() or filename}'"
