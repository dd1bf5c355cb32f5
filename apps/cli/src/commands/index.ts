import { type CommandSpec, defineCommand, type OptionDeclarations } from '../command.js';

// Every verb of `agentlang`, declared once: its summary, positionals and options. Help, usage
// errors and the typed values each command receives are generated from these declarations
// (src/arguments.ts). This file is data only: it is in every verb's bundle, so it imports no code.

/**
 * The resolver flags `resolve`, `lock`, `run`, `build` and `publish` share: a lock only matches a
 * plan resolved the same way, so the verbs must read them identically (src/resolve-flags.ts).
 */
export const RESOLVE_FLAGS = {
  strict: {
    type: 'boolean',
    description: 'unknown models and anything missing (runtime binary, dependency, credentials) fail',
  },
  catalog: {
    type: 'string',
    placeholder: 'DIR',
    multiple: true,
    description: 'a local tool catalog (DIR/<tool>/<version>.json), searched before built-ins',
  },
  'tool-registry': {
    type: 'string',
    placeholder: 'URL',
    multiple: true,
    description: 'tools a tenant published to a registry, as URL/<tenant> (e.g. http://127.0.0.1:8765/alice)',
  },
  host: {
    type: 'string',
    placeholder: 'PROFILE',
    description:
      'host capability profile: claude-desktop, replit, rush-desktop, mobile,\nbrowser-extension, docker, raw-os (default), or an agentlang.host/v1 file',
  },
  models: { type: 'string', placeholder: 'FILE', description: 'extra models (an agentlang.models/v1 file)' },
  'allow-env': {
    type: 'string',
    placeholder: 'NAME',
    multiple: true,
    description:
      'let a packed agent (container, pull) read host variable NAME through its\n{{.env.NAME}} templates (working-tree agents need no consent)',
  },
} as const satisfies OptionDeclarations;

/**
 * How an agent input is opened and trusted (src/input-flags.ts): keys it must be signed by, and
 * where the secret that decrypts a container's prompt comes from.
 */
export const INPUT_FLAGS = {
  pubkey: {
    type: 'string',
    placeholder: 'HEX',
    multiple: true,
    description:
      'trusted Ed25519 public key (64 hex; or AGENTLANG_PUBKEY): <agent> is refused unless signed by\nit — a container by its signature, a directory or YAML manifest by a signed lock pinning it',
  },
  'identity-env': {
    type: 'string',
    placeholder: 'VAR',
    description: "decrypt a container's prompt with the X25519 identity in env var VAR (default AGENTLANG_IDENTITY)",
  },
  'passphrase-env': {
    type: 'string',
    placeholder: 'VAR',
    description: "or decrypt a container's prompt with the passphrase in env var VAR",
  },
} as const satisfies OptionDeclarations;

const AGENT = {
  name: 'agent',
  required: true,
  description:
    'a directory holding agent.yaml, a YAML manifest of either dialect (any file name),\nor a .agent container (told apart by content, never by extension)',
} as const;

const SIGN_KEY_ENV = {
  type: 'string',
  placeholder: 'VAR',
  description:
    'sign with the Ed25519 seed (hex) in environment variable VAR (the key itself is never\naccepted on the command line); default AGENTLANG_SIGNING_KEY when set, else unsigned',
} as const;

const RECIPIENT = {
  type: 'string',
  placeholder: 'PUB',
  multiple: true,
  description:
    'who may decrypt the prompt: an X25519 recipient (agentlang-x25519-…) from\n`agentlang keygen --x25519` (default: AGENTLANG_RECIPIENT when set)',
} as const;

const REGISTRY = {
  type: 'string',
  placeholder: 'URL',
  description: 'the AgentLang registry (or AGENTLANG_REGISTRY)',
} as const;
const API_KEY = {
  type: 'string',
  placeholder: 'KEY',
  description: "your tenant's key (or AGENTLANG_API_KEY); the tenant comes from the key",
} as const;
const RUNTIME = {
  type: 'string',
  placeholder: 'R',
  description:
    'use runtime R (test-echo, claude-code, codex, gemini-cli, ollama, cursor-cli, opencode, goose, aider, harness)',
} as const;

