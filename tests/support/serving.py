"""Local servers for the replicas, the tests and the benchmarks: free ports, a server in a thread, redis-server."""

import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

#: Settings of a crawl measured at full speed against a local replica (the benchmarks).
UNTHROTTLED = [
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "CONCURRENT_REQUESTS=16",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
]


def henan_crawl(url: str, database, *arguments: str) -> list[str]:
    """The command of `scrapy crawl henan` against a replica at `url`, into `database` (run it from the checkout)."""
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "henan",
        "-a",
        f"base_url={url}",
        "-s",
        f"GXCRAWL_DB={database}",
        *arguments,
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_in_thread(replica, handler: type, host: str, port: int, name: str) -> tuple[ThreadingHTTPServer, str]:
    """Serve `replica` with `handler` (which reads it as `self.replica`) in a background thread."""
    bound = type("Handler", (handler,), {"replica": replica})
    server = ThreadingHTTPServer((host, port), bound)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name=name).start()
    return server, f"http://{host}:{server.server_address[1]}"


def stop_server(server: ThreadingHTTPServer | None) -> None:
    if server:
        server.shutdown()
        server.server_close()


def wait_until_interrupted(replica) -> None:
    """Keep a replica served from the command line until Ctrl-C."""
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        replica.stop()


def start_redis(folder: str | Path, timeout: float = 10) -> tuple[subprocess.Popen, str]:
    """A private redis-server on a free port of 127.0.0.1, keeping nothing on disk; and its URL."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client, deadline = redis.Redis.from_url(url), time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return process, url
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"redis-server did not start on port {port}") from None
            time.sleep(0.05)
