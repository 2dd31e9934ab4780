"""Reading: files, stdin, encodings and dates; register pages and register files -> records.

Every reader reports bad data as a located diagnostic and goes on; nothing here raises
on data.  :func:`read_inputs` is the way in: paths and folders, each input read once and
by its kind, within the documented :class:`Limits`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .dates import month, parse_when, parse_window
from .inputs import Inputs, Piece, gather_inputs, parse_pieces, read_inputs
from .limits import DEFAULT_LIMITS, Limits, limits_from_environment

if TYPE_CHECKING:
    from .page import SECTION_HEADINGS, legal_bases, parse_page, parse_page_text, type_of_data
    from .register import RegisterTables, identifiability_of, read_register
    from .sources import TextSource, decode, expand_paths, is_binary, physical_lines, sniff_kind, text_source

#: Names imported when first used: the parsers compile many patterns, and a command whose
#: inputs are in the load cache never parses.
_LAZY = {
    **dict.fromkeys(("SECTION_HEADINGS", "legal_bases", "parse_page", "parse_page_text", "type_of_data"), "page"),
    **dict.fromkeys(("RegisterTables", "identifiability_of", "read_register"), "register"),
    **dict.fromkeys(
        ("TextSource", "decode", "expand_paths", "is_binary", "physical_lines", "sniff_kind", "text_source"), "sources"
    ),
}


def __getattr__(name: str) -> object:
    """A parser's name, imported on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LIMITS",
    "SECTION_HEADINGS",
    "Inputs",
    "Limits",
    "Piece",
    "RegisterTables",
    "TextSource",
    "decode",
    "expand_paths",
    "gather_inputs",
    "identifiability_of",
    "is_binary",
    "legal_bases",
    "limits_from_environment",
    "month",
    "parse_page",
    "parse_page_text",
    "parse_pieces",
    "parse_when",
    "parse_window",
    "physical_lines",
    "read_inputs",
    "read_register",
    "sniff_kind",
    "text_source",
    "type_of_data",
]
