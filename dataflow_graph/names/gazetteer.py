"""Names: references, organisations and dataset families.

The reviewed gazetteer lives in ``dataflow_graph/data/organisations.yaml`` and
``dataflow_graph/data/datasets.yaml`` (data, not code).  A name that is not in it
is still resolved: normalised, given a role guessed from its words ("CSU", "CCG",
"Limited", "University"...) and marked unreviewed, never dropped.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml

from ..model import Organisation, Role

__all__ = [
    "Gazetteer",
    "Mention",
    "agreement_core",
    "dataset_family",
    "families_in",
    "gazetteer",
    "guess_role",
    "normalise",
    "slug",
    "split_controllers",
    "split_list",
]

_REF = re.compile(
    r"^(?P<dars>DARS-)?(?P<nic>NIC)-?(?P<num>\d{3,7})-(?P<code>[A-Z0-9]{5})(?:-v\s*[\d.]+)?$",
    re.IGNORECASE,
)


def agreement_core(reference: str) -> str:
    """The agreement a reference belongs to, across register eras and versions.

    >>> [agreement_core(r) for r in ("DARS-NIC-81831-Y2N8H", "NIC-81831-Y2N8H",
    ...                               "DARS-NIC-81831-Y2N8H-v2.1", " NIC-154590-YG6QH ",
    ...                               "CASEMIX_MONITOR")]
    ['NIC-81831-Y2N8H', 'NIC-81831-Y2N8H', 'NIC-81831-Y2N8H', 'NIC-154590-YG6QH', 'CASEMIX_MONITOR']
    """
    ref = reference.strip()
    if m := _REF.match(ref):
        return f"NIC-{m.group('num')}-{m.group('code').upper()}"
    return ref


def is_dars_reference(reference: str) -> bool:
    """True for DARS-NIC / NIC references, False for local labels."""
    return bool(_REF.match(reference.strip()))


@functools.lru_cache(maxsize=131072)
def normalise(name: str) -> str:
    """A comparison key: case-folded, accents and punctuation removed, spaces collapsed.

    >>> normalise("  NHS  Mid-Essex C.C.G. ")
    'nhs mid essex ccg'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ").replace("’", "'")
    text = re.sub(r"(?<=\b\w)\.(?=\w\.)|(?<=\b\w)\.(?=\s|$)", "", text)
    text = re.sub(r"[^\w']+", " ", text.casefold()).replace("'", "")
    return " ".join(text.split())


def slug(name: str) -> str:
    """A node id fragment: ``org:<slug>``.

    >>> slug("NHS Mid-Essex CCG")
    'nhs-mid-essex-ccg'
    """
    return normalise(name).replace(" ", "-") or "unnamed"


_ORG_SUFFIX = re.compile(r"^(LIMITED|LTD|INC|PLC|LLP|LLC|CIC|UK|GMBH|CORPORATION|CORP)\b\.?", re.I)


def split_controllers(text: str) -> list[str]:
    """Split a list of organisation names on commas that separate names.

    Commas inside a name ("NHS Bristol, North Somerset and South Gloucestershire ICB")
    or before "LIMITED"/"INC" do not separate.

    >>> split_controllers("NHS THURROCK CCG, NHS MID AND SOUTH ESSEX ICB - 07G")
    ['NHS THURROCK CCG', 'NHS MID AND SOUTH ESSEX ICB - 07G']
    >>> split_controllers("NHS Bristol, North Somerset and South Gloucestershire ICB, IQVIA, INC")
    ['NHS Bristol, North Somerset and South Gloucestershire ICB', 'IQVIA, INC']
    """
    parts = [p.strip() for p in split_list(text, ",;")]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and (_ORG_SUFFIX.match(part) or _continues_name(out[-1], part)):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


