"""Tables of issue 12: spot-check draws and their pairs, conflicts of interest, quiet slots,
device keys and offline check-ins (revision ``0006_spot_checks``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table

from jointinspect_sqlalchemy.schema_core import Body, Key, _mysql, metadata

spot_checks = Table(
    "ji_spot_checks",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("department", Key(), nullable=False),
    Column("campaign", Key(), nullable=False),
    Column("drawn_at", BigInteger, nullable=False),
    Column("body", Body, nullable=False),
    #: a campaign is drawn once: a second draw could be chosen to suit
    Index("ux_ji_spot_checks_campaign", "department", "campaign", unique=True),
    **_mysql,
)

#: One row per drawn (enterprise, inspectors): the last pairs are read per enterprise.
spot_pairs = Table(
    "ji_spot_pairs",
    metadata,
    Column("draw_id", Key(), primary_key=True),
    Column("enterprise", Key(), primary_key=True),
    Column("department", Key(), nullable=False),
    Column("drawn_at", BigInteger, nullable=False),
    Column("inspectors", Body, nullable=False),
    Index("ix_ji_spot_pairs_latest", "department", "enterprise", "drawn_at"),
    **_mysql,
)

spot_conflicts = Table(
    "ji_spot_conflicts",
    metadata,
    Column("inspector", Key(), primary_key=True),
    Column("enterprise", Key(), primary_key=True),
    Column("body", Body, nullable=False),
    **_mysql,
)

quiet_slots = Table(
    "ji_quiet_slots",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("enterprise", Key(), nullable=False),
    Column("start", String(10), nullable=False),  # ISO date: sorts as the date does
    Column("body", Body, nullable=False),
    Index("ix_ji_quiet_slots_enterprise", "enterprise", "start"),
    **_mysql,
)

device_keys = Table(
    "ji_device_keys",
    metadata,
    Column("inspector", Key(), primary_key=True),
    Column("body", Body, nullable=False),
    **_mysql,
)

offline_checkins = Table(
    "ji_offline_checkins",
    metadata,
    Column("id", Key(), primary_key=True),
    Column("body", Body, nullable=False),
    **_mysql,
)
