"""A web site on 127.0.0.1 whose pages never come (robots.txt answers 404): a run fetching from
it is stuck in a known place, so a test can signal it there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextmanager
def slow_site() -> Iterator[tuple[str, threading.Event]]:
    """(base URL, an event set when a page is first asked for); pages hang until the block ends."""
    asked, release = threading.Event(), threading.Event()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                self.send_response(404)
                self.end_headers()
                return
            asked.set()
            release.wait(60)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def terminated_while_fetching(stories: Path, args: list[str]) -> tuple[int, str]:
    """Run `compare batch STORIES ARGS...` with a story of slow pages added to STORIES, send it
    SIGTERM once it is waiting for one, and return its exit status and stderr."""
    import os
    import signal
    import subprocess
    import sys

    from .conftest import ROOT

    with slow_site() as (base, asked):
        (stories / "web").mkdir()
        (stories / "web" / "urls.txt").write_text(f"{base}/a\n{base}/b\n", encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "compare", "batch", str(stories), "--allow-private", *args],
            cwd=ROOT, env={**os.environ, "CI": "true"}, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert asked.wait(120), "the batch never reached the slow page"
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return proc.returncode, err
