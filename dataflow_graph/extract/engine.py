"""Flow extraction: the processing text of an entry becomes hops, with evidence.

The extractor reads the structure of the text, not particular names:

1. the Processing section (Objectives and Outputs when Processing names no transfer)
   is cut into purpose blocks at its sub-headings ("Invoice Validation",
   "Commissioning (Pseudonymised) – SUS and Local Flows"); "Data Processor N – X"
   headings continue the block they stand in, and "Segregation" blocks are read
   only for re-identification, never for hops;
2. each block is cut into sentences (numbered steps and inline "1. … 2. …" points
   included), each with its file line;
3. a sentence with a verb of transfer (push, pass, transfer, send, obtain, receive…)
   and no negation ("will not be shared") gives a hop: the sender is the ``from``
   organisation or the subject of an active sending verb, the receiver the ``to``/
   ``into`` organisation, the ``by`` agent of a passive "obtained by", or the
   subject of "receives"; ``via X as a landing point only`` inserts a landing-only hop;
4. organisations are found by the gazetteer's aliases, by role words resolved inside
   the entry ("the CCG" is the entry's controller, "the DSCRO" the regional office
   named in the entry, "Data Processor 1" the organisation of that heading), and by
   the shape of a name ("… CCG", "… Limited");
5. the hops of a block are chained from NHS Digital onward; the hop into a DSCRO is
   identifiable, the rest take the identifiability their sentence, their heading or
   their block states.  Provider feeds, linkage, online access and re-identification
   become flows of their own kind.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from .._speed import cyclic_gc_paused
from ..errors import Diagnostics, Severity, Span
from ..model import (
    Entry,
    Flow,
    FlowKind,
    Hop,
    Identifiability,
    Organisation,
    Role,
    Section,
    is_subheading,
)
from ..names import Gazetteer, families_in, normalise
from ..read import month

__all__ = ["Sentence", "extract", "extract_all", "sentences"]

NHS_DIGITAL = "org:nhs-digital"
GENERIC_DSCRO = "org:dscro"
LOCAL_SOURCES = "org:local-sources"
GP_PRACTICES = "org:gp-practices"
CARE_PROVIDERS = "org:care-providers"
CEFF = "Controlled Environment for Finance (CEfF)"


# ---------------------------------------------------------------------------------------
# Sentences


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the register text, with the span of the line it starts on."""

    text: str
    span: Span
    ends_list: bool = False  # ends with ':' and introduces the items after it
    is_item: bool = False  # a bullet or numbered item

    @property
    def evidence(self) -> Span:
        return Span(self.span.path, self.span.line, self.span.col, self.text)


_ITEM_START = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|[a-z]{1,3}[.)]|[-•o§*])\s+")
_SPLIT = re.compile(
    r"(?<![\s(]\d)(?<![\s(]\d\d)(?<!^\d)(?<!^\d\d)(?<=[A-Za-z0-9)\]’'\"])[.;]\s+(?=[A-Z(])"
    r"|\s+(?=\(?\d{1,2}[.)]\s+[A-Z])"
)


@functools.lru_cache(maxsize=262144)
def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """``pattern.search(text)``, remembered: register text repeats whole sentences."""
    return pattern.search(text)


_SPLIT_HINT = re.compile(r"[.;)]\s")  # every split point of _SPLIT has one of these
_MAX_SENTENCE = 2000


def sentences(lines: Iterable[Span]) -> Iterator[Sentence]:
    """Cut lines into sentences: line breaks, sentence ends, and inline numbered points.

    >>> [s.text for s in sentences([Span("p", 3, 1, "1. A is sent to B. Then C. 2. D goes to E.")])]
    ['1. A is sent to B', 'Then C.', '2. D goes to E.']
    """
    for span in lines:
        for col, chunk, ends_list, is_item in _pieces(span.text):
            yield Sentence(chunk, Span(span.path, span.line, col, span.text), ends_list, is_item)


class _Piece:
    """A sentence of a purpose block, as :class:`Sentence` has it, whose spans are made only
    when asked for (most sentences of a register state no flow and are never cited)."""

    __slots__ = ("col", "ends_list", "facts", "is_item", "line", "text")

    def __init__(self, text: str, line: Span, col: int, ends_list: bool, is_item: bool, facts: _Facts) -> None:
        self.text = text
        self.line = line
        self.col = col
        self.ends_list = ends_list
        self.is_item = is_item
        self.facts = facts

    @property
    def span(self) -> Span:
        """The span of the line the sentence starts on, at the sentence's column."""
        return Span(self.line.path, self.line.line, self.col, self.line.text)

    @property
    def evidence(self) -> Span:
        """The sentence as cited evidence: the same place, the sentence's own text."""
        return Span(self.line.path, self.line.line, self.col, self.text)


@functools.lru_cache(maxsize=65536)
def _pieces(text: str) -> tuple[tuple[int, str, bool, bool], ...]:
    """How one line cuts into sentences, as (column, text, ends_list, is_item); remembered,
    since register lines repeat from entry to entry."""
    if not text.strip():
        return ()
    start = 0
    pieces = []
    if _SPLIT_HINT.search(text):
        for m in _SPLIT.finditer(text):
            pieces.append((start, text[start : m.start()]))
            start = m.end()
    pieces.append((start, text[start:]))
    out = []
    for offset, piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        for i in range(0, len(piece), _MAX_SENTENCE):
            chunk = piece[i : i + _MAX_SENTENCE]
            out.append((offset + i + 1, chunk, chunk.rstrip().endswith(":"), bool(_ITEM_START.match(chunk))))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# Organisation mentions inside one entry


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    text: str
    org: Organisation
    unit: str | None = None
    generic: bool = False


_NAME_SHAPE = re.compile(
    r"\b(?:The\s+)?(?:University|Institute|London School)\s+of\s+[A-Z][\w&'’-]*"
    r"(?:\s+(?:and\s+)?[A-Z][\w&'’-]*){0,3}"
    r"|\b(?:NHS\s+)?(?:[A-Z][\w&'’.-]*\s+(?:(?:and|&|of|for|the|on|upon|in)\s+)?){0,7}"
    r"(?:CCGs?|CSU|ICB|Limited|Ltd|LLP|[Pp]lc|PLC|Inc|Trust|Council|University|"
    r"Commissioning Support Unit|Clinical Commissioning Groups?|Partnership|"
    r"Integrated Care Board|Foundation Trust|Health Board|Hospital|College|Institute|Consortium|"
    r"Agency|Authority)\b(?:\s*\([A-Z]+\))?"
)
_ROLE_WORDS = re.compile(
    r"\b(?P<ccg>(?:the\s+)?(?:CCG|CCGs|Clinical Commissioning Groups?)(?:\s*\(CCGs?\))?)(?![\w-])|"
    r"\b(?P<dscro>(?:the\s+)?DSCROs?|Data Services for Commissioners Regional Offices?(?:\s*\(DSCRO\))?)\b|"
    r"\b(?P<csu>(?:the\s+)?CSU|(?:the\s+)?Commissioning Support Unit)\b|"
    r"\b(?P<ceff>(?:the\s+)?CEfF|(?:a\s+|the\s+)?(?:secure\s+)?Controlled Environment for Finance(?:\s*\(CEfF\))?)|"
    r"\b(?P<dp>Data Processor\s*(?P<dpn>\d)|DP\s?(?P<dpn2>\d)|(?:the|their|its|CCG'?s'?)\s+data\s+processor)\b|"
    r"\b(?P<prov>(?:the\s+)?(?:care\s+|service\s+|data\s+)?providers)\b|"
    r"\b(?P<gp>GP\s+(?:Practice\s+)?users|GP\s+practices?|GPs|GP\s+systems?)\b",
    re.IGNORECASE,
)


