#!/usr/bin/env bash
# http-check PORT PATH: exit 0 when GET http://127.0.0.1:PORT/PATH answers 2xx, 1 otherwise.
# Container health checks use it: the JRE image has bash but no curl or wget.
set -euo pipefail
port="$1"
path="$2"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
read -r -t 5 _ status _ <&3
[[ "$status" == 2* ]]
