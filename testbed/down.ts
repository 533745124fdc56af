// `npm run testbed:down`: stop every process the bed started and delete its state directory.
import { down, stateDir } from "./lib/bed.js";

const existed = await down();
process.stderr.write(
  existed ? `testbed: stopped; removed ${stateDir()}\n` : "testbed: nothing was running\n",
);
