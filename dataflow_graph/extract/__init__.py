"""Extraction: the processing text of an entry becomes flows and hops, with evidence.

The engine is code; what it looks for in a sentence is reviewed data.  Scoring
against a hand-labelled gold lives here too (:mod:`.evaluation`).
"""

from .engine import extract, extract_all
from .evaluation import Score, evaluate, load_gold

__all__ = ["Score", "evaluate", "extract", "extract_all", "load_gold"]