export const BUILD = defineCommand({
  name: 'build',
  summary: 'build a signed <name>@<version>.agent container: lock, hash, encrypt the prompt, sign',
  positionals: [AGENT],
  options: {
    'sign-key-env': SIGN_KEY_ENV,
    recipient: RECIPIENT,
    'passphrase-env': {
      type: 'string',
      placeholder: 'VAR',
      description: 'also (or instead) encrypt the prompt for the passphrase in env var VAR (scrypt)',
    },
    out: { type: 'string', placeholder: 'PATH', description: 'where to write (default ./<name>@<version>.agent)' },
    frozen: {
      type: 'boolean',
      description: 'never create or change the lock (exit 16, CONTAINER_FROZEN); default when CI=true',
    },
    quality: {
      type: 'boolean',
      description:
        'review the prompt first (offline checks; plus an LLM review when AGENTLANG_REVIEW_URL names an\nOpenAI-compatible endpoint, key in AGENTLANG_REVIEW_API_KEY, model in AGENTLANG_REVIEW_MODEL);\nerrors stop the build',
    },
    runtime: {
      ...RUNTIME,
      description:
        "resolve for runtime R, as for `agentlang lock` (the lock pins the prompt for every\nruntime's target, so the container runs under any runtime)",
    },
    ...RESOLVE_FLAGS,
  },
  notes:
    'The lock on disk is kept byte for byte while it still matches the agent (its portable part); a signed\n' +
    'lock that must change is signed again with --sign-key-env, or the build stops (exit 12, LOCK_KEY_MISSING).\n' +
    'A failed build writes nothing. Symbolic links (context/, its files, prompt, skills, sub-agents) are refused.\n' +
    'Whoever can run the agent can read its prompt: encryption keeps it from everyone else.',
});

export const COMPILE = defineCommand({
  name: 'compile',
  summary: "compile an agent's prompt.yaml (or a prompt.yaml file) to markdown or XML tags",
  positionals: [
    {
      name: 'agent | prompt.yaml',
      required: true,
      description: 'an agent (directory, YAML manifest or container), or a prompt.yaml file',
    },
  ],
  options: {
    target: {
      type: 'choice',
      short: 't',
      choices: ['markdown', 'xml'],
      default: 'markdown',
      description: 'markdown (## name sections) or xml (<name>…</name> sections)',
    },
    var: {
      type: 'string',
      placeholder: 'key=value',
      multiple: true,
      description:
        'render {{key}} templates (dotted keys nest: --var user_profile.name=Ada); with any --var every\ntemplate must resolve; `time` is filled in when the agent injects it. Without --var, templates\nare printed verbatim',
    },
    ...INPUT_FLAGS,
    pubkey: {
      ...INPUT_FLAGS.pubkey,
      description: "a container's signature must verify against this Ed25519 key (or AGENTLANG_PUBKEY)",
    },
  },
  notes: "A container's prompt is decrypted in memory only (--identity-env, --passphrase-env, AGENTLANG_IDENTITY).",
});

export const INIT = defineCommand({
  name: 'init',
  summary: 'scaffold a new agent that validates (never overwrites files)',
  positionals: [{ name: 'name', required: true, description: "the new agent's name" }],
  options: {
    dialect: {
      type: 'choice',
      choices: ['agentlang', 'agentspec'],
      default: 'agentlang',
      description:
        'agentlang: D/agent.yaml + D/prompt.yaml (D defaults to ./<name>);\nagentspec: D/<name>.agent, an apiVersion: agent/v1 manifest (D defaults to .)',
    },
    dir: {
      type: 'string',
      placeholder: 'D',
      description: 'where to write; existing files are never overwritten (exit 2)',
    },
  },
});

export const INSPECT = defineCommand({
  name: 'inspect',
  summary: 'show a container: agent, entries with sizes and digests, signature, recipients (never decrypts)',
  positionals: [{ name: 'name@version.agent', required: true, description: 'a .agent container' }],
  options: {
    pubkey: {
      type: 'string',
      placeholder: 'HEX',
      multiple: true,
      description: 'the signature must verify against this Ed25519 key (exit 16 otherwise)',
    },
  },
  notes:
    'Every entry is checked against the signed index while reading. Without --pubkey the signature\nis reported by key id, unverified.',
});

