"""Distinct, safe names for files and sheets made from ids that anyone may write."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def unique_names(
    ids: Iterable[str], clean: Callable[[str], str], reserved: Iterable[str] = ()
) -> dict[str, str]:
    """A name for each id: `clean(id)`, with "-2", "-3", ... added where it would repeat an
    earlier name or a reserved one (compared without case, as Excel and some file systems
    do)."""
    taken = {name.casefold() for name in reserved}
    names: dict[str, str] = {}
    for identifier in ids:
        base = clean(identifier) or "_"
        name, number = base, 1
        while name.casefold() in taken:
            number += 1
            name = f"{base}-{number}"
        taken.add(name.casefold())
        names[identifier] = name
    return names
