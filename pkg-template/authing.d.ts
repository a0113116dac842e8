// Typings of the Authing-compatible client (a drop-in for @authing/miniapp-wx / -taro / -uniapp 5.1.18).
import type { Host } from './common';

/** `[null, data]` on success, `[error, undefined]` on failure. Methods never reject or throw. */
export type SDKResponse<T> = SDKResponseSuccess<T> | SDKResponseError;
export type SDKResponseSuccess<T> = [null, T];
export type SDKResponseError = [ErrorData, undefined];

/**
 * An error. Server errors keep every field of the server's body (`requestId`, `error`,
 * `error_description`, `data`, ...); `message` is always a non-empty string; `code` is the SDK's
 * stable error code.
 */
export interface ErrorData {
  message: string;
  /** The business status code of the server's answer (or the HTTP status when it had none). */
  statusCode?: number;
  /** Authing's own error code, a number as the server sends it (e.g. 2333). */
  apiCode?: number;
  /**
   * SDK error code: NOT_LOGGED_IN, INVALID_ARGUMENT, SERVER, BAD_RESPONSE, CRYPTO, NO_ENTROPY,
   * STORAGE, HOST_MISSING, HOST_THREW, HOST_NOT_PROMISE, HOST_REJECTED, TIMEOUT, HOST_BAD_VALUE,
   * WASM_LOAD.
   */
  code: AuthingErrorCode | string;
  [key: string]: unknown;
}

export type AuthingErrorCode =
  | 'NOT_LOGGED_IN' | 'INVALID_ARGUMENT' | 'SERVER' | 'BAD_RESPONSE' | 'CRYPTO' | 'NO_ENTROPY' | 'STORAGE'
  | 'HOST_MISSING' | 'HOST_THREW' | 'HOST_NOT_PROMISE' | 'HOST_REJECTED' | 'TIMEOUT' | 'HOST_BAD_VALUE' | 'WASM_LOAD';

/** Authing's protocol platform (which login connection and endpoints are used). */
export type AuthingPlatform = 'wx' | 'tt';
export type PasswordEncryptType = 'none' | 'rsa' | 'sm2';
export type EncryptFunction = (plainText: string, publicKey: string) => string;

export interface AuthingOptions {
  /** Authing application id. */
  appId: string;
  /** 认证地址 (the app domain) or a private deployment URL. Default `https://core.authing.cn`; trailing slashes are fine. */
  host?: string;
  /** User pool id. */
  userPoolId: string;
  /** Replaces the built-in RSA/SM2 password encryption (e.g. from @authing/miniapp-jsencrypt or -sm2encrypt). */
  encryptFunction?: EncryptFunction;
  /** Protocol platform. Default: `tt` when `tt.getSystemInfo` exists, else `wx`. */
  platform?: AuthingPlatform;
  /** SDK extension: a Host object replacing the platform adapter (tests, custom runtimes). */
  adapter?: Host & { chooseImage?(): Promise<string> };
  /** SDK extension: where core.wasm is (see `configure`). */
  wasmPath?: string;
}

/** Scopes, space-separated, e.g. `openid profile offline_access`. */
export type Scope = string;

export interface WxLoginOptions {
  scope?: Scope;
  context?: Record<string, unknown>;
  tenantId?: string;
  customData?: Record<string, unknown>;
}

export interface NormalLoginOptions {
  passwordEncryptType?: PasswordEncryptType;
  scope?: Scope;
  autoRegister?: boolean;
  clientIp?: string;
  context?: string | Record<string, unknown>;
  tenantId?: string;
  customData?: Record<string, unknown>;
}

export interface WechatMiniProgramCodePayload {
  encryptedData: string;
  iv: string;
}

export interface LoginByCodeOptions {
  /** Default `wechat_mini_program_code` (`douyin_mini_program_code` on tt). */
  connection?: 'wechat_mini_program_code' | 'douyin_mini_program_code' | string;
  /** The mini-program identity source's unique identifier in the Authing console. */
  extIdpConnidentifier: string;
  wechatMiniProgramCodePayload?: WechatMiniProgramCodePayload;
  douyinMiniProgramCodePayload?: WechatMiniProgramCodePayload;
  options?: WxLoginOptions;
}

