import { boundHeapGrowth } from "./bound-heap-growth.ts";
import { run } from "./main.ts";

// Before the sweep allocates: an audit's garbage would otherwise grow the heap with its events.
boundHeapGrowth();
await run();
