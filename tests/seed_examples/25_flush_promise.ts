// deno-lint-ignore-file
// Seed example from /work/shared/seeds/ohos-net-http-api.txt (line 1076, HttpResponseCache.flush(): Promise).
// Only the two import lines are changed. Lines the seed lost in extraction are put
// back as in the upstream OpenHarmony doc (js-apis-http.md): closing brackets and
// missing commas unmarked, any other restored line marked "// [restored]".

import http from "../../mod.ts";
import type { BusinessError } from "../../mod.ts";

let httpRequest = http.createHttp();
let httpResponseCache = http.createHttpResponseCache();
let promise = httpRequest.request("EXAMPLE_URL");

promise.then((data: http.HttpResponse) => {
  httpResponseCache.flush().then(() => {
    console.error('flush success');
  }).catch((err: BusinessError) => {
    console.info('flush fail');
  });
}).catch((err: Error) => {
  console.error('error:' + JSON.stringify(err));
});