export const KEYGEN = defineCommand({
  name: 'keygen',
  summary: 'generate an Ed25519 key pair for signing locks (prints AGENTLANG_SIGNING_KEY and AGENTLANG_PUBKEY)',
  positionals: [],
  options: {
    x25519: {
      type: 'boolean',
      description:
        'instead print an X25519 pair for encrypted prompts: AGENTLANG_IDENTITY=<secret> (decrypts; keep it\nin the environment of whoever runs the agent) and AGENTLANG_RECIPIENT=<public> (for `build --recipient`)',
    },
  },
  notes:
    'Prints two lines, AGENTLANG_SIGNING_KEY=<64 hex> (the 32-byte Ed25519 seed: keep it secret, pass it\n' +
    'through an environment variable, never a flag) and AGENTLANG_PUBKEY=<64 hex> (share it).\n' +
    '--json prints { type, AGENTLANG_SIGNING_KEY, AGENTLANG_PUBKEY, keyid }.',
});

export const LOCK = defineCommand({
  name: 'lock',
  summary: 'resolve an agent on this host and pin the plan in its lock file (optionally signed)',
  positionals: [{ ...AGENT, description: 'demo.agent writes demo.agent.lock; a directory writes <dir>/agent.lock' }],
  options: {
    'sign-key-env': {
      ...SIGN_KEY_ENV,
      description:
        'sign with the Ed25519 seed (hex) held in environment variable VAR\n(the key itself is never accepted on the command line)',
    },
    frozen: {
      type: 'boolean',
      description:
        'never write: fail (exit 12, LOCK_DRIFT) if the lock would change;\nthe default when CI=true (--no-frozen overrides)',
    },
    'no-frozen': { type: 'boolean', description: 'write even when CI=true' },
    out: { type: 'string', placeholder: 'L', description: 'write the lock to L instead' },
    runtime: RUNTIME,
    ...RESOLVE_FLAGS,
    ...INPUT_FLAGS,
  },
  notes:
    'MCP servers are always probed: their tool schemas are what the lock pins.\n' +
    '<agent> may be a container: it is verified with --pubkey HEX (or AGENTLANG_PUBKEY) and its prompt\n' +
    'decrypted (AGENTLANG_IDENTITY, --identity-env VAR or --passphrase-env VAR); its own agent.lock must\n' +
    "hold here, and <container>.lock is written with this host's runtime, auth source and host.\n\n" +
    'Prints `Wrote <lock>` or `Wrote <lock> (signed)`. Exit 12 for every LOCK_* error.',
});

export const PUBLISH = defineCommand({
  name: 'publish',
  summary: 'build the signed container of an agent and push it to a registry (or an OCI registry)',
  positionals: [
    AGENT,
    {
      name: 'oci-reference',
      description: 'oci://host:port/repo:tag ({name} and {version} are filled in) instead of --registry',
    },
  ],
  options: {
    registry: REGISTRY,
    'api-key': API_KEY,
    tenant: { type: 'string', placeholder: 'T', description: "push under tenant T (refused unless the key is T's)" },
    oci: { type: 'boolean', description: 'speak the OCI distribution API to --registry, as for push' },
    'sign-key-env': SIGN_KEY_ENV,
    recipient: RECIPIENT,
    'passphrase-env': {
      type: 'string',
      placeholder: 'VAR',
      description: 'encrypt the prompt for the passphrase in env VAR',
    },
    out: {
      type: 'string',
      placeholder: 'FILE',
      description: 'where the container is written (default <name>@<version>.agent)',
    },
    frozen: { type: 'boolean', description: 'fail instead of rewriting a stale agent.lock' },
    'allow-unsigned': { type: 'boolean', description: 'publish without a signature (refused by default)' },
    runtime: { ...RUNTIME, description: 'resolve for runtime R, as for `agentlang build`' },
    ...RESOLVE_FLAGS,
  },
});

export const PULL = defineCommand({
  name: 'pull',
  summary: 'fetch an agent from a registry (tenant/name@version or oci://…) and verify its digests',
  positionals: [
    {
      name: 'reference',
      required: true,
      description:
        'tenant/name@version (may pin the bytes: alice/demo@0.1.0#sha256:<64 hex>), or oci://host:port/repo:tag',
    },
  ],
  options: {
    registry: REGISTRY,
    out: {
      type: 'string',
      placeholder: 'FILE',
      description: 'where to write (default <name>@<version>.agent); nothing else is ever written',
    },
    'api-key': { ...API_KEY, description: 'only for private tenants (or AGENTLANG_API_KEY)' },
    pubkey: {
      type: 'string',
      placeholder: 'HEX',
      multiple: true,
      description: 'a pulled container must be signed by this Ed25519 key (or AGENTLANG_PUBKEY)',
    },
    'max-size-mib': {
      type: 'integer',
      placeholder: 'N',
      min: 1,
      max: 1 << 20,
      description: 'refuse an artifact larger than N MiB, declared or streamed; the client default is 1024',
    },
  },
  notes: 'OCI credentials: AGENTLANG_OCI_USERNAME + AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN.',
});

