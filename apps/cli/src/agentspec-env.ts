/** AgentSpec's prefix for the variables AgentLang names `AGENTLANG_*` (seed 000 is written for AgentSpec). */
const FROM = 'AGENTSPEC_';
const TO = 'AGENTLANG_';

/**
 * Honours `AGENTSPEC_X` as a fallback for `AGENTLANG_X` (set only where `AGENTLANG_X` is unset or
 * empty), so an AgentSpec user's environment keeps working. Returns the one-line notice to print,
 * or undefined when nothing was taken over. Mutates `env`: every package downstream reads the same names.
 */
export function applyAgentSpecEnv(env: NodeJS.ProcessEnv): string | undefined {
  const taken: string[] = [];
  for (const key of Object.keys(env)) {
    if (!key.startsWith(FROM) || key.length === FROM.length) continue;
    const target = `${TO}${key.slice(FROM.length)}`;
    const value = env[key];
    if (value === undefined || value === '' || (env[target] ?? '') !== '') continue;
    env[target] = value;
    taken.push(key);
  }
  if (taken.length === 0) return undefined;
  taken.sort();
  const names = taken.map((k) => `${TO}${k.slice(FROM.length)}`);
  return `notice: using ${taken.join(', ')} as ${names.join(', ')} (AgentSpec's names); set the AGENTLANG_* names to silence this`;
}
