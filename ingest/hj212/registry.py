"""The MN registry: which site each HJ 212 logger reports for, and its password (config/sites.yaml)."""

from dataclasses import dataclass

from models.configuration import Configuration


@dataclass(frozen=True, slots=True)
class RegisteredLogger:
    """A logger the platform accepts: its site and password."""

    mn: str
    site: str
    password: str
    units: tuple[tuple[str, str], ...] = ()  # (wire code, unit) this logger sends instead of Table B.1's


class LoggerRegistry:
    """MN → site and password, built once from the configuration (a dict, not a scan per packet)."""

    def __init__(self, loggers: dict[str, RegisteredLogger]) -> None:
        self._loggers = loggers

    @classmethod
    def from_configuration(cls, config: Configuration) -> "LoggerRegistry":
        """Every site that has a `logger:` entry."""
        return cls(
            {
                site.logger.mn: RegisteredLogger(
                    site.logger.mn, site.id, site.logger.password, tuple(sorted(site.logger.units.items()))
                )
                for site in config.sites.values()
                if site.logger is not None
            }
        )

    def get(self, mn: str) -> RegisteredLogger | None:
        """The logger with this MN, or None."""
        return self._loggers.get(mn)

    def __len__(self) -> int:
        return len(self._loggers)
