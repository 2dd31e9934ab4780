"""Hops: the transfer a sentence states, from its verb, its prepositions and its names.

A sentence with a verb of transfer (push, pass, transfer, send, obtain, receive…) and
no negation ("will not be shared") gives a hop: the sender is the ``from`` organisation
or the subject of an active sending verb, the receiver the ``to``/``into`` organisation,
the ``by`` agent of a passive "obtained by", or the subject of "receives"; ``via X as a
landing point only`` inserts a landing-only hop.  Online access ("CCG users use online
features of X's system") is a hop of its own kind.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from .._speed import memoised, replacer
from ..model import Identifiability, Organisation, Role
from ..names import families_in, identifiability_in, normalise
from ..names.fragments import guarded
from ..read import month
from .mentions import (
    ALIAS,
    GENERIC_DSCRO,
    NHS_DIGITAL,
    ROLE,
    Context,
    Mention,
    RoleWord,
    candidates,
    mentions_in,
    role_word,
)
from .rules import rules
from .sentences import Piece, first

__all__ = ["RawHop", "access_hop", "clause", "hops_in", "linked_at"]

_R = rules()
_VERB = _R.verb
#: the verbs behind a proven prefilter (names/fragments.py): every match holds one of these
#: stems, and most sentences hold none
_ANY_VERB = guarded(
    _VERB,
    "push pass transfer transmit send sent disseminat distribut suppl provid shar submit upload forward releas "
    "mov disclos return deliver mak land flow receiv obtain collect acquir retriev extract get download access "
    "accept".split(),
)
NEGATION = _R.negation
#: the same behind a proven prefilter: every negation holds one of these words
NEGATED = guarded(NEGATION, ["not", "never", "no ", "without", "won't"])
_CUT = guarded(_R.cut, ["due to", "because", "in order to", "so that", "where"])
_SOFT_CUT = _R.soft_cut
_RECEIVING_PREPOSITION = _R.receiving_preposition
_PASSIVE = _R.passive
LANDING = _R.landing
_LANDS_VERB = _R.landing_verb
#: the prepositions that make a name a side of a hop ("by the DSCRO", "from the DSCRO")
_HOP_SIDES = frozenset((*_R.sides.sender, *_R.sides.receiver, *_R.sides.via, *_R.sides.agent))
_PREP = _R.preposition
_SIDES = _R.sides
_NOT_TRANSFER_TO = _R.not_transfer_to
_GAP_BREAK = _R.gap_break
_APPOSITION_BEFORE = _R.apposition_before
_UNTIL = _R.until
ACCESS = _R.access
_ACCESS_USERS = _R.access_users
_ACCESS_VERB = _R.access_verb
_THERE = _R.changed_there
_RELEASED = _R.released
_NAMED_RECEIVER = _R.named_receiver
_APPLICANT_NAMED = _R.applicant_named
#: a bracketed aside (:func:`_without_asides`)
_ASIDE = re.compile(r"\([^()]*\)")
_WORD = re.compile(r"[\w&]+")
#: words no initial of an acronym stands for ("London School of Hygiene and Tropical Medicine": LSHTM)
_NOT_INITIALS = frozenset({"of", "and", "for", "the", "&", "in", "on", "at"})
_DIRECT_OBJECT = _R.direct_object
_WITH_AFTER = _R.with_after
_PAST_COPY = _R.past_copy
_COORDINATED = _R.coordinated
_LINKAGE_PHRASE = _R.linkage_phrase
#: families that reach an applicant from elsewhere (GP systems, councils), never released by NHS Digital
_NOT_RELEASED = frozenset({"GP", "SOCIAL-CARE", "CHC", "CPRD"})


@dataclass(frozen=True, slots=True)
class RawHop:
    """A hop as one sentence states it, before the block's hops are chained."""

    sender: Organisation
    receiver: Organisation
    sentence: Piece
    sender_text: str
    receiver_text: str
    identifiability: Identifiability | None
    families: frozenset[str]
    landing_only: bool = False
    unit: str | None = None
    access: bool = False
    until: str | None = None
    context: Piece | None = None
    #: the level the receiver turns the copy into ("… where it is Pseudonymised")
    then: Identifiability | None = None
    #: the sender is not named; NHS Digital is implied (a release to the applicant)
    implied: bool = False
    #: not stated by the sentence at all (the NHS Digital -> DSCRO hop before a chain)
    inferred: bool = False
    #: with ``landing_only``, a later sentence that says the receiver only lands the data
    #: ("6. The CSU lands the data only."); None where the hop's own sentence says so
    landed: Piece | None = None
    #: the list items of a list head ("transfers the following to the CSU:") that name what
    #: the hop carries ("a. The SUS data Identifiable at the level of NHS number")
    items: tuple[Piece, ...] = ()

    @property
    def landing_sentence(self) -> Piece | None:
        """The sentence that makes the hop landing only (None if it is not)."""
        return (self.landed or self.sentence) if self.landing_only else None


