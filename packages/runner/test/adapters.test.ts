import type { AgentManifest } from '@agentlang/manifest';
import { describe, expect, it } from 'vitest';
import {
  RUNTIME_ADAPTERS,
  aiderAdapter,
  cursorCliAdapter,
  gooseAdapter,
  RunnerError,
  claudeCodeAdapter,
  codexAdapter,
  geminiCliAdapter,
  getAdapter,
  ollamaAdapter,
  opencodeAdapter,
  testEchoAdapter,
} from '@agentlang/runner';
import { demoPlan, llmPlan } from './plan-fixture.js';

const env = {
  ANTHROPIC_API_KEY: 'sk-ant-SECRET',
  OPENAI_API_KEY: 'sk-oai-SECRET',
  GEMINI_API_KEY: 'gm-SECRET',
  STRIPE_KEY_SOURCE: 'sk_live_STRIPE',
  HOME: '/root',
};
const manifest = {
  mcpServers: [
    {
      name: 'Stripe',
      command: 'npx',
      args: ['-y', '@stripe/mcp', '--tools=all'],
      env: { STRIPE_SECRET_KEY: '{{.env.STRIPE_KEY_SOURCE}}' },
    },
  ],
} as unknown as AgentManifest;
const base = {
  systemPrompt: '## mindset\nBe careful.',
  userPrompt: 'Research X',
  workdir: '/work/w',
  configDir: '/tmp/agentlang-runtime',
  env,
  manifest,
};

function noSecretsIn(text: string): void {
  for (const secret of ['sk-ant-SECRET', 'sk-oai-SECRET', 'gm-SECRET', 'sk_live_STRIPE'])
    expect(text).not.toContain(secret);
}

