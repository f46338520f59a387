"""kesu export: the case index's rows for BI tools (DuckDB, Superset, a spreadsheet)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kesu.i18n import _
from kesu.commands.common import ArchiveOpt, name_left_out, open_archive, print_csv


class ExportFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"


def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv, or parquet (needs pyarrow).")] = ExportFormat.csv,
    output: Annotated[Optional[Path], typer.Option("--output", metavar="FILE", help="Write to FILE (parquet needs one; csv default: the screen).")] = None,
    archive: ArchiveOpt = None,
) -> int:
    """Write one row per complaint (ID, state, store, channel, category, severity, risk,
    owner, outcome, when received, resolved, visited and closed, summary) for reporting
    tools. No customer names or contacts.

    Example: kesu export --format parquet --output cases.parquet
    """
    from kesu.errors import UsageError

    arch = open_archive(archive)
    index = arch.case_index()
    columns = list(index.EXPORT_COLUMNS)
    rows = list(index.export_rows())
    if fmt is ExportFormat.parquet:
        if output is None:
            raise UsageError(_("--format parquet needs --output FILE"))
        try:
            import pyarrow
            import pyarrow.parquet
        except ImportError:
            raise UsageError(_("--format parquet needs pyarrow: pip install 'kesu[parquet]'")) from None
        table = pyarrow.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
        pyarrow.parquet.write_table(table, str(output))
        print(_("wrote {path}").format(path=output))
    elif output is not None:
        import csv
        import io

        from kesu.archive import write_output
        from kesu.neutral import csv_cell

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
        write_output(output, buffer.getvalue())
        print(_("wrote {path}").format(path=output))
    else:
        print_csv(columns, rows)
    return name_left_out(arch)


COMMANDS = {"export": export}