#: a remembered hop given the sentence that states it here (``replace`` without ``__init__``)
_STATED_IN = replacer(RawHop, "sentence", "context")


@memoised(262144)
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
    if len(gap.split()) > 6 or _GAP_BREAK.search(gap):
        return None
    if "," in gap and not _APPOSITION_BEFORE.search(gap):
        return None
    return " ".join(last.group("prep").lower().split()).replace("in to", "into")


def hops_in(s: Piece, ctx: Context, previous: RawHop | None, list_head: RawHop | None) -> list[RawHop]:
    """The hops one sentence states (usually none or one, two with a landing point).

    Remembered: the hops depend only on the sentence's text, on what each name in it
    means in this entry (:func:`_meanings`) and whether the entry names a DSCRO, and,
    where finding them asked (:func:`_find_hops`), on who the applicant is and on the
    receiver of the previous hop and of the list head; the evidence sentence is this one's.
    Most sentences name both sides: their hops are the same in every entry whose names mean
    the same, whoever the applicant (a third of the sentences' hops were found again for
    another applicant when it was part of every key).
    """
    found = clause(s.text)
    if found is None:
        return []
    memo = ctx.hops_memo
    own = (s.text, s.is_item, _meanings(found[1], ctx), ctx.names_dscro)
    key: object = own
    made: object = memo.get(own)  # the hops, _ASKED or None
    if made is _ASKED:
        key = _asked_key(own, ctx, previous, list_head)
        made = memo.get(key)
    if made is None:
        asked: list[str] = []
        hops = _find_hops(s, ctx, previous, list_head, asked)
        if asked and key is own:  # remembered under the applicant and the hops before too
            memo.remember(own, _ASKED)
            key = _asked_key(own, ctx, previous, list_head)
        memo.remember(key, tuple(hops))
        return hops
    head = list_head.sentence if list_head else None
    return [_STATED_IN(h, s, head if h.context is not None else None) for h in cast("tuple[RawHop, ...]", made)]


def _asked_key(own: tuple[object, ...], ctx: Context, previous: RawHop | None, list_head: RawHop | None) -> object:
    """The memo key of a sentence's hops that depend on the applicant or the hops before it."""
    return (
        own,
        ctx.ccg,
        (previous.receiver, previous.receiver_text, previous.unit) if previous else None,
        (list_head.receiver, list_head.receiver_text, list_head.unit) if list_head else None,
    )


#: In the hops memo, under a sentence's own key: its hops depend on the entry's applicant or
#: the hops before it, and are remembered under those too (:func:`hops_in`).
_ASKED = object()


def _meanings(text: str, ctx: Context) -> tuple[object, ...]:
    """What the names in ``text`` that depend on the entry mean in it (the generic DSCRO,
    unreviewed spellings, role words), in text order: with the text, they fix the mentions
    :func:`mentions_in` finds.  Resolves names exactly as :func:`mentions_in` does."""
    out: list[object] = []
    for kind, what in _dependents(text, ctx):
        if kind == ALIAS:
            out.append(ctx.dscro)
        elif kind == ROLE:
            assert isinstance(what, tuple)
            out.append(role_word(what, ctx))
        else:
            assert isinstance(what, str)
            out.append(ctx.names.resolve(what))
    return tuple(out)


