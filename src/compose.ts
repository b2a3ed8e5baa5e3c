import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { claudeCodeAgentSource } from './agents/index.js';
import type { Fanout, FanoutOptions } from './contracts/fanout.js';
import { createFanout } from './engine/index.js';
import { createModelResolver, defaultModelSpec, type CommandTemplates } from './models/resolver.js';
import { COMMAND_FILE_NAMES, parseCommandTemplates } from './plan/command-templates.js';
import { readConfigFile } from './models/config-file.js';
import { createPriceTable, loadPriceOverrides, priceLookup, type PriceTable } from './models/pricing.js';
import { planFromRequest } from './planner/index.js';
import { LazyRunStore, MemoryRunStore, openReadableRunStore } from './store/index.js';
import { createWorktreeManager } from './workspace/index.js';

/** Options of {@link createDefaultFanout}. */
export interface DefaultFanoutOptions extends Partial<Omit<FanoutOptions, 'store' | 'models'>> {
  /** Where the store lives. Default: {@link fanoutHome}. */
  home?: string;
  /**
   * Environment used for `FANOUT_HOME`, `FANOUT_PRICES`, API keys and base
   * URLs, and `FANOUT_NO_SANDBOX=1` (what `--no-sandbox` sets: shell
   * commands run unsandboxed). Default: process.env.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * False: runs are kept in memory and forgotten on close, and `home` is
   * never created or opened — a Fanout for checking plans (`fanout check`).
   * Default true: the SQLite store in `home`, opened at its first use, so a
   * Fanout whose check fails leaves nothing behind either.
   */
  persist?: boolean;
  /** Prices of cost estimates and budgets, unless `pricing` is given. Default: {@link loadPriceTable}. */
  prices?: PriceTable;
  /** Home directory whose `.claude/agents/` holds the user's agent definitions, unless `agents` is given. Default: os.homedir(). */
  agentsHome?: string;
}

/** The name of the store directory that {@link locateFanoutHome} looks for. */
export const STORE_DIR_NAME = '.fanout';

/** Where the store of a directory is, and how it was found. */
export interface FanoutHomeLocation {
  /** The store directory, absolute. */
  home: string;
  /**
   * `env`: `$FANOUT_HOME`; `found`: the nearest `.fanout` directory at or
   * above the directory; `new`: none exists, so `<dir>/.fanout` (created by
   * the first run).
   */
  source: 'env' | 'found' | 'new';
  /** The directory the search started from, absolute. */
  from: string;
}

/**
 * Finds the store as git finds a repository: `$FANOUT_HOME` always wins
 * (relative to `cwd`); otherwise the nearest `.fanout` directory in `cwd`
 * or one of its parents; otherwise `cwd/.fanout`, which nothing has created
 * yet. Reads the file system, never writes it.
 */
export function locateFanoutHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): FanoutHomeLocation {
  const from = resolve(cwd);
  if (env.FANOUT_HOME) return { home: resolve(from, env.FANOUT_HOME), source: 'env', from };
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, STORE_DIR_NAME);
    if (isDirectory(candidate)) return { home: candidate, source: 'found', from };
    if (dirname(dir) === dir) return { home: join(from, STORE_DIR_NAME), source: 'new', from };
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The store directory of `cwd`: `$FANOUT_HOME`, else the nearest `.fanout` up the tree, else `cwd/.fanout`. */
export function fanoutHome(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return locateFanoutHome(env, cwd).home;
}

/** File names of the price file looked for in the fanout home, in this order. */
export const PRICE_FILE_NAMES = ['prices.json', 'prices.yaml', 'prices.yml'] as const;

/**
 * The price table: the built-in prices with the overrides of the file named
 * by `$FANOUT_PRICES`, or else of the first of `prices.json`, `prices.yaml`, `prices.yml` in
 * `home` that exists. Throws FanoutError `OPTION_INVALID` (one line naming
 * the file and field) when that file cannot be used.
 */
export function loadPriceTable(env: NodeJS.ProcessEnv = process.env, home: string = fanoutHome(env)): PriceTable {
  const file = env.FANOUT_PRICES || PRICE_FILE_NAMES.map((name) => join(home, name)).find((path) => existsSync(path));
  return file === undefined ? createPriceTable() : createPriceTable(loadPriceOverrides(file));
}

/**
 * The named command templates of `model: command:<name>`: the file named by
 * `$FANOUT_COMMANDS`, or else the first of {@link COMMAND_FILE_NAMES} in
 * `home` that exists; none without either. Throws FanoutError
 * `OPTION_INVALID` (one line naming the file and field) when that file
 * cannot be used.
 */
function loadCommandFile(env: NodeJS.ProcessEnv, home: string): CommandTemplates {
  const file = env.FANOUT_COMMANDS || COMMAND_FILE_NAMES.map((name) => join(home, name)).find((path) => existsSync(path));
  if (file === undefined) return { templates: {}, source: undefined };
  return { templates: parseCommandTemplates(readConfigFile(file, 'commands file'), file), source: file };
}

/**
 * The composition root: a Fanout on the SQLite store at `home`, with models
 * resolved from the environment (`sim` unless an API key is set) prices
 * from {@link loadPriceTable}, git worktrees under `home/worktrees`, agent definitions from Claude Code's
 * `.claude/agents/` and fanout's planner. The only place where the concrete
 * store, providers, prices, agent definitions and planner meet the engine.
 */
export function createDefaultFanout(options: DefaultFanoutOptions = {}): Fanout {
  const { home = fanoutHome(options.env), env = process.env, persist = true, prices, agentsHome, ...rest } = options;
  return createFanout({
    defaultModel: defaultModelSpec(env),
    planner: planFromRequest,
    ...rest,
    pricing: rest.pricing ?? priceLookup(prices ?? loadPriceTable(env, home)),
    agents: rest.agents ?? claudeCodeAgentSource(agentsHome === undefined ? {} : { home: agentsHome }),
    // The store lives in the workspace by default (./.fanout): no subagent may write it.
    protectedPaths: [resolve(home), ...(rest.protectedPaths ?? [])],
    // A store this process may not write (a read-only FANOUT_HOME) is still read: runs, status, output.
    store: persist ? new LazyRunStore(() => openReadableRunStore(home), resolve(home)) : new MemoryRunStore(),
    // Read on the first `command:<name>` spec: a broken commands file fails the runs that name one, not every command.
    models: createModelResolver({ env, commandTemplates: () => loadCommandFile(env, home) }),
    workspaces: rest.workspaces ?? createWorktreeManager({ home }),
    // `--no-sandbox` reaches a detached run through the environment, as FANOUT_HOME does.
    shellSandbox: rest.shellSandbox ?? (env.FANOUT_NO_SANDBOX === '1' ? 'none' : 'bwrap'),
    ...(rest.leaseMs === undefined && env.FANOUT_LEASE_MS ? { leaseMs: Number(env.FANOUT_LEASE_MS) } : {}),
  });
}
