"""The record store: every indexed file and node, in one SQLite file beside the search engine's files.

Why the records live here and not in the engine's stored fields:

* **The engine stays lean.** Whoosh compressing and writing a JSON blob per
  record cost more than indexing its words; now an engine stores one key
  per record and only indexes what is searched or filtered.
* **Both engines show the same thing.** ``eula show``, ``eula export``,
  ``ClauseIndex.document()`` and the registry of files read this store, so
  the tantivy engine needs nothing but ranking and filtering.

A file is written in two steps, engine first, then here; a record counts
only once its file is in :meth:`RecordStore.files`. Keys an engine holds but
this store does not list (a writer killed between the steps, a replaced
file) are masked from searches and deleted by the next writer
(:meth:`RecordStore.stray_keys`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

#: Name of the store inside an index directory (SQLite adds ``-wal``/``-shm`` beside it).
STORE_NAME = "eula-records.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    key TEXT PRIMARY KEY, docver TEXT NOT NULL, document TEXT NOT NULL, version TEXT NOT NULL,
    title TEXT, sha256 TEXT, source TEXT, pages INTEGER, indexed_at REAL, date TEXT, nodes INTEGER,
    clauses INTEGER, vendor TEXT, identity TEXT, parser TEXT
);
CREATE INDEX IF NOT EXISTS files_docver ON files(docver);
CREATE TABLE IF NOT EXISTS nodes (
    uid TEXT PRIMARY KEY, file TEXT NOT NULL, ord INTEGER, id TEXT, kind TEXT, parent TEXT,
    product TEXT, product_id TEXT, grp TEXT, group_id TEXT, number TEXT, heading TEXT, text TEXT,
    refs TEXT, data TEXT
);
CREATE INDEX IF NOT EXISTS nodes_file_id ON nodes(file, id);
CREATE INDEX IF NOT EXISTS nodes_file_parent ON nodes(file, parent);
CREATE INDEX IF NOT EXISTS nodes_id ON nodes(id);
CREATE TABLE IF NOT EXISTS stray (key TEXT PRIMARY KEY);
"""

#: Node columns, in table order (filled from a record by :func:`_row`).
_NODE_COLUMNS = ("uid", "file", "ord", "id", "kind", "parent", "product", "product_id", "grp", "group_id",
                 "number", "heading", "text", "refs", "data")


_SELECT = "SELECT n.*, f.document, f.version, f.title FROM nodes n JOIN files f ON f.key = n.file"
#: What a search hit shows: no ``data`` (entities, items, pages as JSON), the bulk of a row.
_SELECT_SHOWN = ("SELECT n.uid, n.id, n.kind, n.product, n.product_id, n.grp, n.group_id, n.number, n.heading, "
                 "n.text, n.ord, n.refs, f.document, f.version, f.title FROM nodes n JOIN files f ON f.key = n.file")


def _node(row: Any) -> dict[str, Any]:
    """A node row (``sqlite3.Row`` or dict) as the record dict it was written from (``group``, ``order``)."""
    node = dict(row)
    node["group"] = node.pop("grp")
    node["order"] = node.pop("ord")
    node["refs"] = (node["refs"] or "").split()
    return node


