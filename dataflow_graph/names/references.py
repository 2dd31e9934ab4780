"""References and lists: DARS agreement references, and the lists a register cell holds.

A register cell lists several values ("Yes (Section 251, s261), No") or several
organisations ("NHS Bristol, North Somerset and South Gloucestershire ICB, IQVIA, INC");
the commas that separate them are told from the commas inside one value here.
"""

from __future__ import annotations

import re

from .roles import role_rules

__all__ = ["agreement_core", "is_dars_reference", "split_controllers", "split_list"]

_REF = re.compile(
    r"^(?P<dars>DARS-)?(?P<nic>NIC)-?(?P<num>\d{3,7})-(?P<code>[A-Z0-9]{5})(?:-v\s*[\d.]+)?$",
    re.IGNORECASE,
)


def agreement_core(reference: str) -> str:
    """The agreement a reference belongs to, across register eras and versions.

    >>> [agreement_core(r) for r in ("DARS-NIC-81831-Y2N8H", "NIC-81831-Y2N8H",
    ...                               "DARS-NIC-81831-Y2N8H-v2.1", " NIC-154590-YG6QH ",
    ...                               "CASEMIX_MONITOR")]
    ['NIC-81831-Y2N8H', 'NIC-81831-Y2N8H', 'NIC-81831-Y2N8H', 'NIC-154590-YG6QH', 'CASEMIX_MONITOR']
    """
    ref = reference.strip()
    if m := _REF.match(ref):
        return f"NIC-{m.group('num')}-{m.group('code').upper()}"
    return ref


def is_dars_reference(reference: str) -> bool:
    """True for DARS-NIC / NIC references, False for local labels."""
    return bool(_REF.match(reference.strip()))


def split_controllers(text: str) -> list[str]:
    """Split a list of organisation names on commas that separate names.

    Commas inside a name ("NHS Bristol, North Somerset and South Gloucestershire ICB")
    or before "LIMITED"/"INC" do not separate.

    >>> split_controllers("NHS THURROCK CCG, NHS MID AND SOUTH ESSEX ICB - 07G")
    ['NHS THURROCK CCG', 'NHS MID AND SOUTH ESSEX ICB - 07G']
    >>> split_controllers("NHS Bristol, North Somerset and South Gloucestershire ICB, IQVIA, INC")
    ['NHS Bristol, North Somerset and South Gloucestershire ICB', 'IQVIA, INC']
    """
    parts = [p.strip() for p in split_list(text, ",;")]
    suffix = role_rules().name_suffix
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and (suffix.match(part) or _continues_name(out[-1], part)):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return out


_NHS_PLACE = re.compile(r"(?i)^NHS\s+\w+$")


def _continues_name(previous: str, part: str) -> bool:
    """A fragment that cannot stand alone: the previous one has no organisation word yet."""
    word = role_rules().organisation_word
    return (
        bool(_NHS_PLACE.match(previous))
        and not word.search(previous)
        and bool(word.search(part))
        and not part.upper().startswith("NHS")
    )


_SPLITTERS: dict[str, re.Pattern[str]] = {}


def split_list(text: str, separators: str = ",") -> list[str]:
    """Split on separators outside parentheses and quotes.

    >>> split_list("Yes (Section 251, s261), No")
    ['Yes (Section 251, s261)', ' No']
    """
    out: list[str] = []
    depth, start = 0, 0
    pattern = _SPLITTERS.get(separators) or _SPLITTERS.setdefault(
        separators, re.compile("[" + re.escape("()[]" + separators) + "]")
    )
    for m in pattern.finditer(text):
        ch = m.group(0)
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return [p for p in out if p.strip()]
