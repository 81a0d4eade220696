"""E-mail submissions: .eml files and .mbox mailboxes, one submission per message, attachments included.

Bodies are decoded with the declared charset widened to its superset (big5 -> big5hkscs, gb2312 -> gb18030) and
detected when undeclared; HTML-only bodies become text; quoted replies and signatures go to `meta`, not `text`.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import mailbox
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

from collect.documents import extract_document
from collect.encoding import UndecodableError, decode_text, normal_encoding
from collect.respondent import letterhead_organisation, respondent_from_email
from collect.schema import excerpt, make_response_id, make_submission_id

QUOTE_START = re.compile(
    r"^(?:On .{4,200} wrote:|.{0,100}於 .{0,100}寫道[:：]|.{0,100}于 .{0,100}写道[:：]|"
    r"-{2,} ?(?:Original Message|原始郵件|原始邮件|Forwarded message|轉寄郵件) ?-{2,})$",
)
SIGNATURE_START = re.compile(r"^(?:-- ?|__+|Sent from my .+|從我的 .+ 傳送|从我的.+发送)$")


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one block per line, scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    lines = (ln.strip() for ln in soup.get_text("\n").splitlines())
    return "\n".join(ln for ln in lines if ln)


def split_body(text: str) -> tuple[str, str, str]:
    """Split a body into (own text, quoted reply, signature); the last two are "" when not detectable."""
    lines = text.replace("\r\n", "\n").split("\n")
    quoted_at = next(
        (i for i, ln in enumerate(lines) if QUOTE_START.match(ln.strip()) or ln.startswith(">")), len(lines)
    )
    own, quoted = lines[:quoted_at], lines[quoted_at:]
    sig_at = next((i for i, ln in enumerate(own) if SIGNATURE_START.match(ln.rstrip())), len(own))
    body, signature = own[:sig_at], own[sig_at + 1 :] if sig_at < len(own) else []
    return "\n".join(body).strip(), "\n".join(quoted).strip(), "\n".join(signature).strip()


class BrokenMessageError(ValueError):
    """A message whose MIME structure or transfer encoding cannot be trusted."""


def _part_text(part: EmailMessage) -> str:
    data = part.get_payload(decode=True) or b""
    broken = [type(d).__name__ for d in part.defects if "Base64" in type(d).__name__ or "Boundary" in type(d).__name__]
    if broken:
        raise BrokenMessageError(f"broken MIME ({', '.join(sorted(set(broken)))})")
    declared = part.get_content_charset()
    if declared:
        try:
            return data.decode(normal_encoding(declared))
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common; detect instead
    try:
        return decode_text(data)[0]
    except UndecodableError:
        return data.decode(normal_encoding(declared) if declared else "utf-8", "replace")


def _attachments(msg: EmailMessage) -> Iterator[tuple[str, bytes]]:
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if name or part.get_content_disposition() == "attachment":
            yield name or "attachment", part.get_payload(decode=True) or b""


def _body(msg: EmailMessage) -> str:
    plain = html = None
    for part in msg.walk():
        if part.is_multipart() or part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = _part_text(part)
        elif ctype == "text/html" and html is None:
            html = _part_text(part)
    return plain if plain and plain.strip() else html_to_text(html) if html else ""


def message_records(
    msg: EmailMessage, *, round_id: str, source: str, position: str, max_attachments: int | None = None
) -> tuple[list[dict], list[dict]]:
    """Response records and rejects of one message: the body (question "general") and each attachment.

    `position` locates the message when it has no Message-ID ("message 3" in a mailbox, "file" for an .eml).
    Attachments past `max_attachments` are rejects, never opened. An attachment's name is kept in `meta` only: it
    never names a file on disk.
    """
    if not msg.keys():
        raise BrokenMessageError("not an e-mail (no headers)")
    key = (msg.get("Message-ID") or "").strip() or position
    body = _body(msg)
    text, quoted, signature = split_body(body)
    sender_name, address = email.utils.parseaddr(str(msg.get("From", "")))
    org = letterhead_organisation(text, signature)
    received = email.utils.parsedate_to_datetime(msg["Date"]) if msg.get("Date") else None
    base = {
        "round": round_id,
        "channel": "email",
        "source": source,
        "question_id": "general",
        "received_at": received,
        "respondent_type": respondent_from_email(sender_name, address, org),
        "organisation": org,
        "submission_id": make_submission_id(round_id, source, key),
    }
    meta = {"subject": str(msg.get("Subject", "")), "from": address, "from_name": sender_name}
    records, rejects = [], []
    parts = [(key, text, {**meta, "quoted": quoted, "signature": signature}, None)]
    for n, (name, data) in enumerate(_attachments(msg), start=1):
        if max_attachments is not None and n > max_attachments:
            got, reason = "", f"attachment over limits.max_attachments ({max_attachments}) of one message"
        else:
            got, reason = extract_document(data, name)
        parts.append((f"{key} attachment {n}", got, {**meta, "attachment": name, "part_of": key}, reason))
    for part_key, part_text, part_meta, reason in parts:
        if part_text.strip():
            records.append(
                {
                    **base,
                    "response_id": make_response_id(round_id, source, part_key, "general"),
                    "source_key": part_key,
                    "text": part_text,
                    "meta": part_meta,
                }
            )
        else:
            why = reason or ("no text (only a quoted reply or signature)" if quoted or signature else "no text")
            rejects.append(
                {
                    "source": source,
                    "source_key": part_key,
                    "reason": why,
                    "raw_excerpt": excerpt(part_meta.get("attachment") or meta["subject"]),
                }
            )
    return records, rejects


def _parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def iter_messages(path: Path, mbox: bool | None = None) -> Iterator[tuple[str, EmailMessage | None, bytes]]:
    """(position, message or None when empty, raw bytes) for an .eml file or each message of an mbox mailbox.

    `mbox` None decides by suffix: ".eml" is one message, anything else a mailbox.
    """
    if not (path.suffix.lower() != ".eml" if mbox is None else mbox):
        data = path.read_bytes()
        yield "file", _parse(data) if data.strip() else None, data
        return
    box = mailbox.mbox(path, create=False)
    n = 0
    try:
        for n, key in enumerate(box.iterkeys(), start=1):
            data = box.get_bytes(key)
            yield f"message {n}", _parse(data) if data.strip() else None, data
    finally:
        box.close()
    if n == 0:  # an mbox starts with a "From " line; anything else holds no message we can find
        with open(path, "rb") as f:
            yield "file", None, f.read(200)


def import_mail(
    path: Path,
    *,
    round_id: str,
    source: str,
    mbox: bool | None = None,
    max_messages: int | None = None,
    max_attachments: int | None = None,
) -> tuple[list[dict], list[dict]]:
    """Records and rejects of every message in an .eml or mbox file; a broken message is a reject, not a crash.

    Messages past `max_messages` are not read: the first of them is a reject saying so.
    """
    records, rejects = [], []
    for n, (position, msg, raw) in enumerate(iter_messages(path, mbox), start=1):
        if max_messages is not None and n > max_messages:
            why = f"more than limits.max_rows ({max_messages:,}) messages; messages from here on were not read"
            rejects.append({"source": source, "source_key": position, "reason": why, "raw_excerpt": excerpt(raw)})
            break
        try:
            if msg is None:
                raise BrokenMessageError("no message (empty, or not an mbox mailbox)")
            got, bad = message_records(
                msg, round_id=round_id, source=source, position=position, max_attachments=max_attachments
            )
        except BrokenMessageError as e:
            rejects.append({"source": source, "source_key": position, "reason": str(e), "raw_excerpt": excerpt(raw)})
            continue
        except Exception as e:  # malformed MIME raises many types; each becomes a reject with a reason
            rejects.append(
                {
                    "source": source,
                    "source_key": position,
                    "reason": f"broken message ({type(e).__name__}: {e})"[:200],
                    "raw_excerpt": excerpt(raw),
                }
            )
            continue
        records += got
        rejects += bad
    return records, rejects
