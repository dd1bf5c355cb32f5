/**
 * The command module of the verb a bundle is built for: tsup.config.ts resolves it to
 * src/commands/<verb>.ts for dist/verbs/<verb>.cjs, and to an empty module for dist/verbs/help.cjs.
 */
declare module 'agentlang:command' {
  export const run: import('./command.js').CommandModule['run'] | undefined;
}
