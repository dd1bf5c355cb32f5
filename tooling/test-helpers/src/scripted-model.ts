// A runnable scripted model server for scripts (the Quick start demo), built to dist/scripted-model.js:
//
//   node tooling/test-helpers/dist/scripted-model.js --script answers.json [--port N]
//
// answers.json is a JSON array of steps ({ "text": "…" }, { "toolCalls": [ … ] }, …; see ScriptStep),
// served one per request on 127.0.0.1 in both protocols. It prints its origin
// (`http://127.0.0.1:<port>`) on stdout once listening, and stops on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ScriptStep, startScriptedServer } from './scripted-server.js';

function fail(message: string): never {
  process.stderr.write(`scripted-model: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({ options: { script: { type: 'string' }, port: { type: 'string' } }, strict: true });
  } catch (error) {
    return fail(`${(error as Error).message}; usage: scripted-model --script FILE [--port N]`);
  }
})();
if (!values.script) fail('--script FILE is required (a JSON array of steps, e.g. [{"text":"Hello"}])');
let script: unknown;
try {
  script = JSON.parse(readFileSync(values.script, 'utf8'));
} catch (error) {
  fail(`cannot read ${values.script}: ${(error as Error).message}`);
}
if (!Array.isArray(script) || !script.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s))) {
  fail(
    `${values.script} must hold a JSON array of step objects, e.g. [{"text":"Hello"}]; found ${JSON.stringify(script).slice(0, 60)}`,
  );
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be an integer 0-65535; found ${values.port}`);

const server = await startScriptedServer(script as ScriptStep[], { port }).catch((error: Error) => fail(error.message));
process.stdout.write(`${server.origin}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
