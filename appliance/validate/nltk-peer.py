"""NLTK as a peer for TextNLP's metric tests and benchmark (run with Debian's python3-nltk).

Reads one JSON request (one line) on stdin and writes one JSON answer on stdout:
  {"task": "score", "pairs": [[hyp_tokens, [ref_tokens, ...]], ...], "wordnet": dir,
   "skipBleu": bool, "skipMeteor": bool}
      -> {"bleu": {"0": [...], ..., "7": [...]}, "meteor": [...]}
  {"task": "stem", "words": [...]} -> {"stems": [...]}
  {"task": "bench", "pairs": ..., "wordnet": dir}
      -> then, for each further line "bleu" or "meteor", one line with the seconds one pass over
         all pairs took, so that the caller can interleave its own passes; "quit" ends.
WordNet is read offline from `dir` (Debian's wordnet-base: /usr/share/wordnet). That package has
no `lexnames` file, which NLTK's reader opens, so a copy of the directory gets one; lexicographer
file names do not take part in lemma lookup.
"""

import json
import os
import sys
import tempfile
import time

from nltk.corpus.reader.wordnet import WordNetCorpusReader
from nltk.stem.porter import PorterStemmer
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from nltk.translate.meteor_score import meteor_score

LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()


def open_wordnet(source):
    root = tempfile.mkdtemp(prefix="wordnet-")
    for name in os.listdir(source):
        os.symlink(os.path.join(source, name), os.path.join(root, name))
    if not os.path.exists(os.path.join(root, "lexnames")):
        with open(os.path.join(root, "lexnames"), "w") as f:
            for i, name in enumerate(LEXNAMES):
                kind = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}[name.split(".")[0]]
                f.write(f"{i:02d}\t{name}\t{kind}\n")
    return WordNetCorpusReader(root, None)


def bleu_all(pairs):
    smoothing = SmoothingFunction()
    out = {}
    for method in range(8):
        fn = getattr(smoothing, f"method{method}")
        scores = []
        for hyp, refs in pairs:
            try:
                scores.append(float(sentence_bleu(refs, hyp, smoothing_function=fn)))
            except (AssertionError, ZeroDivisionError, ValueError):
                scores.append(None)
        out[str(method)] = scores
    return out


def main():
    import warnings

    warnings.simplefilter("ignore")  # method0 warns on every zero n-gram count
    request = json.loads(sys.stdin.readline())
    task = request["task"]
    if task == "stem":
        stemmer = PorterStemmer()
        json.dump({"stems": [stemmer.stem(w) for w in request["words"]]}, sys.stdout)
        return
    wordnet = open_wordnet(request["wordnet"])
    pairs = request["pairs"]
    if task == "score":
        answer = {}
        if not request.get("skipBleu"):
            answer["bleu"] = bleu_all(pairs)
        if not request.get("skipMeteor"):
            answer["meteor"] = [meteor_score(refs, hyp, wordnet=wordnet) for hyp, refs in pairs]
        json.dump(answer, sys.stdout)
    elif task == "bench":
        wordnet.synsets("warm")  # loads the index before timing, as the TypeScript side does
        print("ready", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            t = time.perf_counter()
            if command == "bleu":
                for hyp, refs in pairs:
                    sentence_bleu(refs, hyp)
            elif command == "meteor":
                for hyp, refs in pairs:
                    meteor_score(refs, hyp, wordnet=wordnet)
            print(time.perf_counter() - t, flush=True)


if __name__ == "__main__":
    main()
