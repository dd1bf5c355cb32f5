import type { AgentEvent } from './events.js';

/** A span to hang a run under (a delegating run's `invoke_agent` or `execute_tool` span): W3C ids in hex. */
export interface SpanParent {
  traceId: string;
  spanId: string;
}

/** Options of {@link startOtelExport}. */
export interface OtelExportOptions {
  /** `gen_ai.agent.name` of the run's `invoke_agent` span. */
  agent: string;
  /** `gen_ai.provider.name`: `openai` or `anthropic`. */
  provider: string;
  /** A sub-agent's run: its `invoke_agent` span becomes a child of this one (same trace). */
  parent?: SpanParent;
  /** `service.name` when `OTEL_SERVICE_NAME` is unset (default `agentlang`). */
  serviceName?: string;
  /** Receives a line when the exporter fails (spans are dropped; the run goes on). */
  log?: (line: string) => void;
}

/** A run's span export: feed it the run's events; `shutdown` flushes and closes. */
export interface OtelExport {
  listener(event: AgentEvent): void;
  /** The run's `invoke_agent` span (or a `delegation.start`'s by call id): pass as a sub-agent run's `parent`. */
  spanOf(callId?: string): SpanParent | undefined;
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP endpoint of traces the environment names, per the OpenTelemetry exporter variables; undefined when unset. */
export function otlpTracesEndpoint(env: Record<string, string | undefined>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function headersOf(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

/**
 * Exports a run's events as OpenTelemetry spans over OTLP/HTTP (protobuf-free JSON) following the
 * GenAI semantic conventions: one `invoke_agent <agent>` span per run, a `chat <model>` child per
 * model request (with `gen_ai.usage.*`), an `execute_tool <tool>` child per tool call, and an
 * `invoke_agent <agent>` child per `delegation.start`…`delegation.end`. Returns undefined — having
 * loaded nothing — when neither `OTEL_EXPORTER_OTLP_ENDPOINT` nor `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
 * is set: the OpenTelemetry SDK is imported only for a run that exports. No prompt, message or
 * tool argument text is put on a span.
 */
export async function startOtelExport(
  env: Record<string, string | undefined>,
  options: OtelExportOptions,
): Promise<OtelExport | undefined> {
  const url = otlpTracesEndpoint(env);
  if (!url) return undefined;
  const [api, resources, sdk, exporterModule] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const exporter = new exporterModule.OTLPTraceExporter({
    url,
    headers: { ...headersOf(env.OTEL_EXPORTER_OTLP_HEADERS), ...headersOf(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
  });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME || options.serviceName || 'agentlang',
    }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@agentlang/harness');
  type Span = ReturnType<typeof tracer.startSpan>;
  const root = options.parent
    ? api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: options.parent.traceId,
        spanId: options.parent.spanId,
        traceFlags: api.TraceFlags.SAMPLED,
        isRemote: true,
      })
    : api.ROOT_CONTEXT;
  let run: Span | undefined;
  let chat: Span | undefined;
  const tools = new Map<string, Span>();
  const delegations = new Map<string, Span>();
  const under = (span: Span | undefined) => (span ? api.trace.setSpan(api.ROOT_CONTEXT, span) : root);
  const fail = (span: Span, type: string, message?: string) => {
    span.setAttribute('error.type', type);
    span.setStatus({ code: api.SpanStatusCode.ERROR, ...(message ? { message } : {}) });
  };
  const idOf = (span: Span | undefined): SpanParent | undefined => {
    if (!span) return undefined;
    const c = span.spanContext();
    return { traceId: c.traceId, spanId: c.spanId };
  };
  let model = '';
  return {
    listener(e) {
      switch (e.type) {
        case 'run.start':
          model = e.model;
          run = tracer.startSpan(
            `invoke_agent ${options.agent}`,
            {
              kind: api.SpanKind.INTERNAL,
              attributes: {
                'gen_ai.operation.name': 'invoke_agent',
                'gen_ai.agent.name': options.agent,
                'gen_ai.provider.name': options.provider,
                'gen_ai.request.model': e.model,
                'gen_ai.conversation.id': e.run_id,
              },
            },
            root,
          );
          break;
        case 'model.request':
          chat = tracer.startSpan(
            `chat ${model}`,
            {
              kind: api.SpanKind.CLIENT,
              attributes: {
                'gen_ai.operation.name': 'chat',
                'gen_ai.provider.name': options.provider,
                'gen_ai.request.model': model,
              },
            },
            under(run),
          );
          break;
        case 'usage':
          chat?.setAttributes({
            'gen_ai.usage.input_tokens': e.input_tokens,
            'gen_ai.usage.output_tokens': e.output_tokens,
          });
          chat?.end();
          chat = undefined;
          break;
        case 'tool.call':
          tools.set(
            e.call_id,
            tracer.startSpan(
              `execute_tool ${e.name}`,
              {
                kind: api.SpanKind.INTERNAL,
                attributes: {
                  'gen_ai.operation.name': 'execute_tool',
                  'gen_ai.tool.name': e.name,
                  'gen_ai.tool.call.id': e.call_id,
                  'gen_ai.tool.type': 'function',
                },
              },
              under(run),
            ),
          );
          break;
        case 'tool.result': {
          const span = tools.get(e.call_id);
          if (!span) break;
          if (!e.ok) fail(span, e.kind ?? 'error');
          span.end();
          tools.delete(e.call_id);
          break;
        }
        case 'delegation.start':
          delegations.set(
            e.call_id,
            tracer.startSpan(
              `invoke_agent ${e.agent}`,
              {
                kind: api.SpanKind.INTERNAL,
                attributes: {
                  'gen_ai.operation.name': 'invoke_agent',
                  'gen_ai.agent.name': e.agent,
                  'agentlang.delegation.depth': e.depth,
                },
              },
              under(tools.get(e.call_id) ?? run),
            ),
          );
          break;
        case 'delegation.end': {
          const span = delegations.get(e.call_id);
          if (!span) break;
          if (e.outcome !== 'completed') fail(span, e.outcome);
          span.end();
          delegations.delete(e.call_id);
          break;
        }
        case 'run.end':
          // Spans a failure left open end with the run.
          for (const span of [chat, ...tools.values(), ...delegations.values()]) {
            if (!span) continue;
            fail(span, 'interrupted');
            span.end();
          }
          chat = undefined;
          tools.clear();
          delegations.clear();
          if (!run) break;
          run.setAttributes({
            'gen_ai.usage.input_tokens': e.input_tokens,
            'gen_ai.usage.output_tokens': e.output_tokens,
            'agentlang.outcome': e.outcome,
          });
          if (e.outcome !== 'completed') fail(run, e.outcome, e.error);
          run.end();
          break;
        default:
          break;
      }
    },
    spanOf(callId) {
      return idOf(callId === undefined ? run : (delegations.get(callId) ?? tools.get(callId)));
    },
    async shutdown() {
      try {
        await provider.forceFlush();
        await provider.shutdown();
      } catch (error) {
        options.log?.(
          `otel: could not export spans to ${url}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
}