def _dependents(text: str, ctx: Context) -> tuple[tuple[int, Organisation | str | RoleWord], ...]:
    """The candidates of ``text`` whose meaning depends on the entry, as (kind, what), in text
    order: the generic DSCRO, name shapes (kept or not), role words; every other alias names
    its reviewed organisation wherever it stands.  From the text and the reviewed names
    alone, so remembered per text (a sentence's hops are looked up many times)."""
    memo = ctx.names.memo("flows.dependents")
    found: tuple[tuple[int, Organisation | str | RoleWord], ...] | None = memo.get(text)
    if found is None:
        found = memo.remember(
            text,
            tuple(
                (kind, what)
                for _start, _end, _name, kind, what in candidates(text, ctx.names)
                if kind != ALIAS or (isinstance(what, Organisation) and what.id == GENERIC_DSCRO)
            ),
        )
    return found


def _find_hops(
    s: Piece, ctx: Context, previous: RawHop | None, list_head: RawHop | None, asked: list[str]
) -> list[RawHop]:
    """The hops of one sentence (:func:`hops_in`).  ``asked`` is told each input beyond the
    sentence's text and the meanings of its names that the finding read, or would have read
    with another value: "applicant" (``ctx.ccg``), "previous", "list head"."""
    found = clause(s.text)
    if found is None:
        return []
    verb, text, sending, passive = found
    mentions = [m for m in mentions_in(text, ctx, unstated=True) if m.org is not None]
    if not mentions:  # no side named: no hop, list head or not (each needs a named sender)
        return []
    sides = _SIDES
    senders: list[Mention] = []
    receivers: list[Mention] = []
    vias: list[Mention] = []
    unit = None
    subject = None
    preps: dict[int, str | None] = {}
    co_senders: list[Mention] = []  # "from both North of England CSU and eMBED"
    co_receivers: list[Mention] = []  # "to both eMBED and the CCG"
    last: Mention | None = None
    for m in mentions:
        prep = _preposition(text, m.start)
        preps[id(m)] = prep
        if m.unit:
            unit = m.unit
        if prep is None and last is not None and _COORDINATED.fullmatch(text, last.end, m.start):
            side = co_senders if senders and last is senders[-1] else None
            side = co_receivers if receivers and last is receivers[-1] else side
            if side is not None:
                side.append(m)
                last = m
                continue
        last = m
        if prep in sides.sender:
            senders.append(m)
        elif prep in sides.receiver or (prep in sides.receiver_of_unit and m.unit):
            receivers.append(m)
        elif prep in sides.via:
            vias.append(m)
        elif prep in sides.agent and m.start > verb.start():
            governing = _governing_verb(text, m.start) or verb
            (senders if governing.group("send") else receivers).append(m)
        elif prep in sides.agent and sending and m.start < verb.start():
            senders.append(m)  # "completed by X and ... then passed to Y"
        elif prep is None and m.start < verb.start() and subject is None:
            subject = m
        elif prep in sides.container and receivers and m.start > receivers[-1].end:
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
        and all(preps.get(id(r)) in sides.onward for r in receivers[:2])
        and receivers[1].org.id != receivers[0].org.id
        and sending
    ):
        vias.append(receivers[0])  # "sent from A to B to the data processor"
        receiver = receivers[1]
    if receiver is None and sending and not passive:
        receiver = _direct_object(text, verb, mentions, sender)
    implied = False
    if sender is None and receiver is not None:
        asked.append("previous")
        sender = _implied_sender(receiver, preps.get(id(receiver)), previous, ctx)
        if sender is None:
            asked.append("applicant")
            if (sender := _release_by_source(text, verb, receiver, ctx)) is not None:
                implied = True
    context = None
    if receiver is None and sender is not None and s.is_item:
        asked.append("list head")
        if list_head is not None:
            receiver = Mention(0, 0, list_head.receiver_text, list_head.receiver, list_head.unit)
            context = list_head.sentence
    if receiver is None and sender is not None:
        asked.append("applicant")
        receiver = _release_to_applicant(text, verb, sender, ctx)
    if sender is None or receiver is None or sender.org.id == receiver.org.id:
        return []
    # who the sentence's landing cue can be about: its mentions of the organisations on its hops
    ids = {m.org.id for m in (sender, receiver, *vias, *co_receivers, *co_senders)}
    on_hops = [m for m in (*mentions, sender, receiver) if m.org.id in ids]
    hops = _with_landing(s, text, sender, receiver, vias, unit, on_hops)
    for other in co_receivers:
        if other.org.id not in (sender.org.id, receiver.org.id):
            hops += _with_landing(s, text, sender, other, [], None, on_hops)
    for other in co_senders:
        if other.org.id not in (sender.org.id, receiver.org.id):
            hops += _with_landing(s, text, other, receiver, [], unit, on_hops)
    if implied:
        hops = [replace(h, implied=True) for h in hops]
    return [replace(h, context=context) for h in hops] if context else hops