export const PUSH = defineCommand({
  name: 'push',
  summary: 'push a YAML manifest, a container or a tool definition to a registry (or to an OCI registry)',
  positionals: [
    {
      name: 'agent.yaml | container',
      required: true,
      description: 'what to push: a YAML manifest, a .agent container or a tool definition',
    },
    { name: 'oci-reference', description: 'oci://host:port/repo:tag: push to an OCI registry instead' },
  ],
  options: {
    registry: REGISTRY,
    'api-key': API_KEY,
    tenant: { type: 'string', placeholder: 'T', description: "push under tenant T (refused unless the key is T's)" },
    oci: {
      type: 'boolean',
      description:
        'speak the OCI distribution API; the reference is <registry>/<name>:<version>, the registry\nwritten http(s)://host:port[/prefix], oci://host:port[/prefix] or host:port[/prefix]\n(credentials: AGENTLANG_OCI_USERNAME + AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN)',
    },
  },
  notes:
    "A tool definition (JSON with name, version, description, inputSchema) is pushed to the tenant's\n" +
    'tool catalog, where `createRegistryToolSource` resolves it by semver.\n' +
    'Versions are immutable: the same bytes again succeed, different bytes are refused (409).',
});

export const RECORDS = defineCommand({
  name: 'records',
  summary: 'list or show the execution records of past runs (.agentlang/records)',
  positionals: [
    {
      name: 'subcommand',
      choices: ['list', 'show'],
      description:
        'list (the default): one line per run: time, name@version, exit, duration, digest;\nshow <run-id>: the agentlang.record/v1 document',
    },
    { name: 'run-id', description: 'for show: the run id (a ULID, from `agentlang records list --json`)' },
  ],
  options: {
    pubkey: {
      type: 'string',
      placeholder: 'HEX',
      description: "verify the record's signed envelope against this Ed25519 key",
    },
    dir: { type: 'string', placeholder: 'D', description: 'read records from D instead of ./.agentlang/records' },
  },
});

export const REGISTRY_SERVE = defineCommand({
  name: 'registry',
  summary: 'run the embedded multi-tenant registry (agentlang registry serve)',
  positionals: [
    {
      name: 'subcommand',
      required: true,
      choices: ['serve'],
      description: 'serve: run the registry until SIGINT or SIGTERM',
    },
  ],
  options: {
    bind: { type: 'string', placeholder: 'HOST:PORT', default: '127.0.0.1:8765', description: 'where to listen' },
    data: { type: 'string', placeholder: 'DIR', default: '.agentlang/registry', description: 'storage directory' },
    'keys-file': {
      type: 'string',
      placeholder: 'FILE',
      description: 'tenants and sha256-hashed keys (agentlang.registry.keys/v1 JSON)',
    },
    private: {
      type: 'string',
      placeholder: 'TENANT',
      multiple: true,
      description: "only TENANT's key may read TENANT's agents",
    },
    signer: {
      type: 'string',
      placeholder: 'T:PUBHEX',
      multiple: true,
      description: 'tenant T accepts only containers signed by this Ed25519 key',
    },
    'max-upload-mib': {
      type: 'integer',
      placeholder: 'N',
      min: 1,
      max: 1 << 20,
      description: 'largest upload in MiB; the registry default is 512',
    },
    'parse-concurrency': {
      type: 'integer',
      placeholder: 'N',
      min: 1,
      max: 64,
      description: 'uploads checked at once, each in its own bounded worker thread; the registry default is 2',
    },
    'parse-heap-mib': {
      type: 'integer',
      placeholder: 'N',
      min: 16,
      max: 1 << 14,
      description:
        'heap of each checking worker in MiB; an upload that needs more is refused; the registry default is 128',
    },
  },
  notes:
    'Keys also come from AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key"; without keys the registry is read-only.\n' +
    'Reads are anonymous and public unless the tenant is private. Stops on SIGINT/SIGTERM.',
});

