import type { CommandSpec } from '../command.js';
import { RESOLVE_FLAGS, RESOLVE_FLAGS_HELP } from '../resolve-flags.js';

/**
 * Every verb of `agentlang`. Each entry carries its help text and loads its module lazily,
 * so start-up cost is that of the verb being run. Keep the list alphabetical.
 */
export const COMMANDS: CommandSpec[] = [
  {
    name: 'build',
    summary: 'build a signed <name>@<version>.agent container: lock, hash, encrypt the prompt, sign',
    usage:
      'Usage: agentlang build <agent> [--sign-key-env VAR] [--recipient PUB]… [--passphrase-env VAR]\n' +
      '                       [--out PATH] [--frozen] [--quality] [--json]\n\n' +
      '  --sign-key-env VAR    sign with the Ed25519 seed (hex) in environment variable VAR\n' +
      '                        (default: AGENTLANG_SIGNING_KEY when set; otherwise the container is unsigned)\n' +
      '  --recipient PUB       who may decrypt the prompt: an X25519 recipient (agentlang-x25519-…) from\n' +
      '                        `agentlang keygen --x25519`; repeatable (default: AGENTLANG_RECIPIENT when set)\n' +
      '  --passphrase-env VAR  also (or instead) encrypt the prompt for the passphrase in env var VAR (scrypt)\n' +
      '  --out PATH            where to write (default ./<name>@<version>.agent)\n' +
      '  --frozen              never create or change the lock (exit 16, CONTAINER_FROZEN); default when CI=true\n' +
      '  --quality             review the prompt first (offline checks; plus an LLM review when\n' +
      '                        AGENTLANG_REVIEW_URL names an OpenAI-compatible endpoint, key in\n' +
      '                        AGENTLANG_REVIEW_API_KEY, model in AGENTLANG_REVIEW_MODEL); errors stop the build\n' +
      '  --runtime R           resolve for runtime R, as for `agentlang lock` (the lock pins the prompt for every\n' +
      '                        runtime\'s target, so the container runs under any runtime)\n' +
      RESOLVE_FLAGS_HELP +
      '\n' +
      'The lock on disk is kept byte for byte while it still matches the agent (its portable part); a signed\n' +
      'lock that must change is signed again with --sign-key-env, or the build stops (exit 12, LOCK_KEY_MISSING).\n' +
      'A failed build writes nothing. Symbolic links (context/, its files, prompt, skills, sub-agents) are refused.\n' +
      'Whoever can run the agent can read its prompt: encryption keeps it from everyone else.',
    options: {
      'sign-key-env': { type: 'string' },
      recipient: { type: 'string', multiple: true },
      'passphrase-env': { type: 'string' },
      out: { type: 'string' },
      frozen: { type: 'boolean' },
      quality: { type: 'boolean' },
      runtime: { type: 'string' },
      ...RESOLVE_FLAGS,
    },
    load: () => import('./build.js'),
  },
  {
    name: 'compile',
    summary: "compile an agent's prompt.yaml (or a prompt.yaml file) to markdown or XML tags",
    usage:
      'Usage: agentlang compile <agent | prompt.yaml> [--target markdown|xml] [--var key=value]…\n' +
      '                         [--identity-env VAR | --passphrase-env VAR] [--pubkey HEX]… [--json]\n\n' +
      '  --target T        markdown (## name sections, the default) or xml (<name>…</name> sections)\n' +
      '  --var key=value   render {{key}} templates (dotted keys nest: --var user_profile.name=Ada);\n' +
      '                    with any --var every template must resolve; `time` is filled in when the\n' +
      '                    agent injects it. Without --var, templates are printed verbatim.\n' +
      '  --identity-env VAR  a container\'s prompt is decrypted in memory with the X25519 identity in VAR\n' +
      '                    (default AGENTLANG_IDENTITY), or --passphrase-env VAR; --pubkey HEX checks its signature',
    options: {
      target: { type: 'string', short: 't' },
      var: { type: 'string', multiple: true },
      pubkey: { type: 'string', multiple: true },
      'identity-env': { type: 'string' },
      'passphrase-env': { type: 'string' },
    },
    load: () => import('./compile.js'),
  },
  {
    name: 'init',
    summary: 'scaffold a new agent that validates (never overwrites files)',
    usage:
      'Usage: agentlang init <name> [--dialect agentlang|agentspec] [--dir D] [--json]\n\n' +
      '  --dialect agentlang   D/agent.yaml + D/prompt.yaml (default; D defaults to ./<name>)\n' +
      '  --dialect agentspec   D/<name>.agent, an apiVersion: agent/v1 manifest (D defaults to .)\n' +
      '  --dir D               where to write; existing files are never overwritten (exit 2)',
    options: { dialect: { type: 'string' }, dir: { type: 'string' } },
    load: () => import('./init.js'),
  },
  {
    name: 'inspect',
    summary: 'show a container: agent, entries with sizes and digests, signature, recipients (never decrypts)',
    usage:
      'Usage: agentlang inspect <name@version.agent> [--pubkey HEX]… [--json]\n\n' +
      '  Every entry is checked against the signed index while reading. Without --pubkey the signature\n' +
      '  is reported by key id, unverified; with --pubkey it must verify (exit 16 otherwise).',
    options: { pubkey: { type: 'string', multiple: true } },
    load: () => import('./inspect.js'),
  },
  {
    name: 'keygen',
    summary: 'generate an Ed25519 key pair for signing locks (prints AGENTLANG_SIGNING_KEY and AGENTLANG_PUBKEY)',
    usage:
      'Usage: agentlang keygen [--x25519] [--json]\n\n' +
      'Prints two lines, AGENTLANG_SIGNING_KEY=<64 hex> (the 32-byte Ed25519 seed: keep it secret, pass it\n' +
      'through an environment variable, never a flag) and AGENTLANG_PUBKEY=<64 hex> (share it).\n' +
      '--json prints { type, AGENTLANG_SIGNING_KEY, AGENTLANG_PUBKEY, keyid }.\n\n' +
      '  --x25519   instead print an X25519 pair for encrypted prompts: AGENTLANG_IDENTITY=<secret> (decrypts;\n' +
      '             keep it in the environment of whoever runs the agent) and AGENTLANG_RECIPIENT=<public>\n' +
      '             (give it to `agentlang build --recipient`).',
    options: { x25519: { type: 'boolean' } },
    load: () => import('./keygen.js'),
  },
  {
    name: 'lock',
    summary: 'resolve an agent on this host and pin the plan in its lock file (optionally signed)',
    usage:
      'Usage: agentlang lock <agent> [--sign-key-env VAR] [--frozen | --no-frozen] [--out L] [--json]\n\n' +
      '  <agent>              demo.agent writes demo.agent.lock; a directory writes <dir>/agent.lock\n' +
      '  --sign-key-env VAR   sign with the Ed25519 seed (hex) held in environment variable VAR\n' +
      '                       (the key itself is never accepted on the command line)\n' +
      '  --frozen             never write: fail (exit 12, LOCK_DRIFT) if the lock would change;\n' +
      '                       the default when CI=true (--no-frozen overrides)\n' +
      '  --out L              write the lock to L instead\n' +
      '  --runtime R          use runtime R, as for `agentlang resolve`\n' +
      RESOLVE_FLAGS_HELP +
      '  (MCP servers are always probed: their tool schemas are what the lock pins)\n' +
      '  <agent> may be a container: it is verified with --pubkey HEX (or AGENTLANG_PUBKEY) and its prompt\n' +
      '  decrypted (AGENTLANG_IDENTITY, --identity-env VAR or --passphrase-env VAR); its own agent.lock must\n' +
      '  hold here, and <container>.lock is written with this host\'s runtime, auth source and host.\n\n' +
      'Prints `Wrote <lock>` or `Wrote <lock> (signed)`. Exit 12 for every LOCK_* error.',
    options: {
      'sign-key-env': { type: 'string' },
      frozen: { type: 'boolean' },
      'no-frozen': { type: 'boolean' },
      out: { type: 'string' },
      runtime: { type: 'string' },
      pubkey: { type: 'string' },
      'identity-env': { type: 'string' },
      'passphrase-env': { type: 'string' },
      ...RESOLVE_FLAGS,
    },
    load: () => import('./lock.js'),
  },
  {
    name: 'publish',
    summary: 'build the signed container of an agent and push it to a registry (or an OCI registry)',
    usage:
      'Usage: agentlang publish <agent> --registry URL --api-key KEY [--sign-key-env VAR] [--recipient PUB]…\n' +
      '       agentlang publish <agent> oci://host:port/repo:tag   ({name} and {version} are filled in)\n\n' +
      '  --sign-key-env VAR   Ed25519 signing key (hex seed) from env VAR (default AGENTLANG_SIGNING_KEY)\n' +
      '  --recipient PUB      encrypt the prompt for this X25519 recipient (repeatable; or AGENTLANG_RECIPIENT)\n' +
      '  --passphrase-env VAR encrypt the prompt for the passphrase in env VAR\n' +
      '  --out FILE           where the container is written (default <name>@<version>.agent)\n' +
      '  --frozen             fail instead of rewriting a stale agent.lock\n' +
      '  --allow-unsigned     publish without a signature (refused by default)\n' +
      '  --registry, --api-key, --tenant, --oci   as for push\n' +
      '  --runtime R          resolve for runtime R, as for `agentlang build`\n' +
      RESOLVE_FLAGS_HELP,
    options: {
      registry: { type: 'string' },
      'api-key': { type: 'string' },
      tenant: { type: 'string' },
      oci: { type: 'boolean' },
      'sign-key-env': { type: 'string' },
      recipient: { type: 'string', multiple: true },
      'passphrase-env': { type: 'string' },
      out: { type: 'string' },
      frozen: { type: 'boolean' },
      'allow-unsigned': { type: 'boolean' },
      runtime: { type: 'string' },
      ...RESOLVE_FLAGS,
    },
    load: () => import('./publish.js'),
  },
  {
    name: 'pull',
    summary: 'fetch an agent from a registry (tenant/name@version or oci://…) and verify its digests',
    usage:
      'Usage: agentlang pull <tenant/name@version> --registry URL [--out FILE] [--pubkey HEX]…\n' +
      '       agentlang pull oci://host:port/repo:tag [--out FILE]\n\n' +
      '  --registry URL    the AgentLang registry (or AGENTLANG_REGISTRY)\n' +
      '  --out FILE        where to write (default <name>@<version>.agent); nothing else is ever written\n' +
      '  --api-key KEY     only for private tenants (or AGENTLANG_API_KEY)\n' +
      '  --pubkey HEX      a pulled container must be signed by this Ed25519 key (repeatable)\n' +
      '  --max-size-mib N  refuse an artifact larger than N MiB (default 1024), declared or streamed\n' +
      '  A reference may pin the bytes: alice/demo@0.1.0#sha256:<64 hex>. OCI credentials: AGENTLANG_OCI_USERNAME + AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN.',
    options: { registry: { type: 'string' }, out: { type: 'string' }, 'api-key': { type: 'string' }, pubkey: { type: 'string', multiple: true }, 'max-size-mib': { type: 'string' } },
    load: () => import('./pull.js'),
  },
  {
    name: 'push',
    summary: 'push a YAML manifest, a container or a tool definition to a registry (or to an OCI registry)',
    usage:
      'Usage: agentlang push <agent.yaml | container> --registry URL --api-key KEY [--tenant T]\n' +
      '       agentlang push <agent.yaml | container> oci://host:port/repo:tag\n' +
      '       agentlang push <agent.yaml | container> --oci --registry http://host:port[/prefix]\n\n' +
      '  --registry URL    the AgentLang registry (or AGENTLANG_REGISTRY)\n' +
      '  --api-key KEY     your tenant\'s key (or AGENTLANG_API_KEY); the tenant comes from the key\n' +
      '  --tenant T        push under tenant T (refused unless the key is T\'s)\n' +
      '  --oci             speak the OCI distribution API; the reference is <registry>/<name>:<version>, the registry\n' +
      '                    written http(s)://host:port[/prefix], oci://host:port[/prefix] or host:port[/prefix]\n' +
      '                    (credentials: AGENTLANG_OCI_USERNAME + AGENTLANG_OCI_PASSWORD, or AGENTLANG_OCI_TOKEN)\n' +
      '  A tool definition (JSON with name, version, description, inputSchema) is pushed to the tenant\'s\n' +
      '  tool catalog, where `createRegistryToolSource` resolves it by semver.\n' +
      '  Versions are immutable: the same bytes again succeed, different bytes are refused (409).',
    options: { registry: { type: 'string' }, 'api-key': { type: 'string' }, tenant: { type: 'string' }, oci: { type: 'boolean' } },
    load: () => import('./push.js'),
  },
  {
    name: 'records',
    summary: 'list or show the execution records of past runs (.agentlang/records)',
    usage:
      'Usage: agentlang records list [--json]\n       agentlang records show <run-id> [--json] [--pubkey HEX]\n\n' +
      '  list              one line per run: time, name@version, exit, duration, digest\n' +
      '  show <run-id>     the agentlang.record/v1 document (run ids are ULIDs)\n' +
      '  --pubkey HEX      verify the record\'s signed envelope against this Ed25519 key\n' +
      '  --dir D           read records from D instead of ./.agentlang/records',
    options: { pubkey: { type: 'string' }, dir: { type: 'string' } },
    load: () => import('./records.js'),
  },
  {
    name: 'registry',
    summary: 'run the embedded multi-tenant registry (agentlang registry serve)',
    usage:
      'Usage: agentlang registry serve [--bind 127.0.0.1:8765] [--data DIR] [--keys-file FILE] [--private TENANT]…\n\n' +
      '  --bind HOST:PORT    where to listen (default 127.0.0.1:8765)\n' +
      '  --data DIR          storage directory (default ./.agentlang/registry)\n' +
      '  --keys-file FILE    tenants and sha256-hashed keys (agentlang.registry.keys/v1 JSON)\n' +
      '  --private TENANT    only TENANT\'s key may read TENANT\'s agents (repeatable)\n' +
      '  --signer T:PUBHEX   tenant T accepts only containers signed by this Ed25519 key (repeatable)\n' +
      '  --max-upload-mib N  largest upload in MiB, a whole number from 1 (default 512)\n' +
      '  --parse-concurrency N  uploads checked at once, each in its own bounded worker thread (default 2)\n' +
      '  --parse-heap-mib N  heap of each checking worker in MiB (default 128); an upload that needs more is refused\n' +
      '  Keys also come from AGENTLANG_API_KEYS="alice:alice-key,bob:bob-key"; without keys the registry is read-only.\n' +
      '  Reads are anonymous and public unless the tenant is private. Stops on SIGINT/SIGTERM.',
    options: {
      bind: { type: 'string' },
      data: { type: 'string' },
      'keys-file': { type: 'string' },
      private: { type: 'string', multiple: true },
      signer: { type: 'string', multiple: true },
      'max-upload-mib': { type: 'string' },
      'parse-concurrency': { type: 'string' },
      'parse-heap-mib': { type: 'string' },
    },
    load: () => import('./registry.js'),
  },
  {
    name: 'resolve',
    summary: 'show what run would use: runtime, model, auth source, tools, MCP servers, sub-agents',
    usage:
      'Usage: agentlang resolve <agent> [--strict] [--runtime R] [--catalog DIR]… [--tool-registry URL]…\n' +
      '                         [--host PROFILE] [--models FILE] [--no-mcp] [--sandbox] [--pubkey HEX]…\n' +
      '                         [--identity-env VAR | --passphrase-env VAR] [--verbose] [--json]\n\n' +
      '  --runtime R          use runtime R (test-echo, claude-code, codex, gemini-cli, ollama, cursor-cli, opencode, goose, aider)\n' +
      RESOLVE_FLAGS_HELP +
      '  --no-mcp             do not start MCP servers (their tools are not checked)\n' +
      '  --sandbox            also say what the sandbox will and will not allow (network, files, exec, limits)\n' +
      '  --pubkey HEX         refuse <agent> unless signed by this key (a container\'s signature, or a\n' +
      '                       manifest\'s signed lock); also AGENTLANG_PUBKEY\n' +
      '  --identity-env VAR   decrypt a container\'s prompt with the X25519 identity in VAR (default\n' +
      '                       AGENTLANG_IDENTITY), so the plan has its digest; or --passphrase-env VAR\n' +
      '  -v, --verbose        explain every decision (on stderr)\n' +
      '  --json               the whole agentlang.plan/v1 document, plus `sandbox`\n\n' +
      'Exit status: 0, or 11 when something the run needs is missing or resolution fails.',
    options: {
      runtime: { type: 'string' },
      ...RESOLVE_FLAGS,
      'no-mcp': { type: 'boolean' },
      sandbox: { type: 'boolean' },
      pubkey: { type: 'string', multiple: true },
      'identity-env': { type: 'string' },
      'passphrase-env': { type: 'string' },
    },
    load: () => import('./resolve.js'),
  },
  {
    name: 'run',
    summary: 'run an agent inside the sandbox (bubblewrap) and write an execution record',
    usage:
      'Usage: agentlang run <agent> [--lock L] [--require-signed --pubkey HEX] [--prompt P | --input TEXT|@FILE]\n' +
      '                     [--runtime R] [--timeout S] [--session ID] [--unsafe-no-isolation] [--dry-run] [--json]\n\n' +
      '  --lock L               check the plan against lock file L before anything starts (drift fails)\n' +
      '  --require-signed       refuse unless the lock is a signed envelope verifying against --pubkey\n' +
      '  --pubkey HEX           trusted Ed25519 public key (64 hex; or AGENTLANG_PUBKEY): <agent> runs only if\n' +
      '                         signed by it — a container by its signature, a directory or YAML manifest by\n' +
      '                         a lock signed by it (--lock, else <dir>/agent.lock or <file>.lock) pinning it\n' +
      '  --prompt P             the user prompt given to the runtime\n' +
      '  --input TEXT|@FILE     the task: @FILE reads a file (@- or - stdin), an existing file path is read,\n' +
      '                         anything else is the task text (without either, an AgentSpec agent runs\n' +
      '                         its SOUL.md, else its description)\n' +
      '  --runtime R            run with runtime R (test-echo, claude-code, codex, gemini-cli, ollama, opencode)\n' +
      '  --timeout S            wall-clock limit in seconds (default 600); the whole process tree is killed\n' +
      '  --approve all|none     harness runtime: approve (all) or deny (none) every tool call that needs\n' +
      '                         approval, without asking (default: ask on a terminal, else deny)\n' +
      '  --session ID           harness runtime: keep the conversation in session ID (.agentlang/sessions/ID.jsonl);\n' +
      '                         the run sees its earlier turns; without --prompt it resumes a stopped run.\n' +
      '                         On a terminal without --prompt/--input, run opens a conversation (Ctrl-D ends it)\n' +
      '  --unsafe-no-isolation  run WITHOUT a sandbox (the agent can touch everything you can)\n' +
      '  --dry-run              print the plan, what the sandbox allows and its exact argv (secrets redacted); start nothing\n' +
      '  --sign-key-env NAME    sign the execution record with the Ed25519 seed (hex) in env var NAME\n' +
      '  resolver settings, as for `agentlang resolve` and `agentlang lock`:\n' +
      RESOLVE_FLAGS_HELP +
      '  <agent> may be a .agent container: it is verified against --pubkey (required) and its prompt\n' +
      '  decrypted with the identity in AGENTLANG_IDENTITY (or --identity-env VAR) or the passphrase in\n' +
      '  --passphrase-env VAR, all before anything starts; its agent.lock is enforced.\n\n' +
      'Exit status: the agent\'s own exit code (124 timeout, 130 aborted); 12 lock drift or signature, 14 sandbox, 15 runner, 16 container.',
    options: {
      lock: { type: 'string' },
      'require-signed': { type: 'boolean' },
      pubkey: { type: 'string' },
      prompt: { type: 'string' },
      input: { type: 'string' },
      runtime: { type: 'string' },
      timeout: { type: 'string' },
      approve: { type: 'string' },
      session: { type: 'string' },
      'unsafe-no-isolation': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'sign-key-env': { type: 'string' },
      'identity-env': { type: 'string' },
      'passphrase-env': { type: 'string' },
      ...RESOLVE_FLAGS,
    },
    load: () => import('./run.js'),
  },
  {
    name: 'schema',
    summary: 'print or write the JSON Schemas of agent.yaml, prompt.yaml, ux.yaml, … (for editors)',
    usage:
      'Usage: agentlang schema [kind] [--out DIR] [--json]\n\n' +
      '  kind       agent, agentspec, subagent, prompt, ux or skill-frontmatter; printed as JSON\n' +
      '             (without a kind: the list of kinds)\n' +
      '  --out DIR  write DIR/<kind>.schema.json (every kind, or just the one given)',
    options: { out: { type: 'string' } },
    load: () => import('./schema.js'),
  },
  {
    name: 'search',
    summary: 'search a registry by name, tenant or description',
    usage:
      'Usage: agentlang search [text] --registry URL [--tenant T] [--api-key KEY] [--json]\n\n' +
      '  --registry URL    the AgentLang registry (or AGENTLANG_REGISTRY)\n' +
      '  --tenant T        only tenant T\n' +
      '  --api-key KEY     also list a private tenant this key belongs to (or AGENTLANG_API_KEY)',
    options: { registry: { type: 'string' }, tenant: { type: 'string' }, 'api-key': { type: 'string' } },
    load: () => import('./search.js'),
  },
  {
    name: 'sessions',
    summary: 'list or show the conversations kept by `run --session` (.agentlang/sessions)',
    usage:
      'Usage: agentlang sessions list [--json]\n       agentlang sessions show <id> [--turns] [--json]\n\n' +
      '  list              one line per session, most recent first: updated, id, agent, turns, tokens\n' +
      '  show <id>         the session\'s facts: agent, times, turns, usage, compactions, a pending call\n' +
      '  --turns           also print the conversation itself (it is your text: shown only when asked)\n' +
      '  --dir D           read sessions from D instead of ./.agentlang/sessions',
    options: { turns: { type: 'boolean' }, dir: { type: 'string' } },
    load: () => import('./sessions.js'),
  },
  {
    name: 'validate',
    summary: 'check an agent (directory, YAML file of either dialect, or container) and print its digest',
    usage:
      'Usage: agentlang validate <agent> [--strict] [--json]\n\n' +
      '  <agent>    a directory holding agent.yaml, a YAML manifest of either dialect (any file name),\n' +
      '             or a .agent container (told apart by content, never by extension)\n' +
      '  --strict   treat warnings as errors\n\n' +
      'Prints `Valid: <name>@<version> (ag1:<digest>)` and any warnings; on errors prints each as\n' +
      '`file:line:column: error CODE message` on stderr and exits 10.',
    options: { strict: { type: 'boolean' } },
    load: () => import('./validate.js'),
  },
  {
    name: 'verify',
    summary: 'verify that an agent is signed by a key: a container (signature, every sha256) or a manifest (its signed lock)',
    usage:
      'Usage: agentlang verify <name@version.agent | agent> --pubkey HEX [--pubkey HEX]… [--lock L] [--json]\n\n' +
      '  --pubkey HEX   trusted Ed25519 public key (64 hex, or AGENTLANG_PUBKEY, from `agentlang keygen`)\n' +
      '  --lock L       for a directory or YAML manifest: the signed lock (default <dir>/agent.lock, <file>.lock)\n\n' +
      'A container must carry a signature by the key, and every entry must match its signed index. A directory\n' +
      'or YAML manifest has no signature of its own: it is signed when its lock is signed by the key and pins\n' +
      'its manifest hash. Prints `VALID: …` or the reason it is not (exit 16 container, 12 lock).',
    options: { pubkey: { type: 'string', multiple: true }, lock: { type: 'string' } },
    load: () => import('./verify.js'),
  },
  {
    name: 'verify-lock',
    summary: "verify a signed lock's Ed25519 signature against a trusted public key",
    usage:
      'Usage: agentlang verify-lock <lock> --pubkey HEX [--pubkey HEX]… [--json]\n\n' +
      '  --pubkey HEX   trusted Ed25519 public key (64 hex, AGENTLANG_PUBKEY from `agentlang keygen`)\n\n' +
      'Prints `VALID: signature verifies for <name>@<version>` or the reason it does not, exiting 12\n' +
      '(LOCK_SIGNATURE_INVALID, LOCK_UNSIGNED, LOCK_PAYLOAD_TYPE, LOCK_MALFORMED, LOCK_KEY_INVALID, …).',
    options: { pubkey: { type: 'string', multiple: true } },
    load: () => import('./verify-lock.js'),
  },
];
