"""Reading: files, stdin, encodings and dates; register pages and register files -> records.

Every reader reports bad data as a located diagnostic and goes on; nothing here raises
on data.
"""

from .dates import month, parse_when, parse_window
from .page import SECTION_HEADINGS, parse_page, parse_page_text
from .register import RegisterTables, read_register
from .sources import TextSource, decode, expand_paths, is_binary, open_text, physical_lines, sniff_kind, text_source

__all__ = [
    "SECTION_HEADINGS",
    "RegisterTables",
    "TextSource",
    "decode",
    "expand_paths",
    "is_binary",
    "month",
    "open_text",
    "parse_page",
    "parse_page_text",
    "parse_when",
    "parse_window",
    "physical_lines",
    "read_register",
    "sniff_kind",
    "text_source",
]
