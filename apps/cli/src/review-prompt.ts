import type { LoadedAgent } from '@agentlang/manifest';
import { findTemplateVariables } from '@agentlang/promptlang';
import { ContainerError, ContainerErrorCode } from '@agentlang/container';

/** One thing a reviewer noticed about a prompt. */
export interface ReviewFinding {
  /** Name of the reviewer that found it (`offline`, `llm`). */
  reviewer: string;
  /** `error` fails `agentlang build --quality`; `warning` and `info` are printed. */
  severity: 'error' | 'warning' | 'info';
  /** Stable identifier of the check (`empty-section`, `undeclared-tool`, `unused-tool`, `unknown-variable`, `llm`). */
  check: string;
  section?: string;
  message: string;
}

/** A pluggable prompt reviewer. */
export interface PromptReviewer {
  name: string;
  review(agent: LoadedAgent): Promise<ReviewFinding[]>;
}

/** What {@link reviewPrompt} returns. */
export interface PromptReview {
  reviewers: string[];
  findings: ReviewFinding[];
}

/** Every tool name an agent declares, including MCP whitelists and `render_<component>` UI tools. */
export function declaredToolNames(agent: LoadedAgent): Set<string> {
  const m = agent.manifest;
  const names = new Set<string>();
  for (const t of m.tools) names.add(t.name);
  for (const t of m.httpTools) names.add(t.name);
  for (const t of m.bashTools) names.add(t.name);
  for (const s of m.mcpServers) {
    names.add(s.name);
    for (const t of s.tools ?? []) names.add(t);
  }
  for (const c of m.uiComponents) names.add(`render_${c.name}`);
  for (const s of m.skills) names.add(s.name);
  if (m.delegate) names.add('delegate');
  return names;
}

/** Content that says nothing: whitespace, punctuation, or a placeholder word. */
const PLACEHOLDER = /^[\s\p{P}]*(?:(?:todo|tbd|fixme|xxx|placeholder|lorem ipsum[\s\S]*)[\s\p{P}]*)?$/iu;
const SNAKE = /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g;
const CALL = /\b([a-z][a-z0-9_]*)\(/g;
const LISTED = /^\s*(?:[-*]\s+)?`?([a-z][a-z0-9_]*)`?\s+[-–—:]\s/gm;

/**
 * The deterministic reviewer: empty sections, tools the prompt names but the agent does not
 * declare, declared tools the prompt never mentions, and template variables nothing injects.
 */
export function offlineReviewer(): PromptReviewer {
  return {
    name: 'offline',
    async review(agent) {
      const findings: ReviewFinding[] = [];
      const add = (f: Omit<ReviewFinding, 'reviewer'>): void => {
        findings.push({ reviewer: 'offline', ...f });
      };
      const doc = agent.prompt?.document;
      if (!doc) {
        add({ severity: 'info', check: 'no-prompt', message: 'the agent has no prompt.yaml; nothing to review' });
        return findings;
      }
      for (const s of doc.sections) {
        // The loader already refuses literally empty text; placeholders are empty in effect.
        if (PLACEHOLDER.test(s.content)) {
          add({
            severity: 'error',
            check: 'empty-section',
            section: s.name,
            message: `section "${s.name}" is empty in effect (${JSON.stringify(s.content.trim().slice(0, 40))}); write its content or remove it`,
          });
        }
      }
      const variables = findTemplateVariables(doc);
      const injected = new Set(agent.manifest.context?.inject ?? []);
      for (const v of variables) {
        if (!injected.has(v.root)) {
          add({
            severity: 'error',
            check: 'unknown-variable',
            section: v.section,
            message: `template variable {{${v.path}}} is not provided: context.inject lists ${injected.size ? [...injected].join(', ') : 'nothing'}; add "${v.root}" to context.inject or remove the variable`,
          });
        }
      }
      const declared = declaredToolNames(agent);
      const variableRoots = new Set(variables.map((v) => v.root));
      const sectionNames = new Set(doc.sections.map((s) => s.name));
      const text = doc.sections.map((s) => s.content).join('\n');
      const reported = new Set<string>();
      for (const s of doc.sections) {
        const stripped = s.content.replace(/\{\{[^}]*\}\}/g, ' ');
        const candidates = new Set<string>();
        for (const m of stripped.matchAll(SNAKE)) candidates.add(m[0]);
        for (const m of stripped.matchAll(CALL)) candidates.add(m[1]!);
        if (/tool/i.test(s.name)) for (const m of stripped.matchAll(LISTED)) candidates.add(m[1]!);
        for (const name of candidates) {
          if (declared.has(name) || variableRoots.has(name) || sectionNames.has(name) || reported.has(name)) continue;
          reported.add(name);
          add({
            severity: 'warning',
            check: 'undeclared-tool',
            section: s.name,
            message: `the prompt names "${name}", which the agent does not declare as a tool; declare it under tools: or reword`,
          });
        }
      }
      for (const name of declared) {
        if (
          name === 'delegate' ||
          agent.manifest.skills.some((s) => s.name === name) ||
          agent.manifest.mcpServers.some((s) => s.name === name)
        )
          continue;
        if (!new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text)) {
          add({
            severity: 'warning',
            check: 'unused-tool',
            message: `tool "${name}" is declared but the prompt never mentions it; tell the model when to use it, or drop it`,
          });
        }
      }
      return findings;
    },
  };
}

