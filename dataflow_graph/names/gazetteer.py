"""The gazetteer: canonical organisations with their aliases, and every name resolved.

The reviewed organisations live in ``organisations.yaml`` (data, not code), checked
when loaded: every role is known, no alias belongs to two organisations, and every
``part_of`` / ``successor`` names an organisation of the file.  A name that is not in it
is still resolved: normalised, given a role guessed from its words ("CSU", "CCG",
"Limited", "University"...) and marked unreviewed, never dropped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .._speed import BoundedMemo, memoised
from ..model import Organisation
from .reviewed import Reviewed, load_reviewed, package_file
from .roles import guess_role, role_of
from .text import is_commissioner_name, normalise, organisation_key, slug, word_keys

__all__ = ["Gazetteer", "Mention", "gazetteer", "organisation_id", "organisations_text"]

#: a word trie of aliases: each word leads on; the key "" holds the alias ending there
_Trie = dict[str, "_Trie | str"]
#: a name's reviewed organisation, or (key, clean spelling) of an unreviewed one
_Resolved = Organisation | tuple[str, str]


@dataclass(frozen=True, slots=True)
class Mention:
    """An organisation named in a sentence at ``start:end``."""

    start: int
    end: int
    text: str
    organisation: Organisation


class Gazetteer:
    """Canonical organisations with aliases; resolves any name, reviewed or not."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.by_id: dict[str, Organisation] = {}
        self._by_key: dict[str, str] = {}
        # the organisation key of every alias (a key two organisations share is no key)
        self._by_fold: dict[str, str] = {}
        shared: set[str] = set()
        # ODS codes ("07G") name their organisation wherever a name is asked for
        self._by_ods: dict[str, str] = {}
        for org in organisations:
            self.by_id[org.id] = org
            if org.ods:
                self._by_ods.setdefault(org.ods.strip().upper(), org.id)
            for alias in (org.name, *org.aliases):
                self._by_key.setdefault(normalise(alias), org.id)
                fold = organisation_key(alias)
                if self._by_fold.setdefault(fold, org.id) != org.id:
                    shared.add(fold)
        for fold in shared:
            del self._by_fold[fold]
        # a word trie of every alias: mentions are found in one left-to-right scan
        self._trie: _Trie = {}
        for key in self._by_key:
            node = self._trie
            for word in key.split():
                child = node.setdefault(word, {})
                assert isinstance(child, dict)
                node = child
            node[""] = key
        self._unreviewed: dict[str, Organisation] = {}
        self._cache: BoundedMemo[str, tuple[Mention, ...]] = BoundedMemo(100_000)
        self._resolved: BoundedMemo[str, _Resolved] = BoundedMemo(100_000)
        self._memos: dict[str, BoundedMemo[Any, Any]] = {}

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        # caches are not worth shipping to a worker
        state["_cache"], state["_resolved"], state["_memos"] = BoundedMemo(100_000), BoundedMemo(100_000), {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({"_cache": BoundedMemo(100_000), "_resolved": BoundedMemo(100_000), "_memos": {}, **state})

    @classmethod
    def from_yaml(cls, text: str) -> Gazetteer:
        """Build from text in the reviewed format of ``organisations.yaml`` (checked as it is)."""
        return cls(_organisations(Reviewed.from_text("<organisations>", text)))

    def lookup(self, name: str) -> Organisation | None:
        """The reviewed organisation with this name or alias, or None."""
        stripped = _strip_ods(name)
        key = normalise(stripped)
        org_id = self._by_key.get(key) or self._by_key.get(normalise(name))
        if org_id is None and key.startswith("the "):
            org_id = self._by_key.get(key[4:])
        if org_id is None:
            org_id = self._by_fold.get(organisation_key(stripped)) or self._by_ods.get(name.strip().upper())
        return self.by_id[org_id] if org_id else None

    def resolve(self, name: str) -> Organisation:
        """A reviewed organisation, or an unreviewed one built from the name's words.

        An unreviewed name is spelt the way this gazetteer first met it (its key is
        remembered per gazetteer; the lookup itself is remembered across forks).
        """
        found = self._resolved.get(name)
        if found is None:
            org = self.lookup(name)
            if org is not None:
                found = org
            else:
                clean = " ".join(_strip_ods(name).split()).strip(" .,;:")
                found = (organisation_key(clean), clean)
            self._resolved.remember(name, found)
        if isinstance(found, Organisation):
            return found
        key, clean = found
        org = self._unreviewed.get(key)
        if org is None:
            org = self._unreviewed[key] = _unreviewed_organisation(key, clean)
        return org

    def mentions(self, text: str) -> Iterator[Mention]:
        """Reviewed organisations named in ``text``, longest alias first, left to right.

        >>> from dataflow_graph.model import Role
        >>> g = Gazetteer([Organisation("org:x", "North East London CSU", Role.CSU, aliases=("NEL CSU",))])
        >>> [(m.text, m.organisation.id) for m in g.mentions("then NEL CSU passes it to North-East London CSU.")]
        [('NEL CSU', 'org:x'), ('North-East London CSU', 'org:x')]
        """
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache.remember(text, tuple(self._scan(text)))
        return iter(cached)

    def scanned(self, text: str) -> bool:
        """Whether the mentions of ``text`` are remembered (asking for them costs a lookup, not
        a scan): a caller's shortcut that saves a scan need not be tried there."""
        return text in self._cache

    def remember_parts(self, text: str, parts: Iterable[tuple[int, str]]) -> None:
        """Remember the mentions of parts of ``text`` (its sentences) from the text's own.

        Each part is (where to look for it from, its text).  The part's mentions are those of
        the text inside it, moved to its start, when no word and no mention of the text runs
        across either end of the part: the scan then meets the same words in the same state.
        Otherwise (or when the part is not in the text) the part is left to be scanned.
        """
        cache = self._cache
        found: tuple[Mention, ...] | None = None
        for hint, part in parts:
            if part in cache or part == text:
                continue
            start = text.find(part, hint)
            if start < 0 or not part:
                continue
            end = start + len(part)
            if _cut_in_word(text, start) or _cut_in_word(text, end):
                continue
            if found is None:
                found = tuple(self.mentions(text))
            if any(m.start < start < m.end or m.start < end < m.end for m in found):
                continue
            cache.remember(
                part,
                tuple(
                    Mention(m.start - start, m.end - start, m.text, m.organisation)
                    for m in found
                    if start <= m.start and m.end <= end
                ),
            )

    def _scan(self, text: str) -> Iterator[Mention]:
        keys, starts, ends = word_keys(text)
        trie = self._trie
        n = len(keys)
        after = 0  # the first word not inside the last mention
        # only a word that starts an alias can start a mention: the rest are skipped at C speed
        for i in [k for k, word in enumerate(keys) if word in trie]:
            if i < after:
                continue
            node = trie.get(keys[i])
            best: tuple[int, str] | None = None
            j = i
            while isinstance(node, dict):
                alias = node.get("")
                if isinstance(alias, str):
                    best = (j, alias)
                j += 1
                node = node.get(keys[j]) if j < n else None
            if best is None:
                continue
            start, end = starts[i], ends[best[0]]
            yield Mention(start, end, text[start:end], self.by_id[self._by_key[best[1]]])
            after = best[0] + 1

    def memo(self, name: str) -> BoundedMemo[Any, Any]:
        """A cache named ``name`` (emptied past 200,000 entries), shared with this gazetteer's
        forks, for results derived from text and the reviewed data alone (never from
        unreviewed names, which differ per fork)."""
        memo = self._memos.get(name)
        if memo is None:
            memo = self._memos[name] = BoundedMemo(200_000)
        return memo

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        """The closest known names, for an 'unknown organisation' hint."""
        names = {o.name for o in self.by_id.values()} | {o.name for o in self._unreviewed.values()}
        lowered = {n_.lower(): n_ for n_ in names}
        return [lowered[c] for c in difflib.get_close_matches(name.lower(), sorted(lowered), n, 0.4)]

    def unreviewed(self) -> list[Organisation]:
        """Every organisation resolved from its words so far."""
        return sorted(self._unreviewed.values(), key=lambda o: o.id)

    def fork(self) -> Gazetteer:
        """A copy that shares the reviewed data but has its own unreviewed names."""
        clone = object.__new__(Gazetteer)
        clone.by_id, clone._by_key, clone._trie = self.by_id, self._by_key, self._trie
        clone._by_fold, clone._by_ods = self._by_fold, self._by_ods
        clone._cache, clone._resolved, clone._memos = self._cache, self._resolved, self._memos
        clone._unreviewed = dict(self._unreviewed)
        return clone

    def fresh(self) -> Gazetteer:
        """A copy with the reviewed data and no unreviewed names yet (one per entry keeps
        how a name is spelt independent of which entry met it first)."""
        clone = self.fork()
        clone._unreviewed = {}
        return clone

    def with_organisation(self, org: Organisation) -> Gazetteer:
        """A new gazetteer with one more reviewed organisation (tests, notebooks)."""
        return Gazetteer([*self.by_id.values(), replace(org, reviewed=True)])


@memoised(65536)
def _unreviewed_organisation(key: str, clean: str) -> Organisation:
    """An organisation built from a name's words alone (the same spelling, the same record).

    Its id comes from its organisation key, so every spelling of one CCG is one node; a
    CCG, ICB or CSU is named with the "NHS" the register sometimes leaves out.
    """
    commissioner = is_commissioner_name(key)
    name = _display(clean)
    if commissioner and not normalise(name).startswith("nhs "):
        name = f"NHS {name[4:] if name.lower().startswith('the ') else name}"
    return Organisation(
        id=f"org:{slug(('nhs ' if commissioner else '') + key)}",
        name=name,
        role=guess_role(clean),
        reviewed=False,
        aliases=(clean,),
    )


def organisation_id(name: str) -> str:
    """The node id any spelling of ``name`` resolves to in the shipped gazetteer (ODS codes too).

    >>> organisation_id("NHS THURROCK CCG"), organisation_id("07G"), organisation_id("Greenwich CCG")
    ('org:nhs-thurrock-ccg', 'org:nhs-thurrock-ccg', 'org:nhs-greenwich-ccg')
    """
    return gazetteer().fresh().resolve(name).id


#: a character a word (:func:`~.text.words`) may hold
_WORD_CHAR = re.compile(r"[\w'’]")


def _cut_in_word(text: str, at: int) -> bool:
    """Whether a cut of ``text`` at ``at`` may fall inside a word (both sides word characters)."""
    return 0 < at < len(text) and bool(_WORD_CHAR.match(text, at - 1)) and bool(_WORD_CHAR.match(text, at))


def _strip_ods(name: str) -> str:
    """Drop a trailing ODS code such as " - 07G"."""
    return re.sub(r"\s+-\s+[0-9A-Z]{3,5}\s*$", "", name.strip())


def _display(name: str) -> str:
    """A readable name: keep the register's casing unless it is all capitals."""
    if name.isupper() and len(name) > 5:
        small = {"and", "of", "for", "the", "in", "on"}
        out: list[str] = []
        for w in name.split():
            lw = w.lower()
            acronym = w in {"NHS", "CCG", "ICB", "CSU", "UK", "GP", "PLC"} or (w.startswith("(") and w.endswith(")"))
            keep = w if acronym else None
            out.append(keep or (lw if lw in small and out else w.capitalize()))
        return " ".join(out)
    return name


@memoised(1)
def gazetteer() -> Gazetteer:
    """The reviewed gazetteer shipped with the package."""
    return Gazetteer(_organisations(load_reviewed(__package__, "organisations.yaml")))


_ORG_KEYS = frozenset({"id", "name", "role", "aliases", "part_of", "ods", "successor", "units"})


def _organisations(reviewed: Reviewed) -> list[Organisation]:
    """The organisations of a reviewed file, each checked; an error names the line at fault."""
    items = list(reviewed.items("organisations"))
    ids = {item.get("id") for _, item in items}
    owner: dict[str, tuple[str, str]] = {}  # alias key -> (organisation id, alias)
    out = []
    for i, item in items:
        keys: list[str | int] = ["organisations", i]
        if unknown := set(item) - _ORG_KEYS:
            raise reviewed.error(keys, f"unknown keys {sorted(unknown)} (allowed: {sorted(_ORG_KEYS)})")
        for field in ("part_of", "successor"):
            if item.get(field) and item[field] not in ids:
                raise reviewed.error([*keys, field], f"{field} {item[field]!r} is no organisation id of this file")
        aliases = tuple(item.get("aliases") or ())
        for alias in (item["name"], *aliases):
            first = owner.setdefault(normalise(alias), (item["id"], alias))
            if first[0] != item["id"]:
                raise reviewed.error(
                    [*keys, "aliases"], f"alias {alias!r} of {item['id']!r} is already {first[1]!r} of {first[0]!r}"
                )
        out.append(
            Organisation(
                id=f"org:{item['id']}",
                name=item["name"],
                role=role_of(reviewed, [*keys, "role"], item.get("role", "other")),
                reviewed=True,
                aliases=aliases,
                part_of=f"org:{item['part_of']}" if item.get("part_of") else None,
                ods=item.get("ods"),
                successor=f"org:{item['successor']}" if item.get("successor") else None,
                units=tuple(item.get("units") or ()),
            )
        )
    return out


def organisations_text() -> str:
    """The text of the shipped ``organisations.yaml`` (for a gazetteer with fresh caches)."""
    return package_file(__package__, "organisations.yaml")[1]
