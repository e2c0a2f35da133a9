// A stub of OpenHarmony's @ohos.security.cert: the X509Cert members this package provides
// (the real interface has more: verify, getPublicKey, getSignature, extensions …).
declare namespace cert {
  interface DataBlob {
    data: Uint8Array;
  }
  enum EncodingFormat {
    FORMAT_DER = 0,
    FORMAT_PEM = 1,
  }
  interface EncodingBlob {
    data: Uint8Array;
    encodingFormat: EncodingFormat;
  }
  interface X509Cert {
    getEncoded(): Promise<EncodingBlob>;
    getVersion(): number;
    getIssuerName(): DataBlob;
    getSubjectName(): DataBlob;
    getNotBeforeTime(): string;
    getNotAfterTime(): string;
  }
}
export default cert;
