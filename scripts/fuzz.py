"""Fuzz every importer and the language/PII stages with generated malformed inputs; print counts per family.

Usage: .venv/bin/python scripts/fuzz.py [--n 10000] [--seed 12] [--out /tmp/fuzz] [--json]

Inputs are built from the real import fixtures (tests/fixtures/import/, see its SOURCE.md) and the demo round's
comments (data/demo/raw/submissions.csv, CC BY 4.0): truncated and byte-flipped XLSX/PDF/DOCX/mbox/eml, random
bytes, wrong and mixed encodings, ZIP bombs, deeply nested HTML, 10 MB fields, NUL bytes, invalid surrogates, CSV
with ragged rows and embedded newlines. Each input must end in kept rows plus `rejects` rows with reasons (rows in =
kept + rejected where the generator knows the row count) or a one-line error naming the file; anything else is a
failure and is printed with its traceback. tests/unit/test_fuzz.py runs the same checks on fewer inputs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import random
import sys
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
ENCODINGS = ("utf-8", "utf-8-sig", "big5hkscs", "gb18030", "utf-16", "latin-1", "cp1252", "shift_jis")
BIG = 10 * 1024 * 1024  # the "10 MB field"


@dataclass(frozen=True)
class Case:
    """One generated input: a file to import, or strings for the language/PII stages."""

    family: str
    name: str = ""
    data: bytes = b""
    rows: int | None = None  # data rows (CSV) or messages (mbox) the generator wrote, when it knows
    texts: tuple[str, ...] = ()


def real_texts() -> list[str]:
    """Real comments from the demo round (English, Traditional Chinese, Cantonese)."""
    with open(ROOT / "data" / "demo" / "raw" / "submissions.csv", encoding="utf-8") as f:
        return [r["views"] for r in csv.DictReader(f) if r["views"].strip()]


def fixture(name: str) -> bytes:
    """The bytes of one import fixture."""
    return (FIXTURES / name).read_bytes()


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Truncate, flip bytes, splice random bytes, or drop a slice."""
    how = rng.randrange(4)
    if how == 0 or not data:
        return data[: rng.randrange(len(data) + 1)]
    buf = bytearray(data)
    if how == 1:
        for _ in range(rng.randint(1, 20)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif how == 2:
        at = rng.randrange(len(buf))
        buf[at:at] = rng.randbytes(rng.randint(1, 64))
    else:
        at = rng.randrange(len(buf))
        del buf[at : at + rng.randint(1, 256)]
    return bytes(buf)


def nasty_text(rng: random.Random, texts: list[str]) -> str:
    """A real comment spoilt with control characters, lone surrogates, NUL, markup or formula starts."""
    text = rng.choice(texts)
    extras = [
        "\x00",
        "\ud800",
        "\udcff",
        "\ufeff",
        "\u202e",
        "\r",
        "\n\n",
        '"',
        "=cmd|' /C calc'!A0",
        "<script>x</script>",
    ]
    for _ in range(rng.randint(0, 4)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(extras) + text[at:]
    return text


def nested_html(depth: int) -> str:
    """HTML nested `depth` levels deep (lxml and BeautifulSoup must not recurse to death)."""
    return "<div>" * depth + "意見 opinion" + "</div>" * depth


def zip_bomb(inner: str, size: int = 300 * 1024 * 1024) -> bytes:
    """A ZIP whose one member inflates to `size` zero bytes (written in chunks, so it costs little memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(inner, "w", force_zip64=True) as f:
        chunk = b"\x00" * (1 << 20)
        for _ in range(size >> 20):
            f.write(chunk)
    return buf.getvalue()


def csv_case(rng: random.Random, texts: list[str], big: bool = False) -> Case:
    """A generic form export with ragged rows, embedded newlines, mixed encodings, NUL bytes or a huge field."""
    n = rng.randint(1, 30)
    rows = [["id", "district", "comment"]]
    for i in range(n):
        row = [
            f"R{i}",
            rng.choice(["Sha Tin", "沙田", ""]),
            nasty_text(rng, texts) if rng.random() < 0.5 else rng.choice(texts),
        ]
        if rng.random() < 0.2:
            row = row[: rng.randint(1, 3)] + ["extra"] * rng.randint(0, 3)  # ragged
        if not any(c.strip() for c in row):
            row[0] = f"R{i}"  # a blank record is no record; keep the count exact
        rows.append(row)
    if big:
        rows[1][-1] = "意" * (BIG // 3)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    text = out.getvalue()
    encoding = rng.choice(ENCODINGS)
    data = text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf-8") else "replace")
    if rng.random() < 0.3:  # mixed encodings: some lines re-encoded in another one
        lines = text.splitlines(keepends=True)
        other = rng.choice(ENCODINGS[2:4])
        data = b"".join(
            ln.encode(other, "replace") if rng.random() < 0.3 else ln.encode("utf-8", "surrogatepass") for ln in lines
        )
    # Mixed encodings can split or join records; the row count is exact only for a clean single encoding.
    exact = not rng.random() < 0.3 and encoding.startswith("utf-8") and "\x00" not in text
    return Case("csv", "form.csv", data, n if exact and "\ud800" not in text and "\udcff" not in text else None)


def generate(n: int, seed: int) -> Iterator[Case]:
    """`n` cases across every importer and stage, in a fixed order for a seed."""
    rng = random.Random(seed)
    texts = real_texts()
    csvs = [
        fixture(f) for f in ("google_forms.csv", "qualtrics.csv", "surveymonkey_big5hkscs.csv", "mixed_encoding.csv")
    ]
    mails = [
        fixture(f) for f in ("mail_big5_qp_attachment.eml", "mail_html_only_gb2312.eml", "mail_reply_signature.eml")
    ]
    docs = {
        "letter_zh.pdf": fixture("letter_zh.pdf"),
        "letter_yue.docx": fixture("letter_yue.docx"),
        "letter_big5hkscs.txt": fixture("letter_big5hkscs.txt"),
        "letter_utf16_bom.txt": fixture("letter_utf16_bom.txt"),
    }
    xlsx, mbox = fixture("microsoft_forms.xlsx"), fixture("consultation.mbox")
    fixed = [
        Case("zip bomb", "bomb.xlsx", zip_bomb("xl/worksheets/sheet1.xml")),
        Case("zip bomb", "bomb.docx", zip_bomb("word/document.xml")),
        Case("10 MB field", "big.csv", csv_case(rng, texts, big=True).data, None),
        Case("10 MB field", "big.txt", ("意見" * (BIG // 6)).encode()),
        Case("nested html", "deep.eml", _eml(nested_html(100_000), "text/html")),
        Case("nested html", "deep.txt", nested_html(100_000).encode()),
        Case("text", texts=("x" * BIG, "意" * (BIG // 3), nested_html(100_000))),
    ]
    yield from fixed
    families: list[tuple[float, Callable[[], Case]]] = [
        (0.20, lambda: csv_case(rng, texts)),
        (0.08, lambda: Case("csv fixture", "form.csv", mutate(rng, rng.choice(csvs)))),
        (0.08, lambda: Case("xlsx", "form.xlsx", mutate(rng, xlsx))),
        (0.08, lambda: Case("mbox", "box.mbox", *_mbox(rng, texts))),
        (0.06, lambda: Case("mbox fixture", "box.mbox", mutate(rng, mbox))),
        (0.08, lambda: Case("eml", "mail.eml", mutate(rng, rng.choice(mails)))),
        (0.08, lambda: Case("pdf", "letter.pdf", mutate(rng, docs["letter_zh.pdf"]))),
        (0.08, lambda: Case("docx", "letter.docx", mutate(rng, docs["letter_yue.docx"]))),
        (0.06, lambda: _text_case(rng, texts, docs)),
        (
            0.04,
            lambda: Case(
                "random bytes",
                rng.choice(["a.csv", "a.xlsx", "a.eml", "a.mbox", "a.pdf", "a.docx", "a.txt", "a"]),
                rng.randbytes(rng.randint(0, 4096)),
            ),
        ),
        (0.16, lambda: Case("text", texts=tuple(nasty_text(rng, texts) for _ in range(20)))),
    ]
    weights = [w for w, _ in families]
    for _ in range(max(0, n - len(fixed))):
        yield rng.choices(families, weights)[0][1]()


def _eml(body: str, ctype: str = "text/plain", attachment: str | None = None) -> bytes:
    head = "From: a@example.org\r\nSubject: views\r\nMIME-Version: 1.0\r\n"
    if attachment is None:
        return (head + f"Content-Type: {ctype}; charset=utf-8\r\n\r\n{body}\r\n").encode("utf-8", "surrogatepass")
    return (
        head
        + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        f'{body}\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="{attachment}"\r\n\r\n'
        "attached views\r\n--b--\r\n"
    ).encode("utf-8", "surrogatepass")


def _mbox(rng: random.Random, texts: list[str]) -> tuple[bytes, int]:
    n = rng.randint(1, 8)
    names = ["../../../etc/passwd", "..\\..\\x.txt", "/abs/path.txt", "ok.txt", "\x00.txt", "a" * 300]
    parts = []
    for _ in range(n):
        name = rng.choice(names) if rng.random() < 0.5 else None
        msg = _eml(nasty_text(rng, texts).replace("\nFrom ", "\n>From "), attachment=name)
        parts.append(b"From MAILER-DAEMON Mon Mar  2 09:30:00 2026\n" + msg.replace(b"\nFrom ", b"\n>From ") + b"\n")
    return b"".join(parts), n


def _text_case(rng: random.Random, texts: list[str], docs: dict[str, bytes]) -> Case:
    name = rng.choice(list(docs)[2:])
    if rng.random() < 0.5:
        return Case("txt", name, mutate(rng, docs[name]))
    encoding = rng.choice(ENCODINGS)
    errors = "surrogatepass" if encoding.startswith("utf") else "replace"
    return Case("txt", "letter.txt", nasty_text(rng, texts).encode(encoding, errors))


def check_file(case: Case, folder: Path) -> str:
    """Import one generated file; return "ok" or "error" (a one-line error naming the file), or raise AssertionError.

    Any other exception escapes: that is a crash.
    """
    from collect.importer import import_file
    from collect.schema import empty_responses, make_rejects
    from collect.tables import SourceError

    path = folder / case.name
    path.write_bytes(case.data)
    try:
        chunks = list(import_file(path, round_id="fuzz", source=case.name))
    except SourceError as e:
        message = str(e)
        assert case.name in message and "\n" not in message, f"error does not name the file in one line: {message!r}"
        return "error"
    responses = pd.concat([empty_responses(), *(c[0] for c in chunks)], ignore_index=True)
    rejects = pd.concat([make_rejects([]), *(c[1] for c in chunks)], ignore_index=True)
    kept = sum(c[2] for c in chunks)
    assert rejects["reason"].str.strip().ne("").all(), "a reject without a reason"
    assert responses["text"].str.strip().ne("").all(), "an empty response was kept"
    whole_file = (rejects["source_key"] == "file").any()
    if case.rows is not None and not whole_file:
        if case.family == "mbox":
            messages = responses[~responses["source_key"].str.contains(" attachment ")]["submission_id"].nunique()
            whole = rejects[rejects["source_key"].str.startswith("message ")]
            got = messages + len(whole[~whole["source_key"].str.contains(" attachment ")])
        else:
            got = kept + len(rejects)
        assert got == case.rows, f"rows in {case.rows} != kept + rejected {got}"
    return "ok"


def check_texts(case: Case) -> str:
    """Run the language and PII stages on generated strings; one output row per input row, redaction is a string."""
    from analyze.language import detect_language
    from analyze.pii import redact_pii

    df = pd.DataFrame(
        {"response_id": [f"r{i}" for i in range(len(case.texts))], "text": pd.Series(case.texts, dtype=object)}
    )
    lang = detect_language(df)
    red = redact_pii(lang)
    assert len(lang) == len(red) == len(df), "rows lost in language/PII"
    assert red["text_redacted"].map(type).eq(str).all()
    return "ok"


def run(n: int, seed: int, out: Path) -> dict:
    """Fuzz `n` cases; return counts per family and outcome, and the failures with tracebacks."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes: Counter = Counter()
    failures: list[dict] = []
    inputs = 0
    start = time.perf_counter()
    for i, case in enumerate(generate(n, seed)):
        folder = out / f"{i % 50}"
        folder.mkdir(exist_ok=True)
        inputs += len(case.texts) or 1
        try:
            outcome = check_texts(case) if case.texts else check_file(case, folder)
        except AssertionError as e:
            outcome = "broken invariant"
            failures.append({"case": i, "family": case.family, "name": case.name, "error": str(e)})
        except Exception as e:  # the point of fuzzing: every uncaught exception is recorded with its input
            outcome = "crash"
            failures.append(
                {
                    "case": i,
                    "family": case.family,
                    "name": case.name,
                    "error": f"{type(e).__name__}: {e}"[:300],
                    "traceback": traceback.format_exc(),
                }
            )
            (out / f"crash-{i}-{case.name or 'text'}").write_bytes(
                case.data or "\x1e".join(case.texts).encode("utf-8", "surrogatepass")
            )
        outcomes[(case.family, outcome)] += len(case.texts) or 1
    return {
        "inputs": inputs,
        "cases": n,
        "seconds": round(time.perf_counter() - start, 1),
        "outcomes": {f"{fam}: {o}": k for (fam, o), k in sorted(outcomes.items())},
        "crashes": sum(1 for f in failures if "traceback" in f),
        "broken_invariants": sum(1 for f in failures if "traceback" not in f),
        "failures": failures,
    }


def main() -> None:
    """Parse arguments, fuzz, print the counts (and failures); exit 1 when anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2_000, help="cases to generate (a text case holds 20 strings)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, default=Path("/tmp/consult-fuzz"))
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # a broken PDF's warnings are expected, by the thousand
    result = run(args.n, args.seed, args.out)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for f in result["failures"]:
            print(f"FAIL case {f['case']} ({f['family']}, {f['name']}): {f['error']}\n{f.get('traceback', '')}")
        for k, v in result["outcomes"].items():
            print(f"{v:>7}  {k}")
        print(
            f"inputs {result['inputs']} in {result['seconds']} s: {result['crashes']} crashes, "
            f"{result['broken_invariants']} broken invariants"
        )
    sys.exit(1 if result["failures"] else 0)


if __name__ == "__main__":
    main()
