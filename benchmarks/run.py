"""Benchmarks at national scale: every figure beside a baseline measured in the same run.

Run from the repository root (not part of the test run)::

    python benchmarks/run.py              # 1k and 10k entries (about 20 minutes)
    python benchmarks/run.py --quick      # 1k entries only
    python benchmarks/run.py --entries 1000,10000 --data DIR

The synthetic register (:mod:`dataflow_graph.synth`) is written into a temporary
folder (or ``--data DIR`` is read instead).  Each measurement runs in fresh
subprocesses (``--worker TASK``), ``--repeat`` times (the fastest counts), so its peak
memory is its own: the driver samples the proportional set size of the subprocess and
of the workers it starts (:class:`MemorySampler`); the subprocess also reports
``ru_maxrss`` of itself plus that of its workers, an upper bound.  The register
parsed by the ``parse`` task is pickled, so the later tasks start from it without
re-parsing (unpickling is not timed; its memory is part of their peak).  The table is
printed and written into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "tests" / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
README = Path(__file__).resolve().parent / "README.md"
MB = 1_000_000


# ---------------------------------------------------------------------------------------
# Worker side: one measurement per process


def _pages(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*.txt") if p.is_file())


def _register(cache: Path):
    with cache.open("rb") as fh:
        return pickle.load(fh)


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Best of ``repeat`` runs (queries are short; the long ones run once)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _task_parse(data: Path, cache: Path, _: str) -> dict[str, object]:
    from dataflow_graph import api

    paths = _pages(data)
    size = sum(p.stat().st_size for p in paths)
    t_load, register = _timed(lambda: api.load(paths))
    t_flows, flows = _timed(lambda: register.flows)
    with cache.open("wb") as fh:
        pickle.dump(register, fh, protocol=pickle.HIGHEST_PROTOCOL)
    with_flows = len({f.entry for f in flows})
    return {
        "seconds": t_load + t_flows,
        "load": t_load,
        "flows": t_flows,
        "bytes": size,
        "entries": len(register.entries),
        "flow_count": len(flows),
        "with_flows": with_flows,
    }


def _task_read_split(data: Path, cache: Path, _: str) -> dict[str, object]:
    paths = _pages(data)

    def run() -> int:
        return sum(len(p.read_bytes().decode("utf-8").splitlines()) for p in paths)

    seconds, lines = _timed(run)
    return {"seconds": seconds, "lines": lines, "bytes": sum(p.stat().st_size for p in paths)}


def _task_graph(data: Path, cache: Path, _: str) -> dict[str, object]:
    from dataflow_graph import api

    register = _register(cache)
    api.import_queries()  # the flow graph's modules and networkx: imported on first use, not timed
    seconds, G = _timed(lambda: api.graph(register))
    return {"seconds": seconds, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def _task_graph_base(data: Path, cache: Path, _: str) -> dict[str, object]:
    import networkx as nx

    register = _register(cache)
    edges = [(h.source.id, h.target.id, f"{f.id}/{i}") for f in register.flows for i, h in enumerate(f.hops)]
    seconds, G = _timed(lambda: nx.MultiDiGraph(edges))
    return {"seconds": seconds, "edges": G.number_of_edges()}


def _prepared(cache: Path):
    from dataflow_graph import api

    register = _register(cache)
    return register, api.graph(register)


def _task_converge(data: Path, cache: Path, _: str) -> dict[str, object]:
    from dataflow_graph import api

    register, _G = _prepared(cache)
    seconds, (found, excluded) = _timed(lambda: api.convergences(register))
    return {"seconds": seconds, "findings": len(found), "excluded": len(excluded)}


def _task_converge_json(data: Path, cache: Path, _: str) -> dict[str, object]:
    from dataflow_graph import api
    from dataflow_graph.outputs.documents import converge_document, dumps

    register, _G = _prepared(cache)
    found, excluded = api.convergences(register)
    files = api.file_findings(register)

    def write() -> int:
        return len(dumps(converge_document(found, excluded, files, register.releases)).encode())

    seconds, size = _timed(write)
    return {"seconds": seconds, "bytes": size}


def _task_converge_json_base(data: Path, cache: Path, _: str) -> dict[str, object]:
    """The same findings as schema 2 wrote them: every copy, route and line inline, indented."""
    import json

    from dataflow_graph import api

    register, _G = _prepared(cache)
    found, _excluded = api.convergences(register)
    files = api.file_findings(register)

    def write() -> int:
        doc = [{"source": "flows", **c.as_dict()} for c in found] + [f.as_dict() for f in files]
        return len(json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=2).encode())

    seconds, size = _timed(write)
    return {"seconds": seconds, "bytes": size}


def _task_converge_base(data: Path, cache: Path, _: str) -> dict[str, object]:
    G = _prepared(cache)[1]

    def scan() -> int:  # one pass over every node's incoming edges and their flows
        n = 0
        for node in G:
            for _u, _v, d in G.in_edges(node, data=True):
                n += len(d["flow"].families)
        return n

    seconds, n = _timed(scan, 3)
    return {"seconds": seconds, "edges": n}


def _task_paths(data: Path, cache: Path, target: str) -> dict[str, object]:
    from dataflow_graph import api

    register, _G = _prepared(cache)
    seconds, found = _timed(lambda: api.paths(register, target), 3)
    return {"seconds": seconds, "paths": len(found)}


def _task_paths_base(data: Path, cache: Path, target: str) -> dict[str, object]:
    import networkx as nx

    from dataflow_graph import api

    register, G = _prepared(cache)
    source = api.resolve_organisation(register, api.DEFAULT_SOURCE)
    api.resolve_organisation(register, target)
    seconds, reach = _timed(lambda: nx.descendants(G, source), 3)
    return {"seconds": seconds, "reached": len(reach)}


def _task_updown(data: Path, cache: Path, target: str) -> dict[str, object]:
    from dataflow_graph import api

    register, _G = _prepared(cache)

    def run() -> int:
        up = api.neighbours(register, target, direction="up", depth=3)
        down = api.neighbours(register, api.DEFAULT_SOURCE, direction="down", depth=3)
        return len(up) + len(down)

    seconds, n = _timed(run, 3)
    return {"seconds": seconds, "organisations": n}


def _task_updown_base(data: Path, cache: Path, target: str) -> dict[str, object]:
    import networkx as nx

    from dataflow_graph import api

    register, G = _prepared(cache)
    node, source = api.resolve_organisation(register, target), api.resolve_organisation(register, api.DEFAULT_SOURCE)

    def run() -> int:
        up = nx.single_source_shortest_path_length(G.reverse(copy=False), node, cutoff=3)
        down = nx.single_source_shortest_path_length(G, source, cutoff=3)
        return len(up) + len(down)

    seconds, n = _timed(run, 3)
    return {"seconds": seconds, "organisations": n}


def _rdf_export(register, fmt: str) -> bytes:
    from dataflow_graph import api

    return api.export_rdf(register, fmt)


def _rdf_available() -> bool:
    try:
        from dataflow_graph.rdf import serialise, store
    except ImportError:
        return False
    return hasattr(store, "to_rdf") and hasattr(serialise, "serialise")


def _task_rdf(data: Path, cache: Path, fmt: str) -> dict[str, object]:
    if not _rdf_available():
        return {"seconds": None}
    register, _G = _prepared(cache)
    seconds, out = _timed(lambda: _rdf_export(register, fmt))
    return {"seconds": seconds, "bytes": len(out)}  # type: ignore[arg-type]


def _task_rdf_base(data: Path, cache: Path, fmt: str) -> dict[str, object]:
    """pyoxigraph serialising the same triples directly (the union of the named graphs)."""
    if not _rdf_available():
        return {"seconds": None}
    import pyoxigraph as ox

    from dataflow_graph.rdf import vocab

    register, _G = _prepared(cache)
    store = ox.parse(_rdf_export(register, "nt"), format=ox.RdfFormat.N_TRIPLES)
    triples = list(store)
    name = {"turtle": "TURTLE", "jsonld": "JSON_LD"}[fmt]
    form = getattr(ox.RdfFormat, name, None)
    if form is None:  # an older pyoxigraph without JSON-LD: N-Triples instead
        form = ox.RdfFormat.N_TRIPLES
    prefixes = vocab.PREFIXES if form is ox.RdfFormat.TURTLE else None
    seconds, out = _timed(lambda: ox.serialize(triples, format=form, **({"prefixes": prefixes} if prefixes else {})))
    return {"seconds": seconds, "bytes": len(out), "triples": len(triples), "format": str(form)}


def _task_check(data: Path, cache: Path, mode: str) -> dict[str, object]:
    """``dfg check`` of the whole register (issue 18: SHACL at register scale): its RDF, the
    Oxigraph store, the shapes and the cross-node checks; ``mode`` ``always``: in pieces
    (``$DFG_CHECK_PIECES``), else as on this machine by default."""
    if not _rdf_available():
        return {"seconds": None}
    from dataflow_graph import api

    if mode:
        os.environ["DFG_CHECK_PIECES"] = mode

    register, _G = _prepared(cache)
    found: list = []
    seconds, _done = _timed(lambda: found.extend(api.check(register)))
    return {"seconds": seconds, "violations": sum(v.severity == "Violation" for v in found)}


def _html_available() -> bool:
    try:
        from dataflow_graph.outputs import html
    except ImportError:
        return False
    return hasattr(html, "render_html")


def _task_html(data: Path, cache: Path, focus: str) -> dict[str, object]:
    if not _html_available():
        return {"seconds": None}
    from dataflow_graph import api
    from dataflow_graph.outputs.html import render_html

    register, G = _prepared(cache)
    found, _ = api.convergences(register)
    node = api.resolve_organisation(register, focus) if focus else None
    seconds, page = _timed(lambda: render_html(G, findings=found, focus=node, depth=1 if node else None))
    return {"seconds": seconds, "bytes": len(page)}  # type: ignore[arg-type]


def _task_html_base(data: Path, cache: Path, focus: str) -> dict[str, object]:
    """json.dumps of the nodes and edges (with hop evidence) the page shows: the data alone."""
    from dataflow_graph import api

    register, G = _prepared(cache)
    if focus:
        node = api.resolve_organisation(register, focus)
        keep = {node} | set(G.predecessors(node)) | set(G.successors(node))
        G = G.subgraph(keep)

    def run() -> int:
        nodes = [{"id": n, "name": d["name"]} for n, d in sorted(G.nodes(data=True))]
        edges = [
            {"from": u, "to": v, "key": k, "text": d["hop"].evidence.text}
            for u, v, k, d in G.edges(keys=True, data=True)
        ]
        return len(json.dumps({"nodes": nodes, "edges": edges}, sort_keys=True))

    seconds, size = _timed(run)
    return {"seconds": seconds, "bytes": size}


def _task_wb_e2e(data: Path, cache: Path, _: str) -> dict[str, object]:
    # the reader and the extractor imported before the timer, as the bare passes import
    # openpyxl and calamine before theirs: the figure is the work on the workbook
    import dataflow_graph.extract
    import dataflow_graph.read.register  # noqa: F401
    from dataflow_graph import api

    t_load, register = _timed(lambda: api.load([WORKBOOK]))
    t_flows, flows = _timed(lambda: register.flows)
    statements = sum(e.variant == "quarterly-register" for e in register.entries)
    return {
        "seconds": t_load + t_flows,
        "load": t_load,
        "flows": t_flows,
        "statements": statements,
        "releases": len(register.releases),
        "flow_count": len(flows),
    }


def _task_wb_read(data: Path, cache: Path, _: str) -> dict[str, object]:
    # the workbook reader (and calamine) imported before the timer, as the bare pass imports calamine
    import dataflow_graph.read.register  # noqa: F401
    from dataflow_graph import api

    seconds, register = _timed(lambda: api.load([WORKBOOK]))
    return {"seconds": seconds, "entries": len(register.entries), "releases": len(register.releases)}


def _task_wb_openpyxl(data: Path, cache: Path, _: str) -> dict[str, object]:
    import openpyxl

    def run() -> int:
        book = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
        n = sum(1 for sheet in book.worksheets for _row in sheet.iter_rows(values_only=True))
        book.close()
        return n

    seconds, rows = _timed(run)
    return {"seconds": seconds, "rows": rows}


def _task_wb_calamine(data: Path, cache: Path, _: str) -> dict[str, object]:
    from python_calamine import CalamineWorkbook

    def run() -> int:
        book = CalamineWorkbook.from_path(str(WORKBOOK))
        return sum(1 for name in book.sheet_names for _row in book.get_sheet_by_name(name).iter_rows())

    seconds, rows = _timed(run)
    return {"seconds": seconds, "rows": rows}


def _task_wb_check(data: Path, cache: Path, _: str) -> dict[str, object]:
    """``dfg check`` on the 2017 workbook: read it, build the RDF store, validate (issue 18)."""
    from dataflow_graph import api

    seconds, found = _timed(lambda: api.check(api.load([WORKBOOK])))
    return {"seconds": seconds, "violations": len(found)}  # type: ignore[arg-type]


def _task_wb_turtle(data: Path, cache: Path, _: str) -> dict[str, object]:
    """``dfg export --format turtle`` on the 2017 workbook: read it, write its RDF as Turtle."""
    from dataflow_graph import api

    seconds, out = _timed(lambda: api.export_rdf(api.load([WORKBOOK]), "turtle"))
    return {"seconds": seconds, "bytes": len(out)}  # type: ignore[arg-type]


#: What ``dfg`` reads in a folder (the whole synthetic register: pages and workbooks).
_INPUTS = (".txt", ".html", ".htm", ".csv", ".xlsx")


def _inputs(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*") if p.is_file() and p.suffix.lower() in _INPUTS)


def _process_env(cache_dir: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DFG_CACHE_DIR")}
    env["PYTHONPATH"] = str(ROOT)
    if cache_dir is not None:
        env["DFG_CACHE_DIR"] = cache_dir
    return env


def _task_flows_cli(data: Path, cache: Path, mode: str) -> dict[str, object]:
    """``dfg flows DATA --format json`` as a whole process, as a user runs it (issue 18):
    ``cold`` with ``--no-cache``; ``warm`` the second run on a load cache the first filled."""
    with tempfile.TemporaryDirectory(prefix="dfg-flows-") as tmp:
        out = Path(tmp) / "flows.json"
        argv = [sys.executable, "-m", "dataflow_graph", "flows", str(data), "--format", "json", "-o", str(out), "-q"]
        env = _process_env(tmp if mode == "warm" else None)
        if mode == "warm":
            subprocess.run(argv, env=env, cwd=ROOT, check=True)
        else:
            argv.append("--no-cache")
        seconds, _ = _timed(lambda: subprocess.run(argv, env=env, cwd=ROOT, check=True))
        return {"seconds": seconds, "bytes": sum(p.stat().st_size for p in _inputs(data)), "out": out.stat().st_size}


def _task_flows_cli_base(data: Path, cache: Path, _: str) -> dict[str, object]:
    """A whole Python process reading the same files' bytes: start-up plus reading."""
    code = "import sys; print(sum(len(open(p, 'rb').read()) for p in sys.argv[1:]))"
    argv = [sys.executable, "-c", code, *map(str, _inputs(data))]
    seconds, _ = _timed(lambda: subprocess.run(argv, env=_process_env(None), check=True, capture_output=True))
    return {"seconds": seconds}