@dataclass
class _Context:
    """What role words mean inside one entry: its CCG, DSCRO, CSU, data processors."""

    entry: Entry
    names: Gazetteer
    ccg: Organisation | None = None
    dscro: Organisation | None = None
    csu: Organisation | None = None
    processors: dict[str, Organisation] = field(default_factory=dict)
    current_processor: str | None = None  # "Data Processor N" heading of the current block
    line_memo: dict[object, object] = field(default_factory=dict)  # names.memo("flows.line")
    hops_memo: dict[object, object] = field(default_factory=dict)  # names.memo("flows.hops")


def _context(entry: Entry, names: Gazetteer) -> _Context:
    ctx = _Context(entry, names, line_memo=names.memo("flows.line"), hops_memo=names.memo("flows.hops"))
    for candidate in (entry.organisation, *entry.controllers, entry.title):
        if not candidate:
            continue
        org = names.lookup(candidate)
        if org is None and candidate in (entry.organisation, *entry.controllers):
            org = names.resolve(candidate)
        elif org is None:
            m = _NAME_SHAPE.search(candidate)
            org = names.resolve(m.group(0)) if m and re.search(r"CCG|ICB|Clinical", m.group(0)) else None
        if org is not None and org.role in (Role.CONTROLLER, Role.OTHER, Role.PROCESSOR, Role.CSU):
            ctx.ccg = org
            break
    memo = ctx.line_memo
    for section in entry.sections:
        for span in section.lines:
            text = span.text
            facts = memo.get(text)
            if facts is None:
                if len(memo) > 200_000:
                    memo.clear()
                facts = memo[text] = _line_facts(text, names)
            if facts is _NOTHING:
                continue
            dscro, csu, headers, inline = facts
            if dscro is not None and ctx.dscro is None:
                ctx.dscro = dscro
            if csu is not None and ctx.csu is None:
                ctx.csu = csu
            for n, name in headers:
                found = _mentions_in(name, ctx, resolve_roles=False)
                if found:
                    ctx.processors.setdefault(n, found[0].org)
            for n, before in inline:
                found = _mentions_in(before, ctx, resolve_roles=False)
                if found:
                    ctx.processors.setdefault(n, found[-1].org)
    return ctx


_LineFacts = tuple[Organisation | None, Organisation | None, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]
_NOTHING: _LineFacts = (None, None, (), ())


def _line_facts(text: str, names: Gazetteer) -> _LineFacts:
    """What one line tells the entry's context, from its text alone: the first regional
    office and CSU it names, and its "Data Processor N – X" headings and "(DP N)" marks
    as (N, text to look for X in).  Register lines repeat, so this is remembered."""
    dscro = csu = None
    for m in names.mentions(text):
        org = m.organisation
        if org.role is Role.DSCRO and org.id != GENERIC_DSCRO and dscro is None:
            dscro = org
        if org.role is Role.CSU and csu is None:
            csu = org
    headers: tuple[tuple[str, str], ...] = ()
    inline: tuple[tuple[str, str], ...] = ()
    if "rocessor" in text or "DP" in text:
        headers = tuple((dm.group("n"), dm.group("name")) for dm in _DP_HEADER.finditer(text))
        inline = tuple((dm.group("n"), text[max(0, dm.start() - 120) : dm.start()]) for dm in _DP_INLINE.finditer(text))
    facts = (dscro, csu, headers, inline)
    return _NOTHING if facts == _NOTHING else facts


_DP_HEADER = re.compile(r"(?i)Data Processor\s*(?P<n>\d)\s*[–—:-]+\s*(?P<name>[^\n:]+?)\s*(?::|$)")
_DP_INLINE = re.compile(r"\(\s*(?:Data Processor|DP)\s*(?P<n>\d)\s*\)")


def _mentions_in(text: str, ctx: _Context, *, resolve_roles: bool = True) -> list[_Mention]:
    """Organisations named in ``text``: gazetteer aliases, name shapes, then role words.

    Where the names stand in the text is remembered per text (:func:`_candidates`); only
    what they mean in this entry (its DSCRO, its CCG, its unreviewed spellings) is worked
    out here.
    """
    kept: list[_Mention] = []
    for start, end, name, kind, what in _candidates(text, ctx.names):
        if kind == _ALIAS:
            org = what
            if org.id == GENERIC_DSCRO and ctx.dscro is not None:
                org = ctx.dscro
            kept.append(_Mention(start, end, name, org))
        elif kind == _SHAPE:
            kept.append(_Mention(start, end, name, ctx.names.resolve(what)))
        elif kind == _HIDDEN:
            ctx.names.resolve(what)  # as ever: a shape is resolved even where it is no party
        elif resolve_roles:
            org, unit = _role_word(what, ctx)
            if org is not None:
                kept.append(_Mention(start, end, name, org, unit, True))
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


_ALIAS, _SHAPE, _HIDDEN, _ROLE = 0, 1, 2, 3
_COMMA = re.compile(r"\s*,\s*")
_Candidate = tuple[int, int, str, int, object]


def _candidates(text: str, names: Gazetteer) -> tuple[_Candidate, ...]:
    """Where organisations may be named in ``text``, from the text and the reviewed names
    alone; remembered per text in the gazetteer's memo."""
    memo = names.memo("flows.candidates")
    found = memo.get(text)
    if found is None:
        if len(memo) > 200_000:
            memo.clear()
        found = memo[text] = _find_candidates(text, names)
    return found  # type: ignore[return-value]


