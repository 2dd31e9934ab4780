"""The facade for the CLI and notebooks: load, flows, paths, convergences, export.

Everything a user can do from ``dfg`` is one function here; the CLI adds only I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostics, Severity, Span
from .model import Entry, Flow, Organisation, Page, Release
from .names import Gazetteer, gazetteer
from .page import parse_page
from .sources import embedded_path, expand_paths, open_text, sniff_kind

__all__ = ["SCHEMA", "Register", "load", "parse_document"]

#: Version of every JSON document the CLI writes.
SCHEMA = 1


@dataclass
class Register:
    """Everything read from some inputs: entries, released files, flows, diagnostics."""

    entries: list[Entry] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    sources: list[str] = field(default_factory=list)
    names: Gazetteer | None = None
    _flows: list[Flow] | None = None

    @property
    def agreements(self) -> dict[str, list[str]]:
        """Agreement core -> entry ids, in input order."""
        out: dict[str, list[str]] = defaultdict(list)
        for e in self.entries:
            out[e.agreement].append(e.id)
        return dict(out)

    @property
    def flows(self) -> list[Flow]:
        """Flows extracted from every entry (computed once)."""
        if self._flows is None:
            from .flows import extract_all

            self._flows = extract_all(self.entries, self.gazetteer, self.diagnostics)
        return self._flows

    @property
    def gazetteer(self) -> Gazetteer:
        if self.names is None:
            self.names = gazetteer().fork()
        return self.names

    def organisations(self) -> list[Organisation]:
        """Every organisation named by a flow, reviewed ones and the rest, sorted by id."""
        seen: dict[str, Organisation] = {}
        for flow in self.flows:
            for hop in flow.hops:
                seen.setdefault(hop.source.id, hop.source)
                seen.setdefault(hop.target.id, hop.target)
        return [seen[k] for k in sorted(seen)]


def _display(path: Path, given: Path, base: Path | None) -> str:
    if base is not None:
        return str(Path("seeds") / path.relative_to(base))
    return str(path)


def load(paths: Sequence[str | Path] = (), *, strict: bool = False) -> Register:
    """Read register pages and official register files; the embedded seed when none given.

    Bad data is reported in ``register.diagnostics`` and never raises; at the end
    ``read == parsed + rejected`` holds.

    Examples
    --------
    >>> r = load()
    >>> len(r.entries), r.diagnostics.balanced
    (7, True)
    """
    register = Register()
    base = None
    if not paths:
        base = embedded_path("seeds")
        paths = [base]
    for given in map(Path, paths):
        if not given.exists():
            register.diagnostics.report(Span(str(given), 1, 1), "DFG110",
                                        "no such file or folder", Severity.ERROR)
            continue
        for path in expand_paths([given]):
            _load_file(register, path, _display(path, given, base))
    if not register.diagnostics.balanced:  # pragma: no cover - a bug, not bad data
        raise AssertionError(f"counts do not balance: {register.diagnostics.counts()}")
    return register


def _load_file(register: Register, path: Path, display: str) -> None:
    register.sources.append(display)
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        register.diagnostics.report(Span(display, 1, 1), "DFG110", f"cannot read: {exc}",
                                    Severity.ERROR)
        return
    kind = sniff_kind(path, head)
    if kind in ("xlsx", "csv"):
        from .register_csv import read_register

        tables = read_register(path, display, register.diagnostics)
        register.entries.extend(tables.entries)
        register.releases.extend(tables.releases)
        return
    source = open_text(path, display, register.diagnostics)
    if source is None:
        return
    page, entries = parse_page(source, register.diagnostics)
    register.pages.append(page)
    register.entries.extend(entries)


def parse_document(register: Register) -> dict[str, object]:
    """The ``dfg parse`` JSON contract (schema 1)."""
    return {
        "schema": SCHEMA,
        "sources": list(register.sources),
        "pages": [p.as_dict() for p in register.pages],
        "entries": [e.as_dict() for e in register.entries],
        "agreements": register.agreements,
        "releases": [r.as_dict() for r in register.releases],
        "diagnostics": [d.as_dict() for d in register.diagnostics],
        "counts": register.diagnostics.counts(),
    }


def entries_rows(entries: Iterable[Entry]) -> list[dict[str, object]]:
    """One flat row per entry, for tables and CSV."""
    rows = []
    for e in entries:
        rows.append({
            "id": e.id,
            "reference": e.reference,
            "agreement": e.agreement,
            "title": e.title,
            "opt_outs": e.opt_outs.honoured.value,
            "period": _period_text(e.period),
            "dsa": _period_text(e.dsa),
            "legal_basis": "; ".join(e.legal_basis),
            "access": "; ".join(e.access),
            "families": " ".join(e.families),
            "type_of_data": e.type_of_data or "",
            "line": e.line,
        })
    return rows


def _period_text(p: object) -> str:
    if p is None:
        return ""
    return f"{p.start or '?'}..{p.end or '?'}"  # type: ignore[attr-defined]
