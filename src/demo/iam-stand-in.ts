/**
 * LOCAL EMULATION of IAM and STS for one AWS account: a stateful stand-in that speaks the AWS
 * query protocol (form-encoded POST in, XML out), so the real SDK v3 clients run end to end:
 * signing, serialisation, error parsing, retries, pagination. It is no part of any production
 * path: `hallpass demo` serves it on loopback (src/demo/serve-stand-ins.ts), and tests put it
 * behind nock (test/support/fake-aws-wire.ts). Failures can be injected per action
 * (throttling, NoSuchEntity, LimitExceeded, ...). It checks no signature and enforces no policy.
 */

/** A role as the stand-in holds it. */
export interface FakeRole {
  name: string;
  path: string;
  arn: string;
  trust: string;
  boundary: string | undefined;
  maxSessionDuration: number;
  tags: Record<string, string>;
  inline: Map<string, string>;
  managed: Set<string>;
  createdAt: string;
}

interface Failure {
  action: string;
  code: string;
  status: number;
  times: number;
}

const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

function xml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function members(params: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; params.has(`${prefix}.member.${i}.Key`); i++) {
    out[params.get(`${prefix}.member.${i}.Key`)!] = params.get(`${prefix}.member.${i}.Value`) ?? "";
  }
  return out;
}

export interface IamStandInOptions {
  /** The clock that dates new roles. Default: a fixed time (2026-11-26T10:00:01Z), for tests. */
  now?: () => Date;
  /** What the access key ids handed out by `handleSts` start with after `ASIA`. Default BROKER. */
  keyPrefix?: string;
}

export class IamStandIn {
  readonly accountId: string;
  readonly roles = new Map<string, FakeRole>();
  /** Every IAM action received, in order (retries included). */
  readonly calls: string[] = [];
  /** Access key ids that signed IAM requests. */
  readonly iamSigners = new Set<string>();
  /** Role ARNs assumed through STS. */
  readonly assumed: string[] = [];
  otherRoles = 10;
  rolesQuota = 1000;
  /** Roles per ListRoles page, to exercise pagination. */
  pageSize = 2;
  readonly #failures: Failure[] = [];

  /** When roles are created (their CreateDate): the demo's simulated clock, a fixed time in tests. */
  readonly #now: () => Date;
  /** Access key ids this account's STS hands out start with `ASIA` and this. */
  readonly keyPrefix: string;

  constructor(accountId = "111122223333", options: IamStandInOptions = {}) {
    this.accountId = accountId;
    this.#now = options.now ?? (() => new Date("2026-11-26T10:00:01Z"));
    this.keyPrefix = options.keyPrefix ?? "BROKER";
  }

  /** Makes the next `times` calls of `action` fail with an AWS error code. */
  fail(action: string, code: string, options: { status?: number; times?: number } = {}): this {
    const status =
      options.status ??
      (code === "NoSuchEntity"
        ? 404
        : code === "EntityAlreadyExists" || code === "LimitExceeded" || code === "DeleteConflict"
          ? 409
          : code === "ServiceFailure"
            ? 500
            : 400);
    this.#failures.push({ action, code, status, times: options.times ?? 1 });
    return this;
  }

