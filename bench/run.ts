/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or only those whose name contains an
 * argument) and prints their figures. Each bench file exports `run(): Promise<void>` and
 * prints its own lines; performance claims live here, never in timed tests.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const name of files) {
  console.log(`\n== ${name.replace(/\.bench\.ts$/, "")}`);
  const module = (await import(pathToFileURL(join(here, name)).href)) as {
    run: () => Promise<void>;
  };
  await module.run();
}
