"""Score extracted flows against a hand-labelled gold file (``tests/gold/*.yaml``).

A hop edge is (reference as written, from, to, identifiability, family).  Gold
names are resolved through the gold file's own aliases and then the gazetteer, and a
name the gazetteer does not know is keyed the way the extractor keys the same words
(:meth:`~dataflow_graph.names.Gazetteer.resolve`); the gold name "DSCRO" stands for any
organisation whose role is ``dscro``.  The *core* score uses the gold flows; the
*extended* score adds the ``optional`` edges (provider feeds, linkage,
re-identification).  A gold entry that names a sheet ``row`` scores only that row's
flows (a register file repeats a reference on a row per purpose).

Two conventions of the gold files are kept by the scorer: the hop into a DSCRO is
scored without its identifiability (the gold writes every such hop identifiable, by
convention, where the extractor keeps what its sentence says: "the DSCRO receives a
flow of pseudonymised patient level data"), and a hop from one regional office to
another is not scored (the gold's "DSCRO" stands for every regional office, so such a
hop is inside it).

Families enter the key one edge per family, for every gold file alike: a hop carrying
SUS and LPF is two edges, so a hop given a family its text does not name is an extra,
and one missing a family a miss.  Which families a flow carries is the gold's
convention (``thurrock.yaml``: those the text names within the entry's Datasets;
``statements-2017.yaml``: those the text names, since a 2017 statement's released
files list no SUS); the extractor follows the same rule for each kind of entry.

Convergence is scored too (:func:`evaluate_convergence`): a finding is a statement's
(recipient, family) with both an identifiable and a de-identified copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import UsageError
from ..model import Flow, Role
from ..names import Gazetteer, load_yaml

__all__ = ["PairScore", "Score", "evaluate", "evaluate_convergence", "load_gold"]

Edge = tuple[str, str, str, str, str]
#: a gold document as YAML gives it: ``organisations`` (name -> role, aliases) and ``entries``
Gold = dict[str, Any]
ANY = "*"
#: the key of every regional office: the gold's "DSCRO" stands for any of them
DSCRO = "role:dscro"


@dataclass(frozen=True)
class Score:
    """Precision and recall of hop edges, core and extended, with every miss and extra."""

    core_precision: float
    core_recall: float
    extended_precision: float
    extended_recall: float
    misses: tuple[Edge, ...]
    optional_misses: tuple[Edge, ...]
    extras: tuple[Edge, ...]
    counts: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        def rows(edges: Iterable[Edge]) -> list[dict[str, str]]:
            keys = ("reference", "from", "to", "identifiability", "family")
            return [dict(zip(keys, e, strict=True)) for e in edges]

        return {
            "schema": 4,  # the JSON contracts' number (outputs.documents.SCHEMA)
            "core": {"precision": round(self.core_precision, 4), "recall": round(self.core_recall, 4)},
            "extended": {"precision": round(self.extended_precision, 4), "recall": round(self.extended_recall, 4)},
            "counts": self.counts,
            "misses": rows(self.misses),
            "optional_misses": rows(self.optional_misses),
            "extras": rows(self.extras),
        }


def load_gold(text: str, path: str = "<gold>") -> Gold:
    """Parse a gold YAML document; :class:`UsageError` naming ``path:line:col`` if it is not
    YAML, or naming ``path`` if it is not a mapping.

    >>> load_gold("- a list", "gold.yaml")
    Traceback (most recent call last):
    ...
    dataflow_graph.errors.UsageError: gold.yaml: a gold file is a mapping with 'entries' (see tests/gold/thurrock.yaml)
    """
    try:
        gold = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
        raise UsageError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(gold, dict):
        raise UsageError(f"{path}: a gold file is a mapping with 'entries' (see tests/gold/thurrock.yaml)")
    return gold


class _Keys:
    """Gold names and extracted organisations -> comparable keys.

    A gold name is keyed by the reviewed organisation it or one of its gold aliases names;
    a name the gazetteer does not know is keyed the way the extractor keys the same words
    (:meth:`Gazetteer.resolve`, on a fork, so scoring adds no name to the register's
    gazetteer).  An extracted organisation the gazetteer does not know, spelt as one of a
    gold organisation's aliases, takes that organisation's key: the gold says the spellings
    are one organisation.  An alias two gold organisations claim ("the CCG") keys neither.
    """

    def __init__(self, gold: Gold, names: Gazetteer) -> None:
        self.names = names.fork()
        self.gold_orgs: dict[str, dict[str, Any]] = gold.get("organisations") or {}
        self._gold: dict[str, str] = {}
        claims: dict[str, set[str]] = {}
        for name, spec in self.gold_orgs.items():
            key = self.gold(str(name))
            for alias in (name, *((spec or {}).get("aliases") or ())):
                org = self.names.resolve(str(alias))
                if not org.reviewed:
                    claims.setdefault(org.id, set()).add(key)
        self._spelling = {org_id: next(iter(keys)) for org_id, keys in claims.items() if len(keys) == 1}

    def gold(self, name: str) -> str:
        key = self._gold.get(name)
        if key is None:
            key = self._gold[name] = self._gold_key(name)
        return key

    def _gold_key(self, name: str) -> str:
        spec = self.gold_orgs.get(name) or {}
        if spec.get("role") == "dscro" or name == "DSCRO":
            return DSCRO
        for candidate in (name, *(spec.get("aliases") or ())):
            org = self.names.lookup(str(candidate))
            if org is not None:
                return DSCRO if org.role is Role.DSCRO else org.id
        org = self.names.resolve(name)
        return DSCRO if org.role is Role.DSCRO else org.id

    def org(self, org_id: str, role: Role) -> str:
        if role is Role.DSCRO:
            return DSCRO
        return self._spelling.get(org_id, org_id)


def _gold_edges(gold: Gold, keys: _Keys) -> tuple[set[Edge], set[Edge], dict[Edge, Edge]]:
    core: set[Edge] = set()
    optional: set[Edge] = set()
    shown: dict[Edge, Edge] = {}
    for entry in gold.get("entries") or []:
        ref = str(entry["ref"])
        for flow in entry.get("flows") or []:
            hops = [str(h) for h in flow["hops"]]
            for a, b in itertools.pairwise(hops):
                kb = keys.gold(b)
                ident = ANY if kb == DSCRO else str(flow["identifiability"])
                for fam in flow.get("families") or [ANY]:
                    e = (ref, keys.gold(a), kb, ident, str(fam))
                    core.add(e)
                    shown[e] = (ref, a, b, ident, str(fam))
        for opt in entry.get("optional") or []:
            kb = keys.gold(str(opt["to"]))
            ident = ANY if kb == DSCRO else str(opt["identifiability"])
            for fam in opt.get("families") or [ANY]:
                e = (ref, keys.gold(str(opt["from"])), kb, ident, str(fam))
                optional.add(e)
                shown[e] = (ref, str(opt["from"]), str(opt["to"]), e[3], str(fam))
    return core, optional - core, shown


def _predicted(flows: Iterable[Flow], keys: _Keys) -> tuple[set[Edge], dict[Edge, Edge]]:
    out: set[Edge] = set()
    shown: dict[Edge, Edge] = {}
    for f in flows:
        for h in f.hops:
            source, target = keys.org(h.source.id, h.source.role), keys.org(h.target.id, h.target.role)
            if source == target == DSCRO:
                continue  # between two regional offices: inside "the DSCRO"
            for fam in h.families or f.families or (ANY,):
                e = (f.reference, source, target, ANY if target == DSCRO else h.identifiability.value, fam)
                out.add(e)
                shown[e] = (f.reference, h.source.name, h.target.name, e[3], fam)
    return out, shown


def _matches(edge: Edge, pool: set[Edge]) -> bool:
    return edge in pool or (*edge[:4], ANY) in pool or (edge[4] == ANY and any(p[:4] == edge[:4] for p in pool))


def _scope(gold: Gold) -> dict[str, set[str]]:
    """Reference -> the sheet rows the gold labels for it ("" for every entry of it): a
    register file repeats a reference on a row per purpose, and the gold labels one."""
    scope: dict[str, set[str]] = {}
    for entry in gold.get("entries") or []:
        scope.setdefault(str(entry["ref"]), set()).add(str(entry.get("row", "")))
    return scope


def _statement(flow: Flow, scope: dict[str, set[str]]) -> tuple[str, str] | None:
    """The gold statement a flow belongs to, as (reference, row), or None when the gold
    labels no such statement."""
    rows = scope.get(flow.reference)
    if rows is None:
        return None
    if "" in rows:
        return flow.reference, ""
    row = flow.entry.rsplit(":", 1)[-1]
    return (flow.reference, row) if row in rows else None


def _scored(flows: Iterable[Flow], gold: Gold) -> list[Flow]:
    """The flows the gold labels."""
    scope = _scope(gold)
    return [f for f in flows if _statement(f, scope) is not None]


def evaluate(flows: Iterable[Flow], gold: Gold, names: Gazetteer) -> Score:
    """Score flows against the gold; only the references (and rows) the gold lists are scored."""
    keys = _Keys(gold, names)
    core, optional, gold_shown = _gold_edges(gold, keys)
    predicted, pred_shown = _predicted(_scored(flows, gold), keys)
    hit_core = {e for e in core if _matches(e, predicted)}
    hit_opt = {e for e in optional if _matches(e, predicted)}
    pred_core = {p for p in predicted if _matches(p, core)}
    pred_opt = {p for p in predicted if not _matches(p, core) and _matches(p, optional)}
    extras = predicted - pred_core - pred_opt
    scored = len(predicted) - len(pred_opt)
    return Score(
        core_precision=len(pred_core) / scored if scored else 0.0,
        core_recall=len(hit_core) / len(core) if core else 1.0,
        extended_precision=(len(pred_core) + len(pred_opt)) / len(predicted) if predicted else 0.0,
        extended_recall=(len(hit_core) + len(hit_opt)) / (len(core) + len(optional)) if core or optional else 1.0,
        misses=tuple(sorted(gold_shown[e] for e in core - hit_core)),
        optional_misses=tuple(sorted(gold_shown[e] for e in optional - hit_opt)),
        extras=tuple(sorted(pred_shown[e] for e in extras)),
        counts={
            "gold_core": len(core),
            "gold_optional": len(optional),
            "predicted": len(predicted),
            "matched_core": len(hit_core),
            "matched_optional": len(hit_opt),
        },
    )


#: a convergence finding as the scorer reads it: recipient id, family, the flows of its
#: identifiable side and of its de-identified side
Finding = tuple[str, str, Sequence[Flow], Sequence[Flow]]
#: a scored finding: the statement (reference and row, "" when the gold names none), recipient, family
Pair = tuple[str, str, str, str]


@dataclass(frozen=True)
class PairScore:
    """Precision and recall of convergence findings, each a statement's (recipient, family)."""

    precision: float
    recall: float
    misses: tuple[Pair, ...]
    extras: tuple[Pair, ...]

    def as_dict(self) -> dict[str, object]:
        keys = ("reference", "row", "recipient", "family")
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "misses": [dict(zip(keys, p, strict=True)) for p in self.misses],
            "extras": [dict(zip(keys, p, strict=True)) for p in self.extras],
        }


