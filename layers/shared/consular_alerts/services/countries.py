"""Countries for the duty officer: the internet state (shutdown mode) and SMS budget of each."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from consular_alerts.models.countries import (
    ConnectivityChange,
    CountryState,
    CountryStates,
    Internet,
)
from consular_alerts.services.ports import CountryRecord, CountryStore


@dataclass(frozen=True)
class CountryService:
    store: CountryStore
    clock: Callable[[], datetime]
    default_budget: int = 2
    budgets: Mapping[str, int] = field(default_factory=dict)

    def states(self) -> CountryStates:
        """Every country with an internet state on record or a budget of its own."""
        records = {record.country_code: record for record in self.store.records()}
        codes = sorted(set(records) | set(self.budgets))
        return CountryStates(
            default_sms_segment_budget=self.default_budget,
            countries=[self._state(code, records.get(code)) for code in codes],
        )

    def set_internet(self, country: str, change: ConnectivityChange) -> CountryState:
        return self._state(country, self.store.set_internet(country, change.internet, self.clock()))

    def _state(self, country: str, record: CountryRecord | None) -> CountryState:
        return CountryState(
            country_code=country,
            internet=record.internet if record else Internet.NORMAL,
            sms_segment_budget=self.budgets.get(country, self.default_budget),
            updated_at=record.updated_at if record else None,
        )