describe('runtime adapters', () => {
  it('test-echo prints exactly "[test-echo] demo@0.1.0" (seed 000) and never the prompt', () => {
    const inv = testEchoAdapter.buildInvocation({ ...base, plan: demoPlan() });
    expect(inv).toEqual({ argv: ['/usr/bin/echo', '[test-echo] demo@0.1.0'], env: {}, secrets: {}, files: [] });
  });

  it('claude-code: claude -p (prompt on stdin) --model --append-system-prompt-file --mcp-config with env references', () => {
    const inv = claudeCodeAdapter.buildInvocation({
      ...base,
      plan: llmPlan({ name: 'claude-code', binary: 'claude' }, 'anthropic/claude-sonnet-4'),
    });
    expect(inv.argv).toEqual([
      '/opt/bin/claude',
      '-p',
      '--output-format',
      'text',
      '--model',
      'claude-sonnet-4',
      '--append-system-prompt-file',
      '/tmp/agentlang-runtime/claude/system-prompt.md',
      '--mcp-config',
      '/tmp/agentlang-runtime/claude/mcp.json',
      '--strict-mcp-config',
    ]);
    expect(inv.files).toHaveLength(2);
    expect(inv.files[0]).toEqual({
      path: '/tmp/agentlang-runtime/claude/system-prompt.md',
      content: '## mindset\nBe careful.',
    });
    expect(inv.files[1]!.path).toBe('/tmp/agentlang-runtime/claude/mcp.json');
    expect(JSON.stringify(inv.argv)).not.toContain('Be careful');
    expect(inv.stdin).toBe('Research X');
    expect(JSON.parse(inv.files[1]!.content)).toEqual({
      mcpServers: {
        Stripe: {
          type: 'stdio',
          command: 'npx',
          args: ['-y', '@stripe/mcp', '--tools=all'],
          env: { STRIPE_SECRET_KEY: `\${STRIPE_SECRET_KEY}` },
        },
      },
    });
    expect(inv.secrets).toEqual({ ANTHROPIC_API_KEY: 'sk-ant-SECRET', STRIPE_SECRET_KEY: 'sk_live_STRIPE' });
    expect(inv.env).toEqual({
      CLAUDE_CONFIG_DIR: '/tmp/agentlang-runtime/claude/home',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    noSecretsIn(JSON.stringify([inv.argv, inv.files, inv.env]));
  });

  it('codex: codex exec with config.toml in CODEX_HOME (developer_instructions, mcp_servers, env_vars by name)', () => {
    const inv = codexAdapter.buildInvocation({ ...base, plan: llmPlan({ name: 'codex', binary: 'codex' }, 'gpt-5') });
    expect(inv.argv).toEqual([
      '/opt/bin/codex',
      'exec',
      '--skip-git-repo-check',
      '--color',
      'never',
      '--model',
      'gpt-5',
      '--cd',
      '/work/w',
      '-',
    ]);
    expect(inv.stdin).toBe('Research X');
    expect(inv.env).toEqual({ CODEX_HOME: '/tmp/agentlang-runtime/codex' });
    expect(inv.files).toEqual([
      {
        path: '/tmp/agentlang-runtime/codex/config.toml',
        content: [
          '# Written by @agentlang/runner for one run.',
          'developer_instructions = "## mindset\\nBe careful."',
          '',
          '[mcp_servers.Stripe]',
          'command = "npx"',
          'args = ["-y", "@stripe/mcp", "--tools=all"]',
          'env_vars = ["STRIPE_SECRET_KEY"]',
          '',
        ].join('\n'),
      },
    ]);
    expect(inv.secrets).toEqual({ OPENAI_API_KEY: 'sk-oai-SECRET', STRIPE_SECRET_KEY: 'sk_live_STRIPE' });
    noSecretsIn(JSON.stringify([inv.argv, inv.files, inv.env]));
  });

  it('gemini-cli: gemini -m <model> (prompt on stdin), GEMINI_SYSTEM_MD and a settings file with $VAR references', () => {
    const inv = geminiCliAdapter.buildInvocation({
      ...base,
      plan: llmPlan({ name: 'gemini-cli', binary: 'gemini' }, 'google/gemini-2.5-pro'),
    });
    expect(inv.argv).toEqual(['/opt/bin/gemini', '-m', 'gemini-2.5-pro']);
    expect(inv.stdin).toBe('Research X');
    expect(inv.env).toEqual({
      GEMINI_SYSTEM_MD: '/tmp/agentlang-runtime/gemini/system.md',
      GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/tmp/agentlang-runtime/gemini/settings.json',
    });
    expect(inv.files[0]).toEqual({
      path: '/tmp/agentlang-runtime/gemini/system.md',
      content: '## mindset\nBe careful.',
    });
    expect(JSON.parse(inv.files[1]!.content)).toEqual({
      mcpServers: {
        Stripe: {
          command: 'npx',
          args: ['-y', '@stripe/mcp', '--tools=all'],
          env: { STRIPE_SECRET_KEY: '$STRIPE_SECRET_KEY' },
        },
      },
    });
    expect(inv.secrets).toEqual({ GEMINI_API_KEY: 'gm-SECRET', STRIPE_SECRET_KEY: 'sk_live_STRIPE' });
  });

  it('ollama: ollama run <model> --nowordwrap with system + prompt on stdin, and refuses MCP servers it cannot start', () => {
    const plan = { ...llmPlan({ name: 'ollama', binary: 'ollama' }, 'ollama/llama3.2'), mcpServers: [] };
    const inv = ollamaAdapter.buildInvocation({ ...base, plan, env: { ...env, OLLAMA_HOST: '127.0.0.1:11434' } });
    expect(inv).toEqual({
      argv: ['/opt/bin/ollama', 'run', 'llama3.2', '--nowordwrap'],
      env: { OLLAMA_HOST: '127.0.0.1:11434' },
      secrets: {},
      files: [],
      stdin: '## mindset\nBe careful.\n\nResearch X',
    });
    expect(() =>
      ollamaAdapter.buildInvocation({ ...base, plan: llmPlan({ name: 'ollama', binary: 'ollama' }, 'llama3.2') }),
    ).toThrow(/cannot start MCP servers \(Stripe\)/);
  });

  it('opencode: opencode run --model provider/model (prompt on stdin), OPENCODE_CONFIG with instructions and {env:VAR}', () => {
    const inv = opencodeAdapter.buildInvocation({
      ...base,
      plan: llmPlan({ name: 'opencode', binary: 'opencode' }, 'claude-sonnet-4', 'anthropic'),
    });
    expect(inv.argv).toEqual(['/opt/bin/opencode', 'run', '--model', 'anthropic/claude-sonnet-4']);
    expect(inv.stdin).toBe('Research X');
    expect(inv.env).toEqual({ OPENCODE_CONFIG: '/tmp/agentlang-runtime/opencode/opencode.json' });
    expect(inv.files[0]).toEqual({
      path: '/tmp/agentlang-runtime/opencode/system.md',
      content: '## mindset\nBe careful.',
    });
    expect(JSON.parse(inv.files[1]!.content)).toEqual({
      $schema: 'https://opencode.ai/config.json',
      autoupdate: false,
      instructions: ['/tmp/agentlang-runtime/opencode/system.md'],
      mcp: {
        Stripe: {
          type: 'local',
          command: ['npx', '-y', '@stripe/mcp', '--tools=all'],
          enabled: true,
          environment: { STRIPE_SECRET_KEY: '{env:STRIPE_SECRET_KEY}' },
        },
      },
    });
    expect(inv.secrets.ANTHROPIC_API_KEY).toBe('sk-ant-SECRET');
    expect(inv.secrets.STRIPE_SECRET_KEY).toBe('sk_live_STRIPE');
  });

  it('no adapter puts the user prompt on argv: it goes through stdin (aider: a message file)', () => {
    const prompt = 'Research X';
    // harness spawns nothing: the loop gets the prompt in-process.
    for (const adapter of RUNTIME_ADAPTERS.filter((a) => a.name !== 'test-echo' && a.name !== 'harness')) {
      const noMcp = adapter.name === 'ollama' || adapter.name === 'aider';
      const plan = {
        ...llmPlan({ name: adapter.name, binary: adapter.binary }, 'anthropic/claude-sonnet-4', 'anthropic'),
        ...(noMcp ? { mcpServers: [] } : {}),
      };
      const inv = adapter.buildInvocation({ ...base, plan });
      expect(JSON.stringify(inv.argv), adapter.name).not.toContain(prompt);
      if (adapter.name === 'aider')
        expect(inv.files?.find((f) => inv.argv.includes(f.path))?.content, adapter.name).toContain(prompt);
      else expect(inv.stdin, adapter.name).toContain(prompt);
    }
  });

  it('LLM runtimes refuse to run without a prompt, naming the flag', () => {
    for (const adapter of [claudeCodeAdapter, codexAdapter, geminiCliAdapter, opencodeAdapter]) {
      const plan = llmPlan({ name: adapter.name, binary: adapter.binary }, 'm');
      expect(() => adapter.buildInvocation({ ...base, userPrompt: undefined, plan })).toThrow(/--prompt/);
    }
  });

  it('looks adapters up by name and alias and names the known ones otherwise', () => {
    expect(RUNTIME_ADAPTERS.map((a) => a.name)).toEqual([
      'test-echo',
      'claude-code',
      'codex',
      'gemini-cli',
      'ollama',
      'opencode',
      'cursor-cli',
      'goose',
      'aider',
      'harness',
    ]);
    expect(getAdapter('codex-cli').name).toBe('codex');
    expect(getAdapter('claude').name).toBe('claude-code');
    expect(getAdapter('gemini').name).toBe('gemini-cli');
    try {
      getAdapter('malicious-cli');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('RUNNER_UNKNOWN_RUNTIME');
      expect((error as RunnerError).message).toContain('test-echo, claude-code');
    }
  });
});

describe("the runtime's own needs, apart from the agent's grants", () => {
  const plan = (name: string, binary: string, model: string) => llmPlan({ name, binary }, model);

  it('each LLM runtime names its provider endpoint (a base-URL override wins) and that it starts processes', () => {
    expect(claudeCodeAdapter.needs?.({ plan: plan('claude-code', 'claude', 'claude-sonnet-4'), env: {} })).toEqual({
      hosts: ['api.anthropic.com'],
      processes: true,
      notes: [],
    });
    expect(
      claudeCodeAdapter.needs?.({
        plan: plan('claude-code', 'claude', 'claude-sonnet-4'),
        env: { ANTHROPIC_BASE_URL: 'http://api.example.test:8080/v1' },
      })?.hosts,
    ).toEqual(['api.example.test']);
    expect(codexAdapter.needs?.({ plan: plan('codex', 'codex', 'gpt-5'), env: {} })?.hosts).toEqual(['api.openai.com']);
    expect(geminiCliAdapter.needs?.({ plan: plan('gemini-cli', 'gemini', 'gemini-2.5-pro'), env: {} })?.hosts).toEqual([
      'generativelanguage.googleapis.com',
    ]);
    expect(
      opencodeAdapter.needs?.({ plan: plan('opencode', 'opencode', 'anthropic/claude-sonnet-4'), env: {} })?.hosts,
    ).toEqual(['api.anthropic.com', 'models.dev']);
    expect(testEchoAdapter.needs).toBeUndefined();
  });

  it("ollama on the host loopback is out of the sandbox's reach and says so; a public OLLAMA_HOST goes through the proxy", () => {
    const local = ollamaAdapter.needs?.({ plan: plan('ollama', 'ollama', 'llama3.2'), env: {} });
    expect(local?.hosts).toEqual([]);
    expect(local?.notes[0]).toMatch(/loopback or a private network/);
    expect(
      ollamaAdapter.needs?.({
        plan: plan('ollama', 'ollama', 'llama3.2'),
        env: { OLLAMA_HOST: 'ollama.example.com:11434' },
      })?.hosts,
    ).toEqual(['ollama.example.com']);
  });

  it("an agent without shell gets the runtime's shell tool turned off in its configuration (MCP servers stay)", () => {
    const claude = claudeCodeAdapter.buildInvocation({
      ...base,
      agentShell: false,
      plan: plan('claude-code', 'claude', 'claude-sonnet-4'),
    });
    expect(claude.argv.slice(-2)).toEqual(['--disallowedTools', 'Bash']);
    expect(claude.argv).toContain('--mcp-config');
    const codex = codexAdapter.buildInvocation({ ...base, agentShell: false, plan: plan('codex', 'codex', 'gpt-5') });
    expect(codex.files[0]!.content).toContain('\n[features]\nshell_tool = false\nunified_exec = false\n');
    expect(codex.files[0]!.content).toContain('[mcp_servers.Stripe]');
    const gemini = geminiCliAdapter.buildInvocation({
      ...base,
      agentShell: false,
      plan: plan('gemini-cli', 'gemini', 'gemini-2.5-pro'),
    });
    expect(JSON.parse(gemini.files.at(-1)!.content).tools).toEqual({ exclude: ['run_shell_command'] });
    const opencode = opencodeAdapter.buildInvocation({
      ...base,
      agentShell: false,
      plan: plan('opencode', 'opencode', 'anthropic/claude-sonnet-4'),
    });
    expect(JSON.parse(opencode.files.at(-1)!.content).permission).toEqual({ bash: 'deny' });
    // With shell, none of it.
    expect(
      claudeCodeAdapter.buildInvocation({
        ...base,
        agentShell: true,
        plan: plan('claude-code', 'claude', 'claude-sonnet-4'),
      }).argv,
    ).not.toContain('--disallowedTools');
  });
});

// The runtimes AgentSpec runs (issue 14 §2): argv and config, never the prompt or a key on argv.
describe('AgentSpec runtimes: cursor-cli, goose, aider', () => {
  const task = 'Research X';
  const argvClean = (argv: string[]) => {
    const text = JSON.stringify(argv);
    expect(text).not.toContain(task);
    expect(text).not.toContain('Be careful');
    noSecretsIn(text);
  };

  it('cursor-cli: cursor-agent -p, message on stdin, MCP config in its own HOME with ${VAR} references', () => {
    const inv = cursorCliAdapter.buildInvocation({
      ...base,
      plan: llmPlan({ name: 'cursor-cli', binary: 'cursor-agent' }, 'cursor/gpt-5', 'cursor'),
    });
    expect(inv.argv).toEqual(['/opt/bin/cursor-agent', '-p', '--output-format', 'text', '--model', 'gpt-5']);
    expect(inv.stdin).toBe('## mindset\nBe careful.\n\nResearch X');
    expect(inv.env).toEqual({ HOME: '/tmp/agentlang-runtime/cursor' });
    expect(inv.files).toEqual([
      {
        path: '/tmp/agentlang-runtime/cursor/.cursor/mcp.json',
        content: `${JSON.stringify({ mcpServers: { Stripe: { command: 'npx', args: ['-y', '@stripe/mcp', '--tools=all'], env: { STRIPE_SECRET_KEY: '${STRIPE_SECRET_KEY}' } } } }, null, 2)}\n`,
      },
    ]);
    expect(inv.secrets).toEqual({ STRIPE_SECRET_KEY: 'sk_live_STRIPE' });
    argvClean(inv.argv);
    noSecretsIn(JSON.stringify([inv.files, inv.env]));
  });

  it('goose: goose run -i - with instructions on stdin, provider/model flags, MCP servers as extensions', () => {
    const inv = gooseAdapter.buildInvocation({
      ...base,
      plan: llmPlan({ name: 'goose', binary: 'goose' }, 'claude/claude-sonnet-4', 'anthropic'),
    });
    expect(inv.argv).toEqual([
      '/opt/bin/goose',
      'run',
      '--no-session',
      '--quiet',
      '-i',
      '-',
      '--provider',
      'anthropic',
      '--model',
      'claude-sonnet-4',
      '--with-extension',
      'npx -y @stripe/mcp --tools=all',
    ]);
    expect(inv.stdin).toBe('## mindset\nBe careful.\n\nResearch X');
    expect(inv.secrets).toEqual({
      ANTHROPIC_API_KEY: 'sk-ant-SECRET',
      OPENAI_API_KEY: 'sk-oai-SECRET',
      GEMINI_API_KEY: 'gm-SECRET',
      STRIPE_SECRET_KEY: 'sk_live_STRIPE',
    });
    argvClean(inv.argv);
    // goose/… leaves provider and model to goose's own configuration.
    const own = gooseAdapter.buildInvocation({
      ...base,
      plan: { ...llmPlan({ name: 'goose', binary: 'goose' }, 'goose/default', 'goose'), mcpServers: [] },
    });
    expect(own.argv).toEqual(['/opt/bin/goose', 'run', '--no-session', '--quiet', '-i', '-']);
  });

  it('aider: the task and system prompt are files (--message-file, --read); MCP servers are refused', () => {
    const plan = { ...llmPlan({ name: 'aider', binary: 'aider' }, 'openai/gpt-4o', 'openai'), mcpServers: [] };
    const inv = aiderAdapter.buildInvocation({ ...base, plan });
    expect(inv.argv).toEqual([
      '/opt/bin/aider',
      '--message-file',
      '/tmp/agentlang-runtime/aider/message.md',
      '--yes-always',
      '--no-git',
      '--no-auto-commits',
      '--no-check-update',
      '--no-analytics',
      '--no-pretty',
      '--read',
      '/tmp/agentlang-runtime/aider/system.md',
      '--model',
      'openai/gpt-4o',
    ]);
    expect(inv.files).toEqual([
      { path: '/tmp/agentlang-runtime/aider/message.md', content: 'Research X' },
      { path: '/tmp/agentlang-runtime/aider/system.md', content: '## mindset\nBe careful.' },
    ]);
    expect(inv.secrets).toEqual({
      ANTHROPIC_API_KEY: 'sk-ant-SECRET',
      OPENAI_API_KEY: 'sk-oai-SECRET',
      GEMINI_API_KEY: 'gm-SECRET',
    });
    argvClean(inv.argv);
    const local = aiderAdapter.buildInvocation({
      ...base,
      plan: { ...llmPlan({ name: 'aider', binary: 'aider' }, 'local/llama3.2', 'ollama'), mcpServers: [] },
    });
    expect(local.argv.slice(-2)).toEqual(['--model', 'ollama_chat/llama3.2']);
    expect(() =>
      aiderAdapter.buildInvocation({
        ...base,
        plan: llmPlan({ name: 'aider', binary: 'aider' }, 'openai/gpt-4o', 'openai'),
      }),
    ).toThrow(/cannot start MCP servers \(Stripe\)/);
  });

  it('each names its endpoint for the egress proxy; aider without shell suggests no shell commands', () => {
    expect(
      cursorCliAdapter.needs?.({
        plan: llmPlan({ name: 'cursor-cli', binary: 'cursor-agent' }, 'cursor/x', 'cursor'),
        env: {},
      })?.hosts,
    ).toEqual(['api2.cursor.sh']);
    expect(
      gooseAdapter.needs?.({ plan: llmPlan({ name: 'goose', binary: 'goose' }, 'claude/x', 'anthropic'), env: {} })
        ?.hosts,
    ).toEqual(['api.anthropic.com']);
    expect(
      aiderAdapter.needs?.({ plan: llmPlan({ name: 'aider', binary: 'aider' }, 'openai/x', 'openai'), env: {} })?.hosts,
    ).toEqual(['api.openai.com']);
    const own = gooseAdapter.needs?.({
      plan: llmPlan({ name: 'goose', binary: 'goose' }, 'goose/x', 'goose'),
      env: {},
    });
    expect([own?.hosts, own?.notes[0]]).toEqual([[], expect.stringContaining('no known endpoint')]);
    const plan = { ...llmPlan({ name: 'aider', binary: 'aider' }, 'openai/gpt-4o', 'openai'), mcpServers: [] };
    expect(aiderAdapter.buildInvocation({ ...base, agentShell: false, plan }).argv).toContain(
      '--no-suggest-shell-commands',
    );
  });

  it('every AgentSpec runtime needs a prompt and says which flag gives it', () => {
    for (const adapter of [cursorCliAdapter, gooseAdapter, aiderAdapter]) {
      const plan = { ...llmPlan({ name: adapter.name, binary: adapter.binary }, 'm'), mcpServers: [] };
      expect(() => adapter.buildInvocation({ ...base, userPrompt: undefined, plan })).toThrow(/--prompt/);
    }
  });
});
