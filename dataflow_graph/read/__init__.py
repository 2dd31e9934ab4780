"""Reading: files, stdin, encodings and dates; register pages and register files -> records.

Every reader reports bad data as a located diagnostic and goes on; nothing here raises
on data.  :func:`read_inputs` is the way in: paths and folders, each file read by its kind.
"""

from .dates import month, parse_when, parse_window
from .inputs import Inputs, read_inputs
from .page import SECTION_HEADINGS, legal_bases, parse_page, parse_page_text, type_of_data
from .register import RegisterTables, identifiability_of, read_register
from .sources import TextSource, decode, expand_paths, is_binary, open_text, physical_lines, sniff_kind, text_source

__all__ = [
    "SECTION_HEADINGS",
    "Inputs",
    "RegisterTables",
    "TextSource",
    "decode",
    "expand_paths",
    "identifiability_of",
    "is_binary",
    "legal_bases",
    "month",
    "open_text",
    "parse_page",
    "parse_page_text",
    "parse_when",
    "parse_window",
    "physical_lines",
    "read_inputs",
    "read_register",
    "sniff_kind",
    "text_source",
    "type_of_data",
]
