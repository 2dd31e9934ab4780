"""Extraction: the processing text of an entry becomes flows and hops, with evidence.

The engine is code; what it looks for in a sentence is reviewed data (``rules.yaml``,
compiled by :mod:`.rules`).  The modules read as the pipeline of a sentence:
:mod:`.sentences` (lines cut into sentences), :mod:`.sections` (purpose blocks),
:mod:`.mentions` (the organisations named), :mod:`.hops` (the transfer a sentence
states), :mod:`.chains` (hops ordered into flows), :mod:`.special` (linkage,
re-identification), and :mod:`.extractor` (an entry, a register).  Scoring against a
hand-labelled gold lives here too (:mod:`.evaluation`).
"""

from .evaluation import Score, evaluate, load_gold
from .extractor import extract, extract_all
from .mentions import heading_processors

__all__ = ["Score", "evaluate", "extract", "extract_all", "heading_processors", "load_gold"]