def _find_candidates(text: str, names: Gazetteer) -> tuple[_Candidate, ...]:
    """Each candidate is (start, end, text, kind, what), in text order: a gazetteer alias
    (what: its organisation), a name shape (what: the name to resolve) or a role word
    (what: the role and number, resolved per entry by :func:`_role_word`).

    Aliases come first, then shapes that overlap no alias, then role words that overlap
    neither; a possessive ("the CCGs' data processor") is no party and is left out.  A
    shape that is no party is still kept as _HIDDEN: resolving it fixes how the entry
    spells that name, as it always has.  A role word that means nothing in an entry is
    dropped there, which frees no span for another.
    """
    found: list[_Candidate] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, kind: int, what: object) -> None:
        if any(s < end and start < e for s, e in taken):
            if kind == _SHAPE:
                found.append((start, end, text[start:end], _HIDDEN, what))
            return
        taken.append((start, end))
        found.append((start, end, text[start:end], kind, what))

    for m in names.mentions(text):
        add(m.start, m.end, _ALIAS, m.organisation)
    for m in _NAME_SHAPE.finditer(text):
        lead = _LEADING_WORDS.match(m.group(0))
        start = m.start() + (lead.end() if lead else 0)
        name = text[start : m.end()].strip()
        key = normalise(name)
        if not name or _GENERIC_NAME.fullmatch(key):
            continue
        add(start, m.end(), _SHAPE, name)
    for m in _ROLE_WORDS.finditer(text):
        add(m.start(), m.end(), _ROLE, _role_of(m))
    found.sort(key=lambda x: x[0])
    out = []
    for f in found:
        if f[3] != _HIDDEN and _possessive(text, f[1]):
            if f[3] == _SHAPE:
                out.append((f[0], f[1], f[2], _HIDDEN, f[4]))
            continue
        out.append(f)
    return tuple(out)


_LEADING_WORDS = re.compile(
    r"(?:(?:Once|Then|When|Where|If|After|Before|Whilst|While|Both|Also|Each|"
    r"All|Only|Both|Where|Data|Any)\s+)+"
)
_GENERIC_NAME = re.compile(
    r"(the )?(ccgs?|csu|icb|clinical commissioning groups?( ccgs?)?|"
    r"commissioning support unit|trust|council|university|hospital|college|"
    r"institute|consortium|agency|authority)"
)


def _role_of(m: re.Match[str]) -> tuple[str, str | None]:
    """Which role word a match of :data:`_ROLE_WORDS` is, and its processor number if any."""
    for group in ("ccg", "dscro", "csu", "ceff"):
        if m.group(group):
            return group, None
    if m.group("dp"):
        return "dp", m.group("dpn") or m.group("dpn2")
    for group in ("prov", "gp"):
        if m.group(group):
            return group, None
    return "", None


def _role_word(role: tuple[str, str | None], ctx: _Context) -> tuple[Organisation | None, str | None]:
    """What a role word means in this entry and block: its organisation and unit."""
    kind, number = role
    names = ctx.names
    if kind == "ccg":
        return ctx.ccg, None
    if kind == "dscro":
        return ctx.dscro or names.by_id.get(GENERIC_DSCRO), None
    if kind == "csu":
        return ctx.csu, None
    if kind == "ceff":
        return ctx.ccg, CEFF
    if kind == "dp":
        if number:
            return ctx.processors.get(number), None
        return (ctx.processors.get(ctx.current_processor or "1") or ctx.csu), None
    if kind == "prov":
        return names.by_id.get(CARE_PROVIDERS), None
    if kind == "gp":
        return names.by_id.get(GP_PRACTICES), None
    return None, None


def _possessive(text: str, end: int) -> bool:
    """ "the CCGs' data processor": a possessive names the owner, not a party."""
    return text[end : end + 2] in ("’ ", "' ", "'s", "’s") or bool(_OWNER.match(text, end))


