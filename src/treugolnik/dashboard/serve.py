"""Serve the dashboard on 127.0.0.1 only, with nothing sent anywhere else.

``treugolnik dashboard`` runs ``python -m treugolnik.dashboard.serve PORT``. Before Solara is
imported, its settings are fixed through the environment of this process: no usage telemetry
(``SOLARA_TELEMETRY_MIXPANEL_ENABLE``), front-end files from the local copy only (the asset
proxy's upstream, ``SOLARA_ASSETS_CDN``, points at a closed port on the loopback, so a file
missing locally is an error and never a download), production mode. The version check of
``solara run`` is not run at all: the Starlette app is served by uvicorn directly.

Every request must name this server in its ``Host`` header (``127.0.0.1:PORT`` or
``localhost:PORT``): a page of another site whose name was made to resolve to 127.0.0.1 (DNS
rebinding) sends its own name and is refused with 403 before Solara sees it.
"""

from __future__ import annotations

import os
import sys

# what Solara reads from the environment (set before it is imported)
SOLARA_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # (port 9, discard: nothing listens)
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_MODE": "production",
    "SOLARA_APP": "treugolnik.dashboard.app",
}


def allowed_hosts(port: int) -> frozenset[bytes]:
    return frozenset(f"{name}:{port}".encode() for name in ("127.0.0.1", "localhost"))


class HostGuard:
    """ASGI middleware: only requests whose Host header is one of ``hosts`` pass."""

    def __init__(self, app, hosts: frozenset[bytes]):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            host = dict(scope.get("headers") or []).get(b"host", b"").lower()
            if host not in self.hosts:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = b"refused: this server answers requests for 127.0.0.1 only\n"
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [
                            (b"content-type", b"text/plain"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def main(port: int) -> None:
    os.environ.update(SOLARA_ENV)
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = "127.0.0.1", str(port)
    import warnings

    import uvicorn
    from solara.server.starlette import app

    # (Solara warns that its session cookie falls back to samesite=lax over plain http on
    # 127.0.0.1: lax is what a local dashboard wants)
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    uvicorn.run(
        HostGuard(app, allowed_hosts(port)), host="127.0.0.1", port=port, log_level="warning"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
