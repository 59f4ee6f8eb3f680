"""A store keeps every byte in its own file.

HDF5 lets a dataset keep its bytes elsewhere (external storage, virtual datasets) and a
group link into another file, and h5py follows them when data is read: a hostile store
could make the program read, and show as numbers, any file on the machine. No store the
program writes uses them, so a file that does is refused before any data is read.
"""

from __future__ import annotations

from pathlib import Path

import h5py

from explorer.store.errors import StoreError


def refuse_foreign_storage(f: h5py.File, path: str | Path) -> None:
    """Raise StoreError naming the first object of `f` that reaches outside the file."""
    problem = _first_foreign(f, "")
    if problem:
        raise StoreError(f"{path}: refused: {problem} (a store keeps all its data in its own "
                         "file); nothing was read from elsewhere")


def _first_foreign(group: h5py.Group, prefix: str) -> str:
    for name in group:
        where = f"{prefix}/{name}"
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            return f"{where} links to another file"
        if isinstance(link, h5py.SoftLink):  # we never write links; they could cycle
            return f"{where} is a link"
        item = group[name]
        if isinstance(item, h5py.Group):
            found = _first_foreign(item, where)
            if found:
                return found
        elif isinstance(item, h5py.Dataset):
            if item.external:
                return f"{where} keeps its data in another file"
            if item.is_virtual:
                return f"{where} is a virtual dataset (its data lives in other files)"
    return ""
