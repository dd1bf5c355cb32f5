// The single source of the JSON Schemas. compile-schemas.mjs writes each kind to
// schemas/<kind>.schema.json (self-contained, for editors and other tools) and compiles all of
// them into ajv standalone validators in src/generated/. Edit here, then run
// `node scripts/compile-schemas.mjs` (the build does it too).

const BASE = 'https://agentlang.dev/schemas';

const str = (description) => ({ type: 'string', ...(description ? { description } : {}) });
const strList = (description) => ({
  type: 'array',
  items: { type: 'string' },
  ...(description ? { description } : {}),
});
const freeObject = (description) => ({ type: 'object', ...(description ? { description } : {}) });
const map = (value, description) => ({
  type: 'object',
  additionalProperties: value,
  ...(description ? { description } : {}),
});

export const CAPABILITIES = [
  'network',
  'websocket',
  'p2p',
  'storage',
  'filesystem',
  'keychain',
  'microphone',
  'camera',
  'screen_capture',
  'location',
  'background',
  'notifications',
  'clipboard',
  'shell',
  'oauth',
  'wallet',
  'signing',
];

/** AgentLang extension: how a call to a tool is confirmed (the values of `delegate.permissions`). */
const approval = {
  enum: ['always', 'session', 'always_ask'],
  description:
    'AgentLang extension: always runs without asking (the default), session asks once per run, always_ask asks before every call',
};

const labels = {
  type: 'object',
  description: 'Status labels shown while the tool runs',
  properties: { running: str('Shown while running'), finished: str('Shown when done') },
  additionalProperties: false,
};

