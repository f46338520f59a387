"""One monthly report over several archives (a chain split by region).

Figures are not merged from the archives' reports: a share or a median of
two reports cannot be combined. The cases each archive's index gives for the
months are put together instead, and the report is computed once over all of
them, as if one archive held them: counts add up, shares, rates and medians
come from the merged cases, and every store has its section, ranked among
all. Each case keeps its own archive's deadlines (calendar and hours); the
report's name, time zone and organisation are the first archive's.

A store code must belong to one archive only (in its kesu.yaml or named by
its cases): two archives with the same store would add two stores' figures
into one line, so kesu refuses them.
"""

from __future__ import annotations

from kesu.errors import UsageError
from kesu.reports import CaseSet


class MergedPolicy:
    """The first archive's policy, with the stores of every archive."""

    def __init__(self, policies: list):
        self.first = policies[0]
        self.stores: dict = {}
        for policy in policies:
            stores = policy.get("stores")
            if isinstance(stores, dict):
                self.stores.update(stores)

    def get(self, key, default=None):
        if key == "stores":
            return self.stores or default
        return self.first.get(key, default)

    def __getattr__(self, name):
        return getattr(self.first, name)


class MergedCases(CaseSet):
    """A ``CaseSet`` over several archives' cases, in path order as one archive keeps them."""

    def __init__(self, parts: list[CaseSet], store: str | None = None):
        first = parts[0]
        self.archive, self.tz, self.store, self.index = first.archive, first.tz, store, first.index
        self.policy = MergedPolicy([part.policy for part in parts])
        self._policies = [part.policy for part in parts]
        self.timers, ordered = {}, []
        for i, part in enumerate(parts):
            paths = _paths(part)
            for case in part.cases:
                row = case["_row"]
                if row in part.timers:
                    self.timers[(i, row)] = part.timers[row]
                case["_row"] = (i, row)
                ordered.append((paths.get(row, ""), i, case))
        ordered.sort(key=lambda item: item[:2])
        self.cases = [case for _, _, case in ordered]

    def deadlines(self, case: dict):
        from kesu.stores import deadlines_for

        return deadlines_for(self._policies[case["_row"][0]], case)

    def of_store(self, store: str | None) -> "MergedCases":
        part = object.__new__(MergedCases)
        part.__dict__.update(self.__dict__)
        part.store = store
        part.cases = [c for c in self.cases if c.get("store") == store]
        return part


def _paths(part: CaseSet) -> dict[int, str]:
    rows = [case["_row"] for case in part.cases]
    paths = {}
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        paths.update(part.index.conn.execute(
            f"SELECT n, path FROM cases WHERE n IN ({', '.join('?' * len(chunk))})", chunk))
    return paths


def store_clash(archives: list, parts: list[CaseSet]) -> UsageError | None:
    """The first store code two archives both hold, as the error that refuses them."""
    from kesu.stores import configured

    owner: dict[str, object] = {}
    for archive, part in zip(archives, parts):
        codes = set(configured(archive.policy)) | {c.get("store") for c in part.cases} - {None}
        for code in sorted(codes):
            if code in owner and owner[code] is not archive:
                return UsageError(f"store {code} is in both {owner[code].root} and {archive.root}; "
                                  "a report over several archives needs each store in one archive")
            owner[code] = archive
    return None


def merged_cases(archives: list, store: str | None, months) -> MergedCases:
    """The cases of ``months`` in every archive (of ``store`` when given), merged."""
    if len({str(archive.policy.tz) for archive in archives}) > 1:
        raise UsageError("the archives keep different time zones (timezone in kesu.yaml); "
                         "a report over several archives needs one")
    parts = [CaseSet(archive, store, months) for archive in archives]
    clash = store_clash(archives, parts)
    if clash:
        raise clash
    return MergedCases(parts, store)
