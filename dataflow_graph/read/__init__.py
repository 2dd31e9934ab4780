"""Reading: files, stdin, encodings and dates; register pages and register files -> records.

Every reader reports bad data as a located diagnostic and goes on; nothing here raises
on data.  :func:`read_inputs` is the way in: paths and folders, each input read once and
by its kind, within the documented :class:`Limits`.
"""

from .dates import month, parse_when, parse_window
from .inputs import Inputs, Piece, gather_inputs, parse_pieces, read_inputs
from .limits import DEFAULT_LIMITS, Limits, limits_from_environment
from .page import SECTION_HEADINGS, legal_bases, parse_page, parse_page_text, type_of_data
from .register import RegisterTables, identifiability_of, read_register
from .sources import TextSource, decode, expand_paths, is_binary, physical_lines, sniff_kind, text_source

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
