"""What the importer reports: :class:`Problem`, the error that carries them, and the wording.

Every message names the file, the physical line (1 = header) and the column, quotes the raw
value and says what to write instead. Rule ids are stable; the dashboard and tests key on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_PROBLEMS = 10_000
"""Problems listed per attempt; one final problem says how many more were found."""
SHOWN_IN_ERROR_TEXT = 5


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    file: str
    """File name as given (basename)."""
    line: int | None
    """Physical line number in the file (1 = header line); None for file-level problems."""
    column: str | None
    value: str | None
    """Raw text as in the file."""
    rule: str
    message: str


class ImportValidationError(Exception):
    """The input breaks the canonical contract; nothing was written. ``.problems`` lists all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(summarise(problems))


def summarise(problems: list[Problem]) -> str:
    """The first few messages and the total count, in plain words."""
    total = problem_count(problems)
    head = [p.message for p in problems if p.rule != "too_many_problems"][:SHOWN_IN_ERROR_TEXT]
    noun = "problem" if total == 1 else "problems"
    text = f"{total} {noun} found; nothing was imported.\n" + "\n".join("- " + m for m in head)
    if total > len(head):
        text += f"\n… and {total - len(head)} more"
    return text


def problem_count(problems: list[Problem]) -> int:
    """Total problems found, including those beyond the listed cap."""
    extra = sum(int(p.value or 0) for p in problems if p.rule == "too_many_problems")
    return len([p for p in problems if p.rule != "too_many_problems"]) + extra


def capped(problems: Iterable[Problem], total: int | None = None) -> list[Problem]:
    """Keep the first :data:`MAX_PROBLEMS` and add one ``too_many_problems`` problem.

    ``total`` is the number of problems found when the iterable already holds only a sample.
    The added problem's ``value`` is the number of problems not listed.
    """
    kept = list(problems)
    found = max(total or 0, len(kept))
    kept = kept[:MAX_PROBLEMS]
    if found > len(kept):
        more = found - len(kept)
        kept.append(
            Problem(
                file="",
                line=None,
                column=None,
                value=str(more),
                rule="too_many_problems",
                message=f"… and {more:,} more problems not listed (the first "
                f"{len(kept):,} are shown); fix these and check again.",
            )
        )
    return kept


def quote(value: str | None, limit: int = 80) -> str:
    """A raw value as shown in messages: quoted, newlines visible, long text shortened."""
    text = "" if value is None else value
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "'" + text + "'"


def where(file: str, line: int | None, column: str | None = None) -> str:
    """Message prefix: ``file line N, column C``."""
    text = file
    if line is not None:
        text += f" line {line}"
    if column is not None:
        text += f", column {column}"
    return text


def problem(
    file: str, line: int | None, column: str | None, value: str | None, rule: str, what: str
) -> Problem:
    """Build a problem whose message is ``<where>: <what>``."""
    return Problem(file, line, column, value, rule, where(file, line, column) + ": " + what)


RULES = frozenset({
    "file_not_found", "not_a_file", "empty_file", "file_too_large", "wrong_format", "not_utf8",
    "bad_encoding", "nul_byte", "no_header", "preamble", "one_column", "no_data_rows",
    "unknown_table", "unknown_column", "duplicate_column", "missing_column", "bad_mapping",
    "too_few_values", "too_many_values", "unterminated_quote", "line_too_long", "malformed_row",
    "unreadable", "required", "not_a_date", "not_a_timestamp", "not_an_integer", "not_a_number",
    "not_finite", "not_a_boolean", "not_a_currency", "bad_billing_period", "allowed_values",
    "negative_amount", "out_of_range", "end_before_start", "duplicate_key", "unknown_account",
    "no_fx_rate", "key_exists", "orphaned_rows", "too_many_problems",
})  # fmt: skip
"""Every rule id a problem can carry (docs/import.md lists them; a test keeps both in step)."""
