"""The process machinery of the RDF build: bytes handed back by forked workers through a file,
the pool's ``first`` work, and the line texts of a cell's section made without its spans."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataflow_graph._speed import HandBack, _Shared, cell_section, fork_pool_map, line_texts, page_section
from dataflow_graph.errors import Span

forks = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="this platform cannot fork processes"
)


def _chunks(n: int) -> list[bytes]:
    """Chunks of different sizes, one empty and one with bytes that are not UTF-8."""
    return [bytes([i % 251]) * (i * 997 % 70_000) for i in range(n)] + [b"", b"\xff\xfe\x00 \xe2\x86\x92"]


def _through_the_pool(hands: list[HandBack], sent: list[list[bytes]]) -> list[tuple[int, object]]:
    def work(_: None, picked: list[int]) -> list[tuple[int, object]]:
        return [(os.getpid(), hands[i].put(sent[i])) for i in picked]

    # this process waits a moment first: the pool's queue has taken the first jobs by then
    done = fork_pool_map(
        work, None, list(range(len(sent))), workers=2, chunks_per_worker=3, first=lambda: time.sleep(0.3)
    )
    return [r for job in done for r in job]


@forks
def test_a_forked_worker_hands_its_chunks_back_through_the_file():
    sent = [_chunks(5), _chunks(40), [], _chunks(2), _chunks(9), _chunks(1)]
    hands = [HandBack() for _ in sent]
    results = _through_the_pool(hands, sent)
    assert any(pid != os.getpid() for pid, _ in results)  # some went through the file
    for hand, chunks, (pid, handed) in zip(hands, sent, results, strict=True):
        if pid != os.getpid():  # a worker sends the lengths only
            assert handed == [len(c) for c in chunks]
        assert hand.take(handed) == chunks  # type: ignore[arg-type]


class _FullFile:
    """A file with no room left: every write fails as a full disk or memory does."""

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@forks
def test_without_a_file_the_chunks_come_back_through_the_pipe(monkeypatch):
    import tempfile

    def refused(*args: object, **kwargs: object) -> object:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "memfd_create", refused, raising=False)
    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    sent = [_chunks(3), _chunks(7), [], _chunks(1)]
    hands = [HandBack() for _ in sent]
    results = _through_the_pool(hands, sent)
    assert any(pid != os.getpid() for pid, _ in results)
    for hand, chunks, (_, handed) in zip(hands, sent, results, strict=True):
        assert hand.take(handed) == chunks  # type: ignore[arg-type]


@forks
def test_a_file_that_fills_up_hands_the_chunks_back_through_the_pipe():
    sent = [_chunks(4), _chunks(6), _chunks(2)]
    hands = [HandBack() for _ in sent]
    for hand in hands:
        hand._file.close()  # type: ignore[union-attr]
        hand._file = _FullFile()  # type: ignore[assignment]
    results = _through_the_pool(hands, sent)
    assert any(pid != os.getpid() for pid, _ in results)
    for hand, chunks, (_, handed) in zip(hands, sent, results, strict=True):
        assert hand.take(handed) == chunks  # type: ignore[arg-type]


def test_chunks_put_in_this_process_are_kept_as_they_are():
    hand, chunks = HandBack(), _chunks(3)
    got = hand.take(hand.put(chunks))
    assert got == chunks
    assert all(a is b for a, b in zip(got, chunks, strict=True))


def _tagged(context: str, items: list[int]) -> list[tuple[str, int, int]]:
    return [(context, os.getpid(), i) for i in items]


@forks
def test_the_pool_runs_first_here_once_and_keeps_every_chunk_in_order():
    ran: list[int] = []
    done = fork_pool_map(_tagged, "x", list(range(50)), workers=2, chunks_per_worker=5, first=lambda: ran.append(1))
    assert ran == [1]
    assert [i for chunk in done for _, _, i in chunk] == list(range(50))
    assert {c for chunk in done for c, _, _ in chunk} == {"x"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\t→\r"), min_size=1, max_size=40).map(str.strip).filter(bool))
def test_line_texts_of_a_cell_are_the_texts_of_its_spans(text):
    section = cell_section("Processing", "book.xlsx#Sheet", 7, text)
    assert line_texts(section) == tuple(s.text for s in section.lines)
    # and the same once the spans are made
    assert line_texts(section) == tuple(s.text for s in section.lines)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\t→"), min_size=1, max_size=40).map(str.strip).filter(bool))
def test_line_texts_are_the_texts_of_the_lines_of_every_kind_of_section(text):
    from dataflow_graph.model import Section

    cell = cell_section("Processing", "book.xlsx#Sheet", 7, text)
    plain = Section(cell.name, cell.span, cell.lines)
    assert line_texts(plain) == tuple(s.text for s in plain.lines) == line_texts(cell)
    page = tuple(text.split("\n"))
    first = Span("page.txt", 3, 12, page[0]) if page[0].strip() else None
    heading = Span("page.txt", 3, 1, "Processing")
    lazy = page_section("Processing", heading, first, page, range(3, 3 + len(page)), 1, len(page))
    assert line_texts(lazy) == tuple(s.text for s in lazy.lines)


#: chunks done by this process, shared with the forked worker of the next test
_DONE_HERE: object = None


def _held_up_in_the_worker(parent: int, items: list[int]) -> list[tuple[int, int]]:
    """In the worker: wait (at most 10 s) until this process has done every other chunk."""
    done = _DONE_HERE
    if os.getpid() != parent:
        deadline = time.monotonic() + 10
        while done.value < 19 and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.01)
    else:
        with done.get_lock():  # type: ignore[attr-defined]
            done.value += 1  # type: ignore[attr-defined]
    return [(os.getpid(), i) for i in items]


@forks
def test_a_free_process_takes_every_chunk_a_busy_worker_has_not_started():
    """While the worker is held up on one chunk, this process does the other 19, however many
    jobs the pool's queue handed the worker ahead of time (it took three before)."""
    global _DONE_HERE
    _DONE_HERE = multiprocessing.get_context("fork").Value("q", 0)
    # this process waits a moment first: the pool's queue has handed the worker its first jobs by then
    done = fork_pool_map(
        _held_up_in_the_worker,
        os.getpid(),
        list(range(20)),
        workers=2,
        chunks_per_worker=10,
        first=lambda: time.sleep(0.3),
    )
    assert [i for chunk in done for _, i in chunk] == list(range(20))
    elsewhere = [chunk for chunk in done if chunk[0][0] != os.getpid()]
    assert len(elsewhere) <= 1
    assert _DONE_HERE.value == 20 - len(elsewhere)  # type: ignore[attr-defined]


