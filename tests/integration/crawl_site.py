"""A local fixture web site shaped like real submission pages, served on 127.0.0.1 for the crawl tests.

Two sites under one server: /legco/ (a committee index table linking a PDF, a DOCX, a Big5 TXT and an oversize PDF)
and /views/ (a three-page consultation listing of HTML detail pages in English and Chinese, a Big5 page, a redirect,
a 404, a 500 that recovers, a robots.txt-forbidden page and a slow page). Texts are real: tests/fixtures/crawl.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "crawl" / "texts.json"


@dataclass
class Page:
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    status: int = 200
    location: str = ""
    delay: float = 0.0
    fail_times: int = 0
    streamed: bool = False  # no Content-Length: the size is known only while it arrives


@dataclass
class Site:
    pages: dict[str, Page]
    texts: dict
    log: list[tuple[str, int]] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetched(self, status: int = 200) -> list[str]:
        """Paths answered with `status`, in order."""
        return [p for p, s in self.log if s == status]


def load_texts() -> dict:
    return json.loads(TEXTS.read_text(encoding="utf-8"))


def make_pdf(text: str) -> bytes:
    """A one-page PDF (Helvetica, one text line per input line) whose text layer pypdf can read."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    ops = ["BT /F1 9 Tf 40 800 Td 11 TL"]
    for ln in lines:
        safe = ln.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\")
        ops.append("(" + safe.replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    stream = ("\n".join(ops) + "\nET").encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.writelines(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    for ln in text.splitlines():
        doc.add_paragraph(ln)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def detail_html(
    lang: str,
    title: str,
    name: str,
    org: str,
    date: str,
    text: str,
    alt: str = "",
    extra: str = "",
    charset: str = "utf-8",
) -> bytes:
    labels = ("Name", "Organisation", "Date") if lang == "en" else ("姓名", "機構", "日期")
    alt_link = f'<link rel="alternate" hreflang="{"zh-HK" if lang == "en" else "en"}" href="{alt}">' if alt else ""
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.splitlines() if p.strip())
    page = (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-HK"}"><head><meta charset="{charset}">'
        f"<title>{html.escape(title)}</title>{alt_link}<script>var x = 'not text';</script></head><body><main>"
        f"<h1>{html.escape(title)}</h1><dl><dt>{labels[0]}</dt><dd>{html.escape(name)}</dd>"
        f"<dt>{labels[1]}</dt><dd>{html.escape(org)}</dd><dt>{labels[2]}</dt><dd>{date}</dd></dl>"
        f"<article>{paras}</article>{extra}</main></body></html>"
    )
    return page.encode(charset)


def listing_html(links: list[tuple[str, str]], next_url: str = "") -> bytes:
    items = "".join(f'<li><a href="{u}">{html.escape(t)}</a></li>' for u, t in links)
    nxt = f'<a rel="next" href="{next_url}">Next</a>' if next_url else ""
    return f'<html lang="en"><body><main><h1>Views received</h1><ul>{items}</ul>{nxt}</main></body></html>'.encode()


def committee_html(rows: list[tuple[str, str, str]]) -> bytes:
    cells = "".join(
        f'<tr><td>{i}</td><td>{html.escape(n)}</td><td>{d}</td><td><a href="{u}">LC Paper No. CB(1){i}</a></td></tr>'
        for i, (n, d, u) in enumerate(rows, 1)
    )
    head = "<tr><th>No.</th><th>Name of deputation</th><th>Date</th><th>Paper</th></tr>"
    return f'<html lang="en"><body><table>{head}{cells}</table></body></html>'.encode()


def build_site(texts: dict | None = None) -> Site:
    t = texts or load_texts()
    en, zh = [x["text"] for x in t["en"]], [x["text"] for x in t["zh"]]
    v = "/views"
    pages = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /views/private/\n", "text/plain"),
        # /views: a consultation listing over three pages
        f"{v}/en/index.html": Page(
            listing_html(
                [
                    (f"{v}/en/1.html", "Submission 1"),
                    (f"{v}/en/2.html", "Submission 2"),
                    (f"{v}/old/3", "Submission 3"),
                ],
                f"{v}/en/index-2.html",
            )
        ),
        f"{v}/en/index-2.html": Page(
            listing_html(
                [
                    (f"{v}/en/4.html", "Submission 4"),
                    (f"{v}/private/5.html", "Submission 5"),
                    (f"{v}/en/gone.html", "Gone"),
                ],
                f"{v}/en/index-3.html",
            )
        ),
        f"{v}/en/index-3.html": Page(listing_html([(f"{v}/en/6.html", "Submission 6"), (f"{v}/zh/7.html", "意見 7")])),
        f"{v}/en/1.html": Page(
            detail_html("en", "Submission 1", "Chan Tai Man", "", "2024-03-05", en[0], alt=f"{v}/zh/1.html")
        ),
        f"{v}/zh/1.html": Page(
            detail_html("zh", "意見書 1", "陳大文", "", "2024年3月5日", zh[0], alt=f"{v}/en/1.html")
        ),
        f"{v}/en/2.html": Page(
            detail_html("en", "Submission 2", "", "Taxi Drivers Union", "06/03/2024", en[1], alt=f"{v}/zh/2.html")
        ),
        f"{v}/zh/2.html": Page(
            detail_html(
                "zh", "意見書 2", "", "的士司機工會", "2024年3月6日", zh[1], alt=f"{v}/en/2.html", charset="big5"
            ),
            "text/html",
        ),
        f"{v}/old/3": Page(status=301, location=f"{v}/en/3.html"),
        f"{v}/en/3.html": Page(detail_html("en", "Submission 3", "", "", "2024-03-07", en[2])),
        f"{v}/en/4.html": Page(detail_html("en", "Submission 4", "", "", "2024-03-08", en[3]), delay=0.5),
        f"{v}/private/5.html": Page(detail_html("en", "Private", "", "", "", "not for robots")),
        f"{v}/en/6.html": Page(detail_html("en", "Submission 6", "", "", "2024-03-09", en[4]), fail_times=1),
        f"{v}/zh/7.html": Page(
            detail_html("zh", "意見書 7", "", "", "2024年3月10日", zh[2], extra=f'<a href="{v}/files/7.docx">附件</a>')
        ),
        f"{v}/files/7.docx": Page(
            make_docx(zh[3]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        # /legco: a committee index table linking documents
        "/legco/index.html": Page(
            committee_html(
                [
                    ("Hong Kong Medical Association", "05/03/2024", "/legco/papers/cb1-1.pdf"),
                    ("香港的士業議會", "06/03/2024", "/legco/papers/cb1-2.docx"),
                    ("市民", "07/03/2024", "/legco/papers/cb1-3.txt"),
                    ("Big Attachment Society", "08/03/2024", "/legco/papers/cb1-4.pdf"),
                    ("Streamed Attachment Society", "09/03/2024", "/legco/papers/cb1-5.pdf"),
                ]
            )
        ),
        "/legco/papers/cb1-1.pdf": Page(make_pdf(en[0]), "application/pdf"),
        "/legco/papers/cb1-2.docx": Page(make_docx(zh[4]), "application/octet-stream"),
        "/legco/papers/cb1-3.txt": Page(zh[5].encode("big5"), "text/plain"),
        "/legco/papers/cb1-4.pdf": Page(make_pdf(en[1]) + b"%" + b"0" * 200_000 + b"\n", "application/pdf"),
        "/legco/papers/cb1-5.pdf": Page(
            make_pdf(en[2]) + b"%" + b"0" * 200_000 + b"\n", "application/pdf", streamed=True
        ),
    }
    return Site(pages=pages, texts=t)


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _answer(self, status: int, body: bytes = b"", headers: dict | None = None, streamed=False) -> None:
            with site.lock:
                site.log.append((self.path, status))
            self.send_response(status)
            for k, val in (headers or {}).items():
                self.send_header(k, val)
            if not streamed:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            page = site.pages.get(self.path)
            if page is None:
                return self._answer(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
            if page.location:
                return self._answer(page.status, headers={"Location": page.location})
            with site.lock:
                failed = site.failures.get(self.path, 0)
                if failed < page.fail_times:
                    site.failures[self.path] = failed + 1
            if failed < page.fail_times:
                return self._answer(500, b"busy")
            time.sleep(page.delay)
            etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._answer(304, headers={"ETag": etag})
            self._answer(page.status, page.body, {"Content-Type": page.ctype, "ETag": etag}, page.streamed)

    return Handler


@contextmanager
def serve(site: Site):
    """Serve `site` on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
