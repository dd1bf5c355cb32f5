#!/usr/bin/env bash
# The main job: validate and compile every example agent.
set -euo pipefail
cd "$(dirname "$0")/.."
al() { node apps/cli/dist/agentlang.js "$@"; }
for agent in examples/*; do
  [ -e "$agent" ] || continue
  echo "\$ agentlang validate $agent"
  al validate "$agent"
done
