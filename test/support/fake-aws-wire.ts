import nock from "nock";
import { type FakeRole, IamStandIn } from "../../src/demo/iam-stand-in.ts";

export type { FakeRole };

/**
 * IAM and STS on the wire, for tests of the SDK adapter: the demo's IAM stand-in
 * (src/demo/iam-stand-in.ts) behind nock at AWS's own endpoints, so the real SDK v3 clients run
 * end to end with no endpoint setting. Failures can be injected per action with `fail`, stalls
 * with `hang`.
 */
export class FakeAwsWire extends IamStandIn {
  /** IAM actions whose requests are accepted and never answered (a stalled dependency). */
  readonly #hanging = new Map<string, () => void>();

  /**
   * Accepts every later call of `action` and never answers it, as a stalled AWS would;
   * `onCall` runs as each such call arrives (a test's cue that the stall has begun).
   */
  hang(action: string, onCall: () => void = () => {}): this {
    this.#hanging.set(action, onCall);
    return this;
  }

  /** Starts intercepting IAM and STS. Call `nock.cleanAll()` in afterEach. */
  install(): void {
    // nock 15 hands a full reply function the fetch Request (one parameter; two means callback).
    nock("https://iam.amazonaws.com")
      .persist()
      .post("/")
      // A test asserts on the fake's state and calls, not on whether AWS was reached at all.
      .optionally()
      .reply(async (request: Request) => {
        const body = await request.text();
        const action = new URLSearchParams(body).get("Action") ?? "";
        const onHang = this.#hanging.get(action);
        if (onHang) {
          this.calls.push(action);
          onHang();
          return new Promise<never>(() => {});
        }
        return this.handleIam(body, request.headers.get("authorization") ?? "");
      });
    nock("https://sts.us-east-1.amazonaws.com")
      .persist()
      .post("/")
      .optionally()
      .reply(async (request: Request) => this.handleSts(await request.text()));
  }
}
