// The emulator's npm distribution: one launcher package (`miniapp-emulator`, the `npx` entry) and
// one package per platform holding a prebuilt, stripped binary, chosen by npm through the
// platform packages' `os`/`cpu` fields (the esbuild / swc / biome layout). Writes the packages
// and their tarballs under dist/emulator/.
//
//   node .ci/build-emulator.mjs              every platform: cargo-zigbuild + ziglang (installed
//                                            here, under .cache/emulator-release, only when this runs)
//   node .ci/build-emulator.mjs --host-only  the host's platform alone, plain `cargo build`, no zig
//   node .ci/build-emulator.mjs --gate       only the gate: no Apple-framework crate in the
//                                            emulator's macOS dependency graph (.ci/test.sh runs it)
//   --profile NAME   cargo profile of the binaries (default emulator-dist; the npm test passes dev to
//                    reuse the debug build the other suites make, it only checks the packaging)
//   --out DIR        output directory (default dist/emulator)
//   --no-measure     skip timing the launcher (by default the host's tarballs are installed into a
//                    temporary project and the first line of binary, launcher and npx is timed)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cargoTargetDir } from './cargo-target.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATE = path.join(ROOT, 'pkg-template', 'emulator');
const CACHE = path.join(ROOT, '.cache', 'emulator-release');

/** The platforms we ship: npm key (`${process.platform}-${process.arch}`), Rust target, binary format. */
export const PLATFORMS = [
  { key: 'linux-x64', os: 'linux', cpu: 'x64', target: 'x86_64-unknown-linux-musl', format: 'elf', machine: 'x86-64' },
  { key: 'linux-arm64', os: 'linux', cpu: 'arm64', target: 'aarch64-unknown-linux-musl', format: 'elf', machine: 'aarch64' },
  { key: 'darwin-x64', os: 'darwin', cpu: 'x64', target: 'x86_64-apple-darwin', format: 'macho', machine: 'x86-64', macos: '10.12' },
  { key: 'darwin-arm64', os: 'darwin', cpu: 'arm64', target: 'aarch64-apple-darwin', format: 'macho', machine: 'aarch64', macos: '11.0' },
  { key: 'win32-x64', os: 'win32', cpu: 'x64', target: 'x86_64-pc-windows-gnu', format: 'pe', machine: 'x86-64', exe: '.exe' },
];
export const SCOPE = '@miniapp-emulator';

/** Crates that link an Apple framework (zig cannot link those without Apple's SDK). */
const APPLE_FRAMEWORK_CRATES = /^(core-foundation(-sys)?|security-framework(-sys)?|system-configuration(-sys)?|objc2?(-[a-z-]+)?|cocoa(-foundation)?|core-graphics(-types)?|io-kit-sys|fsevent-sys) /m;

function log(msg) {
  process.stderr.write(`build-emulator: ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: opts.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', env: opts.env || process.env });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})${opts.capture ? `:\n${r.stderr}` : ''}`);
  return r.stdout;
}

function has(cmd, args = ['--version'], env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', env });
  return !r.error && r.status === 0;
}

/** The gate: the macOS dependency graphs hold no Apple-framework crate. */
export function appleGate() {
  for (const target of ['aarch64-apple-darwin', 'x86_64-apple-darwin']) {
    const tree = run('cargo', ['tree', '-p', 'miniapp-emulator', '--target', target, '-e', 'normal', '--prefix', 'none'], { capture: true });
    if (!/^axum /m.test(tree)) throw new Error(`cargo tree for ${target} looks wrong (no axum):\n${tree.slice(0, 500)}`);
    const m = tree.match(APPLE_FRAMEWORK_CRATES);
    if (m) {
      throw new Error(`${m[0].trim()} entered the emulator's ${target} dependency graph: it links an Apple framework, ` +
        'which the cross build cannot link (chrono must keep features = ["now", "std"], not "clock")');
    }
  }
  log('gate: no Apple-framework crate in the macOS dependency graphs');
}

function emulatorVersion() {
  const toml = fs.readFileSync(path.join(ROOT, 'tests', 'emulator', 'Cargo.toml'), 'utf8');
  const m = toml.match(/^version = "([^"]+)"/m);
  if (!m) throw new Error('no version in tests/emulator/Cargo.toml');
  return m[1];
}

