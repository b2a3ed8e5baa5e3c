export type { RunPatch, RunStore, StopRequest, TaskPatch } from '../contracts/run-store.js';
export { DEFAULT_MAX_OUTPUT_BYTES } from '../contracts/run-store.js';
export { MemoryRunStore, type MemoryRunStoreOptions } from './memory-run-store.js';
export { SqliteRunStore, openRunStore, type SqliteRunStoreOptions } from './sqlite-run-store.js';
export { openReadableRunStore } from './readable-run-store.js';
export { LazyRunStore } from './lazy-run-store.js';
