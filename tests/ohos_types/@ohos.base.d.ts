// deno-lint-ignore-file ban-types -- as OpenHarmony's SDK declares it.
// A stub of OpenHarmony's @ohos.base, as its SDK declares these names (interface_sdk-js).
export interface BusinessError<T = void> extends Error {
  code: number;
  data?: T;
}
export interface Callback<T> {
  (data: T): void;
}
export interface AsyncCallback<T, E = void> {
  (err: BusinessError<E>, data: T): void;
}
export type RecordData = undefined | null | Object | { [key: string]: RecordData } | RecordData[];
