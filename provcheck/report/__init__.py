"""Report renderers: the only code that formats output."""

from provcheck.report.csv_report import render_csv
from provcheck.report.html_report import render_html
from provcheck.report.json_report import SCHEMA_VERSION, json_bytes, render_json, to_dict
from provcheck.report.terminal import render_terminal

__all__ = ["SCHEMA_VERSION", "json_bytes", "render_csv", "render_html", "render_json",
           "render_terminal", "to_dict"]
