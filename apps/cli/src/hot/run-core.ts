// The `agentlang run` path as one CommonJS bundle (dist/hot/run-core.cjs), loaded through V8's
// code cache by hot-load.ts: compiling manifest + yaml + resolver + isolation + runner is most of
// what a cold `agentlang run` costs beyond node and bwrap themselves (measured: ~40 ms of ~190 ms).
// Export only what `agentlang run` needs; containers load lazily beside it.
export { loadAgent, sniffInput } from '@agentlang/manifest';
export { formatPlanText } from '@agentlang/resolver';
export { RunnerError, runAgent, signingKeyFromEnv } from '@agentlang/runner';
