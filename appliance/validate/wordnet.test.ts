/**
 * The WordNet lookup against NLTK's published WordNet doctest (nltk/test/wordnet.doctest,
 * NLTK 3.8): `morphy` base forms and the synsets of "dog", on the bundled WordNet 3.0.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { WORDNET_POS, type WordNet, type WordNetPos } from "../../shared/validate/wordnet.ts";
import { loadWordNet } from "./wordnet.ts";

let wordnet: WordNet;
// Parsing WordNet takes about a second, several on a busy machine.
beforeAll(async () => {
  wordnet = await loadWordNet();
}, 60_000);

/** NLTK's public `wn.morphy(form, pos=None)`: the first analysis over the parts of speech. */
function morphy(form: string, pos?: WordNetPos): string | undefined {
  for (const p of pos ? [pos] : WORDNET_POS) {
    const [first] = wordnet.morphy(form, p);
    if (first !== undefined) return first;
  }
  return undefined;
}

describe("WordNet 3.0 as NLTK reads it (nltk/test/wordnet.doctest)", () => {
  it("morphy", () => {
    expect(morphy("denied", "noun")).toBeUndefined();
    expect(morphy("denied", "verb")).toBe("deny");
    expect(morphy("dogs")).toBe("dog");
    expect(morphy("churches")).toBe("church");
    expect(morphy("aardwolves")).toBe("aardwolf");
    expect(morphy("abaci")).toBe("abacus");
    expect(morphy("book", "noun")).toBe("book");
    expect(morphy("hardrock", "adv")).toBeUndefined();
    expect(morphy("book", "adj")).toBeUndefined();
    expect(morphy("his", "noun")).toBeUndefined();
  });

  it("the synsets of 'dog' and the lemma names of dog.n.01", () => {
    // wn.synsets('dog'): dog.n.01, frump.n.01, dog.n.03, cad.n.01, frank.n.02, pawl.n.01,
    // andiron.n.01, chase.v.01; dog.n.01's lemmas: dog, domestic_dog, Canis_familiaris.
    const names = wordnet.synsetLemmaNames("dog");
    for (const name of [
      "dog",
      "domestic_dog",
      "Canis_familiaris",
      "frump",
      "cad",
      "frank",
      "pawl",
      "andiron",
      "chase",
    ]) {
      expect(names).toContain(name);
    }
    // wn.synsets('dog', pos=wn.VERB) is [chase.v.01] alone.
    expect(wordnet.morphy("dog", "verb")).toEqual(["dog"]);
  });
});
