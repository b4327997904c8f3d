"""Progress of ``dbexpert nplusone`` on large folders: a callback per file for library callers, a bar
on a terminal's stderr for people, and nothing at all when stderr is piped or the format is not text."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from dbexpert.api.nplusone import find_nplusone
from dbexpert.sources.code import scan_paths
from tests.cli.test_cli import run
from tests.files import write_tree

LOOP = """\
def authors(session, posts):
    return [session.get(User, post.author_id) for post in posts]
"""


def _app(root: Path, files: int = 12) -> Path:
    tree = {f"app/module_{i}.py": LOOP for i in range(files)}
    tree["app/broken.py"] = "def broken(:\n"  # a file that does not parse still counts as scanned
    tree["app/notes.txt"] = "not code"  # not scanned, not counted
    return write_tree(root, tree) / "app"


def test_scan_paths_reports_each_file_once_in_order(tmp_path: Path) -> None:
    app = _app(tmp_path)
    seen: list[tuple[str, int, int]] = []
    scan = scan_paths([app], lambda file, done, total: seen.append((file, done, total)))
    assert scan.files == 13
    assert [done for _, done, _ in seen] == list(range(1, 14))
    assert {total for _, _, total in seen} == {13}
    assert sorted(file for file, _, _ in seen) == sorted(str(p) for p in app.glob("*.py"))


def test_unreadable_files_are_counted_too(tmp_path: Path) -> None:
    app = write_tree(tmp_path, {"app/ok.py": LOOP, "app/latin1.py": "x = 1\n"}) / "app"
    (app / "latin1.py").write_bytes(b"name = '\xe9'\n")  # not UTF-8: reported as a problem, still counted
    seen: list[int] = []
    scan = scan_paths([app], lambda _file, done, _total: seen.append(done))
    assert seen == [1, 2]
    assert any("cannot read" in p for p in scan.problems)


def test_find_nplusone_passes_progress_through(tmp_path: Path) -> None:
    app = _app(tmp_path, files=3)
    seen: list[tuple[int, int]] = []
    result = find_nplusone([app], progress=lambda _file, done, total: seen.append((done, total)))
    assert result.files == 4
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_piped_stderr_has_no_progress_text(tmp_path: Path) -> None:
    app = _app(tmp_path)
    result = run("nplusone", str(app))
    assert "Scanning" not in result.stderr
    assert "━" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dbexpert: error: ") and "broken.py" in lines[0]


def _stderr_on_a_terminal(*args: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal (stdout piped) and return what it drew there."""
    master, slave = pty.openpty()
    env = os.environ | {"TERM": "xterm", "COLUMNS": "100"}
    subprocess.run(
        [sys.executable, "-m", "dbexpert", *args], stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120
    )
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # Linux reports the closed slave as EIO
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return drawn.decode("utf-8", errors="replace")


def test_terminal_shows_files_scanned_out_of_total(tmp_path: Path) -> None:
    app = _app(tmp_path)
    drawn = _stderr_on_a_terminal("nplusone", str(app))
    assert "Scanning files" in drawn
    assert "13/13" in drawn


def test_terminal_stays_quiet_for_machine_formats(tmp_path: Path) -> None:
    app = _app(tmp_path)
    drawn = _stderr_on_a_terminal("nplusone", str(app), "--format", "json")
    assert "Scanning" not in drawn
    assert "13/13" not in drawn
