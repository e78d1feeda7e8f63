/**
 * A deliberately small CatalogStore stand-in for transport-level tests (server factory, agent hub
 * framing): only the verbs those paths touch are implemented, everything else throws so that a test
 * that strays into catalog semantics fails loudly. Catalog behaviour is tested with the real adapter.
 */
import type { CatalogStore, Principal, TaskRecord } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';

export interface FakeAgentStore extends CatalogStore {
  readonly workers: Map<string, { enabled: boolean; seen: number }>;
  readonly readyTasks: TaskRecord[];
}

export function fakeAgentStore(logins: Readonly<Record<string, string>> = { admin: 'secret' }): FakeAgentStore {
  const workers = new Map<string, { enabled: boolean; seen: number }>();
  const readyTasks: TaskRecord[] = [];
  const impl: Partial<CatalogStore> & { workers: typeof workers; readyTasks: TaskRecord[] } = {
    workers, readyTasks,
    async authenticate(name: string, password: string): Promise<Principal> {
      if (logins[name] !== password) throw new SsoError('SSO_ERR_AUTH', `Login failed for user '${name}'.`, { number: 27407 });
      return { name, roles: ['sysadmin'] };
    },
    async updateWorkerAgentStatus(_c, input) {
      const w = workers.get(input.workerAgentId);
      if (w) { w.seen++; return { isEnabled: w.enabled, registered: false }; }
      workers.set(input.workerAgentId, { enabled: false, seen: 1 });
      return { isEnabled: false, registered: true };
    },
    async pullTask() { return readyTasks.shift() ?? null; },
    async getTask() { return null; },
    async getWorkerAgent(id: string) { const w = workers.get(id); return w ? { workerAgentId: id, isEnabled: w.enabled, displayName: null, description: null, machineName: null, tags: null, userAccount: null, lastOnlineTime: 0 } : null; },
    async appendEventMessages() {},
    async appendExecutableStatistics() {},
    async close() {},
  };
  return new Proxy(impl, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver);
      if (prop === 'then') return undefined;
      return () => { throw new Error(`fakeAgentStore: ${String(prop)} is not implemented (use the real catalog for this test)`); };
    },
  }) as FakeAgentStore;
}
