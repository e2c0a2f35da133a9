// deno-lint-ignore-file ban-types -- OpenHarmony code writes `Object`, as its declaration does.
// Values typed with OpenHarmony's official declaration (ohos.net.http.d.ts, copied beside
// this file by tests/ohos_types_test.ts with the stubs here) passed to this package: it must
// type-check with zero errors. Nothing here runs.

import type http from "./ohos.net.http.d.ts";
import ours from "../../mod.ts";
import type * as named from "../../mod.ts";
import type { http as ns } from "../../mod.ts";

declare const options: http.HttpRequestOptions;
declare const callback: http.HttpRequestOptions["remoteValidation"];
declare const validate: http.ValidationCallback;
declare const interceptor: http.HttpInterceptor;
declare const onResponse: (err: unknown, data: http.HttpResponse) => void;
declare const onCode: (err: unknown, data: number) => void;

// Options and every option type, as OpenHarmony code writes them.
const req = ours.createHttp();
req.request("http://127.0.0.1/", options);
req.request("http://127.0.0.1/", options, onResponse);
req.request("http://127.0.0.1/", onResponse);
req.requestInStream("http://127.0.0.1/", options);
req.requestInStream("http://127.0.0.1/", options, onCode);
req.requestInStream("http://127.0.0.1/", onCode);
const sync: http.HttpResponse = req.requestSync("http://127.0.0.1/", options);
req.enableAutoCookie(true);
req.on("headersReceive", (header: Object) => header);
req.on("dataReceive", (data: ArrayBuffer) => data);
req.on("dataEnd", () => {});
req.on("dataReceiveProgress", (info: http.DataReceiveProgressInfo) => info.receiveSize);
req.on("dataSendProgress", (info: http.DataSendProgressInfo) => info.sendSize);
req.once("headersReceive", (header: Object) => header);
req.off("headersReceive");
req.destroy();

const rv: named.HttpRequestOptions["remoteValidation"] = callback;
const rv2: named.RemoteValidation = validate;
const full: named.HttpRequestOptions = {
  method: ours.RequestMethod.PATCH,
  tlsOptions: {
    tlsVersionMin: ours.TlsVersion.TLS_V_1_2,
    tlsVersionMax: ours.TlsVersion.TLS_V_1_3,
    cipherSuites: ["TLS_AES_128_GCM_SHA256"],
  },
  addressFamily: ours.AddressFamily.ONLY_V4,
};

// Responses flow back into OpenHarmony-typed code.
async function responses(): Promise<void> {
  const response: http.HttpResponse = await req.request("http://127.0.0.1/", options);
  const info: http.ConnectionExtraInfo | undefined = response.connectionExtraInfo;
  const timing: http.PerformanceTiming = response.performanceTiming;
  const code: number = await req.requestInStream("http://127.0.0.1/", options);
  const cache: http.HttpResponseCache = ours.createHttpResponseCache(1024);
  await cache.flush();
  await cache.delete();
  void [info, timing, code];
}

// Interceptors typed with the official declaration.
const chain = new ours.HttpInterceptorChain();
chain.addChain([interceptor]);
chain.apply(req);
const list: http.HttpInterceptor[] = chain.getChain();
const chainType: http.HttpInterceptorChain = chain;

// Enums: the official members are accepted where ours are expected.
const method: named.RequestMethod = null as unknown as http.RequestMethod;
const dataType: named.HttpDataType = null as unknown as http.HttpDataType;
const protocol: named.HttpProtocol = null as unknown as http.HttpProtocol;
const certType: named.CertType = null as unknown as http.CertType;
const code: named.ResponseCode = null as unknown as http.ResponseCode;
const tls: named.TlsVersion = null as unknown as http.TlsVersion;
const family: named.AddressFamily = null as unknown as http.AddressFamily;
const type: named.InterceptorType = null as unknown as http.InterceptorType;

