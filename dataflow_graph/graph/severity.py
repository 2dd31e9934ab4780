"""Severity of a convergence finding: one table of qualifier weights, one score, one label.

Flow findings and released-file findings are scored by the same :func:`score`
(documented in the README):

====================================================  ======
both an identifiable and a record-level de-identified   +3
copy reach the recipient
the two copies overlap in time (at least one month)     +3
both copies only in one register's period, not dated    +1
opt-outs honoured on one copy and not on the other      +3
(each copy's status determined)
opt-outs differ in part, which copy not determined      +1
both copies under one agreement                         +1
the recipient links other data to a copy                +2
a re-identification route starts at or near it          +2
the recipient is only a landing point for one copy      -2
every identifiable copy is stated to be held apart      -1
(a CEfF, "held separately")
====================================================  ======

A score of :data:`HIGH` or more is "high", of :data:`MEDIUM` or more "medium", else "low".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["HIGH", "MEDIUM", "SEVERITY", "label", "score"]

#: Qualifier -> weight (the table above; written into ``dfg converge --format json``).
SEVERITY: Mapping[str, int] = {
    "both_copies": 3,
    "overlap": 3,
    "same_register": 1,
    "opt_out_divergence": 3,
    "opt_outs_partly_known": 1,
    "same_agreement": 1,
    "linkage": 2,
    "reidentification": 2,
    "landing_only": -2,
    "segregation": -1,
}
#: Lowest score labelled "high", and "medium".
HIGH, MEDIUM = 8, 5


def score(qualifiers: Iterable[str]) -> int:
    """The severity of a finding: the sum of its qualifiers' weights (each counted once).

    >>> score(["both_copies", "overlap", "opt_out_divergence", "segregation"])
    8
    """
    return sum(SEVERITY[name] for name in set(qualifiers))


def label(severity: int) -> str:
    """``"high"``, ``"medium"`` or ``"low"``.

    >>> [label(n) for n in (9, 8, 5, 4)]
    ['high', 'high', 'medium', 'low']
    """
    return "high" if severity >= HIGH else "medium" if severity >= MEDIUM else "low"