def _direct_object(text: str, verb: re.Match[str], mentions: list[Mention], sender: Mention | None) -> Mention | None:
    """ "NHS Digital will provide Quality Health Limited with the latest details": the name
    right after a giving verb, before "with", is the receiver."""
    for m in mentions:
        if m.start > verb.end() and (sender is None or m.org.id != sender.org.id):
            if _DIRECT_OBJECT.fullmatch(text, verb.end(), m.start) and _WITH_AFTER.match(text, m.end):
                return m
            return None
    return None


def _release_by_source(text: str, verb: re.Match[str], receiver: Mention, ctx: Context) -> Mention | None:
    """ "HES data is accepted into MedeAnalytics' secure, FTP service": in an entry whose text
    names no DSCRO, a dataset the applicant receives from no one named is released to it by
    NHS Digital (the register lists NHS Digital's releases).  The sentence must name the
    dataset's family and speak of data at its verb (not "access to records")."""
    if ctx.names_dscro or ctx.ccg is None or receiver.org.id != ctx.ccg.id:
        return None
    if not families_in(text) - _NOT_RELEASED or not _releases_data(text, verb):
        return None
    nd = ctx.names.by_id.get(NHS_DIGITAL)
    return Mention(0, 0, "", nd) if nd else None


def _release_to_applicant(text: str, verb: re.Match[str], sender: Mention, ctx: Context) -> Mention | None:
    """ "Data supplied by NHS Digital will be pseudonymised HES data": in an entry whose text
    names no DSCRO, data NHS Digital releases to no one named goes to the applicant.  The
    sentence must speak of data at its verb ("reports provided by NHS Digital to confirm the
    payments" is no release), and not of a copy gone ("previously received … destroyed")."""
    if sender.org.role is not Role.SOURCE or ctx.names_dscro or ctx.ccg is None:
        return None
    if not _releases_data(text, verb) or first(_PAST_COPY, text):
        return None
    if _names_other_receiver(text, ctx.ccg, ctx):
        return None
    return Mention(0, 0, "", ctx.ccg)


def _names_other_receiver(text: str, applicant: Organisation, ctx: Context) -> bool:
    """The sentence says where the data goes, and it is not the applicant: "2. NHSD sends
    extract containing mothers details to ONS to match to births" (in a University College
    London agreement) is a step towards ONS, whether or not the gazetteer knows ONS.  The name
    must follow "to"/"into" governed by the nearest verb of transfer before it, with no clause
    break between them ("downloaded from NHS Digital and imported into SAS" says nothing of
    where the download goes); a dataset ("link the sample to HES records") is no receiver."""
    for m in _NAMED_RECEIVER.finditer(text):
        governing = _governing_verb(text, m.start())
        if governing is None or _GAP_BREAK.search(text, governing.end(), m.start()):
            continue
        if _NOT_TRANSFER_TO.search(text, 0, m.start()):
            continue
        name = m.group("name").rstrip(".")
        if families_in(name) or _is_applicant(name, applicant, text, ctx):
            continue
        return True
    return False


def _is_applicant(name: str, applicant: Organisation, text: str, ctx: Context) -> bool:
    """``name`` is the applicant's: a name the gazetteer gives the applicant, words of its
    name ("Bristol" for University of Bristol, "UCL" for University College London (UCL)),
    the initials of its name (LSHTM, ONS), or a name the sentence gives "the customer"
    ("send the customer (WCTU) reports … to WCTU")."""
    known = ctx.names.lookup(name)
    if known is not None:
        return known.id == applicant.id
    key = normalise(name)
    words: set[str] = set()
    initials: set[str] = set()
    for spelling in (applicant.name, *applicant.aliases):
        words.update(_WORD.findall(normalise(spelling)))
        lead = _WORD.findall(normalise(spelling.split("(")[0]))  # "University College London (UCL)"
        initials.add("".join(w[0] for w in lead if w not in _NOT_INITIALS))
    if set(_WORD.findall(key)) <= words or key in initials:
        return True
    return any(normalise(m.group("name")) == key for m in _APPLICANT_NAMED.finditer(text))


