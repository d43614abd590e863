#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript that Node 24 runs natively (type stripping).
import "../src/cli/main.ts";
