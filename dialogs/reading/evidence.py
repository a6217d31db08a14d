"""Evidence in a text from the weighted word lists: each form's categories and the kind's cues."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dialogs.forms import COMPLAINT_CATEGORIES, SUGGESTION_CATEGORIES
from dialogs.reading.lexicon import Lexicon, lines, sections, weighted

SUGGESTION = "suggestion"
COMPLAINT = "complaint"
ORDER: dict[str, tuple[str, ...]] = {SUGGESTION: SUGGESTION_CATEGORIES, COMPLAINT: COMPLAINT_CATEGORIES}
_FILES = {SUGGESTION: "categories_suggestion.txt", COMPLAINT: "categories_complaint.txt"}


@dataclass(frozen=True, slots=True)
class Mark:
    """One keyword found: where, for which label (a category or a kind), and how much it weighs."""

    start: int
    end: int
    label: str
    weight: float


def _table(groups: dict[str, list[str]], allowed: Iterable[str], name: str) -> dict[str, list[Mark]]:
    """Keyword → its labels and weights (as marks without a place), checking labels against ``allowed``."""
    unknown = set(groups) - set(allowed)
    if unknown:
        raise ValueError(f"{name}: unknown sections {sorted(unknown)}")
    table: dict[str, list[Mark]] = {}
    for label, entries in groups.items():
        for word, weight in weighted(entries).items():
            table.setdefault(word, []).append(Mark(0, 0, label, weight))
    return table


def _patterns(table: dict[str, list[Mark]]) -> list[tuple[re.Pattern[str], list[Mark]]]:
    """The ``re:``-prefixed keywords of ``table`` (taken out of it), compiled."""
    found = [word for word in table if word.startswith(_PATTERN)]
    return [(re.compile(word[len(_PATTERN) :]), table.pop(word)) for word in found]


_PATTERN = "re:"
_MASK = "\x00"
_CATEGORY_TABLES = {kind: _table(sections(name), ORDER[kind], name) for kind, name in _FILES.items()}
_CATEGORY_PATTERNS = {kind: _patterns(table) for kind, table in _CATEGORY_TABLES.items()}
NEUTRAL = "neutral"  # kind_cues.txt's words that only stop false cues (今天天气 holds no 天天)
_CUE_TABLE = _table(sections("kind_cues.txt"), [*ORDER, NEUTRAL], "kind_cues.txt")
_CUE_PATTERNS = _patterns(_CUE_TABLE)
_CATEGORY_LEXICONS = {kind: Lexicon.of(table) for kind, table in _CATEGORY_TABLES.items()}
_CUE_LEXICON = Lexicon.of(_CUE_TABLE)
_LEAN = {
    (kind, label): float(factor) for kind, label, factor in (line.split() for line in lines("kind_lean.txt"))
}
CATEGORY_WORDS = Lexicon.of(word for table in _CATEGORY_TABLES.values() for word in table)


def _marks(
    text: str,
    lexicon: Lexicon,
    table: dict[str, list[Mark]],
    patterns: list[tuple[re.Pattern[str], list[Mark]]],
) -> list[Mark]:
    """The marks of every keyword in ``text`` (the longest where they overlap), then of every pattern."""
    found = [
        Mark(hit.start, hit.end, mark.label, mark.weight)
        for hit in lexicon.longest(text)
        for mark in table[hit.word]
    ]
    for pattern, marks in patterns:
        for match in pattern.finditer(text):
            found.extend(Mark(match.start(), match.end(), mark.label, mark.weight) for mark in marks)
    return found


@dataclass(frozen=True, slots=True)
class Evidence:
    """All keywords found in one text: per form's categories, and the kind cues."""

    categories: dict[str, list[Mark]]
    cues: list[Mark]

    @classmethod
    def of(cls, text: str, names: Iterable[tuple[int, int]] = ()) -> Evidence:
        """The evidence in ``text``, leaving out the ``names`` spans (place names: 金桥 is no bridge)."""
        masked = list(text)
        for start, end in names:
            masked[start:end] = _MASK * (end - start)
        plain = "".join(masked)
        categories = {
            kind: _marks(plain, _CATEGORY_LEXICONS[kind], _CATEGORY_TABLES[kind], _CATEGORY_PATTERNS[kind])
            for kind in ORDER
        }
        return cls(categories, _marks(plain, _CUE_LEXICON, _CUE_TABLE, _CUE_PATTERNS))

    def scores(self, kind: str, start: int = 0, end: int | None = None) -> dict[str, float]:
        """Each category of ``kind``'s form with its score within ``text[start:end]``."""
        out: dict[str, float] = {}
        for mark in self.categories[kind]:
            if mark.start >= start and (end is None or mark.end <= end):
                out[mark.label] = out.get(mark.label, 0.0) + mark.weight
        return out

    def ranked(self, kind: str, start: int = 0, end: int | None = None) -> tuple[str, ...]:
        """``kind``'s categories with evidence, best first (the form's order breaks ties)."""
        scores = self.scores(kind, start, end)
        order = ORDER[kind]
        return tuple(sorted(scores, key=lambda label: (-scores[label], order.index(label))))

    def cue_scores(self, start: int = 0, end: int | None = None) -> dict[str, float]:
        """The weight of the cues of each kind within ``text[start:end]``."""
        out = {kind: 0.0 for kind in ORDER}
        for mark in self.cues:
            if mark.label in out and mark.start >= start and (end is None or mark.end <= end):
                out[mark.label] += mark.weight
        return out

    def weight(self, start: int = 0, end: int | None = None) -> float:
        """How much evidence of any sort lies within ``text[start:end]``."""
        best = max((sum(self.scores(kind, start, end).values()) for kind in ORDER), default=0.0)
        return best + sum(self.cue_scores(start, end).values())

    def lean(self, start: int = 0, end: int | None = None) -> dict[str, float]:
        """How much each kind's categories' evidence leans the kind (kind_lean.txt)."""
        return {
            kind: sum(
                score * _LEAN.get((kind, label), 0.0)
                for label, score in self.scores(kind, start, end).items()
            )
            for kind in ORDER
        }

    def kind(self, start: int = 0, end: int | None = None) -> str | None:
        """The kind the cues point to (the categories' lean when no cue does), or None."""
        cues = self.cue_scores(start, end)
        if cues[SUGGESTION] == cues[COMPLAINT] == 0.0:
            cues = self.lean(start, end)
            if cues[SUGGESTION] == cues[COMPLAINT] == 0.0:
                return None
        return SUGGESTION if cues[SUGGESTION] > cues[COMPLAINT] else COMPLAINT
