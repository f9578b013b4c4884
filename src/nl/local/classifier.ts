/**
 * The intent model: nlp.js's neural classifier (@nlpjs/neural, one
 * perceptron per intent over the sentence's lemmas and lemma pairs), trained
 * by scripts/nl-train.mjs on the generated data set and shipped as
 * model.json. Nothing is trained or downloaded at run time.
 */
import { NeuralNetwork, type NeuralNetworkJson } from "@nlpjs/neural";
import type { Intent } from "./lexicon.js";
import shipped from "./model.json" with { type: "json" };

/** What scripts/nl-train.mjs writes. */
export interface IntentModelJson {
  library: "@nlpjs/neural";
  trainedOn: { examples: number; split: string };
  network: NeuralNetworkJson;
}

/** One intent and its share of the model's score. */
export interface Scored {
  intent: Intent;
  p: number;
}

const BIGRAMS = false;
/** The input of the network: each lemma, and each pair of neighbouring lemmas. */
export function featureSet(lemmas: readonly string[]): Record<string, number> {
  const set: Record<string, number> = {};
  for (let i = 0; i < lemmas.length; i++) {
    set[lemmas[i]] = 1;
    if (BIGRAMS && i + 1 < lemmas.length) set[`${lemmas[i]}_${lemmas[i + 1]}`] = 1;
  }
  return set;
}

/** A classifier from a model's JSON. */
export function loadClassifier(json: IntentModelJson): (lemmas: readonly string[]) => Scored[] {
  const net = new NeuralNetwork();
  net.fromJSON(json.network);
  return (lemmas) => {
    const scores = net.run(featureSet(lemmas)) ?? {};
    const total = Object.values(scores).reduce((a, b) => a + b, 0);
    const ranked = Object.entries(scores)
      .map(([intent, s]) => ({ intent: intent as Intent, p: total > 0 ? s / total : 0 }))
      .sort((a, b) => b.p - a.p);
    return ranked.length && ranked[0].p > 0 ? ranked : [{ intent: "none", p: 1 }];
  };
}

let classifier: ((lemmas: readonly string[]) => Scored[]) | undefined;

/** The shipped model's classifier (built on first use). */
export function classify(lemmas: readonly string[]): Scored[] {
  classifier ??= loadClassifier(shipped as IntentModelJson);
  return classifier(lemmas);
}
