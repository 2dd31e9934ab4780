"""Reviewed YAML: the data files beside the code, loaded once and checked at load time.

Every file is read through :func:`load_reviewed`, which keeps PyYAML's node tree beside
the data, so a check that fails names the file and line (``path:line: message``) of the
value at fault.  A broken reviewed file is a bug in the package, not bad register data:
it raises :class:`ReviewedDataError` at first use rather than being reported and skipped.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DataflowGraphError

if TYPE_CHECKING:
    import yaml

__all__ = ["Reviewed", "ReviewedDataError", "compiled", "load_reviewed", "load_yaml", "package_file"]


def _loader() -> type[yaml.SafeLoader]:
    """libyaml's loader where PyYAML was built with it (about 15x faster), the pure-Python
    one otherwise; PyYAML is imported on first use (a command served from the load cache
    reads no YAML, and importing it is a twentieth of the start-up)."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


#: a key of a mapping, or the index of a sequence item, on the way down to a value
Key = str | int


class ReviewedDataError(DataflowGraphError):
    """A reviewed YAML file breaks one of its rules; the message starts with ``path:line:``."""


def load_yaml(text: str) -> Any:
    """Safe YAML loading, through libyaml when available (no arbitrary objects)."""
    import yaml

    return yaml.load(text, Loader=_loader())


def package_file(package: str, name: str) -> tuple[str, str]:
    """The path and text of a data file shipped in ``package``."""
    resource = importlib.resources.files(package) / name
    return str(resource), resource.read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A reviewed YAML file: where it is, its data, and the node tree that holds line numbers."""

    path: str
    data: Any
    node: yaml.Node | None

    @classmethod
    def from_text(cls, path: str, text: str) -> Reviewed:
        """Parse ``text`` (read from ``path``) into data and the node tree, in one pass."""
        import yaml

        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark is not None else 1
            raise ReviewedDataError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
        finally:
            loader.dispose()
        return cls(path, data, node)

    def line(self, keys: Sequence[Key]) -> int:
        """The 1-based line of the value reached by ``keys`` (or of the deepest one that exists)."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line

    def error(self, keys: Sequence[Key], message: str) -> ReviewedDataError:
        """A load-time error at the value reached by ``keys``."""
        return ReviewedDataError(f"{self.path}:{self.line(keys)}: {message}")

    def items(self, *keys: Key) -> Iterator[tuple[Key, Any]]:
        """(key, value) of the mapping or (index, item) of the sequence reached by ``keys``."""
        value = self.data
        for key in keys:
            value = value[key] if value is not None else None
        if isinstance(value, dict):
            yield from value.items()
        elif isinstance(value, list):
            yield from enumerate(value)


def _child(node: yaml.Node | None, key: Key) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        child: yaml.Node = node.value[key]
        return child
    return None


def load_reviewed(package: str, name: str) -> Reviewed:
    """Read a reviewed YAML file shipped in ``package``, keeping its node tree for line numbers.

    Raises
    ------
    ReviewedDataError
        If the file is not valid YAML (the message names the line).
    """
    return Reviewed.from_text(*package_file(package, name))


def compiled(reviewed: Reviewed, keys: Sequence[Key], pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, or a :class:`ReviewedDataError` at the line that holds it."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise reviewed.error(keys, f"pattern does not compile ({exc}): {pattern!r}") from exc
