"""Mentions: the organisations a sentence names, and what role words mean in one entry.

Organisations are found by the gazetteer's aliases, by the shape of a name ("… CCG",
"… Limited") and by role words resolved inside the entry: "the CCG" is the entry's
controller, "the DSCRO" the regional office the block (or its processor's part) names,
"Data Processor 1" the organisation of that heading, an unnumbered "the data processor" the
processor its own block names (else no one).  Where the names stand in a text is remembered per text;
only what they mean in the entry is worked out per entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._speed import BoundedMemo, line_texts
from ..model import Entry, Organisation, Role, Section
from ..names import Gazetteer, normalise
from ..names.fragments import guarded
from ..names.text import NOT_IN_WORDS
from .rules import rules
from .sentences import pieces

__all__ = [
    "CARE_PROVIDERS",
    "CEFF",
    "GENERIC_DSCRO",
    "GP_PRACTICES",
    "LOCAL_SOURCES",
    "NHS_DIGITAL",
    "UNSTATED_CSU",
    "Context",
    "Mention",
    "candidates",
    "context",
    "heading_named",
    "heading_processors",
    "line_facts",
    "may_name_office",
    "mentions_in",
    "office_words",
    "remember_sentences",
    "role_word",
]

NHS_DIGITAL = "org:nhs-digital"
GENERIC_DSCRO = "org:dscro"
LOCAL_SOURCES = "org:local-sources"
GP_PRACTICES = "org:gp-practices"
CARE_PROVIDERS = "org:care-providers"
CEFF = "Controlled Environment for Finance (CEfF)"
#: what "the CSU" means in a block that names no CSU, in an entry that names several: a CSU
#: the text does not say; hops to or from it are never built (extract/chains.py)
UNSTATED_CSU = Organisation("org:unstated-csu", "the CSU (not stated which)", Role.CSU, reviewed=False)

_R = rules()
NAME_SHAPE = _R.name_shape
_ROLE_WORDS = _R.role_words
DP_HEADER = _R.dp_header
_DP_INLINE = _R.dp_inline
#: the headings and marks behind proven prefilters: every heading holds "processor" in some
#: case (the pattern ignores case: "DATA PROCESSOR 1 – X" is one), every mark "rocessor" or "DP"
_HEADER = guarded(DP_HEADER, ["processor"])
_MARK = guarded(_DP_INLINE, ["rocessor", "DP"])
_TITLE_CONTROLLER = _R.title_controller
_COMMA = _R.apposition
_LEADING_WORDS = _R.leading_words
_GENERIC_NAME = _R.generic_name
_OWNER = _R.owner
_POSSESSIVE = _R.possessive_marks
_OWNED_PLACE = _R.owned_place
_COUNCIL = re.compile(r"(?i)\b(?:council|authority)\b")


@dataclass(frozen=True, slots=True)
class Mention:
    """An organisation named in a text at ``start:end``, as the entry reads it."""

    start: int
    end: int
    text: str
    org: Organisation
    unit: str | None = None
    generic: bool = False  # a role word, not a name


#: what a role word is: its kind ("ccg", "dscro", "dp"…) and processor number if any
RoleWord = tuple[str, str | None]
#: what one line tells an entry: its first DSCRO and CSU, "Data Processor N – X" headings
#: and "(DP N)" marks as (N, text to look for X in), and every CSU it names
LineFacts = tuple[
    Organisation | None,
    Organisation | None,
    tuple[tuple[str, str], ...],
    tuple[tuple[str, str], ...],
    tuple[Organisation, ...],
]
NOTHING: LineFacts = (None, None, (), (), ())


@dataclass
class Context:
    """What role words mean inside one entry: its CCG, DSCRO, CSU, data processors."""

    entry: Entry
    names: Gazetteer
    ccg: Organisation | None = None
    dscro: Organisation | None = None
    #: what "the CSU" means: the one CSU its block names, else the one the entry names (None
    #: when the entry names several and the block none: which one is not stated)
    csu: Organisation | None = None
    processors: dict[str, Organisation] = field(default_factory=dict)
    #: what an unnumbered "the data processor" means: the processor its own block names
    #: (extractor._block_processor), else none; never another block's "Data Processor 1"
    processor: Organisation | None = None
    line_memo: BoundedMemo[str, LineFacts] = field(default_factory=BoundedMemo)  # names.memo("flows.line")
    hops_memo: BoundedMemo[Any, Any] = field(default_factory=BoundedMemo)  # names.memo("flows.hops")
    names_dscro: bool = False  # the entry's text names a DSCRO (any, or "the DSCRO")
    noted: set[tuple[str, ...]] = field(default_factory=set)  # notes given for this entry (once each)
    csus: frozenset[str] = frozenset()  # ids of every CSU the entry's text names
    #: the names of the organisations its "Data Processor N – X" headings name, in text order
    #: (:func:`heading_named`; each resolves to that organisation)
    headed: list[str] = field(default_factory=list)

    def line(self, text: str) -> LineFacts:
        """:func:`line_facts` of one line, remembered across entries (register lines repeat)."""
        facts = self.line_memo.get(text)
        if facts is None:
            facts = self.line_memo.remember(text, line_facts(text, self.names))
        return facts


def context(entry: Entry, names: Gazetteer, lines_of: Callable[[Section], Sequence[str]] = line_texts) -> Context:
    """The entry's CCG (its organisation, a controller, or a CCG in its title), the DSCRO and
    data processors its text names first, and its CSU when its text names exactly one
    (``lines_of``: a section's line texts, where the caller has them already)."""
    ctx = Context(entry, names, line_memo=names.memo("flows.line"), hops_memo=names.memo("flows.hops"))
    for candidate in (entry.organisation, *entry.controllers, entry.title):
        if not candidate:
            continue
        org = names.lookup(candidate)
        if org is None and candidate in (entry.organisation, *entry.controllers):
            org = names.resolve(candidate)
        elif org is None:
            m = NAME_SHAPE.search(candidate)
            org = names.resolve(m.group(0)) if m and _TITLE_CONTROLLER.search(m.group(0)) else None
        if org is not None and org.role in (Role.CONTROLLER, Role.OTHER, Role.PROCESSOR, Role.CSU):
            ctx.ccg = org
            break
    csus: dict[str, Organisation] = {}
    remembered = ctx.line_memo.get  # most lines are met again: their facts looked up at C speed
    parted = names.memo("flows.parted")
    for section in entry.sections:
        cut = section.name == "Processing"  # always read in sentences (extractor.extract)
        for text in lines_of(section):  # the words alone: no line's span is made here
            if cut and text not in parted:
                remember_sentences(text, names)
            facts = remembered(text) or ctx.line(text)  # (facts are never empty)
            if facts is NOTHING:
                continue
            dscro, _csu, headers, inline, named = facts
            if dscro is not None and ctx.dscro is None:
                ctx.dscro = dscro
            for org in named:
                csus.setdefault(org.id, org)
            for n, name in headers:
                if (named_by := heading_named(name, ctx)) is not None:
                    ctx.processors.setdefault(n, named_by.org)
                    ctx.headed.append(named_by.org.name)  # "the DSCRO": the entry's own
            for n, before in inline:
                found = mentions_in(before, ctx, resolve_roles=False)
                if found:
                    ctx.processors.setdefault(n, found[-1].org)
    ctx.csus = frozenset(csus)
    ctx.csu = next(iter(csus.values())) if len(csus) == 1 else None
    return ctx


def heading_named(name: str, ctx: Context) -> Mention | None:
    """The organisation a "Data Processor N – X" heading names: the first one named in X
    ("AQuA (via DP1)" names AQuA, "Optum (on behalf of South Lincolnshire)" Optum), None
    when X names none."""
    found = mentions_in(name, ctx, resolve_roles=False)
    return found[0] if found else None


def heading_processors(entry: Entry, names: Gazetteer) -> list[str]:
    """The names the entry's "Data Processor N – X" headings give its processors, in text
    order, each read as :func:`context` reads it (:func:`heading_named`: "AQuA (via DP1)" is
    "AQuA"): what the RDF export names as the agreement's processors beside those its flows
    name.  :func:`~.extractor.extract` gives the same while it reads the entry (``headed``)."""
    return context(entry, names).headed


def remember_sentences(line: str, names: Gazetteer) -> None:
    """Give the sentences of ``line`` their mentions from the line's own (one scan of its
    words, :meth:`~dataflow_graph.names.Gazetteer.remember_parts`).  A line met again is not
    cut again: its sentences are remembered, or, if the memo was emptied since, scanned,
    which gives the same mentions."""
    parted = names.memo("flows.parted")
    if line not in parted:
        parted.remember(line, True)
        names.remember_parts(line, [(col - 1, text) for col, text, _, _ in pieces(line)])


def line_facts(text: str, names: Gazetteer) -> LineFacts:
    """What one line tells the entry's context, from its text alone: the first regional
    office and CSU it names, its "Data Processor N – X" headings and "(DP N)" marks as
    (N, text to look for X in), and every CSU it names.  Register lines repeat, so this is
    remembered.

    A line not scanned yet that can hold no heading, no mark (:data:`_HEADER`, :data:`_MARK`)
    and none of the :func:`office_words` tells nothing: it is not scanned for names (most
    lines of the Objectives and Benefits)."""
    if "rocessor" in text or "DP" in text or names.scanned(text):
        return _line_facts(text, names)
    low = text.lower()
    if _HEADER.possible(text, low) or may_name_office(text, names, low):
        return _line_facts(text, names)
    return NOTHING


def _line_facts(text: str, names: Gazetteer) -> LineFacts:
    """:func:`line_facts` read from the line's names, with no shortcut."""
    dscro = None
    csus: dict[str, Organisation] = {}
    for m in names.mentions(text):
        org = m.organisation
        if org.role is Role.DSCRO and org.id != GENERIC_DSCRO and dscro is None:
            dscro = org
        if org.role is Role.CSU:
            csus.setdefault(org.id, org)
    csu = next(iter(csus.values()), None)
    headers = tuple((dm.group("n"), dm.group("name")) for dm in _HEADER.finditer(text))
    inline = tuple((dm.group("n"), text[max(0, dm.start() - 120) : dm.start()]) for dm in _MARK.finditer(text))
    facts = (dscro, csu, headers, inline, tuple(csus.values()))
    return NOTHING if facts == NOTHING else facts


#: a character outside ASCII other than the apostrophe "’" and those no word holds
#: (:data:`~dataflow_graph.names.text.NOT_IN_WORDS`): the only ones :func:`may_name_office` reads past
_OTHER_CHARACTER = re.compile(f"[^\\x00-\\x7f\u2019{re.escape(NOT_IN_WORDS)}]")
#: the words preferred as an alias's mark (any word of it would do: these are the rarest)
_OFFICE_MARKS = ("csu", "dscro", "regional", "support")


def office_words(names: Gazetteer) -> tuple[str, ...] | None:
    """A word of every reviewed alias of a CSU or of a regional office other than the generic
    one (an alias's mark: one of :data:`_OFFICE_MARKS` if it holds one, else its longest word,
    never "and"), without a word holding another; None when some alias has no such word.
    Worked out once per set of reviewed names (forks share it)."""
    memo = names.memo("flows.office-words")
    if "" not in memo:
        marks: set[str] = set()
        for org in names.by_id.values():
            if not (org.role is Role.CSU or (org.role is Role.DSCRO and org.id != GENERIC_DSCRO)):
                continue
            for alias in (org.name, *org.aliases):
                words = [w for w in normalise(alias).split() if w != "and"]
                if not words:
                    memo.remember("", None)
                    return None
                marks.add(next((w for w in _OFFICE_MARKS if w in words), max(words, key=len)))
        memo.remember("", tuple(sorted(m for m in marks if not any(o != m and o in m for o in marks))))
    found: tuple[str, ...] | None = memo[""]
    return found


def may_name_office(text: str, names: Gazetteer, low: str | None = None) -> bool:
    """False only when ``text`` names no CSU and no regional office other than the generic one
    (``low``: ``text.lower()``, when the caller has it already).

    Proof: a name found by the gazetteer's scan is an alias whose every word is the key of
    a word of the text (:func:`~dataflow_graph.names.text.word_keys`), and every such alias
    holds one of the :func:`office_words` ("and" left aside: it is also the key of "&").
    Where every character of the text outside ASCII is an apostrophe "’" or one of
    :data:`~dataflow_graph.names.text.NOT_IN_WORDS` (none of them a word character, none
    changed by ``lower``), a word
    is ASCII word characters and apostrophes, and its key is the word in lower case without
    its apostrophes: a stretch of the lower-cased text with every apostrophe dropped.  So an
    office word that is a word's key stands in that reading; where none stands there, no
    such alias can be found.  A text with other characters (accents, letters a key folds
    as ``casefold`` does) is always scanned.
    """
    words = office_words(names)
    if words is None:
        return True
    if low is None:
        low = text.lower()
    if "'" in low or "\u2019" in low:
        low = low.replace("'", "").replace("\u2019", "")
    return any(map(low.__contains__, words)) or (not text.isascii() and bool(_OTHER_CHARACTER.search(text)))


def mentions_in(text: str, ctx: Context, *, resolve_roles: bool = True, unstated: bool = False) -> list[Mention]:
    """Organisations named in ``text``: gazetteer aliases, name shapes, then role words.

    "the CSU" where which CSU is not stated (:data:`UNSTATED_CSU`) is kept only when
    ``unstated`` (the hops of a sentence are found with it, so that what is said of that CSU
    is said of no other, and then dropped); else it is no mention.

    Where the names stand in the text is remembered per text (:func:`candidates`); only
    what they mean in this entry (its DSCRO, its CCG, its unreviewed spellings) is worked
    out here.
    """
    kept: list[Mention] = []
    for start, end, name, kind, what in candidates(text, ctx.names):
        if kind == ALIAS:
            assert isinstance(what, Organisation)
            named = ctx.dscro if what.id == GENERIC_DSCRO and ctx.dscro is not None else what
            kept.append(Mention(start, end, name, named))
        elif kind == SHAPE:
            assert isinstance(what, str)
            kept.append(Mention(start, end, name, ctx.names.resolve(what)))
        elif kind == HIDDEN:
            assert isinstance(what, str)
            ctx.names.resolve(what)  # as ever: a shape is resolved even where it is no party
        elif resolve_roles:
            assert isinstance(what, tuple)
            org, unit = role_word(what, ctx)
            if org is not None and (unstated or org is not UNSTATED_CSU):
                kept.append(Mention(start, end, name, org, unit, True))
    # "the CCGs' data processor, MedeAnalytics": the role word stands for the named one
    return [
        f
        for i, f in enumerate(kept)
        if not (
            f.generic
            and i + 1 < len(kept)
            and not kept[i + 1].generic
            and _COMMA.fullmatch(text, f.end, kept[i + 1].start)
        )
    ]


#: kinds of candidate: a gazetteer alias, a name shape, a shape that is no party, a role word
ALIAS, SHAPE, HIDDEN, ROLE = 0, 1, 2, 3
#: (start, end, text, kind, what): what is the alias's organisation, the shape's name, or the role word
Candidate = tuple[int, int, str, int, "Organisation | str | RoleWord"]


def candidates(text: str, names: Gazetteer) -> tuple[Candidate, ...]:
    """Where organisations may be named in ``text``, from the text and the reviewed names
    alone; remembered per text in the gazetteer's memo."""
    memo = names.memo("flows.candidates")
    found: tuple[Candidate, ...] | None = memo.get(text)
    if found is None:
        found = memo.remember(text, _find_candidates(text, names))
    return found


def _find_candidates(text: str, names: Gazetteer) -> tuple[Candidate, ...]:
    """Each candidate is (start, end, text, kind, what), in text order: a gazetteer alias
    (what: its organisation), a name shape (what: the name to resolve) or a role word
    (what: the role and number, resolved per entry by :func:`role_word`).

    Aliases come first, then shapes that overlap no alias, then role words that overlap
    neither; a possessive ("the CCGs' data processor") is no party and is left out.  A
    shape that is no party is still kept as HIDDEN: resolving it fixes how the entry
    spells that name, as it always has.  A role word that means nothing in an entry is
    dropped there, which frees no span for another.
    """
    found: list[Candidate] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: int, what: Organisation | str | RoleWord) -> None:
        if any(s < end and start < e for s, e in taken):
            if kind == SHAPE:
                found.append((start, end, text[start:end], HIDDEN, what))
            return
        taken.append((start, end))
        found.append((start, end, text[start:end], kind, what))

    for alias in names.mentions(text):
        add(alias.start, alias.end, ALIAS, alias.organisation)
    for m in NAME_SHAPE.finditer(text):
        lead = _LEADING_WORDS.match(m.group(0))
        start = m.start() + (lead.end() if lead else 0)
        name = text[start : m.end()].strip()
        key = normalise(name)
        if not name or _GENERIC_NAME.fullmatch(key):
            continue
        add(start, m.end(), SHAPE, name)
    for m in _ROLE_WORDS.finditer(text):
        add(m.start(), m.end(), ROLE, _role_of(m))
    found.sort(key=lambda x: x[0])
    out = []
    for f in found:
        if f[3] != HIDDEN and _possessive(text, f[1]):
            if f[3] == SHAPE:
                out.append((f[0], f[1], f[2], HIDDEN, f[4]))
            continue
        out.append(f)
    return tuple(out)


