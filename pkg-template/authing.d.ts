// Typings of the Authing-compatible client (filled in with the client).
export declare class Authing {
  constructor(options: { appId: string; host?: string; userPoolId: string; encryptFunction?: (plainText: string, publicKey: string) => string; platform?: 'wx' | 'tt' });
}
