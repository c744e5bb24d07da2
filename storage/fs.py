"""The project's only way to delete: files inside a known folder, trees it marked."""

from __future__ import annotations

import shutil
from pathlib import Path

MARKER = ".prakerja-monitor"


class UnsafeDeleteError(Exception):
    """A delete outside what the project made; nothing was deleted."""


def mark_folder(folder: str | Path, made_by: str) -> Path:
    """Record that ``folder`` was made by the project (``made_by`` says which
    command), so that it may later clear it."""
    marker = Path(folder) / MARKER
    marker.write_text(
        f"made by prakerja-monitor {made_by}; it may delete what it wrote here\n",
        "utf-8",
    )
    return marker


def is_marked(folder: str | Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def _inside(path: Path, folder: str | Path) -> Path:
    """``path`` resolved, provided it lies strictly inside ``folder``."""
    root = Path(folder).resolve()
    # resolve the parent only: a symlink itself is removed, never its target
    resolved = path.parent.resolve() / path.name
    if resolved == root or root not in resolved.parents:
        raise UnsafeDeleteError(f"refusing to delete {path}: it is not inside {root}")
    return resolved


def remove_file(path: str | Path, within: str | Path) -> bool:
    """Delete one file (or symlink) lying inside ``within``; never a folder.
    Returns whether a file was removed."""
    resolved = _inside(Path(path), within)
    if resolved.is_dir() and not resolved.is_symlink():
        raise UnsafeDeleteError(f"refusing to delete {path}: it is a folder")
    try:
        resolved.unlink()
    except FileNotFoundError:
        return False
    return True


def remove_tree(path: str | Path, owner: str | Path) -> bool:
    """Delete the folder ``path`` and its content, only inside ``owner``, a
    folder the project marked as its own. Returns whether anything was removed."""
    if not is_marked(owner):
        raise UnsafeDeleteError(
            f"refusing to delete {path}: {owner} has no {MARKER} marker"
            " (the project did not make it)"
        )
    resolved = _inside(Path(path), owner)
    if resolved.is_symlink() or resolved.is_file():
        resolved.unlink()
        return True
    if not resolved.exists():
        return False
    shutil.rmtree(resolved)
    return True
