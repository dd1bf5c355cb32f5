/** The dialects `scaffoldAgent` can write. */
export const SCAFFOLD_DIALECTS = ['agentlang', 'agentspec'] as const;

/** One of {@link SCAFFOLD_DIALECTS}. */
export type ScaffoldDialect = (typeof SCAFFOLD_DIALECTS)[number];

function titleOf(name: string): string {
  return name
    .split(/[-_.]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * The files of a new agent that validates, by path relative to the target directory: an AgentLang
 * directory (`agent.yaml`, `prompt.yaml`) or an AgentSpec `<name>.agent`. The entry file is first.
 */
export function scaffoldAgent(name: string, dialect: ScaffoldDialect = 'agentlang'): Record<string, string> {
  if (dialect === 'agentspec') {
    return {
      [`${name}.agent`]: [
        'apiVersion: agent/v1',
        `name: ${name}`,
        'version: 0.1.0',
        `description: "${titleOf(name)}: what this agent does"`,
        '',
        'runtime: test-echo',
        'model:',
        '  preferred:',
        `    - test-echo/${name}`,
        '',
        'behavior:',
        `  persona: ${name}-agent`,
        '',
        'trust:',
        '  filesystem: none',
        '  network: none',
        '  exec: full',
        '',
        'observability:',
        '  trace: true',
        '',
      ].join('\n'),
    };
  }
  return {
    'agent.yaml': [
      `name: ${name}`,
      'version: 0.1.0',
      `title: ${titleOf(name)}`,
      'description: |',
      '  What this agent does, in a sentence or two.',
      '',
      'models:',
      '  claude-sonnet-4:',
      '    provider: anthropic',
      '    options:',
      '      temperature: 0.7',
      '',
      'tools:',
      '  - name: web_search',
      '    version: ^1.2.0',
      '  - name: artifacts',
      '',
    ].join('\n'),
    'prompt.yaml': [
      'version: 2',
      'role: system',
      'sections:',
      '  - name: who_you_are',
      '    content: |',
      `      You are ${titleOf(name)}. Describe the agent's role and standards here.`,
      '',
      '  - name: your_tools',
      '    content: |',
      '      web_search - Find current information across the web',
      '      artifacts - Save reports and findings for the user',
      '',
      '  - name: workflow',
      '    content: |',
      '      1. Understand the request',
      '      2. Search, then cross-check what you find',
      '      3. Save the result as an artifact',
      '',
    ].join('\n'),
  };
}
