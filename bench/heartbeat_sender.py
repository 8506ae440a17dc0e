"""Heartbeat load for bench/heartbeat_bench.ts: `/heart app-<i>` OSC messages
from <apps> simulated apps, round-robin, paced to <rate> per second for
<seconds>. Prints the number sent. Python's sendto is the cheapest sender
available on every machine here (one syscall per datagram, no event loop)."""
import socket
import sys
import time


def osc_string(text):
    raw = text.encode() + b"\0"
    return raw + b"\0" * (-len(raw) % 4)


def main():
    port, rate, seconds, apps = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    msgs = [osc_string("/heart") + osc_string(",s") + osc_string(f"app-{i}") for i in range(apps)]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    addr = ("127.0.0.1", port)
    sent = 0
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        due = min(int(elapsed * rate), int(seconds * rate))
        while sent < due:
            sock.sendto(msgs[sent % apps], addr)
            sent += 1
    print(sent)


main()
