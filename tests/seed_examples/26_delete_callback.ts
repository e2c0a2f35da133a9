// deno-lint-ignore-file
// Seed example from /work/shared/seeds/ohos-net-http-api.txt (line 1103, HttpResponseCache.delete(callback)).
// Only the two import lines are changed. Lines the seed lost in extraction are put
// back as in the upstream OpenHarmony doc (js-apis-http.md): closing brackets and
// missing commas unmarked, any other restored line marked "// [restored]".

import http from "../../mod.ts";
import type { BusinessError } from "../../mod.ts";

let httpRequest = http.createHttp();
httpRequest.request("EXAMPLE_URL").then(data => {
  const httpResponseCache = http.createHttpResponseCache();
  httpResponseCache.delete((err: BusinessError) => {
    try {
      if (err) {
        console.error('fail: ' + err);
      } else {
        console.info('success'); // [restored]
      }
    } catch (err) {
      console.error('error: ' + err);
    }
  });
  httpRequest.destroy(); // [restored]
}).catch((error: BusinessError) => {
  console.error("errocode" + JSON.stringify(error));
});