function hostPlatform() {
  return PLATFORMS.find((p) => p.key === `${process.platform}-${process.arch}`);
}

/** `elf x86-64`, `macho aarch64`, `pe x86-64` from the file's header, or throws. */
export function binaryKind(file) {
  const b = fs.readFileSync(file);
  if (b.length > 64 && b.readUInt32BE(0) === 0x7f454c46) {
    const machine = { 0x3e: 'x86-64', 0xb7: 'aarch64' }[b.readUInt16LE(18)] || `machine 0x${b.readUInt16LE(18).toString(16)}`;
    return { format: 'elf', machine, static: !b.includes(Buffer.from('/lib64/ld-linux')) && !b.includes(Buffer.from('/lib/ld-')) };
  }
  if (b.length > 32 && b.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = b.readUInt32LE(4);
    return { format: 'macho', machine: { 0x01000007: 'x86-64', 0x0100000c: 'aarch64' }[cpu] || `cpu 0x${cpu.toString(16)}` };
  }
  if (b.length > 64 && b.readUInt16LE(0) === 0x5a4d) {
    const pe = b.readUInt32LE(0x3c);
    if (b.readUInt32LE(pe) === 0x00004550) {
      const machine = b.readUInt16LE(pe + 4);
      const magic = b.readUInt16LE(pe + 24);
      return { format: 'pe', machine: { 0x8664: 'x86-64', 0xaa64: 'aarch64' }[machine] || `machine 0x${machine.toString(16)}`, pe32plus: magic === 0x20b };
    }
  }
  throw new Error(`${file}: not an ELF, Mach-O or PE executable`);
}

/** Installs cargo-zigbuild and ziglang under .cache/emulator-release when missing; returns the env to build with. */
function crossToolchain() {
  const env = { ...process.env };
  const venv = path.join(CACHE, 'venv');
  const venvBin = path.join(venv, process.platform === 'win32' ? 'Scripts' : 'bin');
  const cargoRoot = path.join(CACHE, 'cargo');
  env.PATH = [path.join(cargoRoot, 'bin'), venvBin, env.PATH].join(path.delimiter);
  if (!has('cargo-zigbuild', ['zigbuild', '--help'], env)) {
    log('installing cargo-zigbuild (crates.io) into .cache/emulator-release/cargo');
    run('cargo', ['install', '--locked', '--quiet', '--root', cargoRoot, 'cargo-zigbuild'], { env });
  }
  if (!has(path.join(venvBin, 'python'), ['-m', 'ziglang', 'version'], env)) {
    log('installing ziglang (PyPI) into .cache/emulator-release/venv');
    run('python3', ['-m', 'venv', venv], { env });
    run(path.join(venvBin, 'python'), ['-m', 'pip', 'install', '--quiet', 'ziglang'], { env });
  }
  const installed = run('rustup', ['target', 'list', '--installed'], { capture: true, env });
  const missing = PLATFORMS.map((p) => p.target).filter((t) => !installed.split('\n').includes(t));
  if (missing.length) {
    log(`rustup target add ${missing.join(' ')}`);
    run('rustup', ['target', 'add', ...missing], { env });
  }
  return env;
}

