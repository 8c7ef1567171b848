"""The thresholds of the early warning of involuntary returns (三(七)), as a file gives them.

A thresholds file (YAML or JSON) names the weeks a county's week is compared with and, for
each warning level, the indicators that raise it:

```yaml
weeks_before: 4           # the change is against the mean of the 4 weeks before
levels:
  - level: yellow         # 黄色预警
    involuntary_people: 20
  - level: orange
    involuntary_share: 0.3
    involuntary_change: 0.5
  - level: red
    involuntary_people: 100
    open_rights: 20
```

A level is raised when any of its indicators reaches its value; the highest level raised is
the county's. Indicators (`pointplan.hr.warning`): `involuntary_people` (people registered in
the week who returned involuntarily: stoppage, layoff, unpaid wages), `involuntary_share`
(their share of the week's returnees, 0..1), `involuntary_change` (the rise over the mean of
the weeks before, as a share: 0.5 is half as many again; not raised when the weeks before
had none), `open_rights` (people registered by the week's end with a rights claim open).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class WarningLevel(StrEnum):
    """The levels of a warning, lowest first (蓝 黄 橙 红)."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for blue up to 3 for red."""
        return list(WarningLevel).index(self)

    @property
    def label(self) -> str:
        """The level as the weekly table writes it: `橙色预警 orange`."""
        names = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}
        return f"{names[self.value]}预警 {self.value}"


INDICATORS = ("involuntary_people", "involuntary_share", "involuntary_change", "open_rights")
"""The indicators a level may set a value for."""


class LevelRule(BaseModel):
    """The values of the indicators that raise one level (at least one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: WarningLevel
    involuntary_people: int | None = Field(default=None, ge=1)
    involuntary_share: float | None = Field(default=None, gt=0, le=1)
    involuntary_change: float | None = Field(default=None, gt=0)
    open_rights: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _sets_an_indicator(self) -> LevelRule:
        if all(getattr(self, name) is None for name in INDICATORS):
            raise ValueError(f"level {self.level.value} sets none of {', '.join(INDICATORS)}")
        return self


class Thresholds(BaseModel):
    """The early warning's thresholds (see the module)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weeks_before: int = Field(default=4, ge=1, le=12)
    levels: tuple[LevelRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_level_once(self) -> Thresholds:
        seen = [rule.level for rule in self.levels]
        if len(set(seen)) != len(seen):
            raise ValueError("a level is listed twice")
        return self
