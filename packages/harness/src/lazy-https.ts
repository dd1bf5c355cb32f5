import type { request as httpsRequestType } from 'node:https';

let https: typeof import('node:https') | undefined;

/**
 * `node:https`'s request, loaded on the first https request: it pulls in node:tls, 5–10 ms of a
 * cold start (measured: `require('node:http')` 7–9 ms, with `node:https` 14–20 ms), which a run
 * against a local or plain-http model endpoint never needs (bench 710).
 */
export async function httpsRequest(): Promise<typeof httpsRequestType> {
  https ??= await import('node:https');
  return https.request;
}