_ORG_WORD = re.compile(
    r"(?i)\b(CCG|ICB|CSU|TRUST|COUNCIL|LIMITED|LTD|UNIVERSITY|DIGITAL|"
    r"ENGLAND|AUTHORITY|PLC|INC|AGENCY|HOSPITAL|PARTNERSHIP|SERVICE|"
    r"DEPARTMENT|OFFICE|COLLEGE|INSTITUTE|FOUNDATION|GROUP|NETWORK)\b"
)
_NHS_PLACE = re.compile(r"(?i)^NHS\s+\w+$")


def _continues_name(previous: str, part: str) -> bool:
    """A fragment that cannot stand alone: the previous one has no organisation word yet."""
    return (
        bool(_NHS_PLACE.match(previous))
        and not _ORG_WORD.search(previous)
        and bool(_ORG_WORD.search(part))
        and not part.upper().startswith("NHS")
    )


_SPLITTERS: dict[str, re.Pattern[str]] = {}


def split_list(text: str, separators: str = ",") -> list[str]:
    """Split on separators outside parentheses and quotes.

    >>> split_list("Yes (Section 251, s261), No")
    ['Yes (Section 251, s261)', ' No']
    """
    out: list[str] = []
    depth, start = 0, 0
    pattern = _SPLITTERS.get(separators) or _SPLITTERS.setdefault(
        separators, re.compile("[" + re.escape("()[]" + separators) + "]")
    )
    for m in pattern.finditer(text):
        ch = m.group(0)
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return [p for p in out if p.strip()]


# ---------------------------------------------------------------------------------------
# Dataset families


def _data_text(name: str) -> str:
    return (importlib.resources.files(__package__) / name).read_text(encoding="utf-8")


#: libyaml's loader where PyYAML was built with it (about 15x faster), the pure-Python one otherwise.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Safe YAML loading, through libyaml when available."""
    return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader: no arbitrary objects


@functools.lru_cache(maxsize=1)
def _datasets_data() -> dict[str, Any]:
    return load_yaml(_data_text("datasets.yaml"))


@functools.lru_cache(maxsize=1)
def _families() -> tuple[tuple[str, str, tuple[re.Pattern[str], ...]], ...]:
    data = _datasets_data()
    return tuple(
        (name, spec.get("label", name), (re.compile("|".join(f"(?:{p})" for p in spec["patterns"]), re.IGNORECASE),))
        for name, spec in data["families"].items()
    )


@functools.lru_cache(maxsize=1)
def _prose_families() -> tuple[tuple[str, tuple[str, ...] | None, re.Pattern[str]], ...]:
    """Family, prefilter fragments (None: always try) and one pattern for prose."""
    data = _datasets_data()
    extra = data.get("mentions_only") or {}
    prefilter = data.get("prefilter") or {}
    out = []
    for name, spec in data["families"].items():
        patterns = [*spec["patterns"], *extra.get(name, ())]
        fragments = prefilter.get(name)
        out.append(
            (
                name,
                tuple(fragments) if fragments else None,
                re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE),
            )
        )
    return tuple(out)


def family_labels() -> dict[str, str]:
    """Family code -> human label, in the reviewed file's order."""
    return {name: label for name, label, _ in _families()}


@functools.lru_cache(maxsize=4096)
def dataset_family(name: str) -> str | None:
    """The family of one dataset name, or None when no reviewed family matches.

    >>> [dataset_family(n) for n in ("SUS for Commissioners", "Acute-Local Provider Flows",
    ...  "Mental Health Minimum Data Set", "Children and Young People Health")]
    ['SUS', 'LPF', 'MHMDS', 'CYPHS']
    """
    for family, _, patterns in _families():
        if any(p.search(name) for p in patterns):
            return family
    return None


