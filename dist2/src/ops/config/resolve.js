// Configuration with one precedence rule: flags > environment > file > defaults.
// The zod schema is the only list of settings: it gives each setting its flag
// (btcli's dotted names for nested ones: --wallet.name, --subtensor.chain_endpoint;
// kebab-case otherwise: --data-dir), its environment variable (GRADMESH_WALLET_NAME,
// GRADMESH_DATA_DIR) and the type that strings from the command line and the
// environment are read as. An error names the field, the expected value, what was
// given and where it came from.
import { readFileSync } from 'node:fs';
export class ConfigError extends Error {
    issues;
    constructor(issues) {
        super(`invalid configuration:\n${issues
            .map((i) => `  ${i.field}: expected ${i.expected}${i.received !== undefined ? `, got ${i.received}` : ''}${i.from ? ` (from ${i.from})` : ''}${i.hint ? ` (${i.hint})` : ''}`)
            .join('\n')}`);
        this.issues = issues;
        this.name = 'ConfigError';
    }
}
function defOf(s) {
    return s.def;
}
/** Strips optional/default/nullable/readonly/pipe wrappers. */
function unwrap(s) {
    let cur = s;
    for (let i = 0; i < 16; i++) {
        const d = defOf(cur);
        if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'readonly' || d.type === 'prefault' || d.type === 'catch') && d.innerType)
            cur = d.innerType;
        else if (d.type === 'pipe' && d.in)
            cur = d.in;
        else
            break;
    }
    return cur;
}
function kindOf(s) {
    const t = defOf(unwrap(s)).type;
    if (t === 'number' || t === 'int' || t === 'bigint')
        return 'number';
    if (t === 'boolean')
        return 'boolean';
    if (t === 'array')
        return 'array';
    if (t === 'string' || t === 'enum' || t === 'literal' || t === 'template_literal')
        return 'string';
    return 'other';
}
const camel = (s) => s.replace(/[-_]([a-z0-9])/g, (_, c) => c.toUpperCase());
const kebab = (s) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const snakeUpper = (s) => s.replace(/[A-Z]/g, (c) => `_${c}`).replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
/** Every setting of an object schema, with its flag and environment names. */
export function configLeaves(schema, envPrefix = 'GRADMESH_') {
    const out = [];
    const walk = (s, path) => {
        const inner = unwrap(s);
        const d = defOf(inner);
        if (d.type === 'object' && d.shape) {
            for (const [k, v] of Object.entries(d.shape))
                walk(v, [...path, k]);
            return;
        }
        const kind = kindOf(inner);
        const dotted = path.join('.');
        out.push({
            path,
            kind,
            ...(kind === 'array' && d.element ? { element: kindOf(d.element) } : {}),
            // Nested settings keep btcli's dotted flag; commander camel-cases dashed flags.
            flagKeys: path.length > 1 ? [dotted, camel(path.join('-'))] : [dotted, camel(dotted)],
            flagName: `--${path.length > 1 ? dotted : kebab(dotted)}`,
            envName: envPrefix + path.map(snakeUpper).join('_'),
        });
    };
    walk(schema, []);
    return out;
}
/** Paths of the nested objects a schema requires, so that a missing one reports its missing fields. */
function requiredObjects(schema) {
    const out = [];
    const walk = (s, path) => {
        const t = defOf(s).type;
        if (t === 'optional' || t === 'nullable')
            return;
        const inner = unwrap(s);
        const d = defOf(inner);
        if (d.type !== 'object' || !d.shape)
            return;
        if (path.length)
            out.push(path);
        for (const [k, v] of Object.entries(d.shape))
            walk(v, [...path, k]);
    };
    walk(schema, []);
    return out;
}
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
/** Reads a string from a flag or the environment as the setting's type; leaves it as is when it does not parse (zod then reports it). */
function coerce(value, kind, element, splitLists = false) {
    if (kind === 'array') {
        if (typeof value === 'string' && splitLists)
            value = value.split(/[\s,]+/).filter(Boolean);
        return Array.isArray(value) && element ? value.map((v) => coerce(v, element)) : value;
    }
    if (typeof value !== 'string')
        return value;
    const s = value.trim();
    if (kind === 'number')
        return NUMBER.test(s) ? Number(s) : value;
    if (kind === 'boolean') {
        const l = s.toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(l))
            return true;
        if (['false', '0', 'no', 'off'].includes(l))
            return false;
    }
    return value;
}
function isRecord(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function getPath(o, path) {
    let cur = o;
    for (const k of path) {
        if (Array.isArray(cur) && typeof k === 'number' && k < cur.length)
            cur = cur[k];
        else if (isRecord(cur) && String(k) in cur)
            cur = cur[String(k)];
        else
            return { found: false };
    }
    return { found: true, value: cur };
}
function setPath(o, path, value) {
    let cur = o;
    for (const k of path.slice(0, -1)) {
        if (!isRecord(cur[k]))
            cur[k] = {};
        cur = cur[k];
    }
    cur[path[path.length - 1]] = value;
}
/** Deep-merges `layer` into `into`, recording the source of every value it sets. */
function mergeLayer(into, layer, source, sources, prefix = []) {
    if (!isRecord(layer))
        return;
    for (const [k, v] of Object.entries(layer)) {
        if (v === undefined)
            continue;
        const path = [...prefix, k];
        if (isRecord(v)) {
            if (!isRecord(into[k]))
                into[k] = {};
            mergeLayer(into[k], v, source, sources, path);
        }
        else {
            into[k] = v;
            sources.set(path.join('.'), source);
        }
    }
}
function describeExpected(issue, leafByField) {
    switch (issue.code) {
        case 'invalid_type': {
            const e = String(issue.expected);
            if (e === 'int')
                return 'an integer';
            if (e === 'array')
                return 'a list';
            if (e === 'object')
                return 'an object';
            return /^[aeiou]/.test(e) ? `an ${e}` : `a ${e}`;
        }
        case 'too_small': {
            const i = issue;
            if (i.origin === 'string')
                return Number(i.minimum) <= 1 ? 'a non-empty string' : `a string of at least ${i.minimum} characters`;
            if (i.origin === 'array')
                return `a list of at least ${i.minimum} item(s)`;
            return `a number ${i.inclusive ? '>=' : '>'} ${i.minimum}`;
        }
        case 'too_big': {
            const i = issue;
            if (i.origin === 'string')
                return `a string of at most ${i.maximum} characters`;
            if (i.origin === 'array')
                return `a list of at most ${i.maximum} item(s)`;
            return `a number ${i.inclusive ? '<=' : '<'} ${i.maximum}`;
        }
        case 'invalid_value':
            return issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
        case 'unrecognized_keys': {
            const known = [...leafByField.keys()];
            return `a known setting (one of ${known.join(', ')})`;
        }
        default:
            // Refinements and formats carry their own message, written as the expected value.
            return issue.message;
    }
}
function didYouMean(key, known) {
    const distance = (a, b) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++)
            d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++)
                d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        return d[a.length][b.length];
    };
    let best;
    let bestD = Infinity;
    for (const k of known) {
        const dd = distance(key.toLowerCase(), k.toLowerCase());
        if (dd < bestD) {
            best = k;
            bestD = dd;
        }
    }
    return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
