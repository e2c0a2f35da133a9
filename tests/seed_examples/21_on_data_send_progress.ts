// deno-lint-ignore-file
// Seed example from /work/shared/seeds/ohos-net-http-api.txt (line 813, on("dataSendProgress")).
// Only the two import lines are changed. Lines the seed lost in extraction are put
// back as in the upstream OpenHarmony doc (js-apis-http.md): closing brackets and
// missing commas unmarked, any other restored line marked "// [restored]".

import http from "../../mod.ts";

let httpRequest = http.createHttp();
httpRequest.on("dataSendProgress", (data: http.DataSendProgressInfo) => {
  console.info("dataSendProgress:" + JSON.stringify(data));
});
httpRequest.off("dataSendProgress"); // [restored]
