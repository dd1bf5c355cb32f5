import type {
  AgentManifest,
  AgentSpecExtras,
  BehaviorSpec,
  RuntimeSettings,
  BashToolSpec,
  Capability,
  CapabilitySettings,
  ContextSpec,
  DelegateAgentRef,
  DelegateSpec,
  DependencySpec,
  HttpParamSpec,
  HttpToolSpec,
  McpServerSpec,
  ModelSpec,
  PermissionsSpec,
  ToolSpec,
  ToolUiRule,
  TrustSpec,
  UiComponentSpec,
  UxSpec,
} from './types.js';

// These functions run only on documents that passed the JSON Schema, so shapes are known; they
// still read defensively because a partial document may have skipped sections.

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Removes keys whose value is undefined, so optional fields are absent rather than undefined. */
function clean<T extends object>(value: T): T {
  for (const k of Object.keys(value) as Array<keyof T>) if (value[k] === undefined) delete value[k];
  return value;
}

const HTTP_KNOWN = new Set([
  'description',
  'endpoint',
  'method',
  'auth',
  'params',
  'body_template',
  'ui_component',
  'approval',
]);

function normaliseUiRule(raw: Raw): ToolUiRule {
  const actions = obj(raw.actions);
  const sync = obj(actions.sync_actions);
  return clean({
    component: String(raw.component),
    props: raw.props === undefined ? undefined : (obj(raw.props) as Record<string, string>),
    actions:
      raw.actions === undefined
        ? undefined
        : clean({
            syncActions:
              actions.sync_actions === undefined
                ? undefined
                : Object.fromEntries(
                    Object.entries(sync).map(([k, v]) => [
                      k,
                      clean({
                        tool: String(obj(v).tool),
                        params: obj(v).params === undefined ? undefined : obj(obj(v).params),
                      }),
                    ]),
                  ),
            agentActions: actions.agent_actions === undefined ? undefined : strs(actions.agent_actions),
          }),
  });
}

function normaliseHttpTool(name: string, raw: Raw): HttpToolSpec {
  const flags: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!HTTP_KNOWN.has(k)) flags[k] = v;
  return clean({
    name,
    description: optStr(raw.description),
    endpoint: String(raw.endpoint),
    method: raw.method as HttpToolSpec['method'],
    auth: optStr(raw.auth),
    flags,
    params: Object.fromEntries(
      Object.entries(obj(raw.params)).map(([k, v]) => {
        const p = obj(v);
        return [
          k,
          clean({
            type: String(p.type),
            description: optStr(p.description),
            required: typeof p.required === 'boolean' ? p.required : undefined,
            default: p.default,
          }) as HttpParamSpec,
        ];
      }),
    ),
    bodyTemplate: optStr(raw.body_template),
    uiComponent:
      raw.ui_component === undefined
        ? undefined
        : Object.fromEntries(Object.entries(obj(raw.ui_component)).map(([k, v]) => [k, normaliseUiRule(obj(v))])),
    approval: raw.approval as HttpToolSpec['approval'],
  });
}

function normaliseSettings(raw: Raw): CapabilitySettings {
  return clean({
    mode: raw.mode as CapabilitySettings['mode'],
    reason: optStr(raw.reason),
    schedule: optStr(raw.schedule),
    wakeTriggers:
      raw.wake_triggers === undefined
        ? undefined
        : arr(raw.wake_triggers).map((t) => ({ schedule: String(obj(t).schedule) })),
    maxRuntime: typeof raw.max_runtime === 'number' ? raw.max_runtime : undefined,
    channels: raw.channels === undefined ? undefined : strs(raw.channels),
  });
}

function normalisePermissions(raw: Raw): PermissionsSpec {
  const settings: PermissionsSpec['settings'] = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'required' || k === 'optional') continue;
    settings[k as Capability] = normaliseSettings(obj(v));
  }
  return { required: strs(raw.required) as Capability[], optional: strs(raw.optional) as Capability[], settings };
}

function normaliseContext(raw: Raw): ContextSpec {
  const w = raw.window === undefined ? undefined : obj(raw.window);
  const c = raw.compaction === undefined ? undefined : obj(raw.compaction);
  return clean({
    window:
      w &&
      clean({
        maxTokens: typeof w.max_tokens === 'number' ? w.max_tokens : undefined,
        strategy: w.strategy as NonNullable<ContextSpec['window']>['strategy'],
      }),
    compaction:
      c &&
      clean({
        strategy: c.strategy as NonNullable<ContextSpec['compaction']>['strategy'],
        trigger: typeof c.trigger === 'number' ? c.trigger : undefined,
        preserve: c.preserve === undefined ? undefined : strs(c.preserve),
      }),
    inject: strs(raw.inject),
  });
}

/** Normalises `delegate.agents` entries: a bare string becomes `{ path }`. */
export function normaliseAgentRef(entry: unknown): DelegateAgentRef & { name?: string } {
  if (typeof entry === 'string') return { path: entry };
  const e = obj(entry);
  return clean({
    path: String(e.path),
    name: optStr(e.name),
    task: optStr(e.task),
    dependsOn: e.depends_on === undefined ? undefined : strs(e.depends_on),
  });
}

