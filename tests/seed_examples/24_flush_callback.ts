// deno-lint-ignore-file
// Seed example from /work/shared/seeds/ohos-net-http-api.txt (line 1048, HttpResponseCache.flush(callback)).
// Only the two import lines are changed. Lines the seed lost in extraction are put
// back as in the upstream OpenHarmony doc (js-apis-http.md): closing brackets and
// missing commas unmarked, any other restored line marked "// [restored]".

import http from "../../mod.ts";
import type { BusinessError } from "../../mod.ts";

let httpResponseCache = http.createHttpResponseCache();
let httpRequest = http.createHttp();
httpRequest.request("EXAMPLE_URL", (err: BusinessError, data: http.HttpResponse) => {
  if (!err) {
    httpResponseCache.flush((err: BusinessError) => {
      if (err) {
        console.error('flush fail');
      }
      console.info('flush success');
    });
    httpRequest.destroy(); // [restored]
  } else {
    console.error('error:' + JSON.stringify(err));
    // Call destroy() to destroy the JavaScript object after the HTTP request is complete.
    httpRequest.destroy(); // [restored]
  }
});