def _releases_data(text: str, verb: re.Match[str]) -> bool:
    """Data is what the verb moves: a data word just before or just after it."""
    return bool(
        _RELEASED.search(text, max(0, verb.start() - 60), verb.start())
        or _RELEASED.search(text, verb.end(), verb.end() + 30)
    )


@memoised(65536)
def clause(text: str) -> tuple[re.Match[str], str, bool, bool] | None:
    """The transfer clause of a sentence, from its text alone: its verb, the clause (cut at
    "due to", "so that"…), whether the verb sends and whether it is passive; None when the
    sentence has no verb of transfer or negates it (not in an aside after its receiver)."""
    verb = _ANY_VERB.search(text)
    if verb is None:
        return None
    cut = _CUT.search(text)
    found = text[: cut.start()] if cut else text
    soft = _SOFT_CUT.search(found)
    if soft and _RECEIVING_PREPOSITION.search(found, 0, soft.start()):
        found = found[: soft.start()]
    if NEGATED.search(_without_asides(found)):
        return None
    sending = verb.group("send") is not None
    passive = bool(_PASSIVE.search(found[: verb.start()]))
    return verb, found, sending, passive


def _without_asides(found: str) -> str:
    """The clause without the bracketed asides after where it says the data goes: their
    negation is of their own clause ("10. NHSD supplies de-identified data to UCL along with a
    deprivation score and unique study ID (this study ID cannot be used by UCL to re-identify)",
    PurposeStatements 152).  An aside before it, or one that speaks of a transfer
    (:func:`_unless_transfer`), still negates ("extracted from the relevant
    data files (which do not contain subject names, NHS numbers …) and merged with the data
    supplied by NHS Digital", 121)."""
    to = _RECEIVING_PREPOSITION.search(found)
    if to is None:
        return found
    return found[: to.end()] + _ASIDE.sub(_unless_transfer, found[to.end() :])


def _unless_transfer(aside: re.Match[str]) -> str:
    """An aside that speaks of a transfer itself negates it: "… prior to being provided to
    researchers, whilst equivalent in format to those provided by NHS Digital (hence could not
    be provided directly)" (PurposeStatements 173)."""
    return aside.group(0) if _ANY_VERB.search(aside.group(0)) else " "


@memoised(65536)
def _governing_verb(text: str, start: int) -> re.Match[str] | None:
    """The verb of transfer nearest before ``start``."""
    last = None
    for m in _VERB.finditer(text, 0, start):
        last = m
    return last


def _implied_sender(
    receiver: Mention, receiver_prep: str | None, previous: RawHop | None, ctx: Context
) -> Mention | None:
    """Who sent it when the sentence does not say: NHS Digital into a DSCRO, else the last holder."""
    if receiver.org.role is Role.DSCRO:
        nd = ctx.names.by_id.get(NHS_DIGITAL)
        return Mention(0, 0, "", nd) if nd else None
    if receiver_prep in _SIDES.onward and previous is not None and previous.receiver.id != receiver.org.id:
        return Mention(0, 0, previous.receiver_text, previous.receiver, previous.unit)
    return None


@memoised(65536)
def _said(
    text: str, sentence: str
) -> tuple[Identifiability | None, frozenset[str], bool, Identifiability | None, str | None]:
    """What a hop's clause ``text`` and its ``sentence`` say of it, from their text alone
    (remembered: a sentence's hops are made again in each entry that holds it): the
    identifiability, the families (not those only linked in), whether it lands only, the
    level the receiver turns the copy into, the month it runs until."""
    there = first(_THERE, sentence)
    m = first(_UNTIL, sentence)
    return (
        identifiability_in(text),
        frozenset(families_in(_LINKAGE_PHRASE.sub(" ", text))),
        bool(first(LANDING, text)),
        identifiability_in(there.group(0)) if there else None,
        month(m.group(2)) if m else None,
    )


