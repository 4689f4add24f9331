"""What an app above plans adds to a round's consolidated report.

Plans sits below indicators and does not import it: the indicators app installs its section here when Django starts
(treem.indicators.apps.IndicatorsConfig.ready), and the consolidation asks for it.
"""

from collections.abc import Callable

_report_sections: list[Callable] = []


def provide_report_section(section: Callable) -> None:
    """`section(round_, actor)` -> a list of treem.reports.official blocks for the round's consolidated report."""
    if section not in _report_sections:
        _report_sections.append(section)


def report_sections(round_, actor) -> list:
    blocks = []
    for section in _report_sections:
        blocks += section(round_, actor)
    return blocks
