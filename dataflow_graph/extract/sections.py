"""Sections: a Processing section cut into purpose blocks, and what each sentence says.

The section is cut at its sub-headings ("Invoice Validation", "Commissioning
(Pseudonymised) – SUS and Local Flows"); "Data Processor N – X" headings continue the
block they stand in, and "Segregation" blocks are read only for re-identification,
never for hops.  A block's hops take the identifiability its heading, its text or its
entry states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._speed import memoised
from ..model import Entry, Identifiability, Section, is_subheading
from ..names import families_in, vocabulary
from .hops import ACCESS, LANDING, NEGATION, clause
from .mentions import DP_HEADER
from .rules import rules
from .sentences import ITEM_START, Facts, Piece, first, pieces

__all__ = ["Block", "block_identifiability", "blocks", "facts"]

_R = rules()
_PURPOSE_HINT = _R.purpose_hint
_CONTINUATION = _R.continuation
_HEADING_END = _R.heading_end
_HEADING_PSEUDONYMISED = _R.heading_pseudonymised
_HEADING_IDENTIFIABLE = _R.heading_identifiable
_HELD_SEPARATELY = _R.held_separately
_VERB = _R.verb
_LINKAGE = _R.linkage
_REID = _R.reidentification
_HOSTS = _R.hosts
_KEYS = _R.keys
_WORDS = vocabulary()
_PSEUDO_WORD = _WORDS.pseudonymised_word
_IDENT_WORD = _WORDS.identifiable_word
_IDENT_ANY_CASE = _WORDS.identifiable_any_case


@dataclass
class Block:
    """A purpose block: its heading and its sentences."""

    purpose: str
    sentences: list[Piece] = field(default_factory=list)
    segregation: bool = False


def _mentions_hint(text: str) -> bool:
    """A title-case line that is really a sentence fragment naming organisations."""
    return bool(first(_VERB, text))


def blocks(section: Section) -> list[Block]:
    """The purpose blocks of a section, in order; a block with no sentence is dropped."""
    out = [Block("")]
    into = out[-1].sentences
    for span in section.lines:
        name, parts = _layout(span.text)
        if name is not None:
            out.append(Block(name, segregation=name.lower().startswith("segregation")))
            into = out[-1].sentences
            continue
        for col, chunk, ends_list, is_item, said in parts:
            into.append(Piece(chunk, span, col, ends_list, is_item, said))
    return [b for b in out if b.sentences]


@memoised(65536)
def _layout(line: str) -> tuple[str | None, tuple[tuple[int, str, bool, bool, Facts], ...]]:
    """A line's part in the blocks, remembered: the purpose it heads a block for, or None
    and its sentences with their facts ("Data Processor N – X" continues the block it
    stands in)."""
    text = line.strip()
    if (
        is_subheading(text)
        and not ITEM_START.match(text)
        and (_PURPOSE_HINT.search(text) or not _mentions_hint(text))
        and not _CONTINUATION.match(text)
    ):
        return _HEADING_END.sub("", text), ()
    return None, tuple((*piece, facts(piece[1])) for piece in pieces(line))


def block_identifiability(block: Block, entry: Entry) -> Identifiability:
    """The default identifiability of a block's hops: heading, then text, then entry."""
    heading = block.purpose.lower()
    if any(w in heading for w in _HEADING_PSEUDONYMISED):
        return Identifiability.PSEUDONYMISED
    if any(w in heading for w in _HEADING_IDENTIFIABLE):
        return Identifiability.IDENTIFIABLE
    pseudo = ident = 0
    for s in block.sentences:  # words never span sentences: counted per sentence
        said = s.facts
        pseudo += said.pseudo
        ident += said.ident
    if pseudo or ident:
        return Identifiability.PSEUDONYMISED if pseudo >= ident else Identifiability.IDENTIFIABLE
    if entry.type_of_data in {i.value for i in Identifiability}:
        return Identifiability(entry.type_of_data)
    return Identifiability.PSEUDONYMISED


@memoised(131072)
def facts(text: str) -> Facts:
    """What a sentence's text alone says (remembered)."""
    low = text.lower()
    header = DP_HEADER.search(text)
    special = bool(_LINKAGE.search(text)) or bool(_REID.search(text) and not NEGATION.search(text.split(",")[0]))
    access = bool(ACCESS.search(text)) and not NEGATION.search(text)
    transfer = clause(text) is not None
    landing = bool(LANDING.search(text))
    return Facts(
        families=families_in(text),
        pseudo=len(_PSEUDO_WORD.findall(low)),
        ident=len(_IDENT_WORD.findall(low)),
        dp_header=header.group("n") if header else None,
        held_separately=bool(_HELD_SEPARATELY.search(text)),
        special=special,
        access=access,
        transfer=transfer,
        landing=landing,
        says_identifiable=bool(_IDENT_ANY_CASE.search(text)),
        hosts_at=hosts.start() if (hosts := _HOSTS.search(text)) else None,
        keys=bool(_KEYS.search(text)),
        active=special or access or transfer or landing,
    )
