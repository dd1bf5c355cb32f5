#!/usr/bin/env bash
# Installs everything AgentLang needs on a fresh Debian machine with Node 20: pnpm, bubblewrap
# (sandbox), docker-registry and skopeo (OCI tests), python3 and linux-libc-dev (sandbox escape
# tests), then the workspace with the frozen lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
# Isolation tests drive TIOCSTI/ptrace probes with the system python and read the kernel's syscall tables.
[ -x /usr/bin/python3 ] || missing+=(python3)
[ -f /usr/include/asm-generic/unistd.h ] || missing+=(linux-libc-dev)
command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pnpm install --frozen-lockfile
