#!/usr/bin/env node
// `npx miniapp-emulator [flags]`: runs the prebuilt emulator binary of this platform's package
// (one of the optionalDependencies, installed by npm through their `os`/`cpu` fields) with the
// same flags, output and exit code, and forwards Ctrl-C / SIGTERM so --export-on-exit still runs.
'use strict';
const { spawn } = require('child_process');
const path = require('path');

const own = require('../package.json');
const key = `${process.platform}-${process.arch}`;
const packages = Object.keys(own.optionalDependencies || {});
const wanted = packages.find((name) => name.endsWith('/' + key));

function fail(message) {
  process.stderr.write(`miniapp-emulator: ${message}\n`);
  process.exit(1);
}

if (!wanted) {
  const supported = packages.map((name) => name.split('/').pop()).join(', ');
  fail(`no prebuilt binary for this platform (${key}); prebuilt: ${supported}. ` +
    'Build it from the repository instead: cargo run -p miniapp-emulator -- --help');
}

let binary;
try {
  const dir = path.dirname(require.resolve(`${wanted}/package.json`));
  binary = path.join(dir, 'bin', process.platform === 'win32' ? 'miniapp-emulator.exe' : 'miniapp-emulator');
} catch {
  fail(`the package ${wanted} (the ${key} binary) is not installed. It is an optional dependency of ` +
    'miniapp-emulator: reinstall without --no-optional / --omit=optional, and make sure npm is not told to ' +
    'ignore optional dependencies (npm config get omit).');
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
child.on('error', (e) => fail(`cannot start ${binary}: ${e.message}`));
const forward = (signal) => () => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code === null ? 1 : code);
  }
});
