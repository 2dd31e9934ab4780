"""The on-disk store of ``dfg sparql --store``: concurrent processes, read-only, swapped in whole."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from dataflow_graph.cli import cli
from dataflow_graph.rdf.cache import StoreError, cached_store, input_key
from dataflow_graph.rdf.sparql import QueryError, named_queries, run
from dataflow_graph.rdf.store import records_store

ROOT = Path(__file__).resolve().parent.parent


def _dfg(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "dataflow_graph", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


def _build(example):
    return lambda: records_store(example.entries, example.flows, example.organisations)


@pytest.mark.parametrize("attempt", range(3))
def test_cache_two_concurrent_store_queries_give_the_same_rows(tmp_path, attempt):
    store = str(tmp_path / "store")
    pair = [_dfg("sparql", "by_opt_out", "--store", store, "--format", "json") for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in pair]
    assert [p.returncode for p in pair] == [0, 0], [err.decode() for _, err in outs]
    assert outs[0][0] == outs[1][0]
    assert b'"rows"' in outs[0][0]
    assert all(b"Traceback" not in err for _, err in outs)
    names = {p.name for p in (tmp_path / "store").iterdir()}
    (key,) = (n for n in names if not n.startswith("."))
    assert names == {key, f".{key}.lock", ".lock"}  # one store, its lock, the folder's lock


def test_cache_allow_update_with_store_is_a_usage_error(tmp_path):
    update = tmp_path / "drop.rq"
    update.write_text("DROP ALL", encoding="utf-8")
    store = tmp_path / "store"
    before = CliRunner().invoke(cli, ["sparql", "by_opt_out", "--store", str(store), "--format", "json"])
    assert before.exit_code == 0
    result = CliRunner().invoke(cli, ["sparql", str(update), "--store", str(store), "--allow-update"])
    assert result.exit_code == 2
    assert "--allow-update cannot be used with --store" in result.stderr
    after = CliRunner().invoke(cli, ["sparql", "by_opt_out", "--store", str(store), "--format", "json"])
    assert after.stdout == before.stdout


def test_cache_store_is_opened_read_only(tmp_path, example):
    store = cached_store(tmp_path, input_key([b"x"]), _build(example))
    with pytest.raises(QueryError, match="update failed"):
        run(store, "DROP ALL", allow_update=True)
    assert len(store) > 0


def test_cache_threads_asking_at_once_build_once(tmp_path, example):
    calls: list[int] = []

    def build():
        calls.append(1)
        time.sleep(0.2)
        return _build(example)()

    key = input_key([b"threads"])
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: cached_store(tmp_path, key, build), range(4)))
    assert calls == [1]
    assert all(s is stores[0] for s in stores)


def test_cache_build_cut_off_leaves_nothing_the_next_build_keeps(tmp_path, example):
    key = input_key([b"cut"])
    leftover = tmp_path / f".{key}.deadbeef.tmp"
    leftover.mkdir()
    (leftover / "000001.sst").write_bytes(b"half")

    def failing():
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        cached_store(tmp_path, key, failing)
    assert not (tmp_path / key).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert run(cached_store(tmp_path, key, _build(example)), named_queries()["by_opt_out"])


def test_cache_damaged_store_is_one_line_error(tmp_path):
    key = input_key([b"damaged"])
    (tmp_path / key).mkdir()
    with pytest.raises(StoreError, match=rf"the cached store {tmp_path / key} cannot be opened .*remove that folder"):
        cached_store(tmp_path, key, lambda: b"")


def test_cache_store_folder_that_is_a_file_is_one_line_error(tmp_path):
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(cli, ["sparql", "by_opt_out", "--store", str(tmp_path / "file" / "store")])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[-1]
        == f"Error: cannot use the store folder {tmp_path / 'file' / 'store'}: Not a directory"
    )


_HOLD = """
import sys
from dataflow_graph.rdf.cache import cached_store
cached_store(sys.argv[1], sys.argv[2], lambda: b"<a:s> <a:p> <a:o> <a:g> .\\n")
print("open", flush=True)
sys.stdin.read()
"""


def test_cache_older_store_open_elsewhere_is_kept_until_closed(tmp_path):
    old, new, newer = (input_key([v]) for v in (b"old", b"new", b"newer"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path), old], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == b"open\n"
        cached_store(tmp_path, new, lambda: b"<a:s> <a:p> <a:o> <a:g> .\n")
        assert (tmp_path / old).is_dir()  # in use by the other process
    finally:
        holder.communicate(b"", timeout=30)
    store = cached_store(tmp_path, newer, lambda: b"<a:s> <a:p> <a:o> <a:g> .\n")
    assert isinstance(store, ox.Store)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [newer]
