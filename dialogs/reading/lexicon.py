"""The word lists (package data, read once at import) and a small many-words finder over them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

_PAIRS = re.compile(r"\s{2,}|\t")
_DATA = resources.files("dialogs.reading").joinpath("data")


def lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of data file ``name``, stripped."""
    text = _DATA.joinpath(name).read_text(encoding="utf-8")
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def sections(name: str) -> dict[str, list[str]]:
    """The lines of data file ``name`` grouped under their ``[section]`` headers."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines(name):
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1].strip(), [])
        elif current is None:
            raise ValueError(f"{name}: {line!r} before any [section]")
        else:
            current.append(line)
    return out


def weighted(entries: Iterable[str], default: float = 1.0) -> dict[str, float]:
    """``word weight`` pairs (weight optional; pairs on a line split by two spaces) as word → weight."""
    out: dict[str, float] = {}
    for line in entries:
        for pair in _PAIRS.split(line):
            word, _, weight = pair.strip().partition(" ")
            out[word] = float(weight) if weight.strip() else default
    return out


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a listed word in a text."""

    start: int
    end: int
    word: str


@dataclass(slots=True)
class Lexicon:
    """Finds every occurrence of many words at once (words indexed by their first character)."""

    _by_first: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, words: Iterable[str]) -> Lexicon:
        """A finder for ``words`` (duplicates and empty words ignored)."""
        lexicon = cls()
        for word in set(words):
            if word:
                lexicon._by_first.setdefault(word[0], []).append(word)
        for bucket in lexicon._by_first.values():
            bucket.sort(key=len, reverse=True)
        return lexicon

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` is one of the listed words."""
        return isinstance(word, str) and bool(word) and word in self._by_first.get(word[0], ())

    def prefix(self, text: str, start: int = 0, end: int | None = None) -> int:
        """The length of the longest word at ``text[start:end]``'s start, or 0."""
        limit = len(text) if end is None else end
        if start >= limit:
            return 0
        for word in self._by_first.get(text[start], ()):
            if start + len(word) <= limit and text.startswith(word, start):
                return len(word)
        return 0

    def find(self, text: str) -> Iterator[Hit]:
        """Every occurrence of every word in ``text``, overlapping ones included, by start."""
        by_first = self._by_first
        for i, char in enumerate(text):
            for word in by_first.get(char, ()):
                if text.startswith(word, i):
                    yield Hit(i, i + len(word), word)

    def longest(self, text: str) -> list[Hit]:
        """Occurrences of words in ``text``, scanning left to right and taking the longest at each place."""
        out: list[Hit] = []
        by_first = self._by_first
        i = 0
        while i < len(text):
            for word in by_first.get(text[i], ()):
                if text.startswith(word, i):
                    out.append(Hit(i, i + len(word), word))
                    i += len(word)
                    break
            else:
                i += 1
        return out
