import nock from "nock";
import { CloudTrailStandIn } from "../../src/demo/cloudtrail-stand-in.ts";

/**
 * CloudTrail `LookupEvents` on the wire, for tests: the demo's stand-in
 * (src/demo/cloudtrail-stand-in.ts) behind nock at `endpoint` (what AWS_ENDPOINT_URL_CLOUDTRAIL
 * names), so the real SDK client runs end to end.
 */
export class FakeCloudTrailWire extends CloudTrailStandIn {
  readonly endpoint: string;

  constructor(endpoint: string) {
    super();
    this.endpoint = endpoint;
  }

  install(): void {
    // This nock calls a one-parameter reply function with the fetch Request.
    nock(this.endpoint)
      .persist()
      .post("/")
      .reply(async (request: Request) =>
        this.handle(
          request.headers.get("x-amz-target") ?? "",
          request.headers.get("authorization") ?? "",
          await request.text(),
        ),
      );
  }
}