_OWNER = re.compile(r"['’]?\s+(?:own\s+)?(?:data\s+)?processors?\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Hops from sentences

_SEND = (
    r"(?:push|pass|transfer|transmit|send|sent|disseminat|suppl|provid(?!ers?\b)|shar|submit|upload|"
    r"forward|releas|mov|disclos|return|deliver|mak\w* available|land(?!ing\b))\w*"
    r"|flow(?:s|ed)(?=\s+(?:(?:on|the|data|securely|directly|only|back|then)\s+){0,3}"
    r"(?:in\s*to|to|from|between)\b)"
    r"|(?:(?<=will )|(?<=would )|(?<=shall )|(?<=can )|(?<=must ))flow"
)
_RECEIVE = r"(?:receiv|obtain|collect|acquir|retriev|extract|get|gets|download|access)\w*"
_VERB = re.compile(rf"\b(?P<send>{_SEND})|\b(?P<recv>{_RECEIVE})", re.IGNORECASE)
_NEGATION = re.compile(
    r"\b(?:will not|shall not|cannot|can not|must not|does not|do not|is not|are not|won't|never|"
    r"not be|no (?:identifiable|patient|record|person|personal|pseudonymised|data)\b|"
    r"without (?:being|any))",
    re.IGNORECASE,
)
_CUT = re.compile(r"\b(?:due to|because|in order to|so that|in line with)\b", re.IGNORECASE)
_LANDING = re.compile(
    r"landing\s+(?:point|zone|site)?\s*only|for landing only|landing only|"
    r"\blands?\s+the\s+data\b|download\s+area",
    re.IGNORECASE,
)
_PREP = re.compile(
    r"\b(?P<prep>from|to|into|in to|by|via|through|with|for|within|in|at|on|of|"
    r"between|under|as|using|than)\s",
    re.IGNORECASE,
)
_NOT_TRANSFER_TO = re.compile(
    r"(?i)\b(?:registered|resident|relating|relation|pertinent|according|belonging|similar|prior|due|"
    r"compared|up|equal|applicable|responsible|specific|access|limited|restricted|referred|"
    r"reference|attributed|linked|related)\s*$"
)
_UNTIL = re.compile(r"\buntil\s+(?:the\s+)?(\d{1,2}(?:st|nd|rd|th)?\s+)?([A-Z][a-z]+\s+\d{4})")


@dataclass(frozen=True, slots=True)
class _RawHop:
    sender: Organisation
    receiver: Organisation
    sentence: _Piece
    sender_text: str
    receiver_text: str
    identifiability: Identifiability | None
    families: frozenset[str]
    landing_only: bool = False
    unit: str | None = None
    access: bool = False
    until: str | None = None
    context: _Piece | None = None


@functools.lru_cache(maxsize=262144)
def _preposition(text: str, start: int) -> str | None:
    """The preposition governing a mention at ``start``: the last one a few words before it.

    An apposition is allowed ("to the CCGs' data processor, X"); a clause break is not.
    """
    before = text[max(0, start - 60) : start]
    last = None
    for m in _PREP.finditer(before):
        last = m
    if last is None:
        return None
    if last.group("prep").lower() == "to" and _NOT_TRANSFER_TO.search(before[: last.start()]):
        return None
    gap = before[last.end() :]
    if len(gap.split()) > 6 or re.search(r"[;:]|\b(?:and|or|then|which|who|where|is|are|was)\b", gap, re.IGNORECASE):
        return None
    if "," in gap and not re.search(r"(?i)(processor|partner|provider|supplier|contractor)s?,\s*$", gap):
        return None
    return last.group("prep").lower().replace("in to", "into")


@functools.lru_cache(maxsize=65536)
def _identifiability(text: str) -> Identifiability | None:
    t = text.lower()
    if re.search(r"\bpseudonymi[sz]ed\b|\bde-?identified\b|pseudonymised at source", t):
        return Identifiability.PSEUDONYMISED
    if re.search(r"\bidentifiable\b|\bidentified\b|nhs number", t) and "non-identifiable" not in t:
        return Identifiability.IDENTIFIABLE
    if re.search(r"\baggregat", t):
        return Identifiability.AGGREGATE
    if re.search(r"\banonymi[sz]ed\b", t):
        return Identifiability.ANONYMISED
    return None


def _hops_in(s: _Piece, ctx: _Context, previous: _RawHop | None, list_head: _RawHop | None) -> list[_RawHop]:
    """The hops one sentence states (usually none or one, two with a landing point).

    Remembered: the hops depend only on the sentence's text, on what each name in it
    means in this entry (:func:`_meanings`), and on the receiver of the previous hop and
    of the list head; the evidence sentence is this one's.
    """
    found = _clause(s.text)
    if found is None:
        return []
    memo = ctx.hops_memo
    key = (
        s.text,
        s.is_item,
        _meanings(found[1], ctx),
        (previous.receiver, previous.receiver_text, previous.unit) if previous else None,
        (list_head.receiver, list_head.receiver_text, list_head.unit) if list_head else None,
    )
    made = memo.get(key)
    if made is None:
        hops = _find_hops(s, ctx, previous, list_head)
        if len(memo) > 200_000:
            memo.clear()
        memo[key] = tuple(
            (
                h.sender,
                h.receiver,
                h.sender_text,
                h.receiver_text,
                h.identifiability,
                h.families,
                h.landing_only,
                h.unit,
                h.until,
                h.context is not None,
            )
            for h in hops
        )
        return hops
    return [
        _RawHop(
            a,
            b,
            s,
            a_text,
            b_text,
            ident,
            families,
            landing,
            unit,
            False,
            until,
            list_head.sentence if in_list and list_head else None,
        )
        for a, b, a_text, b_text, ident, families, landing, unit, until, in_list in made
    ]


def _meanings(text: str, ctx: _Context) -> tuple[object, ...]:
    """What the names in ``text`` that depend on the entry mean in it (the generic DSCRO,
    unreviewed spellings, role words), in text order: with the text, they fix the mentions
    :func:`_mentions_in` finds.  Resolves names exactly as :func:`_mentions_in` does."""
    out: list[object] = []
    for _start, _end, _name, kind, what in _candidates(text, ctx.names):
        if kind == _ALIAS:
            if what.id == GENERIC_DSCRO:  # type: ignore[attr-defined]
                out.append(ctx.dscro)
        elif kind == _SHAPE or kind == _HIDDEN:
            out.append(ctx.names.resolve(what))  # type: ignore[arg-type]
        else:
            out.append(_role_word(what, ctx))  # type: ignore[arg-type]
    return tuple(out)


def _find_hops(s: _Piece, ctx: _Context, previous: _RawHop | None, list_head: _RawHop | None) -> list[_RawHop]:
    found = _clause(s.text)
    if found is None:
        return []
    verb, clause, sending, passive = found
    mentions = [m for m in _mentions_in(clause, ctx) if m.org is not None]
    if not mentions and not (list_head and s.is_item):
        return []
    senders, receivers, vias = [], [], []
    unit = None
    subject = None
    preps: dict[int, str | None] = {}
    for m in mentions:
        prep = _preposition(clause, m.start)
        preps[id(m)] = prep
        if m.unit:
            unit = m.unit
        if prep in ("from",):
            senders.append(m)
        elif prep in ("to", "into", "within") or (prep == "in" and m.unit):
            receivers.append(m)
        elif prep in ("via", "through"):
            vias.append(m)
        elif prep == "by" and m.start > verb.start():
            governing = _governing_verb(clause, m.start) or verb
            (senders if governing.group("send") else receivers).append(m)
        elif prep == "by" and sending and m.start < verb.start():
            senders.append(m)  # "completed by X and ... then passed to Y"
        elif prep is None and m.start < verb.start() and subject is None:
            subject = m
        elif prep in ("in", "at") and receivers and m.start > receivers[-1].end:
            # "the CEfF located in the CCG": the container is the receiver
            receivers[-1] = replace(m, unit=receivers[-1].unit or unit)
            preps[id(receivers[-1])] = preps[id(m)]
    if subject is not None:
        if sending and not passive:
            senders.insert(0, subject)
        elif not sending and not passive:
            receivers.insert(0, subject)
    sender = senders[0] if senders else None
    receivers = [r for r in receivers if sender is None or r.org.id != sender.org.id]
    receiver = receivers[0] if receivers else None
    if (
        len(receivers) > 1
        and all(preps.get(id(r)) in ("to", "into") for r in receivers[:2])
        and receivers[1].org.id != receivers[0].org.id
        and sending
    ):
        vias.append(receivers[0])  # "sent from A to B to the data processor"
        receiver = receivers[1]
    if sender is None and receiver is not None:
        sender = _implied_sender(receiver, preps.get(id(receiver)), previous, ctx)
    context = None
    if receiver is None and sender is not None and s.is_item and list_head is not None:
        receiver = _Mention(0, 0, list_head.receiver_text, list_head.receiver, list_head.unit)
        context = list_head.sentence
    if sender is None or receiver is None or sender.org.id == receiver.org.id:
        return []
    hops = _with_landing(s, clause, sender, receiver, vias, unit)
    return [replace(h, context=context) for h in hops] if context else hops


@functools.lru_cache(maxsize=65536)
def _clause(text: str) -> tuple[re.Match[str], str, bool, bool] | None:
    """The transfer clause of a sentence, from its text alone: its verb, the clause (cut at
    "due to", "so that"…), whether the verb sends and whether it is passive; None when the
    sentence has no verb of transfer or negates it."""
    verb = _VERB.search(text)
    if verb is None:
        return None
    cut = _CUT.search(text)
    clause = text[: cut.start()] if cut else text
    if _NEGATION.search(clause):
        return None
    sending = verb.group("send") is not None
    passive = bool(
        re.search(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?:then\s+)?$", clause[: verb.start()])
    )
    return verb, clause, sending, passive


@functools.lru_cache(maxsize=65536)
def _governing_verb(text: str, start: int) -> re.Match[str] | None:
    """The verb of transfer nearest before ``start``."""
    last = None
    for m in _VERB.finditer(text, 0, start):
        last = m
    return last


def _implied_sender(
    receiver: _Mention, receiver_prep: str | None, previous: _RawHop | None, ctx: _Context
) -> _Mention | None:
    """Who sent it when the sentence does not say: NHS Digital into a DSCRO, else the last holder."""
    if receiver.org.role is Role.DSCRO:
        nd = ctx.names.by_id.get(NHS_DIGITAL)
        return _Mention(0, 0, "", nd) if nd else None
    if receiver_prep in ("to", "into") and previous is not None and previous.receiver.id != receiver.org.id:
        return _Mention(0, 0, previous.receiver_text, previous.receiver, previous.unit)
    return None


def _with_landing(
    s: _Piece, clause: str, sender: _Mention, receiver: _Mention, vias: list[_Mention], unit: str | None
) -> list[_RawHop]:
    ident = _identifiability(clause)
    families = frozenset(families_in(clause))
    landing = bool(_first(_LANDING, clause))
    until = None
    if m := _first(_UNTIL, s.text):
        until = month(m.group(2))
    r_unit = receiver.unit or (unit if receiver.org.id != sender.org.id else None)
    chain = [sender, *[v for v in vias if v.org.id not in (sender.org.id, receiver.org.id)], receiver]
    hops = []
    for i, (a, b) in enumerate(itertools.pairwise(chain)):
        is_via = i < len(chain) - 2
        hops.append(
            _RawHop(
                a.org,
                b.org,
                s,
                a.text,
                b.text,
                ident,
                families,
                landing_only=landing and (is_via or len(chain) == 2),
                unit=r_unit if b is receiver else None,
                until=until,
            )
        )
    return hops


_ACCESS = re.compile(
    r"\b(?:users?|staff|analysts?|CCGs?|can)\b[^.]{0,60}\b(?:use|access|view|log\s*in|login|dial\s*in|"
    r"query|interrogate)\w*\b[^.]{0,80}\b(?:system|online|on-line|front[- ]end|portal|platform|tool|"
    r"application|environment|service)\b",
    re.IGNORECASE,
)


def _access_hop(s: _Piece, ctx: _Context) -> _RawHop | None:
    """ "CCG users use online features of the X system": the CCG reads X's copy."""
    if not _first(_ACCESS, s.text) or _first(_NEGATION, s.text):
        return None
    mentions = _mentions_in(s.text, ctx)
    users = next(
        (
            m
            for m in mentions
            if m.org.role in (Role.CONTROLLER, Role.CSU, Role.OTHER)
            and (
                re.match(r"\s*(?:users?|staff)", s.text[m.end :])
                or re.match(r"\s*(?:can|will|then)?\s*(?:access|log|dial|view|use)", s.text[m.end :])
            )
        ),
        None,
    )
    system = next(
        (
            m
            for m in mentions
            if m.org.role in (Role.PROCESSOR, Role.CSU, Role.CONTROLLER) and (users is None or m.org.id != users.org.id)
        ),
        None,
    )
    if users is None or system is None:
        return None
    return _RawHop(
        system.org,
        users.org,
        s,
        system.text,
        users.text,
        _identifiability(s.text),
        frozenset(families_in(s.text)),
        access=True,
    )


# ---------------------------------------------------------------------------------------
# Purpose blocks


@dataclass
class _Block:
    purpose: str
    sentences: list[_Piece] = field(default_factory=list)
    segregation: bool = False


_PURPOSE_HINT = re.compile(
    r"(?i)invoice validation|commissioning|risk stratification|direct care|segregation|research|"
    r"pseudonymi|identifiable|contract|validation|mental health|local flows|^data processor|"
    r"analytics|population health|audit|surveillance|purpose|service (?:planning|evaluation)|"
    r"reporting|benchmarking|case finding|linkage|processing activities"
)
_CONTINUATION = re.compile(r"(?i)^(?:data processor|dp)\s*\d|^processing activities")


def _mentions_hint(text: str) -> bool:
    """A title-case line that is really a sentence fragment naming organisations."""
    return bool(_first(_VERB, text))


def _blocks(section: Section) -> list[_Block]:
    blocks = [_Block("")]
    into = blocks[-1].sentences
    for span in section.lines:
        name, pieces = _layout(span.text)
        if name is not None:
            blocks.append(_Block(name, segregation=name.lower().startswith("segregation")))
            into = blocks[-1].sentences
            continue
        for col, chunk, ends_list, is_item, facts in pieces:
            into.append(_Piece(chunk, span, col, ends_list, is_item, facts))
    return [b for b in blocks if b.sentences]


@functools.lru_cache(maxsize=65536)
def _layout(line: str) -> tuple[str | None, tuple[tuple[int, str, bool, bool, _Facts], ...]]:
    """A line's part in the blocks, remembered: the purpose it heads a block for, or None
    and its sentences with their facts ("Data Processor N – X" continues the block it
    stands in)."""
    text = line.strip()
    if (
        is_subheading(text)
        and not _ITEM_START.match(text)
        and (_PURPOSE_HINT.search(text) or not _mentions_hint(text))
        and not _CONTINUATION.match(text)
    ):
        return re.sub(r"\s*[*:]+$", "", text), ()
    return None, tuple((*piece, _facts(piece[1])) for piece in _pieces(line))


def _block_identifiability(block: _Block, entry: Entry) -> Identifiability:
    """The default identifiability of a block's hops: heading, then text, then entry."""
    heading = block.purpose.lower()
    if "pseudonymi" in heading:
        return Identifiability.PSEUDONYMISED
    if "invoice validation" in heading or "ceff" in heading:
        return Identifiability.IDENTIFIABLE
    pseudo = ident = 0
    for s in block.sentences:  # words never span sentences: counted per sentence
        facts = s.facts
        pseudo += facts.pseudo
        ident += facts.ident
    if pseudo or ident:
        return Identifiability.PSEUDONYMISED if pseudo >= ident else Identifiability.IDENTIFIABLE
    if entry.type_of_data in {i.value for i in Identifiability}:
        return Identifiability(entry.type_of_data)
    return Identifiability.PSEUDONYMISED


# ---------------------------------------------------------------------------------------
# Entry -> flows


def extract(entry: Entry, names: Gazetteer, diagnostics: Diagnostics) -> list[Flow]:
    """Every flow an entry's text states, each hop with its evidence sentence."""
    ctx = _context(entry, names)
    sections = [s for s in entry.sections if s.name == "Processing"]
    blocks = [b for section in sections for b in _blocks(section)]
    flows = [f for b in blocks for f in _block_flows(entry, b, ctx, diagnostics)]
    if not any(f.kind is FlowKind.TRANSFER for f in flows):
        fallback = [s for s in entry.sections if s.name in ("Objectives", "Outputs")]
        flows += [f for f in _flows_from(entry, fallback, ctx, diagnostics) if f.kind is FlowKind.TRANSFER]
    if not entry.sections:
        diagnostics.report(
            entry.span or Span(entry.source, entry.line),
            "DFG401",
            f"entry {entry.reference!r} has no processing text; no flows",
            Severity.NOTE,
        )
    elif not flows:
        diagnostics.report(
            entry.span or Span(entry.source, entry.line),
            "DFG402",
            f"entry {entry.reference!r}: no transfer between named organisations found in its processing text",
            Severity.NOTE,
        )
    statements = tuple(s.evidence for b in blocks for s in b.sentences if s.facts.held_separately)
    return _numbered(entry, flows, statements)


_HELD_SEPARATELY = re.compile(
    r"(?i)held separately|segregated|kept within the ceff|"
    r"separate (?:safe haven |)server|retained separately"
)


def _flows_from(entry: Entry, sections: Sequence[Section], ctx: _Context, diagnostics: Diagnostics) -> list[Flow]:
    flows: list[Flow] = []
    for section in sections:
        for block in _blocks(section):
            flows.extend(_block_flows(entry, block, ctx, diagnostics))
    return flows


def _block_flows(entry: Entry, block: _Block, ctx: _Context, diagnostics: Diagnostics) -> list[Flow]:
    """The flows of one purpose block; "the DSCRO"/"the CSU" mean the ones this block names."""
    header = next((h for x in block.sentences if (h := x.facts.dp_header)), None)
    dscro = csu = None
    memo = ctx.line_memo
    for x in block.sentences:
        facts = memo.get(x.text)
        if facts is None:
            facts = memo[x.text] = _line_facts(x.text, ctx.names)
        dscro = dscro or facts[0]
        csu = csu or facts[1]
        if dscro and csu:
            break
    scoped = _Context(
        ctx.entry,
        ctx.names,
        ctx.ccg,
        dscro or ctx.dscro,
        csu or ctx.csu,
        ctx.processors,
        header or ctx.current_processor,
        ctx.line_memo,
        ctx.hops_memo,
    )
    return _block_flows_in(entry, block, scoped, diagnostics)


def _block_flows_in(entry: Entry, block: _Block, ctx: _Context, diagnostics: Diagnostics) -> list[Flow]:
    default = _block_identifiability(block, entry)
    named = families_in(block.purpose).union(*(s.facts.families for s in block.sentences))
    block_families = _families(entry, named)
    dropped = sorted(named - set(block_families)) if entry.families and entry.variant != "quarterly-register" else []
    if dropped and set(block_families) & named:
        diagnostics.report(
            block.sentences[0].span,
            "DFG404",
            f"{', '.join(dropped)} named in {block.purpose or 'the processing text'!r} "
            "but not in the entry's Datasets list; left out of its flows",
            Severity.NOTE,
        )
    raw: list[_RawHop] = []
    special: list[Flow] = []
    previous: _RawHop | None = None
    list_head: _RawHop | None = None
    for i, s in enumerate(block.sentences):
        facts = s.facts
        if not facts.active:  # nothing to find; only a list ends
            if not s.ends_list and not s.is_item:
                list_head = None
            continue
        if facts.special:
            special.extend(_special_flows(entry, block, s, block.sentences[i + 1 :], ctx, raw, default))
        if block.segregation:
            continue
        access = _access_hop(s, ctx) if facts.access else None
        if access:
            hops = [access]
        elif facts.transfer:
            hops = _hops_in(s, ctx, previous, list_head if s.is_item else None)
        else:
            hops = []
        if not hops and facts.landing:
            lands = {m.org.id for m in _mentions_in(s.text, ctx)}
            for k in range(len(raw) - 1, -1, -1):
                if raw[k].receiver.id in lands:
                    raw[k] = replace(raw[k], landing_only=True)
                    break
        for hop in hops:
            raw.append(hop)
            previous = hop
        if s.ends_list:
            list_head = hops[-1] if hops else list_head
        elif not s.is_item:
            list_head = None
    return special + _chains(entry, block, raw, default, block_families)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a sentence's text alone says, remembered (register sentences repeat): which of
    the extractor's steps can find anything in it, and what the block sums over it."""

    families: frozenset[str]
    pseudo: int  # "pseudonymis/z" count, for the block's default identifiability
    ident: int  # "identifiable" count
    dp_header: str | None  # N of a "Data Processor N – X" heading
    held_separately: bool
    special: bool  # may state a linkage or a re-identification
    access: bool  # states online access (not negated)
    transfer: bool  # has a verb of transfer, not negated
    landing: bool  # speaks of a landing point
    says_identifiable: bool  # the word "identifiable", any case
    hosts_at: int | None  # where "who hosts" / "hosts the system" starts
    keys: bool  # speaks of a key or keys
    active: bool  # special, access, transfer or landing: the block loop may find something


@functools.lru_cache(maxsize=131072)
def _facts(text: str) -> _Facts:
    low = text.lower()
    header = _DP_HEADER.search(text)
    special = bool(_LINKAGE.search(text)) or bool(_REID.search(text) and not _NEGATION.search(text.split(",")[0]))
    access = bool(_ACCESS.search(text)) and not _NEGATION.search(text)
    transfer = _clause(text) is not None
    landing = bool(_LANDING.search(text))
    return _Facts(
        families=families_in(text),
        pseudo=len(re.findall(r"pseudonymi[sz]", low)),
        ident=len(re.findall(r"\bidentifiable\b", low)),
        dp_header=header.group("n") if header else None,
        held_separately=bool(_HELD_SEPARATELY.search(text)),
        special=special,
        access=access,
        transfer=transfer,
        landing=landing,
        says_identifiable=bool(re.search(r"(?i)\bidentifiable\b", text)),
        hosts_at=hosts.start() if (hosts := _HOSTS.search(text)) else None,
        keys=bool(re.search(r"(?i)\bkeys?\b", text)),
        active=special or access or transfer or landing,
    )


def _families(entry: Entry, named: frozenset[str]) -> tuple[str, ...]:
    """Families a block names, restricted to the entry's own Datasets (all of them if none named).

    A quarterly register lists only the files released that quarter, so its statements
    are not restricted to them.
    """
    own = set(entry.families)
    if entry.variant == "quarterly-register":
        return tuple(sorted(named or own))
    if not own:
        return tuple(sorted(named))
    kept = named & own
    return tuple(sorted(kept or own))


def _chains(
    entry: Entry, block: _Block, raw: list[_RawHop], default: Identifiability, families: tuple[str, ...]
) -> list[Flow]:
    """Order a block's hops into paths from NHS Digital (or the first sender) onward."""
    hops: list[_RawHop] = []
    seen: set[tuple[str, str]] = set()
    feeds: list[Flow] = []
    for h in raw:
        key = (h.sender.id, h.receiver.id)
        if h.sender.role in (Role.PROVIDER, Role.DIRECT_CARE):
            fams = _narrow(entry, families, h)
            feeds.append(
                _flow(
                    entry,
                    block.purpose,
                    FlowKind.PROVIDER_FEED,
                    [_hop(h, h.identifiability or Identifiability.IDENTIFIABLE, fams)],
                    fams,
                    h.identifiability or Identifiability.IDENTIFIABLE,
                )
            )
            continue
        if key in seen:
            i = next(i for i, x in enumerate(hops) if (x.sender.id, x.receiver.id) == key)
            if hops[i].identifiability is None and h.identifiability is not None:
                hops[i] = replace(hops[i], identifiability=h.identifiability)
            if h.landing_only and not hops[i].landing_only:
                hops[i] = replace(hops[i], landing_only=True)
            continue
        seen.add(key)
        hops.append(h)
    flows: list[Flow] = []
    used: set[int] = set()
    receivers = {h.receiver.id for h in hops}
    for start, h in enumerate(hops):
        if start in used or (h.sender.id in receivers and h.sender.id != NHS_DIGITAL):
            continue
        path = _follow(hops, start, used)
        flows.extend(_path_flows(entry, block, path, default, families))
    for i in range(len(hops)):  # cycles, or hops whose sender is reached only later
        if i not in used:
            flows.extend(_path_flows(entry, block, _follow(hops, i, used), default, families))
    return feeds + flows


def _follow(hops: list[_RawHop], start: int, used: set[int]) -> list[_RawHop]:
    path = [hops[start]]
    used.add(start)
    visited = {hops[start].sender.id, hops[start].receiver.id}
    while True:
        tail = path[-1].receiver.id
        nxt = next(
            (i for i, h in enumerate(hops) if i not in used and h.sender.id == tail and h.receiver.id not in visited),
            None,
        )
        if nxt is None:
            return path
        used.add(nxt)
        visited.add(hops[nxt].receiver.id)
        path.append(hops[nxt])


def _path_flows(
    entry: Entry, block: _Block, path: list[_RawHop], default: Identifiability, families: tuple[str, ...]
) -> list[Flow]:
    """One flow for a chain of hops; each hop keeps the families its sentence narrows to."""
    if path[0].sender.role is Role.DSCRO:
        path = [_implicit_source(path[0]), *path]
    stated = [
        h.identifiability
        for h in path
        if h.sender.role is not Role.SOURCE and h.receiver.role is not Role.DSCRO and h.identifiability
    ]
    flow_ident = stated[-1] if stated else default
    hops = []
    for h in path:
        if h.sender.role is Role.SOURCE:
            fams = tuple(f for f in families if f not in _NOT_FROM_SOURCE or f in h.families)
        else:
            fams = _narrow(entry, families, h)
        if h.receiver.role is Role.DSCRO:
            ident = (
                Identifiability.PSEUDONYMISED
                if h.identifiability is Identifiability.PSEUDONYMISED and not h.sentence.facts.says_identifiable
                else Identifiability.IDENTIFIABLE
            )
        elif h.identifiability is not None:
            ident = h.identifiability
        elif h.unit == CEFF:
            ident = Identifiability.IDENTIFIABLE  # a CEfF exists to hold identifiable data
        else:
            ident = flow_ident if h.sender.role is not Role.SOURCE else default
        hops.append(_hop(h, ident, fams))
    until = next((h.until for h in path if h.until), None)
    # "CCG users use online features of X's system": the copy stays at X; reading it
    # online is a flow of its own kind, after the transfer that brought the copy to X.
    cut = len(hops)
    while cut > 0 and hops[cut - 1].access:
        cut -= 1
    out = []
    for kind, part in ((FlowKind.TRANSFER, hops[:cut]), (FlowKind.ACCESS, hops[cut:])):
        if part:
            fams = tuple(sorted(set().union(*(h.families for h in part))))
            ident = flow_ident if kind is FlowKind.TRANSFER else part[-1].identifiability
            out.append(_flow(entry, block.purpose, kind, part, fams, ident, until=until))
    return out


#: Families that reach a processor from elsewhere (GP systems, councils), never from NHS Digital.
_NOT_FROM_SOURCE = frozenset({"GP", "SOCIAL-CARE", "CHC", "CPRD"})


def _narrow(entry: Entry, families: tuple[str, ...], h: _RawHop) -> tuple[str, ...]:
    named = h.families & set(families)
    if not named and entry.variant == "quarterly-register" and h.families:
        return tuple(sorted(h.families))
    return tuple(sorted(named)) if named else families


def _implicit_source(first: _RawHop) -> _RawHop:
    """NHS Digital -> DSCRO, stated by the sentence in which the DSCRO first acts."""
    nd = Organisation(NHS_DIGITAL, "NHS Digital", Role.SOURCE)
    return replace(
        first,
        sender=nd,
        receiver=first.sender,
        sender_text="",
        receiver_text=first.sender_text,
        landing_only=False,
        unit=None,
        identifiability=Identifiability.IDENTIFIABLE,
        access=False,
    )


def _hop(h: _RawHop, ident: Identifiability, families: tuple[str, ...] = ()) -> Hop:
    return Hop(
        h.sender,
        h.receiver,
        ident,
        h.sentence.evidence,
        families=families,
        landing_only=h.landing_only,
        unit=h.unit,
        source_text=h.sender_text,
        target_text=h.receiver_text,
        access=h.access,
        context=h.context.evidence if h.context else None,
    )


def _flow(
    entry: Entry,
    purpose: str,
    kind: FlowKind,
    hops: list[Hop],
    families: tuple[str, ...],
    ident: Identifiability,
    *,
    linked: tuple[str, ...] = (),
    until: str | None = None,
    key_holder: str | None = None,
) -> Flow:
    return Flow(
        id="",
        entry=entry.id,
        reference=entry.reference,
        agreement=entry.agreement,
        purpose=purpose or "Unspecified",
        kind=kind,
        families=families,
        identifiability=ident,
        hops=tuple(hops),
        period=entry.period,
        opt_outs=entry.opt_outs.honoured,
        linked=linked,
        until=until,
        key_holder=key_holder,
    )


# ---------------------------------------------------------------------------------------
# Linkage and re-identification

_LINKAGE = re.compile(r"(?i)\b(?:linkage|linked|link)\b")
_REID = re.compile(
    r"(?i)\bre-?identif|\bGPs?\b[^.]{0,40}\b(?:have|has|will have|are given)\s+access\s+to\s+the\s+"
    r"(?:risk\s+stratification\s+)?(?:tool|system)"
)


def _special_flows(
    entry: Entry,
    block: _Block,
    s: _Piece,
    rest: list[_Piece],
    ctx: _Context,
    raw: list[_RawHop],
    default: Identifiability,
) -> list[Flow]:
    flows: list[Flow] = []
    if _first(_LINKAGE, s.text) and s.ends_list and re.search(r"(?i)following", s.text):
        items = []
        for nxt in rest:
            if not nxt.is_item:
                break
            items.append(_ITEM_START.sub("", nxt.text).strip(" .;"))
        holder = next((m.org for m in _mentions_in(s.text, ctx) if m.org.role in (Role.PROCESSOR, Role.CSU)), None)
        holder = holder or (raw[-1].receiver if raw else None)
        src = ctx.names.by_id.get(LOCAL_SOURCES)
        if items and holder is not None and src is not None:
            hop = Hop(
                src, holder, _identifiability(s.text) or default, s.evidence, source_text="", target_text=holder.name
            )
            # "the data sets contained within point 1": what the holder itself received
            into = [h for h in raw if h.receiver.id == holder.id]
            fams = (
                tuple(sorted(set().union(*(h.families for h in into)) & set(entry.families) or set(entry.families)))
                if into
                else entry.families
            )
            flows.append(
                replace(
                    _flow(entry, block.purpose, FlowKind.LINKAGE, [hop], (), hop.identifiability, linked=tuple(items)),
                    linked_families=fams,
                )
            )
    if _first(_REID, s.text) and not _first(_NEGATION, s.text.split(",")[0]):
        flows.extend(_reidentification(entry, block, s, ctx, raw))
    return flows


def _reidentification(entry: Entry, block: _Block, s: _Piece, ctx: _Context, raw: list[_RawHop]) -> list[Flow]:
    mentions = _mentions_in(s.text, ctx)
    who = next((m for m in mentions if m.org.role is Role.DIRECT_CARE), None)
    if who is None:
        return []
    holders = (Role.PROCESSOR, Role.CSU)
    holder = next((m.org for m in mentions if m.org.role in holders), None) or _host(block, ctx)
    if holder is None:
        holder = next((h.receiver for h in reversed(raw) if h.receiver.role in holders), None)
    if holder is None:
        text = " ".join(x.text for x in block.sentences)
        holder = next((m.org for m in _mentions_in(text, ctx) if m.org.role in holders), None)
    if holder is None:
        return []
    keys = _key_holder(block, ctx)
    hop = Hop(holder, who.org, Identifiability.IDENTIFIABLE, s.evidence, source_text=holder.name, target_text=who.text)
    return [
        _flow(entry, block.purpose, FlowKind.REIDENTIFICATION, [hop], (), Identifiability.IDENTIFIABLE, key_holder=keys)
    ]


_HOSTS = re.compile(r"(?i)\bwho\s+hosts?\b|\bhosts?\s+the\s+(?:risk\s+stratification\s+)?(?:system|tool)")


def _host(block: _Block, ctx: _Context) -> Organisation | None:
    """The organisation the block says hosts the system ("X who hosts the risk stratification system")."""
    for s in block.sentences:
        at = s.facts.hosts_at
        if at is not None:
            before = [x for x in _mentions_in(s.text[:at], ctx) if x.org.role is not Role.DIRECT_CARE]
            if before:
                return before[-1].org
    return None


def _key_holder(block: _Block, ctx: _Context) -> str | None:
    for s in block.sentences:
        if s.facts.keys:
            for m in _mentions_in(s.text, ctx):
                if m.org.role is Role.KEY_HOLDER:
                    return m.org.name
    return None


def _numbered(entry: Entry, flows: list[Flow], segregation: tuple[Span, ...]) -> list[Flow]:
    """Give flows stable ids (entry id + position) and the entry's segregation statements;
    drop exact repeats."""
    out: list[Flow] = []
    seen: set[tuple[object, ...]] = set()
    for f in flows:
        key = (f.kind, f.purpose, f.families, f.identifiability, tuple((h.source.id, h.target.id) for h in f.hops))
        if key in seen:
            continue
        seen.add(key)
        out.append(replace(f, id=f"{entry.id}/flow-{len(out) + 1}", segregation=segregation))
    return out


def extract_all(
    entries: Iterable[Entry], names: Gazetteer, diagnostics: Diagnostics, *, workers: int | None = None
) -> list[Flow]:
    """Flows of every entry, in entry order.

    Entries are independent, so a large register is split into chunks shared by this
    process and ``workers - 1`` worker processes (``workers`` defaults to the machine's
    cores); the result and the diagnostics are the same, in the same order, as a
    single-process run.
    """
    entries = list(entries)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers < 2 or len(entries) < PARALLEL_FROM:
        out: list[Flow] = []
        for entry in entries:
            out.extend(extract(entry, names.fresh(), diagnostics))
        return out
    size = -(-len(entries) // (workers * 8))
    ranges = [(i, min(i + size, len(entries))) for i in range(0, len(entries), size)]
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    # A forked worker inherits the entries: only index ranges travel to it, never the
    # text (pickling every entry to the workers cost more than extracting them).
    shared = entries if forking else None
    jobs = ranges if forking else [entries[a:b] for a, b in ranges]
    results: list[tuple[list[Flow], list[object]] | None] = [None] * len(jobs)
    # The collector stays off while the pool runs: a pass started on the pool's own thread
    # could free objects that must be freed on this one (Oxigraph's), and forked workers
    # copy fewer pages.
    with (
        cyclic_gc_paused(),
        concurrent.futures.ProcessPoolExecutor(
            workers - 1, mp_context=context, initializer=_init_worker, initargs=(names, shared)
        ) as pool,
    ):
        futures = [pool.submit(_extract_chunk, job) for job in jobs]
        # This process works too, on the last chunks no worker has started (the workers
        # take them in order): nothing of its share is pickled, and no core waits.
        for i in range(len(jobs) - 1, -1, -1):
            if not futures[i].cancel():
                break
            a, b = ranges[i]
            results[i] = _extract_entries(entries[a:b], names)
        for i, future in enumerate(futures):
            if results[i] is None:
                results[i] = future.result()
    out = []
    for result in results:
        assert result is not None
        flows, items = result
        out.extend(flows)
        diagnostics.items.extend(items)  # type: ignore[arg-type]
    return out


#: Below this many entries one process is faster than starting workers.
PARALLEL_FROM = 200


_WORKER_NAMES: Gazetteer | None = None
_WORKER_ENTRIES: list[Entry] | None = None


def _init_worker(names: Gazetteer, entries: list[Entry] | None) -> None:
    global _WORKER_NAMES, _WORKER_ENTRIES
    _WORKER_NAMES = names
    _WORKER_ENTRIES = entries


def _extract_chunk(job: tuple[int, int] | list[Entry]) -> tuple[list[Flow], list[object]]:
    """Flows and diagnostics of one chunk: an index range of the inherited entries, or the entries."""
    names = _WORKER_NAMES
    assert names is not None
    if isinstance(job, tuple):
        assert _WORKER_ENTRIES is not None
        entries = _WORKER_ENTRIES[job[0] : job[1]]
    else:
        entries = job
    return _extract_entries(entries, names)


def _extract_entries(entries: list[Entry], names: Gazetteer) -> tuple[list[Flow], list[object]]:
    """Flows and diagnostics of some entries, each read with a fresh registry of unreviewed names."""
    local = Diagnostics()
    flows: list[Flow] = []
    for entry in entries:
        flows.extend(extract(entry, names.fresh(), local))
    return flows, local.items
