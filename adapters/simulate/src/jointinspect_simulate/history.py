"""A history of plans as columns, read from CSV (stdlib) or Parquet (pyarrow).

The schema (docs/simulator.md, "History schema"); one row per filed plan:

=============  ==========================================================================
column         meaning
=============  ==========================================================================
enterprise     enterprise code (text) or number (integer)
department     department code (text) or number (integer)
kind           an `InspectionKind` value: routine, random, special, complaint, ...
start, end     the filed window, UTC instants (Parquet timestamp; CSV ISO 8601 with offset)
filed_at       when the plan was filed (same form)
credit_class   optional, A/B/C/D (default B)
whitelisted    optional, explicit whitelist flag (default false; CSV: true/false/1/0)
=============  ==========================================================================

Rows keep the file's order: it is the order the plans were filed in. Times are kept as
whole seconds (a sub-second part is dropped). Parquet is read one column at a time and
each column turned into one numpy array before the next is read, so that the file's
buffers and the columns never all live at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from jointinspect.errors import ValidationError
from jointinspect.model.plan import InspectionKind
from jointinspect.model.reference import CreditClass

__all__ = ["CLASSES", "COLUMNS", "KINDS", "History", "read_csv", "read_history", "read_parquet"]

#: codes of the ``kind`` and ``credit_class`` columns.
KINDS: tuple[InspectionKind, ...] = tuple(InspectionKind)
CLASSES: tuple[CreditClass, ...] = tuple(CreditClass)
#: the columns a history must have; ``credit_class`` and ``whitelisted`` may be absent.
COLUMNS = ("enterprise", "department", "kind", "start", "end", "filed_at")
_OPTIONAL = ("credit_class", "whitelisted")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@attrs.frozen(eq=False)
class History:
    """Plans as parallel columns (position = filing order); times in seconds since the epoch."""

    enterprise: npt.NDArray[np.int64]
    department: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int8]
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    filed_at: npt.NDArray[np.int64]
    credit: npt.NDArray[np.int8]
    whitelisted: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        """Number of plans."""
        return int(self.enterprise.size)

    @property
    def nbytes(self) -> int:
        """Bytes the columns hold."""
        return sum(int(getattr(self, a.name).nbytes) for a in attrs.fields(History))


def _bad(row: int | str, field: str, value: object) -> ValidationError:
    return ValidationError(
        "input.invalid",
        reason=f"history {row}: column {field!r} cannot be read ({value!r})",
        reason_zh=f"历史记录 {row}:列 {field!r} 无法读取({value!r})",
    )


def _codes(values: Sequence[str], field: str) -> npt.NDArray[np.int64]:
    """Text codes as numbers (first seen, first numbered); integers stay as they are."""
    try:
        return np.array([int(v) for v in values], np.int64)
    except ValueError:
        seen: dict[str, int] = {}
        return np.array([seen.setdefault(v, len(seen)) for v in values], np.int64)


def _seconds(value: str, row: int, field: str) -> int:
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _bad(row, field, value) from None
    if at.tzinfo is None:
        raise _bad(row, field, value)
    return (at - _EPOCH) // dt.timedelta(seconds=1)


def _indexed(value: str, names: Sequence[str], row: int, field: str) -> int:
    try:
        return names.index(value)
    except ValueError:
        raise _bad(row, field, value) from None


def read_csv(path: str | Path) -> History:
    """Read a history from a CSV file with a header row (UTF-8)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing:
        raise _bad("header", missing[0], "missing")
    kinds, classes = [k.value for k in KINDS], [c.value for c in CLASSES]
    flags = {"": False, "0": False, "false": False, "1": True, "true": True}
    listed = []
    for i, r in enumerate(rows, 2):
        flag = (r.get("whitelisted") or "").strip().lower()
        if flag not in flags:
            raise _bad(i, "whitelisted", flag)
        listed.append(flags[flag])
    return History(
        enterprise=_codes([r["enterprise"] for r in rows], "enterprise"),
        department=_codes([r["department"] for r in rows], "department").astype(np.int32),
        kind=np.array([_indexed(r["kind"], kinds, i, "kind") for i, r in enumerate(rows, 2)], np.int8),
        start=np.array([_seconds(r["start"], i, "start") for i, r in enumerate(rows, 2)], np.int64),
        end=np.array([_seconds(r["end"], i, "end") for i, r in enumerate(rows, 2)], np.int64),
        filed_at=np.array([_seconds(r["filed_at"], i, "filed_at") for i, r in enumerate(rows, 2)], np.int64),
        credit=np.array(
            [_indexed(r.get("credit_class") or "B", classes, i, "credit_class") for i, r in enumerate(rows, 2)],
            np.int8,
        ),
        whitelisted=np.array(listed, np.bool_),
    )


