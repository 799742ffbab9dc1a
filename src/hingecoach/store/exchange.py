"""Export everything to JSON or CSV, and import it back exactly.

JSON: one file ``{"format", "version", "migrations", "tables": {name: {"columns", "rows"}}}``.
CSV: a ``.zip`` (or a directory) with one ``<table>.csv`` per table and ``manifest.json``.
In CSV, an empty numeric cell is NULL and a text NULL is written ``\\N`` (a text starting with a
backslash gets one more), so text, NULL and numbers all round-trip exactly; floats are written
with ``repr`` which Python reads back to the same bits.

Import checks the whole file before touching the store and then writes in one transaction:
bad input, or a crash half-way, leaves the store as it was.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from hingecoach import atomic
from hingecoach.errors import HingeInputError
from hingecoach.store.db import Database, Tx
from hingecoach.store.migrations import MIGRATIONS
from hingecoach.store.schema import TABLES, column_names

FORMAT = "hingecoach-export"
VERSION = 1
_NULL = "\\N"


def dump(db: Database) -> dict[str, Any]:
    """Every row of every table, read in one snapshot, ordered by id."""
    with db.read() as tx:
        migrations = [r[0] for r in tx.rows("SELECT name FROM schema_migrations ORDER BY name")]
        tables = {t: {"columns": column_names(t),
                      "rows": [list(r) for r in tx.rows(f"SELECT {', '.join(column_names(t))} FROM {t} ORDER BY id")]}
                  for t in TABLES}
    return {"format": FORMAT, "version": VERSION, "migrations": migrations, "tables": tables}


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return _NULL if kind == "text" else ""
    if kind == "float":
        return repr(float(value))
    if kind == "text" and str(value).startswith("\\"):
        return "\\" + str(value)
    return str(value)


def _from_csv_cell(cell: str, kind: str, where: str) -> Any:
    if kind == "text":
        if cell == _NULL:
            return None
        return cell[1:] if cell.startswith("\\") else cell
    if cell == "":
        return None
    try:
        return int(cell) if kind == "int" else float(cell)
    except ValueError as exc:
        raise HingeInputError(f"Expected a number in {where}, but got {cell!r}.",
                              "Import a file written by `hinge export`.") from exc


def table_csv(table: str, rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(column_names(table))
    kinds = [k for _, k in TABLES[table]]
    for row in rows:
        writer.writerow([_csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return out.getvalue()


def _write_zip(path: Path, manifest: dict[str, Any], tables: dict[str, Any]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for t, body in tables.items():
            zf.writestr(f"{t}.csv", table_csv(t, body["rows"]))


def export(db: Database, out: Path) -> Path:
    """Write the whole store to ``out``: ``.json`` as JSON, ``.zip`` or a directory as CSV."""
    data = dump(db)
    out = Path(out)
    manifest = {k: v for k, v in data.items() if k != "tables"}
    if out.suffix.lower() == ".json":
        atomic.write_text(out, json.dumps(data, ensure_ascii=False))
    elif out.suffix.lower() == ".zip":
        atomic.write_atomic(out, lambda tmp: _write_zip(tmp, manifest, data["tables"]))
    else:
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").write_text(json.dumps(manifest))
        for t, body in data["tables"].items():
            (out / f"{t}.csv").write_text(table_csv(t, body["rows"]), newline="")
    return out


def _bad(problem: str) -> HingeInputError:
    return HingeInputError(problem, "Import a file written by `hinge export`; the store was not changed.")


def _read_csv_table(table: str, text: str) -> dict[str, Any]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != column_names(table):
        raise _bad(f"Expected {table}.csv columns {column_names(table)}, but got {header}.")
    kinds = [k for _, k in TABLES[table]]
    rows = []
    for n, cells in enumerate(reader, start=2):
        if len(cells) != len(kinds):
            raise _bad(f"Expected {len(kinds)} cells on line {n} of {table}.csv, but got {len(cells)}.")
        rows.append([_from_csv_cell(c, k, f"{table}.csv line {n}") for c, k in zip(cells, kinds, strict=True)])
    return {"columns": header, "rows": rows}


def _load_csv(files: dict[str, str]) -> dict[str, Any]:
    if "manifest.json" not in files:
        raise _bad("Expected a manifest.json in the CSV export, but found none.")
    data = json.loads(files["manifest.json"])
    missing = [t for t in TABLES if f"{t}.csv" not in files]
    if missing:
        raise _bad(f"Expected CSV files for every table, but {missing} are missing.")
    data["tables"] = {t: _read_csv_table(t, files[f"{t}.csv"]) for t in TABLES}
    return data


def load(path: Path) -> dict[str, Any]:
    """Read an export (JSON file, CSV zip or CSV directory) into the ``dump`` structure."""
    path = Path(path)
    try:
        if path.is_dir():
            return _load_csv({p.name: p.read_text() for p in path.iterdir() if p.is_file()})
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return _load_csv({n: zf.read(n).decode("utf-8") for n in zf.namelist()})
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise HingeInputError(f"{path} does not exist.", "Give the path of a `hinge export` file.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, zipfile.BadZipFile, csv.Error) as exc:
        raise _bad(f"{path} is not a HingeCoach export ({exc.__class__.__name__}: {exc}).") from exc


def _check_cell(value: Any, kind: str, where: str) -> None:
    ok = (value is None or (kind == "text" and isinstance(value, str))
          or (kind == "int" and isinstance(value, int) and not isinstance(value, bool))
          or (kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool)))
    if not ok:
        raise _bad(f"Expected a {kind} in {where}, but got {value!r}.")


#: Columns later migrations added, by table: an export from before them restores with them empty.
ADDED_COLUMNS = {"sets": ("exercise", "exercise_confidence", "ascent_speed_leg_per_s", "speed_loss_pct")}


def upgrade(data: Any) -> Any:
    """An export written before a later migration added columns, with those columns empty
    (NULL), so an old backup restores; anything else is returned as it is."""
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        return data
    tables = dict(data["tables"])
    for t, added in ADDED_COLUMNS.items():
        body = tables.get(t)
        if not isinstance(body, dict) or not isinstance(body.get("columns"), list):
            continue
        cols, want = body["columns"], column_names(t)
        if cols != want and set(cols) | set(added) == set(want) and not set(added) & set(cols):
            rows = [dict(zip(cols, row, strict=False)) if isinstance(row, list) else row
                    for row in body.get("rows") or []]
            tables[t] = {"columns": want, "rows": [[r.get(c) for c in want] if isinstance(r, dict) else r
                                                    for r in rows]}
    return {**data, "tables": tables}


def validate(data: Any) -> None:
    """Raise HingeInputError unless ``data`` is a complete export this version can restore."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad("Expected a HingeCoach export (format 'hingecoach-export'), but got something else.")
    if data.get("version") != VERSION:
        raise _bad(f"Expected export version {VERSION}, but got {data.get('version')!r}.")
    known = {m.name for m in MIGRATIONS}
    if not set(data.get("migrations") or []) <= known:
        raise _bad("The export comes from a newer HingeCoach; upgrade before importing.")
    tables = data.get("tables")
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        raise _bad(f"Expected tables {sorted(TABLES)}, but got {sorted(tables or {})}.")
    for t, body in tables.items():
        if not isinstance(body, dict) or body.get("columns") != column_names(t):
            raise _bad(f"Expected {t} columns {column_names(t)}, but got {body.get('columns') if isinstance(body, dict) else body!r}.")
        kinds = [k for _, k in TABLES[t]]
        for i, row in enumerate(body.get("rows") or []):
            if not isinstance(row, list) or len(row) != len(kinds):
                raise _bad(f"Expected {t} row {i} to have {len(kinds)} values, but got {row!r}.")
            for value, kind in zip(row, kinds, strict=True):
                _check_cell(value, kind, f"{t} row {i}")


