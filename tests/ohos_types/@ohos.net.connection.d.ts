// A stub of OpenHarmony's @ohos.net.connection: the two proxy types @ohos.net.http uses.
declare namespace connection {
  export interface HttpProxy {
    host: string;
    port: number;
    username?: string;
    password?: string;
    exclusionList: Array<string>;
  }
  export enum Socks5DnsStrategy {
    SYSTEM_MODE = 0,
    PROXY_MODE = 1,
  }
  export interface Socks5Proxy {
    host: string;
    port: number;
    username?: string;
    password?: string;
    dnsStrategy?: Socks5DnsStrategy;
    exclusionList?: Array<string>;
  }
}
export default connection;
