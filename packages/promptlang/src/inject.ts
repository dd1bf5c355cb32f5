/** The context sources a manifest may list under `context.inject`, available to prompts as variables. */
export const INJECT_SOURCES = ['time', 'location', 'user_profile'] as const;

/** One of {@link INJECT_SOURCES}. */
export type InjectSource = (typeof INJECT_SOURCES)[number];

/** Whether `name` is one of the context inject sources. */
export function isInjectSource(name: string): name is InjectSource {
  return (INJECT_SOURCES as readonly string[]).includes(name);
}

/** What the host knows about the current session, used to fill inject sources. */
export interface InjectContext {
  /** Current time; defaults to now. Rendered as ISO 8601 (`{{time}}`). */
  now?: Date;
  /** User location if the host may share it (permission `location`), e.g. `{ city, country }`. */
  location?: unknown;
  /** The runtime user store's profile, e.g. `{ name, email }` (`{{user_profile.name}}`). */
  userProfile?: unknown;
}

/**
 * Builds template variables for the inject sources an agent declares: `time` (ISO 8601),
 * `location`, `user_profile`. A source the host cannot supply is left out, so a prompt that uses
 * it fails at render with `PROMPT_UNKNOWN_VARIABLE` instead of rendering an empty string.
 */
export function createInjectVariables(
  sources: readonly string[],
  context: InjectContext = {},
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const source of sources) {
    if (source === 'time') variables.time = (context.now ?? new Date()).toISOString();
    else if (source === 'location' && context.location !== undefined) variables.location = context.location;
    else if (source === 'user_profile' && context.userProfile !== undefined)
      variables.user_profile = context.userProfile;
  }
  return variables;
}
