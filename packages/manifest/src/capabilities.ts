import type { Capability, CapabilityCategory, RiskLevel } from './types.js';

/** The spec's capability table: every capability with its category and risk level. */
export const CAPABILITY_CATEGORIES: Readonly<Record<Capability, { category: CapabilityCategory; risk: RiskLevel }>> = {
  network: { category: 'network', risk: 'low' },
  websocket: { category: 'network', risk: 'low' },
  p2p: { category: 'network', risk: 'low' },
  storage: { category: 'storage', risk: 'medium' },
  filesystem: { category: 'storage', risk: 'medium' },
  keychain: { category: 'storage', risk: 'medium' },
  microphone: { category: 'sensors', risk: 'high' },
  camera: { category: 'sensors', risk: 'high' },
  screen_capture: { category: 'sensors', risk: 'high' },
  location: { category: 'sensors', risk: 'high' },
  background: { category: 'system', risk: 'high' },
  notifications: { category: 'system', risk: 'high' },
  clipboard: { category: 'system', risk: 'high' },
  shell: { category: 'system', risk: 'high' },
  oauth: { category: 'identity', risk: 'critical' },
  wallet: { category: 'identity', risk: 'critical' },
  signing: { category: 'identity', risk: 'critical' },
};

/** Every capability name, in table order. */
export const CAPABILITIES = Object.keys(CAPABILITY_CATEGORIES) as Capability[];
