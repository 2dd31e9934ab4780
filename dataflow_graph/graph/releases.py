"""The opt-out red flag and file-level convergence, computed from released-file rows.

The register pages raise a red flag when a recipient was "sent multiple files from
the same dataset, in the same month, both with optouts respected and with optouts
ignored".  The official files let us compute it from raw rows: per recipient and
dataset (as the register wrote them, trimmed) and per month, count the files with
opt-outs applied and not applied.  Quarterly registers give no month, only the
register period; such flags say so (``period_kind == "register period"``).

A file-level convergence is a recipient that received files of one dataset family
both as identifiable data and as record-level de-identified data (pseudonymised, or
"Anonymised - ICO code compliant") in one period.

Everything here is a pure function over :class:`~dataflow_graph.model.Release`
records, and every result is sorted, so the same rows give the same output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .._speed import BoundedMemo
from ..model import Identifiability, Organisation, Release
from ..names import gazetteer

__all__ = [
    "Evidence",
    "FileConvergence",
    "RedFlag",
    "RedFlagReport",
    "file_convergences",
    "known_recipients",
    "not_applied",
    "period_of",
    "recipient_of",
    "redflag_report",
    "redflags",
]


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    """Where a released file was read: ``source`` (``file#sheet``), line or row, row id."""

    source: str
    line: int
    row_id: str = ""
    opt_outs_applied: bool | None = field(default=None, compare=False)

    @classmethod
    def of(cls, release: Release) -> Evidence:
        return cls(release.source, release.line, release.row_id, release.opt_outs_applied)

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "line": self.line, "row_id": self.row_id}


