"""Could a writer thread hide SQLite's inserts behind the rules' Python? (issue 11)

Bulk filing on SQLite spends about a quarter of its time in the driver's ``executemany``
and ``COMMIT`` and the rest in Python. SQLite's C code runs without the GIL, so one could
hope to run a chunk's inserts on a second thread while the main thread evaluates the next
chunk's rules. This measures whether that can pay at all, before any design is built on it:

* ``write``: ``executemany`` of ``rows`` rows shaped like the outbox's (a key, a flag, a
  300-character body, an instant; a primary key and one index), committed, into a new
  SQLite file in WAL mode with ``synchronous = NORMAL`` (the store's settings);
* ``python``: a pure-Python loop of about the same duration (tuples, dicts, strings: what
  the rules do);
* ``together``: the write on a second thread while the main thread runs the loop, each
  side into a new file as above. The gain is ``write + python - together``: what
  overlapping would save; zero or less means the threads only took turns.

``sqlite3`` releases the GIL around each ``sqlite3_step`` but takes it back to bind the
next row's parameters, so the writer must win the GIL once per row from a thread that
only gives it up every switch interval (5 ms by default). The figures show the outcome.

Usage: ``python benchmarks/writer_thread.py [--rows 100000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def _rows(count: int) -> list[tuple[str, int, str, int]]:
    return [(f"k{i:012d}", 0, "x" * 300, 1_700_000_000_000_000 + i) for i in range(count)]


def _database(folder: str, tag: str) -> sqlite3.Connection:
    conn = sqlite3.connect(str(Path(folder) / f"{tag}.db"), check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE outbox (key TEXT PRIMARY KEY, delivered INTEGER, body TEXT, at INTEGER)")
    conn.execute("CREATE INDEX ix_outbox_pending ON outbox (delivered, at)")
    conn.commit()
    return conn


def _write(conn: sqlite3.Connection, rows: list[tuple[str, int, str, int]]) -> None:
    for i in range(0, len(rows), 5_000):
        conn.executemany("INSERT INTO outbox VALUES (?, ?, ?, ?)", rows[i : i + 5_000])
    conn.commit()


def _python(rounds: int) -> int:
    """Allocation-heavy pure Python, like rule evaluation: tuples, a dict, string formatting."""
    total = 0
    for i in range(rounds):
        key, pair = f"plan:{i}", (i, i + 1)
        entry = {"id": i, "key": key, "pair": pair}
        total += len(key) + pair[1] % 7 + len(entry)
    return total


def measure(rows: int, runs: int) -> dict[str, float]:
    """Median seconds of each side alone and of both together, over ``runs`` runs."""
    data = _rows(rows)
    # Size the loop to last about as long as the write (the most overlapping can hide).
    with tempfile.TemporaryDirectory() as folder:
        conn = _database(folder, "probe")
        start = time.perf_counter()
        _write(conn, data)
        probe = time.perf_counter() - start
        conn.close()
    start = time.perf_counter()
    _python(200_000)
    rounds = max(1, int(200_000 * probe / (time.perf_counter() - start)))
    write, python, together = [], [], []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            conn = _database(folder, f"alone{run}")
            start = time.perf_counter()
            _write(conn, data)
            write.append(time.perf_counter() - start)
            conn.close()
            start = time.perf_counter()
            _python(rounds)
            python.append(time.perf_counter() - start)
            conn = _database(folder, f"both{run}")
            writer = threading.Thread(target=_write, args=(conn, data))
            start = time.perf_counter()
            writer.start()
            _python(rounds)
            writer.join()
            together.append(time.perf_counter() - start)
            conn.close()
    return {
        "write": statistics.median(write),
        "python": statistics.median(python),
        "together": statistics.median(together),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    f = measure(args.rows, args.runs)
    serial = f["write"] + f["python"]
    print(
        f"SQLite, {args.rows:,} rows (medians of {args.runs}, Python {sys.version.split()[0]}):"
        f" executemany + commit alone {f['write']:.2f} s; Python alone {f['python']:.2f} s;"
        f" one after the other {serial:.2f} s; the write on a thread beside the Python"
        f" {f['together']:.2f} s; overlap saved {serial - f['together']:+.2f} s"
        f" ({(serial - f['together']) / serial:+.0%})",
        flush=True,
    )


if __name__ == "__main__":
    main()