export interface PasswordPayload {
  password: string;
  username?: string;
  email?: string;
  phone?: string;
  account?: string;
}

export interface LoginByPasswordOptions {
  /** Always sent as `PASSWORD`. */
  connection?: 'PASSWORD';
  passwordPayload: PasswordPayload;
  options?: NormalLoginOptions;
}

export interface PassCodePayload {
  passCode: string;
  email?: string;
  phone?: string;
  /** Default `+86` when `phone` is given. */
  phoneCountryCode?: string;
}

export interface LoginByPassCodeOptions {
  /** Always sent as `PASSCODE`. */
  connection?: 'PASSCODE';
  passCodePayload: PassCodePayload;
  options?: NormalLoginOptions;
}

export type SmsChannel =
  | 'CHANNEL_LOGIN' | 'CHANNEL_REGISTER' | 'CHANNEL_RESET_PASSWORD' | 'CHANNEL_BIND_PHONE' | 'CHANNEL_UNBIND_PHONE'
  | 'CHANNEL_BIND_MFA' | 'CHANNEL_VERIFY_MFA' | 'CHANNEL_UNBIND_MFA' | 'CHANNEL_COMPLETE_PHONE'
  | 'CHANNEL_IDENTITY_VERIFICATION' | 'CHANNEL_DELETE_ACCOUNT';

export interface SendSmsOptions {
  phoneNumber: string;
  /** Default `+86`. */
  phoneCountryCode?: string;
  channel: SmsChannel;
}

export interface GetPhoneOptions {
  extIdpConnidentifier: string;
  /** `e.detail.code` of `<button open-type="getPhoneNumber">` (WeChat; Douyin adds its own login code). */
  code?: string;
  encryptedData?: string;
  iv?: string;
}

export interface UpdatePasswordOptions {
  newPassword: string;
  /** Sent as given (the server compares it in plaintext). */
  oldPassword: string;
  /** Encrypts `newPassword`. Default `none`. */
  passwordEncryptType?: PasswordEncryptType;
}

export interface GetUserInfoOptions {
  withCustomData?: boolean;
  withDepartmentIds?: boolean;
  withIdentities?: boolean;
}

export type Gender = 'M' | 'F' | 'U';

