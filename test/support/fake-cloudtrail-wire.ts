import nock from "nock";
import type { CloudTrailEvent } from "../../src/core/cloudtrail-event.ts";

/**
 * CloudTrail `LookupEvents` on the wire (AWS JSON 1.1: `X-Amz-Target:
 * CloudTrail_20131101.LookupEvents`), behind nock, so the real SDK client runs end to end:
 * signing, serialisation, NextToken paging and error parsing. The region is read from the
 * request's signature scope, so one endpoint (AWS_ENDPOINT_URL_CLOUDTRAIL) can serve several
 * regions as a real custom endpoint would. Throttling can be injected.
 */
export class FakeCloudTrailWire {
  readonly endpoint: string;
  readonly events: CloudTrailEvent[] = [];
  /** Events a page (CloudTrail's is 50; smaller to exercise paging). */
  pageSize = 50;
  /** Every call: region, Username looked up, NextToken sent, and the answer's status. */
  readonly calls: {
    region: string;
    username: string;
    token: string | undefined;
    status: number;
  }[] = [];
  /** Calls still to refuse with ThrottlingException. */
  throttleLeft = 0;

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }

  /** The next `times` calls are refused with ThrottlingException. */
  throttle(times: number): this {
    this.throttleLeft = times;
    return this;
  }

  install(): void {
    // This nock calls a one-parameter reply function with the fetch Request.
    nock(this.endpoint)
      .persist()
      .post("/")
      .reply(async (request: Request) => {
        const target = request.headers.get("x-amz-target") ?? "";
        const auth = request.headers.get("authorization") ?? "";
        const region = /Credential=[^/]+\/\d+\/([^/]+)\/cloudtrail\//.exec(auth)?.[1] ?? "?";
        const input = JSON.parse(await request.text()) as {
          LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
          StartTime?: number;
          EndTime?: number;
          NextToken?: string;
        };
        const username = input.LookupAttributes?.[0]?.AttributeValue ?? "";
        if (target !== "CloudTrail_20131101.LookupEvents") {
          return [400, { __type: "UnknownOperationException", message: target }];
        }
        if (this.throttleLeft > 0) {
          this.throttleLeft--;
          this.calls.push({ region, username, token: input.NextToken, status: 400 });
          return [
            400,
            { __type: "ThrottlingException", message: "Rate exceeded" },
            { "content-type": "application/x-amz-json-1.1" },
          ];
        }
        this.calls.push({ region, username, token: input.NextToken, status: 200 });
        const start = (input.StartTime ?? 0) * 1000;
        const end = (input.EndTime ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
        const matching = this.events
          .filter((e) => {
            const t = Date.parse(e.eventTime);
            return (
              e.awsRegion === region &&
              e.userIdentity.arn?.endsWith(`/${username}`) &&
              t >= start &&
              t <= end
            );
          })
          .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
        const offset = input.NextToken ? Number(input.NextToken.replace("page-", "")) : 0;
        const page = matching.slice(offset, offset + this.pageSize);
        const next =
          offset + this.pageSize < matching.length ? `page-${offset + this.pageSize}` : undefined;
        return [
          200,
          {
            Events: page.map((e) => ({
              EventId: e.eventID,
              EventName: e.eventName,
              ReadOnly: String(e.readOnly ?? false),
              EventTime: Date.parse(e.eventTime) / 1000,
              EventSource: e.eventSource,
              Username: username,
              Resources: (e.resources ?? []).map((r) => ({
                ResourceType: r.type,
                ResourceName: r.ARN,
              })),
              CloudTrailEvent: JSON.stringify(e),
            })),
            ...(next ? { NextToken: next } : {}),
          },
          { "content-type": "application/x-amz-json-1.1" },
        ];
      });
  }
}
