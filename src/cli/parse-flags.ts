import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers for commander options. Each throws commander's
 * InvalidArgumentError, which commander turns into one line naming the
 * flag, the value received and what was expected.
 */

function parseInteger(value: string, min: number, max: number, expected: string): number {
  const trimmed = value.trim();
  // Number('') is 0 and Number('1e3') is 1000: accept plain decimal digits only.
  if (!/^-?\d+$/.test(trimmed)) throw new InvalidArgumentError(`expected ${expected}`);
  const parsed = Number(trimmed);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`expected ${expected}`);
  }
  return parsed;
}

/** Parses an integer ≥ 1 (e.g. `--concurrency`). */
export function parsePositiveInt(value: string): number {
  return parseInteger(value, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
}

/** Parses an integer ≥ 0 (e.g. `--timeout`, `--latency`, in ms). */
export function parseNonNegativeInt(value: string): number {
  return parseInteger(value, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
}

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses an age such as `30d`, `12h`, `90m` or `3600s` into ms. */
export function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError(`expected an age such as 30d, 12h, 90m or 3600s; got "${value}"`);
  return Math.round(Number(match[1]) * (AGE_UNITS[match[2] as string] as number));
}

/** Parses a TCP port, 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  return parseInteger(value, 0, 65_535, 'a port number from 0 to 65535');
}

/** Parses a decimal number > 0 (e.g. `--budget 0.50`, in US dollars). */
export function parsePositiveNumber(value: string): number {
  const trimmed = value.trim();
  // Plain decimals only: no exponents, hex, `Infinity` or a sign.
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(trimmed)) throw new InvalidArgumentError('expected a positive number');
  const parsed = Number(trimmed);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

/** Parses a share from 0 to 1 (e.g. `--fault-rate 0.1`). */
export function parseShare(value: string): number {
  const trimmed = value.trim();
  const parsed = /^(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return parsed;
}

/** Static caps of one provider, as `--provider-limit` sets them. */
export interface ProviderLimitFlag {
  maxConcurrent?: number;
  rpm?: number;
  tpm?: number;
}

const PROVIDER_LIMIT_KEYS = ['maxConcurrent', 'rpm', 'tpm'] as const;

/**
 * Parses one `--provider-limit anthropic=rpm:50,tpm:40000` into the caps
 * gathered so far (the flag repeats, one provider each).
 */
export function parseProviderLimit(value: string, previous: Record<string, ProviderLimitFlag> = {}): Record<string, ProviderLimitFlag> {
  const expected = 'expected <provider>=<cap>:<n>[,<cap>:<n>] with caps maxConcurrent, rpm, tpm, e.g. anthropic=rpm:50,tpm:40000';
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(value.trim());
  if (match === null) throw new InvalidArgumentError(expected);
  const [, provider = '', list = ''] = match;
  const limits: ProviderLimitFlag = { ...previous[provider] };
  for (const part of list.split(',')) {
    const [key = '', amount = ''] = part.trim().split(':');
    const name = PROVIDER_LIMIT_KEYS.find((known) => known.toLowerCase() === key.toLowerCase());
    if (name === undefined) throw new InvalidArgumentError(`${expected}; got "${key}"`);
    limits[name] = parsePositiveInt(amount);
  }
  return { ...previous, [provider]: limits };
}

/** What `--faults` may list. */
export type FaultKindFlag = 429 | 500 | 529 | 'reset' | 'cut' | 'stall';

/** Parses `--faults 500,529,reset,cut,stall`. */
export function parseFaultKinds(value: string): FaultKindFlag[] {
  return value.split(',').map((part) => {
    const kind = part.trim();
    if (kind === '429' || kind === '500' || kind === '529') return Number(kind) as 429 | 500 | 529;
    if (kind === 'reset' || kind === 'cut' || kind === 'stall') return kind;
    throw new InvalidArgumentError(`expected a comma-separated list of 429, 500, 529, reset, cut, stall; got "${kind}"`);
  });
}