/** Settings of the LLM reviewer: any OpenAI-compatible chat-completions endpoint. */
export interface LlmReviewerOptions {
  /** Base URL (`https://api.openai.com/v1`) or the full `…/chat/completions` URL. */
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
}

const INSTRUCTIONS =
  'You review system prompts of AI agents. Reply with JSON only: {"findings":[{"severity":"error"|"warning"|"info","section":"<section name or empty>","message":"<one sentence>"}]}. ' +
  'Report contradictions, vague or unverifiable instructions, missing guidance on when to use a declared tool, and unsafe instructions. An empty list means the prompt is fine.';

/** An LLM reviewer speaking the OpenAI chat-completions protocol (used by `build --quality` when configured). */
export function llmReviewer(options: LlmReviewerOptions): PromptReviewer {
  const endpoint = /\/chat\/completions\/?$/.test(options.url)
    ? options.url
    : `${options.url.replace(/\/+$/, '')}/chat/completions`;
  return {
    name: 'llm',
    async review(agent) {
      const doc = agent.prompt?.document;
      if (!doc) return [];
      const tools = [...declaredToolNames(agent)].sort();
      const body = {
        model: options.model,
        temperature: 0,
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          {
            role: 'user',
            content: `Declared tools: ${tools.join(', ') || '(none)'}\n\nPrompt sections:\n${doc.sections.map((s) => `## ${s.name}\n${s.content}`).join('\n\n')}`,
          },
        ],
      };
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
        });
      } catch (cause) {
        throw new ContainerError(
          ContainerErrorCode.ReviewFailed,
          `the LLM reviewer at ${endpoint} could not be reached: ${(cause as Error).message}`,
          { details: { endpoint }, cause },
        );
      }
      const text = await response.text();
      if (!response.ok) {
        throw new ContainerError(
          ContainerErrorCode.ReviewFailed,
          `the LLM reviewer at ${endpoint} answered HTTP ${response.status}: ${text.slice(0, 200)}`,
          { details: { endpoint, status: response.status } },
        );
      }
      let content: string;
      try {
        const parsed = JSON.parse(text) as { choices?: Array<{ message?: { content?: string } }> };
        content = parsed.choices?.[0]?.message?.content ?? '';
      } catch (cause) {
        throw new ContainerError(
          ContainerErrorCode.ReviewFailed,
          `the LLM reviewer at ${endpoint} did not answer chat-completions JSON`,
          { details: { endpoint }, cause },
        );
      }
      const json = content.replace(/^\s*```(?:json)?\s*/i, '').replace(/\s*```\s*$/, '');
      let findings: Array<{ severity?: string; section?: string; message?: string }>;
      try {
        findings = (JSON.parse(json) as { findings: typeof findings }).findings;
        if (!Array.isArray(findings)) throw new Error('findings is not an array');
      } catch (cause) {
        throw new ContainerError(
          ContainerErrorCode.ReviewFailed,
          `the LLM reviewer's answer is not the requested JSON: ${content.slice(0, 200)}`,
          { details: { endpoint }, cause },
        );
      }
      return findings
        .filter((f) => typeof f?.message === 'string' && f.message !== '')
        .map((f) => ({
          reviewer: 'llm',
          severity: f.severity === 'error' || f.severity === 'info' ? f.severity : 'warning',
          check: 'llm',
          ...(typeof f.section === 'string' && f.section !== '' ? { section: f.section } : {}),
          message: f.message!,
        }));
    },
  };
}

/**
 * The reviewers `build --quality` uses: always the offline one; the LLM one when
 * `AGENTLANG_REVIEW_URL` is set (key from `AGENTLANG_REVIEW_API_KEY`, model from
 * `AGENTLANG_REVIEW_MODEL`, default `gpt-4o-mini`).
 */
export function reviewersFromEnv(env: NodeJS.ProcessEnv): PromptReviewer[] {
  const reviewers = [offlineReviewer()];
  const url = env.AGENTLANG_REVIEW_URL;
  if (url) {
    reviewers.push(
      llmReviewer({
        url,
        model: env.AGENTLANG_REVIEW_MODEL || 'gpt-4o-mini',
        ...(env.AGENTLANG_REVIEW_API_KEY ? { apiKey: env.AGENTLANG_REVIEW_API_KEY } : {}),
      }),
    );
  }
  return reviewers;
}

/** Runs every reviewer over the agent's prompt and collects their findings (errors first). */
export async function reviewPrompt(
  agent: LoadedAgent,
  options: { reviewers?: PromptReviewer[] } = {},
): Promise<PromptReview> {
  const reviewers = options.reviewers ?? [offlineReviewer()];
  const findings: ReviewFinding[] = [];
  for (const r of reviewers) findings.push(...(await r.review(agent)));
  const rank = { error: 0, warning: 1, info: 2 } as const;
  findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
  return { reviewers: reviewers.map((r) => r.name), findings };
}
