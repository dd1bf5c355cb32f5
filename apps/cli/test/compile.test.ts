import { join } from 'node:path';
import { makeTempDir, runCli, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');

const PROMPT = `version: 2
role: user
sections:
  - name: mindset
    content: |
      You are genuinely trying to discover something...

  - name: who_you_are
    content: |
      You're the person who checks their own work...
`;

describe('agentlang compile', () => {
  it('compiles a prompt.yaml to markdown exactly as the spec shows (the default target)', () => {
    const dir = writeTree(makeTempDir(), { 'prompt.yaml': PROMPT });
    const r = runCli(['compile', 'prompt.yaml'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "## mindset\nYou are genuinely trying to discover something...\n\n## who_you_are\nYou're the person who checks their own work...\n",
    );
  });

  it('compiles to XML tags exactly as the spec shows', () => {
    const dir = writeTree(makeTempDir(), { 'p.yaml': PROMPT });
    const r = runCli(['compile', 'p.yaml', '--target', 'xml'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "<mindset>\nYou are genuinely trying to discover something...\n</mindset>\n\n<who_you_are>\nYou're the person who checks their own work...\n</who_you_are>\n",
    );
  });

  it("compiles an agent directory's prompt.yaml", () => {
    const r = runCli(['compile', 'examples/research-assistant', '-t', 'markdown'], { cwd: root });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^## mindset\nYou are genuinely trying to discover something/);
    expect(r.stdout).toContain('\n\n## workflow\n');
  });

  it('renders --var values (dotted keys nest) and fails on an unknown variable with its position', () => {
    const dir = writeTree(makeTempDir(), {
      'prompt.yaml':
        'version: 2\nsections:\n  - name: ctx\n    content: |\n      Hello {{user_profile.name}}, it is {{ time }}.\n',
    });
    const verbatim = runCli(['compile', 'prompt.yaml'], { cwd: dir });
    expect(verbatim.stdout).toBe('## ctx\nHello {{user_profile.name}}, it is {{ time }}.\n');
    const ok = runCli(['compile', 'prompt.yaml', '--var', 'user_profile.name=Ada', '--var', 'time=noon'], { cwd: dir });
    expect(ok.stdout).toBe('## ctx\nHello Ada, it is noon.\n');
    const missing = runCli(['compile', 'prompt.yaml', '--var', 'user_profile.name=Ada'], { cwd: dir });
    expect(missing.status).toBe(10);
    expect(missing.stderr).toContain("Error: prompt.yaml:5:42: unknown template variable 'time'");
    const json = JSON.parse(runCli(['compile', 'prompt.yaml', '--var', 'x=1', '--json'], { cwd: dir }).stdout);
    expect(json.error).toMatchObject({
      code: 'PROMPT_UNKNOWN_VARIABLE',
      details: { file: 'prompt.yaml', line: 5, column: 13 },
    });
  });

  it('never passes structure-breaking content through: a closing tag in XML is exit 10', () => {
    const dir = writeTree(makeTempDir(), {
      'prompt.yaml': 'version: 2\nsections:\n  - name: rules\n    content: |\n      Stop at </rules> please.\n',
    });
    const r = runCli(['compile', 'prompt.yaml', '--target', 'xml'], { cwd: dir });
    expect(r.status).toBe(10);
    expect(r.stderr).toMatch(/^Error: prompt\.yaml:5:15: section 'rules' contains a closing tag/m);
    const md = runCli(['compile', 'prompt.yaml'], { cwd: dir });
    expect(md.status).toBe(0);
  });

  it('an invalid prompt.yaml is exit 10 with file:line:column', () => {
    const dir = writeTree(makeTempDir(), {
      'prompt.yaml': 'version: 2\nsections:\n  - name: who you are\n    content: x\n',
    });
    const r = runCli(['compile', 'prompt.yaml'], { cwd: dir });
    expect(r.status).toBe(10);
    expect(r.stderr).toContain('prompt.yaml:3:11: invalid section name');
  });

  it('--json gives target, sections, variables and the text', () => {
    const dir = writeTree(makeTempDir(), { 'prompt.yaml': PROMPT });
    const r = runCli(['compile', 'prompt.yaml', '--target', 'xml', '--json'], { cwd: dir });
    expect(JSON.parse(r.stdout)).toEqual({
      target: 'xml',
      file: 'prompt.yaml',
      role: 'user',
      sections: ['mindset', 'who_you_are'],
      variables: [],
      rendered: false,
      text: expect.stringMatching(/^<mindset>\n/),
    });
  });

  it('an agent without prompt.yaml compiles to an empty prompt (a prompt is optional), saying so on stderr', () => {
    const dir = writeTree(makeTempDir(), {
      'a.agent': 'apiVersion: agent/v1\nname: a\nversion: 0.1.0\nruntime: test-echo\n',
    });
    const r = runCli(['compile', 'a.agent'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('a.agent (a) has no prompt.yaml');
    expect(JSON.parse(runCli(['compile', 'a.agent', '--json'], { cwd: dir }).stdout)).toMatchObject({
      file: null,
      sections: [],
      text: '',
    });
  });

  it('usage errors exit 2: bad target, bad --var, no input', () => {
    const dir = writeTree(makeTempDir(), {
      'prompt.yaml': PROMPT,
      'a.agent': 'apiVersion: agent/v1\nname: a\nversion: 0.1.0\nruntime: test-echo\n',
    });
    expect(runCli(['compile', 'prompt.yaml', '--target', 'html'], { cwd: dir }).status).toBe(2);
    expect(runCli(['compile', 'prompt.yaml', '--var', 'novalue'], { cwd: dir }).status).toBe(2);
    expect(runCli(['compile'], { cwd: dir }).status).toBe(2);
  });
});
