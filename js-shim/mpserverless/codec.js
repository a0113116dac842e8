// The MPServerless client's codec: caller values to the JSON text the core signs and sends, and
// gateway replies to the official result shapes (the 3.x decoder, reference §6.2).
import { mpInvalid } from '../errors.js';

const tag = (v) => Object.prototype.toString.call(v);
const isRegExp = (v) => tag(v) === '[object RegExp]';
const isPlainObject = (v) => tag(v) === '[object Object]';

// MongoDB understands i, m, s, x (and u); JS-only flags (g, y, d) mean nothing to a query.
const mongoFlags = (re) => re.flags.split('').filter((f) => 'imsu'.indexOf(f) >= 0).join('');

/**
 * Replaces RegExp values by MongoDB's `{$regex, $options}` (3.1.5 sends `{}` and 2.x drops the key,
 * widening the query). `{$regex: /x/i}` becomes `{$regex: 'x', $options: 'i'}`. Everything else,
 * key order included, is left for JSON.stringify exactly as the official package serialises it.
 */
function encodeValue(v) {
  if (isRegExp(v)) {
    const flags = mongoFlags(v);
    return flags ? { $regex: v.source, $options: flags } : { $regex: v.source };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object' && typeof v.toJSON !== 'function') {
    const out = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (k === '$regex' && isRegExp(x)) {
        out.$regex = x.source;
        const flags = mongoFlags(x);
        if (flags && !Object.prototype.hasOwnProperty.call(v, '$options')) out.$options = flags;
      } else {
        out[k] = encodeValue(x);
      }
    }
    return out;
  }
  return v;
}

/** JSON text of a caller value (undefined stays undefined: the key is omitted, as JSON drops it). */
export function toJson(field, value) {
  if (value === undefined) return undefined;
  let text;
  try {
    text = JSON.stringify(encodeValue(value));
  } catch (e) {
    throw mpInvalid(field, field + ' cannot be serialised to JSON: ' + (e && e.message));
  }
  return text;
}

/** `fileId` / `fileIds` as the gateway takes them: one id, or several comma-joined. */
export function joinIds(field, ids) {
  if (Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return ids.join(',');
  if (typeof ids === 'string') return ids;
  throw mpInvalid(field, field + ' should be a string or an array of strings');
}

/** `String(v)` of an option (undefined for undefined/null), as a ValidationFailed error when it cannot be one. */
export function str(v, field) {
  if (v === undefined || v === null) return undefined;
  try {
    return String(v);
  } catch (e) {
    // e.g. an object without a prototype: a ValidationFailed error, not a raw TypeError
    throw mpInvalid(field || 'options', 'value cannot be converted to a string');
  }
}

/** A gateway body (text or parsed) in the official result shape: `data` becomes `result` (db replies spread `affectedDocs`). */
export function decodeBody(text) {
  let body = typeof text === 'string' ? JSON.parse(text) : text;
  if (body && typeof body === 'object' && 'data' in body) {
    const d = body.data;
    if (d == null) body.result = null;
    else if (Number(d.affectedDocs) === d.affectedDocs) body = Object.assign({}, body, d);
    else if (isPlainObject(d)) body.result = Object.assign({}, d);
    else if (Array.isArray(d)) body.result = d.slice(0);
    else body.result = d;
    delete body.data;
  }
  return body;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** DB results: ISO-8601 strings become Dates, recursively (the official JSONDecoder). */
export function reviveDates(v) {
  if (typeof v === 'string') return ISO_DATE.test(v) && !isNaN(Date.parse(v)) ? new Date(v) : v;
  if (Array.isArray(v)) return v.map(reviveDates);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = reviveDates(v[k]);
    return out;
  }
  return v;
}
