"""Issue 9, output side: no report overwrites an input, a device or a link; signals, full disks and
closed pipes end with one line (or none) and the right status; stdout has one owner; size limits.

Dangerous cases use FIFOs and device nodes made under the test's own folder, never real ones.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from compare.cli import parse_size
from compare.errors import CompareError, ExitStatus

from .conftest import FIXTURES, ROOT

A = FIXTURES / "summit_a.txt"
B = FIXTURES / "summit_b.txt"
FAST = ("--fast", "--no-color")


def _one_line_error(res, *needles: str) -> str:
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compare: error:"), res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(A, a)
    shutil.copy(B, b)
    return a, b


def _compare(*args: object, **kwargs) -> subprocess.Popen:
    """`python -m compare ARGS` as a real process (signals, pipes and devices need one)."""
    argv = [sys.executable, "-m", "compare", *(os.fsencode(a) if isinstance(a, (str, Path)) else a for a in args)]
    # Default signal handling in the child, whatever the test runner inherited (nohup ignores SIGHUP,
    # and an ignored signal stays ignored across exec: compare rightly leaves it so).
    return subprocess.Popen(argv, cwd=ROOT, preexec_fn=_default_signals, **kwargs)


def _default_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _make_char_device(path: Path, major: int, minor: int) -> None:
    """A device node of our own (1,3 = null, 1,7 = full); skip where that is not allowed or usable."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:  # not root, a container without CAP_MKNOD, or a nodev mount
        pytest.skip(f"cannot make a usable device node here: {exc.strerror}")


# 1. An output path that names an input (or the other output) is refused before any work.


@pytest.mark.parametrize("how", ["same path", "other spelling", "symlink", "hard link", "html"])
def test_item1_output_naming_an_input_is_refused(run_cli, tmp_path, how):
    a, b = _inputs(tmp_path)
    original = a.read_bytes()
    flag, target = "--json", a
    if how == "other spelling":
        target = tmp_path / "." / "a.txt"
    elif how == "symlink":
        target = tmp_path / "report.json"
        target.symlink_to(a)
    elif how == "hard link":
        target = tmp_path / "report.json"
        os.link(a, target)
    elif how == "html":
        flag, target = "--html", b
        original = b.read_bytes()
    before = sorted(os.listdir(tmp_path))
    line = _one_line_error(run_cli(a, b, *FAST, flag, target), str(target), f"{flag} names the input")
    assert "another output path" in line
    assert (b if how == "html" else a).read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink"])
def test_item1_json_and_html_naming_the_same_file_are_refused(run_cli, tmp_path, spelling):
    out = tmp_path / "report.out"
    other = {"same": out, "dotted": tmp_path / "sub" / ".." / "report.out", "symlink": tmp_path / "link.out"}[spelling]
    if spelling == "dotted":
        (tmp_path / "sub").mkdir()
    if spelling == "symlink":
        out.write_text("previous report", encoding="utf-8")
        other.symlink_to(out)
    _one_line_error(run_cli(A, B, *FAST, "--json", out, "--html", other), "--json and --html name the same file")
    if spelling == "symlink":
        assert out.read_text(encoding="utf-8") == "previous report"
    else:
        assert not out.exists()


# 3. Devices and FIFOs are written through; symlinks are followed, never replaced.


def _drain(fifo: Path) -> tuple[threading.Thread, dict[str, bytes]]:
    received: dict[str, bytes] = {}

    def read() -> None:
        with open(fifo, "rb") as fh:
            received["data"] = fh.read()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, received


def _release(fifo: Path, thread: threading.Thread) -> None:
    """Unblock the reader if compare never opened the FIFO (so a failing test cannot hang)."""
    thread.join(timeout=60)
    if thread.is_alive():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        thread.join(timeout=5)


