#!/usr/bin/env node
/**
 * Train the local engine's intent model on data/nl/train.jsonl and write
 * src/nl/local/model.json (nlp.js's neural classifier, @nlpjs/neural). Run
 * after `npm run build` (it reads the sentences the way the engine does,
 * through dist/nl/local/analyze.js) and `node scripts/nl-dataset.mjs`.
 *
 *   node scripts/nl-train.mjs              train and write the model (a few seconds)
 *   node scripts/nl-train.mjs --compare    also train the candidates it was chosen
 *                                          against, on the same features, and print
 *                                          intent accuracy on dev and latency: needs
 *                                          wink-naive-bayes-text-classifier and natural installed in
 *                                          NL_COMPARE_MODULES (a folder with node_modules/, e.g.
 *                                          /tmp/nlp: npm install there), not in the project
 *
 * Multi-step and refused examples are not trained on: their steps are
 * sentences of the single intents.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyze } from "../dist/nl/local/analyze.js";
import { featureSet } from "../dist/nl/local/classifier.js";

const require = createRequire(import.meta.url);
const { NeuralNetwork } = require("@nlpjs/neural");
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ctx = JSON.parse(readFileSync(join(ROOT, "data/nl/context.json"), "utf8"));
const SINGLE = new Set(["list", "describe", "create", "delete", "start", "stop", "shutdown", "reboot", "sync", "plan", "apply", "test", "health", "logs", "report", "set", "snapshot", "backup", "clone", "migrate", "context", "none"]);
const read = (split) =>
  readFileSync(join(ROOT, `data/nl/${split}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => SINGLE.has(e.intent))
    .map((e) => ({ intent: e.intent, lemmas: analyze(e.input, ctx).features }));

const train = read("train");
const t0 = performance.now();
const net = new NeuralNetwork({ iterations: Number(process.env.NL_ITERATIONS ?? 150), log: false });
net.train(train.map((e) => ({ input: featureSet(e.lemmas), output: { [e.intent]: 1 } })));
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
const json = { library: "@nlpjs/neural", trainedOn: { examples: train.length, split: "train" }, network: net.toJSON() };
// Weights rounded to 4 decimals: a smaller file, the same decisions.
json.network.perceptrons = json.network.perceptrons.map((p) => p.map((w) => Math.round(w * 1e4) / 1e4));
writeFileSync(join(ROOT, "src/nl/local/model.json"), `${JSON.stringify(json)}\n`);
console.log(`@nlpjs/neural: trained on ${train.length} examples in ${seconds} s; ${json.network.features.length} features → src/nl/local/model.json`);

if (process.argv.includes("--compare")) {
  const other = createRequire(join(process.env.NL_COMPARE_MODULES ?? ROOT, "index.js"));
  const dev = read("dev");
  const measure = (name, classify) => {
    const times = [];
    let right = 0;
    for (const e of dev) {
      const s = performance.now();
      const got = classify(e.lemmas);
      times.push(performance.now() - s);
      if (got === e.intent) right++;
    }
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3);
    console.log(`${name.padEnd(36)} dev intent accuracy ${((100 * right) / dev.length).toFixed(1)} %  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms`);
  };
  measure("@nlpjs/neural (perceptrons)", (lemmas) => {
    const out = net.run(featureSet(lemmas)) ?? {};
    return Object.entries(out).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "none";
  });
  try {
    const winkNb = other("wink-naive-bayes-text-classifier")();
    winkNb.definePrepTasks([(x) => x]);
    winkNb.defineConfig({ considerOnlyPresence: true, smoothingFactor: 0.5 });
    const t1 = performance.now();
    for (const e of train) winkNb.learn(Object.keys(featureSet(e.lemmas)), e.intent);
    winkNb.consolidate();
    console.log(`wink-naive-bayes-text-classifier: trained in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    measure("wink-naive-bayes-text-classifier", (lemmas) => winkNb.predict(Object.keys(featureSet(lemmas))));
  } catch (err) {
    console.log(`wink-naive-bayes-text-classifier: not compared (${err.message.split("\n")[0]})`);
  }
  try {
    const natural = other("natural");
    for (const [label, Classifier] of [["natural BayesClassifier", natural.BayesClassifier], ["natural LogisticRegression", natural.LogisticRegressionClassifier]]) {
      const c = new Classifier();
      for (const e of train) c.addDocument(Object.keys(featureSet(e.lemmas)), e.intent);
      const t2 = performance.now();
      c.train();
      console.log(`${label}: trained in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
      measure(label, (lemmas) => c.classify(Object.keys(featureSet(lemmas))));
    }
  } catch (err) {
    console.log(`natural: not compared (${err.message.split("\n")[0]})`);
  }
}