class RecordStore:
    """One SQLite connection to an index's store; safe for one thread, many processes."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(str(path), timeout=120.0, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # a batch's transaction grows the write-ahead log to its size; cut it back after each checkpoint
        self.db.execute("PRAGMA journal_size_limit=4194304")

    @classmethod
    def create(cls, path: Path) -> "RecordStore":
        store = cls(path)
        store.db.executescript(_SCHEMA)
        return store

    def check(self) -> None:
        """Read every table once, so a damaged file fails when the index opens, not mid-search."""
        for table in ("files", "nodes", "stray"):
            self.db.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()  # noqa: S608 - fixed names

    def close(self) -> None:
        self.db.close()

    # -- reading --------------------------------------------------------------

    def files(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM files")]

    def stray_keys(self) -> set[str]:
        """Keys of files an engine may hold that are not (or no longer) in the store."""
        return {r[0] for r in self.db.execute("SELECT key FROM stray")}

    def nodes(self, uids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """uid -> node (no ``data``) for the uids still in the store (a hit's file may have been replaced since)."""
        if not uids:
            return {}
        marks = ",".join("?" * len(uids))
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: sqlite3.Row costs more than the query here
        rows = cursor.execute(f"{_SELECT_SHOWN} WHERE n.uid IN ({marks})", list(uids)).fetchall()
        names = [d[0] for d in cursor.description]
        return {row[0]: _node(dict(zip(names, row))) for row in rows}

    def find(self, files: Iterable[str], **where: Any) -> list[dict[str, Any]]:
        """Nodes of the given files with every column equal to the value given, in reading order."""
        files = list(files)
        if not files:
            return []
        sql = f"{_SELECT} WHERE n.file IN ({','.join('?' * len(files))})"
        args: list[Any] = list(files)
        for column, value in where.items():
            assert column in _NODE_COLUMNS
            sql += f" AND n.{column} = ?"
            args.append(value)
        return [_node(r) for r in self.db.execute(sql + " ORDER BY n.file, n.ord", args)]

    def referencing(self, file: str, node_id: str) -> list[dict[str, Any]]:
        """Nodes of ``file`` whose cross-references name ``node_id``."""
        rows = self.db.execute(f"{_SELECT} WHERE n.file = ? AND n.refs LIKE ? ORDER BY n.ord",
                               (file, f"%{node_id}%"))
        return [node for node in map(_node, rows) if node_id in node["refs"]]

    def distinct(self, column: str, files: Optional[Iterable[str]] = None) -> list[str]:
        """Every value of a node column (``id``, ``product_id``, ``group_id``), optionally in some files."""
        assert column in _NODE_COLUMNS
        if files is None:
            rows = self.db.execute(f"SELECT DISTINCT {column} FROM nodes WHERE {column} IS NOT NULL")
        else:
            files = list(files)
            rows = self.db.execute(f"SELECT DISTINCT {column} FROM nodes WHERE {column} IS NOT NULL AND file IN "
                                   f"({','.join('?' * len(files))})", files)
        return sorted(r[0] for r in rows)

    def iter_nodes(self, files: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Every node of ``files``, file by file in the order given, each in reading order."""
        for key in files:
            yield from map(_node, self.db.execute(f"{_SELECT} WHERE n.file = ? ORDER BY n.ord", (key,)))

    # -- writing --------------------------------------------------------------

    def mark_stray(self, keys: Iterable[str]) -> None:
        """Record keys an engine is about to hold before the store lists them (committed at once)."""
        self.db.executemany("INSERT OR IGNORE INTO stray(key) VALUES (?)", [(k,) for k in keys])

    def clear_stray(self, keys: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM stray WHERE key = ?", [(k,) for k in keys])

    def commit_files(self, files: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]],
                     drop: Sequence[str]) -> None:
        """In one transaction: add ``files`` (file row, node records), drop the files keyed ``drop``.

        Added keys stop being stray; dropped keys become stray until the
        engine has deleted their records.
        """
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for key in drop:
                db.execute("DELETE FROM nodes WHERE file = ?", (key,))
                db.execute("DELETE FROM files WHERE key = ?", (key,))
                db.execute("INSERT OR IGNORE INTO stray(key) VALUES (?)", (key,))
            for info, records in files:
                db.execute(f"INSERT OR REPLACE INTO files({','.join(info)}) VALUES ({','.join('?' * len(info))})",
                           list(info.values()))
                db.executemany(
                    f"INSERT OR REPLACE INTO nodes VALUES ({','.join('?' * len(_NODE_COLUMNS))})",
                    [_row(r) for r in records])
                db.execute("DELETE FROM stray WHERE key = ?", (info["key"],))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _row(record: dict[str, Any]) -> tuple:
    """A record as a node row, in :data:`_NODE_COLUMNS` order (``text`` is what is shown, ``stored_text``)."""
    get = record.get
    refs = get("refs")
    return (record["uid"], record["file"], get("order"), get("id"), get("kind"), get("parent"), get("product"),
            get("product_id"), get("group"), get("group_id"), get("number"), get("heading"), get("stored_text"),
            " ".join(refs) if refs else None, get("data"))
