import { nativeEngine } from "../../../src/engine/native/index.js";
import { nativeWorkspace } from "./helpers.js";

it("bench", async () => {
  const ws = await nativeWorkspace({ size: 1000 });
  try {
    await ws.adopt();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const p = await nativeEngine.plan(ws.ctx());
      times.push(Math.round(performance.now() - t));
      expect(p.changes).toEqual([]);
    }
    console.log("native plan 1000:", times.join(" "));
  } finally {
    await ws.close();
  }
}, 180000);
