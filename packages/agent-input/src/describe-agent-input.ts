import type { AgentInput } from './open-agent-input.js';

const short = (keyId: string): string => `${keyId.slice(0, 16)}…`;

/**
 * Lines (`Label:    value`, aligned like a plan's) saying what an input is and what was verified:
 * for a container its entry count, signature state and prompt; for a manifest, the lock whose
 * signature verified. Nothing for a directory or YAML manifest without a verified lock (seed 000's
 * output is unchanged). `systemPromptSha256` is the digest the resolver computed, when it could.
 */
export function describeAgentInput(input: AgentInput, plan: { systemPromptSha256?: string | null } = {}): string[] {
  const lines: string[] = [];
  const line = (label: string, value: string) => lines.push(`  ${`${label}:`.padEnd(10)}${value}`);
  const { container, lock } = input;
  if (container) {
    const sig = container.signature;
    const signature =
      sig.state === 'verified'
        ? `signature verified (key id ${sig.verifiedBy.map(short).join(', ')}), every entry matches it`
        : sig.state === 'unverified'
          ? `signed by key id ${sig.keyIds.map(short).join(', ')}, NOT verified (pass --pubkey HEX); every entry matches the index`
          : 'UNSIGNED; every entry matches the index';
    line('Input', `container, ${container.archiveEntries} entries, ${signature}`);
    const pinned = lock?.lock.resolved.system_prompt_sha256 ?? null;
    if (container.prompt === 'encrypted') {
      line(
        'Prompt',
        `encrypted, not decrypted (set AGENTLANG_IDENTITY or pass --passphrase-env VAR)${pinned ? `; the container's lock pins ${pinned}` : ''}`,
      );
    } else if (container.prompt === 'decrypted') {
      const computed = plan.systemPromptSha256;
      const match =
        computed && pinned ? (computed === pinned ? ' (matches the lock)' : ` (the lock pins ${pinned})`) : '';
      line('Prompt', `decrypted in memory${computed ? `, compiled ${computed}${match}` : ''}`);
    }
    return lines;
  }
  if (lock?.verified) {
    line(
      'Input',
      `${input.source === 'directory' ? 'directory' : 'YAML manifest'}, lock ${lock.label} signed, verified (key id ${lock.keyIds.map(short).join(', ')}), manifest hash matches`,
    );
  }
  return lines;
}
