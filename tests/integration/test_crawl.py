"""Crawls against a local fixture site (tests/integration/crawl_site.py) on 127.0.0.1: the whole path from
`consult crawl` to `responses`/`rejects`, robots.txt, retries, Big5, redirects, oversize, resume and re-crawl."""

import hashlib
import json

import pandas as pd
import pytest
from crawl_site import Page, build_site, serve
from typer.testing import CliRunner

from analyze.cli import app
from collect.collector import collect_round
from collect.roundfile import load_round
from collect.spiders.rawstore import RawStore
from collect.spiders.runner import crawl_round

pytestmark = pytest.mark.slow


def squash(text: str) -> str:
    """Whitespace-insensitive form (HTML and PDF both re-flow spaces)."""
    return " ".join(text.split())


def write_round(root, base: str, sources=("legco", "views"), extra: str = "") -> None:
    spec = {
        "legco": "{name: legco, kind: spider, preset: committee_index, channel: legco, "
        f'start_urls: ["{base}/legco/index.html"]',
        "views": f'{{name: views, kind: spider, preset: consultation_pages, start_urls: ["{base}/views/en/index.html"]',
    }
    polite_but_fast = f"download_delay: 0, retries: 2, max_download_mb: 0.1, timeout_s: 5{extra}}}"
    lines = "\n".join(f"  - {spec[s]}, {polite_but_fast}" for s in sources)
    text = f"round: crawl-test\ntitle: {{en: Crawl test, zh: 爬取測試}}\nsources:\n{lines}\n"
    (root / "round.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Both fixture sites crawled once through the CLI, then collected."""
    site = build_site()
    root = tmp_path_factory.mktemp("crawl")
    with serve(site) as base:
        write_round(root, base)
        result = CliRunner().invoke(app, ["crawl", str(root)])
    cfg, round_dir = load_round(root)
    responses, rejects, _ = collect_round(cfg, round_dir)
    return {"site": site, "root": round_dir, "base": base, "cli": result, "responses": responses, "rejects": rejects}


def by_path(df: pd.DataFrame, base: str) -> dict:
    return {row["source"].removeprefix(base): row for row in df.to_dict("records")}


def test_cli_reports_each_source(crawled):
    out = crawled["cli"]
    assert out.exit_code == 0, out.output
    assert "legco: 4 fetched, 0 unchanged, 2 failed" in out.output
    assert "views: 12 fetched, 0 unchanged, 2 failed" in out.output


def test_committee_index_documents_become_responses(crawled):
    en, zh = ([t["text"] for t in crawled["site"].texts[k]] for k in ("en", "zh"))
    rows = by_path(crawled["responses"][crawled["responses"]["channel"] == "legco"], crawled["base"])
    assert sorted(rows) == ["/legco/papers/cb1-1.pdf", "/legco/papers/cb1-2.docx", "/legco/papers/cb1-3.txt"]
    assert squash(rows["/legco/papers/cb1-1.pdf"]["text"]) == squash(en[0])
    assert rows["/legco/papers/cb1-2.docx"]["text"] == zh[4]
    assert rows["/legco/papers/cb1-3.txt"]["text"] == zh[5]  # served as Big5 bytes without a charset
    assert json.loads(rows["/legco/papers/cb1-1.pdf"]["meta"])["author"] == "Hong Kong Medical Association"
    assert rows["/legco/papers/cb1-2.docx"]["received_at"] == pd.Timestamp("2024-03-06", tz="UTC")  # 06/03/2024
    bad = crawled["rejects"].set_index("source")["reason"].to_dict()
    for oversize in ("cb1-4.pdf", "cb1-5.pdf"):  # declared too big; too big only once it arrived
        assert bad[f"{crawled['base']}/legco/papers/{oversize}"] == "larger than the maximum download size (0.1 MB)"


def test_consultation_pages_pair_languages_and_survive_bad_pages(crawled):
    en, zh = ([t["text"] for t in crawled["site"].texts[k]] for k in ("en", "zh"))
    responses = crawled["responses"][crawled["responses"]["channel"] == "web"]
    rows = by_path(responses, crawled["base"])
    # 1+2 are English/Chinese pairs (one submission each), 3 came through a redirect, 4 is slow, 6 failed once.
    assert sorted(rows) == [f"/views/en/{i}.html" for i in (1, 2, 3, 4, 6)] + ["/views/zh/7.html"]
    pair = json.loads(rows["/views/en/1.html"]["meta"])
    assert rows["/views/en/1.html"]["text"] == zh[0]
    assert squash(pair["text_en"]) == squash(en[0])
    assert pair["url"].endswith("/views/zh/1.html") and pair["url_en"].endswith("/views/en/1.html")
    assert rows["/views/en/2.html"]["text"] == zh[1]  # the Big5 page, decoded
    assert rows["/views/en/2.html"]["organisation"] == "的士司機工會"
    assert rows["/views/en/2.html"]["respondent_type"] == "organisation"
    assert squash(rows["/views/en/3.html"]["text"]) == squash(en[2])
    assert squash(rows["/views/en/6.html"]["text"]) == squash(en[4])
    assert rows["/views/zh/7.html"]["text"] == f"{zh[2]}\n\n{zh[3]}"  # page body, then its DOCX attachment
    assert "not text" not in " ".join(responses["text"])  # <script> content never becomes text
    assert responses["response_id"].is_unique and responses["submission_id"].nunique() == 6
    rejects = crawled["rejects"]
    web_rejects = rejects[rejects["source"].str.contains("/views/")].set_index("source")["reason"].to_dict()
    base = crawled["base"]
    assert web_rejects == {
        f"{base}/views/en/gone.html": "HTTP 404",
        f"{base}/views/private/5.html": "forbidden by robots.txt",
    }
    log = crawled["site"].log
    assert ("/views/private/5.html", 200) not in log
    assert [s for p, s in log if p == "/views/en/6.html"] == [500, 200]


def test_manifest_records_every_fetch(crawled):
    store = RawStore.for_source(crawled["root"], "legco")
    rows = store.read_manifest()
    assert len(rows) == 6
    pdf = rows[crawled["base"] + "/legco/papers/cb1-1.pdf"]
    assert pdf["status"] == 200 and pdf["fetched_at"] and pdf["page_type"] == "attachment"
    stored = (crawled["root"] / pdf["file"]).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == pdf["sha256"]
    assert stored == crawled["site"].pages["/legco/papers/cb1-1.pdf"].body
    assert not (store.root / ".job").exists()  # a finished crawl leaves no resume state behind


def test_stopped_crawl_resumes_and_recrawl_fetches_only_changes(tmp_path):
    site = build_site()
    with serve(site) as base:
        write_round(tmp_path, base, sources=("views",))
        first = crawl_round(tmp_path, max_pages=5)[0]
        assert first.finish_reason == "closespider_pagecount"
        assert (tmp_path / "raw" / "views" / ".job").is_dir()
        second = crawl_round(tmp_path)[0]
        assert second.finished
        fetched = [p for p in site.fetched(200) if p != "/robots.txt"]  # each crawl reads robots.txt afresh
        assert len(fetched) == len(set(fetched)) == 12  # resuming fetched nothing twice and missed nothing
        cfg, round_dir = load_round(tmp_path)
        full, _, _ = collect_round(cfg, round_dir)
        assert len(full) == 6

        en3 = site.pages["/views/en/3.html"]
        en3.body = en3.body.replace(b"</article>", b"<p>Added later.</p></article>")
        listing = site.pages["/views/en/index-3.html"]
        listing.body = listing.body.replace(b"</ul>", b'<li><a href="/views/en/8.html">Submission 8</a></li></ul>')
        site.pages["/views/en/8.html"] = Page(site.pages["/views/en/4.html"].body.replace(b"Submission 4", b"Eight"))
        mark = len(site.log)
        again = crawl_round(tmp_path)[0]
        assert (again.counts.fetched, again.counts.unchanged) == (3, 10)  # the rest answered 304 Not Modified
        new_or_changed = ["/robots.txt", "/views/en/3.html", "/views/en/8.html", "/views/en/index-3.html"]
        assert sorted(p for p, s in site.log[mark:] if s == 200) == new_or_changed
        after, _, _ = collect_round(cfg, round_dir)
    assert len(after) == 7 and set(full["response_id"]) < set(after["response_id"])  # old ids kept, one new
    changed = after.set_index("response_id")["text"]
    assert changed[full["response_id"][full["source"].str.endswith("/en/3.html")].iloc[0]].endswith("Added later.")


def test_development_cache_replays_answers_from_inside_the_round(tmp_path):
    site = build_site()
    with serve(site) as base:
        write_round(tmp_path, base, sources=("legco",), extra=", http_cache: true")
        crawl_round(tmp_path)
        mark = len(site.log)
        crawl_round(tmp_path)
    # Only the two oversize documents (never downloaded, so never cached) were asked for again.
    assert sorted(p for p, _ in site.log[mark:]) == ["/legco/papers/cb1-4.pdf", "/legco/papers/cb1-5.pdf"]
    assert (tmp_path / "raw" / "legco" / ".httpcache").is_dir()
