/**
 * A notification: one moment in a request's life, as data. The shells decide when (with the
 * pure planners next to this file), render it per channel format (`render-notice.ts`) and post
 * it to the channels the policies name (`channelsFor`). Pure.
 */

import type { PullRequestEvaluation } from "../approval/pull-request-evaluation.ts";
import type { GrantRecord } from "../grant/records.ts";
import type { Channel, Policies } from "../policy/policy-format.ts";

/** The moments hallpass tells channels about, in a request's order. */
export const NOTICE_MOMENTS = [
  "awaiting-review",
  "reminder",
  "closed-stale",
  "approved",
  "refused",
  "granted",
  "expiring",
  "revoked",
] as const;

export type NoticeMoment = (typeof NOTICE_MOMENTS)[number];

export interface Notice {
  moment: NoticeMoment;
  pullRequest: { number: number; url: string };
  /** The request file, when known. */
  requestPath?: string;
  /** GitHub login of the person who asked (untrusted text: escaped where it lands). */
  requester?: string;
  role?: string;
  account?: string;
  /** The request's reason (untrusted text: escaped where it lands). */
  reason?: string;
  /** When the access ends (ISO-8601), for granted and expiring. */
  expiresAt?: string;
  /**
   * People concerned, as `@login` or `@org/team`: who may approve (awaiting review, reminder),
   * who approved, who requested changes, who revoked.
   */
  people?: string[];
  /** One sentence from hallpass saying more (why it was revoked, how long it waited). */
  detail?: string;
}

/** A channel a notice goes to, by name, with its webhook variable and format. */
export interface NoticeChannel extends Channel {
  name: string;
}

/**
 * The channels told of `role`'s requests: `settings.notifications.notify` and the role's own
 * `notify`, each once, in that order. Empty when none are configured (the default).
 */
export function channelsFor(policies: Policies, role: string | undefined): NoticeChannel[] {
  const { notifications } = policies.settings;
  const configured = notifications.channels ?? {};
  const own = role !== undefined ? (policies.roles[role]?.notify ?? []) : [];
  const names = [...new Set([...(notifications.notify ?? []), ...own])];
  return names.flatMap((name) => {
    const channel = configured[name];
    return channel ? [{ name, ...channel }] : [];
  });
}

/**
 * The notice of an evaluated request's moment (awaiting review, reminder, closed, approved,
 * refused): what the evaluation found of the request, when it found it.
 */
export function noticeOf(evaluation: PullRequestEvaluation, moment: NoticeMoment): Notice {
  const { pullRequest, request } = evaluation;
  return {
    moment,
    pullRequest: { number: pullRequest.number, url: pullRequest.url },
    ...(evaluation.requestPath ? { requestPath: evaluation.requestPath } : {}),
    ...(request
      ? {
          requester: request.request.requester,
          role: request.request.role,
          account: request.request.account,
          reason: request.request.reason,
        }
      : {}),
  };
}

/**
 * Who a notice names to review a request: each user as `@login`, each team as `@owner/team`
 * (GitHub's team mention, `owner` being the organisation that holds the team), users first.
 */
export function mentionsOf(ask: { users: string[]; teams: string[] }, owner: string): string[] {
  return [...ask.users.map((u) => `@${u}`), ...ask.teams.map((t) => `@${owner}/${t}`)];
}

/** The notice of a grant's moment (granted, expiring, revoked), from its record. */
export function grantNotice(grant: GrantRecord, moment: NoticeMoment, detail?: string): Notice {
  return {
    moment,
    pullRequest: { number: grant.pullRequest.number, url: grant.pullRequest.url },
    requestPath: grant.requestPath,
    requester: grant.requester,
    role: grant.role,
    account: grant.account.name,
    expiresAt: grant.window.end,
    ...(detail ? { detail } : {}),
  };
}
