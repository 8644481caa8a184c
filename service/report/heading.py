"""Who issues the monthly report and who signs it: the `report:` section of config/report.yaml.

A bureau writes, for example::

    report:
      issuing_unit: 清溪县生态环境监测站
      county: 清溪县
      date_of_issue: 2025-11-05   # optional: else the day the report is made
      prepared_by: 张三            # 编制
      reviewed_by: 李四            # 审核
      approved_by: 王五            # 签发

Without the file the report still renders, with blank signature lines and a note saying where to
set them; the title then names no county (never a placeholder such as "XX县").
"""

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from models.configuration import read_config_file
from models.errors import ConfigError

REPORT_FILE = "report.yaml"


class ReportHeading(BaseModel):
    """The report's issuing unit, county, date of issue and the 编制 / 审核 / 签发 lines."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuing_unit: str = ""
    county: str = ""
    date_of_issue: dt.date | None = None
    prepared_by: str = ""  # 编制
    reviewed_by: str = ""  # 审核
    approved_by: str = ""  # 签发
    origin: str = ""  # the file it came from ("" when there is none)

    def issued_on(self, today: dt.date) -> dt.date:
        """The date printed as the date of issue: the configured one, else `today`."""
        return self.date_of_issue or today

    @property
    def missing(self) -> list[str]:
        """The fields a report sent upward needs that are not set."""
        wanted = ("issuing_unit", "county", "prepared_by", "reviewed_by", "approved_by")
        return [name for name in wanted if not getattr(self, name)]


def load_heading(folder: Path) -> ReportHeading:
    """The `report:` section of `folder`/report.yaml; empty when there is no such file.

    ConfigError names the file and field when the section is malformed.
    """
    path = folder / REPORT_FILE
    if not path.exists():
        return ReportHeading()
    data = read_config_file(path, allow_empty=True)
    section = data.get("report", {}) if data else {}
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'report' must be a mapping of issuing_unit, county, date_of_issue, …")
    try:
        return ReportHeading.model_validate({**section, "origin": str(path)})
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "report"
        allowed = ", ".join(n for n in ReportHeading.model_fields if n != "origin")
        raise ConfigError(f"{path}: report.{field}: {first['msg']} (fields: {allowed})") from None