def _sent_from_a_child(shared: _Shared, i: int, value: object, out: Any) -> None:
    out.put(shared.send(i, value))


@forks
def test_a_worker_result_comes_back_through_the_shared_file_not_the_pipe():
    """A forked worker writes each chunk's result into the file the processes share and says
    where; this process reads each one back once it is written, and only then."""
    ctx = multiprocessing.get_context("fork")
    values = [{"a": [1, 2.5, "é→"], "b": b"\x00\xff" * 40_000}, [], ("x" * 70_000, None)]
    shared = _Shared(ctx, len(values) + 1)
    out = ctx.Queue()
    results: list[object] = [None] * (len(values) + 1)
    for i in (2, 0, 1):  # written in any order
        child = ctx.Process(target=_sent_from_a_child, args=(shared, i, values[i], out))
        child.start()
        assert out.get(timeout=30) is True
        child.join(30)
        shared.collect(results)
        assert results[i] == values[i]
    assert results == [*values, None]  # the chunk no one wrote is not read
    assert shared.collected == [True, True, True, False]
    shared.stop()


@forks
def test_results_come_through_the_pipe_when_no_file_can_be_made(monkeypatch):
    import tempfile

    from dataflow_graph import _speed

    def no_file() -> None:
        raise OSError("no space left")

    monkeypatch.setattr(_speed, "memory_file", lambda name: None)
    monkeypatch.setattr(tempfile, "TemporaryFile", no_file)
    assert _Shared(multiprocessing.get_context("fork"), 1).file is None
    done = fork_pool_map(_tagged, "x", list(range(40)), workers=2, chunks_per_worker=5, first=lambda: time.sleep(0.2))
    assert [i for chunk in done for _, _, i in chunk] == list(range(40))
    assert {pid for chunk in done for _, pid, _ in chunk} != {os.getpid()}  # the worker's came through the pipe


def _dumps_noted(result: object) -> bytes:
    """A worker's result pickled with a note of who pickled it (the ``dumps`` of the pool)."""
    import pickle

    return pickle.dumps(("pickled by dumps", os.getpid(), result))


