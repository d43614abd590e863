import { describe, expect, it } from "vitest";
import {
  compactCloudTrailEvent,
  eventTimeMs,
  parseCloudTrailEvent,
  REQUIRED_TEXT_FIELDS,
} from "../../../src/core/audit/cloudtrail-event.ts";

describe("eventTimeMs", () => {
  it.each([
    "2026-11-26T09:12:03Z",
    "2026-01-01T00:00:00Z",
    "2026-12-28T23:59:59Z",
    "2028-02-29T12:00:00Z",
    "2026-02-29T12:00:00Z",
    "2026-04-31T12:00:00Z",
    "2026-01-31T12:00:00Z",
    "0099-06-01T00:00:00Z",
    "0000-06-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-11-26T24:00:00Z",
    "2026-11-26T23:60:00Z",
    "2026-11-26T23:59:60Z",
    "2026-11-26T09:12:03.123Z",
    "2026-11-26T09:12:03+02:00",
    "2026-11-26 09:12:03Z",
    "2026-1a-26T09:12:03Z",
    "not a time at all!!!",
    "",
  ])("reads %j exactly as Date.parse does", (text) => {
    expect(eventTimeMs(text)).toBe(Date.parse(text));
  });

  it("agrees with Date.parse on every second-aligned time across centuries", () => {
    for (
      let ms = Date.UTC(1900, 0, 1);
      ms < Date.UTC(2300, 0, 1);
      ms += 86_400_000 * 3 + 3_601_001
    ) {
      const text = `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
      if (eventTimeMs(text) !== Date.parse(text)) expect(text).toBe("read as Date.parse reads it");
    }
  });
});

describe("parseCloudTrailEvent", () => {
  const base = {
    eventID: "e1",
    eventTime: "2026-11-26T09:12:03Z",
    eventSource: "iam.amazonaws.com",
    eventName: "CreateRole",
    awsRegion: "us-east-1",
    userIdentity: { type: "AssumedRole" },
  };

  it.each([
    ["not JSON", "{", /not JSON/],
    ["an array", "[]", /field eventID is missing/],
    ["no eventName", JSON.stringify({ ...base, eventName: undefined }), /field eventName/],
    ["a bad time", JSON.stringify({ ...base, eventTime: "2026-13-01T00:00:00Z" }), /not a time/],
    ["no userIdentity", JSON.stringify({ ...base, userIdentity: null }), /userIdentity/],
  ])("refuses %s, saying what is wrong", (_n, text, message) => {
    const parsed = parseCloudTrailEvent(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  // The named tests and the list that names the missing field must not drift apart: a field
  // listed but not tested would be let through, one tested but not listed named as undefined.
  const required = new Set([
    ...REQUIRED_TEXT_FIELDS,
    "eventID",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
  ]);
  it.each(
    [...required].flatMap((field) => [
      [field, undefined],
      [field, 7],
    ]),
  )("refuses a record whose %s is %s, naming the field", (field, value) => {
    const parsed = parseCloudTrailEvent(JSON.stringify({ ...base, [field]: value }));
    expect(parsed).toEqual({ ok: false, message: `field ${field} is missing or not a string` });
  });

  it("reads a well-formed event as it is", () => {
    expect(parseCloudTrailEvent(JSON.stringify(base))).toEqual({ ok: true, event: base });
  });

  it.each([
    ["errorCode", { errorCode: 403 }, /field errorCode is not a string/],
    ["resources", { resources: { ARN: "arn:aws:s3:::b" } }, /field resources is not a list/],
    ["a resource", { resources: ["arn:aws:s3:::b"] }, /field resources\[0\] is not an object/],
    ["sessionContext", { userIdentity: { type: "x", sessionContext: "s" } }, /sessionContext/],
  ])("refuses a wrongly typed %s, naming the field", (_n, extra, message) => {
    const parsed = parseCloudTrailEvent(JSON.stringify({ ...base, ...extra }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it("compacts to what hallpass reads, so a held event does not hold the whole record", () => {
    const record = {
      eventVersion: "1.09",
      ...base,
      userIdentity: {
        type: "AssumedRole",
        principalId: "AROAEXAMPLE:alice",
        arn: "arn:aws:sts::123456789012:assumed-role/hp-x/alice",
        accountId: "123456789012",
        accessKeyId: "ASIAEXAMPLE",
        sessionContext: {
          sourceIdentity: "alice",
          sessionIssuer: {
            type: "Role",
            principalId: "AROAEXAMPLE",
            arn: "arn:aws:iam::123456789012:role/hallpass/hp-x",
            accountId: "123456789012",
            userName: "hp-x",
          },
          attributes: { creationDate: "2026-11-26T09:00:00Z", mfaAuthenticated: "false" },
        },
      },
      readOnly: false,
      errorCode: "AccessDenied",
      errorMessage: "User is not authorized",
      sourceIPAddress: "203.0.113.7",
      userAgent: "aws-cli/2.17.0",
      requestParameters: { policyDocument: "x".repeat(10_000) },
      responseElements: null,
      resources: [
        {
          ARN: "arn:aws:iam::123456789012:role/r",
          accountId: "123456789012",
          type: "AWS::IAM::Role",
        },
        {},
      ],
      recipientAccountId: "123456789012",
      tlsDetails: { tlsVersion: "TLSv1.3" },
    };
    const parsed = parseCloudTrailEvent(JSON.stringify(record));
    expect(parsed).toStrictEqual({ ok: true, event: record });
    if (!parsed.ok) return;
    expect({ ok: true, event: compactCloudTrailEvent(parsed.event) }).toStrictEqual({
      ok: true,
      event: {
        ...base,
        userIdentity: {
          type: "AssumedRole",
          arn: "arn:aws:sts::123456789012:assumed-role/hp-x/alice",
          accountId: "123456789012",
          sessionContext: {
            sourceIdentity: "alice",
            sessionIssuer: {
              type: "Role",
              arn: "arn:aws:iam::123456789012:role/hallpass/hp-x",
              accountId: "123456789012",
            },
          },
        },
        readOnly: false,
        errorCode: "AccessDenied",
        resources: [
          {
            ARN: "arn:aws:iam::123456789012:role/r",
            accountId: "123456789012",
            type: "AWS::IAM::Role",
          },
          {},
        ],
      },
    });
  });
});
