import { afterAll } from "vitest";
import { removeTemporaryTestFolders } from "./test-folders.js";

// Each test file's scratch folders go when it ends.
afterAll(removeTemporaryTestFolders);
