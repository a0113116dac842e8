'use strict';
// Runs miniprogram-ci's packNpm ("构建 npm", offline) on a mini-program project, in its own process:
//   node tests/host-sim/pack-npm.cjs <projectPath> <result.json>   → writes {ok, result, files} as JSON
// (miniprogram-ci logs to stdout, so the result goes to a file.)
// A dummy private key is enough: packNpm never talks to the network.
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const projectPath = path.resolve(process.argv[2]);
  const ci = require(require.resolve('miniprogram-ci', { paths: [path.resolve(__dirname, '..', '..')] }));
  const keyPath = path.join(projectPath, '..', 'private.dummy.key');
  fs.writeFileSync(keyPath, '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n');
  const project = new ci.Project({ appid: 'wx0000000000000000', type: 'miniProgram', projectPath, privateKeyPath: keyPath, ignores: ['node_modules/**/*'] });
  const warnings = [];
  const result = await ci.packNpm(project, { reporter: (info) => warnings.push(info) });
  const npmDir = path.join(projectPath, 'miniprogram_npm');
  const files = [];
  const walk = (d) => { for (const f of fs.readdirSync(d)) { const p = path.join(d, f); if (fs.statSync(p).isDirectory()) walk(p); else files.push(path.relative(projectPath, p).split(path.sep).join('/')); } };
  if (fs.existsSync(npmDir)) walk(npmDir);
  fs.writeFileSync(process.argv[3], JSON.stringify({ ok: true, result, warnings, files: files.sort() }));
}

main().then(() => process.exit(0), (e) => {
  fs.writeFileSync(process.argv[3], JSON.stringify({ ok: false, error: String(e && e.stack ? e.stack : e) }));
  process.exit(1);
});
