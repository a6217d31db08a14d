"""The short parts of a reading: the title, the request, and how many matters the text holds."""

from __future__ import annotations

from collections.abc import Collection

from dialogs.reading.clauses import (
    NEW_MATTER,
    NEW_MATTER_EXPLICIT,
    NEW_MATTER_WEAK,
    NOT_CONNECTIVE,
    Clause,
    request_cue,
    sentence_end,
    trim_end,
)
from dialogs.reading.evidence import ORDER, Evidence
from dialogs.reading.place import Token

TITLE_MAX = 20
_TITLE_MIN = 8
_REQUEST_MIN = 6
_MATTER_EVIDENCE = 2.5
_LETTER = 150  # characters from which a text is a letter told point by point
_SENTENCE = "。！？!?；;\n"
_DROP_INSIDE = str.maketrans("", "", "嗯呃")


def _problem(clauses: list[Clause], requests: list[bool], evidence: Evidence) -> int:
    """The index of the clause that best carries the problem."""

    def score(index: int) -> float:
        clause = clauses[index]
        weight = evidence.weight(clause.start, clause.end)
        short = min(1.0, (clause.end - clause.start) / _TITLE_MIN)
        return weight * short * (0.5 if requests[index] else 1.0) - 0.2 * index + (0.5 if weight else 0.0)

    return max(range(len(clauses)), key=score)


def _cut(text: str, start: int, end: int, words: list[Token]) -> int:
    """Where a title starting at ``start`` ends: at ``end``, or at a word boundary within the limit."""
    if end - start <= TITLE_MAX:
        return end
    ends = [word_end for _, _, _, word_end in words if start + _TITLE_MIN <= word_end <= start + TITLE_MAX]
    return max(ends) if ends else start + TITLE_MAX


def title(
    text: str, clauses: list[Clause], requests: list[bool], evidence: Evidence, words: list[Token]
) -> str:
    """≤ 20 characters from the clause that carries the problem, in the citizen's words."""
    if not clauses:
        return text[:TITLE_MAX]
    index = _problem(clauses, requests, evidence)
    start, end = clauses[index].start, trim_end(text, clauses[index].start, clauses[index].end)
    following = index + 1
    while (
        end - start < _TITLE_MIN and following < len(clauses) and clauses[following].end - start <= TITLE_MAX
    ):
        end = trim_end(text, start, clauses[following].end)
        following += 1
    end = trim_end(text, start, _cut(text, start, end, words))
    return text[start:end].translate(_DROP_INSIDE).strip()[:TITLE_MAX]


def request(text: str, clauses: list[Clause], requests: list[bool]) -> str | None:
    """The clause that says what the citizen wants done, as written, or None."""
    for index, clause in enumerate(clauses):
        if not requests[index]:
            continue
        end = trim_end(text, clause.start, clause.end)
        if end - clause.start < _REQUEST_MIN and index + 1 < len(clauses):
            end = min(
                trim_end(text, clause.start, clauses[index + 1].end), sentence_end(text, clause.start) + 40
            )
        return text[clause.start : end] or None
    return None


def requests_of(text: str, clauses: list[Clause]) -> list[bool]:
    """Whether each clause asks for something."""
    return [request_cue(text, clause) for clause in clauses]


def matter_starts(text: str, evidence: Evidence, kind: str | None, names: Collection[int] = ()) -> list[int]:
    """Where each separate matter starts: after 另外/还有就是 with evidence of a category, after 还有
    with a category of its own or at a sentence's start; in a long letter only after 另一件事."""
    marks = _connectives(text, names)
    kinds = [kind] if kind else list(ORDER)
    bounds = [*(at for at, _ in marks), len(text)]
    starts = [0]
    seen = _tops(evidence, kinds, 0, bounds[0])
    for (at, strong), end in zip(marks, bounds[1:], strict=True):
        tops = _tops(evidence, kinds, at, end)
        weight = max((sum(evidence.scores(k, at, end).values()) for k in kinds), default=0.0)
        if tops and seen and ((strong and weight >= _MATTER_EVIDENCE) or not tops & seen):
            starts.append(at)
        seen |= tops
    return starts


def _connectives(text: str, names: Collection[int]) -> list[tuple[int, bool]]:
    """Where a connective may start a new matter, and whether it is a strong one."""
    if len(text) > _LETTER:
        marks = [(hit.start, True) for hit in NEW_MATTER_EXPLICIT.longest(text)]
    else:
        marks = [(hit.start, True) for hit in NEW_MATTER.longest(text)]
        marks += [
            (hit.start, text[hit.start - 1 : hit.start] in _SENTENCE) for hit in NEW_MATTER_WEAK.longest(text)
        ]
    return sorted(
        (at, strong)
        for at, strong in marks
        if at > 0 and (not NOT_CONNECTIVE.prefix(text, at) or _named_after(text, at, names))
    )


def _named_after(text: str, at: int, names: Collection[int]) -> bool:
    """Whether a place name starts right after the connective at ``at`` (还有|人民广场站…)."""
    return any(at + size in names for size in (2, 3))


def _tops(evidence: Evidence, kinds: list[str], start: int, end: int) -> set[str]:
    """The best category of each of ``kinds`` within ``text[start:end]``."""
    return {ranked[0] for kind in kinds if (ranked := evidence.ranked(kind, start, end))}
