"""Score extracted flows against a hand-labelled gold file (``tests/gold/*.yaml``).

A hop edge is (reference as written, from, to, identifiability, family).  Gold
names are resolved through the gold file's own aliases and then the gazetteer; the
gold name "DSCRO" stands for any organisation whose role is ``dscro``.  The *core*
score uses the gold flows; the *extended* score adds the ``optional`` edges
(provider feeds, linkage, re-identification).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import UsageError
from ..model import Flow, Role
from ..names import Gazetteer, load_yaml, normalise

__all__ = ["Score", "evaluate", "load_gold"]

Edge = tuple[str, str, str, str, str]
#: a gold document as YAML gives it: ``organisations`` (name -> role, aliases) and ``entries``
Gold = dict[str, Any]
ANY = "*"


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
            "schema": 1,
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
    """Gold names and extracted organisations -> comparable keys."""

    def __init__(self, gold: Gold, names: Gazetteer) -> None:
        self.names = names
        self.gold_orgs: dict[str, dict[str, Any]] = gold.get("organisations") or {}

    def gold(self, name: str) -> str:
        spec = self.gold_orgs.get(name) or {}
        if spec.get("role") == "dscro" or name == "DSCRO":
            return "role:dscro"
        for candidate in (name, *(spec.get("aliases") or ())):
            org = self.names.lookup(str(candidate))
            if org is not None:
                return "role:dscro" if org.role is Role.DSCRO else org.id
        return "name:" + normalise(name)

    def org(self, org_id: str, role: Role) -> str:
        return "role:dscro" if role is Role.DSCRO else org_id


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
                ident = "identifiable" if kb == "role:dscro" else str(flow["identifiability"])
                for fam in flow.get("families") or [ANY]:
                    e = (ref, keys.gold(a), kb, ident, str(fam))
                    core.add(e)
                    shown[e] = (ref, a, b, ident, str(fam))
        for opt in entry.get("optional") or []:
            for fam in opt.get("families") or [ANY]:
                e = (ref, keys.gold(str(opt["from"])), keys.gold(str(opt["to"])), str(opt["identifiability"]), str(fam))
                optional.add(e)
                shown[e] = (ref, str(opt["from"]), str(opt["to"]), e[3], str(fam))
    return core, optional - core, shown


def _predicted(flows: Iterable[Flow], keys: _Keys) -> tuple[set[Edge], dict[Edge, Edge]]:
    out: set[Edge] = set()
    shown: dict[Edge, Edge] = {}
    for f in flows:
        for h in f.hops:
            for fam in h.families or f.families or (ANY,):
                e = (
                    f.reference,
                    keys.org(h.source.id, h.source.role),
                    keys.org(h.target.id, h.target.role),
                    h.identifiability.value,
                    fam,
                )
                out.add(e)
                shown[e] = (f.reference, h.source.name, h.target.name, e[3], fam)
    return out, shown


def _matches(edge: Edge, pool: set[Edge]) -> bool:
    return edge in pool or (*edge[:4], ANY) in pool or (edge[4] == ANY and any(p[:4] == edge[:4] for p in pool))


def evaluate(flows: Iterable[Flow], gold: Gold, names: Gazetteer) -> Score:
    """Score flows against the gold; only references the gold lists are scored."""
    keys = _Keys(gold, names)
    core, optional, gold_shown = _gold_edges(gold, keys)
    refs = {e[0] for e in core | optional}
    predicted, pred_shown = _predicted([f for f in flows if f.reference in refs], keys)
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
