import type { CloudTrailEvent } from "../core/audit/cloudtrail-event.ts";
import type { GrantRecord } from "../core/grant/records.ts";

/**
 * LOCAL EMULATION of CloudTrail `LookupEvents` (AWS JSON 1.1: `X-Amz-Target:
 * CloudTrail_20131101.LookupEvents`), so the real SDK client runs end to end: signing,
 * serialisation, NextToken paging and error parsing. No part of any production path:
 * `hallpass demo` serves it on loopback, tests put it behind nock
 * (test/support/fake-cloudtrail-wire.ts). The region is read from the request's signature
 * scope, so one endpoint (AWS_ENDPOINT_URL_CLOUDTRAIL) serves several regions as a real custom
 * endpoint would. Throttling can be injected.
 */
export class CloudTrailStandIn {
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

  /** The next `times` calls are refused with ThrottlingException. */
  throttle(times: number): this {
    this.throttleLeft = times;
    return this;
  }

  /**
   * Answers one request: its `X-Amz-Target` and `Authorization` headers and its body. Returns
   * the status, the JSON body and the headers.
   */
  handle(
    target: string,
    authorization: string,
    text: string,
  ): [number, unknown, Record<string, string>?] {
    const region = /Credential=[^/]+\/\d+\/([^/]+)\/cloudtrail\//.exec(authorization)?.[1] ?? "?";
    const input = JSON.parse(text) as {
      LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
      StartTime?: number;
      EndTime?: number;
      NextToken?: string;
    };
    const username = input.LookupAttributes?.[0]?.AttributeValue ?? "";
    if (target !== "CloudTrail_20131101.LookupEvents") {
      return [400, { __type: "UnknownOperationException", message: target }];
    }
    const json = { "content-type": "application/x-amz-json-1.1" };
    if (this.throttleLeft > 0) {
      this.throttleLeft--;
      this.calls.push({ region, username, token: input.NextToken, status: 400 });
      return [400, { __type: "ThrottlingException", message: "Rate exceeded" }, json];
    }
    this.calls.push({ region, username, token: input.NextToken, status: 200 });
    const start = (input.StartTime ?? 0) * 1000;
    const end = (input.EndTime ?? Number.MAX_SAFE_INTEGER / 1000) * 1000;
    const matching = this.events
      .filter((e) => {
        const t = Date.parse(e.eventTime);
        return (
          e.awsRegion === region &&
          // No Username attribute: the account's whole stream.
          (username === "" || e.userIdentity.arn?.endsWith(`/${username}`)) &&
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
          Username: username || e.userIdentity.arn?.split("/").pop(),
          Resources: (e.resources ?? []).map((r) => ({
            ResourceType: r.type,
            ResourceName: r.ARN,
          })),
          CloudTrailEvent: JSON.stringify(e),
        })),
        ...(next ? { NextToken: next } : {}),
      },
      json,
    ];
  }
}

/** A CloudTrail record of a grant session, shaped like a real one. */
export function grantEvent(
  grant: GrantRecord,
  fields: {
    id: string;
    time: string;
    action: string;
    region?: string;
    readOnly?: boolean;
    errorCode?: string;
    resources?: string[];
  },
): CloudTrailEvent {
  const [service, name] = fields.action.split(":") as [string, string];
  return {
    eventID: fields.id,
    eventTime: fields.time,
    eventSource: `${service}.amazonaws.com`,
    eventName: name,
    awsRegion:
      fields.region ?? (service === "iam" || service === "sts" ? "us-east-1" : "eu-west-1"),
    sourceIPAddress: "203.0.113.7",
    userAgent: "aws-cli/2.17.0",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLE:${grant.sessionName}`,
      arn: `arn:aws:sts::${grant.account.id}:assumed-role/${grant.roleName}/${grant.sessionName}`,
      accountId: grant.account.id,
      accessKeyId: "ASIAEXAMPLE",
      sessionContext: {
        sourceIdentity: grant.sourceIdentity,
        sessionIssuer: {
          type: "Role",
          principalId: "AROAEXAMPLE",
          arn: grant.roleArn,
          accountId: grant.account.id,
          userName: grant.roleName,
        },
        attributes: { creationDate: grant.window.start, mfaAuthenticated: "false" },
      },
    },
    ...(fields.readOnly !== undefined ? { readOnly: fields.readOnly } : {}),
    ...(fields.errorCode ? { errorCode: fields.errorCode, errorMessage: "denied" } : {}),
    ...(fields.resources
      ? { resources: fields.resources.map((ARN) => ({ ARN, accountId: grant.account.id })) }
      : {}),
    recipientAccountId: grant.account.id,
  };
}
