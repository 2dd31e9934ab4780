"""Convergence findings from released files, in the shape of a flow finding.

A :class:`~dataflow_graph.graph.releases.FileConvergence` (one recipient given one family
identifiable and record-level de-identified in one period) becomes a :class:`FileFinding`:
scored by the same :func:`~dataflow_graph.graph.severity.score` as a flow finding, its
sides listed per agreement with the file rows as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Release
from ..names import normalise
from .releases import Evidence, FileConvergence, file_convergences
from .severity import label, score

__all__ = ["FileFinding", "FileSide", "file_finding", "file_findings"]


@dataclass(frozen=True, slots=True)
class FileSide:
    """One side of a file finding under one agreement; every file row of that side is evidence."""

    recipient: str
    agreement: str
    period: str
    period_kind: str
    opt_outs: str
    rows: tuple[Evidence, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": None,
            "reference": None,
            "agreement": self.agreement,
            "purpose": None,
            "period": {"start": self.period, "end": self.period, "kind": self.period_kind},
            "opt_outs": self.opt_outs,
            "path": [self.recipient],
            "evidence": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class FileFinding:
    """A convergence seen in released files: the files, the sides per agreement, a severity."""

    files: FileConvergence
    identifiable: tuple[FileSide, ...]
    pseudonymised: tuple[FileSide, ...]
    opt_out_divergence: bool
    severity: int

    @property
    def recipient(self) -> str:
        return self.files.recipient

    @property
    def family(self) -> str | None:
        return self.files.family

    @property
    def severity_label(self) -> str:
        return label(self.severity)

    @property
    def overlap(self) -> tuple[str, ...]:
        """The one period both sides share."""
        return (self.files.period,)

    @property
    def identifiable_opt_outs(self) -> tuple[str, ...]:
        return self.files.identifiable_opt_outs

    @property
    def pseudonymised_opt_outs(self) -> tuple[str, ...]:
        return self.files.deidentified_opt_outs

    @property
    def same_agreement(self) -> tuple[str, ...]:
        """Agreements with files on both sides, sorted."""
        return tuple(sorted(set(self.files.identifiable_agreements) & set(self.files.deidentified_agreements)))

    def as_dict(self) -> dict[str, object]:
        fc = self.files
        return {
            "source": "releases",
            "recipient": fc.recipient,
            "recipient_id": None,
            "family": fc.family,
            "datasets": list(fc.datasets),
            "severity": self.severity,
            "severity_label": self.severity_label,
            "identifiable": [s.as_dict() for s in self.identifiable],
            "pseudonymised": [s.as_dict() for s in self.pseudonymised],
            "overlap": {"from": fc.period, "to": fc.period, "months": [fc.period], "kind": fc.period_kind},
            "opt_out_divergence": self.opt_out_divergence,
            "opt_outs": {
                "identifiable": list(fc.identifiable_opt_outs),
                "pseudonymised": list(fc.deidentified_opt_outs),
            },
            "same_agreement": list(self.same_agreement),
            "landing_only": False,
            "landing_only_sides": [],
            "segregation": [],
            "linkage": [],
            "reidentification": [],
            "rolled_up_from": [],
            "files": fc.as_dict(),
        }


def _sides(
    fc: FileConvergence, rows: tuple[Evidence, ...], agreements: tuple[str, ...], opt_outs: tuple[str, ...]
) -> tuple[FileSide, ...]:
    words = ", ".join(opt_outs)
    return tuple(FileSide(fc.recipient, a, fc.period, fc.period_kind, words, rows) for a in agreements)


def file_finding(fc: FileConvergence) -> FileFinding:
    """The finding of one file convergence.

    The opt-outs diverge when files were sent both with opt-outs applied and without, and
    the two sides differ; the two sides always overlap (they share a period).
    """
    divergence = {"applied", "not applied"} <= {
        *fc.identifiable_opt_outs,
        *fc.deidentified_opt_outs,
    } and fc.opt_outs_differ
    severity = score(overlap=True, opt_out_divergence=divergence, same_agreement=fc.same_agreement)
    return FileFinding(
        fc,
        _sides(fc, fc.identifiable, fc.identifiable_agreements, fc.identifiable_opt_outs),
        _sides(fc, fc.deidentified, fc.deidentified_agreements, fc.deidentified_opt_outs),
        divergence,
        severity,
    )


def file_findings(
    releases: Iterable[Release], *, recipient: frozenset[str] | None = None, family: str | None = None
) -> list[FileFinding]:
    """Findings of the released files, optionally of one recipient or family.

    Parameters
    ----------
    releases : iterable of Release
        Released-file rows.
    recipient : frozenset of str, optional
        Comparison keys (:func:`~dataflow_graph.names.normalise`) of the recipient's names.
    family : str, optional
        Only this dataset family (any case).

    Examples
    --------
    >>> from dataflow_graph.model import Identifiability
    >>> def row(n, category, ident):
    ...     return Release(f"f:{n}", "f", n, "R", "R", "Org", f"HES {n}", "HES", category, ident,
    ...                    opt_outs_applied=n == 2, month="2019-07")
    >>> [found] = file_findings([row(2, "Identifiable", Identifiability.IDENTIFIABLE),
    ...                          row(3, "Pseudonymised", Identifiability.PSEUDONYMISED)])
    >>> (found.recipient, found.family, found.severity, found.severity_label)
    ('Org', 'HES', 10, 'high')
    """
    out = []
    for fc in file_convergences(releases):
        if recipient is not None and normalise(fc.recipient) not in recipient:
            continue
        if family and (fc.family or "").upper() != family.upper():
            continue
        out.append(file_finding(fc))
    return out
