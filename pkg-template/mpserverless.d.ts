// Typings of the MPServerless-compatible client (filled in with the client).
export declare class MPServerless {
  constructor(platformApi: Record<string, unknown>, options: { appId: string; spaceId: string; clientSecret: string; endpoint: string; timeout?: number | string });
}
export default MPServerless;
