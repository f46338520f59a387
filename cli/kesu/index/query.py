"""What the whole-archive commands ask of the case index, in SQL.

Filters, ordering and limits run in SQLite; Python touches only the rows a
command prints. A running timer's light is read from its stored instants
(``lights``); what is left of it, shown by ``kesu overdue``, is measured by
``Deadlines`` itself for the rows shown.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from kesu.errors import UsageError
from kesu.index.lights import light_at, micros
from kesu.index.record import LIST_FIELDS, LIST_ROW, decode
from kesu.lifecycle import CLOSED
from kesu.values import local_minute

RANK = {"red": 0, "yellow": 1, "green": 2}
#: Above this many rows, read every running timer once rather than by case.
_BY_CASE_UP_TO = 500


class CaseIndex:
    def __init__(self, conn, archive):
        self.conn = conn
        self.archive = archive
        self.tz = archive.policy.tz

    # ------------------------------------------------------------ unreadable
    def unreadable(self) -> list[UsageError]:
        """The case files that cannot be read, in path order, as the errors they raise."""
        return [UsageError(message, path, line) for path, message, line in self.conn.execute(
            "SELECT path, error, error_line FROM cases WHERE error IS NOT NULL ORDER BY path")]

    def stores(self) -> set[str]:
        """The stores the readable cases name."""
        return {store for (store,) in self.conn.execute(
            "SELECT DISTINCT store FROM cases WHERE store IS NOT NULL AND error IS NULL")}

    # ------------------------------------------------------------ kesu list
    def list_rows(self, now: datetime, **filters) -> list[dict]:
        """The rows of ``kesu list`` (see ``list_columns``), one dict per case."""
        columns = self.list_columns(now, **filters)
        return [dict(zip(LIST_ROW, values)) for values in zip(*(columns[name] for name in LIST_ROW))]

    def list_columns(self, now: datetime, states=None, owner=None, category=None, open_only=False,
                     overdue_only=False, limit: int | None = None, store=None) -> dict[str, list]:
        """The ``kesu list`` of the cases matching the filters, newest first, a list
        per column (``LIST_ROW``): a long list is laid out a column at a time."""
        where, args = ["error IS NULL"], []
        if states:
            where.append(f"state IN ({', '.join('?' * len(states))})")
            args += list(states)
        if open_only:
            where.append("state IS NOT ?")
            args.append(CLOSED)
        for column, value in (("owner", owner), ("category", category), ("store", store)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if overdue_only:
            where.append("state IS NOT ? AND timers_ok = 1 AND n IN "
                         "(SELECT n FROM timers WHERE running = 1 AND yellow_us <= ?)")
            args += [CLOSED, micros(now)]
        sql = (f"SELECT n, timers_ok, marked, {', '.join(LIST_FIELDS)} FROM cases "
               f"WHERE {' AND '.join(where)} ORDER BY received DESC, path")
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        found = self.conn.execute(sql, args).fetchall()
        open_cases = [r[0] for r in found if r[1] == 1 and r[4] != CLOSED]
        worst = self._worst_timers(open_cases, now)
        if any(r[2] for r in found):
            found = [(*r[:3], *map(decode, r[3:])) if r[2] else r for r in found]
        ns, _oks, _marks, *values = zip(*found) if found else [()] * (3 + len(LIST_FIELDS))
        columns = {name: list(column) for name, column in zip(LIST_FIELDS, values)}
        nothing = (None, None)
        chosen = [worst.get(n, nothing) for n in ns] if worst else [nothing] * len(ns)
        columns["light"] = [light for light, _ in chosen]
        columns["due"] = [due for _, due in chosen]
        return columns

    def _running(self, cases: list[int]):
        columns = "n, seq, deadline, deadline_us, yellow_us"
        if len(cases) <= _BY_CASE_UP_TO:
            for start in range(0, len(cases), 250):
                chunk = cases[start:start + 250]
                yield from self.conn.execute(
                    f"SELECT {columns} FROM timers WHERE running = 1 AND n IN "
                    f"({', '.join('?' * len(chunk))})", chunk)
        else:
            wanted = set(cases)
            yield from (row for row in self.conn.execute(
                f"SELECT {columns} FROM timers WHERE running = 1") if row[0] in wanted)

    def _worst_timers(self, cases: list[int], now: datetime) -> dict[int, tuple[str, str]]:
        """Each case's worst running timer at ``now``: its light and local due time."""
        now_us = micros(now)
        best: dict[int, tuple] = {}
        for n, seq, deadline, deadline_us, yellow_us in self._running(cases):
            light = light_at(now_us, deadline_us, yellow_us)
            key = (RANK[light], deadline_us, seq)
            if n not in best or key < best[n][0]:
                best[n] = (key, light, deadline)
        return {n: (light, local_minute(datetime.fromisoformat(deadline), self.tz))
                for n, (_, light, deadline) in best.items()}

    # ------------------------------------------------------------ kesu overdue
    def overdue_rows(self, now: datetime, threshold: str = "yellow", store=None,
                     owner=None) -> list[dict]:
        """Running timers at or above ``threshold``, as ``views.overdue_rows`` lists
        them; only the cases of ``store`` and ``owner`` when given. What is left of
        each is measured on its store's clock."""
        from kesu.deadlines import TimerStatus
        from kesu.stores import deadlines_for

        now_us = micros(now)
        instant = "yellow_us" if threshold == "yellow" else "deadline_us"
        # No test of the state: closing stops every stage timer, so a closed case's
        # running timers are its corrective actions still to do (kesu.obligations).
        where, args = [f"t.running = 1 AND t.{instant} <= ? AND c.error IS NULL "
                       "AND c.timers_ok = 1"], [now_us]
        for column, value in (("store", store), ("owner", owner)):
            if value:
                where.append(f"c.{column} = ?")
                args.append(value)
        found = []
        for (path, case_id, state, case_owner, summary, case_store, name, clock, limit, started,
             deadline, extended) in self.conn.execute(
                f"SELECT c.path, c.id, c.state, c.owner, c.summary, c.store, t.name, t.clock, "
                f"t.limit_text, t.started, t.deadline, t.extended FROM timers t JOIN cases c "
                f"ON c.n = t.n WHERE {' AND '.join(where)}", args):
            timer = TimerStatus(name, datetime.fromisoformat(started), limit, clock,
                                datetime.fromisoformat(deadline), None, None, True, None, None,
                                None, json.loads(extended))
            deadlines_for(self.archive.policy, {"store": decode(case_store)})._light(timer, now)
            if RANK[timer.light] <= RANK[threshold]:
                found.append((timer, path, decode(case_id), decode(state), decode(case_owner),
                              decode(summary)))
        found.sort(key=lambda item: (item[0].deadline, str(item[2]), item[0].name))
        return [{
            "id": case_id, "path": path, "state": state, "owner": owner, "timer": timer.name,
            "light": timer.light, "deadline": timer.deadline.isoformat(),
            "due": local_minute(timer.deadline, self.tz), "clock": timer.clock,
            "left_minutes": round(timer.left_minutes, 1), "left": timer.left_text,
            "extensions": timer.extended, "summary": summary,
        } for timer, path, case_id, state, owner, summary in found]

    # ------------------------------------------------------------ reports
    def report_cases(self, windows: list[tuple[datetime, datetime]], store=None
                     ) -> tuple[list[dict], dict[int, list[tuple]]]:
        """The report fields of every countable case (a readable time of receipt;
        of ``store``) received, resolved, visited or with a counted step in one of
        ``windows``, in path order; and their timers as (met, running, deadline)."""
        touching, args = [], []
        for start, end in windows:
            bounds = [micros(start), micros(end)]
            touching += ["received_us >= ? AND received_us < ?", "resolved_us >= ? AND resolved_us < ?",
                         "visit_us >= ? AND visit_us < ?",
                         "n IN (SELECT n FROM events WHERE at_us >= ? AND at_us < ?)"]
            args += bounds * 4
        if not touching:
            return [], {}
        where = "error IS NULL AND received_us IS NOT NULL"
        if store is not None:
            where += " AND store = ?"
            args.insert(0, store)
        cases, rows = [], {}
        for n, facts, timers_ok in self.conn.execute(
                f"SELECT n, facts, timers_ok FROM cases WHERE {where} AND "
                f"({' OR '.join(f'({t})' for t in touching)}) ORDER BY path", args):
            case = json.loads(zlib.decompress(facts))
            case["_row"] = n
            cases.append(case)
            if timers_ok:
                rows[n] = []
        wanted = list(rows)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for n, met, running, deadline_us in self.conn.execute(
                    f"SELECT n, met, running, deadline_us FROM timers WHERE n IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY n, seq", chunk):
                rows[n].append((met, running, deadline_us))
        return cases, rows

    def lights_now(self, now: datetime, store=None) -> dict[str, int]:
        """How many open countable cases (of ``store``) show each light at ``now``."""
        where, args = ["error IS NULL", "received_us IS NOT NULL", "state IS NOT ?",
                       "timers_ok = 1"], [CLOSED]
        if store is not None:
            where.append("store = ?")
            args.append(store)
        cases = [n for (n,) in self.conn.execute(
            f"SELECT n FROM cases WHERE {' AND '.join(where)}", args)]
        worst = self._worst_timers(cases, now)
        counts = {"green": 0, "yellow": 0, "red": 0, "none": 0}
        for n in cases:
            counts[worst[n][0] if n in worst else "none"] += 1
        return counts

    # ------------------------------------------------------------ kesu find
    def find_rows(self, contact=None, member=None, product=None, order=None, store=None,
                  since_us: int | None = None, until_us: int | None = None, words=(),
                  limit: int | None = None) -> list[dict]:
        """Cases matching every criterion given, newest first (see ``keys`` for how
        contacts, member numbers and references are compared)."""
        from kesu.index import keys

        where, args = ["error IS NULL"], []
        if contact:
            where.append("n IN (SELECT n FROM keys WHERE kind = 'contact' AND value = ?)")
            args.append(keys.contact_key(contact))
        if member:
            where.append("n IN (SELECT n FROM keys WHERE kind = 'member' AND value = ?)")
            args.append(keys.member_key(member))
        if product:
            where.append("n IN (SELECT n FROM keys WHERE kind = 'product' "
                         "AND (value = ? OR instr(value, ?) > 0))")
            args += [keys.ref_key(product), keys.text_key(product)]
        if order:
            where.append("n IN (SELECT n FROM keys WHERE kind = 'order' AND value = ?)")
            args.append(keys.ref_key(order))
        if store:
            where.append("store = ?")
            args.append(store)
        if since_us is not None:
            where.append("received_us >= ?")
            args.append(since_us)
        if until_us is not None:
            where.append("received_us < ?")
            args.append(until_us)
        for word in words:
            word = keys.text_key(word)
            if len(word) >= 3:  # the trigram index finds it; shorter: every text is read
                where.append("n IN (SELECT rowid FROM texts WHERE texts MATCH ?)")
                args.append('"' + word.replace('"', '""') + '"')
            else:
                where.append("n IN (SELECT rowid FROM texts WHERE instr(body, ?) > 0)")
                args.append(word)
        sql = (f"SELECT path, id, received, state, store, channel, category, owner, outcome, summary "
               f"FROM cases WHERE {' AND '.join(where)} ORDER BY received DESC, path")
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        names = ("path", "id", "received", "state", "store", "channel", "category", "owner",
                 "outcome", "summary")
        return [dict(zip(names, map(decode, row))) for row in self.conn.execute(sql, args)]

    def earlier_complaints(self, contact=None, member=None) -> list[dict]:
        """Cases of the same contact or member number, newest first."""
        found = {}
        for given in ({"contact": contact}, {"member": member}):
            if any(given.values()):
                found.update((row["path"], row) for row in self.find_rows(**given))
        return sorted(found.values(), key=lambda r: (str(r["received"] or ""), r["path"]),
                      reverse=True)

    # ------------------------------------------------------------ kesu export
    EXPORT_COLUMNS = ("id", "path", "state", "received_at", "store", "channel", "category",
                      "subcategory", "severity", "risk", "owner", "outcome", "resolved_at",
                      "visited_at", "closed_at", "summary")

    def export_rows(self):
        """One row per readable case, oldest first, for BI tools: no customer data."""
        def when(us):
            return None if us is None else datetime.fromtimestamp(us / 1_000_000, self.tz).isoformat()

        for row in self.conn.execute(
                "SELECT id, path, state, received_us, store, channel, category, subcategory, severity, "
                "risk, owner, outcome, resolved_us, visit_us, closed_us, summary FROM cases "
                "WHERE error IS NULL ORDER BY received_us, path"):
            values = [decode(v) for v in row]
            for i in (3, 12, 13, 14):
                values[i] = when(values[i])
            yield [v if v is None or isinstance(v, (str, int, float)) else json.dumps(v, ensure_ascii=False)
                   for v in values]
