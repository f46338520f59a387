"""kesu find: earlier complaints by customer, product, order, store, time or words."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Optional

import typer

from kesu.commands.common import (ArchiveOpt, LimitOpt, NoPagerOpt, StoreOpt, TableFormat, WideOpt,
                                  labelled, name_left_out, open_archive, print_csv, print_json,
                                  print_table, store_of)
from kesu.i18n import N_, _

FIND_COLUMNS = ["id", "received", "state", "store", "category", "owner", "outcome", "summary"]
FIND_HEADERS = {"id": N_("id"), "received": N_("received"), "state": N_("state"), "store": N_("store"),
                "category": N_("category"), "owner": N_("owner"), "outcome": N_("outcome"),
                "summary": N_("summary")}
#: Codes shown by their labels, and what joins several in one cell ("resolved, satisfied").
FIND_LABELLED = {"state": "/", "category": "/", "outcome": ", "}
#: On a narrow terminal the summary is cut first, then these columns go, first named first:
#: the state (an open case's outcome is its state), the owner, category, store, received.
FIND_LAYOUT = {"cut": (7,), "drop": (2, 5, 4, 3, 1)}


def find(
    words: Annotated[Optional[list[str]], typer.Argument(metavar="[TEXT]...", help="Words the summary, facts, demands or findings contain (any part of a word, Chinese included).")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="The customer's phone (any spacing, +86, fullwidth digits) or e-mail.")] = None,
    member: Annotated[Optional[str], typer.Option("--member", help="Member / card number (any case or punctuation).")] = None,
    product: Annotated[Optional[str], typer.Option("--product", help="A product's barcode, or part of its name.")] = None,
    order: Annotated[Optional[str], typer.Option("--order", help="An order number.")] = None,
    store: StoreOpt = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", help="Received on or after, e.g. 2026-11-01.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", metavar="DATE", help="Received on or before (a date: the whole day).")] = None,
    limit: LimitOpt = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = TableFormat.table,
    wide: WideOpt = False,
    archive: ArchiveOpt = None,
    no_pager: NoPagerOpt = False,
) -> int:
    """Find complaints: by the customer's phone or member number, a product, an order,
    a store, when they were received, or words in what was said and found. Newest first.

    Example: kesu find --contact "+86 138-0013-8000"
    Example: kesu find 草莓 --since 2026-11-01
    """
    from kesu.errors import UsageError
    from kesu.index.lights import micros

    if not any((words, contact, member, product, order, store, since, until)):
        raise UsageError(_("say what to find: words, or --contact, --member, --product, --order, "
                           "--store, --since or --until"))
    arch = open_archive(archive)
    since_us = micros(arch.parse_time(since, "--since")) if since else None
    until_us = None
    if until:
        moment = arch.parse_time(until, "--until")
        # a date means the whole day; a time, up to and including that second
        until_us = micros(moment + (timedelta(days=1) if len(until.strip()) <= 10
                                    else timedelta(seconds=1)))
    rows = arch.case_index().find_rows(contact=contact, member=member, product=product, order=order,
                                       store=store_of(arch, store), since_us=since_us, until_us=until_us,
                                       words=words or (), limit=limit)
    if fmt is TableFormat.json:
        print_json(rows)
    elif fmt is TableFormat.csv:
        print_csv(FIND_COLUMNS, ([row[c] for c in FIND_COLUMNS] for row in rows))
    elif rows:
        from kesu.tables import Layout

        print_table([_(FIND_HEADERS[c]) for c in FIND_COLUMNS],
                    map(labelled(FIND_COLUMNS, FIND_LABELLED, arch.policy), rows),
                    Layout(**FIND_LAYOUT, wide=wide))
    else:
        print(_("No complaint found."))
    return name_left_out(arch)


COMMANDS = {"find": find}