/** Builds one platform's binary; returns its path under cargo's target directory. */
function buildBinary(p, { profile, cross, env }) {
  const dirName = profile === 'dev' ? 'debug' : profile;
  const args = cross
    ? ['zigbuild', '--quiet', '--locked', '-p', 'miniapp-emulator', '--profile', profile, '--target', p.target]
    : ['build', '--quiet', '--locked', '-p', 'miniapp-emulator', '--profile', profile];
  const e = { ...env };
  if (p.macos) e.MACOSX_DEPLOYMENT_TARGET = p.macos;
  const t0 = Date.now();
  run('cargo', args, { env: e });
  const bin = path.join(cargoTargetDir(ROOT), ...(cross ? [p.target] : []), dirName, `miniapp-emulator${p.exe || ''}`);
  if (!fs.existsSync(bin)) throw new Error(`cargo reported success but ${bin} is missing`);
  log(`${p.key}: built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return bin;
}

/**
 * Runs the binary where this machine can (natively, or a foreign Linux architecture under
 * qemu-user when installed): `--version`, then a start on a free port and one admin call.
 * Returns how it ran, or null when it could only be built.
 */
async function tryRun(p, bin, version) {
  const native = p.os === process.platform && p.cpu === process.arch;
  let prefix = [];
  let how = 'natively';
  if (!native) {
    const qemu = p.os === 'linux' && process.platform === 'linux' && p.cpu === 'arm64' ? ['qemu-aarch64-static', 'qemu-aarch64'].find((q) => has(q, ['--version'])) : null;
    if (!qemu) {
      if (p.os === 'linux' && p.cpu === 'arm64') log(`${p.key}: not run (install qemu-user-static to run it here)`);
      return null;
    }
    prefix = [qemu];
    how = `under ${qemu}`;
  }
  const [cmd, ...args] = [...prefix, bin];
  const out = run(cmd, [...args, '--version'], { capture: true }).trim();
  if (out !== `miniapp-emulator ${version}`) throw new Error(`${p.key}: --version printed ${JSON.stringify(out)}`);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-emulator-check-'));
  const child = spawn(cmd, [...args, '--port', '0', '--data-dir', data], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`${p.key}: no "listening on" line within 60 s`)), 60_000);
      child.stdout.on('data', (d) => {
        text += d;
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(text);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${p.key}: exited (${code}) before listening`)); });
    });
    const cfg = await (await fetch(url + '/__admin/config')).json();
    if (cfg.mpserverless.spaceId !== 'dev-space') throw new Error(`${p.key}: unexpected /__admin/config ${JSON.stringify(cfg)}`);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(data, { recursive: true, force: true });
  }
  return `${how} (--version, start, GET /__admin/config)`;
}

function writeJson(file, v) {
  fs.writeFileSync(file, JSON.stringify(v, null, 2) + '\n');
}

function pack(dir, dest) {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`npm pack in ${dir} failed:\n${r.stderr}`);
  return path.join(dest, JSON.parse(r.stdout)[0].filename);
}

function platformPackage(p, version, bin, outDir) {
  const dir = path.join(outDir, 'packages', p.key);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const dest = path.join(dir, 'bin', `miniapp-emulator${p.exe || ''}`);
  fs.copyFileSync(bin, dest);
  fs.chmodSync(dest, 0o755);
  writeJson(path.join(dir, 'package.json'), {
    name: `${SCOPE}/${p.key}`,
    version,
    description: `The ${p.key} binary of miniapp-emulator (a local Authing + MPServerless emulator); installed by the miniapp-emulator package`,
    license: 'MIT OR Apache-2.0',
    os: [p.os],
    cpu: [p.cpu],
    files: ['bin/'],
    preferUnplugged: true,
  });
  fs.writeFileSync(path.join(dir, 'README.md'), `# ${SCOPE}/${p.key}\n\nThe \`${p.target}\` build of miniapp-emulator. Install \`miniapp-emulator\` instead: it picks this package on ${p.key}.\n`);
  return dir;
}

function launcherPackage(version, outDir) {
  const dir = path.join(outDir, 'packages', 'miniapp-emulator');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(path.join(TEMPLATE, 'launcher'), dir, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg.version = version;
  pkg.optionalDependencies = Object.fromEntries(PLATFORMS.map((p) => [`${SCOPE}/${p.key}`, version]));
  writeJson(path.join(dir, 'package.json'), pkg);
  fs.chmodSync(path.join(dir, 'bin', 'miniapp-emulator.js'), 0o755);
  return dir;
}

/** Milliseconds from spawning `argv` to its first stdout line (`listening on ...`); the process is then stopped. */
function firstLineMs(argv, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        child.kill('SIGTERM');
        child.on('exit', () => (out.startsWith('listening on ') ? resolve(ms) : reject(new Error(`first line: ${out}`))));
      }
    });
    child.on('error', reject);
  });
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The launcher's cost: the host's tarballs installed offline into a fresh project, then the time to
 * the first line (`listening on`) of the binary itself, of `node` + the launcher, and of `npx`.
 */