def read_parquet(path: str | Path) -> History:
    """Read a history from a Parquet file, one column at a time (needs pyarrow)."""
    import pyarrow as pa  # noqa: PLC0415 - optional dependency (the simulate extra)
    import pyarrow.compute as pc  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    source = pq.ParquetFile(path)
    names = set(source.schema_arrow.names)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise _bad("schema", missing[0], "missing")

    def column(name: str) -> Any:
        return source.read(columns=[name]).column(0)

    def codes(name: str) -> npt.NDArray[np.int64]:
        col = column(name)
        if pa.types.is_integer(col.type):
            return np.asarray(col.to_numpy(), np.int64)
        col = col.cast(pa.string())
        out = pc.index_in(col, value_set=pc.unique(col)).to_numpy()
        return np.asarray(out, np.int64)

    def indexed(name: str, values: Sequence[str], default: str, dtype: type[np.int8]) -> npt.NDArray[np.int8]:
        if name not in names:
            return np.full(source.metadata.num_rows, values.index(default), dtype)
        col = column(name).cast(pa.string())
        idx = pc.index_in(col, value_set=pa.array(list(values)))
        if idx.null_count:
            first = pc.index(pc.is_null(idx), True).as_py()
            raise _bad(first, name, col[first].as_py())
        return np.asarray(idx.to_numpy(), dtype)

    def seconds(name: str) -> npt.NDArray[np.int64]:
        col = column(name)
        if pa.types.is_timestamp(col.type):
            if col.type.tz is None:
                raise _bad("schema", name, str(col.type))
            col = pc.cast(col, pa.timestamp("s", tz="UTC"), safe=False)
        elif not pa.types.is_integer(col.type):
            raise _bad("schema", name, str(col.type))
        return np.asarray(col.cast(pa.int64()).to_numpy(), np.int64)

    def flags() -> npt.NDArray[np.bool_]:
        if "whitelisted" not in names:
            return np.zeros(source.metadata.num_rows, np.bool_)
        return np.asarray(column("whitelisted").fill_null(False).to_numpy(), np.bool_)

    return History(
        enterprise=codes("enterprise"),
        department=codes("department").astype(np.int32),
        kind=indexed("kind", [k.value for k in KINDS], "routine", np.int8),
        start=seconds("start"),
        end=seconds("end"),
        filed_at=seconds("filed_at"),
        credit=indexed("credit_class", [c.value for c in CLASSES], "B", np.int8),
        whitelisted=flags(),
    )


def read_history(path: str | Path) -> History:
    """Read ``path`` by its suffix: ``.parquet`` / ``.pq`` with pyarrow, else CSV.

    Raises:
        ValidationError: ``input.invalid`` when the file cannot be opened or is not a
            CSV (UTF-8) or Parquet file, or a row or column cannot be read.
    """
    parquet = str(path).lower().endswith((".parquet", ".pq"))
    reader: Callable[[str | Path], History] = read_parquet if parquet else read_csv
    try:
        return reader(path)
    except ValidationError:
        raise
    except OSError as exc:  # missing, unreadable, or (pyarrow) not a Parquet file
        raise ValidationError(
            "input.invalid",
            field="history",
            reason=f"cannot read {path}: {exc.strerror or exc}",
            reason_zh=f"无法读取历史记录文件 {path}",
        ) from exc
    except (UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise ValidationError(
            "input.invalid",
            field="history",
            reason=f"{path} is not a {'Parquet' if parquet else 'UTF-8 CSV'} file: {exc}",
            reason_zh=f"{path} 不是有效的{'Parquet' if parquet else 'UTF-8 编码的 CSV'}文件",
        ) from exc