/**
 * Builds `manifest.delegate` from the `delegate:` section and a `delegate` tool's `config`
 * (mode dynamic, discovery, max_depth); the section wins where both set a field.
 */
function normaliseDelegate(section: Raw | undefined, toolConfig: Raw | undefined): DelegateSpec | undefined {
  if (!section && !toolConfig) return undefined;
  const s = section ?? {};
  const t = toolConfig ?? {};
  const mode = (s.mode ??
    t.mode ??
    (section && !toolConfig ? 'static' : toolConfig ? 'dynamic' : 'static')) as DelegateSpec['mode'];
  const maxDepth = s.max_depth ?? t.max_depth;
  const permissions = { ...obj(t.permissions), ...obj(s.permissions) } as DelegateSpec['permissions'];
  return clean({
    mode,
    process: (s.process ?? t.process) as DelegateSpec['process'],
    agents: arr(s.agents ?? t.agents).map((a) => {
      const { name: _name, ...ref } = normaliseAgentRef(a);
      return ref;
    }),
    discovery: (s.discovery ?? t.discovery) as DelegateSpec['discovery'],
    maxDepth: typeof maxDepth === 'number' ? maxDepth : undefined,
    permissions,
  });
}

function normaliseUiComponents(raw: Raw): UiComponentSpec[] {
  return Object.entries(raw).map(([name, v]) => ({
    name,
    actions: Object.fromEntries(
      Object.entries(obj(obj(v).actions)).map(([k, a]) => [
        k,
        clean({ tool: optStr(obj(a).tool), params: obj(a).params === undefined ? undefined : obj(obj(a).params) }),
      ]),
    ),
  }));
}

/** Normalises a parsed `ux.yaml`. */
export function normaliseUx(raw: Raw): UxSpec {
  const labelsOf = (v: unknown) =>
    v === undefined ? undefined : clean({ running: optStr(obj(v).running), finished: optStr(obj(v).finished) });
  return {
    integrations: arr(raw.integrations).map((i) =>
      clean({ name: String(obj(i).name), website: optStr(obj(i).website) }),
    ),
    suggestions: strs(raw.suggestions),
    tools: Object.fromEntries(
      Object.entries(obj(raw.tools)).map(([k, v]) => [
        k,
        clean({
          labels: labelsOf(obj(v).labels),
          suggestions: obj(v).suggestions === undefined ? undefined : strs(obj(v).suggestions),
        }),
      ]),
    ),
    mcpTools: Object.fromEntries(
      Object.entries(obj(raw.mcp_tools)).map(([server, tools]) => [
        server,
        Object.fromEntries(Object.entries(obj(tools)).map(([t, v]) => [t, clean({ labels: labelsOf(obj(v).labels) })])),
      ]),
    ),
  };
}

/** AgentSpec `behavior` minus the sampling settings; absent when it declares none of persona, traits, system_override. */
function normaliseBehavior(raw: Raw): BehaviorSpec | undefined {
  const b = clean<BehaviorSpec>({
    persona: optStr(raw.persona),
    traits: raw.traits === undefined ? undefined : strs(raw.traits),
    systemOverride: optStr(raw.system_override),
  });
  return Object.keys(b).length ? b : undefined;
}

/** AgentSpec's sampling settings, for the runtime (never the prompt). */
function normaliseRuntimeSettings(raw: Raw): RuntimeSettings | undefined {
  const s = clean<RuntimeSettings>({
    temperature: typeof raw.temperature === 'number' ? raw.temperature : undefined,
    maxSteps: typeof raw.max_steps === 'number' ? raw.max_steps : undefined,
    onError: raw.on_error as RuntimeSettings['onError'],
  });
  return Object.keys(s).length ? s : undefined;
}

/** AgentSpec keys kept verbatim; absent when the manifest has none of them. */
function normaliseExtras(raw: Raw): AgentSpecExtras | undefined {
  const e = clean<AgentSpecExtras>({
    author: optStr(raw.author),
    license: optStr(raw.license),
    tags: raw.tags === undefined ? undefined : strs(raw.tags),
    auth: raw.auth === undefined ? undefined : obj(raw.auth),
    memory: raw.memory === undefined ? undefined : obj(raw.memory),
    expose: raw.expose === undefined ? undefined : arr(raw.expose),
    agents: raw.agents === undefined ? undefined : obj(raw.agents),
    pipeline: raw.pipeline === undefined ? undefined : arr(raw.pipeline),
    extensions: raw.extensions === undefined ? undefined : obj(raw.extensions),
  });
  return Object.keys(e).length ? e : undefined;
}

/** The trust an AgentSpec manifest gets for fields it leaves out: nothing. */
export const DEFAULT_TRUST: TrustSpec = { filesystem: 'none', network: 'none', exec: 'none', scope: [] };

