import {
  buildAgentTools,
  createAnthropicClient,
  createOpenAIClient,
  type LoopOutcome,
  type LoopResult,
  type ModelClient,
  runLoop,
} from '@agentlang/harness';
import type { IsolationBackend, IsolationPolicy } from '@agentlang/isolation';
import type { AgentManifest } from '@agentlang/manifest';
import type { ResolvedPlan } from '@agentlang/resolver';
import { RunnerError } from './errors.js';

/** What the built-in harness runtime adds to a run's result and record. */
export interface HarnessRunSummary {
  outcome: LoopOutcome;
  answer: string;
  /** Tokens per model id. */
  usage: Record<string, { input_tokens: number; output_tokens: number }>;
  /** Calls per tool name. */
  toolCalls: Record<string, number>;
  turns: number;
}

/** The model client for a plan: provider from the plan's model entry or its `openai/`, `anthropic/` prefix. */
export function harnessModelClient(plan: ResolvedPlan, manifest: AgentManifest | undefined, env: Record<string, string | undefined>): { client: ModelClient; model: string; provider: string } {
  const declared = plan.model;
  if (!declared) throw new RunnerError('RUNNER_PLAN_BLOCKED', 'the harness runtime needs a model: declare one under models: (provider openai or anthropic)', { details: {} });
  const prefix = /^(openai|anthropic)\//.exec(declared);
  const provider = plan.models?.[declared]?.provider ?? prefix?.[1] ?? 'openai';
  const model = prefix ? declared.slice(prefix[0].length) : declared;
  const entry = manifest?.models.find((m) => m.id === declared);
  const options: Record<string, unknown> = {};
  for (const key of ['temperature', 'max_tokens', 'top_p']) if (entry?.options?.[key] !== undefined) options[key] = entry.options[key];
  if (provider === 'openai') {
    const baseUrl = env.OPENAI_BASE_URL;
    const apiKey = env.OPENAI_API_KEY;
    return { client: createOpenAIClient({ model, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), options }), model: declared, provider };
  }
  if (provider === 'anthropic') {
    const baseUrl = env.ANTHROPIC_BASE_URL;
    const apiKey = env.ANTHROPIC_API_KEY;
    return { client: createAnthropicClient({ model, ...(baseUrl ? { baseUrl } : {}), ...(apiKey ? { apiKey } : {}), options }), model: declared, provider };
  }
  throw new RunnerError('RUNNER_PLAN_BLOCKED', `the harness runtime drives openai and anthropic models; ${declared} is provider ${provider}`, { details: { provider } });
}

/**
 * Runs the agent with @agentlang/harness's loop in this process: the model client and the API key
 * stay in the host; http tools run host-side under the egress rule, bash tools in the run's sandbox.
 */
export async function runHarness(input: {
  plan: ResolvedPlan;
  manifest?: AgentManifest;
  systemPrompt: string;
  prompt: string;
  env: Record<string, string | undefined>;
  backend: IsolationBackend;
  policy: IsolationPolicy;
  timeoutMs: number;
  signal: AbortSignal;
  onText: (text: string) => void;
  log: (line: string) => void;
}): Promise<HarnessRunSummary> {
  const { client, model } = harnessModelClient(input.plan, input.manifest, input.env);
  const built = await buildAgentTools(
    { http: input.manifest?.httpTools ?? [], bash: input.manifest?.bashTools ?? [] },
    { env: input.env, sandbox: { backend: input.backend, policy: input.policy, onLabel: (l) => input.log(l) } },
  );
  let result: LoopResult;
  let streamed = false;
  try {
    result = await runLoop({
      model: client,
      system: input.systemPrompt,
      prompt: input.prompt,
      tools: built.tools,
      limits: { timeoutMs: input.timeoutMs },
      signal: input.signal,
      onEvent: (e) => {
        if (e.type === 'text.delta') {
          streamed = true;
          input.onText(e.text);
        } else if (e.type === 'tool.call') input.log(`tool: ${e.name}`);
        else if (e.type === 'tool.result') input.log(`tool: ${e.name} ${e.ok ? 'done' : `failed (${e.kind ?? 'error'})`}`);
      },
    });
  } finally {
    await built.close();
  }
  // A streamed answer was printed as it came; an unstreamed one (or the last turn only) once here.
  if (!streamed && result.answer !== '') input.onText(result.answer);
  if (result.answer !== '' && !result.answer.endsWith('\n')) input.onText('\n');
  return {
    outcome: result.outcome,
    answer: result.answer,
    usage: { [model]: { input_tokens: result.usage.inputTokens, output_tokens: result.usage.outputTokens } },
    toolCalls: { ...result.toolCalls },
    turns: result.turns,
  };
}

/**
 * Exit status of a harness run (the "agent's own" code `agentlang run` passes through): 0 completed;
 * 3 a limit ended it (max_turns, budget, repeated_call, max_tokens, context_too_long); 124 timeout; 130 aborted.
 */
export const HARNESS_EXIT_CODES: Readonly<Record<LoopOutcome, number>> = Object.freeze({
  completed: 0,
  max_turns: 3,
  budget: 3,
  repeated_call: 3,
  max_tokens: 3,
  context_too_long: 3,
  timeout: 124,
  aborted: 130,
});

/** Exit status when the model could not be reached or refused (HTTP error, bad credentials, bad response). */
export const HARNESS_MODEL_ERROR_EXIT = 4;