async function measureStart(outDir, launcherTgz, platformTgz) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'miniapp-emulator-start-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"start-time","private":true,"version":"1.0.0"}');
    const r = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', launcherTgz, platformTgz], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`npm install of the tarballs failed:\n${r.stderr}`);
    const p = hostPlatform();
    const bin = path.join(dir, 'node_modules', '@miniapp-emulator', p.key, 'bin', `miniapp-emulator${p.exe || ''}`);
    const launcher = path.join(dir, 'node_modules', 'miniapp-emulator', 'bin', 'miniapp-emulator.js');
    const flags = (i) => ['--port', '0', '--data-dir', path.join(dir, `data-${i}`)];
    const out = {};
    for (const [name, argv] of [['binary', [bin]], ['node launcher', [process.execPath, launcher]], ['npx', ['npx', '--no-install', 'miniapp-emulator']]]) {
      const times = [];
      for (let i = 0; i < 5; i++) times.push(await firstLineMs([...argv, ...flags(`${name}-${i}`)], dir));
      out[name] = Math.round(median(times));
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv) {
  const opt = { hostOnly: false, gate: false, measure: true, profile: 'emulator-dist', out: path.join(ROOT, 'dist', 'emulator') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--host-only') opt.hostOnly = true;
    else if (a === '--gate') opt.gate = true;
    else if (a === '--no-measure') opt.measure = false;
    else if (a === '--profile') opt.profile = argv[++i];
    else if (a === '--out') opt.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a} (see the head of .ci/build-emulator.mjs)`);
  }
  appleGate();
  if (opt.gate) return;
  const version = emulatorVersion();
  const platforms = opt.hostOnly ? [hostPlatform()].filter(Boolean) : PLATFORMS;
  if (!platforms.length) throw new Error(`no emulator package for this host (${process.platform}-${process.arch})`);
  const env = opt.hostOnly ? process.env : crossToolchain();
  fs.mkdirSync(opt.out, { recursive: true });
  for (const f of fs.readdirSync(opt.out)) if (f.endsWith('.tgz')) fs.rmSync(path.join(opt.out, f));
  const report = { version, profile: opt.profile, hostOnly: opt.hostOnly, builtAt: new Date().toISOString(), platforms: [] };
  for (const p of platforms) {
    let bin = buildBinary(p, { profile: opt.profile, cross: !opt.hostOnly, env });
    if (opt.profile === 'dev' && has('strip', ['--version'])) {
      // The dev profile keeps debug info; strip a copy so the test's tarball stays small.
      const copy = path.join(os.tmpdir(), `miniapp-emulator-strip-${process.pid}${p.exe || ''}`);
      fs.copyFileSync(bin, copy);
      run('strip', [copy]);
      bin = copy;
    }
    const kind = binaryKind(bin);
    if (kind.format !== p.format || kind.machine !== p.machine) {
      throw new Error(`${p.key}: the binary is ${kind.format} ${kind.machine}, expected ${p.format} ${p.machine}`);
    }
    const ran = await tryRun(p, bin, version);
    const dir = platformPackage(p, version, bin, opt.out);
    const tarball = pack(dir, opt.out);
    const size = fs.statSync(bin).size;
    report.platforms.push({ key: p.key, target: opt.hostOnly ? 'host' : p.target, format: `${kind.format} ${kind.machine}${kind.static ? ' static' : ''}${kind.pe32plus ? ' PE32+' : ''}`, binaryBytes: size, tarball: path.basename(tarball), tarballBytes: fs.statSync(tarball).size, ran: ran || 'built only' });
    if (bin.startsWith(os.tmpdir())) fs.rmSync(bin);
  }
  const launcher = pack(launcherPackage(version, opt.out), opt.out);
  report.launcher = { tarball: path.basename(launcher), tarballBytes: fs.statSync(launcher).size };
  const host = report.platforms.find((r) => r.key === hostPlatform()?.key && r.ran.startsWith('natively'));
  if (host && opt.measure) {
    report.launcher.firstLineMs = await measureStart(opt.out, launcher, path.join(opt.out, host.tarball));
    log(`first line (median of 5, ms): ${Object.entries(report.launcher.firstLineMs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  writeJson(path.join(opt.out, 'report.json'), report);
  for (const r of report.platforms) {
    log(`${r.key.padEnd(13)} ${(r.binaryBytes / 1048576).toFixed(2)} MiB binary, ${(r.tarballBytes / 1048576).toFixed(2)} MiB tarball, ${r.format}, ${r.ran}`);
  }
  log(`launcher ${report.launcher.tarball} (${report.launcher.tarballBytes} B); report: ${path.relative(ROOT, path.join(opt.out, 'report.json'))}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    log(e.message);
    process.exit(1);
  });
}
