"""Alert rule settings (config/alerts.yaml): thresholds, repeat counts, gap multiples, escalation, webhooks.

Every field has a default, so an empty or missing file gives the shipped behaviour. A bureau's
config folder may hold its own alerts.yaml; `AlertConfig.load(folder)` reads it, else ours.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from models.configuration import BUILTIN_CONFIG, read_config_file
from models.errors import ConfigError
from models.reading import FLAGS, STATISTICS
from models.sites import SamplingPlan, SiteKind

Severity = Literal["warning", "critical"]
SEVERITIES: Final[tuple[str, ...]] = get_args(Severity)  # in rising order
RuleId = Literal[
    "exceedance",  # a value fails the site's limit (hourly value, sample, real-time value)
    "daily_exceedance",  # a daily mean fails the site's limit (GB 18918 §4.1.4 judges daily means)
    "early_warning",  # a value reached a share of the limit (预警)
    "gap",  # no data for a multiple of the expected interval
    "offline",  # nothing at all from a site's logger (data, heartbeat, status) for some of its intervals
    "sample_overdue",  # no lab sample in a sampling period that has ended (plus a grace period)
    "constant",  # the same value N times in a row: stuck or faked analyser
    "implausible",  # negative or physically impossible value
    "spike",  # implausible jump against the recent values
    "fault_flag",  # the logger flags the value as fault, maintenance, calibration …
    "source_error",  # a pull source reported a problem
]
RULES: Final[tuple[str, ...]] = get_args(RuleId)
Event = Literal["opened", "raised", "escalated", "acknowledged", "resolved"]
EVENTS: Final[tuple[str, ...]] = get_args(Event)


_INTERVALS: Final[dict[SiteKind, int]] = {"plant": 60, "section": 240, "lake": 240, "source": 31 * 24 * 60}
_FLAG_SEVERITIES: Final[dict[str, Severity]] = {
    "D": "critical", "F": "warning", "M": "warning", "C": "warning", "T": "critical", "B": "warning", "P": "critical",
}  # fmt: skip


def _flag_severities() -> dict[str, Severity]:
    return dict(_FLAG_SEVERITIES)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True


def _check_statistics(statistics: tuple[str, ...]) -> tuple[str, ...]:
    for statistic in statistics:
        if statistic not in STATISTICS:
            raise ValueError(f"statistic {statistic!r} is not one of {', '.join(STATISTICS)}")
    return statistics


class ExceedanceRule(_Section):
    """Values judged against the site's limit; severity from the exceedance multiple."""

    statistics: tuple[str, ...] = ("sample", "hour_avg")  # real-time values are not judged: limits are for means
    daily_statistics: tuple[str, ...] = ("day_avg",)
    critical_multiple: float = Field(default=1.0, ge=0)  # (value − limit) / limit at or above: critical
    unmultiplied_severity: Severity = "warning"  # pH, DO: no multiple is defined (环办〔2011〕22号)
    # Plants: also judge the local-day mean of the hourly values (GB 18918 §4.1.4 judges daily
    # means) once the day has `daily_min_hours` valid hours (HJ/T 356-2007: 75 % of 24 h).
    daily_from_hours: bool = True
    daily_min_hours: int = Field(default=18, ge=1, le=24)

    _statistics = field_validator("statistics", "daily_statistics")(_check_statistics)


class EarlyWarningRule(_Section):
    """A value above `share` of an upper limit, not yet over it."""

    share: float = Field(default=0.8, gt=0, lt=1)
    statistics: tuple[str, ...] = ("sample", "hour_avg", "day_avg")
    severity: Severity = "warning"

    _statistics = field_validator("statistics")(_check_statistics)


class GapRule(_Section):
    """No data for `multiple` × the site's expected interval."""

    multiple: float = Field(default=3.0, gt=0)
    interval_minutes: dict[SiteKind, int] = Field(default_factory=lambda: dict(_INTERVALS))
    severity: Severity = "warning"


def _monthly_plans() -> dict[SiteKind, SamplingPlan]:
    return {"plant": "monthly", "section": "monthly", "lake": "monthly", "source": "monthly"}


class OfflineRule(_Section):
    """One alert per logger: nothing from its MN for `intervals` × its reporting interval.

    The interval is the logger's `interval_minutes`, else its site's `expected_interval_minutes`,
    else `gap.interval_minutes` for the site's kind. A logger never heard from is offline once
    that long has passed since the service started. While a site's logger is offline, its
    per-parameter gap alerts are held back.
    """

    intervals: float = Field(default=3.0, gt=0)
    severity: Severity = "critical"


class SampleOverdueRule(_Section):
    """A lab item with no sample in a sampling period that ended more than `grace_days` ago.

    Periods are local calendar periods of the site's `sampling` plan (sites.yaml), else the plan
    for its kind here; an item is due once per period after its first sample.
    """

    grace_days: float = Field(default=10, ge=0)
    plans: dict[SiteKind, SamplingPlan] = Field(default_factory=_monthly_plans)
    severity: Severity = "warning"


