#!/usr/bin/env python3
"""A Python 3 app that talks to sup with only the standard library.

- Heartbeats as OSC 1.0 messages over UDP (``/heart <job>``), encoded by hand
  with ``struct``, plus one ``/log info <message> <job>`` at start.
- Registers itself over HTTP (``POST /api/apps``, Digi appmonitor style) with
  ``urllib``, refreshes that registration with every heartbeat, and
  unregisters on SIGTERM.

Environment:
  SUP_OSC_HOST   sup's OSC address (default 127.0.0.1)
  SUP_OSC_PORT   sup's OSC port (default 3002)
  SUP_HTTP_URL   sup's HTTP API (default http://127.0.0.1:8888)
  SUP_JOB        job name sent with each heartbeat (optional: with none, sup
                 picks the only job with a heartbeat configured)
  sup sets the four SUP_ variables for every job: run as a job, nothing to set.
  HEARTBEAT_S    seconds between heartbeats (default 1)
  REGISTER       "0" to skip self-registration (default "1")
"""

import json
import os
import signal
import socket
import struct
import sys
import time
import urllib.error
import urllib.request

OSC_HOST = os.environ.get("SUP_OSC_HOST", "127.0.0.1")
OSC_PORT = int(os.environ.get("SUP_OSC_PORT", "3002"))
HTTP = os.environ.get("SUP_HTTP_URL", "http://127.0.0.1:8888").rstrip("/")
JOB = os.environ.get("SUP_JOB", "")
INTERVAL = float(os.environ.get("HEARTBEAT_S", "1"))
REGISTER = os.environ.get("REGISTER", "1") != "0"


def osc_string(text: str) -> bytes:
    """An OSC string: UTF-8, NUL-terminated, padded with NULs to 4 bytes."""
    data = text.encode("utf-8") + b"\0"
    return data + b"\0" * (-len(data) % 4)


def osc_message(address: str, *args) -> bytes:
    """Encodes an OSC message; args may be str (s), int (i) or float (f)."""
    tags = ","
    payload = b""
    for arg in args:
        if isinstance(arg, str):
            tags += "s"
            payload += osc_string(arg)
        elif isinstance(arg, int):
            tags += "i"
            payload += struct.pack(">i", arg)
        elif isinstance(arg, float):
            tags += "f"
            payload += struct.pack(">f", arg)
        else:
            raise TypeError(f"OSC argument {arg!r} is not a str, int or float")
    return osc_string(address) + osc_string(tags) + payload


def http_json(method: str, path: str, body=None):
    """Sends a JSON request to sup's API; returns (status, parsed body or None)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        HTTP + path, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main() -> int:
    udp = socket.socket(socket.AF_INET6 if ":" in OSC_HOST else socket.AF_INET, socket.SOCK_DGRAM)
    job_args = (JOB,) if JOB else ()
    heart = osc_message("/heart", *job_args)
    app_id = None

    def stop(_signum, _frame):
        if app_id is not None:
            http_json("DELETE", f"/api/apps/{app_id}")
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    udp.sendto(osc_message("/log", "info", f"python sample started (pid {os.getpid()})", *job_args),
               (OSC_HOST, OSC_PORT))
    if REGISTER:
        status, answer = http_json("POST", "/api/apps", {
            "name": (JOB or "python") + "-self",
            "timeout": f"{max(INTERVAL * 5, 1)}s",
            "action": "none",
            "pid": os.getpid(),
        })
        if status != 201:
            print(f"registration refused ({status}): {answer}", file=sys.stderr, flush=True)
        else:
            app_id = answer["id"]
            print(f"registered as {app_id}", flush=True)

    while True:
        udp.sendto(heart, (OSC_HOST, OSC_PORT))
        if app_id is not None:
            status, _ = http_json("POST", f"/api/apps/{app_id}/refresh")
            if status == 404:  # sup forgot us (e.g. restarted without state): register again later
                app_id = None
        time.sleep(INTERVAL)


if __name__ == "__main__":
    sys.exit(main())
