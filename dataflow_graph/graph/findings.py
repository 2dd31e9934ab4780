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
from .convergence import Convergence
from .qualifiers import Qualifier, release_cited
from .releases import Evidence, FileConvergence, file_convergences
from .severity import label, score

__all__ = ["FileFinding", "FileSide", "file_finding", "file_findings", "ranked"]


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
    qualifiers: tuple[Qualifier, ...] = ()

    def qualifier(self, name: str) -> Qualifier | None:
        """The qualifier of that name, if the finding carries it."""
        return next((q for q in self.qualifiers if q.name == name), None)

    @property
    def recipient(self) -> str:
        return self.files.recipient

    @property
    def recipient_id(self) -> str:
        return self.files.recipient_id

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
            "recipient_id": fc.recipient_id,
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
            "qualifiers": [q.as_dict() for q in self.qualifiers],
            "linkage_others": 0,
            "reidentification_others": 0,
            "files": fc.as_dict(),
        }


def _sides(
    fc: FileConvergence, rows: tuple[Evidence, ...], agreements: tuple[str, ...], opt_outs: tuple[str, ...]
) -> tuple[FileSide, ...]:
    words = ", ".join(opt_outs)
    return tuple(FileSide(fc.recipient, a, fc.period, fc.period_kind, words, rows) for a in agreements)


def _status(rows: tuple[Release, ...]) -> str:
    flags = {r.opt_outs_applied for r in rows} - {None}
    return "applied" if flags == {True} else "not applied" if flags == {False} else "both" if flags else "unknown"


def file_finding(fc: FileConvergence) -> FileFinding:
    """The finding of one file convergence, every qualifier citing the file rows.

    The opt-outs diverge only when every identifiable file had them applied and every
    de-identified file did not (or the reverse); files that went both ways on a side give
    the weaker qualifier, which says so.  The two sides always overlap (they share a period).
    """
    ident, deid = fc.identifiable_rows, fc.deidentified_rows
    cites = tuple(release_cited(r) for r in sorted((*ident, *deid), key=lambda r: (r.source, r.line)))
    where = f"{fc.period} ({fc.period_kind})"
    fam = fc.family or "; ".join(fc.datasets)
    qualifiers = [
        Qualifier(
            "both_copies",
            f"{fc.recipient} was sent {fam} files both identifiable ({len(ident)}) and de-identified ({len(deid)})",
            cites,
        ),
        Qualifier("overlap", f"both kinds of file were released in the same period, {where}", cites),
    ]
    status = (_status(ident), _status(deid))
    if status in (("applied", "not applied"), ("not applied", "applied")):
        qualifiers.append(
            Qualifier(
                "opt_out_divergence",
                f"opt-outs {status[0]} on every identifiable file and {status[1]} on every de-identified file",
                cites,
            )
        )
    elif "both" in status:
        sides = [
            f"{side} files: opt-outs {word}"
            for side, word in zip(("identifiable", "de-identified"), status, strict=True)
        ]
        qualifiers.append(
            Qualifier(
                "opt_outs_partly_known",
                "; ".join(sides).replace("opt-outs both", "some with opt-outs applied, some without"),
                cites,
            )
        )
    if fc.same_agreement:
        same = sorted(set(fc.identifiable_agreements) & set(fc.deidentified_agreements))
        qualifiers.append(
            Qualifier("same_agreement", f"both kinds of file were released under {', '.join(same)}", cites)
        )
    return FileFinding(
        fc,
        _sides(fc, fc.identifiable, fc.identifiable_agreements, fc.identifiable_opt_outs),
        _sides(fc, fc.deidentified, fc.deidentified_agreements, fc.deidentified_opt_outs),
        any(q.name == "opt_out_divergence" for q in qualifiers),
        score(q.name for q in qualifiers),
        tuple(qualifiers),
    )


def file_findings(
    releases: Iterable[Release], *, recipient: str | None = None, family: str | None = None
) -> list[FileFinding]:
    """Findings of the released files, optionally of one recipient or family.

    Parameters
    ----------
    releases : iterable of Release
        Released-file rows.
    recipient : str, optional
        Only files of this organisation, by id (:func:`~dataflow_graph.graph.releases.recipient_of`).
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
        if recipient is not None and fc.recipient_id != recipient:
            continue
        if family and (fc.family or "").upper() != family.upper():
            continue
        out.append(file_finding(fc))
    return out


def ranked(found: Iterable[Convergence], files: Iterable[FileFinding]) -> list[Convergence | FileFinding]:
    """Flow and file findings in one list, most severe first (then recipient, family, flows first)."""
    every: list[Convergence | FileFinding] = [*found, *files]
    return sorted(every, key=lambda f: (-f.severity, f.recipient, f.family or "", isinstance(f, FileFinding)))