def _role_of(m: re.Match[str]) -> RoleWord:
    """Which role word a match of the ``role_words`` rule is, and its processor number if any."""
    for group in ("ccg", "dscro", "csu", "ceff"):
        if m.group(group):
            return group, None
    if m.group("dp"):
        return "dp", m.group("dpn") or m.group("dpn2")
    for group in ("prov", "la", "gp"):
        if m.group(group):
            return group, None
    return "", None


def role_word(role: RoleWord, ctx: Context) -> tuple[Organisation | None, str | None]:
    """What a role word means in this entry and block: its organisation and unit."""
    kind, number = role
    names = ctx.names
    if kind == "ccg":
        return ctx.ccg, None
    if kind == "dscro":
        return ctx.dscro or names.by_id.get(GENERIC_DSCRO), None
    if kind == "csu":
        return ctx.csu or (UNSTATED_CSU if len(ctx.csus) > 1 else None), None
    if kind == "ceff":
        return ctx.ccg, CEFF
    if kind == "dp":
        if number:
            return ctx.processors.get(number), None
        return ctx.processor, None
    if kind == "prov":
        return names.by_id.get(CARE_PROVIDERS), None
    if kind == "gp":
        return names.by_id.get(GP_PRACTICES), None
    if kind == "la":
        return (ctx.ccg if ctx.ccg is not None and _COUNCIL.search(ctx.ccg.name) else None), None
    return None, None


def _possessive(text: str, end: int) -> bool:
    """ "the CCGs' data processor": a possessive names the owner, not a party; but "into
    MedeAnalytics’ secure, FTP service" names the party whose system the data goes into."""
    if text[end : end + 2] in _POSSESSIVE:
        return not _OWNED_PLACE.match(text, end + (2 if text[end + 1 : end + 2] == "s" else 1))
    return bool(_OWNER.match(text, end))
