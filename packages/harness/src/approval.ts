import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** A request to approve one exact tool call. */
export interface ApprovalRequest {
  callId: string;
  toolName: string;
  arguments: unknown;
}

/** The answer to an {@link ApprovalRequest}. */
export interface ApprovalDecision {
  approved: boolean;
  reason?: string;
}

/** Decides whether a tool call may run. */
export type Approver = (request: ApprovalRequest) => Promise<ApprovalDecision> | ApprovalDecision;

/** `permissions` of a tool or delegation, as the manifest spells them. */
export type ToolPermission = 'always' | 'session' | 'always_ask';

/** The approval settings of {@link runLoop}. */
export interface ApprovalOptions {
  approve: Approver;
  /** Per tool name; a tool absent here runs without asking unless `destructive` names it. */
  permissions?: Record<string, ToolPermission>;
  /** Tool names a destructive-tools policy marks: asked like `always_ask`. */
  destructive?: string[];
}

/** A policy approver for a CLI flag: `allow` approves all, `deny` refuses all, a list approves only those tool names. */
export function createPolicyApprover(policy: 'allow' | 'deny' | readonly string[]): Approver {
  return ({ toolName }) => {
    if (policy === 'allow') return { approved: true };
    if (policy === 'deny') return { approved: false, reason: 'the approval policy denies every call' };
    return policy.includes(toolName)
      ? { approved: true }
      : { approved: false, reason: `the approval policy does not allow ${toolName}` };
  };
}

/**
 * An approver that asks a person on a terminal: writes the tool, the call id and its arguments
 * (JSON, cut at 500 characters) to `output` and reads one line from `input`; `y` or `yes`
 * approves, anything else (or the input ending) denies. Questions are asked one at a time.
 */
export function createTerminalApprover(input: Readable, output: Writable): Approver {
  let queue: Promise<unknown> = Promise.resolve();
  const ask = (request: ApprovalRequest): Promise<ApprovalDecision> =>
    new Promise((resolve) => {
      const rl = createInterface({ input, output, terminal: false });
      let answered = false;
      const args = stableJson(request.arguments);
      output.write(
        `approve ${request.toolName} (call ${request.callId}) with ${args.length > 500 ? `${args.slice(0, 500)}…` : args}? [y/N] `,
      );
      rl.once('line', (line) => {
        answered = true;
        rl.close();
        const yes = /^\s*y(es)?\s*$/i.test(line);
        resolve(
          yes ? { approved: true } : { approved: false, reason: `the user declined the call to ${request.toolName}` },
        );
      });
      rl.once('close', () => {
        if (!answered) resolve({ approved: false, reason: 'no answer from the terminal' });
      });
    });
  return (request) => {
    const next = queue.then(() => ask(request));
    queue = next.catch(() => undefined);
    return next;
  };
}

/** The canonical key of a call: a decision is bound to this id and these arguments. */
function bindingKey(callId: string, args: unknown): string {
  return `${callId}\u0000${stableJson(args)}`;
}

/** JSON with sorted object keys: equal for equal values. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A JSONL control-channel approver and the means to close it. */
export interface JsonlApprover {
  approve: Approver;
  /** Stops reading; pending requests are denied. */
  close(): void;
}

/**
 * An approver for embedders: writes each request as one JSON line
 * `{"type":"approval_request","call_id":…,"tool":…,"arguments":…}` to `output` and waits for
 * `{"type":"approval","call_id":…,"approved":true|false,"reason"?:…}` on `input`. A decision applies
 * only to the request with that call id; lines of other types are ignored. A decision that arrives
 * before its request is kept for it; when `input` ends, pending and later requests are denied.
 */
export function createJsonlApprover(input: Readable, output: Writable): JsonlApprover {
  type Bound = ApprovalDecision & { arguments?: unknown };
  const pending = new Map<string, (d: Bound) => void>();
  const early = new Map<string, Bound>();
  let closed = false;
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    let msg: { type?: unknown; call_id?: unknown; approved?: unknown; reason?: unknown; arguments?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    if (msg?.type !== 'approval' || typeof msg.call_id !== 'string') return;
    const decision: ApprovalDecision & { arguments?: unknown } = {
      approved: msg.approved === true,
      ...(typeof msg.reason === 'string' ? { reason: msg.reason } : {}),
      ...('arguments' in msg ? { arguments: msg.arguments } : {}),
    };
    const resolve = pending.get(msg.call_id);
    if (resolve) {
      pending.delete(msg.call_id);
      resolve(decision);
    } else early.set(msg.call_id, decision);
  });
  const shut = () => {
    closed = true;
    for (const [id, resolve] of pending) {
      pending.delete(id);
      resolve({ approved: false, reason: 'the approval channel closed' });
    }
  };
  rl.on('close', shut);
  return {
    async approve(request) {
      if (closed) return { approved: false, reason: 'the approval channel closed' };
      // A decision that names arguments applies only to those exact arguments.
      const bind = (d: Bound): ApprovalDecision =>
        'arguments' in d && stableJson(d.arguments) !== stableJson(request.arguments)
          ? { approved: false, reason: `the decision for ${request.callId} was given for other arguments` }
          : { approved: d.approved, ...(d.reason ? { reason: d.reason } : {}) };
      output.write(
        `${JSON.stringify({ type: 'approval_request', call_id: request.callId, tool: request.toolName, arguments: request.arguments })}\n`,
      );
      const ready = early.get(request.callId);
      if (ready) {
        early.delete(request.callId);
        return bind(ready);
      }
      return bind(await new Promise<Bound>((resolve) => pending.set(request.callId, resolve)));
    },
    close() {
      rl.close();
    },
  };
}

/**
 * The approval gate of one run: asks `always_ask` and destructive tools every time, `session`
 * tools once per tool, and binds each decision to the exact call id and arguments it was asked for.
 */
export class ApprovalGate {
  private readonly sessionApproved = new Set<string>();
  private readonly decided = new Map<string, ApprovalDecision>();
  constructor(private readonly options: ApprovalOptions) {}

  /** The permission that applies to a tool. */
  permission(toolName: string): ToolPermission {
    const declared = this.options.permissions?.[toolName];
    if (this.options.destructive?.includes(toolName) && declared !== 'session') return 'always_ask';
    return declared ?? 'always';
  }

  /** Whether this call may run; `asked` says whether the approver was consulted. */
  async check(request: ApprovalRequest): Promise<ApprovalDecision & { asked: boolean }> {
    const permission = this.permission(request.toolName);
    if (permission === 'always') return { approved: true, asked: false };
    if (permission === 'session' && this.sessionApproved.has(request.toolName)) return { approved: true, asked: false };
    const key = bindingKey(request.callId, request.arguments);
    const idSeen = [...this.decided.keys()].some((k) => k.startsWith(`${request.callId}\u0000`));
    const reused = this.decided.get(key);
    if (reused) return { ...reused, asked: false };
    if (idSeen)
      return {
        approved: false,
        reason: `call ${request.callId} was already decided for other arguments`,
        asked: false,
      };
    const decision = await this.options.approve({
      callId: request.callId,
      toolName: request.toolName,
      arguments: request.arguments,
    });
    const bound: ApprovalDecision = {
      approved: decision.approved === true,
      ...(decision.reason ? { reason: decision.reason } : {}),
    };
    this.decided.set(key, bound);
    if (bound.approved && permission === 'session') this.sessionApproved.add(request.toolName);
    return { ...bound, asked: true };
  }
}