def evaluate_convergence(findings: Iterable[Finding], gold: Gold, names: Gazetteer) -> PairScore:
    """Score convergence findings against the gold's ``convergence`` list.

    The gold labels convergence statement by statement (each finding names its ``rows``,
    else the entries it rests on), so a finding is scored per statement: it counts for a
    gold statement (its reference, and its row if the gold names one) when that statement
    alone gives both sides, an identifiable flow and a de-identified one.  Recipients are
    keyed as hop edges are (:class:`_Keys`), so spellings and units compare alike.
    """
    keys = _Keys(gold, names)
    ref_of_row = {str(e["row"]): str(e["ref"]) for e in gold.get("entries") or [] if "row" in e}
    wanted: dict[Pair, Pair] = {}
    for c in gold.get("convergence") or []:
        for row in c.get("rows") or [""]:
            shown = (ref_of_row.get(str(row), ""), str(row), str(c["recipient"]), str(c["family"]))
            wanted[(shown[0], shown[1], keys.gold(shown[2]), shown[3])] = shown
    scope = _scope(gold)
    found: dict[Pair, Pair] = {}
    for recipient, family, ident, deidentified in findings:
        sides = [{s for f in side if (s := _statement(f, scope))} for side in (ident, deidentified)]
        for ref, row in sorted(sides[0] & sides[1]):
            found.setdefault((ref, row, keys.org(recipient, Role.OTHER), family), (ref, row, recipient, family))
    hit = set(found) & set(wanted)
    return PairScore(
        precision=len(hit) / len(found) if found else 1.0,
        recall=len(hit) / len(wanted) if wanted else 1.0,
        misses=tuple(sorted(wanted[k] for k in set(wanted) - hit)),
        extras=tuple(sorted(found[k] for k in set(found) - hit)),
    )
