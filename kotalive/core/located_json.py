"""JSON that can tell where each object began, so that a check of a data file can name the line of the object at
fault (`agencies.json, line 42: ...`) and not only its path in the document.

The document is parsed by the standard library's fast decoder. Lines are found only when first asked for (a file
without problems never needs them): the text is parsed again with the pure-Python scanner, whose object parser is
wrapped to note the line of every `{`, and the two parses are walked side by side. The C scanner ignores such a
wrapper; the pure-Python one takes a few tens of milliseconds for a few hundred kilobytes."""

import bisect
import json
import re
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

_NEWLINE = re.compile("\n")
_parse_object = json.decoder.JSONObject  # type: ignore[attr-defined]


class _Decoder(json.JSONDecoder):
    def __init__(self, text: str) -> None:
        super().__init__()
        newlines = [m.start() for m in _NEWLINE.finditer(text)]
        self.lines: dict[int, int] = {}

        def parse_object(s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[Any, int]:
            obj, end = _parse_object(s_and_end, *args, **kwargs)
            # s_and_end[1] is just past the "{": its line is one more than the newlines before it.
            self.lines[id(obj)] = bisect.bisect_left(newlines, s_and_end[1] - 1) + 1
            return obj, end

        self.parse_object = parse_object
        self.scan_once = py_make_scanner(self)


def _lines(text: str, document: Any) -> dict[int, int]:
    decoder = _Decoder(text)
    marked = decoder.decode(text)
    lines: dict[int, int] = {}
    pending = [(document, marked)]
    while pending:
        plain, twin = pending.pop()
        if isinstance(plain, dict):
            lines[id(plain)] = decoder.lines[id(twin)]
            pending.extend((plain[key], twin[key]) for key in plain)
        elif isinstance(plain, list):
            pending.extend(zip(plain, twin, strict=True))
    return lines


class LocatedJSON:
    """A parsed document (`document`) and the line where each of its objects begins (`line`)."""

    def __init__(self, text: str, document: Any) -> None:
        self.text = text
        self.document = document
        self._lines: dict[int, int] | None = None

    def line(self, obj: object, default: int = 1) -> int:
        """The line (from 1) where `obj`, an object of this document, begins; `default` for anything else."""
        if self._lines is None:
            self._lines = _lines(self.text, self.document)
        return self._lines.get(id(obj), default)


def json_load_located(text: str) -> LocatedJSON:
    """Parse `text` as JSON; raises json.JSONDecodeError (with `lineno` and `colno`) when it is not JSON."""
    return LocatedJSON(text, json.loads(text))
