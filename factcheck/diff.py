"""`build.py diff REF`: what a pull request changes in the fact-checks, as Markdown for reviewers."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import characters, load
from .model import Problem

TEXT_FIELDS = ("quote", "claim", "summary", "analysis", "checked")


@dataclass(frozen=True)
class Change:
    key: str  # "<article>/<claim-id>"
    path: str
    old: dict | None
    new: dict | None


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, check=True).stdout


def claims_at(root: Path, ref: str) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
    """Claim files at a git ref: key -> (path, text), and the problems (links, oversized files). One
    `git cat-file --batch` call reads them all."""
    listing = _git(root, "ls-tree", "-r", "-z", ref, "--", "claims/").decode("utf-8", "replace").split("\0")
    names, problems = [], []
    for entry in filter(None, listing):
        info, _, name = entry.partition("\t")
        if not (name.endswith(".yaml") and name.count("/") == 2):
            continue
        if info.split()[0] == "120000":  # what the build would refuse at that commit, never read
            problems.append(Problem(Path(name), f"is a symbolic link at {ref}: the build reads only regular files"))
        else:
            names.append(name)
    output = _git(root, "cat-file", "--batch", data="".join(f"{ref}:{n}\n" for n in names).encode())
    files, position = {}, 0
    for name in names:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        text = output[header_end + 1:header_end + 1 + size]
        files[_key(name)] = (name, text.decode("utf-8", "replace") if size <= load.MAX_BYTES else "")
        position = header_end + 1 + size + 1
    return files, problems


def claims_now(root: Path) -> tuple[dict[str, tuple[str, str]], str, list[Problem]]:
    """Claim files in the work tree (key -> (path, text)) and the scale's text, read by the build's own reader:
    links, FIFOs and files the build would skip are reported as it reports them, never read."""
    def read(path: Path, parse, form=None):
        text = load.read_text(path)
        return (None, [text]) if isinstance(text, Problem) else ((path, text), [])

    found = load.read_sources(root / "content", root / "claims", read)
    files = {f"{slug}/{claim_id}": (path.relative_to(root).as_posix(), text)
             for slug, claim_id, (path, text) in found.claims}
    return files, found.scale[1] if found.scale else "", [p for p in found.problems if p.is_error]


def _key(path: str) -> str:
    return path.removeprefix("claims/").removesuffix(".yaml")


UNREADABLE: dict = {"verdict": "(unreadable: see the build's errors)"}


def _data(path: str, text: str) -> dict:
    document = load.parse_yaml(Path(path), text)
    if isinstance(document, Problem):
        return UNREADABLE  # the build itself reports what is wrong with the file
    return document.data if isinstance(document.data, dict) else UNREADABLE


def changes(old: dict, new: dict) -> list[Change]:
    found = []
    for key in sorted(set(old) | set(new)):
        before = _data(*old[key]) if key in old else None
        after = _data(*new[key]) if key in new else None
        if before != after:
            found.append(Change(key, (new.get(key) or old.get(key))[0], before, after))
    return found


def _urls(data: dict | None) -> list[str]:
    return [s.get("url") for s in (data or {}).get("sources") or [] if isinstance(s, dict)]


def _updates(data: dict | None) -> list:
    return [(u.get("date"), u.get("note")) for u in (data or {}).get("updates") or [] if isinstance(u, dict)]


def _records_change(change: Change) -> bool:
    """A verdict change is recorded by a new update naming the verdict it replaced."""
    before = _updates(change.old)
    return any(u.get("previous_verdict") == change.old.get("verdict")
               for u in change.new.get("updates") or [] if isinstance(u, dict)
               and (u.get("date"), u.get("note")) not in before)


def code(value) -> str:
    """Text from a file as a Markdown code span on one line: nothing in it can make a heading, a table, a link or
    HTML in the job summary, nor move or reorder what a terminal shows."""
    text = characters.printable(" ".join(str(value).split()))  # a line break would start a new block
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def summarise(found: list[Change], labels: dict[str, str], ref: str) -> tuple[str, list[Problem]]:
    """The Markdown summary, and the problems a reviewer must not merge (silent verdict changes). Everything that
    came from a file is shown as a code span (see `code`)."""
    def label(verdict) -> str:
        return labels.get(str(verdict), str(verdict))

    added = [c for c in found if c.old is None]
    removed = [c for c in found if c.new is None]
    edited = [c for c in found if c.old is not None and c.new is not None]
    verdicts = [c for c in edited if c.old.get("verdict") != c.new.get("verdict")]
    problems = [Problem(Path(c.path), f"verdict changed from {label(c.old.get('verdict'))} to "
                        f"{label(c.new.get('verdict'))} without a new updates entry whose previous_verdict is "
                        f"'{c.old.get('verdict')}': corrections must be visible")
                for c in verdicts if UNREADABLE not in (c.old, c.new) and not _records_change(c)]
    lines = [f"## Fact-check changes against {code(ref)}", "",
             f"{len(added)} added, {len(removed)} removed, {len(verdicts)} verdict change(s), "
             f"{len(edited)} edited.", ""]
    if verdicts:
        lines += ["### Verdict changes", ""]
        lines += [f"- {code(c.key)}: {code(label(c.old.get('verdict')))} → **{code(label(c.new.get('verdict')))}**"
                  for c in verdicts]
        lines.append("")
    if added:
        lines += ["### Added", ""] + [f"- {code(c.key)}: **{code(label(c.new.get('verdict')))}**: "
                                      f"{code(c.new.get('claim', ''))}" for c in added] + [""]
    if removed:
        lines += ["### Removed", ""] + [f"- {code(c.key)} (was {code(label(c.old.get('verdict')))})"
                                        for c in removed] + [""]
    if edited:
        lines += ["### Edited", ""]
        for c in edited:
            fields = [f for f in TEXT_FIELDS if c.old.get(f) != c.new.get(f)]
            new_urls, old_urls = _urls(c.new), _urls(c.old)
            parts = [f"text: {', '.join(fields)}"] if fields else []
            parts += [f"source added: {code(u)}" for u in new_urls if u not in old_urls]
            parts += [f"source removed: {code(u)}" for u in old_urls if u not in new_urls]
            if len(_updates(c.new)) != len(_updates(c.old)):
                parts.append(f"updates: {len(_updates(c.old))} → {len(_updates(c.new))}")
            lines.append(f"- {code(c.key)}: " + ("; ".join(parts) or "other fields"))
        lines.append("")
    if not found:
        lines += ["No claim changed.", ""]
    return "\n".join(lines), problems


def run(root: Path, ref: str) -> tuple[int, str, list[Problem]]:
    """The Markdown summary of the claim changes since `ref`, its problems, and the exit status."""
    try:
        old, refused = claims_at(root, ref)
    except subprocess.CalledProcessError as error:
        return 2, "", [Problem(root / "claims", f"cannot read claims at '{ref}': {error.stderr.decode().strip()}")]
    new, scale, unreadable = claims_now(root)
    scale = _data("claims/ratings.yaml", scale)
    labels = {str(r.get("key")): r.get("label") for r in scale.get("ratings", []) if isinstance(r, dict)}
    text, problems = summarise(changes(old, new), labels, ref)
    problems += refused + unreadable
    return (1 if problems else 0), text, problems
