#!/usr/bin/env bash
# Quick start: set everything up, build, and run the main job (the seed demo) end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm build
bash scripts/demo.sh