def _row_count(tx: Tx) -> int:
    return sum(int(tx.scalar(f"SELECT COUNT(*) FROM {t}")) for t in TABLES)


def _reset_ids(tx: Tx, table: str) -> None:
    if tx.dialect == "postgresql":
        tx.run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) "
               f"FROM {table}")


def restore(db: Database, data: dict[str, Any], replace: bool = False) -> dict[str, int]:
    """Write an export into the store, keeping every id; return rows per table.

    An empty store is filled. A store with data is only overwritten with ``replace=True``; the
    delete and the inserts are one transaction, so a failure leaves the old data in place. An
    export from before a migration that added columns restores with them empty (:func:`upgrade`)."""
    data = upgrade(data)
    validate(data)
    with db.write() as tx:
        existing = _row_count(tx)
        if existing and not replace:
            raise HingeInputError(f"The store already holds {existing} rows; importing would mix two histories.",
                                  "Use --replace to overwrite it (make a `hinge backup` first), or import into "
                                  "an empty store via HINGECOACH_DB.")
        for t in reversed(list(TABLES)):
            tx.run(f"DELETE FROM {t}")
        for t in TABLES:
            cols = column_names(t)
            rows = data["tables"][t]["rows"]
            tx.run_many(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",
                        [dict(zip(cols, row, strict=True)) for row in rows])
            _reset_ids(tx, t)
    return {t: len(data["tables"][t]["rows"]) for t in TABLES}


def import_file(db: Database, path: Path, replace: bool = False) -> dict[str, int]:
    return restore(db, load(path), replace=replace)
