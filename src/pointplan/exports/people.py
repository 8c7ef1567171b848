"""Personal data for documents: names, id numbers and phones, masked unless asked for."""

from __future__ import annotations

from collections.abc import Sequence

from pointplan.domain.registration import Registration
from pointplan.io.personal import PERSONAL_FIELDS, mask_field


class PersonalData:
    """The personal data of a set of registrations, shown in full only when `show` is set."""

    def __init__(self, registrations: Sequence[Registration], show: bool) -> None:
        self._by_id = {r.registration_id: r for r in registrations}
        self.show = show

    def fields(self, registration_id: str) -> dict[str, str]:
        """Name, id number and phone of a registration ("" where it gave none)."""
        values = dict.fromkeys(PERSONAL_FIELDS, "")
        registration = self._by_id.get(registration_id)
        if registration is None:
            return values
        for field in PERSONAL_FIELDS:
            secret = getattr(registration, field)
            if secret is not None:
                text = secret.get_secret_value()
                values[field] = text if self.show else mask_field(field, text)
        return values
