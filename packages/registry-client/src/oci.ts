import type { OciOptions } from './oci-format.js';

export type { OciAgentManifest, OciOptions, OciPullResult, OciPushResult } from './oci-format.js';
export {
  OCI_ANNOTATIONS,
  OCI_ARTIFACT_TYPE,
  OCI_CONFIG_MEDIA_TYPE,
  OCI_LAYER_MEDIA_TYPES,
  OCI_MANIFEST_MEDIA_TYPE,
} from './oci-format.js';
export { pullOci } from './oci-pull.js';
export { pushOci } from './oci-push.js';

/** OCI credentials from `AGENTLANG_OCI_TOKEN`, `AGENTLANG_OCI_USERNAME` and `AGENTLANG_OCI_PASSWORD` (never from flags: `ps` would show them). */
export function ociCredentialsFromEnv(env: NodeJS.ProcessEnv): Pick<OciOptions, 'token' | 'username' | 'password'> {
  return {
    ...(env.AGENTLANG_OCI_TOKEN ? { token: env.AGENTLANG_OCI_TOKEN } : {}),
    ...(env.AGENTLANG_OCI_USERNAME ? { username: env.AGENTLANG_OCI_USERNAME } : {}),
    ...(env.AGENTLANG_OCI_PASSWORD ? { password: env.AGENTLANG_OCI_PASSWORD } : {}),
  };
}
