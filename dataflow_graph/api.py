"""The facade for the CLI and notebooks: load, flows, paths, convergences, summaries, export.

Everything a user can do from ``dfg`` is one function here, and each returns records
(:mod:`dataflow_graph.model`, :mod:`dataflow_graph.graph`); the JSON documents, rows and
text of those records are built in :mod:`dataflow_graph.outputs`, and the CLI adds only I/O.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from . import cache as _cache
from ._resources import embedded_path
from .cache import CacheInfo, LoadCache, cache_folder, input_key
from .errors import Diagnostics, NothingReadError, UnknownOrganisationError, UsageError
from .model import Entry, Family, Flow, FlowKind, Identifiability, Organisation, Page, Period, Release
from .names import Gazetteer, dataset_family, family_labels, gazetteer, organisation_key
from .rdf import DEFAULT_BASE, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT
from .read import Inputs, Limits, gather_inputs, limits_from_environment, month, parse_pieces, read_inputs

if TYPE_CHECKING:  # imported where used: a command imports only what it needs
    import networkx as nx

    # The flow graph and its queries (and networkx under them) are imported by the first
    # function that needs them: ``dfg flows``, ``dfg parse`` and ``dfg eval`` never do
    # (a sixth of a ``dfg flows`` run on 1,000 entries).
    from . import graph as queries
    from .extract import Score
    from .graph import (
        AgreementSummary,
        Convergence,
        Direction,
        Excluded,
        FileFinding,
        FlowPath,
        Neighbour,
        OrganisationSummary,
        RedFlagReport,
        RollUp,
    )
    from .outputs.report import Briefing
    from .rdf import register as _rdf

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_MAX_BODY",
    "DEFAULT_SOURCE",
    "DEFAULT_TIMEOUT",
    "CacheInfo",
    "Direction",
    "Limits",
    "NothingReadError",
    "Register",
    "RollUp",
    "agreement_summary",
    "briefing",
    "cache_info",
    "clear_cache",
    "convergences",
    "evaluate_gold",
    "export",
    "families",
    "family_of",
    "file_findings",
    "flows",
    "graph",
    "import_queries",
    "load",
    "neighbours",
    "organisation",
    "organisation_summary",
    "organisations",
    "pages_of",
    "parse_during",
    "paths",
    "ranked",
    "redflags",
    "resolve_organisation",
]

#: What a caller's ``render`` makes of each flow (:meth:`Register.render_flows`).
R = TypeVar("R")


def import_queries() -> None:
    """Import the flow graph and its queries (and networkx) now, not on first use: ``dfg``
    does so before a command's first step, while the cycle collector is paused."""
    from . import graph  # noqa: F401


