// Code written against the official @authing/miniapp-* 5.1.18 typings, as its README shows (the
// official type names, the runtime enums, the 29 methods), compiles unchanged with `tsc --strict`
// against this package, through every entry that exports Authing.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PKG, ROOT, require, tmpDir } from './_helpers.mjs';

const ts = require('typescript');
const OFFICIAL_TYPINGS = path.join(ROOT, 'node_modules', '@authing', 'miniapp-taro', 'dist', 'typings', 'src');
const ENTRIES = ['miniapp-sdk', 'miniapp-sdk/authing', 'miniapp-sdk/alipay', 'miniapp-sdk/auth', 'miniapp-sdk/alipay-auth'];

const app = (entry) => `
import { Authing, LoginByCodeConnection, LoginByPhoneCodeConnection, PlatformsMenu } from '${entry}';
import type {
  AuthingOptions, SDKResponse, LoginState, PasswordLoginOptions, PassCodeLoginOptions, LoginByPhoneOptions, GerUserInfo,
  EncryptType, IdentityProvider, Platforms, LoginOptions, PlatformCodeLoginOptions, SendEmailCodeOptions, BindEmailOptions,
  UpdateEmailRequestOptions, BindPhoneOptions, UpdatePhoneRequestOptions, DeleteAccountRequestOptions, DecryptDataOptions,
  BindWxByCodeOptions, BindPlatformByCodeOptions, IStorageProvider,
} from '${entry}';

const options: AuthingOptions = { appId: 'APP_ID', host: 'https://example.authing.cn', userPoolId: 'USER_POOL_ID' };
const authing = new Authing(options);
const platform: Platforms = PlatformsMenu.wx;
const scope: LoginOptions = { scope: 'openid profile offline_access' };
const byCode: PlatformCodeLoginOptions = { extIdpConnidentifier: 'wx', connection: LoginByCodeConnection.wechat_mini_program_code, options: scope };
const byPassword: PasswordLoginOptions = { passwordPayload: { password: 'p', account: 'bob' }, options: { passwordEncryptType: 'rsa' } };
const byPassCode: PassCodeLoginOptions = { passCodePayload: { passCode: '1234', phone: '13800000000' } };
const byPhone: LoginByPhoneOptions = { extIdpConnidentifier: 'wx', wechatMiniProgramCodeAndPhonePayload: { wxPhoneInfo: { code: 'c' } } };
const flags: GerUserInfo = { withIdentities: true };
const type: EncryptType = 'sm2';
const idp: IdentityProvider = 'wechat';
const email: SendEmailCodeOptions = { email: 'a@b.c', channel: 'CHANNEL_BIND_EMAIL' };
const bindEmail: BindEmailOptions = { email: 'a@b.c', passCode: '1' };
const updateEmail: UpdateEmailRequestOptions = { verifyMethod: 'EMAIL_PASSCODE', emailPassCodePayload: { newEmail: 'n@b.c', newEmailPassCode: '1' } };
const bindPhone: BindPhoneOptions = { phoneNumber: '138', passCode: '1' };
const updatePhone: UpdatePhoneRequestOptions = { verifyMethod: 'PHONE_PASSCODE', phonePassCodePayload: { newPhoneNumber: '139', newPhonePassCode: '1' } };
const del: DeleteAccountRequestOptions = { verifyMethod: 'PASSWORD', passwordPayload: { password: 'p' } };
const decrypt: DecryptDataOptions = { extIdpConnidentifier: 'wx', encryptedData: 'e', iv: 'i', code: 'c' };
const bindWx: BindWxByCodeOptions = { extIdpConnidentifier: 'wx' };
const bindTt: BindPlatformByCodeOptions = {};
const phoneConnection: string = LoginByPhoneCodeConnection.douyin_mini_program_code_and_phone;

export async function main(): Promise<void> {
  const [error, state]: SDKResponse<LoginState> = await authing.loginByPassword(byPassword);
  if (error) { console.log(error.message); return; }
  console.log(state.access_token, platform, idp, type, phoneConnection);
  await authing.loginByCode(byCode);
  await authing.loginByPassCode(byPassCode);
  await authing.loginByPhone(byPhone);
  await authing.getUserInfo(flags);
  await authing.getLoginState();
  await authing.clearLoginState();
  const saved: LoginState | unknown = await authing.saveLoginState(state);
  const code: string = await authing.getLoginCode();
  const [, key] = await authing.getPublicKey(type);
  console.log(saved, code, key);
  await authing.sendEmailCode(email);
  await authing.bindEmail(bindEmail);
  const [, verified] = await authing.updateEmailRequest(updateEmail);
  await authing.updateEmail({ updateEmailToken: verified.updateEmailToken });
  await authing.bindPhone(bindPhone);
  await authing.updatePhoneRequest(updatePhone);
  await authing.updatePhone({ updatePhoneToken: 't' });
  await authing.deleteAccountRequest(del);
  await authing.deleteAccount({ deleteAccountToken: 't' });
  await authing.bindWxByCode(bindWx);
  await authing.bindPlatformByCode(bindTt);
  await authing.decryptData(decrypt);
  await authing.logout();
}

// The official types.d.ts declares IStorageProvider (an abstract class the bundle does not export
// at run time): an app's own storage written against it.
class MemoryStorage implements IStorageProvider {
  private data = new Map<string, unknown>();
  async get(key: string) { return { data: this.data.get(key), errMsg: 'getStorage:ok' }; }
  async set(key: string, data: unknown) { this.data.set(key, data); return { errMsg: 'setStorage:ok' }; }
  async remove(key: string) { this.data.delete(key); return { errMsg: 'removeStorage:ok' }; }
}
export const storage: IStorageProvider = new MemoryStorage();
`;

/** Every name the official typings export (types.d.ts and Authing.d.ts), read from the files. */
function officialNames() {
  const names = new Set();
  for (const f of ['types.d.ts', 'Authing.d.ts']) {
    const src = fs.readFileSync(path.join(OFFICIAL_TYPINGS, f), 'utf8');
    for (const m of src.matchAll(/^export\s+(?:declare\s+)?(?:abstract\s+)?(?:enum|type|interface|class)\s+([A-Za-z_$][\w$]*)/gm)) names.add(m[1]);
  }
  return [...names].sort();
}

test('the official typings export 59 names; the parser finds them all', () => {
  const names = officialNames();
  assert.equal(names.length, 59, names.join(' '));
  for (const n of ['Authing', 'IStorageProvider', 'SDKResponse', 'PlatformsMenu', 'LoginByPhoneOptions', 'UserInfo']) assert.ok(names.includes(n), n);
});

test('code written against the official 5.1.18 type names compiles with tsc --strict, through every Authing entry', () => {
  const root = tmpDir('mp-official-names-');
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.symlinkSync(PKG, path.join(root, 'node_modules', 'miniapp-sdk'), 'dir');
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  const files = ENTRIES.flatMap((entry, i) => {
    const f = path.join(root, `app${i}.ts`);
    fs.writeFileSync(f, app(entry));
    // Every official name, imported by name: a missing export is a compile error.
    const all = path.join(root, `names${i}.ts`);
    fs.writeFileSync(all, `import type { ${officialNames().join(', ')} } from '${entry}';\nexport {};\n`);
    return [f, all];
  });
  const compiler = { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2017', lib: ['es2017', 'dom'], types: [], skipLibCheck: false };
  const options = ts.convertCompilerOptionsFromJson(compiler, root).options;
  const program = ts.createProgram(files, options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${path.basename(d.file.fileName)})` : ''));
  assert.deepEqual(diagnostics, []);
});
