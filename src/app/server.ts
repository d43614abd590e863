/**
 * `npm start`: runs the app as a long-lived server with Probot. Without GitHub App
 * credentials (APP_ID and PRIVATE_KEY), Probot serves its setup page, which registers a new
 * app from app.yml and writes the credentials to .env.
 */
import { run } from "probot";
import hallpass, { appOctokit } from "./index.ts";

await run(hallpass, { Octokit: appOctokit() });
