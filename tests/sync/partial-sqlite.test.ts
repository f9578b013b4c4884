/** A guest whose config always fails → a partial sync, on SQLite (see partial-suite.ts). */
import { describePartialSync } from "./partial-suite.js";

describePartialSync();
