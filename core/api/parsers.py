"""The API's JSON parser refuses text that cannot be stored.

JSON may spell a lone UTF-16 surrogate (``"\\ud800"``); Python accepts it, but
no database or file can store it, so it would fail deep inside a service. It is
refused here, for every endpoint at once, with a 400 naming the field.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def first_unstorable_text(data, path: str = "") -> str | None:
    """The path (``items[0].note``) of the first text holding a lone surrogate, or None."""
    if isinstance(data, str):
        return (path or "body") if _has_surrogate(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _has_surrogate(key):
                return here
            found = first_unstorable_text(value, here)
            if found:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = first_unstorable_text(value, f"{path}[{index}]")
            if found:
                return found
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            where = first_unstorable_text(data)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply to read.")
        if where:
            raise ParseError(
                f"“{where}” holds a character that is not valid text (a lone UTF-16 surrogate). "
                "Send UTF-8 text."
            )
        return data
