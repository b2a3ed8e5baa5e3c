import { samplePattern } from './sim-pattern-sample.js';

/**
 * A JSON value built from a JSON Schema, for the simulated model's answer to
 * a task that must reply with JSON: deterministic, and valid against the
 * schemas plans use in practice — `type`, `properties` (every listed one),
 * `required`, `enum`/`const`, array and string bounds, numeric ranges and
 * `multipleOf`, `format`, `pattern`, tuples, local `$ref`s, and the first
 * branch of `anyOf`/`oneOf`, `allOf` merged. Strings read
 * `(simulated) <property>` so nobody mistakes the value for a model's work.
 */
export function sampleJson(schema: unknown): unknown {
  return new JsonSampler(schema).value(schema, { name: 'value', depth: 0, variant: 0 });
}

interface Place {
  /** The property (or array) the value is for; it names string values. */
  name: string;
  depth: number;
  /** Index of an array item: varies enums, strings and numbers so `uniqueItems` holds. */
  variant: number;
}

type Schema = Record<string, unknown>;

/** Beyond this nesting, objects get only required properties and arrays only `minItems` items, so recursive schemas end. */
const FULL_DEPTH = 6;
/** Beyond this, a recursive schema is given up on (`null`). */
const MAX_DEPTH = 32;

class JsonSampler {
  readonly #root: unknown;

  constructor(root: unknown) {
    this.#root = root;
  }

  value(raw: unknown, place: Place): unknown {
    if (place.depth > MAX_DEPTH || raw === false) return null;
    if (raw === true || typeof raw !== 'object' || raw === null) return this.#string({}, place);
    const schema = this.#flatten(raw as Schema, place.depth);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[place.variant % schema.enum.length];
    switch (typeOf(schema)) {
      case 'object':
        return this.#object(schema, place);
      case 'array':
        return this.#array(schema, place);
      case 'integer':
        return numberIn(schema, true, place.variant);
      case 'number':
        return numberIn(schema, false, place.variant);
      case 'boolean':
        return place.variant % 2 === 0;
      case 'null':
        return null;
      default:
        return this.#string(schema, place);
    }
  }

  /** One schema with `$ref`, `allOf`, the first `anyOf`/`oneOf` branch and `if`/`then` folded in. */
  #flatten(schema: Schema, depth: number): Schema {
    if (depth > MAX_DEPTH) return schema;
    let merged: Schema = { ...schema };
    const parts: unknown[] = [];
    if (typeof schema.$ref === 'string') parts.push(this.#resolve(schema.$ref));
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf);
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches) && branches.length > 0) parts.push(preferNonNull(branches));
    }
    if (schema.if !== undefined && typeof schema.then === 'object') parts.push(schema.if, schema.then);
    for (const key of ['$ref', 'allOf', 'anyOf', 'oneOf', 'if', 'then', 'else']) delete merged[key];
    for (const part of parts) {
      if (typeof part === 'object' && part !== null) merged = mergeSchemas(merged, this.#flatten(part as Schema, depth + 1));
    }
    return merged;
  }

  #resolve(ref: string): unknown {
    if (!ref.startsWith('#')) return {};
    const path = ref.slice(1).split('/').filter((part) => part !== '');
    let node: unknown = this.#root;
    for (const part of path) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
    return node ?? {};
  }

  #object(schema: Schema, place: Place): Record<string, unknown> {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [];
    const full = place.depth < FULL_DEPTH;
    const keys = full ? [...new Set([...Object.keys(properties), ...required])] : required;
    const extra = schema.additionalProperties;
    const result: Record<string, unknown> = {};
    const child = (name: string): Place => ({ name, depth: place.depth + 1, variant: place.variant });
    for (const key of keys) {
      const propertySchema = properties[key] ?? (typeof extra === 'object' ? extra : {});
      result[key] = this.value(propertySchema, child(key));
    }
    const minProperties = typeof schema.minProperties === 'number' ? schema.minProperties : 0;
    for (let index = 1; Object.keys(result).length < minProperties && extra !== false; index++) {
      const key = `${place.name}${index}`;
      if (!(key in result)) result[key] = this.value(typeof extra === 'object' ? extra : {}, child(key));
    }
    return result;
  }

  #array(schema: Schema, place: Place): unknown[] {
    // draft 2020-12 `prefixItems` + `items`, or draft-07 `items: [...]` + `additionalItems`
    const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
    const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
    const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
    const wanted = place.depth < FULL_DEPTH ? Math.max(minItems, tuple.length, 1) : Math.max(minItems, 0);
    const count = Math.min(wanted, maxItems, rest === false ? tuple.length : Infinity);
    const itemName = singular(place.name);
    const items: unknown[] = [];
    for (let index = 0; index < count; index++) {
      let itemSchema = index < tuple.length ? tuple[index] : (rest ?? {});
      if (index === 0 && schema.contains !== undefined && index >= tuple.length) itemSchema = mergeAny(itemSchema, schema.contains);
      items.push(this.value(itemSchema, { name: itemName, depth: place.depth + 1, variant: index }));
    }
    if (schema.uniqueItems !== true) return items;
    const seen = new Set<string>();
    const unique = items.filter((item) => !seen.has(JSON.stringify(item)) && seen.add(JSON.stringify(item)) !== undefined);
    return unique.length >= minItems ? unique : items;
  }

  #string(schema: Schema, place: Place): string {
    if (typeof schema.pattern === 'string') {
      const sample = samplePattern(schema.pattern);
      if (sample !== undefined) return sample;
    }
    const formatted = typeof schema.format === 'string' ? formatSample(schema.format, place.variant) : undefined;
    if (formatted !== undefined) return formatted;
    let text = `(simulated) ${place.name}${place.variant > 0 ? ` ${place.variant + 1}` : ''}`;
    const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
    const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
    if (text.length < minLength) text = text.padEnd(minLength, '.');
    if (text.length > maxLength) text = text.slice(0, maxLength);
    return text;
  }
}

