"""What a linkage list holds: the items under its heading line, not the points after it."""

from dataflow_graph import api
from dataflow_graph.model import FlowKind


def test_seed_linkage_lists_end_where_the_numbered_points_resume():
    flows = [f for f in api.load().flows if f.kind is FlowKind.LINKAGE]
    assert flows
    for f in flows:
        # "5) Allowed linkage is between … and the following data …:" then "o Social Care data" …
        # "o Hospice data", then "6) Access is fully controlled by …": a point, not linked data
        assert f.linked
        assert all(item.endswith("data") for item in f.linked), f.linked
        assert not any(item.startswith(("Access", "CCG", "CCGs", "Pseudonymised")) for item in f.linked)


def test_linkage_list_of_lettered_items_ends_at_the_next_numbered_point(tmp_path):
    from dataflow_graph._resources import embedded_path

    seed = next(embedded_path("seeds").iterdir()).read_text(encoding="utf-8").splitlines()
    out, letters, in_list = [], iter("abcdefghijklmnop"), False
    for line in seed:
        in_list = "Allowed linkage" in line or (in_list and line.startswith("o "))
        if in_list and line.startswith("o "):
            line = f"{next(letters)}) {line[2:]}"
        elif "Allowed linkage" not in line:
            letters = iter("abcdefghijklmnop")
        out.append(line)
    page = tmp_path / "lettered.txt"
    page.write_text("\n".join(out) + "\n", encoding="utf-8")
    flows = [f for f in api.load([page]).flows if f.kind is FlowKind.LINKAGE]
    assert flows
    assert all("Social Care data" in f.linked and "Hospice data" in f.linked for f in flows)
    assert not any(item.startswith("Access") for f in flows for item in f.linked)
