#!/usr/bin/env node
import { main } from "./main.js";

// Under `pnpm vox ...` / `pnpm demo` pnpm runs this in packages/cli; paths are meant from where the user typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

process.exitCode = await main(process.argv.slice(2));