def _with_landing(
    s: Piece,
    text: str,
    sender: Mention,
    receiver: Mention,
    vias: list[Mention],
    unit: str | None,
    on_hops: Sequence[Mention],
) -> list[RawHop]:
    ident, families, landing, then, until = _said(text, s.text)
    r_unit = receiver.unit or (unit if receiver.org.id != sender.org.id else None)
    chain = [sender, *[v for v in vias if v.org.id not in (sender.org.id, receiver.org.id)], receiver]
    lands = _lander(text, chain, on_hops) if landing else None
    hops = []
    for i, (a, b) in enumerate(itertools.pairwise(chain)):
        is_via = i < len(chain) - 2
        hops.append(
            RawHop(
                a.org,
                b.org,
                s,
                a.text,
                b.text,
                ident,
                families,
                landing_only=landing and (b is lands if lands is not None else is_via or len(chain) == 2),
                unit=r_unit if b is receiver else None,
                until=until,
                then=then if b is receiver else None,
            )
        )
    return hops


#: what :func:`_lander` gives for a hop the cue is not about: none of its hops is marked
_ELSEWHERE = Mention(0, 0, "", Organisation("", "", Role.OTHER))


def _lander(text: str, chain: list[Mention], named: Sequence[Mention]) -> Mention | None:
    """Who a transfer that says "landing only" makes the landing point, of the organisations
    on its way (``chain``): of those on the sentence's hops (``named``, wherever it names them),
    the one named last before the cue ("… to the CSU, which lands the data only", "via NEL CSU
    … to the CCG, the CSU acting as a landing point only", "… to the CSU on behalf of the CCG
    for landing only": the CCG is on no hop).  :data:`_ELSEWHERE` where that is on another hop
    of the sentence ("to the CSU and the CCG, the CSU acting as a landing point only": not the
    hop to the CCG).  The sender only where the cue is its verb ("X lands the data only and
    passes it to Y": then no hop of the sentence is marked, the hop into X is, by
    :mod:`~dataflow_graph.extract.extractor`'s landing sentences) or where the sentence names
    it again, as the subject of the cue, after the receiver ("X passes the data to Y, as X is
    a landing point only"); not where it is the sender named after the receiver ("to the CSU
    by the DSCRO for landing only").  None where the cue names no one on a hop before it: the
    receiver then, or the organisations the data goes through."""
    cue = first(LANDING, text)
    if cue is None:
        return None
    before = [m for m in named if m.start < m.end <= cue.start()]
    if not before:
        return None
    last = max(before, key=lambda m: m.end)
    at = next((i for i, m in enumerate(chain) if m.org.id == last.org.id), None)
    if at is None:
        return _ELSEWHERE
    sender = chain[0]
    named_again = (
        last.start >= chain[-1].end and last.start != sender.start and _preposition(text, last.start) not in _HOP_SIDES
    )
    if at == 0 and not first(_LANDS_VERB, cue.group(0)) and not named_again:
        return None  # "the DSCRO transfers the data for landing only to the CSU", "… to the CSU by the DSCRO …"
    return chain[at]


def access_hop(s: Piece, ctx: Context) -> RawHop | None:
    """ "CCG users use online features of the X system": the CCG reads X's copy."""
    if not first(ACCESS, s.text) or first(NEGATION, s.text):
        return None
    mentions = mentions_in(s.text, ctx)
    users = next(
        (
            m
            for m in mentions
            # "the CCG" is the entry's controller, whatever role its organisation has elsewhere
            if (m.generic or m.org.role in (Role.CONTROLLER, Role.CSU, Role.OTHER))
            and (_ACCESS_USERS.match(s.text[m.end :]) or _ACCESS_VERB.match(s.text[m.end :]))
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
    return RawHop(
        system.org,
        users.org,
        s,
        system.text,
        users.text,
        identifiability_in(s.text),
        frozenset(families_in(s.text)),
        access=True,
    )


def linked_at(s: Piece, ctx: Context) -> tuple[Organisation, frozenset[str]] | None:
    """ "Receipt of Identifiable SUS data from North England DSCRO … is linked with local
    provider data": the one holder a sentence names, and the families it says are linked in
    there (data NHS Digital releases only: GP data linked for risk stratification stays a
    linkage input)."""
    linked = frozenset().union(*(families_in(m.group(0)) for m in _LINKAGE_PHRASE.finditer(s.text)))
    linked -= _NOT_RELEASED
    if not linked:
        return None
    holders = {m.org.id: m.org for m in mentions_in(s.text, ctx) if m.org.role is not Role.DIRECT_CARE}
    return (next(iter(holders.values())), linked) if len(holders) == 1 else None
