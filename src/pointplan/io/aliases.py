"""The Chinese names county offices head their registration lists with (interchange.md,
"Chinese column names"), read as the columns they stand for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pointplan.io.errors import InputError, InputIssue
from pointplan.io.tables import Record, Table

COLUMN_ALIASES = {
    "编号": "registration_id",
    "登记编号": "registration_id",
    "报名编号": "registration_id",
    "方向": "direction",
    "出行方向": "direction",
    "出发地": "origin",
    "目的地": "destination",
    "出发地纬度": "origin_lat",
    "出发地经度": "origin_lon",
    "目的地纬度": "destination_lat",
    "目的地经度": "destination_lon",
    "最早日期": "earliest_date",
    "最早出发日期": "earliest_date",
    "最晚日期": "latest_date",
    "最晚出发日期": "latest_date",
    "人数": "party_size",
    "同行人数": "party_size",
    "姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "联系电话": "phone",
    "集合点": "pickup_point",
    "乘车点": "pickup_point",
    "交接点": "dropoff_point",
    "下车点": "dropoff_point",
    "报名时间": "registered_at",
    "用人单位": "employer",
    "工种": "trade",
    "返乡原因": "return_reason",
    "服务需求": "needs",
}
"""Alias -> column, for every column of a registrations file."""

RETURN_REASON_ALIASES = {
    "自愿": "voluntary",
    "停工停产": "stoppage",
    "裁员": "layoff",
    "欠薪": "unpaid_wages",
    "其他": "other",
}
"""The Chinese values of `return_reason`."""

NEED_ALIASES = {"就业": "job", "培训": "training", "创业": "business", "维权": "rights"}
"""The Chinese values of `needs`."""


def with_column_names(table: Table) -> Table:
    """The table with every alias read as its column; two headers of one column (an alias
    and its column, or two aliases) are an `InputError` naming both."""
    if not any(column in COLUMN_ALIASES for column in table.columns):
        return table
    named: dict[str, str] = {}
    for header in table.columns:
        column = COLUMN_ALIASES.get(header, header)
        if column in named:
            raise InputError(
                [
                    InputIssue(
                        table.name,
                        f"columns {named[column]} and {header} are both {column}; keep one",
                    )
                ]
            )
        named[column] = header
    rename = {header: column for column, header in named.items()}
    return replace(
        table,
        columns=tuple(rename[c] for c in table.columns),
        records=tuple(
            Record(r.row, {rename[k]: v for k, v in r.cells.items()}) for r in table.records
        ),
    )


def with_item_keys(item: Mapping[Any, Any]) -> tuple[dict[Any, Any], str | None]:
    """A batch item of the HTTP API with every alias key read as its column, and None; or,
    when two keys of the item are one column, the item as sent and why it is refused."""
    named: dict[Any, Any] = {}
    sent_as: dict[Any, Any] = {}
    for key, value in item.items():
        column = COLUMN_ALIASES.get(key, key) if isinstance(key, str) else key
        if column in named:
            return dict(item), f"keys {sent_as[column]} and {key} are both {column}; send one"
        named[column], sent_as[column] = value, key
    return named, None
