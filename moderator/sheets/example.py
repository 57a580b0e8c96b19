"""The example spreadsheet shipped with the server: the demo week (`moderator.demo`) at fixed dates.

    python -m moderator.sheets.example    # writes moderator/sheets/data/example-week.xlsx

`tests/sheets/test_example.py` fails when the checked-in file no longer reads as this week.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moderator.demo import demo_agenda
from moderator.sheets.writing import workbook

# A Monday, 09:50 in Geneva: the demo's first session starts at 10:00.
EXAMPLE_NOW = datetime(2027, 1, 18, 8, 50, tzinfo=UTC)
EXAMPLE = Path(__file__).with_name("data") / "example-week.xlsx"


def example_agenda() -> dict[str, Any]:
    """The agenda document the example spreadsheet holds."""
    return demo_agenda(EXAMPLE_NOW)


def main() -> None:
    EXAMPLE.write_bytes(workbook(example_agenda(), "en"))
    print(f"wrote {EXAMPLE}")


if __name__ == "__main__":
    main()
