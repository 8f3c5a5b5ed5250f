"""Escaping for every output context of the report.

Every string that comes from an input (ids are file names, titles and urls
are scraped) is hostile until it passes through one of these functions; the
renderers never interpolate input text any other way.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

_WS = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Collapse all whitespace, so a value cannot open a new Markdown block or Mermaid statement."""
    return _WS.sub(" ", text).strip()


def truncate(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


# -- HTML / SVG ---------------------------------------------------------------------------
def h(text: object) -> str:
    """Text or attribute value for HTML and inline SVG (quotes included, so attributes are safe)."""
    return html.escape(str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL if it may become a link (http/https with a host), else None.

    Browsers drop tabs and newlines inside URLs and ignore leading control
    characters, so ``java\\tscript:`` would still run; such a URL is refused
    rather than cleaned.
    """
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def anchor(prefix: str, key: str) -> str:
    """An HTML id / fragment from an input key: only [A-Za-z0-9_-], made unique by a short hash."""
    import hashlib

    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", key)[:40].strip("-") or "x"
    return f"{prefix}-{slug}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:6]}"


# -- Markdown -----------------------------------------------------------------------------
# Characters with a meaning in CommonMark/GFM inline syntax or tables.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#!])")
_MD_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")


def md(text: str) -> str:
    """Inline Markdown text: HTML-significant characters as entities, Markdown syntax backslashed.

    Whitespace is collapsed, so the value stays on its line (a table cell, a list item).
    """
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    m = _MD_LINE_START.match(text)
    if m:
        # "1. x" or "- x" at the start of a list item or cell would open a nested list.
        token = m.group(1)
        text = (token[:-1] + "\\" + token[-1] if token[0].isdigit() else "\\" + token) + text[len(token):]
    return text


def md_code(text: str) -> str:
    """An inline code span around an input value (ids), safe inside a GFM table cell.

    Code spans render their content literally (no HTML), so only the fence
    length and the table pipe need care.
    """
    text = one_line(text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_url(url: str) -> str:
    """A link destination for ``[text](…)``: parentheses, spaces and angle brackets percent-encoded."""
    return quote(url, safe=":/?#@!$&+,;=%~-._*'")


# -- Mermaid ------------------------------------------------------------------------------
# Inside a quoted Mermaid label these end the string, open an entity, or break the fenced
# block; Mermaid's #NNN; entity codes render them as the character itself.
_MERMAID_SPECIAL = set('"#&<>`;|[](){}\\')


def mermaid(text: str) -> str:
    return "".join(f"#{ord(c)};" if c in _MERMAID_SPECIAL else c for c in one_line(text))
