"""Sections: a Processing section cut into purpose blocks, and what each sentence says.

The section is cut at its sub-headings ("Invoice Validation", "Commissioning
(Pseudonymised) – SUS and Local Flows"); "Data Processor N – X" headings continue the
block they stand in (unless their steps name another purpose, :func:`_own_purpose`), and
"Segregation" blocks are read only for re-identification, never for hops.  A block's
hops take the identifiability its heading, its text or its entry states.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._speed import memoised
from ..errors import Span
from ..model import Entry, Identifiability, Section, is_subheading
from ..names import families_in, vocabulary
from ..names.fragments import Guarded, guarded
from ..read import month
from .hops import ACCESS, LANDING, NEGATED, clause
from .mentions import DP_HEADER
from .rules import rules
from .sentences import ITEM_START, Facts, Piece, first, pieces

__all__ = ["Block", "block_identifiability", "blocks", "facts", "may_state_opt_outs"]

_R = rules()
_PURPOSE_HINT = _R.purpose_hint
_CONTINUATION = _R.continuation
_HEADING_END = _R.heading_end
_HEADING_PSEUDONYMISED = _R.heading_pseudonymised
_HEADING_IDENTIFIABLE = _R.heading_identifiable
_HELD_SEPARATELY = guarded(_R.held_separately, ["separate", "segregated", "kept within"])
_PERIOD_MARKER = guarded(_R.period_marker, ["permitted"])
_LONG_HEADING = _R.long_heading
_PURPOSE_NAMED = _R.purpose_named
_STEP = _R.step_number
#: the opt-out statements (read in lower case) behind a proven prefilter: every match of
#: either holds one of these words ("remove records for all patients who have registered type 2 …")
_OPT_OUT_WORDS = ("objection", "objector", "opt", "remov")
_APPLIED = guarded(_R.applied, _OPT_OUT_WORDS)
_NOT_APPLIED = guarded(_R.not_applied, _OPT_OUT_WORDS)
_VERB = _R.verb
_LINKAGE = guarded(_R.linkage, ["link"])
# "re-identif" whole: "identif" alone stands in every sentence that says "identifiable"
_REID = guarded(_R.reidentification, ["reidentif", "re-identif", "gp"])
_HOSTS = guarded(_R.hosts, ["host"])
_KEYS = guarded(_R.keys, ["key"])
# the rules of a sentence's facts behind proven prefilters (names/fragments.py): most
# sentences hold none of their words, and a plain word test is far cheaper than the regex
_ACCESS = guarded(
    ACCESS,
    ["user", "staff", "analyst", "ccg", "can"],
    ["use", "access", "view", "log", "dial", "query", "interrogate"],
    "system module online on-line front portal platform tool application environment service".split(),
)
_LANDING = guarded(LANDING, ["land", "download"])
#: every "data processor" role word holds one of these (proven of the rule's group ``dp``)
_DP_WORD = Guarded(_R.role_words, [["processor", "dp"]], within="dp")
_WORDS = vocabulary()
# the counted words (identifiability.yaml) and the heading rule behind proven prefilters too:
# few sentences hold "pseudonymi", "identifiable" or "processor"
_PSEUDO_WORD = guarded(_WORDS.pseudonymised_word, ["pseudonymi"])  # case-sensitive: read in lower case
_IDENT_WORD = guarded(_WORDS.identifiable_word, ["identifiable"])
_IDENT_ANY_CASE = guarded(_WORDS.identifiable_any_case, ["identifiable"])
_DP_HEADER = guarded(DP_HEADER, ["processor"])


@dataclass
class Block:
    """A purpose block: its heading and its sentences, and the time limit it states."""

    purpose: str
    sentences: list[Piece] = field(default_factory=list)
    segregation: bool = False
    #: ("2016-12", where): "(Permitted until 31st December 2016)" under the heading
    until: tuple[str, Span] | None = None


def _mentions_hint(text: str) -> bool:
    """A title-case line that is really a sentence fragment naming organisations."""
    return bool(first(_VERB, text))


def blocks(section: Section) -> list[Block]:
    """The purpose blocks of a section, in order; a block with no sentence is dropped.

    Besides its headings, a block is cut where the text starts a variant of the same
    purpose: at a period marker ("(Permitted until 31st December 2016)", "(Permitted From
    1st November 2016)"), whose time limit binds the part it heads, and at a "Data
    Processor N – X" heading whose steps number from the start again (the chain is told
    anew for that processor; one whose steps go on numbering continues the chain).
    """
    out = [Block("")]
    pending: list[Piece] = []  # a "Data Processor N" heading, until the next step says which
    last = 0  # the last step number of the current block
    anew: list[Block] = []  # the "Data Processor N" parts told anew
    for span in section.lines:
        name, marker, parts = _layout(span.text)
        if name is not None or marker is not None:
            out[-1].sentences.extend(pending)
            pending = []
            last = 0
            if name is not None:
                out.append(Block(name, segregation=name.lower().startswith("segregation")))
            else:
                out.append(Block(out[-1].purpose, segregation=out[-1].segregation))
            if marker:
                out[-1].until = (marker, Span(span.path, span.line, 1, span.text.strip()))
            continue
        for col, chunk, ends_list, is_item, said, number in parts:
            piece = Piece(chunk, span, col, ends_list, is_item, said)
            if said.dp_header is not None and last:
                pending.append(piece)
                continue
            if pending:
                if number is not None and number <= last:
                    previous = out[-1]
                    out.append(Block(previous.purpose, segregation=previous.segregation, until=previous.until))
                    anew.append(out[-1])
                out[-1].sentences.extend(pending)
                pending = []
            if number is not None:
                last = number
            out[-1].sentences.append(piece)
    out[-1].sentences.extend(pending)
    for block in anew:
        block.purpose = _own_purpose(block)
    return [b for b in out if b.sentences]


def _own_purpose(block: Block) -> str:
    """The purpose of a "Data Processor N – X" part told anew: that of the block it follows,
    unless that block's heading names a purpose its steps never name while they name others
    ("Data Processor 3 – PI Limited (PI Care and Health)" after "Invoice Validation", whose
    steps are risk stratification, PurposeStatements 797): then the one other purpose its steps
    name, title-cased, or none (unstated) when they name several."""
    heading = {m.group(0).lower() for m in _PURPOSE_NAMED.finditer(block.purpose)}
    if not heading:
        return block.purpose
    named: dict[str, str] = {}
    for s in block.sentences:
        for m in _PURPOSE_NAMED.finditer(s.text):
            named.setdefault(" ".join(m.group(0).lower().split()), m.group(0))
    if not named or heading & set(named):
        return block.purpose
    return next(iter(named)).title() if len(named) == 1 else ""


def _step_number(text: str) -> int | None:
    m = _STEP.match(text)
    return int(m.group(1)) if m else None


@memoised(65536)
def _layout(
    line: str,
) -> tuple[str | None, str | None, tuple[tuple[int, str, bool, bool, Facts, int | None], ...]]:
    """A line's part in the blocks, remembered: the purpose it heads a block for (or None),
    the month of the time limit it states as a heading or a marker ("" for a marker with
    none), and else its sentences with their facts and step numbers ("Data Processor N – X"
    stands in the block as a sentence)."""
    text = line.strip()
    limit = _PERIOD_MARKER.search(text)
    until = month(limit.group("month")) or "" if limit and limit.group("kind").lower() == "until" else ""
    if limit and limit.start() == 0:
        return None, until, ()
    heading = text[: limit.start()].rstrip() if limit else text
    if (
        (is_subheading(heading) or _is_long_heading(heading))
        and not ITEM_START.match(heading)
        and (_PURPOSE_HINT.search(heading) or not _mentions_hint(heading))
        and not _CONTINUATION.match(heading)
    ):
        return _HEADING_END.sub("", heading), until or None, ()
    return None, None, tuple((*piece, facts(piece[1]), _step_number(piece[1])) for piece in pieces(line))


def _is_long_heading(text: str) -> bool:
    """ "Commissioning – Identifiable – SUS, Local Flows, Mental Health, MSDS, IAPT, CYPHS and
    DIDS General Commissioning": a heading too long for :func:`is_subheading`."""
    return len(text) > 100 and bool(_LONG_HEADING.match(text)) and is_subheading(text[:100].rsplit(" ", 1)[0])


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
    header = _DP_HEADER.search(text, low=low)
    special = bool(_LINKAGE.search(text, low=low)) or bool(
        _REID.search(text, low=low) and not NEGATED.search(text.split(",")[0])
    )
    access = bool(_ACCESS.search(text, low=low)) and not NEGATED.search(text, low=low)
    transfer = clause(text) is not None
    landing = bool(_LANDING.search(text, low=low))
    return Facts(
        families=families_in(text),
        pseudo=_count(_PSEUDO_WORD, low),
        ident=_count(_IDENT_WORD, low),
        dp_header=header.group("n") if header else None,
        held_separately=bool(_HELD_SEPARATELY.search(text, low=low)),
        special=special,
        access=access,
        transfer=transfer,
        landing=landing,
        says_identifiable=bool(_IDENT_ANY_CASE.search(text, low=low)),
        hosts_at=hosts.start() if (hosts := _HOSTS.search(text, low=low)) else None,
        keys=bool(_KEYS.search(text, low=low)),
        active=special or access or transfer or landing,
        opt_outs=_opt_outs(low),
        dp_word=_DP_WORD.possible(text, low),
    )


def _count(word: Guarded, low: str) -> int:
    """How many times a counted word stands in lower-cased text: none where its proven
    fragment does not (every match holds it), else as many as the pattern finds."""
    return len(word.pattern.findall(low)) if word.possible(low) else 0


def may_state_opt_outs(low: str) -> bool:
    """False only when lower-cased text can hold no opt-out statement: it lacks every word
    both patterns are proven to hold (where a proof fails, the guard is dropped: True)."""
    return _NOT_APPLIED.possible(low) or _APPLIED.possible(low)


def _opt_outs(low: str) -> str | None:
    """ "yes" when a sentence says type 2 objections are applied, "no" when it says they are
    not (rules.yaml, opt_outs); None when it says neither."""
    if _NOT_APPLIED.search(low):
        return "no"
    return "yes" if _APPLIED.search(low) else None