function typeOf(schema: Schema): string {
  const { type } = schema;
  if (typeof type === 'string') return type;
  if (Array.isArray(type) && type.length > 0) return String(type.find((name) => name !== 'null') ?? type[0]);
  if ('properties' in schema || 'required' in schema || 'additionalProperties' in schema || 'minProperties' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema || 'minItems' in schema || 'maxItems' in schema || 'contains' in schema) {
    return 'array';
  }
  if ('minimum' in schema || 'maximum' in schema || 'multipleOf' in schema || 'exclusiveMinimum' in schema || 'exclusiveMaximum' in schema) {
    return 'number';
  }
  return 'string';
}

/**
 * The smallest "nice" number in range: the first multiple of the step (or 1)
 * from the lower bound up, else 1 when allowed, else the largest one below
 * the upper bound; `variant` steps up from there while in range.
 */
function numberIn(schema: Schema, integer: boolean, variant: number): number {
  const multipleOf = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined;
  const step = multipleOf ?? 1;
  const [low, lowOpen] = bound(schema.minimum, schema.exclusiveMinimum, Math.max);
  const [high, highOpen] = bound(schema.maximum, schema.exclusiveMaximum, Math.min);
  const fits = (value: number): boolean =>
    (low === undefined || (lowOpen ? value > low : value >= low)) &&
    (high === undefined || (highOpen ? value < high : value <= high)) &&
    (!integer || Number.isInteger(value));
  const at = (k: number): number => Number((k * step).toFixed(12));
  let k: number;
  if (low !== undefined) {
    k = Math.ceil(low / step);
    while (!fits(at(k)) && at(k) <= (high ?? Infinity)) k++;
  } else {
    k = Math.max(1, Math.ceil(1 / step));
    if (high !== undefined && !fits(at(k))) k = Math.floor(high / step);
    while (!fits(at(k)) && k > -1e6) k--;
  }
  const base = at(k);
  // an open range narrower than one step, e.g. 0 < x < 1: its middle
  if (!fits(base) && !integer && multipleOf === undefined) return ((low ?? (high ?? 0) - 2) + (high ?? (low ?? 0) + 2)) / 2;
  const varied = at(k + variant);
  return fits(varied) ? varied : base;
}

/** A bound and whether it is exclusive, from draft-04 boolean or draft-06+ numeric `exclusive*`. */
function bound(inclusive: unknown, exclusive: unknown, tighter: (a: number, b: number) => number): [number | undefined, boolean] {
  const plain = typeof inclusive === 'number' ? inclusive : undefined;
  if (exclusive === true) return [plain, true];
  if (typeof exclusive !== 'number') return [plain, false];
  if (plain === undefined) return [exclusive, true];
  const value = tighter(plain, exclusive);
  return [value, value === exclusive];
}

function formatSample(format: string, variant: number): string | undefined {
  const n = variant + 1;
  switch (format) {
    case 'date-time':
      return `2026-01-${day(variant)}T00:00:00Z`;
    case 'date':
      return `2026-01-${day(variant)}`;
    case 'time':
      return `00:00:${String(variant % 60).padStart(2, '0')}Z`;
    case 'duration':
      return `P${n}D`;
    case 'email':
    case 'idn-email':
      return `sim${variant > 0 ? n : ''}@example.com`;
    case 'hostname':
    case 'idn-hostname':
      return `host${n}.example.com`;
    case 'ipv4':
      return `127.0.0.${n}`;
    case 'ipv6':
      return `::${n}`;
    case 'uri':
    case 'iri':
    case 'url':
      return `https://example.com/${n}`;
    case 'uri-reference':
    case 'iri-reference':
      return `/${n}`;
    case 'uri-template':
      return `https://example.com/${n}/{id}`;
    case 'uuid':
      return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    case 'json-pointer':
      return `/${n}`;
    case 'relative-json-pointer':
      return String(variant);
    case 'regex':
      return variant === 0 ? '.*' : `.{${n}}`;
    default:
      return undefined;
  }
}

/** Day of the month `01`–`28` for the item `variant` of an array. */
function day(variant: number): string {
  return String((variant % 28) + 1).padStart(2, '0');
}

/** Keywords of `extra` added to `base`; object properties and `required` are combined. */
function mergeSchemas(base: Schema, extra: Schema): Schema {
  const merged: Schema = { ...base, ...extra };
  if (isObject(base.properties) && isObject(extra.properties)) {
    const properties: Record<string, unknown> = { ...base.properties };
    for (const [key, value] of Object.entries(extra.properties)) properties[key] = key in properties ? mergeAny(properties[key], value) : value;
    merged.properties = properties;
  }
  if (Array.isArray(base.required) && Array.isArray(extra.required)) merged.required = [...new Set([...base.required, ...extra.required])];
  return merged;
}

function mergeAny(a: unknown, b: unknown): unknown {
  return isObject(a) && isObject(b) ? { allOf: [a, b] } : b;
}

/** `anyOf: [{type: null}, {...}]` is how nullable fields are written: a value says more than `null`. */
function preferNonNull(branches: unknown[]): unknown {
  return branches.find((branch) => !(isObject(branch) && branch.type === 'null')) ?? branches[0];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `files` → `file`, for naming the items of an array. */
function singular(name: string): string {
  return name.length > 3 && name.endsWith('s') && !name.endsWith('ss') ? name.slice(0, -1) : name;
}
