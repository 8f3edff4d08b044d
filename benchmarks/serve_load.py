"""Load and faults of ``wxtime serve`` on loopback: many operators at once, and clients that go away.

The server runs as its own process (``python -m wxtime serve --port 0``, its private folder in
a temporary directory this script owns), and is driven over HTTP by plain sockets, as a
browser would: the upload page (for the CSRF cookie and token), the upload, the "what was
read" page, the decision form, the decision page.

1. **Burst**: ``--clients`` (20) operators upload the same ``--pushes`` (10,000)-push sheet at
   once and each takes the decision page; every page must name the file's true best slot.
   Reported: the median and 95th percentile of the seconds from starting the upload to
   holding the decision page, the wall time of the burst, and the server's resident memory
   just started, warm (after one result), at its peak (``VmHWM``) and some seconds after
   each burst; ``--bursts`` (3) in a row, to see whether the server keeps growing (it keeps
   every result's page for its lifetime, about 0.1 MB each here, up to 100).
2. **Reference**: ``wxtime report`` on the same file as a process, ``--repeats`` times
   (median).
3. **Faults**: a client that disconnects halfway through its upload leaves no file in the
   server's private folder; an upload declaring more than the limit is refused at once.

Bounded: every socket has a timeout, the burst is one round, and the script stops the server
at the end whatever happens. Linux only (memory from ``/proc``).

Usage: .venv/bin/python benchmarks/serve_load.py [--clients 20] [--pushes 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

TIMEOUT = 600  # seconds, for any one request
SLOTS = {"07:30": 0.050, "08:00": 0.052, "12:00": 0.062, "12:30": 0.056, "18:00": 0.045, "21:00": 0.055}


def make_sheet(path: Path, pushes: int, seed: int = 2026) -> str:
    """An operator's sheet (Chinese headers, a title column), one push a day at a random slot,
    content noise; returns the true best slot."""
    rng = np.random.default_rng(seed)
    order = rng.choice(list(SLOTS), pushes)
    delivered = rng.integers(8000, 12000, pushes)
    rate = np.array([SLOTS[s] for s in order]) * np.exp(rng.normal(0, 0.15, pushes))
    pd.DataFrame(
        {
            "日期": pd.date_range("1999-01-01", periods=pushes, freq="D").strftime("%Y-%m-%d"),
            "发送时间": order,
            "送达人数": delivered,
            "打开人数": rng.binomial(delivered, np.clip(rate, 0, 1)),
            "标题": [f"第{i + 1}期" for i in range(pushes)],
        }
    ).to_csv(path, index=False)
    return max(SLOTS, key=SLOTS.get)


# -- the server --------------------------------------------------------------------------
class Server:
    """``wxtime serve`` as a process, with its temporary folder and its memory."""

    def __init__(self, folder: Path):
        self.folder = folder
        env = {**os.environ, "TMPDIR": str(folder), "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wxtime", "serve", "--port", "0", "--max-upload-mb", "50"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        first = self.process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        if match is None:
            self.stop()
            raise RuntimeError(f"the server did not start: {first!r}")
        self.port = int(match.group(1))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for _ in self.process.stdout:
            pass

    def memory(self) -> dict:
        """Resident MB now and at the peak so far (VmRSS, VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, flags=re.M))
        return {key: int(value) / 1024 for key, value in found.items()}

    def files(self) -> list[Path]:
        """Every file in the server's private folder."""
        return [p for p in self.folder.rglob("*") if p.is_file()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- a browser, by hand ------------------------------------------------------------------
class Operator:
    """One browser: its cookies and CSRF token, and the requests the pages make."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            if self.cookie:
                sent["Cookie"] = self.cookie
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("set-cookie") or []:
                pair = value.split(";", 1)[0]
                if pair.startswith("wxtime_csrf="):
                    self.cookie = pair
            return response.status, response.headers, data.decode("utf-8", "replace")
        finally:
            connection.close()

    def open_upload_page(self) -> None:
        status, _, page = self.request("GET", "/")
        assert status == 200, status
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def upload_body(self, path: Path) -> tuple[bytes, bytes, bytes, str]:
        """The multipart body as the upload form sends it: (head, file, tail, content type)."""
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{self.csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        return head, path.read_bytes(), tail, f"multipart/form-data; boundary={boundary}"

    def decision(self, path: Path) -> tuple[float, str]:
        """Upload, read, decide, open the page: (seconds, the page's headline)."""
        self.open_upload_page()
        head, content, tail, kind = self.upload_body(path)
        start = time.perf_counter()
        status, headers, _ = self.request("POST", "/upload", head + content + tail, {"Content-Type": kind})
        assert status == 303, status
        job = headers["location"]
        status, _, page = self.request("GET", job)
        assert status == 200, status
        form = f"csrf={self.csrf}&account=subscription&metric=open&lang=en".encode()
        status, headers, _ = self.request(
            "POST", f"{job}/decide", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 303, status
        status, _, page = self.request("GET", headers["location"])
        seconds = time.perf_counter() - start
        assert status == 200, status
        return seconds, html.unescape(re.search(r'class="headline">([^<]+)<', page).group(1))


# -- the measurements --------------------------------------------------------------------
def burst(server: Server, path: Path, clients: int) -> dict:
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(lambda _: Operator(server.port).decision(path), range(clients)))
    wall = time.perf_counter() - start
    seconds = sorted(s for s, _ in done)
    return {
        "seconds": seconds,
        "headlines": [h for _, h in done],
        "median": statistics.median(seconds),
        "p95": float(np.percentile(seconds, 95)),
        "wall": wall,
    }


def abandoned_upload(server: Server, path: Path) -> dict:
    """Send half an upload, then hang up: the half-written file must go."""
    operator = Operator(server.port)
    operator.open_upload_page()
    head, content, tail, kind = operator.upload_body(path)
    size = len(head) + len(content) + len(tail)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    request = (
        f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {operator.cookie}\r\n"
        f"Content-Type: {kind}\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    sock.sendall(request + head + content[: len(content) // 2])
    deadline = time.monotonic() + 10
    while not server.files() and time.monotonic() < deadline:
        time.sleep(0.05)
    during = len(server.files())
    sock.close()
    deadline = time.monotonic() + 10
    while server.files() and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"files_during": during, "files_after": len(server.files())}


def oversized_upload(server: Server) -> dict:
    """Declare 60 MB (the limit is 50 MB): refused before the body is read."""
    operator = Operator(server.port)
    operator.open_upload_page()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    start = time.perf_counter()
    sock.sendall(
        (
            f"POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nCookie: {operator.cookie}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n"
            f"Content-Length: {60 * 1024 * 1024}\r\n\r\n"
        ).encode()
    )
    answer = sock.recv(200).decode("latin-1")
    seconds = time.perf_counter() - start
    sock.close()
    return {"status": answer.split(" ", 2)[1] if answer else "none", "seconds": seconds}


def report_reference(path: Path, repeats: int) -> float:
    """``wxtime report`` on the same file as a process (median seconds)."""
    wxtime = str(Path(sys.executable).parent / "wxtime")
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(
                [wxtime, "report", str(path), "-o", f"{out}/page.html"],
                check=True,
                capture_output=True,
                env={**os.environ, "MPLBACKEND": "Agg"},
                timeout=TIMEOUT,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="operators uploading at once (default: 20)")
    parser.add_argument("--pushes", type=int, default=10_000, help="pushes in the sheet (default: 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of wxtime report (default: 3)")
    parser.add_argument("--bursts", type=int, default=3, help="bursts, one after the other (default: 3)")
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds before memory is read after the burst"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        sheet = work / "pushes_10k.csv"
        best = make_sheet(sheet, args.pushes)
        folder = work / "server"
        folder.mkdir()
        server = Server(folder)
        try:
            started = server.memory()["VmRSS"]
            warm_seconds, warm_headline = Operator(server.port).decision(sheet)
            time.sleep(args.settle)
            warm = server.memory()["VmRSS"]
            bursts, after = [], []
            for _ in range(args.bursts):  # more than one: does the server keep growing?
                bursts.append(burst(server, sheet, args.clients))
                time.sleep(args.settle)
                after.append(server.memory()["VmRSS"])
            peak = server.memory()["VmHWM"]
            left = len(server.files())
            abandoned = abandoned_upload(server, sheet)
            oversized = oversized_upload(server)
        finally:
            server.stop()
        reference = report_reference(sheet, args.repeats)
    right = sum(best in h for b in bursts for h in b["headlines"])
    result = bursts[0]
    print(
        f"sheet: {args.pushes:,} pushes, {len(SLOTS)} slots, true best {best}; first result {warm_headline!r}"
    )
    print(f"one operator alone (warm-up): {warm_seconds:.2f} s")
    print(
        f"burst of {args.clients}: all succeeded; per result median {result['median']:.2f} s, p95 "
        f"{result['p95']:.2f} s (min {result['seconds'][0]:.2f}, max {result['seconds'][-1]:.2f}); "
        f"burst wall {result['wall']:.1f} s; {right}/{args.bursts * args.clients} pages name {best}"
    )
    for i, later in enumerate(bursts[1:], start=2):
        print(
            f"  burst {i}: median {later['median']:.2f} s, p95 {later['p95']:.2f} s, "
            f"wall {later['wall']:.1f} s"
        )
    print(f"wxtime report on the same file (process, median of {args.repeats}): {reference:.2f} s")
    print(
        f"server memory: started {started:.0f} MB, warm {warm:.0f} MB, peak {peak:.0f} MB; "
        f"{args.settle:g} s after each burst: "
        + ", ".join(f"{a:.0f} MB ({a - warm:+.0f})" for a in after)
        + f"; files left in its folder: {left}"
    )
    print(
        f"client hanging up mid-upload: {abandoned['files_during']} file(s) while sending, "
        f"{abandoned['files_after']} after; 60 MB declared: HTTP {oversized['status']} in "
        f"{oversized['seconds'] * 1000:.0f} ms"
    )
    ok = (
        right == args.bursts * args.clients
        and abandoned["files_after"] == 0
        and left == 0
        and oversized["status"] == "413"
        and after[0] - warm <= 50
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
