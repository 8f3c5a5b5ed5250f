"""What the command line prints to a terminal: input text with no power over the terminal.

File names, ids, titles and texts come from scraped input. A control character in them (ESC
sequences that clear the screen or make OSC 8 links, a carriage return that hides the line
before it) would reach the terminal through any message; every console of the CLI is a
:class:`SafeConsole`, which shows each C0/C1 control character (tab and newline aside) as U+FFFD.
Rich markup in input ("a[/]" is a closing tag) is escaped where the input is interpolated.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """``text`` with each control character but tab and newline as U+FFFD (length kept, so the
    spans of a rich Text over it stay right)."""
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text


class SafeConsole(Console):
    """A rich Console that never writes a control character of its input to the terminal."""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # every str printed or put in a table
        return super().render_str(safe(text), **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(_safe_text(o) if isinstance(o, Text) else o for o in objects), **kwargs)


def _safe_text(text: Text) -> Text:
    if not _CONTROL.search(text.plain):
        return text
    copy = text.copy()
    copy.plain = safe(text.plain)
    return copy
