/**
 * `npm start`: runs the app as a long-lived server with Probot. Without GitHub App
 * credentials (APP_ID and PRIVATE_KEY), Probot serves its setup page, which registers a new
 * app from app.yml and writes the credentials to .env. Before that page is served, app.yml is
 * checked for text the page cannot carry (see check-app-manifest.ts): a broken manifest is
 * refused here with its line, not by GitHub with "invalid JSON".
 */
import { run } from "probot";
import { formatProblem } from "../core/source/problem.ts";
import { setupManifestProblems } from "./check-setup-manifest.ts";
import hallpass, { appOctokit } from "./index.ts";

const problems = setupManifestProblems(process.cwd(), process.env);
if (problems.length > 0) {
  for (const problem of problems) console.error(formatProblem(problem));
  console.error(
    "Probot's setup page cannot register the app from this manifest: fix it and run npm start again.",
  );
  process.exitCode = 1;
} else {
  await run(hallpass, { Octokit: appOctokit() });
}
