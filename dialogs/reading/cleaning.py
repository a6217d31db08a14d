"""Normalising a citizen's text: traditional → simplified, full-width ASCII → half-width, cleaned."""

from __future__ import annotations

import re

import opencc

_T2S = opencc.OpenCC("t2s")

# Full-width digits, letters and ASCII symbols become half-width; Chinese punctuation (，。！？：；（）)
# stays as typed so that the spans we hand back read as the citizen wrote them.
_KEEP = set("，。！？：；（）")
_WIDTH = {code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP} | {
    0x3000: " "
}
_SPACES = re.compile(r"\s+")
# control characters (tab and newline are spaces), format characters (zero-width, direction marks,
# BOM, soft hyphen), private use and lone surrogates
_DROP = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ue000-\uf8ff\ud800-\udfff]"
)


def normalise(text: str) -> str:
    """``text`` simplified, half-width for ASCII, without control or zero-width characters, trimmed."""
    cleaned = _T2S.convert(_DROP.sub("", text).translate(_WIDTH))
    return _SPACES.sub(" ", cleaned).strip()
