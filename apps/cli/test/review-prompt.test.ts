import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmReviewer, offlineReviewer, reviewPrompt, reviewersFromEnv } from '../src/review-prompt.js';

const enc = (s: string) => Buffer.from(s);

async function agentWith(prompt: string, extra = '') {
  return loadAgentFromFiles(
    {
      'agent.yaml': enc(`name: rev\nversion: 1.0.0\ntools:\n  - name: web_search\n  - name: sqlite\n${extra}`),
      'prompt.yaml': enc(prompt),
    },
    { entry: 'agent.yaml', label: 'review-test' },
  );
}

describe('offline reviewer', () => {
  it('finds empty sections, undeclared and unused tools, and unknown template variables', async () => {
    const agent = await agentWith(
      'version: 2\nsections:\n  - name: intro\n    content: "TODO"\n  - name: your_tools\n    content: |\n      web_search - find things\n      user_memory - recall the user\n      Call fetch_page(url) when needed. Hello {{user_profile.name}}, it is {{time}}.\n',
      'context:\n  inject:\n    - time\n',
    );
    const { findings } = await reviewPrompt(agent, { reviewers: [offlineReviewer()] });
    const checks = findings.map(
      (f) =>
        `${f.severity}:${f.check}:${f.message
          .match(/"([^"]+)"|\{\{([^}]+)\}\}/)
          ?.slice(1)
          .find(Boolean)}`,
    );
    expect(checks).toEqual(
      expect.arrayContaining([
        'error:empty-section:intro',
        'error:unknown-variable:user_profile.name',
        'warning:undeclared-tool:user_memory',
        'warning:undeclared-tool:fetch_page',
        'warning:unused-tool:sqlite',
      ]),
    );
    expect(checks.some((c) => c.includes('web_search'))).toBe(false);
    expect(checks.some((c) => c.includes(':time'))).toBe(false);
    expect(findings[0]!.severity).toBe('error');
  });

  it('finds nothing wrong in a clean prompt', async () => {
    const agent = await agentWith(
      'version: 2\nsections:\n  - name: tools\n    content: |\n      Use web_search to find sources and sqlite to store citations.\n',
    );
    expect((await reviewPrompt(agent)).findings).toEqual([]);
  });
});

describe('LLM reviewer against a scripted chat-completions server on 127.0.0.1', () => {
  const requests: Array<{
    url: string;
    auth: string | undefined;
    body: { model: string; messages: Array<{ role: string; content: string }> };
  }> = [];
  let reply: () => { status: number; body: unknown } = () => ({ status: 200, body: {} });
  let url = '';
  const server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    requests.push({ url: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(raw) });
    const { status, body } = reply();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const completion = (content: string) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'reviewer-1',
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  });

  it('sends the prompt and declared tools, and returns the model findings', async () => {
    reply = () => ({
      status: 200,
      body: completion(
        '```json\n{"findings":[{"severity":"warning","section":"tools","message":"Say when to prefer sqlite over web_search."}]}\n```',
      ),
    });
    const agent = await agentWith(
      'version: 2\nsections:\n  - name: tools\n    content: |\n      Use web_search and sqlite.\n',
    );
    const reviewers = reviewersFromEnv({
      AGENTLANG_REVIEW_URL: url,
      AGENTLANG_REVIEW_API_KEY: 'sk-test',
      AGENTLANG_REVIEW_MODEL: 'reviewer-1',
    });
    const review = await reviewPrompt(agent, { reviewers });
    expect(review.reviewers).toEqual(['offline', 'llm']);
    expect(review.findings).toEqual([
      {
        reviewer: 'llm',
        severity: 'warning',
        check: 'llm',
        section: 'tools',
        message: 'Say when to prefer sqlite over web_search.',
      },
    ]);
    const sent = requests.at(-1)!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.auth).toBe('Bearer sk-test');
    expect(sent.body.model).toBe('reviewer-1');
    expect(sent.body.messages[1]!.content).toContain('Declared tools: sqlite, web_search');
    expect(sent.body.messages[1]!.content).toContain('Use web_search and sqlite.');
  });

  it('fails clearly on an HTTP error or an answer that is not the requested JSON', async () => {
    const agent = await agentWith('version: 2\nsections:\n  - name: a\n    content: hi\n');
    reply = () => ({ status: 500, body: { error: { message: 'boom' } } });
    await expect(llmReviewer({ url, model: 'm' }).review(agent)).rejects.toMatchObject({
      code: 'CONTAINER_REVIEW_FAILED',
      message: expect.stringContaining('HTTP 500'),
    });
    reply = () => ({ status: 200, body: completion('Looks great to me!') });
    await expect(llmReviewer({ url, model: 'm' }).review(agent)).rejects.toMatchObject({
      code: 'CONTAINER_REVIEW_FAILED',
      message: expect.stringContaining('not the requested JSON'),
    });
  });
});