@dataclass(frozen=True, slots=True)
class RedFlag:
    """Files of one dataset sent to one recipient in one period, some with opt-outs applied
    and some without."""

    recipient: str
    dataset: str
    period: str
    period_kind: str
    files_applied: int
    files_not_applied: int
    rows: tuple[Evidence, ...]
    recipient_id: str = ""
    #: the recipient's name as the rows wrote it (trimmed), every spelling
    as_written: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "as_written": list(self.as_written),
            "dataset": self.dataset,
            "period": self.period,
            "period_kind": self.period_kind,
            "files_applied": self.files_applied,
            "files_not_applied": self.files_not_applied,
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class FileConvergence:
    """One recipient given one dataset family identifiable and de-identified in one period."""

    recipient: str
    family: str | None
    period: str
    period_kind: str
    identifiable_datasets: tuple[str, ...]
    deidentified_datasets: tuple[str, ...]
    identifiable: tuple[Evidence, ...]
    deidentified: tuple[Evidence, ...]
    identifiable_opt_outs: tuple[str, ...]
    deidentified_opt_outs: tuple[str, ...]
    identifiable_agreements: tuple[str, ...]
    deidentified_agreements: tuple[str, ...]
    recipient_id: str = ""
    as_written: tuple[str, ...] = ()
    #: the rows themselves (for the qualifiers' evidence); not part of the JSON form
    identifiable_rows: tuple[Release, ...] = field(default=(), compare=False, repr=False)
    deidentified_rows: tuple[Release, ...] = field(default=(), compare=False, repr=False)

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset name of both sides, sorted."""
        return tuple(sorted({*self.identifiable_datasets, *self.deidentified_datasets}))

    @property
    def same_agreement(self) -> bool:
        """True when one agreement covers files on both sides."""
        return bool(set(self.identifiable_agreements) & set(self.deidentified_agreements))

    @property
    def opt_outs_differ(self) -> bool:
        """True when opt-outs were applied on one side and not on the other."""
        return set(self.identifiable_opt_outs) != set(self.deidentified_opt_outs)

    def as_dict(self) -> dict[str, object]:
        return {
            "recipient": self.recipient,
            "recipient_id": self.recipient_id,
            "as_written": list(self.as_written),
            "family": self.family,
            "datasets": list(self.datasets),
            "period": self.period,
            "period_kind": self.period_kind,
            "identifiable": {
                "datasets": list(self.identifiable_datasets),
                "opt_outs": list(self.identifiable_opt_outs),
                "agreements": list(self.identifiable_agreements),
                "rows": [r.as_dict() for r in self.identifiable],
            },
            "deidentified": {
                "datasets": list(self.deidentified_datasets),
                "opt_outs": list(self.deidentified_opt_outs),
                "agreements": list(self.deidentified_agreements),
                "rows": [r.as_dict() for r in self.deidentified],
            },
            "same_agreement": self.same_agreement,
            "opt_outs_differ": self.opt_outs_differ,
        }


#: every name :func:`recipient_of` has resolved (or was told by :func:`known_recipients`)
_RECIPIENTS: BoundedMemo[str, Organisation] = BoundedMemo(65536)


def recipient_of(name: str) -> Organisation:
    """The organisation a released-file row names, however the row spells it.

    Rows write "NHS GREENWICH CCG" where statements write "NHS Greenwich CCG" or
    "Greenwich CCG": all resolve to one organisation (:func:`~dataflow_graph.names.organisation_key`),
    reviewed or built from the name's words, with the id the flow graph gives it.

    >>> recipient_of("NHS GREENWICH CCG").id == recipient_of(" Greenwich  CCG").id
    True
    """
    org = _RECIPIENTS.get(name)
    if org is None:
        org = _RECIPIENTS.remember(name, gazetteer().fresh().resolve(name))
    return org


def known_recipients(resolved: Mapping[str, Organisation]) -> None:
    """Take names already resolved by :func:`recipient_of` (kept in the load cache), so a
    warm command does not load the gazetteer to resolve them again.

    The answer depends on the name and the shipped gazetteer alone, and the load cache's
    key covers the package's code and data, so a kept answer is the one it would give.
    """
    for name, org in resolved.items():
        _RECIPIENTS.remember(name, org)


def display_name(spellings: Iterable[str]) -> str:
    """One name for an organisation the rows spell several ways (the same whatever their order)."""
    return recipient_of(min(spellings)).name


def period_of(release: Release) -> tuple[str, str]:
    """The period a file is counted in, and its kind.

    The month when the row gives one (``"2019-07"``, ``"month"``), else the register
    period as an ISO interval (``"2017-09/2017-11"``, ``"register period"``), else
    ``("unknown", "unknown")``.  A period with a qualifier (rows "omitted from
    previous registers" are ``"before this register"``) gives that as its kind.

    >>> from dataflow_graph.model import Period
    >>> r = Release("x", "f.csv", 2, "R", "R", "Org", "HES", "HES", "Identifiable", None)
    >>> period_of(r)
    ('unknown', 'unknown')
    >>> from dataclasses import replace
    >>> period_of(replace(r, period=Period("2017-09", "2017-11")))
    ('2017-09/2017-11', 'register period')
    >>> period_of(replace(r, month="2019-07"))
    ('2019-07', 'month')
    """
    if release.month:
        return release.month, "month"
    p = release.period
    if p is not None and (p.start or p.end):
        return f"{p.start or '..'}/{p.end or '..'}", p.qualifier or "register period"
    return "unknown", "unknown"


def redflags(releases: Iterable[Release]) -> list[RedFlag]:
    """Files of one dataset sent to one recipient in one period with and without opt-outs.

    Files whose opt-out flag is unknown are left out.  Recipients are grouped by
    organisation (:func:`recipient_of`: every spelling of one CCG is one recipient), datasets
    as the register wrote them (trimmed).

    Parameters
    ----------
    releases : iterable of Release
        Released-file rows, from one or more register files.

    Returns
    -------
    list of RedFlag
        Sorted by recipient, dataset and period.

    Examples
    --------
    >>> rows = [Release(f"f.csv:{n}", "f.csv", n, "R", "R", "Org ", "HES", "HES", "Identifiable",
    ...                 None, opt_outs_applied=n % 2 == 0, month="2019-07") for n in (2, 3, 4)]
    >>> [(f.recipient, f.period, f.files_applied, f.files_not_applied) for f in redflags(rows)]
    [('Org', '2019-07', 2, 1)]
    """
    groups: dict[tuple[str, str, str, str], list[Release]] = {}
    for release in releases:
        if release.opt_outs_applied is None:
            continue
        key = (recipient_of(release.recipient).id, release.dataset.strip(), *period_of(release))
        groups.setdefault(key, []).append(release)
    flags = []
    for (org_id, dataset, period, kind), rows in groups.items():
        applied = sum(1 for r in rows if r.opt_outs_applied)
        if applied and applied < len(rows):
            flags.append(
                RedFlag(
                    display_name(r.recipient.strip() for r in rows),
                    dataset,
                    period,
                    kind,
                    applied,
                    len(rows) - applied,
                    tuple(sorted(Evidence.of(r) for r in rows)),
                    org_id,
                    tuple(sorted({r.recipient.strip() for r in rows})),
                )
            )
    return sorted(flags, key=lambda f: (f.recipient, f.dataset, f.period, f.recipient_id))


def not_applied(releases: Iterable[Release]) -> list[tuple[str, int]]:
    """Per recipient, the number of files released with opt-outs not applied.

    Returns
    -------
    list of (recipient, files)
        Recipients with at least one such file, most files first, then by name.

    Examples
    --------
    >>> rows = [Release(f"f:{n}", "f", n, "R", "R", org, "HES", "HES", "Identifiable", None,
    ...                 opt_outs_applied=flag)
    ...         for n, (org, flag) in enumerate([("B", False), ("A", False), ("B", False),
    ...                                          ("C", True), ("A", None)])]
    >>> not_applied(rows)
    [('B', 2), ('A', 1)]
    """
    counts: dict[str, int] = {}
    spellings: dict[str, set[str]] = {}
    for release in releases:
        if release.opt_outs_applied is False:
            org = recipient_of(release.recipient)
            counts[org.id] = counts.get(org.id, 0) + 1
            spellings.setdefault(org.id, set()).add(release.recipient.strip())
    named = ((display_name(spellings[k]), n) for k, n in counts.items())
    return sorted(named, key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class RedFlagReport:
    """What ``dfg redflags`` reports: the red flags, and per recipient the files not applied."""

    redflags: tuple[RedFlag, ...]
    not_applied: tuple[tuple[str, int], ...]

    @property
    def files_not_applied(self) -> int:
        """Files released with opt-outs not applied, all recipients together."""
        return sum(n for _, n in self.not_applied)


def redflag_report(releases: Iterable[Release]) -> RedFlagReport:
    """The red flags and not-applied counts of some released files.

    >>> redflag_report([])
    RedFlagReport(redflags=(), not_applied=())
    """
    rows = tuple(releases)
    return RedFlagReport(tuple(redflags(rows)), tuple(not_applied(rows)))


def _opt_out_word(value: bool | None) -> str:
    return "unknown" if value is None else "applied" if value else "not applied"


def file_convergences(releases: Iterable[Release]) -> list[FileConvergence]:
    """Recipients given one dataset family both identifiable and record-level de-identified.

    Files are grouped by recipient organisation (:func:`recipient_of`), dataset family and period
    (:func:`period_of`); a dataset with no reviewed family is grouped by its own name
    and reported with ``family=None``.  Aggregate files do not count.

    Returns
    -------
    list of FileConvergence
        Sorted by recipient, family (unfamiliar datasets last) and period.

    Examples
    --------
    >>> def row(n, category, ident):
    ...     return Release(f"f:{n}", "f", n, "R", "R", "Org", f"HES {n}", "HES", category, ident,
    ...                    opt_outs_applied=n == 2, month="2019-07")
    >>> [found] = file_convergences([row(2, "Identifiable", Identifiability.IDENTIFIABLE),
    ...                              row(3, "Anonymised - ICO code compliant",
    ...                                  Identifiability.ANONYMISED)])
    >>> (found.recipient, found.family, found.datasets, found.opt_outs_differ)
    ('Org', 'HES', ('HES 2', 'HES 3'), True)
    """
    groups: dict[tuple[str, bool, str, str, str], tuple[list[Release], list[Release]]] = {}
    for release in releases:
        ident = release.identifiability
        if ident is None or not (ident is Identifiability.IDENTIFIABLE or ident.is_record_level_deidentified):
            continue
        unfamiliar = release.family is None
        name = release.dataset.strip() if release.family is None else release.family
        key = (recipient_of(release.recipient).id, unfamiliar, name, *period_of(release))
        sides = groups.setdefault(key, ([], []))
        sides[0 if ident is Identifiability.IDENTIFIABLE else 1].append(release)
    found = []
    for key, (ident_rows, deid_rows) in sorted(groups.items()):
        org_id, unfamiliar, name, period, kind = key
        if ident_rows and deid_rows:
            found.append(
                FileConvergence(
                    display_name(r.recipient.strip() for r in (*ident_rows, *deid_rows)),
                    None if unfamiliar else name,
                    period,
                    kind,
                    _names(ident_rows),
                    _names(deid_rows),
                    _rows(ident_rows),
                    _rows(deid_rows),
                    _words(ident_rows),
                    _words(deid_rows),
                    _agreements(ident_rows),
                    _agreements(deid_rows),
                    org_id,
                    tuple(sorted({r.recipient.strip() for r in (*ident_rows, *deid_rows)})),
                    tuple(ident_rows),
                    tuple(deid_rows),
                )
            )
    return sorted(found, key=lambda f: (f.recipient, f.family is None, f.family or "", f.period, f.recipient_id))


def _names(rows: list[Release]) -> tuple[str, ...]:
    """Dataset names of one side, sorted."""
    return tuple(sorted({r.dataset.strip() for r in rows}))


def _rows(rows: list[Release]) -> tuple[Evidence, ...]:
    """Evidence of one side, sorted."""
    return tuple(sorted(Evidence.of(r) for r in rows))


def _words(rows: list[Release]) -> tuple[str, ...]:
    """Opt-out words of one side ("applied", "not applied", "unknown"), sorted."""
    return tuple(sorted({_opt_out_word(r.opt_outs_applied) for r in rows}))


def _agreements(rows: list[Release]) -> tuple[str, ...]:
    """Agreements of one side, sorted."""
    return tuple(sorted({r.agreement for r in rows}))