class ConstantRule(_Section):
    """The same value `repeats` times in a row in one series."""

    repeats: int = Field(default=6, ge=2)
    statistics: tuple[str, ...] = ("rtd", "minute_avg", "hour_avg")
    severity: Severity = "warning"

    _statistics = field_validator("statistics")(_check_statistics)


class ImplausibleRule(_Section):
    """Values outside the catalogue's plausible range (or negative where it has none)."""

    severity: Severity = "critical"


class SpikeRule(_Section):
    """A value far from the median of the `window` values before it.

    Fires when |value − median| > `factor` × max(|median|, floor) — or, for parameters listed in
    `max_change`, when |value − median| exceeds that absolute change (pH, temperature).
    """

    factor: float = Field(default=3.0, gt=0)
    window: int = Field(default=5, ge=1)
    min_history: int = Field(default=3, ge=1)
    floor: float = Field(default=0.1, ge=0)
    max_change: dict[str, float] = Field(default_factory=lambda: {"w01001": 2.0, "w01010": 5.0})
    statistics: tuple[str, ...] = ("rtd", "minute_avg", "hour_avg")
    severity: Severity = "warning"

    _statistics = field_validator("statistics")(_check_statistics)


class FaultFlagRule(_Section):
    """HJ 212 data flags that raise an alert, with their severity; flag N clears it."""

    flags: dict[str, Severity] = Field(default_factory=_flag_severities)

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, flags: dict[str, Severity]) -> dict[str, Severity]:
        for flag in flags:
            if flag not in FLAGS or flag == "N":
                raise ValueError(f"flag {flag!r} is not one of {', '.join(f for f in FLAGS if f != 'N')}")
        return flags


class SourceErrorRule(_Section):
    """A pull source reported an error; its next readings clear it."""

    severity: Severity = "warning"


class Escalation(BaseModel):
    """Level 1 when unacknowledged for `unacknowledged_minutes`, level 2 when open for `open_minutes`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unacknowledged_minutes: float = Field(default=60, gt=0)
    open_minutes: float = Field(default=24 * 60, gt=0)


class Webhook(BaseModel):
    """A URL that receives alert events as signed JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^\S+$")
    url: HttpUrl
    secret_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")  # environment variable holding the secret
    events: tuple[Event, ...] = ("opened", "raised", "escalated", "resolved")
    min_severity: Severity = "warning"
    timeout_seconds: float = Field(default=5.0, gt=0)


class Delivery(BaseModel):
    """Retries of webhook deliveries: wait backoff_seconds × backoff_factor^(attempt − 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attempts: int = Field(default=6, ge=1)
    backoff_seconds: float = Field(default=2.0, ge=0)
    backoff_factor: float = Field(default=2.0, ge=1)


class AlertConfig(BaseModel):
    """The content of config/alerts.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    history_hours: float = Field(default=48, gt=0)  # readings read back for constant, spike, daily means
    timezone: str = "Asia/Shanghai"  # zone of the local calendar day of daily means
    # A reading dated more than this ahead of the service's clock cannot resolve an alert (a logger
    # with a wrong clock must not close what its real, current data still shows).
    future_minutes: float = Field(default=10, ge=0)
    exceedance: ExceedanceRule = ExceedanceRule()
    early_warning: EarlyWarningRule = EarlyWarningRule()
    gap: GapRule = GapRule()
    offline: OfflineRule = OfflineRule()
    sample_overdue: SampleOverdueRule = SampleOverdueRule()
    constant: ConstantRule = ConstantRule()
    implausible: ImplausibleRule = ImplausibleRule()
    spike: SpikeRule = SpikeRule()
    fault_flag: FaultFlagRule = FaultFlagRule()
    source_error: SourceErrorRule = SourceErrorRule()
    escalation: Escalation = Escalation()
    webhooks: tuple[Webhook, ...] = ()
    delivery: Delivery = Delivery()

    @field_validator("webhooks")
    @classmethod
    def _unique_names(cls, webhooks: tuple[Webhook, ...]) -> tuple[Webhook, ...]:
        names = [w.name for w in webhooks]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"webhook {name!r} is listed twice")
        return webhooks

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None, *, origin: str = "alerts.yaml") -> "AlertConfig":
        """Validate parsed file content; errors name `origin`, the field and what is allowed."""
        try:
            return cls.model_validate(data or {})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "top level"
            raise ConfigError(f"{origin}: {where}: {first['msg']}") from None

    @classmethod
    def load(cls, folder: Path | str | None = None) -> "AlertConfig":
        """Read `folder`/alerts.yaml, else the shipped config/alerts.yaml."""
        path = Path(folder) / "alerts.yaml" if folder is not None else None
        if path is None or not path.exists():
            path = BUILTIN_CONFIG / "alerts.yaml"
        return cls.from_mapping(read_config_file(path, allow_empty=True), origin=str(path))

    def enabled(self, rule: RuleId) -> bool:
        """Whether `rule` is switched on (daily_exceedance follows exceedance)."""
        section = self.exceedance if rule == "daily_exceedance" else getattr(self, rule)
        return bool(section.enabled)