export const RESOLVE = defineCommand({
  name: 'resolve',
  summary: 'show what run would use: runtime, model, auth source, tools, MCP servers, sub-agents',
  positionals: [AGENT],
  options: {
    runtime: RUNTIME,
    ...RESOLVE_FLAGS,
    'no-mcp': { type: 'boolean', description: 'do not start MCP servers (their tools are not checked)' },
    sandbox: {
      type: 'boolean',
      description: 'also say what the sandbox will and will not allow (network, files, exec, limits)',
    },
    ...INPUT_FLAGS,
  },
  notes:
    '--verbose explains every decision (on stderr); --json prints the whole agentlang.plan/v1 document, plus `sandbox`.\n\nExit status: 0, or 11 when something the run needs is missing or resolution fails.',
});

export const RUN = defineCommand({
  name: 'run',
  summary: 'run an agent inside the sandbox (bubblewrap) and write an execution record',
  positionals: [AGENT],
  options: {
    lock: {
      type: 'string',
      placeholder: 'L',
      description: 'check the plan against lock file L before anything starts (drift fails)',
    },
    'require-signed': {
      type: 'boolean',
      description: 'refuse unless the lock is a signed envelope verifying against --pubkey',
    },
    prompt: { type: 'string', placeholder: 'P', description: 'the user prompt given to the runtime' },
    input: {
      type: 'string',
      placeholder: 'TEXT|@FILE',
      description:
        'the task: @FILE reads a file (@- or - stdin), an existing file path is read, anything else is\nthe task text (without either, an AgentSpec agent runs its SOUL.md, else its description)',
    },
    runtime: {
      ...RUNTIME,
      description: 'run with runtime R (test-echo, claude-code, codex, gemini-cli, ollama, opencode, harness)',
    },
    timeout: {
      type: 'number',
      placeholder: 'S',
      min: 0.001,
      description: 'wall-clock limit in seconds, 600 unless given; the whole process tree is killed',
    },
    approve: {
      type: 'choice',
      choices: ['all', 'none'],
      description:
        'harness runtime: approve (all) or deny (none) every tool call that needs\napproval, without asking (default: ask on a terminal, else deny)',
    },
    events: {
      type: 'string',
      placeholder: 'PATH|-',
      description:
        'harness runtime: write the typed event stream as JSONL to PATH (- stdout;\nthe agent output then goes to stderr)',
    },
    'ui-actions': {
      type: 'string',
      placeholder: 'PATH|-',
      description: 'harness runtime: read UI actions as JSONL lines from PATH (- stdin)',
    },
    session: {
      type: 'string',
      placeholder: 'ID',
      description:
        'harness runtime: keep the conversation in session ID (.agentlang/sessions/ID.jsonl);\nthe run sees its earlier turns; without --prompt it resumes a stopped run.\nOn a terminal without --prompt/--input, run opens a conversation (Ctrl-D ends it)',
    },
    'unsafe-no-isolation': {
      type: 'boolean',
      description: 'run WITHOUT a sandbox (the agent can touch everything you can)',
    },
    'dry-run': {
      type: 'boolean',
      description: 'print the plan, what the sandbox allows and its exact argv (secrets redacted); start nothing',
    },
    'sign-key-env': {
      type: 'string',
      placeholder: 'NAME',
      description: 'sign the execution record with the Ed25519 seed (hex) in env var NAME',
    },
    ...INPUT_FLAGS,
    ...RESOLVE_FLAGS,
  },
  notes:
    '<agent> may be a .agent container: it is verified against --pubkey (required) and its prompt\n' +
    'decrypted with the identity in AGENTLANG_IDENTITY (or --identity-env VAR) or the passphrase in\n' +
    '--passphrase-env VAR, all before anything starts; its agent.lock is enforced.\n\n' +
    "Exit status: the agent's own exit code (124 timeout, 130 aborted); 12 lock drift or signature, 14 sandbox, 15 runner, 16 container.",
});

export const SCHEMA = defineCommand({
  name: 'schema',
  summary: 'print or write the JSON Schemas of agent.yaml, prompt.yaml, ux.yaml, … (for editors)',
  positionals: [
    {
      name: 'kind',
      description:
        'agent, agentspec, subagent, prompt, ux or skill-frontmatter; printed as JSON\n(without a kind: the list of kinds)',
    },
  ],
  options: {
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: 'write DIR/<kind>.schema.json (every kind, or just the one given)',
    },
  },
});

