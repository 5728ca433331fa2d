"""The dashboard's server: no connection leaves 127.0.0.1 (no telemetry, no version check, no
download of front-end files), and requests naming another host are refused (DNS rebinding)."""

import asyncio
import json
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from treugolnik.dashboard.serve import HostGuard, allowed_hosts

LOOPBACK = ("127.0.0.1", "::1", "localhost", None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, host=None):
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("solara")
    log = tmp_path_factory.mktemp("net") / "connections.jsonl"
    port = _free_port()
    # every outgoing connection and name lookup of the server process is logged (audit hook)
    code = textwrap.dedent(
        f"""
        import json, sys
        def hook(event, args):
            if event in ("socket.connect", "socket.getaddrinfo"):
                where = args[1] if event == "socket.connect" else args[0]
                with open({str(log)!r}, "a") as fh:
                    fh.write(json.dumps([event, repr(where)]) + "\\n")
        sys.addaudithook(hook)
        from treugolnik.dashboard.serve import main
        main({port})
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if _get(url)[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start")
    yield port, log
    proc.terminate()
    proc.wait(timeout=20)


def test_no_connection_leaves_the_loopback(server):
    port, log = server
    status, page = _get(f"http://127.0.0.1:{port}/")
    assert status == 200
    for src in ("/_solara/cdn/requirejs@2.3.6/require.js", "/static/main-vuetify.js"):
        assert _get(f"http://127.0.0.1:{port}{src}")[0] == 200
    # a front-end file missing locally is not downloaded: its upstream is a closed local port
    assert _get(f"http://127.0.0.1:{port}/_solara/cdn/nosuch@1.0.0/x.js")[0] >= 400
    time.sleep(2)  # (telemetry, when on, is sent from a thread at start)
    seen = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    assert any("127.0.0.1" in where for _, where in seen), "the audit hook saw nothing"
    away = [(e, w) for e, w in seen if not any(str(h) in w for h in LOOPBACK if h)]
    assert away == [], away


def test_a_foreign_host_header_is_refused(server):
    port, _ = server
    assert _get(f"http://127.0.0.1:{port}/", host=f"localhost:{port}")[0] == 200
    status, body = _get(f"http://127.0.0.1:{port}/", host=f"attacker.example:{port}")
    assert status == 403 and b"127.0.0.1 only" in body
    assert _get(f"http://127.0.0.1:{port}/", host="127.0.0.1:1")[0] == 403


def test_the_guard_closes_foreign_websockets():
    calls, sent = [], []

    async def app(scope, receive, send):
        calls.append(scope["type"])

    async def send(message):
        sent.append(message)

    guard = HostGuard(app, allowed_hosts(8765))
    ws = {"type": "websocket", "headers": [(b"host", b"evil.example:8765")]}
    asyncio.run(guard(ws, None, send))
    assert calls == [] and sent == [{"type": "websocket.close", "code": 1008}]
    ok = {"type": "websocket", "headers": [(b"host", b"127.0.0.1:8765")]}
    asyncio.run(guard(ok, None, send))
    assert calls == ["websocket"]
    asyncio.run(guard({"type": "lifespan"}, None, send))
    assert calls == ["websocket", "lifespan"]