def __getattr__(name: str) -> object:
    """``api.Direction`` and ``api.RollUp``, imported with the flow graph's queries on first use."""
    if name in ("Direction", "RollUp"):
        from . import graph

        return getattr(graph, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Register:
    """Everything read from some inputs: entries, pages, released files, diagnostics, sources.

    What is derived from them (the flows, the flow graph, the organisations, the whole
    register's convergences) is computed once, when first asked for.
    """

    entries: list[Entry] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    sources: list[str] = field(default_factory=list)
    names: Gazetteer | None = None
    #: The SHA-256 of each file's bytes by source name, from the one reading of each input.
    digests: dict[str, str] = field(default_factory=dict)
    #: Where what is derived (the flows, the whole register's findings) is kept once computed;
    #: set by :func:`load`, never copied by :func:`dataclasses.replace` (a register with
    #: other entries is another register).
    cache: LoadCache | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def agreements(self) -> dict[str, list[str]]:
        """Agreement core -> entry ids, in input order."""
        out: dict[str, list[str]] = defaultdict(list)
        for e in self.entries:
            out[e.agreement].append(e.id)
        return dict(out)

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer this register resolves names with (its own fork of the reviewed one)."""
        if self.names is None:
            self.names = gazetteer().fork()
        return self.names

    @cached_property
    def flows(self) -> list[Flow]:
        """Flows extracted from every entry (their diagnostics added to :attr:`diagnostics`)."""
        return self._extracted(None, None)[0]

    def render_flows(self, render: Callable[[Flow], R]) -> list[R] | None:
        """Extract the flows now, with ``render(flow)`` of each made by the process that
        extracts it (:func:`~dataflow_graph.extract.extract_all`): the rendered values in
        the order of :attr:`flows`, or None (nothing rendered) when the flows were extracted
        before or come from the load cache.  ``dfg flows --format json`` has its flows'
        lines made so, beside the extraction (``render`` must be a module-level function).
        """
        if "flows" in self.__dict__:
            return None
        made: list[R] = []
        self.__dict__["flows"], extracted = self._extracted(render, made)
        return made if extracted else None

    def _extracted(self, render: Callable[[Flow], R] | None, made: list[R] | None) -> tuple[list[Flow], bool]:
        """The flows, and whether they were extracted here (not taken from the load cache);
        ``render`` and ``made``: as :func:`~dataflow_graph.extract.extract_all`'s ``render``
        and ``rendered``."""
        if self.cache is not None and (kept := self.cache.get("flows")) is not None:
            found, self.names, diagnostics, headed = kept
            self.diagnostics.items[:] = diagnostics.items
            self.diagnostics.read, self.diagnostics.parsed = diagnostics.read, diagnostics.parsed
            self.diagnostics.rejected = diagnostics.rejected
            self.__dict__["headed"] = headed
            return list(found), False
        from .extract import extract_all

        headed = {}
        found = extract_all(self.entries, self.gazetteer, self.diagnostics, headed=headed, render=render, rendered=made)
        self.__dict__["headed"] = headed  # read with the flows: the :attr:`headed` property's value
        if self.cache is not None:
            self.cache.put("flows", (found, self.names, self.diagnostics, headed))
        return found, True

    @cached_property
    def headed(self) -> dict[str, tuple[str, ...]]:
        """By entry id, the names its "Data Processor N – X" headings give its processors, as
        the extractor reads them (:func:`~dataflow_graph.extract.heading_processors`: "AQuA
        (via DP1)" is "AQuA"); entries with none are left out.  What the RDF names as the
        agreement's processors beside those its flows name.  Read with the :attr:`flows`."""
        self.flows  # noqa: B018 - extracting the flows reads the headings too
        if "headed" in self.__dict__:
            headed: dict[str, tuple[str, ...]] = self.__dict__["headed"]
            return headed
        from .extract import heading_processors  # flows given some other way: the headings read now

        names = self.gazetteer.fresh()
        return {e.id: tuple(said) for e in self.entries if (said := heading_processors(e, names))}

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The flow graph, with the successors of its organisations as nodes."""
        from .graph import build_graph

        orgs = self.organisations
        by_id = self.gazetteer.by_id
        extra = [by_id[o.successor] for o in orgs if o.successor and o.successor in by_id]
        return build_graph(self.flows, [*orgs, *extra])

    @cached_property
    def convergences(self) -> tuple[tuple[Convergence, ...], tuple[Excluded, ...]]:
        """Findings and pairs reported apart of the whole register (units rolled up)."""
        from . import graph as queries

        if self.cache is not None and (kept := self.cache.get("convergences")) is not None:
            self.flows  # noqa: B018 - the flows' diagnostics, as when computed
            found_kept: tuple[tuple[Convergence, ...], tuple[Excluded, ...]] = kept
            return found_kept
        found, excluded = queries.convergences(self.graph, facts=self.facts)
        if self.cache is not None:
            self.cache.put("convergences", (tuple(found), tuple(excluded)))
        return tuple(found), tuple(excluded)

    @cached_property
    def recipient_ids(self) -> dict[str, str]:
        """The organisation id of every recipient name the released files write (kept in the
        cache, as the organisations of those names and of their stripped spellings:
        resolving each spelling is most of a warm ``dfg org``'s own work, and loading the
        gazetteer to do it a tenth of its start-up)."""
        from . import graph as queries

        names = {r.recipient for r in self.releases}
        if self.cache is not None and (kept := self.cache.get("recipients")) is not None:
            resolved: dict[str, Organisation] = kept
            queries.known_recipients(resolved)  # red flags and file findings look them up again
        else:
            # the stripped spellings too: they name each recipient in red flags and file findings
            resolved = {name: queries.recipient_of(name) for name in sorted(names | {n.strip() for n in names})}
            if self.cache is not None:
                self.cache.put("recipients", resolved)
        return {name: resolved[name].id for name in sorted(names)}

    @cached_property
    def facts(self) -> queries.Facts:
        """What findings cite beyond the graph: the entries and the released files."""
        from . import graph as queries

        return queries.Facts.of(self.entries, self.releases)

    @cached_property
    def organisations(self) -> list[Organisation]:
        """Every organisation named by a flow, reviewed ones and the rest, sorted by id.

        An unreviewed organisation keeps every spelling it was met under (sorted), so the
        result does not depend on which text named it first (nor on how the work was split
        across processes).
        """
        seen: dict[str, Organisation] = {}
        spellings: dict[str, set[str]] = defaultdict(set)
        for flow in self.flows:
            for org in (o for hop in flow.hops for o in (hop.source, hop.target)):
                seen.setdefault(org.id, org)
                if not org.reviewed:
                    spellings[org.id].update(org.aliases)
        return [
            replace(seen[k], aliases=tuple(sorted(spellings[k]))) if k in spellings else seen[k] for k in sorted(seen)
        ]


def load(
    paths: Sequence[str | Path] = (),
    *,
    limits: Limits | None = None,
    cache: bool | str | os.PathLike[str] = False,
    note: Callable[[str], object] | None = None,
) -> Register:
    """Read register pages and official register files; the embedded seed when none given.

    Bad data is reported in ``register.diagnostics`` and never raises; at the end
    ``read == parsed + rejected`` holds.  ``-`` reads standard input.  Each released
    file and entry is counted once, however many inputs carry it.

    Parameters
    ----------
    paths : sequence of str or Path
        Pages, register files and folders; ``-`` is standard input.
    limits : Limits, optional
        The read limits; by default :data:`~dataflow_graph.read.DEFAULT_LIMITS` with any
        ``DFG_LIMIT_*`` environment variable applied.
    cache : bool or path, default False
        Keep what is read and extracted in the load cache (:mod:`dataflow_graph.cache`)
        and use it the next time the same inputs are loaded: ``True`` for the user's
        cache folder (``$DFG_CACHE_DIR``, else ``$XDG_CACHE_HOME/dataflow-graph``, else
        ``~/.cache/dataflow-graph``), or a folder.  Off by default in Python (``dfg``
        turns it on unless ``--no-cache``).  Each input is read once either way; the
        register, its flows, findings and diagnostics are the same with it or without.
    note : callable, optional
        Told, in one line, about a cache file not used (damaged, another user's) and
        rebuilt; by default such a line goes to standard error.

    Raises
    ------
    NothingReadError
        No entry and no released file was read from ``paths``; it carries the
        diagnostics that say why.
    UsageError
        A ``DFG_LIMIT_*`` variable is not a known limit or not a positive number.

    Examples
    --------
    >>> r = load()
    >>> len(r.entries), r.diagnostics.balanced
    (7, True)
    >>> load(["no/such/page.txt"])
    Traceback (most recent call last):
    ...
    dataflow_graph.errors.NothingReadError: no register entries were read from no/such/page.txt
    """
    limits = limits_from_environment() if limits is None else limits
    if not cache:
        given, shown_as = _given(paths)
        return _register_of(_something_read(read_inputs(given, shown_as=shown_as, limits=limits), paths))
    return _cached_register(_ReadOnce(paths, limits), cache, note)


def _cached_register(
    once: _ReadOnce, cache: bool | str | os.PathLike[str], note: Callable[[str], object] | None
) -> Register:
    """The register of inputs read once, through the load cache (``cache``: True for the
    user's cache folder, else a folder; never False; ``note``: as :func:`load`'s)."""
    folder = cache_folder() if isinstance(cache, bool) else Path(cache)
    store = LoadCache.open(folder, once.key, note if note is not None else _stderr_note)
    kept: tuple[list[Entry], list[Page], list[Release], Diagnostics, list[str], dict[str, str]] | None
    kept = store.get("read")
    if kept is None:
        found = once.parsed()
        kept = (found.entries, found.pages, found.releases, found.diagnostics, found.sources, found.digests)
        store.put("read", kept)
    entries, pages, releases, diagnostics, sources, digests = kept
    register = Register(entries, pages, releases, diagnostics, sources, None, digests)
    register.cache = store
    return register


def _something_read(found: Inputs, paths: Sequence[str | Path]) -> Inputs:
    """What the inputs held; :class:`NothingReadError` when that is no entry and no released file."""
    if not found.entries and not found.releases:
        raise NothingReadError([str(p) for p in paths], found.diagnostics)
    return found


def _register_of(found: Inputs) -> Register:
    """The register of what was read, without the load cache."""
    return Register(found.entries, found.pages, found.releases, found.diagnostics, found.sources, digests=found.digests)


def _given(paths: Sequence[str | Path]) -> tuple[list[str | Path], str | None]:
    """The inputs to read, and the name to show for them: the embedded seed when none given."""
    return (list(paths), None) if paths else ([embedded_path("seeds")], "seeds")


class _ReadOnce:
    """Inputs read once (standard input and pipes cannot be read twice): the key of what was
    read (the read limits and, per input, its path, name, bytes' digest and reading notes),
    and, when asked, the register parsed from those same bytes."""

    def __init__(self, paths: Sequence[str | Path], limits: Limits) -> None:
        given, shown_as = _given(paths)
        self.paths, self.limits = paths, limits
        self.pieces = gather_inputs(given, shown_as=shown_as, limits=limits)
        self.key = input_key(
            limits,
            [
                (
                    str(p.path),
                    p.display or "",
                    "" if p.data is None else hashlib.sha256(p.data).hexdigest(),
                    [repr(d) for d in p.notes],
                )
                for p in self.pieces
            ],
        )

    def parsed(self) -> Inputs:
        """What the inputs hold (raises :class:`NothingReadError` when nothing was read)."""
        return _something_read(parse_pieces(self.pieces, limits=self.limits), self.paths)

    def register(self) -> Register:
        """The register of the inputs, without the load cache."""
        return _register_of(self.parsed())


def _stderr_note(text: str) -> None:
    print(f"dfg: {text}", file=sys.stderr)


def cache_info(folder: str | os.PathLike[str] | None = None) -> CacheInfo:
    """The load cache's folder (the user's, by default), the loads kept in it and their size."""
    return _cache.info(None if folder is None else Path(folder))


def clear_cache(folder: str | os.PathLike[str] | None = None) -> int:
    """Empty the load cache (the user's, by default); the number of files removed."""
    return _cache.clear(None if folder is None else Path(folder))


# ---------------------------------------------------------------------------------------
# Flows, graph and queries

DEFAULT_SOURCE = "NHS Digital"
DEFAULT_DEPTH = 8


def _level(value: Identifiability | str | None) -> Identifiability | None:
    return Identifiability(value) if value else None


def flows(
    register: Register, *, family: str | None = None, identifiability: Identifiability | str | None = None
) -> list[Flow]:
    """Extracted flows, optionally only those carrying a family or at an identifiability.

    >>> [f.reference for f in flows(load(), family="sus", identifiability="identifiable")][:1]
    ['DARS-NIC-198119-X9P3J']
    """
    out = register.flows
    if family:
        code = family_of(family)
        out = [f for f in out if code in f.families]
    level = _level(identifiability)
    if level is not None:
        out = [f for f in out if f.identifiability is level]
    return out


def graph(register: Register) -> nx.MultiDiGraph:
    """The flow graph of the register (built once), with successors as nodes."""
    return register.graph


def resolve_organisation(register: Register, name: str) -> str:
    """The graph node for any alias, id or name, case-insensitive; suggestions if unknown.

    >>> resolve_organisation(load(), "thurrock ccg")
    'org:nhs-thurrock-ccg'
    """
    from . import graph as queries

    return queries.resolve_organisation(register.graph, register.gazetteer, name)


def organisation(register: Register, name: str) -> Organisation:
    """The organisation record of any alias, id or name (see :func:`resolve_organisation`)."""
    org: Organisation = register.graph.nodes[resolve_organisation(register, name)]["organisation"]
    return org


def parse_during(text: str | None) -> Period | None:
    """A window of months from ``--during``: a month, a year, or a range, either end open.

    >>> [(p.start, p.end) for p in map(parse_during, ("2018-06", "2018", "2018..2019-03", "2018-06..", "..2019"))]
    [('2018-06', '2018-06'), ('2018-01', '2018-12'), ('2018-01', '2019-03'), ('2018-06', None), (None, '2019-12')]

    Raises
    ------
    UsageError
        For anything else, or a window that ends before it starts.
    """
    if not text or not text.strip():
        return None
    parts = [p.strip() for p in text.split("..")]
    if len(parts) > 2 or not any(parts):
        raise UsageError(f"--during {text!r}: expected a month (2018-06), a year (2018) or a range (2018-06..2019-03)")
    ends: list[str | None] = []
    for i, part in enumerate(parts if len(parts) == 2 else [parts[0], parts[0]]):
        if not part:
            ends.append(None)
        elif re.fullmatch(r"(?:19|20)\d\d", part):
            ends.append(f"{part}-{'01' if i == 0 else '12'}")
        elif (m := month(part)) is not None:
            ends.append(m)
        else:
            raise UsageError(f"--during {text!r}: {part!r} is neither a month (2018-06) nor a year (2018)")
    start, end = ends
    if start and end and end < start:
        raise UsageError(f"--during {text!r}: the window ends before it starts")
    return Period(start, end, text)


def ranked(found: Sequence[Convergence], files: Sequence[FileFinding]) -> list[Convergence | FileFinding]:
    """Flow and released-file findings in one list, most severe first."""
    from . import graph as queries

    return queries.ranked(found, files)


def briefing(register: Register, *, organisation: str | None = None, top: int = 10) -> Briefing:
    """What ``dfg report`` shows: the register's briefing, or one organisation's.

    Without ``organisation``: counts, the ``top`` most severe findings, red flags by
    recipient.  With it: that organisation's findings (flows and files), its red flags,
    what the pages about it state, the agreements involved.
    """
    from .outputs.report import Briefing

    sources = tuple(register.sources)
    if organisation is None:
        found, _ = convergences(register)
        files = file_findings(register)
        report = redflags(register)
        counts = {
            "register entry read|register entries read": len(register.entries),
            "agreement|agreements": len(register.agreements),
            "released-file row|released-file rows": len(register.releases),
            "flow extracted|flows extracted": len(register.flows),
            "organisation named|organisations named": len(register.organisations),
            "finding from flows|findings from flows": len(found),
            "finding from released files|findings from released files": len(files),
            "red flag computed from released files|red flags computed from released files": len(report.redflags),
            "file sent with opt-outs not applied|files sent with opt-outs not applied": report.files_not_applied,
        }
        names = ", ".join(Path(s.partition("#")[0]).name for s in sources)
        return Briefing(
            f"Briefing: identifiable and de-identified copies in {names}",
            sources,
            tuple(ranked(found, files)),
            tuple(register.entries),
            None,
            tuple(register.pages),
            report.redflags,
            counts,
            top,
        )
    summary = organisation_summary(register, organisation)
    org = summary.organisation
    found = list(summary.findings)
    files = list(summary.files.file_findings)
    counts = {
        "agreement naming it|agreements naming it": len(summary.agreements),
        "finding from flows|findings from flows": len(found),
        "finding from released files|findings from released files": len(files),
        "released file sent to it|released files sent to it": summary.files.releases,
        "of them with opt-outs not applied": summary.files.not_applied,
    }
    return Briefing(
        f"Briefing: {org.name} in the NHS Digital data release register",
        sources,
        tuple(ranked(found, files)),
        tuple(register.entries),
        summary,
        tuple(pages_of(register, org)),
        summary.files.redflags,
        counts,
        top,
    )


def families() -> list[Family]:
    """The reviewed dataset families, in the reviewed file's order (what ``--family`` takes)."""
    return [Family(code, label) for code, label in family_labels().items()]


def organisations(register: Register, *, reviewed: bool = False) -> list[Organisation]:
    """The organisations one can ask about: the register's (its flows' and its files' recipients),
    or with ``reviewed`` every organisation of the reviewed gazetteer too; sorted by name."""
    from . import graph as queries

    found = {o.id: o for o in register.organisations}
    for r in register.releases:
        org = queries.recipient_of(r.recipient)
        found.setdefault(org.id, org)
    if reviewed:
        for org in register.gazetteer.by_id.values():
            found.setdefault(org.id, org)
    return sorted(found.values(), key=lambda o: (o.name.lower(), o.id))


def pages_of(register: Register, organisation: Organisation | None) -> list[Page]:
    """The register pages about one organisation (whose banner names it), or every page."""
    from . import graph as queries

    if organisation is None:
        return list(register.pages)
    keys = queries.name_keys(organisation)
    return [p for p in register.pages if p.organisation and organisation_key(p.organisation) in keys]


def family_of(text: str) -> str:
    """The dataset family a ``--family`` value names: a family code in any case, or a dataset's name.

    >>> family_of("sus"), family_of("Hospital Episode Statistics Admitted Patient Care")
    ('SUS', 'HES')

    Raises
    ------
    UsageError
        When it names no family, with the closest codes and labels as suggestions.
    """
    labels = family_labels()
    by_upper = {code.upper(): code for code in labels}
    if text.strip().upper() in by_upper:
        return by_upper[text.strip().upper()]
    found = dataset_family(text)
    if found is not None:
        return found
    choices = {**{code.lower(): code for code in labels}, **{label.lower(): code for code, label in labels.items()}}
    close = difflib.get_close_matches(text.lower(), list(choices), 4, 0.5)
    hint = f"; did you mean {', '.join(dict.fromkeys(choices[c] for c in close))}?" if close else ""
    raise UsageError(f"--family {text!r} names no dataset family{hint} (`dfg families` lists them)")


def paths(
    register: Register,
    target: str,
    *,
    source: str = DEFAULT_SOURCE,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    purpose: str | None = None,
    kind: FlowKind | str | None = None,
    during: str | None = None,
    depth: int | None = DEFAULT_DEPTH,
) -> list[FlowPath]:
    """Routes from ``source`` (NHS Digital by default) to ``target``, hop by hop."""
    from . import graph as queries

    return queries.flow_paths(
        register.graph,
        resolve_organisation(register, source),
        resolve_organisation(register, target),
        family=family_of(family) if family else None,
        identifiability=_level(identifiability),
        purpose=purpose,
        kind=FlowKind(kind) if kind else None,
        during=parse_during(during),
        depth=depth,
    )


def neighbours(
    register: Register, name: str, *, direction: Direction | str, depth: int | None = None
) -> list[Neighbour]:
    """``upstream`` (``direction="up"``) or ``downstream`` organisations of one organisation."""
    from . import graph as queries
    from .graph import Direction

    node = resolve_organisation(register, name)
    return queries.neighbours(register.graph, node, Direction(direction), depth=depth)


def convergences(
    register: Register,
    *,
    recipient: str | None = None,
    rollup: RollUp | str = "unit",
    family: str | None = None,
    during: str | None = None,
) -> tuple[list[Convergence], list[Excluded]]:
    """Convergence findings (DESIGN.md, "Convergence, precisely") and pairs reported apart."""
    from . import graph as queries
    from .graph import RollUp

    rollup = RollUp(rollup)
    if recipient is None and rollup is RollUp.UNIT and family is None and during is None:
        found, excluded = register.convergences  # the whole register: found once
        return list(found), list(excluded)
    return queries.convergences(
        register.graph,
        recipient=resolve_organisation(register, recipient) if recipient else None,
        rollup=rollup,
        family=family_of(family) if family else None,
        during=parse_during(during),
        facts=register.facts,
    )


def file_findings(register: Register, *, recipient: str | None = None, family: str | None = None) -> list[FileFinding]:
    """Convergence from released files: one recipient, one family, identifiable and
    record-level de-identified files in one period, with the file rows as evidence."""
    from . import graph as queries

    if not register.releases:
        return []
    org_id = queries.recipient_id(register.graph, register.gazetteer, recipient) if recipient else None
    return queries.file_findings(register.releases, recipient=org_id, family=family_of(family) if family else None)


def evaluate_gold(register: Register, gold_path: str | Path) -> Score:
    """Score the register's flows against a gold YAML file.

    Raises
    ------
    UsageError
        If the file cannot be read, is not UTF-8 or YAML, or is not in the gold format
        (``tests/gold/thurrock.yaml``); the message names the file (and line, for YAML).
    """
    try:
        text = Path(gold_path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read gold file {gold_path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"gold file {gold_path} is not UTF-8 (byte at offset {exc.start}); save it as UTF-8") from exc
    from .extract import evaluate, load_gold

    gold = load_gold(text, str(gold_path))
    try:
        return evaluate(register.flows, gold, register.gazetteer)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise UsageError(
            f"gold file {gold_path} is not in the gold format (each entry a mapping with 'ref' and 'flows', "
            f"each flow with 'hops' and 'identifiability'; see tests/gold/thurrock.yaml): {type(exc).__name__} {exc}"
        ) from exc


# ---------------------------------------------------------------------------------------
# Summaries


def organisation_summary(register: Register, name: str) -> OrganisationSummary:
    """Everything known about one organisation across all entries and released files.

    An organisation no flow names is still found among the recipients of released files.
    """
    from . import graph as queries

    G = register.graph
    try:
        node = resolve_organisation(register, name)
    except UnknownOrganisationError as exc:
        org, mine = queries.release_recipient(name, releases=register.releases, unknown=exc)
        return queries.release_only_summary(org, mine)
    found, _ = convergences(register, recipient=node)
    ids = register.recipient_ids
    mine = [r for r in register.releases if ids[r.recipient] == node]
    return queries.organisation_summary(G, node, entries=register.entries, findings=found, releases=mine)


def agreement_summary(register: Register, reference: str) -> AgreementSummary:
    """Everything known about one agreement: its entries, flows, recipients, released files."""
    from . import graph as queries

    return queries.agreement_summary(
        reference, entries=register.entries, flows=register.flows, releases=register.releases
    )


def redflags(register: Register, *, recipient: str | None = None) -> RedFlagReport:
    """Files of one dataset sent to one recipient in one period with opt-outs applied and not."""
    from . import graph as queries

    releases: Sequence[Release] = register.releases
    if recipient:
        releases = queries.of_recipient(releases, queries.recipient_id(register.graph, register.gazetteer, recipient))
    return queries.redflag_report(releases)


# ---------------------------------------------------------------------------------------
# Export


def export(
    register: Register,
    fmt: str,
    out: str | Path | IO[bytes] | None = None,
    *,
    base: str | None = None,
    focus: str | None = None,
    family: str | None = None,
    identifiability: Identifiability | str | None = None,
    during: str | None = None,
    depth: int | None = None,
    title: str | None = None,
    flat: bool = False,
) -> bytes:
    """Write the register in format ``fmt`` (a key of :data:`~dataflow_graph.outputs.formats.WRITERS`)
    to ``out`` (a path or a binary file), and return the bytes.

    ``base`` is the base IRI of RDF formats and ``flat`` puts every JSON-LD triple in the
    default graph; the others say what the HTML page shows:
    ``focus`` is any alias of an organisation (``depth`` steps up and down from it, 2 by
    default), ``during`` is ``YYYY-MM..YYYY-MM``, ``title`` names the page (by default the
    inputs' base names, or the built-in seed's name), and the page lists the findings of
    :func:`convergences` and :func:`file_findings` for the same family and window.

    Raises
    ------
    UnknownOrganisationError
        If ``focus`` names no organisation (with suggestions).
    UsageError
        For an unknown format, a malformed ``during``, or ``flat`` with a format other than JSON-LD.
    """
    from .outputs import formats
    from .rdf import register as _rdf

    if flat and fmt.lower() not in ("jsonld", "json-ld"):
        raise UsageError(f"--flat applies to JSON-LD only, not {fmt!r}")
    node = resolve_organisation(register, focus) if focus else None
    view = formats.View(
        focus=node,
        family=family_of(family) if family else None,
        identifiability=_level(identifiability),
        during=parse_during(during),
        depth=depth,
        title=title,
    )

    def findings() -> list[Convergence | FileFinding]:
        found, _ = convergences(register, family=family, during=during)
        return [*found, *file_findings(register, family=family)]

    def rdf(syntax: str) -> bytes:
        return _rdf.export_rdf(_rdf_records(register), syntax, base=base or DEFAULT_BASE, flat=flat)

    sources, name = tuple(register.sources), _seed_name(register)
    source = formats.Exportable(register.graph, sources=sources, view=view, findings=findings, rdf=rdf, name=name)
    return formats.export(source, fmt, out)


def _seed_name(register: Register) -> str | None:
    """``NHS Thurrock CCG (built-in seed page)`` when every input is a page of the embedded seed."""
    seeds = {f"seeds/{p.name}" for p in embedded_path("seeds").iterdir()}
    if not register.sources or not set(register.sources) <= seeds:
        return None
    names = sorted({p.organisation for p in register.pages if p.organisation})
    return f"{', '.join(names) or 'register page'} (built-in seed page)"


# ---------------------------------------------------------------------------------------
# RDF, SHACL, SPARQL, push: one call each into dataflow_graph.rdf.register, which loads
# rdflib and Oxigraph only when called.


def _rdf_records(register: Register) -> _rdf.Records:
    """What the register's RDF projects: entries, flows, organisations, released files, findings."""
    from .rdf import register as _rdf

    return _rdf.Records(
        register.entries,
        register.flows,
        register.organisations,
        register.releases,
        lambda: convergences(register)[0],  # worked out while workers build the agreement graphs
        register.digests,
        register.headed,
    )


def rdf_text(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.RdfText:
    """The register's triples as text (:class:`~dataflow_graph.rdf.turtle.RdfText`): entries,
    agreements, organisations, datasets, flows, hops, evidence, released files and
    convergence findings."""
    from .rdf import register as _rdf

    return _rdf.rdf_text(_rdf_records(register), base=base)


def rdf_store(register: Register, *, base: str = DEFAULT_BASE) -> _rdf.Store:
    """The register as RDF in a pyoxigraph store (see :func:`rdf_text`)."""
    from .rdf import register as _rdf

    return _rdf.rdf_store(_rdf_records(register), base=base)


def export_rdf(register: Register, fmt: str, *, base: str = DEFAULT_BASE, flat: bool = False) -> bytes:
    """Turtle, N-Triples, JSON-LD, TriG or N-Quads; the same bytes for the same input
    (``flat``: JSON-LD with every triple in the default graph)."""
    from .rdf import register as _rdf

    return _rdf.export_rdf(_rdf_records(register), fmt, base=base, flat=flat)


def check(register: Register, *, base: str = DEFAULT_BASE, engine: str = "sparql") -> list[_rdf.Violation]:
    """SHACL violations of the register's RDF (ontology/shapes.ttl), each with its entry.

    ``engine`` ``pyshacl`` validates with pySHACL instead of the shapes compiled to SPARQL
    (same results, about 10x slower: to cross-check)."""
    from .rdf import register as _rdf

    return _rdf.check(_rdf_records(register), base=base, engine=engine)


def sparql(
    paths: Sequence[str | Path],
    query: str,
    bindings: dict[str, str] | None = None,
    *,
    allow_update: bool = False,
    endpoint: str | None = None,
    store: str | None = None,
    base: str = DEFAULT_BASE,
    timeout: float = DEFAULT_TIMEOUT,
    cache: bool | str | os.PathLike[str] = False,
    note: Callable[[str], object] | None = None,
) -> list[dict[str, object]]:
    """Run a named query (``ontology/queries/NAME.rq``) or a query file, with bindings.

    Locally over the register read from ``paths``; with ``store`` an on-disk Oxigraph store
    under that folder is built once per input and reused (read-only: ``allow_update`` is
    refused with it); with ``endpoint`` the query runs on a SPARQL 1.1 server instead, each
    request within ``timeout`` seconds. Bindings are passed as bindings, never formatted in.
    ``cache`` and ``note``: as :func:`load`'s, for the register the query reads (``dfg
    sparql`` turns the load cache on unless ``--no-cache``, as every command does).
    """
    import functools

    from .rdf import register as _rdf

    @functools.cache
    def once() -> _ReadOnce:
        """The inputs, read once for both the store's key and its records."""
        return _ReadOnce(paths, limits_from_environment())

    def register() -> Register:
        """The register the query reads: through the load cache when it is on; else, with
        ``store``, from the bytes its key was made of (standard input is read once)."""
        if cache:
            return _cached_register(once(), cache, note)
        return once().register() if store else load(paths)

    return _rdf.sparql(
        query,
        bindings,
        records=lambda: _rdf_records(register()),
        key=lambda: "\x1f".join((_cache.code_digest(), _cache.environment_digest(), _ontology_digest(), once().key)),
        allow_update=allow_update,
        endpoint=endpoint,
        store=store,
        base=base,
        timeout=timeout,
    )


def _ontology_digest() -> str:
    """The SHA-256 of ``ontology/dataflow.ttl``: the concepts graph of every RDF export is
    made from it (outside the package in a checkout, so not in the code digest)."""
    return hashlib.sha256(Path(embedded_path("ontology"), "dataflow.ttl").read_bytes()).hexdigest()


def push(
    register: Register,
    endpoint: str,
    *,
    method: str = "update",
    base: str = DEFAULT_BASE,
    store_url: str | None = None,
    update_url: str | None = None,
    query_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = DEFAULT_MAX_BODY,
    on_pushed: Callable[[_rdf.PushResult], object] | None = None,
) -> list[_rdf.PushResult]:
    """Load the register into a SPARQL 1.1 server, one named graph per agreement, each
    replaced whole (a failed push leaves the previous graph, never half) and reported only
    once the server confirms its triple count (``on_pushed`` is called with each at once).
    Each request has ``timeout`` seconds; an update over ``max_body`` bytes is split (see
    :mod:`dataflow_graph.rdf.push`)."""
    from .rdf import register as _rdf

    return _rdf.push(
        _rdf_records(register),
        endpoint,
        method=method,
        base=base,
        store_url=store_url,
        update_url=update_url,
        query_url=query_url,
        timeout=timeout,
        max_body=max_body,
        on_pushed=on_pushed,
    )
