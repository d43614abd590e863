import { CloudTrailStandIn } from "./cloudtrail-stand-in.ts";
import { IamStandIn } from "./iam-stand-in.ts";

/**
 * LOCAL EMULATION of IAM, STS and CloudTrail for several AWS accounts behind one endpoint, as
 * an AWS emulator is reached with AWS_ENDPOINT_URL_IAM / _STS / _CLOUDTRAIL. No part of any
 * production path. A request goes to the service its signature names; STS hands each
 * account's broker session access keys that name the account, and IAM and CloudTrail requests
 * signed with them go to that account. Signatures are not verified.
 */
export class AwsStandIn {
  readonly iam = new Map<string, IamStandIn>();
  readonly cloudtrail = new Map<string, CloudTrailStandIn>();

  constructor(accountIds: readonly string[], now: () => Date) {
    for (const id of accountIds) {
      this.iam.set(id, new IamStandIn(id, { now, keyPrefix: `DEMO${id}K` }));
      this.cloudtrail.set(id, new CloudTrailStandIn());
    }
  }

  /** The account an access key of a broker session belongs to. */
  #account(authorization: string): string | undefined {
    return /Credential=ASIADEMO(\d{12})K/.exec(authorization)?.[1];
  }

  /** Answers one request: method, headers (lower-case names) and body. */
  handle(headers: Record<string, string | undefined>, body: string): [number, string, string] {
    const authorization = headers.authorization ?? "";
    const service = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1];
    const xml = "text/xml";
    if (service === "sts") {
      const roleArn = new URLSearchParams(body).get("RoleArn") ?? "";
      const account = this.iam.get(/^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? "");
      if (!account) return [403, stsError("AccessDenied", `no such role ${roleArn}`), xml];
      return [...account.handleSts(body), xml];
    }
    const accountId = this.#account(authorization);
    if (service === "iam") {
      const account = this.iam.get(accountId ?? "");
      if (!account) return [403, stsError("InvalidClientTokenId", "unknown access key"), xml];
      return [...account.handleIam(body, authorization), xml];
    }
    if (service === "cloudtrail") {
      const trail = this.cloudtrail.get(accountId ?? "");
      if (!trail)
        return [
          400,
          JSON.stringify({ __type: "UnrecognizedClientException" }),
          "application/x-amz-json-1.1",
        ];
      const [status, json] = trail.handle(headers["x-amz-target"] ?? "", authorization, body);
      return [status, JSON.stringify(json), "application/x-amz-json-1.1"];
    }
    return [
      400,
      stsError("UnknownService", `the demo emulates iam, sts and cloudtrail, not ${service}`),
      xml,
    ];
  }
}

/** An AWS query-protocol error; the message (which may echo the request) is escaped for XML. */
function stsError(code: string, message: string): string {
  const text = message.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${text}</Message></Error><RequestId>demo</RequestId></ErrorResponse>`;
}
