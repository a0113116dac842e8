// The typings of every entry of the installed package: each entry's .d.ts declares exactly the
// values its JavaScript exports (read with the TypeScript checker, compared with what Node loads),
// and code using every entry compiles with `tsc --strict`.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PKG, ROOT, require, tmpDir } from './_helpers.mjs';

const ts = require('typescript');
const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
/** Every entry with typings: `[subpath, conditions]`. */
const ENTRIES = Object.entries(manifest.exports).filter(([, v]) => v && typeof v === 'object' && v.types);

/** A project with the installed package in node_modules (a symlink to it: tsc reads, never writes). */
function project() {
  const root = tmpDir('mp-typings-');
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.symlinkSync(PKG, path.join(root, 'node_modules', 'miniapp-sdk'), 'dir');
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  return root;
}

const COMPILER = { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2017', lib: ['es2017'], types: [], skipLibCheck: false };

/** The value (not type-only) names each entry's typings export, through the TypeScript checker. */
function declaredValues(root, specifiers) {
  const files = specifiers.map((spec, i) => {
    const f = path.join(root, `probe${i}.ts`);
    fs.writeFileSync(f, `import * as e from '${spec}';\nexport { e };\n`);
    return f;
  });
  const options = ts.convertCompilerOptionsFromJson(COMPILER, root).options;
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const out = {};
  specifiers.forEach((spec, i) => {
    const sf = program.getSourceFile(files[i]);
    const imp = sf.statements.find(ts.isImportDeclaration);
    const sym = checker.getSymbolAtLocation(imp.moduleSpecifier);
    assert.ok(sym, `${spec}: typings resolve`);
    out[spec] = checker.getExportsOfModule(sym)
      .filter((s) => {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return (target.flags & ts.SymbolFlags.Value) !== 0;
      })
      .map((s) => s.name)
      .sort();
  });
  return out;
}

/** The names Node's require() of the entry gives (the CommonJS build every entry has). */
function runtimeNames(spec, root) {
  const req = require('node:module').createRequire(path.join(root, 'x.cjs'));
  const m = req(spec);
  return Object.keys(m).sort();
}

test('every entry with typings: the .d.ts declares exactly the values the JavaScript exports', () => {
  const root = project();
  assert.ok(ENTRIES.length >= 8, `entries: ${ENTRIES.map(([k]) => k).join(', ')}`);
  const specs = ENTRIES.map(([sub]) => (sub === '.' ? 'miniapp-sdk' : 'miniapp-sdk/' + sub.slice(2)));
  const declared = declaredValues(root, specs);
  for (const spec of specs) {
    assert.deepEqual(declared[spec], runtimeNames(spec, root), `${spec}: declared values vs exported values`);
  }
});

test('every entry compiles with tsc --strict, and the types say what the values are', () => {
  const root = project();
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER, include: ['*.ts'] }));
  fs.writeFileSync(path.join(root, 'good.ts'), `
import * as main from 'miniapp-sdk';
import * as authing from 'miniapp-sdk/authing';
import * as auth from 'miniapp-sdk/auth';
import * as alipayAuth from 'miniapp-sdk/alipay-auth';
import * as alipay from 'miniapp-sdk/alipay';
import * as serverless from 'miniapp-sdk/serverless';
import * as alipayServerless from 'miniapp-sdk/alipay-serverless';
import type { ErrorData, AuthingPlatform, HostPlatform, SdkError } from 'miniapp-sdk';
import type { MPServerlessError } from 'miniapp-sdk/mpserverless';

const v: string[] = [main.version, authing.version, auth.version, alipayAuth.version, alipay.version, serverless.version, alipayServerless.version];
for (const m of [main, auth, alipayAuth, alipay, authing]) {
  m.configure({ wasmPath: '/sdk/core.wasm.br' });
  const a = new m.Authing({ appId: 'a', userPoolId: 'p', platform: 'tt' });
  const p: AuthingPlatform = a.options.platform;
  void p;
}
for (const s of [serverless, alipayServerless]) s.configure({ wasmPath: '/sdk/core-serverless.wasm.br' });
const paths: (string | undefined)[] = (['wx', 'tt', 'my', 'std'] as const).map((k) => main.defaultWasmPath(k)).concat(serverless.defaultWasmPath(), auth.defaultWasmPath('tt'));
const platformApi = { request() {}, uploadFile() {}, getAuthCode() {} };
const config = { appId: 'a', spaceId: 's', clientSecret: 'c', endpoint: 'https://e' };
const clients = [new main.MPServerless(platformApi, config), new serverless.MPServerless(platformApi, config), new alipayServerless.MPServerless(platformApi, config)];
const versions: string[] = clients.map((c) => c.version);

async function use(): Promise<string> {
  const [error] = await new main.Authing({ appId: 'a', userPoolId: 'p' }).getLoginState();
  const e: ErrorData | null = error;
  const apiCode: number | undefined = e ? e.apiCode : undefined;
  const { platform } = await auth.init();
  const hp: HostPlatform | string = platform;
  try { await clients[0].user.authorize({ authType: 'anonymous' }); } catch (x) { return (x as MPServerlessError).code + (x as SdkError).code; }
  return String(apiCode) + hp + v.join() + paths.join() + versions.join();
}
void use;
`);
  // Default imports, as a mini-program build (webpack / Vite: the "import" condition, ESM files)
  // compiles them. Under Node's own ESM loader the "node" condition picks the CommonJS files, whose
  // default import is module.exports: see the README's typings note.
  fs.mkdirSync(path.join(root, 'bundler'));
  fs.writeFileSync(path.join(root, 'bundler', 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...COMPILER, module: 'esnext', moduleResolution: 'bundler' } }));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(root, 'bundler', 'node_modules'), 'dir');
  fs.writeFileSync(path.join(root, 'bundler', 'defaults.ts'), `
import MPServerless from 'miniapp-sdk/mpserverless';
import Serverless from 'miniapp-sdk/serverless';
import AlipayServerless from 'miniapp-sdk/alipay-serverless';
const config = { appId: 'a', spaceId: 's', clientSecret: 'c', endpoint: 'https://e' };
for (const C of [MPServerless, Serverless, AlipayServerless]) {
  const lines: unknown[][] = [];
  const log = (...a: unknown[]) => { lines.push(a); };
  const c = new C({ request() {}, uploadFile() {}, login() {} }, { ...config, logger: { log, info: log, warn: log, error: log, debug: log } });
  void c.db.collection('x').find({ a: /x/i });
  // The rest of 3.1.5's surface: the collection chain, the OSS RPCs, wrap, debug flag and logger.
  const todos = c.db.collection('todos');
  const chain = async (): Promise<number> => {
    const id: string = await todos.transaction();
    await todos.collection('books').insertOne({ id });
    const done = await todos.commit();
    await c.db.collection('n').rollback().catch(() => undefined);
    const sign = await c.file.getOSSUploadOptionsFromPath('a/b.png', 'dir', 3, '/x.png');
    const host: string | undefined = sign.result && sign.result.host;
    const none: void = await c.file.reportOSSUpload(sign.result ? sign.result.id : '', 'image/png');
    void none;
    const res = await c.wrap(() => undefined)({ url: 'u' });
    c.setDebugFlag(true);
    const on: boolean = c.debug;
    c.logger.info('x', on, host, res);
    return done.affectedDocs || 0;
  };
  void chain;
}
`);
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const compile = (dir = root) => {
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (e) {
      return String(e.stdout) + String(e.stderr);
    }
  };
  assert.equal(compile(), '', 'every entry compiles (moduleResolution nodenext)');
  assert.equal(compile(path.join(root, 'bundler')), '', 'default imports compile (moduleResolution bundler)');
  fs.writeFileSync(path.join(root, 'bad.ts'), `
import { Authing, defaultWasmPath } from 'miniapp-sdk';
import type { ErrorData } from 'miniapp-sdk';
const s: string = ({} as ErrorData).apiCode;
defaultWasmPath('alipay');
new Authing({ appId: 'a', userPoolId: 'p', platform: 'alipay' });
void s;
`);
  const out = compile();
  assert.match(out, /bad\.ts\(4,.*error TS2322.*number/, 'apiCode is a number');
  assert.match(out, /bad\.ts\(5,.*error TS2345.*"alipay"/, 'defaultWasmPath takes engine kinds only');
  assert.match(out, /bad\.ts\(6,.*error TS2322.*"alipay"/, 'Authing platform is wx or tt');
});
