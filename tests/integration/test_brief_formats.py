"""The demo brief in every format, checked as a reader sees it: Chromium screenshot and DOM, PDF pages, DOCX, XLSX."""

import io
import shutil
import subprocess

import pytest

from analyze.brief import brief_context
from analyze.glossary import Term
from analyze.pipeline import load_tables
from analyze.publish import FORMATS, build_brief, write_brief
from collect.roundfile import RoundPaths, load_round

pytestmark = pytest.mark.slow
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SCRIPT = '<script>document.title="pwned"</script> 我反對'
FORMULA = '=HYPERLINK("http://evil.example","click") 反對'
HEADINGS_ZH = ("摘要", "收到的意見", "議題（按大小排列）", "附錄：研究方法")


@pytest.fixture(scope="module")
def written(demo_round, tmp_path_factory):
    cfg, root = load_round(demo_round)
    out = tmp_path_factory.mktemp("brief")
    write_brief(build_brief(cfg, RoundPaths(root, cfg.round)), out, FORMATS)
    return out


def _chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium is not installed (scripts/setup.sh installs it)")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120, check=True)


def test_html_in_chromium_shows_chinese_headings_and_is_not_blank(written, tmp_path):
    from PIL import Image

    page = (written / "brief.html").as_uri()
    dom = _chromium(tmp_path, "--dump-dom", page).stdout
    for heading in HEADINGS_ZH:
        assert heading in dom
    assert "<script" not in dom
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", page)
    image = Image.open(shot).convert("L")
    dark = sum(image.histogram()[:128]) / (image.width * image.height)
    assert 0.005 < dark < 0.5  # text and charts drawn on a white page


def test_pdf_pages_render_and_text_has_both_languages(written, tmp_path):
    from PIL import Image

    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is not installed (scripts/setup.sh installs it)")
    pdf = written / "brief.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", pdf, tmp_path / "page"], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2
    assert Image.open(pages[0]).convert("L").getextrema()[0] < 100  # something dark is drawn
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    assert "Executive summary" in text and "摘要" in text and "計程車" in text


def test_docx_and_xlsx_open_with_their_libraries(written):
    from docx import Document
    from openpyxl import load_workbook

    doc = Document(io.BytesIO((written / "brief.docx").read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any("摘要" in h for h in headings) and any("Methodology" in h for h in headings)
    assert len(doc.inline_shapes) >= 2 and len(doc.tables) >= 4
    wb = load_workbook(written / "brief_tables.xlsx")
    assert {"about", "counts", "themes", "sentiment", "parameters"} <= set(wb.sheetnames)
    assert (written / "brief.md").read_text(encoding="utf-8").startswith("# Demo round")


def test_hostile_submission_is_inert_text_in_every_format(demo_round, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    tables = load_tables(demo_round)
    hostile = dict(zip(tables["topics"]["representative_ids"].iloc[0][:2], (SCRIPT, FORMULA), strict=True))
    # Quotes come from the redacted text when the PII stage ran, else from the normalised text: plant it in both.
    for name, column in (("language", "text_norm"), ("pii", "text_redacted")):
        if name in tables:
            t = tables[name]
            tables[name] = t.assign(**{column: t["response_id"].map(hostile).fillna(t[column])})
    context = brief_context(tables, title=Term("Hostile", "惡意"))
    write_brief(context, tmp_path, FORMATS)

    dom = _chromium(tmp_path, "--dump-dom", (tmp_path / "brief.html").as_uri()).stdout
    assert "<script" not in dom and "pwned" not in dom.split("</title>")[0]  # not run: the title is unchanged
    assert "&lt;script&gt;document.title" in dom
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", tmp_path / "brief.pdf", "-"], capture_output=True, text=True).stdout
        flat = pdf.replace("\n", "")
        assert SCRIPT in flat and FORMULA in flat
    doc = Document(tmp_path / "brief.docx")
    assert {SCRIPT, FORMULA} <= {p.text.rsplit(" [", 1)[0] for p in doc.paragraphs}
    assert "instrText" not in doc.element.xml and "fldSimple" not in doc.element.xml  # no Word fields
    wb = load_workbook(tmp_path / "brief_tables.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.value.startswith(("=", "+", "-", "@")) or c.data_type == "f"]
    assert {SCRIPT, "'" + FORMULA} <= {c.value for c in wb["quotes"]["D"]}
    assert "&lt;script&gt;" in (tmp_path / "brief.md").read_text(encoding="utf-8")


def test_round_over_round_chart_is_drawn():
    import pandas as pd

    from analyze.brief import draw_png
    from analyze.brief_sections import changes_section

    diff = pd.DataFrame(
        {"topic_id": [0, 1, 2], "label_en": ["uber", "wage", "parks"], "label_zh": ["計程車", "工資", "公園"]}
        | {"status": ["same", "new", "gone"], "share_previous": [0.6, None, 0.4], "share_current": [0.5, 0.5, None]}
    )
    section, chart = changes_section(diff, draw_png)
    assert chart.png.startswith(b"\x89PNG") and len(chart.png) > 5000
    assert [row[0] for row in section.tables()[0].rows] == [0, 1, 2]