export const SEARCH = defineCommand({
  name: 'search',
  summary: 'search a registry by name, tenant or description',
  positionals: [
    { name: 'text', description: 'matched against names, tenants and descriptions (all entries without it)' },
  ],
  options: {
    registry: REGISTRY,
    tenant: { type: 'string', placeholder: 'T', description: 'only tenant T' },
    'api-key': { ...API_KEY, description: 'also list a private tenant this key belongs to (or AGENTLANG_API_KEY)' },
  },
});

export const SESSIONS = defineCommand({
  name: 'sessions',
  summary: 'list or show the conversations kept by `run --session` (.agentlang/sessions)',
  positionals: [
    {
      name: 'subcommand',
      choices: ['list', 'show'],
      description:
        "list (the default): one line per session, most recent first: updated, id, agent, turns, tokens;\nshow <id>: the session's facts: agent, times, turns, usage, compactions, a pending call",
    },
    { name: 'id', description: 'for show: the session id (from `agentlang sessions list`)' },
  ],
  options: {
    turns: {
      type: 'boolean',
      description: 'also print the conversation itself (it is your text: shown only when asked)',
    },
    dir: { type: 'string', placeholder: 'D', description: 'read sessions from D instead of ./.agentlang/sessions' },
  },
});

export const VALIDATE = defineCommand({
  name: 'validate',
  summary: 'check an agent (directory, YAML file of either dialect, or container) and print its digest',
  positionals: [AGENT],
  options: {
    strict: { type: 'boolean', description: 'treat warnings as errors' },
  },
  notes:
    'Prints `Valid: <name>@<version> (ag1:<digest>)` and any warnings; on errors prints each as\n`file:line:column: error CODE message` on stderr and exits 10.',
});

export const VERIFY = defineCommand({
  name: 'verify',
  summary:
    'verify that an agent is signed by a key: a container (signature, every sha256) or a manifest (its signed lock)',
  positionals: [
    {
      name: 'name@version.agent | agent',
      required: true,
      description: 'a .agent container, or a directory or YAML manifest with a signed lock',
    },
  ],
  options: {
    pubkey: {
      type: 'string',
      placeholder: 'HEX',
      multiple: true,
      description: 'trusted Ed25519 public key (64 hex, or AGENTLANG_PUBKEY, from `agentlang keygen`)',
    },
    lock: {
      type: 'string',
      placeholder: 'L',
      description: 'for a directory or YAML manifest: the signed lock (default <dir>/agent.lock, <file>.lock)',
    },
  },
  notes:
    'A container must carry a signature by the key, and every entry must match its signed index. A directory\n' +
    'or YAML manifest has no signature of its own: it is signed when its lock is signed by the key and pins\n' +
    'its manifest hash. Prints `VALID: …` or the reason it is not (exit 16 container, 12 lock).',
});

export const VERIFY_LOCK = defineCommand({
  name: 'verify-lock',
  summary: "verify a signed lock's Ed25519 signature against a trusted public key",
  positionals: [{ name: 'lock', required: true, description: 'the signed lock file' }],
  options: {
    pubkey: {
      type: 'string',
      placeholder: 'HEX',
      multiple: true,
      required: true,
      description: 'trusted Ed25519 public key (64 hex, AGENTLANG_PUBKEY from `agentlang keygen`)',
    },
  },
  notes:
    'Prints `VALID: signature verifies for <name>@<version>` or the reason it does not, exiting 12\n' +
    '(LOCK_SIGNATURE_INVALID, LOCK_UNSIGNED, LOCK_PAYLOAD_TYPE, LOCK_MALFORMED, LOCK_KEY_INVALID, …).',
});

/** Every verb of `agentlang`, alphabetical. */
export const COMMANDS: readonly CommandSpec[] = [
  BUILD,
  COMPILE,
  INIT,
  INSPECT,
  KEYGEN,
  LOCK,
  PUBLISH,
  PULL,
  PUSH,
  RECORDS,
  REGISTRY_SERVE,
  RESOLVE,
  RUN,
  SCHEMA,
  SEARCH,
  SESSIONS,
  VALIDATE,
  VERIFY,
  VERIFY_LOCK,
];
