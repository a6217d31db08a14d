"""Clauses of a citizen's text, also without punctuation (voice), and what each clause is: a
self-introduction, a request, or the problem itself."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from dialogs.reading.lexicon import Lexicon, sections

Span = tuple[int, int]


def _words(entries: list[str]) -> list[str]:
    """The space-separated words of some data lines, longest first."""
    return sorted({word for entry in entries for word in entry.split()}, key=len, reverse=True)


def _alternation(words: list[str]) -> str:
    """A regular-expression alternation of ``words``, longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_CUES = {name: _words(entries) for name, entries in sections("clauses.txt").items()}
REQUEST = Lexicon.of(_CUES["request"])
REQUEST_ANYWHERE = Lexicon.of(_CUES["request_anywhere"])
NO_REQUEST = Lexicon.of(_CUES["no_request"])
LEAD_IN = Lexicon.of(_CUES["lead_in"] + _CUES["filler"])
INTRO = Lexicon.of(_CUES["intro"])
FILLER = Lexicon.of(_CUES["filler"])
SUBJECT = Lexicon.of(_CUES["subject"])
NEW_MATTER = Lexicon.of(_CUES["new_matter"])
NEW_MATTER_WEAK = Lexicon.of(_CUES["new_matter_weak"])
NEW_MATTER_EXPLICIT = Lexicon.of(_CUES["new_matter_explicit"])
NOT_CONNECTIVE = Lexicon.of(_CUES["not_connective"])

# Hard breaks: punctuation, and spaces other than those between two ASCII letters or digits.
_HARD = re.compile(
    r"[，。！？；,!?;：:…~～\n]+|(?<![0-9])\.|\.(?![0-9])|(?<![A-Za-z0-9]) +| +(?![A-Za-z0-9])"
)
# Soft breaks inside a clause: before a connective, or before a request cue (with its subject).
_SOFT = re.compile(
    f"(?<![{''.join(_CUES['no_split_after'])}])"
    f"(?:{_alternation(_CUES['split'])}"
    f"|(?:{_alternation(_CUES['split_subject'])})?(?:{_alternation(_CUES['request_split'])}))"
)
_EDGE = "，。！？；,.!?;：:…~～ 、\"'“”‘’《》（）()【】[]-—"
_SENTENCE_END = "。！？!?；;\n"


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause's span in the text, after its lead-ins and fillers are skipped."""

    start: int
    end: int


def _soft_breaks(text: str, start: int, end: int) -> list[int]:
    """Where a run of text without punctuation starts new clauses."""
    breaks: list[int] = []
    for match in _SOFT.finditer(text, start, end):
        at = match.start()
        if (
            at - (breaks[-1] if breaks else start) >= 2
            and not _starts_with(NO_REQUEST, text, at, end)
            and not _starts_with(NOT_CONNECTIVE, text, at, end)
        ):
            breaks.append(at)
    return breaks


def _starts_with(lexicon: Lexicon, text: str, start: int, end: int) -> int:
    """The length of the longest word of ``lexicon`` at ``text[start:end]``'s start, or 0."""
    return lexicon.prefix(text, start, end)


def _strip(text: str, start: int, end: int) -> Span:
    """``text[start:end]`` without edge punctuation, and without lead-ins and fillers at its start."""
    while start < end:
        if text[start] in _EDGE:
            start += 1
            continue
        skip = _starts_with(LEAD_IN, text, start, end)
        if not skip or _starts_with(NOT_CONNECTIVE, text, start, end):
            break
        start += skip
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def clauses(text: str) -> list[Clause]:
    """``text`` cut into clauses (punctuation, spaces, connectives and request cues), lead-ins skipped."""
    pieces: list[Span] = []
    at = 0
    for match in _HARD.finditer(text):
        pieces.append((at, match.start()))
        at = match.end()
    pieces.append((at, len(text)))
    out: list[Clause] = []
    for piece_start, piece_end in pieces:
        cuts = [piece_start, *_soft_breaks(text, piece_start, piece_end), piece_end]
        for start, end in itertools.pairwise(cuts):
            span = _strip(text, start, end)
            if span[1] > span[0]:
                out.append(Clause(*span))
    return out


def is_intro(text: str, clause: Clause) -> bool:
    """Whether the clause opens with a self-introduction (我是…, 我住在…)."""
    return _starts_with(INTRO, text, clause.start, clause.end) > 0


def request_cue(text: str, clause: Clause) -> bool:
    """Whether the clause asks for something (opens with a request cue, or holds an anywhere-cue)."""
    start = clause.start
    start += _starts_with(SUBJECT, text, start, clause.end)
    if _starts_with(NO_REQUEST, text, start, clause.end):
        return False
    if _starts_with(REQUEST, text, start, clause.end):
        return True
    return any(True for _ in REQUEST_ANYWHERE.find(text[clause.start : clause.end]))


def trim_end(text: str, start: int, end: int) -> int:
    """The end of ``text[start:end]`` without trailing punctuation and fillers."""
    changed = True
    while changed and end > start:
        changed = False
        while end > start and text[end - 1] in _EDGE:
            end -= 1
            changed = True
        for hit in FILLER.find(text[max(start, end - 3) : end]):
            if max(start, end - 3) + hit.end == end and end - len(hit.word) > start:
                end -= len(hit.word)
                changed = True
                break
    return end


def sentence_end(text: str, at: int) -> int:
    """Where the sentence holding position ``at`` ends."""
    ends = [text.find(char, at) for char in _SENTENCE_END]
    found = [end for end in ends if end >= 0]
    return min(found) if found else len(text)
