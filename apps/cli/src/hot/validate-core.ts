// The validate hot path as one CommonJS bundle (dist/hot/validate-core.cjs), loaded through V8's
// code cache by hot-load.ts. Export only what `agentlang validate` needs.
export { formatDiagnostic, loadAgent, ManifestError, sniffInput } from '@agentlang/manifest';
