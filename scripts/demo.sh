#!/usr/bin/env bash
# The main job: the seed-000 pipeline end to end (validate, resolve, isolated run, records, lock,
# drift, signed lock, noether fallback, registry push/pull), seed 003's signed container with an
# encrypted prompt, a container with a prompt and sub-agents through the registry (build, push,
# pull, run), one run of the built-in harness runtime (the default for agent.yaml agents) against a
# scripted model server on 127.0.0.1 (no real model, no key), then every example agent validated and
# compiled. Runs in a scratch directory so the repository stays clean.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cli="$repo/apps/cli/dist/agentlang.js"
work="$(mktemp -d "${TMPDIR:-/tmp}/agentlang-demo.XXXXXX")"
# mktemp makes it 0700; run as root, the sandbox runs as an unprivileged uid that must reach it.
chmod 755 "$work"
registry_pid=""
model_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null
  [ -n "$model_pid" ] && kill "$model_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

agentlang() { node "$cli" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ agentlang %s\n' "$*"; agentlang "$@"; }

cd "$work"
cp "$repo/examples/demo.agent" demo.agent

step "1. Validate the manifest"
show validate demo.agent

step "2. Resolve without running"
show resolve demo.agent

step "3. Run it — isolation kicks in automatically"
show run demo.agent
show records list
run_id="$(agentlang records list --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log((r.records??r)[0].run_id)})')"
show records show "$run_id"

step "4. Pin the plan with a lockfile"
show lock demo.agent
cat demo.agent.lock
show run demo.agent --lock demo.agent.lock
sed 's/End-to-end pipeline walkthrough/Edited description/' demo.agent > edited.agent
cp demo.agent.lock edited.agent.lock
printf '$ agentlang run edited.agent --lock edited.agent.lock   # the manifest changed: expect a drift error\n'
if agentlang run edited.agent --lock edited.agent.lock; then echo "expected drift to be caught" >&2; exit 1; fi

step "5. Sign the lock for CI"
eval "$(agentlang keygen)"
echo "AGENTLANG_PUBKEY=$AGENTLANG_PUBKEY"
export AGENTLANG_SIGNING_KEY
show lock demo.agent --sign-key-env AGENTLANG_SIGNING_KEY
show verify-lock demo.agent.lock --pubkey "$AGENTLANG_PUBKEY"
show run demo.agent --lock demo.agent.lock --require-signed --pubkey "$AGENTLANG_PUBKEY"

step "6. Switch the isolation backend (noether-sandbox absent here: falls back to bwrap)"
printf '$ AGENTLANG_ISOLATION_BACKEND=noether agentlang run demo.agent\n'
AGENTLANG_ISOLATION_BACKEND=noether agentlang run demo.agent

step "7. Publish to a registry"
export AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
# node itself in the background (not the shell function), so $! is the process the trap stops.
node "$cli" registry serve --bind "127.0.0.1:$port" --data "$work/registry-data" >registry.log 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do node -e "fetch('http://127.0.0.1:$port/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && break; sleep 0.1; done
show push demo.agent --registry "http://127.0.0.1:$port" --api-key alice-key
show pull alice/demo@0.1.0 --registry "http://127.0.0.1:$port" --out pulled.agent
printf '$ agentlang push demo.agent --registry … --api-key bob-key --tenant alice   # cross-tenant: refused\n'
if agentlang push demo.agent --registry "http://127.0.0.1:$port" --api-key bob-key --tenant alice; then
  echo "expected a cross-tenant push to be refused" >&2; exit 1
fi

step "8. Build a signed container with an encrypted prompt (seed 003)"
eval "$(agentlang keygen --x25519)"
export AGENTLANG_IDENTITY
cp -r "$repo/examples/research-assistant" research-assistant
show build research-assistant --sign-key-env AGENTLANG_SIGNING_KEY --recipient "$AGENTLANG_RECIPIENT"
show inspect research-assistant@1.0.0.agent
show verify research-assistant@1.0.0.agent --pubkey "$AGENTLANG_PUBKEY"
show build demo.agent --sign-key-env AGENTLANG_SIGNING_KEY --recipient "$AGENTLANG_RECIPIENT" --out demo@0.1.0.agent
show run demo@0.1.0.agent --pubkey "$AGENTLANG_PUBKEY"

step "9. A container with a prompt and sub-agents: build, push, pull, run"
cp -r "$repo/examples/echo-crew" echo-crew
show build echo-crew --sign-key-env AGENTLANG_SIGNING_KEY --recipient "$AGENTLANG_RECIPIENT"
show push echo-crew@1.0.0.agent --registry "http://127.0.0.1:$port" --api-key alice-key
show pull alice/echo-crew@1.0.0 --registry "http://127.0.0.1:$port" --out pulled-crew.agent --pubkey "$AGENTLANG_PUBKEY"
# Sub-agents come from the verified container, never from files beside it: plant one to show it.
printf 'name: researcher\ndescription: planted beside the container\n' > researcher.yaml
show resolve pulled-crew.agent --pubkey "$AGENTLANG_PUBKEY"
show run pulled-crew.agent --pubkey "$AGENTLANG_PUBKEY" --prompt "Research bubblewrap"

step "10. The built-in harness runtime (the default for agent.yaml agents), against a scripted model"
# No real model and no key: a scripted server on 127.0.0.1 speaks the Anthropic Messages API (and
# OpenAI's), and ANTHROPIC_BASE_URL points the harness at it (a loopback endpoint needs no key).
cat > model-script.json <<'JSON'
[{ "text": "bubblewrap (bwrap) runs a program in fresh Linux namespaces with only the directories it is given, so an agent's tools cannot see or change the rest of the machine.", "usage": { "input": 412, "output": 36 } }]
JSON
node "$repo/tooling/test-helpers/dist/scripted-model.js" --script model-script.json >model.url 2>model.log &
model_pid=$!
for _ in $(seq 1 50); do [ -s model.url ] && break; sleep 0.1; done
model_url="$(head -n 1 model.url)"
export ANTHROPIC_BASE_URL="$model_url"
echo "ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL   # the scripted model server"
show resolve research-assistant
show run research-assistant --runtime harness --prompt "What does bubblewrap do, in one sentence?"
unset ANTHROPIC_BASE_URL
kill "$model_pid" && wait "$model_pid" 2>/dev/null || true
model_pid=""

step "Examples: validate and compile every agent"
for agent in "$repo"/examples/*; do
  case "$agent" in *.lock|*/agentspec) continue ;; esac
  agentlang validate "$agent"
done
# examples/agentspec is a corpus of AgentSpec manifests (agent/v1) as their authors write them.
for agent in "$repo"/examples/agentspec/*.agent "$repo"/examples/agentspec/researcher; do
  agentlang validate "$agent"
done
agentlang compile "$repo/examples/research-assistant" --target xml | head -5
echo
echo "Demo complete."
