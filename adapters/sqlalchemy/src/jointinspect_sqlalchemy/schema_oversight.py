"""Tables of issue 12 capabilities 5, 6 and 8 (revision ``0008_guidance_watch``): steps of
the guidance-penalty-assistance loop, inspectors' runs of no-finding inspections, and
conflicting standards flagged on inspections. Same conventions as :mod:`.schema`."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Table

from jointinspect_sqlalchemy.schema_core import Body, Key, _mysql, metadata

loop_steps = Table(
    "ji_loop_steps",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("result_id", Key(), nullable=False),
    Column("enterprise", Key(), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_loop_steps_result", "result_id", "at"),
    Index("ix_ji_loop_steps_enterprise", "enterprise", "at"),
    **_mysql,
)

inspector_streaks = Table(
    "ji_inspector_streaks",
    metadata,
    Column("inspector_id", Key(), primary_key=True),
    Column("enterprise", Key(), primary_key=True),
    Column("body", Body, nullable=False),
    **_mysql,
)

conflict_flags = Table(
    "ji_conflict_flags",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("inspection_id", Key(), nullable=False),
    Column("body", Body, nullable=False),
    Index("ix_ji_conflict_flags_inspection", "inspection_id"),
    **_mysql,
)
