"""Personal data for documents: names, id numbers and phones, masked unless asked for."""

from __future__ import annotations

from collections.abc import Sequence

from pointplan.domain.personal import PERSONAL_FIELDS, shown_personal_fields
from pointplan.domain.registration import Registration


class PersonalData:
    """The personal data of a set of registrations, shown in full only when `show` is set."""

    def __init__(self, registrations: Sequence[Registration], show: bool) -> None:
        self._by_id = {r.registration_id: r for r in registrations}
        self.show = show

    def fields(self, registration_id: str) -> dict[str, str]:
        """Name, id number and phone of a registration ("" where it gave none)."""
        registration = self._by_id.get(registration_id)
        values: dict[str, str] = {}
        for field in PERSONAL_FIELDS:
            secret = getattr(registration, field) if registration is not None else None
            values[field] = secret.get_secret_value() if secret is not None else ""
        return shown_personal_fields(values, self.show)
