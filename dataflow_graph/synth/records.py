"""What is drawn before it is written: entries, organisations, and the seeded writer."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .vocabulary import _Region

T = TypeVar("T")

# ---------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What :func:`write_register` wrote.

    ``planted`` lists the (recipient, family) pairs given both an identifiable and a
    pseudonymised copy of one dataset in overlapping windows: the convergences the
    pipeline should find at least.  ``defects`` counts each planted page defect.
    """

    entries: int
    pages: int
    files: int
    page_bytes: int
    bytes: int
    workbook_statements: int
    workbook_releases: int
    defects: dict[str, int]
    planted: tuple[tuple[str, str], ...]
    paths: tuple[str, ...]


@dataclass(slots=True)
class _Entry:
    """One synthetic entry before it is written in a page or workbook layout."""

    title: str
    reference: str
    organisation: str
    opt_outs: str
    legal_basis: str
    window: tuple[str, str]
    dsa: tuple[str, str] | None
    datasets: list[str]
    category: str
    controllers: str
    sections: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Org:
    """A page recipient: its page name, its kind and (for CCGs) its region and ICB."""

    name: str
    kind: str
    place: str = ""
    region: _Region | None = None
    icb: str = ""


class _Writer:
    """Draws every choice from one ``random.Random`` in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.refs: set[str] = set()
        self.defects = {
            "reversed_window": 0,
            "missing_datasets_label": 0,
            "missing_objectives_label": 0,
            "trailing_space_reference": 0,
            "truncated_entry": 0,
        }
        self.planted: list[tuple[str, str]] = []

    # -- small draws
    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def reference(self, *, version: bool = False) -> str:
        while True:
            n = self.rng.randrange(10000, 999999)
            tail = "".join(self.rng.choice(s) for s in ("ABCDEFGHJKLMNPQRSTVWXYZ", "0123456789") * 2)
            tail += self.rng.choice("ABCDEFGHJKLMNPQRSTVWXYZ")
            core = f"{n:05d}-{tail}"
            if core not in self.refs:
                self.refs.add(core)
                break
        prefix = "DARS-NIC-" if version or self.chance(0.8) else "NIC-"
        return f"{prefix}{core}" + (f"-v{self.rng.randrange(0, 6)}.{self.rng.randrange(1, 14)}" if version else "")

    def window(self) -> tuple[str, str]:
        y, m = self.rng.randrange(2014, 2021), self.rng.randrange(1, 13)
        span = self.rng.randrange(3, 36)
        end = y * 12 + m - 1 + span
        return f"{y}.{m:02d}", f"{end // 12}.{end % 12 + 1:02d}"

    def numbering(self) -> tuple[str, str]:
        """Step and sub-step style of one block: "1." / "1)" / none."""
        return self.pick((("{n}.", "{a}."), ("{n})", "{a})"), ("{n}.", "{a}."), ("", "")))


def _steps(w: _Writer, lines: list[str]) -> list[str]:
    """Number a block's steps in one of the real styles (sometimes with a duplicated number)."""
    fmt, _ = w.numbering()
    out, n = [], 0
    for line in lines:
        if line.startswith(("a.", "b.", "i.", "ii.", "iii.", "o ")):
            out.append(line)
            continue
        n += 1
        if fmt and n == 2 and w.chance(0.03):
            n = 1  # "1." twice, as in PS row 746
        out.append(f"{fmt.format(n=n)} {line}" if fmt else line)
    return out
