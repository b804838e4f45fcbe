#!/usr/bin/env bash
# Installs what K8shell needs from Debian and builds nats-server once.
# Idempotent and quiet when everything is present; caches under .tools/ (git-ignored).
# Works on a fresh Debian 12 machine as root; as another user it uses sudo when it must install.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

# Debian package → a file that proves it is installed. npm: the Sessions build vendors asciinema-player;
# chromium and tesseract: the replay page test screenshots the page and reads the terminal back;
# python3-jsonschema: the AppHost tests check its manifest against Aspire's schema.
declare -A packages=(
  [asciinema]=/usr/bin/asciinema
  [chromium]=/usr/bin/chromium
  [golang-go]=/usr/bin/go
  [golang-github-nats-io-nats-server-dev]=/usr/share/gocode/src/github.com/nats-io/nats-server/main.go
  [npm]=/usr/bin/npm
  [openssh-client]=/usr/bin/ssh
  [openssh-sftp-server]=/usr/lib/openssh/sftp-server
  [openssh-server]=/usr/sbin/sshd
  [postgresql]=/usr/lib/postgresql/15/bin/initdb
  [python3-argon2]=/usr/lib/python3/dist-packages/argon2/__init__.py
  [python3-bcrypt]=/usr/lib/python3/dist-packages/bcrypt/__init__.py
  [python3-jsonschema]=/usr/lib/python3/dist-packages/jsonschema/__init__.py
  [python3-paramiko]=/usr/lib/python3/dist-packages/paramiko/__init__.py
  [python3-asyncssh]=/usr/lib/python3/dist-packages/asyncssh/__init__.py
  [sqlite3]=/usr/bin/sqlite3
  [ssh-audit]=/usr/bin/ssh-audit
  [tesseract-ocr]=/usr/bin/tesseract
  [tesseract-ocr-eng]=/usr/share/tesseract-ocr/5/tessdata/eng.traineddata
  [tmux]=/usr/bin/tmux
  [tshark]=/usr/bin/tshark
)

# A script that needs more (bench/profile.sh: linux-perf) names it the same way: package=file arguments.
for extra in "$@"; do
  packages[${extra%%=*}]=${extra#*=}
done

missing=()
for package in "${!packages[@]}"; do
  [ -e "${packages[$package]}" ] || missing+=("$package")
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "prereqs: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark's wireshark-common asks whether non-root users may capture; the recording tests only read
  # files (tshark -r), so answer no up front and the install never stops at a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update -qq >/dev/null
  # --no-install-recommends keeps openssh-server from pulling in extras; sshd is started only by bench/.
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # openssh-server's and postgresql's packages enable system services the project never needs running:
  # bench/ starts its own sshd, the tests their own PostgreSQL (tests/K8shell.Testing/PostgresServer.cs).
  for unit in ssh postgresql; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$unit" 2>/dev/null; then
      as_root systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
fi

# nats-server from Debian's source package (DESIGN.md): the registry has no binary for it.
if [ ! -x "$bin/nats-server" ]; then
  echo "prereqs: building nats-server into $bin" >&2
  gocache="$tools/go-cache"
  mkdir -p "$gocache"
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$gocache" GOFLAGS= \
    go build -o "$bin/nats-server.tmp" github.com/nats-io/nats-server
  mv "$bin/nats-server.tmp" "$bin/nats-server"
fi

if ! command -v dotnet >/dev/null; then
  echo "prereqs: the .NET 10 SDK is required (dotnet on PATH); Debian does not package it." >&2
  exit 1
fi
