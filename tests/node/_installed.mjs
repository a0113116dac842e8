// The package as a user receives it: `npm pack` of the built pkg/, `npm install`ed from the tarball
// into a fresh project. Done once per build and shared by every suite file (node --test runs them
// in parallel processes): the install is cached under target/npm-pack/<key>/, key = a hash of
// pkg/'s files (the tarball is a function of them: npm pack fixes the mtimes), with the tarball's
// own sha1 recorded beside it. A file missing from `files` in package.json is missing here, so the
// suites that use it fail.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const WAIT_MS = 250;
const STALE_LOCK_MS = 5 * 60_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** sha256 over pkg/'s relative paths and contents, in sorted order. */
export function contentKey(dir) {
  const h = crypto.createHash('sha256');
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? rel + '/' + e.name : e.name;
      if (e.isDirectory()) walk(r);
      else {
        h.update(r + '\0');
        h.update(fs.readFileSync(path.join(dir, r)));
        h.update('\0');
      }
    }
  };
  walk('');
  return h.digest('hex').slice(0, 16);
}

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

/** Packs `builtDir` and installs the tarball into `project` (a fresh directory). Returns the pack record. */
function packAndInstall(builtDir, project) {
  fs.mkdirSync(project, { recursive: true });
  const [packed] = JSON.parse(npm(['pack', builtDir, '--json', '--pack-destination', project], project));
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'miniapp-sdk-user', version: '1.0.0', private: true }, null, 2));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', './' + packed.filename], project);
  return { filename: packed.filename, shasum: packed.shasum, integrity: packed.integrity, files: packed.files.map((f) => f.path).sort() };
}

/**
 * `{dir, tarball, shasum, files}`: `dir` is node_modules/miniapp-sdk of a project that installed
 * the tarball of `builtDir`. The first process to ask builds it (under a lock directory); the
 * others wait for it.
 */
export function installedPackage(builtDir, cacheRoot) {
  const key = contentKey(builtDir);
  const final = path.join(cacheRoot, key);
  const record = path.join(final, 'installed.json');
  const lock = final + '.lock';
  fs.mkdirSync(cacheRoot, { recursive: true });
  for (;;) {
    if (fs.existsSync(record)) {
      const r = JSON.parse(fs.readFileSync(record, 'utf8'));
      return { ...r, dir: path.join(final, 'node_modules', 'miniapp-sdk'), tarball: path.join(final, r.filename) };
    }
    try {
      fs.mkdirSync(lock);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let age = 0;
      try { age = Date.now() - fs.statSync(lock).mtimeMs; } catch { continue; }
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true });
      sleep(WAIT_MS);
      continue;
    }
    try {
      if (fs.existsSync(record)) continue;
      // Older installs of this worktree are of other builds: drop them.
      for (const d of fs.readdirSync(cacheRoot)) if (d !== key && d !== key + '.lock') fs.rmSync(path.join(cacheRoot, d), { recursive: true, force: true });
      const staging = final + '.tmp-' + process.pid;
      fs.rmSync(staging, { recursive: true, force: true });
      const r = packAndInstall(builtDir, staging);
      fs.writeFileSync(path.join(staging, 'installed.json'), JSON.stringify(r, null, 2));
      fs.rmSync(final, { recursive: true, force: true });
      fs.renameSync(staging, final);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}
