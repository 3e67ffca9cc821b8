"""Tell the editor what is wrong: one `file:line:col: message` line per problem, and GitHub annotations under
Actions so each problem shows on the changed line of the pull request."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import characters
from .model import Problem


def report(problems: list[Problem] | tuple[Problem, ...], root: Path, stream=None, footer: bool = True) -> None:
    """Print every problem (errors first, each group in file order), then (with `footer`) what they mean for the
    build."""
    stream = stream or sys.stderr
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    ordered = sorted((p.relative_to(root.resolve()) for p in problems),
                     key=lambda p: (not p.is_error, p.path.as_posix(), p.line or 0, p.column or 0))
    for problem in ordered:
        # File names come from pull requests too: nothing in a line may move the cursor or reorder text.
        print(characters.printable(("" if problem.is_error else "warning: ") + str(problem)), file=stream)
        if annotate:
            where = f"file={_escape(problem.path.as_posix(), ':,')}" + (
                f",line={problem.line}" if problem.line else "") + (f",col={problem.column}" if problem.column else "")
            print(f"::{problem.severity} {where}::{_escape(characters.printable(problem.message))}", file=stream)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if not footer:
        return
    if errors:
        print(f"{errors} problem(s); nothing was written.", file=stream)
    if warnings:
        print(f"{warnings} warning(s): a draft may build with these, a finished fact-check should not.", file=stream)


def _escape(text: str, also: str = "") -> str:
    """GitHub workflow-command escaping: a message may not break the command's line or its fields."""
    for character in "%\r\n" + also:
        text = text.replace(character, f"%{ord(character):02X}")
    return text