@functools.lru_cache(maxsize=65536)
def families_in(text: str, *, prefilter: bool = True) -> frozenset[str]:
    """Every family a sentence names (prose may name several), prose-only wordings included.

    >>> sorted(families_in("Mental Health data (MHSDS, MHMDS, MHLDDS) and SUS"))
    ['MHLDDS', 'MHMDS', 'MHSDS', 'SUS']
    >>> sorted(families_in("Commissioning (Pseudonymised) – SUS and Local Flows"))
    ['LPF', 'SUS']
    """
    low = text.lower()
    return frozenset(
        family
        for family, fragments, pattern in _prose_families()
        if (not prefilter or fragments is None or any(f in low for f in fragments)) and pattern.search(text)
    )


# ---------------------------------------------------------------------------------------
# Organisations

_ROLE_WORDS: tuple[tuple[Role, re.Pattern[str]], ...] = (
    (Role.DSCRO, re.compile(r"(?i)\bDSCRO\b|data services for commissioners|regional processing centre")),
    (Role.CSU, re.compile(r"(?i)\bCSU\b|commissioning support")),
    (Role.SOURCE, re.compile(r"(?i)^(NHS Digital|HSCIC|NHS England)$|health and social care information centre")),
    (Role.DIRECT_CARE, re.compile(r"(?i)\bGP(?:s| practices?| surgery)\b|general practi")),
    (Role.KEY_HOLDER, re.compile(r"(?i)key management")),
    (
        Role.CONTROLLER,
        re.compile(
            r"(?i)\b(CCG|ICB|clinical commissioning group|integrated care board|"
            r"sub[- ]ICB|council|university|trust|authority|department of)\b"
        ),
    ),
    (Role.PROVIDER, re.compile(r"(?i)\bproviders?\b")),
    (Role.PROCESSOR, re.compile(r"(?i)\b(limited|ltd|plc|inc|llp|llc|gmbh)\b")),
)