export interface UpdateUserInfo {
  name?: string;
  nickname?: string;
  username?: string;
  photo?: string;
  externalId?: string;
  birthdate?: string;
  country?: string;
  province?: string;
  city?: string;
  address?: string;
  streetAddress?: string;
  postalCode?: string;
  gender?: Gender;
  customData?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The stored login state: the token response as the server sent it, plus `expires_at`. */
export interface LoginState {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  /** Lifetime in seconds, as the server sent it (a number; the API document says String). */
  expires_in?: number;
  /** Expiry in ms since the epoch (`expires_in * 1000 + Date.now()` at login). */
  expires_at: number;
  scope?: string;
  token_type?: string;
  [key: string]: unknown;
}

export interface SimpleResponseData {
  message: string;
  statusCode: number;
  requestId?: string;
}

export interface Watermark {
  appid: string;
  timestamp: number;
}

export interface GetUserPhoneResponseData {
  countryCode: string;
  phoneNumber: string;
  purePhoneNumber: string;
  watermark: Watermark;
}

export interface UploadFileResponseData {
  code: number;
  message: string;
  data: { key: string; url: string };
}

export type Provider =
  | 'wechat' | 'qq' | 'wechatwork' | 'dingtalk' | 'weibo' | 'github' | 'alipay' | 'baidu' | 'lark' | 'welink' | 'yidun'
  | 'qingcloud' | 'google' | 'gitlab' | 'gitee' | 'twitter' | 'facebook' | 'slack' | 'linkedin' | 'instagram' | 'oidc'
  | 'oauth2' | 'saml' | 'ldap' | 'ad' | 'cas' | 'azure-ad';

export interface Identity {
  identityId: string;
  extIdpId: string;
  provider: Provider;
  type: string;
  userIdInIdp: string;
  originConnIds: string[];
}

export interface UserInfo {
  userId: string;
  name?: string;
  nickname?: string;
  photo?: string;
  externalId?: string;
  birthdate?: string;
  country?: string;
  province?: string;
  city?: string;
  address?: string;
  streetAddress?: string;
  postalCode?: string;
  gender?: Gender;
  username?: string;
  customData?: unknown;
  createdAt?: string;
  email?: string;
  emailVerified?: boolean;
  lastIp?: string;
  lastLogin?: string;
  loginsCount?: number;
  passwordLastSetAt?: string;
  phone?: string;
  phoneCountryCode?: string;
  phoneVerified?: boolean;
  resetPasswordOnNextLogin?: boolean;
  company?: string;
  region?: string;
  status?: 'Suspended' | 'Resigned' | 'Activated' | 'Archived' | 'Deactivated';
  browser?: string;
  device?: string;
  givenName?: string;
  familyName?: string;
  middleName?: string;
  profile?: string;
  preferredUsername?: string;
  website?: string;
  zoneinfo?: string;
  locale?: string;
  formatted?: string;
  userSourceType?: 'excel' | 'register' | 'adminCreated' | 'syncTask';
  userSourceId?: string;
  lastLoginApp?: string;
  mainDepartmentId?: string;
  lastMfaTime?: string;
  passwordSecurityLevel?: number;
  departmentIds?: string[];
  identities?: Identity[];
  [key: string]: unknown;
}

/** The runtime enums the official bundle exports (same members). */
export declare enum PlatformsMenu {
  wx = 'wx',
  tt = 'tt',
}
export declare enum LoginByCodeConnection {
  wechat_mini_program_code = 'wechat_mini_program_code',
  douyin_mini_program_code = 'douyin_mini_program_code',
}
export declare enum LoginByPhoneCodeConnection {
  wechat_mini_program_code_and_phone = 'wechat_mini_program_code_and_phone',
  douyin_mini_program_code_and_phone = 'douyin_mini_program_code_and_phone',
}

export type EncryptType = 'rsa' | 'sm2';

export interface LoginByPhoneOptions {
  extIdpConnidentifier: string;
  wechatMiniProgramCodeAndPhonePayload?: {
    wxLoginInfo?: { encryptedData?: string; iv?: string };
    wxPhoneInfo: { code: string };
  };
  miniProgramCodeAndPhonePayload?: {
    phoneParams?: { code?: string; iv: string; encryptedData: string };
    wxPhoneInfo?: { code: string };
  };
  options?: WxLoginOptions;
}

export type EmailChannel =
  | 'CHANNEL_LOGIN' | 'CHANNEL_REGISTER' | 'CHANNEL_RESET_PASSWORD' | 'CHANNEL_VERIFY_EMAIL_LINK' | 'CHANNEL_UPDATE_EMAIL'
  | 'CHANNEL_BIND_EMAIL' | 'CHANNEL_UNBIND_EMAIL' | 'CHANNEL_VERIFY_MFA' | 'CHANNEL_UNLOCK_ACCOUNT' | 'CHANNEL_COMPLETE_EMAIL'
  | 'CHANNEL_DELETE_ACCOUNT';
export interface SendEmailCodeOptions { email: string; channel: EmailChannel }
export interface BindEmailOptions { email: string; passCode: string }
export type VerifyEmailMethod = 'EMAIL_PASSCODE';
export interface EmailPassCodePayload { newEmail: string; newEmailPassCode: string; oldEmail?: string; oldEmailPassCode?: string }
export interface UpdateEmailRequestOptions { verifyMethod: VerifyEmailMethod; emailPassCodePayload: EmailPassCodePayload }
export interface UpdateEmailOptions { updateEmailToken: string }
export interface BindPhoneOptions { phoneNumber: string; passCode: string; phoneCountryCode?: string }
export type VerifyPhoneMethod = 'PHONE_PASSCODE';
export interface PhonePassCodePayload {
  newPhoneNumber: string;
  newPhonePassCode: string;
  newPhoneCountryCode?: string;
  oldPhoneNumber?: string;
  oldPhonePassCode?: string;
  oldPhoneCountryCode?: string;
}
export interface UpdatePhoneRequestOptions { verifyMethod: VerifyPhoneMethod; phonePassCodePayload: PhonePassCodePayload }
export interface UpdatePhoneOptions { updatePhoneToken: string }
export type DeleteAccountVerifyMethod = 'PHONE_PASSCODE' | 'EMAIL_PASSCODE' | 'PASSWORD';
export interface DeleteAccountRequestOptions {
  verifyMethod: DeleteAccountVerifyMethod;
  phonePassCodePayload?: BindPhoneOptions;
  emailPassCodePayload?: BindEmailOptions;
  /** Unlike the official SDK, `password` is encrypted when `passwordEncryptType` is `rsa` or `sm2`. */
  passwordPayload?: { password: string; passwordEncryptType?: PasswordEncryptType };
}
export interface DeleteAccountOptions { deleteAccountToken: string }
export interface DecryptDataOptions { extIdpConnidentifier: string; encryptedData: string; iv: string; code: string }
export interface BindWxByCodeOptions { code?: string; iv?: string; encryptedData?: string; rawData?: string; extIdpConnidentifier?: string }
export type BindPlatformByCodeOptions = BindWxByCodeOptions;

export declare class Authing {
  /** Throws an SdkError (code INVALID_ARGUMENT) for missing or malformed options. */
  constructor(options: AuthingOptions);
  readonly options: AuthingOptions & { host: string; platform: AuthingPlatform };
  /** The stored login state while valid; refreshed shortly before it expires when a refresh token is at hand. */
  getLoginState(): Promise<SDKResponse<LoginState>>;
  /** The valid state if there is one, else a sign-in with a fresh wx.login / tt.login code. */
  loginByCode(data: LoginByCodeOptions): Promise<SDKResponse<LoginState>>;
  loginByPassword(data: LoginByPasswordOptions): Promise<SDKResponse<LoginState>>;
  sendSms(data: SendSmsOptions): Promise<SDKResponse<SimpleResponseData>>;
  loginByPassCode(data: LoginByPassCodeOptions): Promise<SDKResponse<LoginState>>;
  /** Needs `offline_access` in the login scope. One refresh in flight however many calls wait on it. */
  refreshToken(): Promise<SDKResponse<LoginState>>;
  getPhone(data: GetPhoneOptions): Promise<SDKResponse<GetUserPhoneResponseData>>;
  updatePassword(data: UpdatePasswordOptions): Promise<SDKResponse<SimpleResponseData>>;
  getUserInfo(data?: GetUserInfoOptions): Promise<SDKResponse<UserInfo>>;
  /** Picks one image (album or camera), uploads it and sets it as the profile photo. */
  updateAvatar(): Promise<SDKResponse<UploadFileResponseData>>;
  updateUserInfo(data: UpdateUserInfo): Promise<SDKResponse<UserInfo>>;
  logout(): Promise<SDKResponse<boolean>>;
  clearLoginState(): Promise<SDKResponse<boolean>>;
  /** Resolves the saved state itself, as the official SDK does (not a tuple); `[error, undefined]` if storage fails. */
  saveLoginState(loginState: LoginState): Promise<LoginState | SDKResponseError>;
  getPublicKey(encryptType: EncryptType): Promise<SDKResponse<string>>;
  /** A fresh wx.login / tt.login code as a plain string (`''` when the platform refuses one), as the official. */
  getLoginCode(): Promise<string>;
  /** The valid state if there is one, else a phone sign-in with a fresh login code. */
  loginByPhone(data: LoginByPhoneOptions): Promise<SDKResponse<LoginState>>;
  sendEmailCode(data: SendEmailCodeOptions): Promise<SDKResponse<SimpleResponseData>>;
  bindWxByCode(data?: BindWxByCodeOptions): Promise<SDKResponse<any>>;
  bindPlatformByCode(data?: BindPlatformByCodeOptions): Promise<SDKResponse<any>>;
  bindEmail(data: BindEmailOptions): Promise<SDKResponse<any>>;
  updateEmailRequest(data: UpdateEmailRequestOptions): Promise<SDKResponse<any>>;
  updateEmail(data: UpdateEmailOptions): Promise<SDKResponse<any>>;
  bindPhone(data: BindPhoneOptions): Promise<SDKResponse<any>>;
  updatePhoneRequest(data: UpdatePhoneRequestOptions): Promise<SDKResponse<any>>;
  updatePhone(data: UpdatePhoneOptions): Promise<SDKResponse<any>>;
  deleteAccountRequest(data: DeleteAccountRequestOptions): Promise<SDKResponse<any>>;
  /** Unlike the official SDK, a successful deletion also clears the stored login state. */
  deleteAccount(data: DeleteAccountOptions): Promise<SDKResponse<any>>;
  decryptData(data: DecryptDataOptions): Promise<SDKResponse<any>>;
}

// The official type names (types.d.ts of 5.1.18) that differ from ours: aliases, or the same shapes.
export type Platforms = AuthingPlatform;
export type LoginOptions = WxLoginOptions;
export type PlatformCodeLoginOptions = LoginByCodeOptions;
export type PasswordLoginOptions = LoginByPasswordOptions;
export type PassCodeLoginOptions = LoginByPassCodeOptions;
export type IdentityProvider = Provider;
export type GerUserInfo = GetUserInfoOptions;
export interface GetDouyinPhoneOptions { extIdpConnidentifier: string; encryptedData: string; iv: string; code: string }
export interface RefreshTokenOptions { grant_type: 'refresh_token'; redirect_uri: string; refresh_token: string }
export interface WxPhoneLoginOptions {
  connection?: 'wechat_mini_program_phone';
  extIdpConnidentifier: string;
  wechatMiniProgramPhonePayload: { encryptedData: string; iv: string; code: string };
  options?: LoginOptions;
}
/** The `signin-by-mobile` body `loginByPhone` sends. */
export interface PlatformCodeAndPhoneLoginOptions {
  connection: LoginByPhoneCodeConnection;
  extIdpConnidentifier: string;
  wechatMiniProgramCodeAndPhonePayload?: { wxLoginInfo: { encryptedData: string; iv: string; code: string }; wxPhoneInfo: { code: string } };
  douyinMiniProgramCodeAndPhonePayload?: { loginParams: { encryptedData: string; iv: string; code: string }; phoneParams: { encryptedData: string; iv: string } };
  options?: LoginOptions;
}
export interface ChangeQrcodeStatusOptions { qrcodeId: string; action: 'SCAN' | 'CONFIRM' | 'CANCEL' }
export interface GetAccessTokenOptions { appId: string; appSecret: string }
export interface NormalResponseData extends SimpleResponseData { data?: { data: any } }
export interface ChangeQrcodeStatusResponseData extends SimpleResponseData { apiCode: number }
/** What `IStorageProvider.get` resolves (the platform's getStorage answer). */
export interface GetStorageCallbackData { data: any; errMsg?: string }
/** What `IStorageProvider.set` / `remove` resolve (the platform's setStorage / removeStorage answer). */
export interface StorageCallbackData { errMsg?: string }
/**
 * The storage contract of the official typings (an abstract class there, exported by no bundle at
 * run time, so declared here as an interface: `implements IStorageProvider` compiles as with the
 * official typings; `extends`, which fails at run time with the official package too, does not).
 * This SDK keeps its state through the platform's storage (or `adapter`) and takes no provider.
 */
export interface IStorageProvider {
  get(key: string): Promise<GetStorageCallbackData>;
  set(key: string, data: unknown): Promise<StorageCallbackData>;
  remove(key: string): Promise<StorageCallbackData>;
}