const defs = {
  name: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
    description: 'Lower-case name: letters, digits, ".", "_", "-"; at most 64 characters',
  },
  version: { type: 'string', description: 'Semantic version, quoted (e.g. "1.0.0")' },
  model: {
    type: 'object',
    properties: {
      provider: str('Provider id, e.g. anthropic'),
      options: freeObject('Provider options such as temperature and max_tokens'),
    },
    additionalProperties: false,
  },
  tool: {
    type: 'object',
    required: ['name'],
    properties: {
      name: str('Catalog tool name, e.g. web_search'),
      version: str('Semver range, e.g. ^1.2.0; absent means latest'),
      description: str(),
      config: freeObject('Tool-specific configuration'),
      input_schema: freeObject('MCP input JSON Schema'),
      output_schema: freeObject('AgentLang extension: output JSON Schema'),
      approval,
    },
    additionalProperties: false,
  },
  mcpServer: {
    type: 'object',
    required: ['command'],
    properties: {
      command: str('Executable that starts the server over stdio'),
      args: strList('Arguments'),
      env: map({ type: 'string' }, 'Environment; values may use {{.env.NAME}}'),
      tools: strList('Whitelist of tools; absent means all'),
      description: str(),
    },
    additionalProperties: false,
  },
  httpParam: {
    type: 'object',
    required: ['type'],
    properties: {
      type: { enum: ['string', 'number', 'integer', 'boolean', 'object', 'array'] },
      description: str(),
      required: { type: 'boolean' },
      default: {},
    },
    additionalProperties: false,
  },
  uiRule: {
    type: 'object',
    required: ['component'],
    properties: {
      component: str('UI component to render'),
      props: map({ type: 'string' }, 'Props; values may use {{json.…}} templates'),
      actions: {
        type: 'object',
        properties: {
          sync_actions: map(
            {
              type: 'object',
              required: ['tool'],
              properties: { tool: str('Tool run without the LLM (system://… for host tools)'), params: freeObject() },
              additionalProperties: false,
            },
            'Actions that run a tool directly',
          ),
          agent_actions: strList('Actions routed to the LLM'),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  httpTool: {
    type: 'object',
    required: ['endpoint', 'method'],
    properties: {
      description: str(),
      endpoint: str('URL or host-relative path'),
      method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      auth: str('Auth scheme, e.g. bearer'),
      params: map({ $ref: '#/$defs/httpParam' }),
      body_template: str('Request body template using {{param}} and {{if p}}…{{end}}'),
      ui_component: map({ $ref: '#/$defs/uiRule' }, 'UI per execution status (completed, failed, …)'),
      approval,
    },
    additionalProperties: { type: ['boolean', 'string', 'number'], description: 'Flags such as twitter_token: true' },
  },
  bashTool: {
    type: 'object',
    required: ['command'],
    properties: {
      description: str(),
      command: str('Executable the tool is scoped to'),
      help_command: str('Command that prints usage'),
      labels,
      approval,
    },
    additionalProperties: false,
  },
  dependency: {
    type: 'object',
    required: ['name', 'check'],
    properties: {
      name: str('Binary name'),
      check: str('Command whose success means it is installed'),
      install: map({ type: 'string' }, 'Install command per OS (darwin, linux, win32)'),
    },
    additionalProperties: false,
  },
  capabilitySettings: {
    type: 'object',
    properties: {
      mode: { enum: ['user_triggered', 'on_demand', 'continuous', 'scheduled'] },
      reason: str('Why the agent needs it'),
      schedule: str('5-field cron expression'),
      wake_triggers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['schedule'],
          properties: { schedule: str('5-field cron expression') },
          additionalProperties: false,
        },
      },
      max_runtime: { type: 'number', exclusiveMinimum: 0, description: 'Seconds per wake' },
      channels: strList('Notification channels'),
    },
    additionalProperties: false,
  },
  permissions: {
    type: 'object',
    properties: {
      required: { type: 'array', items: { enum: CAPABILITIES } },
      optional: { type: 'array', items: { enum: CAPABILITIES } },
      ...Object.fromEntries(CAPABILITIES.map((c) => [c, { $ref: '#/$defs/capabilitySettings' }])),
    },
    additionalProperties: false,
  },
  context: {
    type: 'object',
    properties: {
      window: {
        type: 'object',
        properties: {
          max_tokens: { type: 'integer', minimum: 1 },
          strategy: { enum: ['sliding', 'summarize', 'truncate'] },
        },
        additionalProperties: false,
      },
      compaction: {
        type: 'object',
        properties: {
          strategy: { enum: ['summarize', 'drop_oldest', 'checkpoint'] },
          trigger: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          preserve: strList('What compaction never drops'),
        },
        additionalProperties: false,
      },
      inject: strList('Template sources injected into the prompt: time, location, user_profile, …'),
    },
    additionalProperties: false,
  },
  delegate: {
    type: 'object',
    properties: {
      mode: { enum: ['static', 'dynamic'] },
      process: { enum: ['sequential', 'parallel', 'hierarchical'] },
      agents: {
        type: 'array',
        items: {
          type: ['string', 'object'],
          description: 'A sub-agent path, or { path, task, depends_on }',
          required: ['path'],
          properties: { path: str(), name: str(), task: str(), depends_on: strList() },
          additionalProperties: false,
        },
      },
      discovery: { enum: ['directory'] },
      max_depth: { type: 'integer', minimum: 1, maximum: 16 },
      permissions: map({ enum: ['always', 'session', 'always_ask'] }, 'Per sub-agent confirmation policy'),
    },
    additionalProperties: false,
  },
  uiComponent: {
    type: ['object', 'null'],
    properties: {
      description: str(),
      actions: map({
        type: ['object', 'null'],
        properties: { tool: str('Sync action: tool run directly'), params: freeObject() },
        additionalProperties: false,
      }),
    },
    additionalProperties: false,
  },
  skillRef: {
    type: ['object', 'string'],
    required: ['name'],
    properties: { name: str('Skill directory under skills/') },
    additionalProperties: false,
  },
};

const agentLangSections = {
  title: str(),
  subtitle: str(),
  description: str(),
  developer: str(),
  category: str(),
  models: map({ $ref: '#/$defs/model' }, 'Models by id'),
  tools: { type: 'array', items: { $ref: '#/$defs/tool' } },
  mcp_servers: map({ $ref: '#/$defs/mcpServer' }),
  http_tools: map({ $ref: '#/$defs/httpTool' }),
  bash_tools: map({ $ref: '#/$defs/bashTool' }),
  dependencies: { type: 'array', items: { $ref: '#/$defs/dependency' } },
  permissions: { $ref: '#/$defs/permissions' },
  context: { $ref: '#/$defs/context' },
  delegate: { $ref: '#/$defs/delegate' },
  ui_components: map({ $ref: '#/$defs/uiComponent' }),
  skills: { type: 'array', items: { $ref: '#/$defs/skillRef' } },
};

const mergeStrategy = (values, description) => ({ enum: values, description });
const mcpEntry = {
  type: ['string', 'object'],
  description: 'A well-known MCP server name (github), { name: { config } }, or { name, command, args, env }',
};

// AgentSpec's keys (its docs/concepts/format.md), validated here; how each is used is in the README.
const agentSpecSections = {
  apiVersion: { const: 'agent/v1' },
  kind: { const: 'Agent' },
  author: str('Author (kept in the manifest)'),
  license: str('SPDX licence (kept in the manifest)'),
  tags: strList('Tags (kept in the manifest)'),
  base: str('Path of the base manifest this one extends'),
  merge: {
    type: 'object',
    description:
      'How this manifest merges with its base (defaults: skills append, tools append, behavior override, trust restrict)',
    properties: {
      skills: mergeStrategy(
        ['append', 'override', 'restrict'],
        'append (base then child), override (child only), restrict (child entries the base also lists)',
      ),
      tools: mergeStrategy(['append', 'override', 'restrict'], 'As skills, per tools.mcp and tools.native'),
      behavior: mergeStrategy(
        ['override', 'append'],
        'override (child block replaces) or append (keys merge, traits appended)',
      ),
      trust: { const: 'restrict', description: 'Always restrict: a child only narrows its base' },
    },
    additionalProperties: false,
  },
  runtime: str('Runtime adapter, e.g. test-echo'),
  model: {
    type: 'object',
    properties: {
      preferred: { type: 'array', items: { type: 'string' }, minItems: 1 },
      // AgentSpec's capability tiers: the resolver maps each to default models (see @agentlang/resolver).
      capability: { enum: ['reasoning-low', 'reasoning-mid', 'reasoning-high', 'reasoning-max'] },
      fallback: { enum: ['reasoning-low', 'reasoning-mid', 'reasoning-high', 'reasoning-max'] },
      context: {
        type: 'string',
        description: 'Context size hint: full | 128k | 32k | 8k (accepted; the window comes from the model catalog)',
      },
    },
    additionalProperties: false,
  },
  auth: {
    type: 'object',
    properties: {
      strategy: { enum: ['auto', 'explicit', 'none'] },
      providers: map({ type: 'object', properties: { from: str('env.NAME') }, additionalProperties: false }),
    },
    additionalProperties: false,
  },
  memory: {
    type: 'object',
    properties: {
      working: { enum: ['session', 'none'] },
      long_term: { enum: ['none', 'local', 'external'] },
      shared: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  behavior: {
    type: 'object',
    description: 'Persona, traits (prompt text) and sampling settings (runtime settings)',
    properties: {
      persona: str('Who the agent is, e.g. precise-researcher'),
      traits: strList('Trait names (cite-everything, …) or sentences'),
      temperature: { type: 'number', minimum: 0, maximum: 2 },
      max_steps: { type: 'integer', minimum: 1 },
      on_error: { enum: ['ask', 'retry', 'fail', 'skip'] },
      system_override: str('Replaces the persona and traits in the system prompt'),
    },
    additionalProperties: false,
  },
  soul: str('Identity text (a directory agent may put it in SOUL.md)'),
  rules: str('Hard rules (a directory agent may put them in RULES.md)'),
  expose: {
    type: 'array',
    items: {
      type: 'object',
      required: ['name'],
      properties: { name: str(), description: str(), input: map({ type: 'string' }), output: str() },
      additionalProperties: false,
    },
  },
  trust: {
    type: 'object',
    properties: {
      filesystem: { enum: ['none', 'read-only', 'scoped', 'full'] },
      network: { enum: ['none', 'scoped', 'allowed'] },
      exec: { enum: ['none', 'sandboxed', 'full'] },
      scope: strList('Paths relative to the agent directory granted under filesystem: read-only / scoped'),
      hosts: {
        type: 'array',
        description: 'Hosts reachable under network: scoped, through the egress proxy (api.example.com, *.example.com)',
        // A host name, a *.domain wildcard or an IP literal: no scheme, port or path.
        items: {
          type: 'string',
          pattern:
            '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]+$',
        },
      },
    },
    additionalProperties: false,
  },
  observability: {
    type: 'object',
    properties: {
      trace: { type: 'boolean' },
      cost_limit: { type: 'number', minimum: 0 },
      step_limit: { type: 'integer', minimum: 1 },
      on_exceed: { enum: ['ask', 'abort'] },
    },
    additionalProperties: false,
  },
  agents: map({
    type: 'object',
    required: ['ref'],
    properties: { ref: str(), role: { enum: ['subagent', 'orchestrator', 'validator'] } },
    additionalProperties: false,
  }),
  pipeline: {
    type: 'array',
    items: {
      type: 'object',
      required: ['call'],
      properties: { call: str(), output: str() },
      additionalProperties: false,
    },
  },
  extensions: freeObject('Runtime-specific settings (x-claude, x-gemini, …), kept verbatim'),
};

// Where AgentSpec and AgentLang both use a key with different shapes, the AgentSpec document accepts both.
const agentSpecOverrides = {
  tools: {
    oneOf: [
      { type: 'array', items: { $ref: '#/$defs/tool' } },
      {
        type: 'object',
        properties: {
          mcp: { type: 'array', items: mcpEntry },
          native: strList('Tools the runtime provides itself (bash, browser, …)'),
        },
        additionalProperties: false,
      },
    ],
  },
  skills: {
    type: 'array',
    items: {
      type: ['string', 'object'],
      description: 'An abstract skill name (web-search), or a skills/<name>/SKILL.md directory',
      required: ['name'],
      properties: { name: str(), requires: freeObject('Dependencies (pip, npm, …); kept verbatim') },
      additionalProperties: false,
    },
  },
};

function withDefs(schema, names) {
  const used = {};
  const visit = (n) => {
    if (used[n]) return;
    used[n] = defs[n];
    JSON.stringify(defs[n]).replace(/#\/\$defs\/(\w+)/g, (_, d) => visit(d));
  };
  for (const n of names) visit(n);
  return { ...schema, $defs: used };
}

const agentDefNames = ['name', 'version', ...Object.keys(defs)];

/** Every schema, keyed by kind. */
export const SCHEMAS = {
  agent: withDefs(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${BASE}/agent.schema.json`,
      title: 'AgentLang agent.yaml',
      type: 'object',
      required: ['name', 'version'],
      properties: { name: { $ref: '#/$defs/name' }, version: { $ref: '#/$defs/version' }, ...agentLangSections },
      additionalProperties: false,
    },
    agentDefNames,
  ),
  subagent: withDefs(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${BASE}/subagent.schema.json`,
      title: 'AgentLang sub-agent (partial manifest; version optional)',
      type: 'object',
      required: ['name'],
      properties: { name: { $ref: '#/$defs/name' }, version: { $ref: '#/$defs/version' }, ...agentLangSections },
      additionalProperties: false,
    },
    agentDefNames,
  ),
  agentspec: withDefs(
    {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${BASE}/agentspec.schema.json`,
      title: 'AgentSpec manifest (apiVersion: agent/v1), after base: inheritance is merged',
      type: 'object',
      required: ['apiVersion', 'name', 'version'],
      properties: {
        name: { $ref: '#/$defs/name' },
        version: { $ref: '#/$defs/version' },
        ...agentLangSections,
        ...agentSpecSections,
        ...agentSpecOverrides,
      },
      additionalProperties: false,
    },
    agentDefNames,
  ),
  prompt: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}/prompt.schema.json`,
    title: 'PromptLang prompt.yaml',
    type: 'object',
    required: ['sections'],
    properties: {
      version: { type: ['integer', 'string'] },
      role: { enum: ['system', 'user', 'assistant'] },
      sections: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'content'],
          properties: { name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' }, content: { type: 'string' } },
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  },
  ux: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}/ux.schema.json`,
    title: 'AgentLang ux.yaml',
    type: 'object',
    properties: {
      integrations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: str(), website: str() },
          additionalProperties: false,
        },
      },
      suggestions: strList('Starter prompts'),
      tools: map({
        type: 'object',
        properties: { labels, suggestions: strList() },
        additionalProperties: false,
      }),
      mcp_tools: map(
        map({ type: 'object', properties: { labels }, additionalProperties: false }),
        'Labels per MCP server, per tool',
      ),
    },
    additionalProperties: false,
  },
  'skill-frontmatter': {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${BASE}/skill-frontmatter.schema.json`,
    title: 'AgentLang SKILL.md frontmatter',
    type: 'object',
    required: ['name'],
    properties: {
      name: { $ref: '#/$defs/name' },
      description: str(),
      'allowed-tools': strList('The only tools the agent may use while the skill is active'),
    },
    additionalProperties: false,
    $defs: { name: defs.name },
  },
};

const SHARED_ID = `${BASE}/compiled/defs.schema.json`;

function sharedRefs(schema) {
  // Descriptions and titles only help editors; the compiled validators do not need them.
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', `"${SHARED_ID}#/$defs/`), (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value).filter(([k, v]) => !((k === 'description' || k === 'title') && typeof v === 'string')),
        )
      : value,
  );
}

/** The compile-time form: the same schemas with agent definitions in one shared schema. */
export const COMPILE_SCHEMAS = {
  shared: [{ $id: SHARED_ID, $defs: sharedRefs(defs) }],
  byKind: Object.fromEntries(
    Object.entries(SCHEMAS).map(([kind, schema]) => {
      const { $defs, ...rest } = schema;
      if (kind === 'skill-frontmatter' || !$defs) return [kind, sharedRefs(schema)];
      return [kind, { ...sharedRefs(rest), $id: `${BASE}/compiled/${kind}.schema.json` }];
    }),
  ),
};