// Every type name of the declaration, as a named export, accepts the official one (and the
// response-side types go the other way: ours are given to OpenHarmony-typed code).
declare function official<T>(): T;
const n0: named.HttpRequestOptions = official<http.HttpRequestOptions>();
const n1: named.ServerAuthentication = official<http.ServerAuthentication>();
const n2: named.TlsOptions = official<http.TlsOptions>();
const n3: named.ValidationCallback = official<http.ValidationCallback>();
const n4: named.RemoteValidation = official<http.RemoteValidation>();
const n5: named.AuthenticationType = official<http.AuthenticationType>();
const n6: named.SslType = official<http.SslType>();
const n7: named.PathPreference = official<http.PathPreference>();
const n8: named.QueryParamValue = official<http.QueryParamValue>();
const n9: named.QueryParamObject = official<http.QueryParamObject>();
const n10: named.HttpRequestContext = official<http.HttpRequestContext>();
const n11: named.ChainContinue = official<http.ChainContinue>();
const n12: named.HttpInterceptor = official<http.HttpInterceptor>();
const n13: named.Credential = official<http.Credential>();
const n14: named.TlsConfig = official<http.TlsConfig>();
const n15: named.TlsV13SpecificCipherSuite = official<http.TlsV13SpecificCipherSuite>();
const n16: named.TlsV12SpecificCipherSuite = official<http.TlsV12SpecificCipherSuite>();
const n17: named.TlsV10SpecificCipherSuite = official<http.TlsV10SpecificCipherSuite>();
const n18: named.CipherSuite = official<http.CipherSuite>();
const n19: named.TlsV13CipherSuite = official<http.TlsV13CipherSuite>();
const n20: named.TlsV12CipherSuite = official<http.TlsV12CipherSuite>();
const n21: named.TlsV11CipherSuite = official<http.TlsV11CipherSuite>();
const n22: named.TlsV10CipherSuite = official<http.TlsV10CipherSuite>();
const n23: named.MultiFormData = official<http.MultiFormData>();
const n24: named.ClientCert = official<http.ClientCert>();
const n25: named.CertificatePinning = official<http.CertificatePinning>();
const n26: named.HttpProxy = official<http.HttpProxy>();
const n27: named.Socks5Proxy = official<http.Socks5Proxy>();
const n28: named.DataReceiveProgressInfo = official<http.DataReceiveProgressInfo>();
const n29: named.DataSendProgressInfo = official<http.DataSendProgressInfo>();
const n30: named.PerformanceTiming = official<http.PerformanceTiming>();
const n31: http.ConnectionExtraInfo = official<named.ConnectionExtraInfo>();
const n32: http.ValidationContext = official<named.ValidationContext>();
const n33: http.X509Cert = official<named.X509Cert>();
const n34: http.HttpResponse = official<named.HttpResponse>();
const names = [
  n0,
  n1,
  n2,
  n3,
  n4,
  n5,
  n6,
  n7,
  n8,
  n9,
  n10,
  n11,
  n12,
  n13,
  n14,
  n15,
  n16,
  n17,
  n18,
  n19,
  n20,
  n21,
  n22,
  n23,
  n24,
  n25,
  n26,
  n27,
  n28,
  n29,
  n30,
  n31,
  n32,
  n33,
  n34,
];

// The same names under the `http` namespace of the package.
type Namespaced = [
  typeof ours.HttpRequest,
  typeof ours.HttpInterceptorChain,
  typeof ours.HttpResponseCache,
  typeof ours.InterceptorType,
  typeof ours.TlsVersion,
  typeof ours.AddressFamily,
];
type NamespacedTypes = [
  ns.HttpRequestOptions,
  ns.HttpResponse,
  ns.ServerAuthentication,
  ns.TlsOptions,
  ns.X509Cert,
  ns.ValidationContext,
  ns.ValidationCallback,
  ns.RemoteValidation,
  ns.AuthenticationType,
  ns.SslType,
  ns.PathPreference,
  ns.QueryParamValue,
  ns.QueryParamObject,
  ns.HttpRequestContext,
  ns.ChainContinue,
  ns.HttpInterceptor,
  ns.Credential,
  ns.TlsConfig,
  ns.TlsV13SpecificCipherSuite,
  ns.TlsV12SpecificCipherSuite,
  ns.TlsV10SpecificCipherSuite,
  ns.CipherSuite,
  ns.TlsV13CipherSuite,
  ns.TlsV12CipherSuite,
  ns.TlsV11CipherSuite,
  ns.TlsV10CipherSuite,
  ns.MultiFormData,
  ns.ClientCert,
  ns.CertificatePinning,
  ns.HttpProxy,
  ns.Socks5Proxy,
  ns.ConnectionExtraInfo,
  ns.PerformanceTiming,
  ns.DataReceiveProgressInfo,
  ns.DataSendProgressInfo,
  ns.HttpResponseCache,
  ns.HttpInterceptorChain,
];

export type { Namespaced, NamespacedTypes };
export {
  certType,
  chainType,
  code,
  dataType,
  family,
  full,
  list,
  method,
  names,
  protocol,
  responses,
  rv,
  rv2,
  sync,
  tls,
  type,
};
