// .ci/w2j-data.mjs: the wasm2js builds carry their data segments as byte literals put in after
// minification. The literals must give back every byte, in strict code, and the shipped bundles
// must parse with acorn 6 at ES2017 (what mini-program toolchains accept).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { byteLiteral, extractSegments, injectSegments } from '../../.ci/w2j-data.mjs';
import { PKG, require } from './_helpers.mjs';

const acorn6 = require('acorn6');
const strictValue = (literal) => new Function(`'use strict'; return ${literal};`)();

test('a byte literal gives back every byte, NUL before a digit included', () => {
  const bytes = Buffer.from([...Array(256).keys(), 0, 0x30, 0, 0x39, 0, 0x61, 0x5c, 0x22, 0x0d, 0x0a, 0]);
  const literal = byteLiteral(bytes);
  const s = strictValue(literal);
  assert.equal(s.length, bytes.length);
  assert.deepEqual(Buffer.from(Array.from(s, (c) => c.charCodeAt(0))), bytes);
  acorn6.parse(`"use strict"; var x = ${literal};`, { ecmaVersion: 2017 });
});

test('segments round-trip through extract and inject; a missing placeholder is an error', () => {
  const src = [
    'var bufferView;',
    '  var base64ReverseLookup = new Uint8Array(123);',
    '  function base64DecodeToExistingUint8Array(uint8Array, offset, b64) {',
    '    return 1;',
    '  }',
    'function initActiveSegments(imports) {',
    '  base64DecodeToExistingUint8Array(bufferView, 1024, "aGVsbG8AMQ==");',
    '  base64DecodeToExistingUint8Array(bufferView, 2048, "/wA=");',
    '}',
  ].join('\n');
  const { source, segments } = extractSegments(src);
  assert.deepEqual(segments.map((b) => [...b]), [[104, 101, 108, 108, 111, 0, 49], [255, 0]]);
  assert.ok(!source.includes('base64'), source);
  const out = injectSegments(source, segments);
  const view = new Uint8Array(4096);
  new Function('view', `${out.replace('var bufferView;', 'var bufferView = view;')}\ninitActiveSegments();`)(view);
  assert.deepEqual([...view.subarray(1024, 1031)], [104, 101, 108, 108, 111, 0, 49]);
  assert.deepEqual([...view.subarray(2048, 2050)], [255, 0]);
  assert.throws(() => injectSegments('no placeholders here', segments), /occurs 0 times/);
});

test("std's source paths are left out of a segment, the bytes around them kept at their offsets", () => {
  const path = '/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/cell/lazy.rs';
  const data = Buffer.from('ab' + path + 'cd' + path, 'latin1');
  const src = 'var base64ReverseLookup = 0;\n  function base64DecodeToExistingUint8Array(uint8Array, offset, b64) {\n  }\n' +
    `  base64DecodeToExistingUint8Array(bufferView, 100, "${data.toString('base64')}");\n`;
  const { source, segments } = extractSegments(src);
  assert.deepEqual(segments.map((b) => b.toString('latin1')), ['ab', 'cd']);
  assert.ok(source.includes(`copySegment(bufferView, 100, "@@W2J_SEGMENT_0@@");\n  copySegment(bufferView, ${100 + 2 + path.length}, "@@W2J_SEGMENT_1@@");`), source);
});

test('the shipped wasm2js bundles parse with acorn 6 (ES2017) and carry no base64 segments', () => {
  const files = fs.readdirSync(PKG).filter((f) => /^alipay.*\.m?js$/.test(f));
  assert.ok(files.includes('alipay.js') && files.includes('alipay-serverless.js'), files.join(', '));
  for (const f of files) {
    const src = fs.readFileSync(path.join(PKG, f), 'utf8');
    acorn6.parse(src, { ecmaVersion: 2017, sourceType: f.endsWith('.mjs') ? 'module' : 'script', allowHashBang: true });
    assert.ok(!src.includes('@@W2J_SEGMENT_'), `${f} still has a segment placeholder`);
    assert.ok(!src.includes('/rustc/'), `${f} still carries std source paths`);
  }
});