/** Normalises a schema-valid document of either dialect (AgentSpec already merged with its bases). */
export function normaliseManifest(
  raw: Raw,
  dialect: AgentManifest['dialect'] = raw.apiVersion === undefined ? 'agentlang' : 'agentspec',
): AgentManifest {
  const rawTools = arr(raw.tools).map(obj);
  const tools: ToolSpec[] = rawTools.map((t) =>
    clean({
      name: String(t.name),
      version: optStr(t.version),
      config: t.config === undefined ? undefined : obj(t.config),
      inputSchema: t.input_schema === undefined ? undefined : obj(t.input_schema),
      outputSchema: t.output_schema === undefined ? undefined : obj(t.output_schema),
      approval: t.approval as ToolSpec['approval'],
    }),
  );
  const delegateTool = rawTools.find((t) => t.name === 'delegate');
  const models: ModelSpec[] = Object.entries(obj(raw.models)).map(([id, m]) =>
    clean({
      id,
      provider: optStr(obj(m).provider),
      options: obj(m).options === undefined ? undefined : obj(obj(m).options),
    }),
  );
  if (dialect === 'agentspec') for (const id of strs(obj(raw.model).preferred)) models.push({ id });
  const mcpServers: McpServerSpec[] = Object.entries(obj(raw.mcp_servers)).map(([name, v]) => {
    const s = obj(v);
    return clean({
      name,
      command: String(s.command),
      args: strs(s.args),
      env: obj(s.env) as Record<string, string>,
      tools: s.tools === undefined ? undefined : strs(s.tools),
    });
  });
  const bashTools: BashToolSpec[] = Object.entries(obj(raw.bash_tools)).map(([name, v]) => {
    const b = obj(v);
    return clean({
      name,
      description: optStr(b.description),
      command: String(b.command),
      helpCommand: optStr(b.help_command),
      labels:
        b.labels === undefined
          ? undefined
          : clean({ running: optStr(obj(b.labels).running), finished: optStr(obj(b.labels).finished) }),
      approval: b.approval as BashToolSpec['approval'],
    });
  });
  const dependencies: DependencySpec[] = arr(raw.dependencies).map((d) => ({
    name: String(obj(d).name),
    check: String(obj(d).check),
    install: obj(obj(d).install) as Record<string, string>,
  }));
  let trust: TrustSpec | undefined;
  if (dialect === 'agentspec') {
    const t = obj(raw.trust);
    trust = {
      filesystem: (t.filesystem as TrustSpec['filesystem']) ?? DEFAULT_TRUST.filesystem,
      network: (t.network as TrustSpec['network']) ?? DEFAULT_TRUST.network,
      exec: (t.exec as TrustSpec['exec']) ?? DEFAULT_TRUST.exec,
      scope: strs(t.scope),
      // Only when written: a manifest without it keeps the digest it always had.
      ...(t.hosts !== undefined ? { hosts: strs(t.hosts) } : {}),
    };
  }
  return clean({
    dialect,
    name: String(raw.name),
    version: optStr(raw.version),
    title: optStr(raw.title),
    subtitle: optStr(raw.subtitle),
    description: optStr(raw.description),
    developer: optStr(raw.developer),
    category: optStr(raw.category),
    models,
    modelTiers:
      dialect === 'agentspec' &&
      (typeof obj(raw.model).capability === 'string' || typeof obj(raw.model).fallback === 'string')
        ? clean({ capability: optStr(obj(raw.model).capability), fallback: optStr(obj(raw.model).fallback) })
        : undefined,
    runtime: optStr(raw.runtime),
    behavior: raw.behavior === undefined ? undefined : normaliseBehavior(obj(raw.behavior)),
    runtimeSettings: raw.behavior === undefined ? undefined : normaliseRuntimeSettings(obj(raw.behavior)),
    soul: optStr(raw.soul),
    rules: optStr(raw.rules),
    agentspec: dialect === 'agentspec' ? normaliseExtras(raw) : undefined,
    trust,
    observability: raw.observability === undefined ? undefined : obj(raw.observability),
    tools,
    mcpServers,
    httpTools: Object.entries(obj(raw.http_tools)).map(([k, v]) => normaliseHttpTool(k, obj(v))),
    bashTools,
    dependencies,
    permissions: raw.permissions === undefined ? undefined : normalisePermissions(obj(raw.permissions)),
    context: raw.context === undefined ? undefined : normaliseContext(obj(raw.context)),
    delegate: normaliseDelegate(
      raw.delegate === undefined ? undefined : obj(raw.delegate),
      delegateTool?.config !== undefined ? obj(delegateTool.config) : undefined,
    ),
    uiComponents: normaliseUiComponents(obj(raw.ui_components)),
    skills: arr(raw.skills).map((s) => ({
      name: typeof s === 'string' ? s : String(obj(s).name ?? Object.keys(obj(s))[0]),
      allowedTools: [],
    })),
  });
}
