"""Reports over several archives (a chain split by region): the monthly report
and the KPI score card.

Figures are not merged from the archives' reports: a share or a median of
two reports cannot be combined. The cases each archive's index gives for the
months are put together instead, and the report is computed once over all of
them, as if one archive held them: counts add up, shares, rates and medians
come from the merged cases, and every store has its section, ranked among
all. Each case keeps its own archive's deadlines (calendar and hours) and is
read, when a report needs its whole file, from its own archive. The report's
time zone is the archives' one; its organisation names every archive's
organisation, in the order the archives were given.

A store code must belong to one archive only (in its kesu.yaml or named by
its cases): two archives with the same store would add two stores' figures
into one line, so kesu refuses them. The KPI card scores every case by one
rule set: archives whose ``reports.kpi`` (weights, tiers, pass mark) differ
are refused too, since no sound arithmetic turns two rule sets into one.
"""

from __future__ import annotations

from kesu.config import CONFIG_NAME
from kesu.errors import UsageError
from kesu.i18n import _
from kesu.reports import CaseSet

#: Between the organisations of several archives, in a report's heading.
ORG_SEPARATOR = " / "


class MergedPolicy:
    """The first archive's policy, with the stores of every archive and the
    organisation of each."""

    def __init__(self, policies: list):
        self.first = policies[0]
        self.stores: dict = {}
        orgs: list[str] = []
        for policy in policies:
            stores = policy.get("stores")
            if isinstance(stores, dict):
                self.stores.update(stores)
            org = str(policy.get("org") or "").strip()
            if org and org not in orgs:
                orgs.append(org)
        self.org = ORG_SEPARATOR.join(orgs)

    def get(self, key, default=None):
        if key == "stores":
            return self.stores or default
        if key == "org":
            return self.org or default
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
        self._archives = [part.archive for part in parts]
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

    def load_case(self, case: dict) -> dict:
        return self._archives[case["_row"][0]].load_case(str(case.get("id")))

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
                return UsageError(_("store {store} is in both {first} and {second}; a report over several "
                                    "archives needs each store in one archive").format(
                    store=code, first=owner[code].root, second=archive.root))
            owner[code] = archive
    return None


def merged_cases(archives: list, store: str | None, months) -> MergedCases:
    """The cases of ``months`` in every archive (of ``store``, a code or a
    store's name, when given), merged."""
    from kesu.stores import resolve_store

    seen = {}
    for archive in archives:
        if seen.setdefault(archive.root.resolve(), archive) is not archive:
            raise UsageError(_("{archive} is given twice; each archive counts once in a report").format(
                archive=archive.root))
    zones = {}
    for archive in archives:
        zones.setdefault(str(archive.policy.tz), archive)
    if len(zones) > 1:
        (tz1, a1), (tz2, a2) = list(zones.items())[:2]
        raise UsageError(_("{first} keeps time zone {first_zone} and {second} keeps {second_zone} (timezone); "
                           "a report over several archives needs one").format(
            first=a1.root / CONFIG_NAME, first_zone=tz1, second=a2.root / CONFIG_NAME, second_zone=tz2))
    store = resolve_store(MergedPolicy([a.policy for a in archives]), store, named_in_cases=lambda: set().union(
        *(archive.case_index().stores() for archive in archives)))
    parts = [CaseSet(archive, store, months) for archive in archives]
    clash = store_clash(archives, parts)
    if clash:
        raise clash
    return MergedCases(parts, store)


def same_kpi_rules(archives: list) -> None:
    """Refuse archives that score the KPI card by different rules (kesu.yaml
    ``reports.kpi``, the defaults filled in), naming both files and the item."""
    from kesu.kpi import kpi_rules

    first = kpi_rules(archives[0].policy)
    for archive in archives[1:]:
        rules = kpi_rules(archive.policy)
        for key in first:
            if rules[key] != first[key]:
                raise UsageError(_("{first} and {second} score the KPI card differently (reports.kpi.{item}); "
                                   "a score card over several archives needs the same rules in each").format(
                    first=archives[0].root / CONFIG_NAME, second=archive.root / CONFIG_NAME, item=key))
