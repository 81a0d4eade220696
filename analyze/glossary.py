"""The brief's fixed text in English and Traditional Chinese, from the shipped glossary (templates/glossary.yaml).

Headings, captions and fixed sentences come only from the glossary, written by people; nothing is machine translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files


@dataclass(frozen=True)
class Term:
    """One piece of fixed text in both languages."""

    en: str
    zh: str

    def show(self, language: str = "both", sep: str = " ") -> str:
        """The text in one language, or both joined by `sep` (once when both are the same, e.g. a number)."""
        if self.en == self.zh:
            return self.en
        return {"en": self.en, "zh": self.zh}.get(language, f"{self.en}{sep}{self.zh}")


@lru_cache(maxsize=1)
def load_glossary() -> dict[str, Term]:
    """All glossary terms by key."""
    import yaml

    raw = yaml.safe_load(files("analyze").joinpath("templates/glossary.yaml").read_text(encoding="utf-8"))
    return {key: Term(str(v["en"]), str(v["zh"])) for key, v in raw.items()}


def term(key: str, **values: object) -> Term:
    """A glossary term with its {placeholders} filled; a `Term` value fills each language with its own text.

    Raises:
        KeyError: the key is not in the glossary (a missing translation is a bug, never shown as a blank).

    """
    t = load_glossary()[key]
    if not values:
        return t
    en = {k: v.en if isinstance(v, Term) else v for k, v in values.items()}
    zh = {k: v.zh if isinstance(v, Term) else v for k, v in values.items()}
    return Term(t.en.format(**en), t.zh.format(**zh))