@pytest.mark.parametrize("via_symlink", [False, True], ids=["fifo", "symlink-to-fifo"])
def test_item3_fifo_gets_the_report_and_stays_a_fifo(run_cli, tmp_path, via_symlink):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if via_symlink:
        target = tmp_path / "report.json"
        target.symlink_to(fifo)
    thread, received = _drain(fifo)
    res = run_cli(A, B, *FAST, "-q", "--json", target)
    _release(fifo, thread)
    assert res.exit_code == 0, res.stderr
    assert json.loads(received["data"])["schema"] == "compare/3"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    if via_symlink:
        assert target.is_symlink() and os.readlink(target) == str(fifo)
    assert sorted(os.listdir(tmp_path)) == sorted(["pipe"] + (["report.json"] if via_symlink else []))


@pytest.mark.parametrize("via_symlink", [False, True], ids=["device", "symlink-to-device"])
def test_item3_char_device_is_written_through_not_replaced(run_cli, tmp_path, via_symlink):
    null = tmp_path / "null"
    _make_char_device(null, 1, 3)
    target = null
    if via_symlink:
        target = tmp_path / "out.html"
        target.symlink_to(null)
    res = run_cli(A, B, *FAST, "-q", "--html", target)
    assert res.exit_code == 0, res.stderr
    st = os.lstat(null)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    if via_symlink:
        assert target.is_symlink()
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_item3_symlink_to_a_report_is_followed_not_replaced(run_cli, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    real = reports / "latest.json"
    real.write_text("previous report", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    dangling = tmp_path / "page.html"
    dangling.symlink_to(reports / "page.html")  # points to a file not made yet
    res = run_cli(A, B, *FAST, "-q", "--json", link, "--html", dangling)
    assert res.exit_code == 0, res.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text(encoding="utf-8"))["schema"] == "compare/3"
    assert dangling.is_symlink() and (reports / "page.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    assert sorted(os.listdir(reports)) == ["latest.json", "page.html"]


# 4. Signals: a status and one line, cleanup runs, the previous report survives.


def _pipe_pending(fd: int) -> int:
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


@pytest.mark.parametrize(
    ("signum", "status", "message"),
    [
        (signal.SIGINT, 130, "compare: interrupted"),
        (signal.SIGTERM, 143, "compare: terminated (SIGTERM)"),
        (signal.SIGHUP, 129, "compare: hangup (SIGHUP)"),
    ],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_item4_signal_while_reading_stdin(tmp_path, signum, status, message):
    out = tmp_path / "r.json"
    out.write_text("previous report", encoding="utf-8")
    proc = _compare("-", B, *FAST, "--json", out, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(b"The summit ended on Friday. ")
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        # Once compare has taken the bytes it is inside its run, blocked on the open pipe.
        while _pipe_pending(proc.stdin.fileno()) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status, err
    assert err.decode().splitlines() == [message]
    assert out.read_text(encoding="utf-8") == "previous report"
    assert os.listdir(tmp_path) == ["r.json"]


# Runs compare with the report's write stopped half-way by a signal to itself.
_SIGNAL_DURING_WRITE = """
import os, runpy, signal, sys, threading, time
import compare.output as output

def fill(fh, text):
    fh.write(text[: len(text) // 2])
    fh.flush()
    signal.pthread_kill(threading.main_thread().ident, int(os.environ["TEST_SIGNAL"]))
    while True:  # the handler raises here
        time.sleep(0.05)

output._fill = fill
runpy.run_module("compare", run_name="__main__")
"""


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_item4_signal_during_write_keeps_the_previous_report(tmp_path, signum, status):
    out = tmp_path / "r.html"
    out.write_text("previous report", encoding="utf-8")
    env = dict(os.environ, TEST_SIGNAL=str(int(signum)))
    res = subprocess.run(
        [sys.executable, "-c", _SIGNAL_DURING_WRITE, str(A), str(B), *FAST, "-q", "--html", str(out)],
        cwd=ROOT, env=env, capture_output=True, timeout=120,
    )
    assert res.returncode == status, res.stderr
    assert len(res.stderr.decode().splitlines()) == 1 and b"Traceback" not in res.stderr
    assert out.read_text(encoding="utf-8") == "previous report"
    assert os.listdir(tmp_path) == ["r.html"]  # the half-written temp file is gone


def test_item4_ctrl_c_status_is_returned_by_main(run_cli, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("compare.pipeline.compare_documents", interrupted)
    res = run_cli(A, B, *FAST)
    assert res.exit_code == ExitStatus.INTERRUPTED == 130
    assert res.stderr == "compare: interrupted\n"


# 10. Output names, full disks and closed pipes: one line each, or a quiet 141.


def test_item10_non_utf8_output_name(run_cli, tmp_path):
    name = os.fsdecode(b"caf\xe9.json")  # what Python makes of a Latin-1 name in argv
    res = run_cli(A, B, *FAST, "-q", "--json", tmp_path / name)
    assert res.exit_code == 0, res.stderr
    assert b"caf\xe9.json" in os.listdir(os.fsencode(tmp_path))
    missing = tmp_path / os.fsdecode(b"d\xe9") / "r.json"
    line = _one_line_error(run_cli(A, B, *FAST, "--json", missing), "does not exist")
    assert "d\\xe9" in line and "\udce9" not in line  # the byte is shown, not a lone surrogate


def test_item10_non_utf8_output_name_from_a_real_argv(tmp_path):
    proc = _compare(A, B, *FAST, "-q", "--json", os.fsencode(tmp_path) + b"/r\xff.json", stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert os.listdir(os.fsencode(tmp_path)) == [b"r\xff.json"]


def test_item10_error_lines_show_control_characters_escaped(run_cli, tmp_path):
    folder = tmp_path / "news\x1b]0;owned\x07"
    line = _one_line_error(run_cli(A, B, *FAST, "--json", folder / "r.json"), "does not exist")
    assert "\x1b" not in line and "\x07" not in line and "\\x1b]0;owned\\x07" in line


def test_item10_output_name_over_the_file_system_limit(run_cli, tmp_path):
    line = _one_line_error(run_cli(A, B, *FAST, "--json", tmp_path / ("x" * 300 + ".json")), "File name too long")
    assert "shorter name" in line
    assert os.listdir(tmp_path) == []
    longest = "y" * 250 + ".json"  # at the limit: the temp file beside it must still fit
    res = run_cli(A, B, *FAST, "-q", "--json", tmp_path / longest)
    assert res.exit_code == 0, res.stderr
    assert os.listdir(tmp_path) == [longest]


@pytest.mark.parametrize("extra", [(), ("--json", "-")], ids=["terminal", "json"])
def test_item10_stdout_on_a_full_disk(tmp_path, extra):
    full = tmp_path / "full"
    _make_char_device(full, 1, 7)
    with open(full, "wb") as stdout:
        proc = _compare(A, B, *FAST, *extra, stdout=stdout, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err.decode().splitlines() == [
        "compare: error: cannot write to standard output: No space left on device; free some space or write elsewhere"
    ]


@pytest.mark.parametrize("extra", [(), ("--json", "-"), ("--html", "-")], ids=["terminal", "json", "html"])
def test_item10_closed_pipe_ends_quietly_with_141(extra):
    proc = _compare(A, B, *FAST, *extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before compare writes (`compare a b | head -0`)
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == ExitStatus.BROKEN_PIPE == 141
    assert err == b""  # no message, no "Exception ignored ... BrokenPipeError"


def _with_closed(fd: int, *args: object, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`compare ARGS` started with file descriptor `fd` closed (`>&-` or `2>&-` in a shell)."""
    argv = ["sh", "-c", f'exec "$@" {fd}>&-', "sh", sys.executable, "-m", "compare", *map(str, args)]
    return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=120)


def test_item10_closed_stdout_or_stderr(tmp_path):
    res = _with_closed(1, A, B, *FAST)
    assert res.returncode == 2
    assert res.stderr.decode().splitlines() == [
        "compare: error: cannot write to standard output: it is closed; redirect it, e.g. > report.txt"
    ]
    out = tmp_path / "r.json"
    assert _with_closed(1, A, B, *FAST, "-q", "--json", out).returncode == 0  # stdout not needed
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "compare/3"
    res = _with_closed(2, A, tmp_path / "missing.txt", *FAST)
    assert res.returncode == 2 and res.stdout == b""  # the status still tells; nothing spills onto stdout
    res = _with_closed(2, A, B, *FAST)
    assert res.returncode == 0 and "summit_a ↔ summit_b" in res.stdout.decode()


# 13. Standard output has one owner.


def test_item13_two_outputs_on_stdout_are_refused(run_cli):
    res = run_cli(A, B, *FAST, "--json", "-", "--html", "-")
    _one_line_error(res, "--json and --html both write to standard output")
    assert res.stdout == ""


@pytest.mark.skipif(not os.path.exists("/proc/self/fd/1"), reason="no /proc/self/fd on this system")
def test_item13_a_path_to_stdout_counts_as_stdout(tmp_path):
    # Like /dev/stdout, but our own link: a regression must not be able to replace the system's.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    proc = _compare(A, B, *FAST, "--json", "-", "--html", link, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and out == b""
    assert b"both write to standard output" in err and len(err.splitlines()) == 1
    assert link.is_symlink()


@pytest.mark.parametrize("flag", ["--json", "--html"])
def test_item13_an_output_on_stdout_replaces_the_terminal_report(run_cli, flag):
    res = run_cli(A, B, *FAST, flag, "-")
    assert res.exit_code == 0, res.stderr
    if flag == "--json":
        assert json.loads(res.stdout)["schema"] == "compare/3"
    else:
        assert res.stdout.startswith("<!doctype html>") and res.stdout.rstrip().endswith("</html>")
    assert "summit_a ↔ summit_b" not in res.stdout


@pytest.mark.parametrize("flag", ["--json", "--html"])
def test_item13_empty_output_path_is_a_usage_error(run_cli, flag):
    res = run_cli(A, B, *FAST, flag, "")
    _one_line_error(res, f"{flag} needs a file name")
    assert res.stdout == ""


# 6. --max-bytes and --max-sentences reach CompareOptions.


@pytest.mark.parametrize(
    ("text", "size"),
    [("20000000", 20_000_000), ("20M", 20_000_000), ("500k", 500_000), ("1G", 1_000_000_000), ("1.5M", 1_500_000),
     ("64MB", 64_000_000)],
)
def test_item6_sizes_are_decimal(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("value", ["12X", "-5", "", "twenty", "0"])
def test_item6_bad_max_bytes_is_one_line(run_cli, value):
    _one_line_error(run_cli(A, B, *FAST, "--max-bytes", value), "--max-bytes")


def test_item6_limits_reach_the_options(run_cli, monkeypatch):
    seen = []

    def capture(files, options, **kwargs):
        seen.append(options)
        raise CompareError("stop here")

    monkeypatch.setattr("compare.pipeline.compare_documents", capture)
    run_cli(A, B, *FAST, "--max-bytes", "5M", "--max-sentences", "300")
    run_cli(A, B, *FAST)
    assert (seen[0].max_bytes, seen[0].max_sentences) == (5_000_000, 300)
    assert (seen[1].max_bytes, seen[1].max_sentences) == (20_000_000, 20_000)  # the documented defaults
    _one_line_error(run_cli(A, B, *FAST, "--max-sentences", "0"), "--max-sentences")


def test_item6_flags_set_the_limits_a_run_enforces(run_cli):
    _one_line_error(run_cli(A, B, *FAST, "--max-bytes", "100"), "summit_a.txt", "--max-bytes")
    _one_line_error(run_cli(A, B, *FAST, "--max-sentences", "3"), "summit_a.txt", "--max-sentences")
    res = run_cli(A, B, *FAST, "-q", "--max-bytes", "1K", "--max-sentences", "9")  # 300 and 438 bytes; 6 and 9
    assert res.exit_code == 0, res.stderr


def test_item6_help_names_the_limits_and_how_to_raise_them(run_cli):
    res = run_cli("--help")
    assert "--max-bytes" in res.stdout and "default 20M" in res.stdout
    assert "--max-sentences" in res.stdout and "default 20,000" in res.stdout