/**
 * Merges the layers (defaults < file < env < flags) and validates the result.
 * Throws ConfigError naming every bad field, its expected value and its source.
 */
export function resolveConfig(schema, layers) {
    const leaves = configLeaves(schema, layers.envPrefix ?? 'GRADMESH_');
    const leafByField = new Map(leaves.map((l) => [l.path.join('.'), l]));
    const merged = {};
    const sources = new Map();
    mergeLayer(merged, layers.defaults, layers.defaultsName ?? 'default', sources);
    // The file may hold strings for numbers (YAML habits, hand edits): read them as the type says.
    if (layers.file !== undefined && !isRecord(layers.file)) {
        throw new ConfigError([{ field: '(file)', expected: 'a JSON object of settings', received: JSON.stringify(layers.file), from: `file ${layers.fileName ?? ''}`.trim() }]);
    }
    mergeLayer(merged, layers.file, `file ${layers.fileName ?? '(config)'}`, sources);
    const env = layers.env ?? {};
    for (const leaf of leaves) {
        const raw = env[leaf.envName];
        if (raw === undefined || raw === '')
            continue;
        setPath(merged, leaf.path, coerce(raw, leaf.kind, leaf.element, true));
        sources.set(leaf.path.join('.'), `env ${leaf.envName}`);
    }
    const flags = layers.flags ?? {};
    for (const leaf of leaves) {
        const key = leaf.flagKeys.find((k) => flags[k] !== undefined);
        if (key === undefined)
            continue;
        setPath(merged, leaf.path, coerce(flags[key], leaf.kind, leaf.element));
        sources.set(leaf.path.join('.'), `flag ${leaf.flagName}`);
    }
    // Values from the file were not coerced above (a file should hold the right types),
    // but numbers given as strings in JSON are a common slip: coerce them too.
    for (const leaf of leaves) {
        const field = leaf.path.join('.');
        if (!sources.get(field)?.startsWith('file '))
            continue;
        const got = getPath(merged, leaf.path);
        if (got.found)
            setPath(merged, leaf.path, coerce(got.value, leaf.kind, leaf.element));
    }
    for (const path of requiredObjects(schema))
        if (!getPath(merged, path).found)
            setPath(merged, path, {});
    const r = schema.safeParse(merged);
    if (r.success)
        return r.data;
    const issues = [];
    for (const issue of r.error.issues) {
        if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) {
                const field = [...issue.path.map(String), key].join('.');
                const known = [...new Set(leaves.flatMap((l) => l.path.map((_, n) => l.path.slice(0, n + 1).join('.'))))];
                const hint = didYouMean(field, known);
                const from = [...sources.entries()].find(([f]) => f === field || f.startsWith(`${field}.`))?.[1];
                issues.push({ field, expected: hint ? `a known setting (did you mean "${hint}"?)` : describeExpected(issue, leafByField), ...(from ? { from } : {}) });
            }
            continue;
        }
        // Issues inside a list point at an element: report the whole setting's source.
        let settingPath = issue.path.map(String);
        while (settingPath.length && !leafByField.has(settingPath.join('.')))
            settingPath = settingPath.slice(0, -1);
        const field = issue.path.map(String).join('.') || '(root)';
        const leaf = leafByField.get(settingPath.join('.'));
        const given = getPath(merged, issue.path);
        const from = sources.get(settingPath.join('.'));
        const entry = { field, expected: describeExpected(issue, leafByField) };
        if (given.found && given.value !== undefined)
            entry.received = JSON.stringify(given.value);
        if (from)
            entry.from = from;
        else if (leaf && !given.found)
            entry.hint = `not set: give ${leaf.flagName}, ${leaf.envName} or "${leaf.path.join('.')}" in the config file`;
        issues.push(entry);
    }
    throw new ConfigError(issues);
}
/** Reads a JSON configuration file; a missing or malformed file is a ConfigError naming it. */
export function readConfigFile(path) {
    let text;
    try {
        text = readFileSync(path, 'utf8');
    }
    catch (e) {
        throw new ConfigError([{ field: '(file)', expected: 'a readable JSON file', from: `${path}: ${e.code ?? e.message}` }]);
    }
    try {
        return JSON.parse(text);
    }
    catch (e) {
        throw new ConfigError([{ field: '(file)', expected: 'valid JSON', from: `${path}: ${e.message}` }]);
    }
}
/** The flags a user actually typed: commander's values minus those that only hold a default. */
export function explicitFlags(cmd) {
    const out = {};
    for (const [k, v] of Object.entries(cmd.opts())) {
        const src = cmd.getOptionValueSource(k);
        if (src !== undefined && src !== 'default')
            out[k] = v;
    }
    return out;
}
//# sourceMappingURL=resolve.js.map