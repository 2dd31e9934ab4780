"""Reformatted register pages (text or HTML) to :class:`~dataflow_graph.model.Entry` records.

A page is a banner then entries, each opened by a heading ``TITLE — REFERENCE``.
Fields are read through a heading -> reader table that covers the three page variants
seen in the wild (newer, older, earliest).  Lines that fit nowhere are kept on the
entry and reported; the parser never raises on data.

The modules, one reason to change each: :mod:`.layout` (the page line by line: banner,
headings, sections), :mod:`.fields` (which heading is which field, and the entry it
fills), :mod:`.values` (what a field's wording means).
"""

from .fields import SECTION_HEADINGS
from .layout import parse_page, parse_page_text
from .values import legal_bases, type_of_data

__all__ = ["SECTION_HEADINGS", "legal_bases", "parse_page", "parse_page_text", "type_of_data"]