TASKS = {name.removeprefix("_task_"): fn for name, fn in globals().items() if name.startswith("_task_")}


class MemorySampler:
    """The most memory process ``root`` and its descendants held at once.

    Runs in the driver, not in the process measured, and seldom: reading ``smaps_rollup``
    of a 1.4 GB process takes about 18 ms of kernel time and holds its memory map lock, so
    sampling at 20 Hz slowed a two-core measurement by a quarter.  Every ``interval``
    seconds a thread adds up the proportional set size (``Pss`` in
    ``/proc/PID/smaps_rollup``) of this process and of every process descended from it:
    pages a forked worker shares with its parent count once, split between them, so the
    sum is the physical memory in use at that moment.  Summing each process's own
    ``ru_maxrss`` instead counts shared pages twice and adds peaks that never coincide.
    """

    def __init__(self, root: int, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        self.peak_kib = max(self.peak_kib, sum(map(_pss_kib, _family(self.root))))


def _family(root: int) -> list[int]:
    """``root`` and every live process descended from it."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def worker(task: str, data: Path, cache: Path, arg: str) -> None:
    result = TASKS[task](data, cache, arg)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["own_peak_mb"] = own / 1024  # Linux: KiB
    result["peak_bound_mb"] = (own + children) / 1024
    print(json.dumps(result))


# ---------------------------------------------------------------------------------------
# Driver side


#: Runs of each measurement (fresh processes); the fastest counts.  Set by ``--repeat``.
REPEAT = 2
#: Measurements that take long enough to be steady: run once.
ONCE = {("rdf", "jsonld"), ("rdf_base", "jsonld")}


def run_task(task: str, data: Path, cache: Path, arg: str = "") -> dict[str, object]:
    """The fastest of ``REPEAT`` runs, each in a fresh process (this machine's speed drifts by
    a quarter between minutes); its peak memory is the highest of them."""
    runs = [_run_once(task, data, cache, arg) for _ in range(1 if (task, arg) in ONCE else REPEAT)]
    done = [r for r in runs if r.get("seconds") is not None]
    if not done:
        return runs[0]
    best = dict(min(done, key=lambda r: r["seconds"]))  # type: ignore[arg-type, return-value]
    for key in ("peak_mb", "peak_bound_mb"):
        best[key] = max(r[key] for r in done)  # type: ignore[type-var]
    return best


def _run_once(task: str, data: Path, cache: Path, arg: str = "") -> dict[str, object]:
    cmd = [sys.executable, __file__, "--worker", task, "--data", str(data), "--cache", str(cache), "--arg", arg]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    with MemorySampler(proc.pid) as sampler:
        stdout, stderr = proc.communicate()
    if proc.returncode:
        sys.stderr.write(stderr[-3000:])
        return {"seconds": None, "error": stderr.strip().splitlines()[-1] if stderr.strip() else "failed"}
    result = json.loads(stdout.strip().splitlines()[-1])
    # the sampled peak, or the worker's own peak if it came between two samples
    result["peak_mb"] = max(sampler.peak_kib / 1024, result["own_peak_mb"])
    return result


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("pass" if ok else "MISS")


def _row(
    what: str,
    size: str,
    ours: dict,
    base: dict | None,
    base_name: str,
    *,
    figure: str = "",
    target: str = "",
    ok: bool | None = None,
) -> dict[str, str]:
    t, b = ours.get("seconds"), (base or {}).get("seconds")
    ratio = f"{t / b:.1f}x" if t is not None and b else "n/a"
    return {
        "measure": what,
        "size": size,
        "time": "n/a" if t is None else _seconds(t),
        "figure": figure,
        "baseline": base_name,
        "baseline time": "n/a" if b is None else _seconds(b),
        "ratio": ratio,
        "peak MB": "n/a" if t is None else f"{ours['peak_mb']:.0f}",
        "peak bound MB": "n/a" if t is None else f"{ours.get('peak_bound_mb', ours['peak_mb']):.0f}",
        "baseline peak MB": "n/a" if b is None else f"{base['peak_mb']:.0f}",  # type: ignore[index]
        "target": target,
        "mark": _mark(ok) if target else "",
    }


def _seconds(t: float) -> str:
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def measure_size(data: Path, cache: Path, label: str, focus: str, big: bool) -> list[dict[str, str]]:
    rows = []
    parse, split = run_task("parse", data, cache), run_task("read_split", data, cache)
    if parse.get("seconds") is None:
        return [_row("parse + extract", label, parse, split, "read + splitlines")]
    mb = parse["bytes"] / MB
    rate = mb / parse["seconds"]
    ratio = parse["seconds"] / split["seconds"]
    rows.append(
        _row(
            "parse + extract (pages)",
            label,
            parse,
            split,
            "read + splitlines",
            figure=f"{rate:.2f} MB/s of {mb:.0f} MB; {parse['with_flows']}/{parse['entries']} entries with flows",
            target=">= 10 MB/s, <= 25x" if big else "",
            ok=rate >= 10 and ratio <= 25,
        )
    )
    rows.append(
        _row(
            "  of which parse",
            label,
            {**parse, "seconds": parse["load"]},
            split,
            "read + splitlines",
            figure=f"{mb / parse['load']:.1f} MB/s",
        )
    )
    rows.append(
        _row(
            "  of which extract",
            label,
            {**parse, "seconds": parse["flows"]},
            split,
            "read + splitlines",
            figure=f"{mb / parse['flows']:.2f} MB/s, {parse['flow_count']} flows",
        )
    )
    base = run_task("flows_cli_base", data, cache)
    for mode in ("cold", "warm"):
        ours = run_task("flows_cli", data, cache, mode)
        speed = ours["bytes"] / MB / ours["seconds"] if ours.get("seconds") else 0.0
        goal = (15 if big else 10) if mode == "cold" else 0
        rows.append(
            _row(
                f"dfg flows --format json, whole process ({'--no-cache' if mode == 'cold' else 'cache warm'})",
                label,
                ours,
                base,
                "python reading the same files",
                figure=f"{speed:.1f} MB/s of {ours.get('bytes', 0) / MB:.1f} MB" if speed else "",
                target=f">= {goal} MB/s" if goal else "",
                ok=speed >= goal if goal else None,
            )
        )
    graph, graph_base = run_task("graph", data, cache), run_task("graph_base", data, cache)
    rows.append(
        _row(
            "build flow graph",
            label,
            graph,
            graph_base,
            "nx.MultiDiGraph(edges)",
            figure=f"{graph.get('nodes')} nodes, {graph.get('edges')} edges",
        )
    )
    conv, conv_base = run_task("converge", data, cache), run_task("converge_base", data, cache)
    rows.append(
        _row(
            "convergence (whole graph)",
            label,
            conv,
            conv_base,
            "one pass over in-edges",
            figure=f"{conv.get('findings')} findings",
            target="< 1 s" if big else "",
            ok=conv.get("seconds") is not None and conv["seconds"] < 1,
        )
    )
    cj, cj_base = run_task("converge_json", data, cache), run_task("converge_json_base", data, cache)
    cj_mb, base_mb = (cj.get("bytes") or 0) / 1e6, (cj_base.get("bytes") or 0) / 1e6
    rows.append(
        _row(
            "converge --format json (document)",
            label,
            cj,
            cj_base,
            f"schema 2 layout, inline and indented ({base_mb:.1f} MB)",
            figure=f"{cj_mb:.1f} MB",
            target="<= 50 MB" if big else "",
            ok=cj.get("seconds") is not None and cj_mb <= 50,
        )
    )
    paths, paths_base = run_task("paths", data, cache, focus), run_task("paths_base", data, cache, focus)
    rows.append(
        _row(
            "path query to one CCG",
            label,
            paths,
            paths_base,
            "nx.descendants(NHS Digital)",
            figure=f"{paths.get('paths')} paths",
            target="< 50 ms" if big else "",
            ok=paths.get("seconds") is not None and paths["seconds"] < 0.05,
        )
    )
    ud, ud_base = run_task("updown", data, cache, focus), run_task("updown_base", data, cache, focus)
    rows.append(
        _row(
            "upstream + downstream, depth 3",
            label,
            ud,
            ud_base,
            "BFS cutoff 3 (networkx)",
            figure=f"{ud.get('organisations')} organisations",
        )
    )
    for fmt, target in (("turtle", "<= 2x"), ("jsonld", "")):
        ours, base = run_task("rdf", data, cache, fmt), run_task("rdf_base", data, cache, fmt)
        ratio_ok = (ours["seconds"] / base["seconds"] <= 2) if ours.get("seconds") and base.get("seconds") else None
        rows.append(
            _row(
                f"{fmt} export (records to bytes)",
                label,
                ours,
                base,
                f"pyoxigraph {'Turtle' if fmt == 'turtle' else base.get('format', 'JSON-LD')} of same triples",
                figure=f"{ours['bytes'] / MB:.1f} MB" if ours.get("bytes") else "",
                target=target,
                ok=ratio_ok,
            )
        )
        if fmt == "turtle":
            turtle = ours
    check = run_task("check", data, cache)
    rows.append(
        _row(
            "dfg check (shapes + checks)",
            label,
            check,
            turtle,
            "our Turtle export (its row)",
            figure=f"{check.get('violations')} violations" if check.get("seconds") else "",
        )
    )
    split = run_task("check", data, cache, "always")
    rows.append(
        _row(
            "dfg check in pieces (same results)",
            label,
            split,
            check,
            "dfg check as run by default here",
            figure=f"{split.get('violations')} violations" if split.get("seconds") else "",
        )
    )
    for name, arg in (("HTML, one organisation (depth 1)", focus), ("HTML, whole graph", "")):
        ours, base = run_task("html", data, cache, arg), run_task("html_base", data, cache, arg)
        rows.append(
            _row(
                name,
                label,
                ours,
                base,
                "json.dumps of its nodes and edges",
                figure=f"{ours['bytes'] / MB:.2f} MB" if ours.get("bytes") else "",
            )
        )
    if big:
        peak = max(float(r["peak MB"]) for r in rows if r["peak MB"] != "n/a")
        bound = max(float(r["peak bound MB"]) for r in rows if r["peak bound MB"] != "n/a")
        rows.append(
            {
                "measure": "peak memory, any measurement",
                "size": label,
                "time": "",
                "figure": f"{peak:.0f} MB",
                "baseline": "",
                "baseline time": "",
                "ratio": "",
                "peak MB": f"{peak:.0f}",
                "peak bound MB": f"{bound:.0f}",
                "baseline peak MB": "",
                "target": "< 2 GB",
                "mark": _mark(peak < 2000),
            }
        )
    return rows


def measure_workbook(tmp: Path) -> list[dict[str, str]]:
    cache = tmp / "unused.pickle"
    e2e, read = run_task("wb_e2e", tmp, cache), run_task("wb_read", tmp, cache)
    opx, cal = run_task("wb_openpyxl", tmp, cache), run_task("wb_calamine", tmp, cache)
    size = f"{WORKBOOK.stat().st_size / MB:.1f} MB"
    e2e_ok = e2e.get("seconds") is not None and e2e["seconds"] <= 3 * opx["seconds"]
    read_ok = read.get("seconds") is not None and read["seconds"] <= 1.5 * cal["seconds"]
    return [
        _row(
            "2017 workbook end to end",
            size,
            e2e,
            opx,
            "openpyxl read-only pass",
            figure=f"{e2e.get('statements')} statements, {e2e.get('releases')} releases, {e2e.get('flow_count')} flows",
            target="<= 3x",
            ok=e2e_ok,
        ),
        _row("2017 workbook end to end", size, e2e, cal, "python-calamine pass"),
        _row("2017 workbook reading alone", size, read, cal, "python-calamine pass", target="<= 1.5x", ok=read_ok),
    ]


def measure_check(tmp: Path) -> list[dict[str, str]]:
    """``dfg check`` on the 2017 workbook against the Turtle export of it (issue 18)."""
    cache = tmp / "unused.pickle"
    check, turtle = run_task("wb_check", tmp, cache), run_task("wb_turtle", tmp, cache)
    t, b = check.get("seconds"), turtle.get("seconds")
    ok = t is not None and b is not None and t <= 3 * b and check["peak_mb"] <= 300  # type: ignore[operator]
    return [
        _row(
            "dfg check (shapes + checks)",
            "2017 workbook",
            check,
            turtle,
            "dfg export --format turtle",
            figure=f"{check.get('violations')} violations",
            target="<= 3x, <= 300 MB",
            ok=ok,
        )
    ]


def _focus(data: Path) -> str:
    """A CCG with a planted convergence: the recipient of the first CCG page."""
    for path in _pages(data):
        first = path.read_text(encoding="utf-8").split("\n", 2)[1]
        if m := re.match(r"(NHS .+ CCG) projects$", first):
            return m.group(1)
    return "NHS Digital"


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), CPU {cpu}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}, "
        f"{datetime.date.today().isoformat()}"
    )


def print_table(rows: list[dict[str, str]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in rows[0]:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(r[c] for c in rows[0]))
    Console(width=240).print(table)


def markdown(rows: list[dict[str, str]]) -> str:
    cols = list(rows[0])
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(r[c].replace("|", "/") for c in cols) + " |" for r in rows]
    return "\n".join(out)


def write_readme(rows: list[dict[str, str]], host: str, command: str, notes: list[str]) -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    block = (
        f"{start}\n\nMachine: {host}.  \nCommand: `{command}`\n\n{markdown(rows)}\n\n"
        + "".join(f"- {n}\n" for n in notes)
        + f"\n{end}"
    )
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1k entries only")
    parser.add_argument("--entries", default="1000,10000", help="comma-separated sizes (default 1000,10000)")
    parser.add_argument("--data", type=Path, help="read this folder instead of generating (one size)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite benchmarks/README.md")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per measurement, fastest counts")
    parser.add_argument("--check-only", action="store_true", help="only the dfg check row (2017 workbook)")
    parser.add_argument("--workbook-only", action="store_true", help="only the 2017 workbook rows")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.cache, args.arg)
        return 0
    REPEAT = max(1, args.repeat)
    sys.path.insert(0, str(ROOT))
    from dataflow_graph.synth import write_register

    sizes = [1000] if args.quick else [int(x) for x in args.entries.split(",")]
    rows: list[dict[str, str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dfg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.check_only or args.workbook_only:
            rows = measure_check(tmp) if args.check_only else measure_workbook(tmp)
            print_table(rows, f"dataflow-graph benchmarks ({machine()})")
            return 0
        for n in [0] if args.data else sizes:
            data = args.data or tmp / f"synthetic-{n}"
            label = data.name if args.data else f"{n // 1000}k entries"
            if not args.data:
                t = time.perf_counter()
                s = write_register(data, entries=n, seed=args.seed)
                notes.append(
                    f"{label}: synthetic register written in {time.perf_counter() - t:.1f} s: "
                    f"{s.pages} pages, {s.page_bytes / MB:.1f} MB of pages, {s.bytes / MB:.1f} MB in all, "
                    f"{s.workbook_statements} workbook statements, {len(s.planted)} planted convergences"
                )
                print(notes[-1], flush=True)
            focus = _focus(data)
            rows += measure_size(data, tmp / f"register-{n}.pickle", label, focus, big=n >= 10000 or bool(args.data))
            print(f"{label}: measured", flush=True)
        rows += measure_workbook(tmp)
        rows += measure_check(tmp)
    host = machine()
    print_table(rows, f"dataflow-graph benchmarks ({host})")
    command = (
        "python benchmarks/run.py"
        + (" --quick" if args.quick else f" --entries {args.entries}")
        + (f" --repeat {REPEAT}" if REPEAT != 2 else "")
    )
    notes.append(
        f"Each figure is the fastest of {REPEAT} runs in fresh processes (JSON-LD: one run); peak MB is "
        "the highest sampled PSS of the measuring process and its workers together, peak bound MB the "
        "sum of their ru_maxrss; tasks after `parse` start from the pickled register, so their peak "
        "includes holding the whole register and its flows."
    )
    notes.append(
        "The RDF baselines take their triples from our N-Triples export (not timed), so their peak memory "
        "is that of the export, not of pyoxigraph alone."
    )
    if not args.no_readme:
        write_readme(rows, host, command, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
