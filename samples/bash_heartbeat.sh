#!/usr/bin/env bash
# A bash job that heartbeats sup over UDP with bash's /dev/udp, no tools needed.
#
#   SUP_OSC_HOST  sup's OSC address (sup sets it for its jobs; default 127.0.0.1)
#   SUP_OSC_PORT  sup's OSC port (sup sets it for its jobs; default 3002)
#   SUP_JOB       job name; when set, sends an OSC "/heart <job>" message,
#                 else the bare "heart" datagram ampm understands (sup then
#                 picks the only job with a heartbeat configured)
#   HEARTBEAT_S   seconds between heartbeats (default 1; fractions allowed)
set -u
host="${SUP_OSC_HOST:-127.0.0.1}"
port="${SUP_OSC_PORT:-3002}"
job="${SUP_JOB:-}"
interval="${HEARTBEAT_S:-1}"

# OSC strings end with a NUL and are padded with NULs to a multiple of 4 bytes.
# Prints the printf format for one padded string.
osc_string() {
  local s="$1" pad
  pad=$(( 4 - ${#s} % 4 ))
  printf '%s' "$s"
  printf '\\0%.0s' $(seq 1 "$pad")
}

if [ -n "$job" ]; then
  format="$(osc_string /heart)$(osc_string ,s)$(osc_string "${job//%/%%}")"
else
  format='heart'
fi

trap 'exit 0' TERM INT
while true; do
  # A failed send (sup not up yet) is not fatal: try again next beat.
  printf "$format" > "/dev/udp/$host/$port" 2>/dev/null || true
  sleep "$interval"
done
