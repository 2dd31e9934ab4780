"""Remembered text analysis changes no result: cold or warm caches, any entry order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dataflow_graph import api
from dataflow_graph.errors import Diagnostics
from dataflow_graph.extract import extract, extract_all
from dataflow_graph.extract.mentions import context, mentions_in
from dataflow_graph.model import Entry
from dataflow_graph.names import Gazetteer, organisations_text

SEEDS = Path(__file__).parent.parent / "seeds"


def _new_gazetteer() -> Gazetteer:
    """A gazetteer with empty caches (not the shared, memoised one)."""
    return Gazetteer.from_yaml(organisations_text())


def _as_dicts(flows):
    return [f.as_dict() for f in flows]


def test_flows_do_not_depend_on_what_was_extracted_before():
    register = api.load([SEEDS])
    entries = list(register.entries)
    cold = {e.id: _as_dicts(extract(e, _new_gazetteer().fresh(), Diagnostics())) for e in entries}
    warm_names = _new_gazetteer()
    extract_all(entries, warm_names, Diagnostics(), workers=1)  # fill every cache
    for entry in reversed(entries):
        assert _as_dicts(extract(entry, warm_names.fresh(), Diagnostics())) == cold[entry.id]


def test_diagnostics_of_a_warm_run_equal_a_cold_run():
    register = api.load([SEEDS])
    names = _new_gazetteer()
    first, second = Diagnostics(), Diagnostics()
    extract_all(register.entries, names, first, workers=1)
    extract_all(register.entries, names, second, workers=1)
    assert [str(d) for d in first] == [str(d) for d in second]


def test_a_name_shape_that_is_no_party_still_fixes_the_entrys_spelling():
    """A possessive shape ("ACME Analytics Limited's …") is no party to a hop, but it is
    resolved all the same, so a later spelling of that name in the entry meets the first."""
    entry = Entry(id="e", source="s", line=1, position=0, reference="r", agreement="a", title="t")
    ctx = context(entry, _new_gazetteer().fresh())
    assert mentions_in("ACME Analytics Limited's data processor holds it", ctx) == []
    later = mentions_in("The data is sent to Acme Analytics Limited.", ctx)
    assert [m.org.aliases for m in later] == [("ACME Analytics Limited",)]


def test_extraction_in_many_small_chunks_is_the_extraction_in_one_process(monkeypatch):
    """A large register is cut into more chunks than 8 a process (about 160 entries each);
    the flows, their lines, the diagnostics and the headings read are those of one process."""
    from dataflow_graph.extract import extractor
    from dataflow_graph.outputs.documents import record_line

    workbook = Path(__file__).parent / "data" / "register" / "ReleaseRegister-sep-nov-2017.xlsx"
    entries = api.load([workbook]).entries
    runs = []
    cut: list[int] = []
    pool = extractor.fork_pool_map

    def counted(*args, chunks_per_worker, **kwargs):
        cut.append(chunks_per_worker)
        return pool(*args, chunks_per_worker=chunks_per_worker, **kwargs)

    monkeypatch.setattr(extractor, "fork_pool_map", counted)
    for workers, size in ((1, 160), (2, 160), (2, 7)):
        monkeypatch.setattr(extractor, "_CHUNK_ENTRIES", size)
        said, headed, lines = Diagnostics(), {}, []
        flows = extract_all(
            entries, _new_gazetteer(), said, workers=workers, headed=headed, render=record_line, rendered=lines
        )
        runs.append((_as_dicts(flows), [str(d) for d in said], headed, lines))
    assert cut == [8, 60]  # 838 entries: 8 chunks a process, then 60 of at most 7 entries
    assert runs[0] == runs[1] == runs[2]
    assert len(runs[0][3]) == len(runs[0][0]) > 1000


def _entries_of(lines: list[str], applicants: list[str]) -> list[Entry]:
    """One entry per applicant, each with the same Processing text (a seed entry's fields)."""
    from dataflow_graph.errors import Span
    from dataflow_graph.model import Section

    seed = api.load().entries[0]
    out = []
    for i, org in enumerate(applicants, 1):
        spans = tuple(Span("p.txt", 10 * i + k, 1, text) for k, text in enumerate(lines))
        out.append(
            replace(
                seed,
                id=f"e{i}",
                reference=f"DARS-NIC-00000{i}-AAAAA",
                organisation=org,
                controllers=(org,),
                title="t",
                sections=(Section("Processing", spans[0], spans),),
            )
        )
    return out


_APPLICANTS = ["NHS Thurrock CCG", "NHS Basildon and Brentwood CCG", "NHS Southend CCG"]


def test_hops_that_go_to_the_applicant_follow_each_entrys_applicant_from_a_warm_memo():
    """A release to no one named goes to the applicant, and a step with no sender comes from
    the previous hop's receiver: remembered under the applicant and the hops before, so the
    same sentences in the next entry name that entry's applicant, never the first's."""
    lines = [
        "Data supplied by NHS Digital will be pseudonymised HES data.",
        "The data will then be passed to MedeAnalytics.",
    ]
    names = _new_gazetteer()
    flows = extract_all(_entries_of(lines, _APPLICANTS), names, Diagnostics(), workers=1)
    chains = {f.entry: [(h.source.name, h.target.name) for h in f.hops] for f in flows}
    assert chains == {
        f"e{i}": [("NHS Digital", org), (org, "MedeAnalytics International Limited")]
        for i, org in enumerate(_APPLICANTS, 1)
    }


def test_a_sentence_naming_both_sides_is_read_once_whoever_the_applicant(monkeypatch):
    """Hops that depend on nothing but the sentence and what its names mean are found once and
    remembered for every entry, whoever its applicant (a third of the finding was redone per
    applicant)."""
    from dataflow_graph.extract import hops

    found: list[str] = []
    find = hops._find_hops

    def counted(s, *args):
        found.append(s.text)
        return find(s, *args)

    monkeypatch.setattr(hops, "_find_hops", counted)
    lines = ["1. North East London DSCRO pushes SUS data to North East London CSU."]
    flows = extract_all(_entries_of(lines, _APPLICANTS), _new_gazetteer(), Diagnostics(), workers=1)
    assert [(f.entry, f.hops[-1].target.name) for f in flows] == [
        (f"e{i}", "NHS North and East London Commissioning Support Unit") for i in range(1, 4)
    ]
    assert found == lines


def test_a_list_items_hop_follows_each_entrys_list_head_from_a_warm_memo():
    """A list item that names only its sender goes to the receiver its list head names: the
    same item under another head, in the next entry, goes to that entry's receiver, as read
    with nothing remembered."""
    items = ["a. SUS data is supplied by NHS Digital."]
    heads = [
        "1. North East London DSCRO transfers the following to North East London CSU:",
        "1. North East London DSCRO transfers the following to MedeAnalytics:",
    ]
    entries = [_entries_of([head, *items], _APPLICANTS[:1])[0] for head in heads]
    entries[1] = replace(entries[1], id="e2", reference="DARS-NIC-000002-AAAAA")

    def targets(flows):
        return [[h.target.name for h in f.hops] for f in flows]

    cold = [targets(extract(e, _new_gazetteer().fresh(), Diagnostics())) for e in entries]
    warm = _new_gazetteer()
    assert [targets(extract(e, warm.fresh(), Diagnostics())) for e in entries] == cold
    assert any("MedeAnalytics International Limited" in t for flows in cold[1:] for t in flows)


def test_extract_all_hands_the_workers_flows_back_with_the_record_pickler(monkeypatch):
    """The flows a worker extracts come back pickled as records (the load cache's pickler:
    half the time to load), not with the default pickler."""
    from dataflow_graph._speed import record_dumps
    from dataflow_graph.extract import extractor

    asked: list[object] = []
    pool = extractor.fork_pool_map

    def noted(*args, **kwargs):
        asked.append(kwargs.get("dumps"))
        return pool(*args, **kwargs)

    monkeypatch.setattr(extractor, "fork_pool_map", noted)
    entries = list(api.load().entries) * 40
    assert extract_all(entries, _new_gazetteer(), Diagnostics(), workers=2)
    assert asked == [record_dumps]
