"""Domain errors. Each subclasses a built-in so callers can catch broadly; service/ maps them to HTTP."""


class ConfigError(ValueError):
    """A configuration file is invalid; the message names the file, the entry and the field."""


class UnknownParameterError(KeyError):
    """A parameter code or alias is not in the catalogue."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the sentence.
        return str(self.args[0]) if self.args else ""


class UnknownSiteError(KeyError):
    """A site id, name or MN is not in the site configuration."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnitError(ValueError):
    """A unit is unknown or cannot be converted to the catalogue unit."""


class ReadingsError(ValueError):
    """A frame of readings does not have the reading shape."""
