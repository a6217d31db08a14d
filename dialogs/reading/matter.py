"""Whether a message sent at the bot's menu is a matter worth starting a form with."""

from __future__ import annotations

import re

from dialogs.reading.cleaning import normalise
from dialogs.reading.evidence import Evidence
from dialogs.reading.lexicon import Lexicon, sections

MIN_CONTENT = 8  # Chinese characters of content, greetings and thanks left out
_SHORT_CONTENT = 5  # … or this many, with evidence of a category and a cue of a wrong or an idea
_SHORT_EVIDENCE = (3.0, 2.0)  # (category, cue) evidence a short matter needs
_SERVICE_CONTENT = 15  # a question about the service is a matter too only when this long …
_SERVICE_EVIDENCE = 3.0  # … and with this much category evidence
_LEAST_EVIDENCE = 1.0  # a message with less evidence of any sort is chatter
_WORDS = {
    name: [word for entry in entries for word in entry.split()]
    for name, entries in sections("not_matter.txt").items()
}
_POLITE = Lexicon.of(_WORDS["polite"])
_COMMAND = set(_WORDS["command"])
_QUESTION = Lexicon.of(_WORDS["question"])
_SERVICE = Lexicon.of(_WORDS["service"])
_COMMAND_START = Lexicon.of(_WORDS["command_start"])
_NOT_CONTENT = re.compile(r"[^\u4e00-\u9fff]+")


def _content(text: str) -> str:
    """The Chinese characters of ``text`` with greetings, thanks and politeness left out."""
    kept = []
    at = 0
    for hit in _POLITE.longest(text):
        kept.append(text[at : hit.start])
        at = hit.end
    kept.append(text[at:])
    return _NOT_CONTENT.sub("", "".join(kept))


def _about_the_service(text: str) -> bool:
    """Whether ``text`` asks about the service itself (怎么提建议, 你们几点下班, 投诉多久回复)."""
    if not (any(True for _ in _QUESTION.find(text)) or "?" in text or "？" in text):
        return False
    return any(True for _ in _SERVICE.find(text))


def looks_like_matter(text: str) -> bool:
    """Whether a message at the menu is a matter: enough content, not a greeting, thanks, command or
    question about the service."""
    clean = normalise(text)
    content = _content(clean)
    if len(content) < _SHORT_CONTENT or content in _COMMAND:
        return False
    evidence = Evidence.of(clean)
    category = max(sum(evidence.scores(kind).values()) for kind in evidence.categories)
    cues = sum(evidence.cue_scores().values())
    if len(content) < MIN_CONTENT:
        return category >= _SHORT_EVIDENCE[0] and cues >= _SHORT_EVIDENCE[1]
    if _about_the_service(clean):
        return len(content) >= _SERVICE_CONTENT and category >= _SERVICE_EVIDENCE
    if _COMMAND_START.prefix(content):
        return category >= _SERVICE_EVIDENCE
    return category + cues >= _LEAST_EVIDENCE