def guess_role(name: str) -> Role:
    """A role from the words of a name, for organisations not in the gazetteer.

    >>> [guess_role(n).value for n in ("NHS Anywhere CCG", "Somewhere CSU", "Acme Analytics Ltd",
    ...                                 "University of Nowhere", "Zorg")]
    ['controller', 'csu', 'processor', 'controller', 'other']
    """
    for role, pattern in _ROLE_WORDS:
        if pattern.search(name):
            return role
    return Role.OTHER


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
        for org in organisations:
            self.by_id[org.id] = org
            for alias in (org.name, *org.aliases):
                self._by_key.setdefault(normalise(alias), org.id)
        # a word trie of every alias: mentions are found in one left-to-right scan
        self._trie: dict[str, dict] = {}
        for key in self._by_key:
            node = self._trie
            for word in key.split():
                node = node.setdefault(word, {})
            node[""] = key
        self._unreviewed: dict[str, Organisation] = {}
        self._cache: dict[str, tuple[Mention, ...]] = {}
        # name -> its reviewed organisation, or (key, clean spelling) of an unreviewed one
        self._resolved: dict[str, Organisation | tuple[str, str]] = {}
        self._memos: dict[str, dict[object, object]] = {}

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        # caches are not worth shipping to a worker
        state["_cache"], state["_resolved"], state["_memos"] = {}, {}, {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({"_cache": {}, "_resolved": {}, "_memos": {}, **state})

    @classmethod
    def from_yaml(cls, text: str) -> Gazetteer:
        """Build from the reviewed YAML format of ``data/organisations.yaml``."""
        data = load_yaml(text) or {}
        orgs = []
        for item in data.get("organisations", []):
            orgs.append(
                Organisation(
                    id=f"org:{item['id']}",
                    name=item["name"],
                    role=Role(item.get("role", "other")),
                    reviewed=True,
                    aliases=tuple(item.get("aliases") or ()),
                    part_of=f"org:{item['part_of']}" if item.get("part_of") else None,
                    ods=item.get("ods"),
                    successor=f"org:{item['successor']}" if item.get("successor") else None,
                    units=tuple(item.get("units") or ()),
                )
            )
        return cls(orgs)

    def lookup(self, name: str) -> Organisation | None:
        """The reviewed organisation with this name or alias, or None."""
        key = normalise(_strip_ods(name))
        org_id = self._by_key.get(key) or self._by_key.get(normalise(name))
        if org_id is None and key.startswith("the "):
            org_id = self._by_key.get(key[4:])
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
                found = (normalise(clean), clean)
            if len(self._resolved) > 100_000:
                self._resolved.clear()
            self._resolved[name] = found
        if isinstance(found, Organisation):
            return found
        key, clean = found
        org = self._unreviewed.get(key)
        if org is None:
            org = self._unreviewed[key] = _unreviewed_organisation(clean)
        return org

    def mentions(self, text: str) -> Iterator[Mention]:
        """Reviewed organisations named in ``text``, longest alias first, left to right.

        >>> g = Gazetteer([Organisation("org:x", "North East London CSU", Role.CSU, aliases=("NEL CSU",))])
        >>> [(m.text, m.organisation.id) for m in g.mentions("then NEL CSU passes it to North-East London CSU.")]
        [('NEL CSU', 'org:x'), ('North-East London CSU', 'org:x')]
        """
        cached = self._cache.get(text)
        if cached is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            cached = self._cache[text] = tuple(self._scan(text))
        return iter(cached)

    def _scan(self, text: str) -> Iterator[Mention]:
        tokens = _tokens(text)
        i, n = 0, len(tokens)
        while i < n:
            node = self._trie.get(tokens[i][2])
            best: tuple[int, str] | None = None
            j = i
            while node is not None:
                if "" in node:
                    best = (j, node[""])
                j += 1
                node = node.get(tokens[j][2]) if j < n else None
            if best is None:
                i += 1
                continue
            start, end = tokens[i][0], tokens[best[0]][1]
            yield Mention(start, end, text[start:end], self.by_id[self._by_key[best[1]]])
            i = best[0] + 1

    def memo(self, name: str) -> dict[object, object]:
        """A cache named ``name``, shared with this gazetteer's forks, for results derived from
        text and the reviewed data alone (never from unreviewed names, which differ per fork)."""
        memo = self._memos.get(name)
        if memo is None:
            memo = self._memos[name] = {}
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


@functools.lru_cache(maxsize=65536)
def _unreviewed_organisation(clean: str) -> Organisation:
    """An organisation built from a name's words alone (the same spelling, the same record)."""
    return Organisation(
        id=f"org:{slug(clean)}", name=_display(clean), role=guess_role(clean), reviewed=False, aliases=(clean,)
    )


_TOKEN = re.compile(r"\w+(?:['’]\w+)*|&")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Words of ``text`` as (start, end, normalised word), the way :func:`normalise` sees them."""
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if word == "&":
            out.append((m.start(), m.end(), "and"))
            continue
        for part in _norm_word(word):
            out.append((m.start(), m.end(), part))
    return out


@functools.lru_cache(maxsize=65536)
def _norm_word(word: str) -> tuple[str, ...]:
    return tuple(normalise(word).split())


def _strip_ods(name: str) -> str:
    """Drop a trailing ODS code such as " - 07G"."""
    return re.sub(r"\s+-\s+[0-9A-Z]{3,5}\s*$", "", name.strip())


def _display(name: str) -> str:
    """A readable name: keep the register's casing unless it is all capitals."""
    if name.isupper() and len(name) > 5:
        small = {"and", "of", "for", "the", "in", "on"}
        words = []
        for w in name.split():
            lw = w.lower()
            keep = w if len(w) <= 4 and w.isalpha() and w in {"NHS", "CCG", "ICB", "CSU", "UK", "GP", "PLC"} else None
            words.append(keep or (lw if lw in small and words else w.capitalize()))
        return " ".join(words)
    return name


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The reviewed gazetteer shipped with the package."""
    return Gazetteer.from_yaml(_data_text("organisations.yaml"))