@forks
def test_the_workers_results_are_pickled_with_the_dumps_given():
    """``dumps`` pickles what a worker writes into the shared file (the flows go with the load
    cache's pickler); this process's own chunks are never pickled."""
    done = fork_pool_map(
        _tagged, "x", list(range(40)), workers=2, chunks_per_worker=5, first=lambda: time.sleep(0.2), dumps=_dumps_noted
    )
    worker = [chunk for chunk in done if chunk[0] == "pickled by dumps"]
    assert worker
    assert all(pid != os.getpid() for _, pid, _ in worker)  # only the worker's, through the file
    here = [chunk for chunk in done if chunk[0] != "pickled by dumps"]
    assert all(pid == os.getpid() for chunk in here for _, pid, _ in chunk)
    unwrapped = [chunk[2] if chunk[0] == "pickled by dumps" else chunk for chunk in done]
    assert [i for chunk in unwrapped for _, _, i in chunk] == list(range(40))


@forks
def test_flows_from_workers_equal_those_of_one_process(tmp_path):
    """The flows a worker pickles with the load cache's pickler load back equal, with their
    lines, diagnostics and headings (the seed's entries, many times over)."""
    from dataflow_graph import api
    from dataflow_graph.errors import Diagnostics
    from dataflow_graph.extract import extract_all
    from dataflow_graph.outputs.documents import record_line

    register = api.load()
    entries = list(register.entries) * 60
    runs = []
    for workers in (1, 2):
        diagnostics, headed, made = Diagnostics(), {}, []
        flows = extract_all(
            entries, register.gazetteer, diagnostics, workers=workers, headed=headed, render=record_line, rendered=made
        )
        runs.append((flows, made, diagnostics.items, headed))
    assert runs[0] == runs[1]
    assert all(type(f) is type(runs[0][0][0]) for f in runs[1][0])


def _one_side_failing(failing: tuple[int, str], items: list[int]) -> list[int]:
    """This process's chunks (``failing``: its pid, and how a chunk fails) or the worker's:
    the failing side fails on its first chunk (a moment in, when it is this process); the
    other notes each chunk it does."""
    parent, how = failing
    if (os.getpid() == parent) == (how == "here"):
        if how == "worker dies":
            os._exit(3)  # killed, out of memory: no exception to say so
        time.sleep(0.2 if how == "here" else 0)  # the worker is well under way first
        raise ValueError("a chunk failed")
    with open(os.environ["DFG_TEST_DONE"], "a") as f:
        f.write(f"{items[0]}\n")
    time.sleep(0.02)
    return items


@forks
@pytest.mark.parametrize("how", ["here", "worker raises", "worker dies"])
def test_when_a_process_fails_every_process_stops_taking_chunks(tmp_path, monkeypatch, how):
    """The error comes at once: neither the workers nor this process do the other chunks
    first (a worker's error came only after this process had done the rest alone)."""
    from concurrent.futures.process import BrokenProcessPool

    done = tmp_path / "done"
    done.touch()
    monkeypatch.setenv("DFG_TEST_DONE", str(done))
    raised = BrokenProcessPool if how == "worker dies" else ValueError
    with pytest.raises(raised):
        fork_pool_map(_one_side_failing, (os.getpid(), how), list(range(400)), workers=2, chunks_per_worker=200)
    assert len(done.read_text().split()) < 100  # of the 399 others


def _slow_here(parent: int, items: list[int]) -> list[tuple[int, int]]:
    # the worker does several chunks while this process does one, and cannot do them all
    # before this process takes its first
    time.sleep(0.05 if os.getpid() == parent else 0.01)
    return [(os.getpid(), i) for i in items]


@forks
def test_the_workers_results_are_read_from_the_file_between_chunks_of_this_process(monkeypatch):
    from dataflow_graph import _speed

    read_so_far: list[int] = []
    read_in_the_end: list[list[bool]] = []
    collect, stop = _speed._Shared.collect, _speed._Shared.stop

    def counted(self: _Shared, results: list[Any]) -> None:
        collect(self, results)
        read_so_far.append(sum(self.collected))

    def kept(self: _Shared) -> None:
        read_in_the_end.append(list(self.collected))
        stop(self)

    monkeypatch.setattr(_speed._Shared, "collect", counted)
    monkeypatch.setattr(_speed._Shared, "stop", kept)
    done = fork_pool_map(_slow_here, os.getpid(), list(range(60)), workers=2, chunks_per_worker=15)
    assert [i for chunk in done for _, i in chunk] == list(range(60))
    by_worker = [chunk[0][0] != os.getpid() for chunk in done]
    assert read_in_the_end == [by_worker]  # every chunk of the worker came through the file
    assert any(by_worker)
    assert len(read_so_far) >= 2  # after each chunk of this process, and once at the end
    assert read_so_far[0] > 0  # after this process's first chunk, some were read already
