import { createInterface } from 'node:readline';
import type { Approver } from '@agentlang/harness';
import { stableJson } from '@agentlang/harness';

/** One turn of a conversation: runs the prompt with this cancel signal and approver; resolves with the turn's exit code. */
export type ConversationTurn = (
  prompt: string,
  options: { signal: AbortSignal; approve: Approver; first: boolean },
) => Promise<number>;

/**
 * An interactive conversation on a terminal (`agentlang run <agent>` without `--prompt`): reads a
 * line, runs it as one turn (the answer streams to stdout, tool labels to stderr), and prompts
 * again. Approvals are asked inline on the same line editor. Ctrl-C cancels the turn in flight
 * (denying a question being asked) and keeps the conversation; at the prompt it only clears the
 * line. Ctrl-D (end of input) ends the conversation. Resolves with the last turn's exit code.
 */
export function converse(options: {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  notice: (line: string) => void;
  turn: ConversationTurn;
}): Promise<number> {
  const { input, output } = options;
  const rl = createInterface({ input, output, terminal: true, prompt: '> ' });
  let busy: AbortController | undefined;
  let question: ((answer: string | undefined) => void) | undefined;
  let first = true;
  let last = 0;
  const approve: Approver = (request) =>
    new Promise((resolve) => {
      const args = stableJson(request.arguments);
      output.write(
        `approve ${request.toolName} (call ${request.callId}) with ${args.length > 500 ? `${args.slice(0, 500)}…` : args}? [y/N] `,
      );
      question = (answer) => {
        question = undefined;
        resolve(
          answer !== undefined && /^\s*y(es)?\s*$/i.test(answer)
            ? { approved: true }
            : { approved: false, reason: `the user declined the call to ${request.toolName}` },
        );
      };
    });
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      if (question) return question(line);
      if (busy) return; // typed during a turn: not a prompt
      const prompt = line.trim();
      if (prompt === '') return rl.prompt();
      const controller = new AbortController();
      busy = controller;
      options
        .turn(prompt, { signal: controller.signal, approve, first })
        .then(
          (code) => {
            last = code;
            if (controller.signal.aborted) output.write('\n(turn cancelled)\n');
          },
          (error: unknown) => {
            last = 1;
            options.notice(`error: ${error instanceof Error ? error.message : String(error)}`);
          },
        )
        .finally(() => {
          first = false;
          busy = undefined;
          if (!closed) rl.prompt();
          else finish();
        });
    });
    rl.on('SIGINT', () => {
      if (busy) {
        question?.(undefined);
        busy.abort();
        return;
      }
      // At the prompt Ctrl-C clears the line; the conversation goes on until Ctrl-D.
      output.write('^C (Ctrl-D ends the conversation)\n');
      rl.write(null, { ctrl: true, name: 'u' });
      rl.prompt();
    });
    let closed = false;
    const finish = () => {
      output.write('\n');
      resolve(last);
    };
    rl.on('close', () => {
      closed = true;
      question?.(undefined);
      if (busy) busy.abort();
      else finish();
    });
    rl.prompt();
  });
}
