"""Small counts in reports that leave the hospital: primary and complementary suppression.

Policy. A count from 1 to `up_to` is suppressed (primary); a zero is shown. Then more cells are
suppressed (complementary) until no suppressed cell can be worked out from what is published,
through any combination of the relations between published figures (a total is the sum of its
parts: a row and its total, a year and its months, all lines and each line). The audit is
conservative: it treats every published cell, and every zero, as known, and calls a suppressed
cell safe only when the published figures leave it free to move while every suppressed cell
stays above zero. The choice is deterministic: the smallest count first, then the key's order,
so the same figures give the same pattern in every report made from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import gcd

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Relation:
    """`total` = the sum of `parts`."""

    total: Key
    parts: tuple[Key, ...]

    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def suppress(cells: Mapping[Key, int], relations: Sequence[Relation], up_to: int) -> frozenset[Key]:
    """The cells to suppress: every count from 1 to `up_to`, and enough others besides."""
    hidden = {key for key, value in cells.items() if 1 <= value <= up_to}
    touching: dict[Key, list[Relation]] = {}
    for relation in relations:
        for key in relation.members():
            touching.setdefault(key, []).append(relation)
    audited: dict[frozenset[Key], set[Key]] = {}
    while True:
        _no_lone_cell(cells, relations, hidden)
        found = determined(relations, hidden, audited)
        if not found:
            return frozenset(hidden)
        added = {_partner(cells, touching.get(key, []), hidden) for key in sorted(found)}
        added.discard(None)
        if not added:
            added = {_partner(cells, _frontier(relations, hidden), hidden)}
        hidden.update(key for key in added if key is not None)


def _no_lone_cell(
    cells: Mapping[Key, int], relations: Sequence[Relation], hidden: set[Key]
) -> None:
    """No relation with exactly one suppressed cell (the rest would give it away at once)."""
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if sum(key in hidden for key in relation.members()) == 1:
                partner = _partner(cells, [relation], hidden)
                if partner is not None:
                    hidden.add(partner)
                    changed = True


def _partner(
    cells: Mapping[Key, int], relations: Sequence[Relation], hidden: set[Key]
) -> Key | None:
    """The smallest count above zero, still shown, in any of the relations."""
    shown = {
        key
        for relation in relations
        for key in relation.members()
        if key not in hidden and cells.get(key, 0) > 0
    }
    return min(shown, key=lambda key: (cells[key], key), default=None)


def _frontier(relations: Sequence[Relation], hidden: set[Key]) -> list[Relation]:
    return [r for r in relations if any(key in hidden for key in r.members())]


def determined(
    relations: Sequence[Relation],
    hidden: set[Key] | frozenset[Key],
    known: dict[frozenset[Key], set[Key]] | None = None,
) -> set[Key]:
    """The suppressed cells that the relations pin to one value, every other cell being known.

    Exact: reduced row echelon form, in integers, of the relations restricted to the suppressed
    cells, one connected group of them at a time; a cell is pinned when its column is a pivot
    whose row has nothing else. `known`: answers for groups already audited (a cache).
    """
    known = {} if known is None else known
    found: set[Key] = set()
    for group in _groups(relations, hidden):
        cells = frozenset(key for r in group for key in r.members() if key in hidden)
        if cells not in known:
            known[cells] = _pinned(group, hidden)
        found |= known[cells]
    return found


def _groups(
    relations: Sequence[Relation], hidden: set[Key] | frozenset[Key]
) -> list[list[Relation]]:
    """The relations that touch suppressed cells, in groups that share none of them."""
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    touching = []
    for relation in relations:
        mine = [key for key in relation.members() if key in hidden]
        if mine:
            touching.append((relation, mine[0]))
            for key in mine[1:]:
                parent[root(key)] = root(mine[0])
    groups: dict[Key, list[Relation]] = {}
    for relation, first in touching:
        groups.setdefault(root(first), []).append(relation)
    return list(groups.values())


def _pinned(relations: list[Relation], hidden: set[Key] | frozenset[Key]) -> set[Key]:
    order = sorted({key for r in relations for key in r.members() if key in hidden})
    column = {key: n for n, key in enumerate(order)}
    pivots: dict[int, dict[int, int]] = {}
    for relation in relations:
        row: dict[int, int] = {}
        for key, sign in ((relation.total, 1), *((part, -1) for part in relation.parts)):
            if key in column:
                row[column[key]] = row.get(column[key], 0) + sign
        _add_row({n: v for n, v in row.items() if v}, pivots)
    return {order[n] for n, row in pivots.items() if len(row) == 1}


def _add_row(row: dict[int, int], pivots: dict[int, dict[int, int]]) -> None:
    """Reduce `row` by the pivots; a new pivot is then cleared from every other pivot row."""
    for n in [n for n in row if n in pivots]:
        row = _eliminate(row, pivots[n], n)
    if not row:
        return
    lead = min(row)
    for n, other in list(pivots.items()):
        if lead in other:
            pivots[n] = _eliminate(other, row, lead)
    pivots[lead] = row


def _eliminate(row: dict[int, int], pivot: dict[int, int], n: int) -> dict[int, int]:
    """`row` without column `n`, by a multiple of `pivot` (integers, divided by their gcd)."""
    a, b = row[n], pivot[n]
    merged = {k: v * b for k, v in row.items()}
    for k, v in pivot.items():
        merged[k] = merged.get(k, 0) - v * a
    found = {k: v for k, v in merged.items() if v}
    divisor = gcd(*found.values()) if found else 1
    return {k: v // divisor for k, v in found.items()}
