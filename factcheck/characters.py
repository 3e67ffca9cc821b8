"""Characters that have no place in editorial text, in one table for every file the build reads.

Control characters, lone surrogates and noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF and the last two code points
of every plane) cannot be carried by every output: XML 1.0 (the Atom feeds) refuses C0 controls, surrogates and
U+FFFE/U+FFFF; YAML (the pages' front matter, which MkDocs would silently drop) refuses those and C1 controls;
JSON cannot encode a lone surrogate as UTF-8. Direction-changing and invisible
characters are the harder case: a reviewer reads one thing in the diff while readers are shown another (a summary
whose words display in a different order than they are stored, a URL that hides a character), so they are refused
with their exact position.
"""

from __future__ import annotations

import re
import unicodedata

# Tab, line feed and carriage return are layout (CRLF files from Windows editors are welcome); the rest are not.
# Each table in two parts, the Basic Multilingual Plane's and the other planes': see `_table`.
_NONCHARACTERS_BMP = "\ufdd0-\ufdef\ufffe\uffff"
_NONCHARACTERS_ASTRAL = "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
NONCHARACTERS = _NONCHARACTERS_BMP + _NONCHARACTERS_ASTRAL
_CONTROL_BMP = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS_BMP
CONTROL = _CONTROL_BMP + _NONCHARACTERS_ASTRAL
# Bidirectional embeddings, overrides, isolates and marks; zero-width and other invisible format characters;
# line/paragraph separators; Unicode "tag" characters (invisible ASCII look-alikes used to smuggle text).
_INVISIBLE_BMP = ("\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
                  "\u3164\ufeff\ufff9-\ufffb")
INVISIBLE = _INVISIBLE_BMP + "\U000e0000-\U000e007f"
FORBIDDEN = re.compile(f"[{CONTROL}{INVISIBLE}]")
_CONTROL = re.compile(f"[{CONTROL}]")
_NONCHARACTER = re.compile(f"[{NONCHARACTERS}]")
_FORBIDDEN_BMP = re.compile(f"[{_CONTROL_BMP}{_INVISIBLE_BMP}]")
_CONTROL_BMP_ONLY = re.compile(f"[{_CONTROL_BMP}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _table(text: str, whole: re.Pattern, bmp: re.Pattern) -> re.Pattern:
    """The table to search `text` with: Python's re tests a class holding characters beyond U+FFFF one range at a
    time (ten times slower over a claim file), so text without any such character is searched with the plane-0
    part alone, which finds the same characters in it."""
    return whole if not text.isascii() and _ASTRAL.search(text) else bmp


def forbidden(text: str) -> re.Pattern:
    """FORBIDDEN, or a pattern that finds the same in `text`, faster: `forbidden(text).finditer(text)`."""
    return _table(text, FORBIDDEN, _FORBIDDEN_BMP)


def describe(character: str) -> str:
    """'U+202E (RIGHT-TO-LEFT OVERRIDE)': what the character is, never the character itself."""
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} ({name})" if name else code


def why(character: str) -> str:
    if _NONCHARACTER.match(character):
        return "noncharacters are not allowed (XML, the feeds, and YAML, the pages' front matter, cannot carry them)"
    if _CONTROL.match(character):
        return "control characters are not allowed"
    if unicodedata.bidirectional(character) in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI",
                                                "LRM", "RLM") or character == "\u061c":
        return "direction-changing characters are not allowed (text could display in another order than it is stored)"
    return "invisible characters are not allowed (what reviewers see would differ from what is stored)"


def has_control(text: str) -> bool:
    return bool(_table(text, _CONTROL, _CONTROL_BMP_ONLY).search(text))


def snippet(text: str, limit: int = 60) -> str:
    """A short, escaped excerpt of untrusted text for a message: never more than `limit` characters of it, and
    nothing that could change how a terminal or a CI log shows the message."""
    return printable(text if len(text) <= limit else text[:limit] + "…").replace("\t", "\\t")


def printable(text: str) -> str:
    """`text` with every forbidden character and line break escaped, whole: for one line of a terminal or CI log."""
    return FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text).replace("\n", "\\n").replace("\r", "\\r")