  /** Answers one IAM query-protocol request. */
  handleIam(body: string, authorization = ""): [number, string] {
    const signer = /Credential=([^/]+)\//.exec(authorization)?.[1];
    if (signer) this.iamSigners.add(signer);
    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    this.calls.push(action);
    const failure = this.#failures.find((f) => f.action === action && f.times > 0);
    if (failure) {
      failure.times -= 1;
      return [failure.status, this.#error(failure.code, `injected ${failure.code} on ${action}`)];
    }
    try {
      return [200, this.#handle(action, params)];
    } catch (error) {
      const e = error as { code: string; status: number; message: string };
      return [e.status, this.#error(e.code, e.message)];
    }
  }

  #error(code: string, message: string): string {
    const type = code === "ServiceFailure" ? "Receiver" : "Sender";
    return `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;
  }

  #role(params: URLSearchParams): FakeRole {
    const name = params.get("RoleName") ?? "";
    const role = this.roles.get(name.toLowerCase());
    if (!role) {
      throw {
        code: "NoSuchEntity",
        status: 404,
        message: `The role with name ${name} cannot be found.`,
      };
    }
    return role;
  }

  #roleXml(role: FakeRole, withDetails: boolean): string {
    const tags = Object.entries(role.tags)
      .map(([k, v]) => `<member><Key>${xml(k)}</Key><Value>${xml(v)}</Value></member>`)
      .join("");
    return `<Path>${role.path}</Path><RoleName>${role.name}</RoleName><RoleId>AROA${role.name.length}</RoleId><Arn>${role.arn}</Arn><CreateDate>${role.createdAt}</CreateDate><AssumeRolePolicyDocument>${xml(encodeURIComponent(role.trust))}</AssumeRolePolicyDocument><MaxSessionDuration>${role.maxSessionDuration}</MaxSessionDuration>${
      withDetails
        ? `${role.boundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${role.boundary}</PermissionsBoundaryArn></PermissionsBoundary>` : ""}<Tags>${tags}</Tags>`
        : ""
    }`;
  }

  /** A RoleDetail of GetAccountAuthorizationDetails: no MaxSessionDuration, documents encoded. */
  #roleDetailXml(role: FakeRole): string {
    const tags = Object.entries(role.tags)
      .map(([k, v]) => `<member><Key>${xml(k)}</Key><Value>${xml(v)}</Value></member>`)
      .join("");
    const inline = [...role.inline]
      .map(
        ([name, doc]) =>
          `<member><PolicyName>${xml(name)}</PolicyName><PolicyDocument>${xml(encodeURIComponent(doc))}</PolicyDocument></member>`,
      )
      .join("");
    const managed = [...role.managed]
      .map(
        (a) =>
          `<member><PolicyName>${a.split("/").pop()}</PolicyName><PolicyArn>${a}</PolicyArn></member>`,
      )
      .join("");
    return `<Path>${role.path}</Path><RoleName>${role.name}</RoleName><RoleId>AROA${role.name.length}</RoleId><Arn>${role.arn}</Arn><CreateDate>${role.createdAt}</CreateDate><AssumeRolePolicyDocument>${xml(encodeURIComponent(role.trust))}</AssumeRolePolicyDocument><InstanceProfileList/><RolePolicyList>${inline}</RolePolicyList><AttachedManagedPolicies>${managed}</AttachedManagedPolicies>${role.boundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${role.boundary}</PermissionsBoundaryArn></PermissionsBoundary>` : ""}<Tags>${tags}</Tags>`;
  }

  #ok(action: string, result: string): string {
    return `<${action}Response xmlns="${IAM_NS}">${result ? `<${action}Result>${result}</${action}Result>` : ""}<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></${action}Response>`;
  }

  /** One IAM action's answer; an IAM-shaped error is thrown as `{ code, status, message }`. */
  #handle(action: string, params: URLSearchParams): string {
    const result =
      action === "CreateRole"
        ? this.#createRole(params)
        : (this.#changeRole(action, params) ??
          this.#readRole(action, params) ??
          this.#listAccount(action, params));
    if (result === undefined) {
      throw { code: "InvalidAction", status: 400, message: `fake IAM does not know ${action}` };
    }
    return this.#ok(action, result);
  }

  #createRole(params: URLSearchParams): string {
    const name = params.get("RoleName") ?? "";
    if (this.roles.has(name.toLowerCase())) {
      throw {
        code: "EntityAlreadyExists",
        status: 409,
        message: `Role with name ${name} already exists.`,
      };
    }
    if (this.roles.size + this.otherRoles >= this.rolesQuota) {
      throw {
        code: "LimitExceeded",
        status: 409,
        message: `Cannot exceed quota for RolesPerAccount: ${this.rolesQuota}`,
      };
    }
    const path = params.get("Path") ?? "/";
    const role: FakeRole = {
      name,
      path,
      arn: `arn:aws:iam::${this.accountId}:role${path}${name}`,
      trust: params.get("AssumeRolePolicyDocument") ?? "",
      boundary: params.get("PermissionsBoundary") ?? undefined,
      maxSessionDuration: Number(params.get("MaxSessionDuration") ?? 3600),
      tags: members(params, "Tags"),
      inline: new Map(),
      managed: new Set(),
      createdAt: this.#now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
    };
    this.roles.set(name.toLowerCase(), role);
    return `<Role>${this.#roleXml(role, true)}</Role>`;
  }

  /** The actions that change or delete an existing role; undefined for any other action. */
  #changeRole(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case "UpdateAssumeRolePolicy":
        this.#role(params).trust = params.get("PolicyDocument") ?? "";
        return "";
      case "UpdateRole":
        this.#role(params).maxSessionDuration = Number(params.get("MaxSessionDuration"));
        return "";
      case "TagRole":
        Object.assign(this.#role(params).tags, members(params, "Tags"));
        return "";
      case "PutRolePolicy":
        this.#role(params).inline.set(
          params.get("PolicyName") ?? "",
          params.get("PolicyDocument") ?? "",
        );
        return "";
      case "AttachRolePolicy":
        this.#role(params).managed.add(params.get("PolicyArn") ?? "");
        return "";
      case "DeleteRolePolicy": {
        const role = this.#role(params);
        const name = params.get("PolicyName") ?? "";
        if (!role.inline.delete(name)) {
          throw { code: "NoSuchEntity", status: 404, message: `policy ${name} not found` };
        }
        return "";
      }
      case "DetachRolePolicy": {
        const role = this.#role(params);
        const arn = params.get("PolicyArn") ?? "";
        if (!role.managed.delete(arn)) {
          throw { code: "NoSuchEntity", status: 404, message: `policy ${arn} not attached` };
        }
        return "";
      }
      case "DeleteRole": {
        const role = this.#role(params);
        if (role.inline.size > 0 || role.managed.size > 0) {
          throw {
            code: "DeleteConflict",
            status: 409,
            message: "Cannot delete entity, must delete policies first.",
          };
        }
        this.roles.delete(role.name.toLowerCase());
        return "";
      }
      default:
        return undefined;
    }
  }

  /** The actions that read one role; undefined for any other action. */
  #readRole(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case "GetRole":
        return `<Role>${this.#roleXml(this.#role(params), true)}</Role>`;
      case "ListRolePolicies": {
        const names = [...this.#role(params).inline.keys()];
        return `<PolicyNames>${names.map((n) => `<member>${n}</member>`).join("")}</PolicyNames><IsTruncated>false</IsTruncated>`;
      }
      case "GetRolePolicy": {
        const role = this.#role(params);
        const name = params.get("PolicyName") ?? "";
        const doc = role.inline.get(name);
        if (doc === undefined) {
          throw { code: "NoSuchEntity", status: 404, message: `policy ${name} not found` };
        }
        return `<RoleName>${role.name}</RoleName><PolicyName>${xml(name)}</PolicyName><PolicyDocument>${xml(encodeURIComponent(doc))}</PolicyDocument>`;
      }
      case "ListAttachedRolePolicies": {
        const arns = [...this.#role(params).managed];
        return `<AttachedPolicies>${arns.map((a) => `<member><PolicyArn>${a}</PolicyArn><PolicyName>${a.split("/").pop()}</PolicyName></member>`).join("")}</AttachedPolicies><IsTruncated>false</IsTruncated>`;
      }
      default:
        return undefined;
    }
  }

  /** The actions that list the account's roles or count them; undefined for any other. */
  #listAccount(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case "ListRoles": {
        const prefix = params.get("PathPrefix") ?? "/";
        const all = [...this.roles.values()]
          .filter((r) => r.path.startsWith(prefix))
          .sort((a, b) => a.name.localeCompare(b.name));
        const { page, more, next } = this.#page(all, params);
        return `<Roles>${page.map((r) => `<member>${this.#roleXml(r, false)}</member>`).join("")}</Roles><IsTruncated>${more}</IsTruncated>${next}`;
      }
      case "GetAccountAuthorizationDetails": {
        if (params.get("Filter.member.1") !== "Role" || params.has("Filter.member.2")) {
          throw { code: "ValidationError", status: 400, message: "the fake lists roles only" };
        }
        // Every role of the account, whatever its path (IAM cannot filter this call by path).
        const all = [...this.roles.values()].sort((a, b) => a.name.localeCompare(b.name));
        const { page, more, next } = this.#page(all, params);
        return `<RoleDetailList>${page.map((r) => `<member>${this.#roleDetailXml(r)}</member>`).join("")}</RoleDetailList><UserDetailList/><GroupDetailList/><Policies/><IsTruncated>${more}</IsTruncated>${next}`;
      }
      case "GetAccountSummary": {
        const entries = { Roles: this.roles.size + this.otherRoles, RolesQuota: this.rolesQuota };
        return `<SummaryMap>${Object.entries(entries)
          .map(([k, v]) => `<entry><key>${k}</key><value>${v}</value></entry>`)
          .join("")}</SummaryMap>`;
      }
      default:
        return undefined;
    }
  }

  /** One page of `all` from the request's `Marker`, and the marker of the next when there is one. */
  #page(
    all: FakeRole[],
    params: URLSearchParams,
  ): { page: FakeRole[]; more: boolean; next: string } {
    const from = Number(params.get("Marker") ?? 0);
    const page = all.slice(from, from + this.pageSize);
    const more = from + this.pageSize < all.length;
    return { page, more, next: more ? `<Marker>${from + this.pageSize}</Marker>` : "" };
  }

  /** Answers one STS query-protocol request (AssumeRole into this account's broker role). */
  handleSts(body: string): [number, string] {
    const params = new URLSearchParams(body);
    const action = params.get("Action");
    const failure = this.#failures.find((f) => f.action === `sts:${action}` && f.times > 0);
    if (failure) {
      failure.times -= 1;
      return [
        failure.status,
        `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>injected</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      ];
    }
    const roleArn = params.get("RoleArn") ?? "";
    this.assumed.push(roleArn);
    const session = params.get("RoleSessionName") ?? "";
    return [
      200,
      `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${this.keyPrefix}${this.assumed.length}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")}/${session}</Arn><AssumedRoleId>AROABROKER:${session}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    ];
  }
}
