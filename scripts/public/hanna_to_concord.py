#!/usr/bin/env python3
"""Turn the HANNA story-evaluation benchmark into Concord import files.

HANNA (Chhun, Suchanek & Clavel, COLING 2022 / TACL 2024; MIT licence, github.com/dig-team/
hanna-benchmark-asg): 1,056 stories written for 96 WritingPrompts prompts by 11 systems
(including the human-written story), each rated 1-5 by 3 Amazon Mechanical Turk workers on 6
criteria, and rated again by LLMs.

Inputs (from the repository; see docs/public-dataset.md for the exact commands):
  hanna_metric_scores_llm.csv  one row per system; per criterion the 96 stories' scores of
                               annotation 1, 2 and 3 ("Human 1 RE" ...), and per LLM and
                               evaluation prompt 1-4 its score per story ("Beluga-13B RE 1" ...),
                               the mean of the LLM's three generations
  hanna_llm_stories.csv        the 96 prompts, in story-id order (story i of every system answers
                               prompt i mod 96)

Outputs in OUT: rubric.toml, responses.csv (item_id,prompt,response_id,model,response),
humans.csv and judges.csv (long: response_id,rater,attribute,score).

Raters are the annotation positions 1-3 of each story, not mTurk workers: the worker ids are
only in hanna_stories_annotations.csv, and a worker rated a few dozen stories at most, so a
worker-level matrix would be sparse (the alternative annotator test needs 30 shared items per
human). Each story's three annotations come from three different workers in no particular
order, so "annotation k" is an exchangeable random worker: the agreement between positions is
the agreement between two random crowd workers on a story.

Judge scores are on the rubric's integer scale: the mean of the LLM's three generations is
rounded half up; a mean outside 1-5 (the LLM's answer did not parse: HANNA codes it below 1)
is left out.
"""

import argparse
import csv
import json
import math
import random
import sys
from pathlib import Path

from concord_files import import_files

CRITERIA = [
    ("RE", "relevance", "Relevance", "How well the story matches its prompt."),
    ("CH", "coherence", "Coherence", "How much the story makes sense."),
    ("EM", "empathy", "Empathy", "How well the reader understood the characters' emotions."),
    ("SU", "surprise", "Surprise", "How surprising the end of the story was."),
    ("EG", "engagement", "Engagement", "How much the reader engaged with the story."),
    ("CX", "complexity", "Complexity", "How elaborate the story is."),
]
LEVELS = {1: "Not at all.", 2: "Slightly.", 3: "Moderately.", 4: "Mostly.", 5: "Completely."}
JUDGES = ["Beluga-13B", "Mistral-7B", "Llama-13B", "OrcaPlatypus", "ChatGPT"]
STORIES_PER_SYSTEM = 96


def rubric_toml() -> str:
    lines = [
        'name = "HANNA"',
        'description = "Story evaluation criteria of HANNA (Chhun et al. 2022), 1-5."',
        "scale = [1, 5]",
        "",
    ]
    for _, key, label, description in CRITERIA:
        lines += ["[[attribute]]", f'key = "{key}"', f'label = "{label}"',
                  f'description = "{description}"', "[attribute.levels]"]
        lines += [f'{k} = "{v}"' for k, v in LEVELS.items()] + [""]
    return "\n".join(lines)


def read_prompts(path: Path) -> list[str]:
    prompts: list[str] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Prompt"] not in prompts:
                prompts.append(row["Prompt"])
    if len(prompts) != STORIES_PER_SYSTEM:
        sys.exit(f"{path}: expected {STORIES_PER_SYSTEM} prompts, found {len(prompts)}")
    return prompts


def read_scores(path: Path) -> tuple[list[str], dict[str, dict[str, list[float]]]]:
    csv.field_size_limit(1 << 30)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    systems: list[str] = []
    columns: dict[str, dict[str, list[float]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        system = row[0]
        systems.append(system)
        columns[system] = {}
        for name, cell in zip(header[1:], row[1:]):
            if name.startswith("Human ") or any(name.startswith(j + " ") for j in JUDGES):
                values = json.loads(cell)
                if len(values) != STORIES_PER_SYSTEM:
                    sys.exit(f"{path}: row {number}, field '{name}': {len(values)} stories")
                columns[system][name] = values
    return systems, columns


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scores", type=Path, help="hanna_metric_scores_llm.csv")
    parser.add_argument("stories", type=Path, help="hanna_llm_stories.csv (for the prompts)")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--eval-prompt", type=int, default=1, choices=[1, 2, 3, 4],
                        help="which of the paper's four LLM evaluation prompts (default 1)")
    parser.add_argument("--human-share", type=float, default=1.0,
                        help="keep the human ratings of this random share of stories only "
                             "(to try `concord estimate` against the full-data means)")
    parser.add_argument("--seed", type=int, default=1, help="seed of --human-share's draw")
    args = parser.parse_args()

    prompts = read_prompts(args.stories)
    systems, columns = read_scores(args.scores)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rubric.toml").write_text(rubric_toml(), encoding="utf-8")

    left_out = {j: 0 for j in JUDGES}
    stories = len(systems) * STORIES_PER_SYSTEM
    kept = set(random.Random(args.seed).sample(range(stories), round(args.human_share * stories)))
    with import_files(args.out) as (responses, humans, judges):
        for s, system in enumerate(systems):
            for i in range(STORIES_PER_SYSTEM):
                story = s * STORIES_PER_SYSTEM + i
                response_id = f"story-{story:04d}"
                # The story texts are in hanna_stories_annotations.csv; the verdicts need only
                # the scores, so the response names the story instead of copying its text. The
                # names have one length, so the judges' length bias reads "no estimate" rather
                # than a slope on name lengths.
                responses.writerow([f"prompt-{i:02d}", prompts[i], response_id, system,
                                    f"HANNA story {story:04d}"])
                for code, key, _, _ in CRITERIA:
                    for k in (1, 2, 3) if story in kept else ():
                        humans.writerow([response_id, f"Annotation {k}", key,
                                         columns[system][f"Human {k} {code}"][i]])
                    for judge in JUDGES:
                        mean = columns[system][f"{judge} {code} {args.eval_prompt}"][i]
                        if not 1.0 <= mean <= 5.0:
                            left_out[judge] += 1
                            continue
                        judges.writerow([response_id, judge, key, round_half_up(mean)])
    print(json.dumps({"systems": len(systems), "stories": stories, "human_rated": len(kept),
                      "eval_prompt": args.eval_prompt, "judge_scores_left_out": left_out}))


if __name__ == "__main__":
    main()
