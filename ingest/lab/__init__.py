"""Lab results in CSV and XLSX files, as Chinese labs write them, turned into readings."""
