"""The methodology appendix is generated from the run: stages, versions, parameters, accuracy rows, limitations."""

import pandas as pd

from analyze.methodology import methodology_section, package_versions

ROW = {
    "task": "language",
    "dataset": "polis-vtaiwan-uberx",
    "language": "zh",
    "n": 197,
    "sample": "all",
    "metrics": {"macro_f1": 0.91234},
    "target": "macro F1 >= 0.9",
    "met": True,
    "status": "ok",
    "source": "CC BY 4.0",
}
LOG = [
    {"stage": "topics", "rows_in": 10, "rows_out": 10, "seconds": 9.0},
    {"stage": "topics", "rows_in": 12, "rows_out": 12, "seconds": 3.5},
]


def _section(tables, accuracy):
    return methodology_section(
        tables=tables,
        run_log=LOG,
        methods={"Topics 議題": "BERTopic"},
        parameters={"topics.seed": "42"},
        versions={"consultkit": "0.1.0"},
        accuracy=accuracy,
    )


def _texts(section) -> str:
    return "\n".join(b.text.en for b in section.blocks if b.kind in ("text", "subheading"))


def test_appendix_lists_the_latest_run_accuracy_and_overrides():
    audit = pd.DataFrame({"step": [1], "action": ["merge"], "topics": [[3, 5]], "into": [3], "status": ["applied"]})
    manifest = pd.DataFrame({"source": ["raw/a.csv"], "sha256": ["ab" * 32], "size_bytes": [123]})
    section = _section({"topic_overrides": audit, "manifest": manifest, "pii": pd.DataFrame()}, [ROW])
    tables = {t.name: t for t in section.tables()}
    assert tables["stages"].rows == (("topics", 12, 12, "3.50"),)  # the latest run of a stage only
    assert tables["accuracy"].rows[0][:5] == ("language", "polis-vtaiwan-uberx", "zh", 197, "macro_f1 0.9123")
    assert tables["overrides"].rows[0][:3] == (1, "merge", "3, 5")
    assert tables["sources"].rows == (("raw/a.csv", "ab" * 32, 123),)
    assert "redaction has not been run" not in _texts(section)


def test_missing_stages_become_limitations():
    section = _section({}, [])
    text = _texts(section)
    assert "No accuracy figures" in text and "No analyst overrides" in text
    assert "redaction has not been run" in text and "Campaign detection has not been run" in text


def test_versions_of_installed_and_missing_packages():
    found = package_versions(("pandas", "surely-not-a-package-xyz"))
    assert found["pandas"] == pd.__version__ and found["surely-not-a-package-xyz"] == "not installed"
