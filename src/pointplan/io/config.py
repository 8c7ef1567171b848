"""Fleet and policy files (YAML or JSON), validated strictly: a misspelled key is an error."""

from __future__ import annotations

import difflib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pointplan.domain.cost_sharing import CostSharing
from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.policy import Policy
from pointplan.domain.warnings import Thresholds
from pointplan.io.errors import InputError, InputIssue


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads 10:30 as the base-60 number 630; here a clock time stays text."""


_Loader.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    _Loader.yaml_implicit_resolvers.setdefault(_digit, []).insert(
        0, ("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?$"))
    )


def read_mapping(path: Path) -> Any:
    """The data of a YAML or JSON file; a clock time such as 10:30 stays text.

    Raises `InputError` naming the file when it cannot be read or parsed.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise InputError(
            [InputIssue(str(path), f"cannot read the file: {error.strerror}")]
        ) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputError([InputIssue(str(path), f"not valid YAML or JSON: {error}")]) from None


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validation_issues(
    source: str, error: ValidationError, model: type[BaseModel], row: int | None = None
) -> list[InputIssue]:
    """Turn a pydantic error into issues naming the key; suggest the key meant by a typo."""
    issues = []
    for detail in error.errors():
        key = _location(detail["loc"]) or None
        message = detail["msg"]
        if detail["type"] == "extra_forbidden":
            name = str(detail["loc"][-1])
            known = list(_fields_at(model, detail["loc"][:-1]))
            close = difflib.get_close_matches(name, known, n=1)
            message = f"unknown key '{name}'" + (f" (did you mean '{close[0]}'?)" if close else "")
        issues.append(InputIssue(source, message, row=row, column=key))
    return issues


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: type[BaseModel] = model
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = current.model_fields[str(part)].annotation
        inner = getattr(annotation, "__args__", (annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            current = inner
    return list(current.model_fields)


M = TypeVar("M", bound=BaseModel)


def load_policy(path: Path | str | None) -> Policy:
    """The policy in a YAML/JSON file (a flat object; every key optional), or the default."""
    if path is None:
        return Policy()
    return _validated(Path(path), Policy, "a policy file holds one object of keys", Policy())


def load_fleet(path: Path | str | None) -> Fleet:
    """The fleet in a YAML/JSON file `{"vehicle_types": [...]}`, or the default fleet."""
    if path is None:
        return default_fleet()
    return _validated(Path(path), Fleet, 'a fleet file holds {"vehicle_types": [...]}')


def load_cost_sharing(path: Path | str) -> CostSharing:
    """The cost-sharing rules in a YAML/JSON file (domain/cost_sharing.py: `rules`, `rest`,
    `tolls_waived`, `toll_per_km`); a bad key or value is an error naming it."""
    return _validated(Path(path), CostSharing, 'a cost-sharing file holds {"rules": [...]}')


def load_thresholds(path: Path | str) -> Thresholds:
    """The early warning's thresholds in a YAML/JSON file (domain/warnings.py:
    `weeks_before`, `levels`); a bad key or value is an error naming it."""
    return _validated(Path(path), Thresholds, 'a thresholds file holds {"levels": [...]}')


def _validated(path: Path, model: type[M], shape: str, empty: M | None = None) -> M:
    """The file's one object as `model` (`empty` for an empty file, when given); an error
    naming the key, or saying what the file holds (`shape`)."""
    data = read_mapping(path)
    if data is None and empty is not None:
        return empty
    if not isinstance(data, dict):
        raise InputError([InputIssue(str(path), shape)])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError(validation_issues(str(path), error, model)) from None


def default_fleet() -> Fleet:
    """The fleet shipped with pointplan: coaches 53/49/45, bus 33, minibus 19, rail car YZ25."""
    text = resources.files("pointplan").joinpath("data/default_fleet.yaml").read_text("utf-8")
    return Fleet.model_validate(yaml.safe_load(text))


def default_thresholds() -> Thresholds:
    """The early warning's thresholds shipped with pointplan (the service's default; the
    same as sample_data/thresholds.yaml)."""
    text = resources.files("pointplan").joinpath("data/thresholds.yaml").read_text("utf-8")
    return Thresholds.model_validate(yaml.safe_load(text))


__all__ = [
    "Fleet",
    "Policy",
    "VehicleType",
    "default_fleet",
    "default_thresholds",
    "load_cost_sharing",
    "load_fleet",
    "load_policy",
    "load_thresholds",
]
