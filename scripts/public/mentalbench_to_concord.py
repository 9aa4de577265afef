#!/usr/bin/env python3
"""Turn MentalBench-Align's released ratings into Concord import files, and compare Concord's
system-level ICCs with the paper's published table.

MentalBench-Align (Badawi et al. 2025, arXiv 2510.19032; MIT licence,
github.com/abeerbadawi/MentalBench-Align): 1,000 mental-health conversations, each answered by
the original human response and 9 LLMs, every response rated 1-5 on 7 attributes by clinicians
(MentalAlign-70k/Human_Judge/Human_judge.xlsx, one score per response and attribute) and by 4
LLM judges (MentalAlign-70k/LLMs_as_a_judge/*_llm_judge.xlsx). Each cell holds the rater's JSON
answer, e.g. {"Guidance": 4, ...}; rows are conversations (ConvID 1-1000), columns the 10
responses.

  convert SRC OUT   SRC holds Human_judge.xlsx and {claude,gemini,gpt-4o,o4-mini}_llm_judge.xlsx.
                    Writes to OUT: rubric.toml, responses.csv (item_id,prompt,response_id,model,
                    response), humans.csv and judges.csv (long: response_id,rater,attribute,score).
  compare JSON MD   JSON is `concord agreement --json --unit model` output, MD the repository's
                    "Results/ICC Reliability Analysis.md"; prints the comparison as Markdown.

End to end (docs/public-dataset.md; needs `pip install openpyxl`):

  G=/path/to/MentalBench-Align/.git           # a clone, or a bare mirror (no work tree)
  mkdir -p mb-src mb
  for f in Human_Judge/Human_judge.xlsx \\
           LLMs_as_a_judge/{claude,gemini,gpt-4o,o4-mini}_llm_judge.xlsx
  do git --git-dir=$G show "HEAD:MentalAlign-70k/$f" > mb-src/$(basename $f); done
  git --git-dir=$G show "HEAD:Results/ICC Reliability Analysis.md" > mb-src/published.md
  python3 mentalbench_to_concord.py convert mb-src mb
  concord new mb.concord --rubric mb/rubric.toml
  concord import mb.concord mb/responses.csv
  concord ratings import mb.concord mb/humans.csv --kind human
  concord ratings import mb.concord mb/judges.csv --kind llm
  concord check mb.concord
  concord agreement mb.concord --json --unit model \\
      --exclude-own "Claude-3.7-Sonnet=Claude-3.5-Haiku" --exclude-own "GPT-4o=gpt-4o" \\
      --exclude-own "Gemini-2.5-Flash=Gemini 2.0-Flash" --exclude-own "o4-mini=gpt-4omini" > mb.json
  python3 mentalbench_to_concord.py compare mb.json mb-src/published.md

What the conversion decides, as the paper's analysis script (Codes/analysis/
icc_corrected_with_bootstrap_ci.py) did:

- Items are conversations, responses are (conversation, system); the 10 systems carry the
  script's names ('Human' is the dataset's original response, column *_original). Judges carry
  the published table's names; each judge's own model is left out (JUDGE_OWN_MODEL below).
- Human and judge rows are paired by ConvID. The human file's context text differs from the
  judges' on 19 rows (shifted by one row on 18); pairing by ConvID, not by text, is what
  reproduces the published table. The prompt is the judges' text (all four files agree).
- A score is the attribute's value in the cell's JSON after stripping a ```json fence. An empty
  cell, a null value, or a cell that is not JSON (prose before the JSON, an unescaped quote in
  the explanation, curly quotes: 7 Claude, 1 Gemini, 3 o4-mini answers) gives no score.
- The clinicians' scores are kept as released, including 0 (231 scores: 33 responses scored 0 on
  every attribute, empty "nan" responses or non-replies) and 6 (8 scores); the script averages
  them as numbers, so the rubric written here spans 0-6. With --scale-1-5 those 239 scores are
  left out instead, and the built-in rubric fits (`concord new ... --rubric mentalbench`).
- The response texts are in MentalBench-100k.zip, which is not needed for the ICCs: each
  response reads "MentalBench response 0001-03" (names of one length).
"""

import argparse
import json
import re
import sys
from pathlib import Path

from concord_files import import_files

ATTRIBUTES = ["Guidance", "Informativeness", "Relevance", "Safety",
              "Empathy", "Helpfulness", "Understanding"]
GROUP = {"Guidance": "CSS", "Informativeness": "CSS", "Relevance": "CSS", "Safety": "CSS",
         "Empathy": "ARS", "Helpfulness": "ARS", "Understanding": "ARS"}
# Column suffix in the xlsx files -> system name in the paper's analysis script.
SYSTEMS = {
    "original": "Human", "claude": "Claude-3.5-Haiku", "ds_llama": "deepseek-llama",
    "ds_qwen": "deepseek-qwen", "gemini": "Gemini 2.0-Flash", "gpt4o": "gpt-4o",
    "gpt4omini": "gpt-4omini", "llama_3": "Llama-3.1", "qwen_2": "Qwen-2.5", "qwen_3": "Qwen-3",
}
# Judge file stem -> judge name in the published table.
JUDGES = {"claude": "Claude-3.7-Sonnet", "gpt-4o": "GPT-4o",
          "gemini": "Gemini-2.5-Flash", "o4-mini": "o4-mini"}
# The script's self-exclusions: Claude judge without Claude-3.5-Haiku, GPT-4o without gpt-4o,
# Gemini without Gemini 2.0-Flash, o4-mini without gpt-4omini.
JUDGE_OWN_MODEL = {"Claude-3.7-Sonnet": "Claude-3.5-Haiku", "GPT-4o": "gpt-4o",
                   "Gemini-2.5-Flash": "Gemini 2.0-Flash", "o4-mini": "gpt-4omini"}
HUMAN_RATER = "Clinicians"
LEVELS = {0: "Released score 0: the clinicians' score of an empty or non-reply response.",
          1: "Very poor.", 2: "Poor.", 3: "Moderate.", 4: "Good.", 5: "Excellent.",
          6: "Released score 6: above the 1-5 scale (8 clinician scores)."}


def read_sheet(path: Path) -> dict[int, dict[str, object]]:
    """Rows of the first sheet by ConvID; header names stripped ("' human_response_claude'")."""
    try:
        from openpyxl import load_workbook
    except ImportError:
        sys.exit("reading the xlsx files needs openpyxl: pip install openpyxl")
    rows = load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    header = [str(h).strip() for h in next(rows)]
    table: dict[int, dict[str, object]] = {}
    for row in rows:
        if row and row[0] is not None:
            cells = list(row) + [None] * (len(header) - len(row))
            table[int(float(row[0]))] = dict(zip(header, cells))
    return table


def scores(cell: object) -> dict[str, object] | None:
    """The rater's JSON answer, or None when the cell is empty or not JSON."""
    if cell is None:
        return None
    text = str(cell).strip()
    if text.startswith("```json"):
        text = text.replace("```json", "").replace("```", "").strip()
    try:
        answer = json.loads(text)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def rubric_toml(low: int, high: int) -> str:
    lines = ['name = "MentalBench (as released)"',
             'description = "MentalBench-Align attributes; scale widened to hold the released '
             f'clinician scores {low}-{high}."',
             f"scale = [{low}, {high}]", "", "[groups]",
             'CSS = "Cognitive support"', 'ARS = "Affective resonance"', ""]
    for a in ATTRIBUTES:
        lines += ["[[attribute]]", f'key = "{a.lower()}"', f'label = "{a}"',
                  f'group = "{GROUP[a]}"', "[attribute.levels]"]
        lines += [f'{k} = "{v}"' for k, v in LEVELS.items() if low <= k <= high] + [""]
    return "\n".join(lines)


def convert(args: argparse.Namespace) -> None:
    low, high = (1, 5) if args.scale_1_5 else (0, 6)
    humans = read_sheet(args.src / "Human_judge.xlsx")
    judges = {name: read_sheet(args.src / f"{stem}_llm_judge.xlsx")
              for stem, name in JUDGES.items()}
    first = judges[JUDGES["claude"]]
    if sorted(humans) != sorted(first) or any(sorted(t) != sorted(first) for t in judges.values()):
        sys.exit("the five files do not hold the same ConvIDs")
    context_differs = sum(str(humans[c]["context"]).strip() != str(first[c]["context"]).strip()
                          for c in first)

    def column(row: dict[str, object], prefix: str, key: str) -> object:
        # Older releases name the original response's column *_human, this one *_original.
        return row.get(f"{prefix}_{key}", row.get(f"{prefix}_human") if key == "original" else None)

    def write(writer, response_id: str, rater: str, answer: dict | None, tally: dict) -> None:
        if answer is None:
            tally["no_json"] += 1
            return
        for a in ATTRIBUTES:
            try:
                value = float(answer.get(a))
            except (TypeError, ValueError):  # null, "" or absent
                tally["no_value"] += 1
                continue
            if not value.is_integer() or not low <= value <= high:
                tally["off_scale"] += 1
            else:
                writer.writerow([response_id, rater, a.lower(), int(value)])
                tally["written"] += 1

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rubric.toml").write_text(rubric_toml(low, high), encoding="utf-8")
    tallies = {r: dict.fromkeys(["written", "no_json", "no_value", "off_scale"], 0)
               for r in [HUMAN_RATER, *JUDGES.values()]}
    with import_files(args.out) as (responses, human_out, judge_out):
        for conv in sorted(first):
            for s, (key, system) in enumerate(SYSTEMS.items()):
                response_id = f"conv-{conv:04d}-{key}"
                text = f"MentalBench response {conv:04d}-{s:02d}"
                responses.writerow([f"conv-{conv:04d}", str(first[conv]["context"]).strip(),
                                    response_id, system, text])
                write(human_out, response_id, HUMAN_RATER,
                      scores(column(humans[conv], "human_response", key)), tallies[HUMAN_RATER])
                for name, table in judges.items():
                    write(judge_out, response_id, name,
                          scores(column(table[conv], "judge_response", key)), tallies[name])
    print(json.dumps({"conversations": len(first), "responses": len(first) * len(SYSTEMS),
                      "scale": [low, high], "human_context_differs": context_differs,
                      "scores": tallies,
                      "exclude_own": [f"{j}={m}" for j, m in JUDGE_OWN_MODEL.items()]}))


def published(path: Path) -> dict[tuple[str, str], dict]:
    """The 28 rows of the published table (the judge is named on its first row only)."""
    rows, judge = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("*").strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not re.fullmatch(r"-?\d\.\d+", cells[3]):
            continue
        judge = cells[0] or judge
        lo, hi = (float(x) for x in re.findall(r"-?\d\.\d+", cells[4]))
        rows[(judge, cells[2].lower())] = {
            "c1": float(cells[3]), "ci": (lo, hi), "a1": float(cells[5]),
            "width": float(cells[6]), "class": cells[7].split()[-1]}
    return rows


def compare(args: argparse.Namespace) -> None:
    """One row per judge x attribute. Concord's CI and width are `reliability_class.ci95` and
    `ci_width`: the interval the class is read from, replicates outside [0, 1] dropped as the
    paper's script does (the `ci95` of ICC(C,1) keeps every replicate)."""
    report = json.loads(args.agreement.read_text(encoding="utf-8"))
    if report["options"]["unit"] != "model":
        sys.exit("the comparison needs `concord agreement --unit model`")
    ours = {(j["judge"], a["attribute"]): j for a in report["attributes"] for j in a["judges"]}
    print("| judge | attribute | models | ICC(C,1) paper | Concord | \\|Δ\\| | ICC(A,1) paper "
          "| Concord | \\|Δ\\| | 95% CI paper | Concord | CI width paper | Concord "
          "| class paper | Concord |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst = {"c1": (0.0, ""), "a1": (0.0, "")}
    same_class = rows = 0
    for (judge, attribute), p in published(args.published).items():
        j = ours.get((judge, attribute))
        if j is None:
            sys.exit(f"no judge '{judge}' with attribute '{attribute}' in {args.agreement}")
        c1, a1 = j["icc"]["ICC_C1"], j["icc"]["ICC_A1"]
        klass = j.get("reliability_class", {})
        lo, hi = klass.get("ci95") or (None, None)
        width = klass.get("ci_width")
        cells = []
        for key, est in (("c1", c1), ("a1", a1)):
            d = abs(est["value"] - p[key])
            if d > worst[key][0]:
                worst[key] = (d, f"{judge} {attribute}")
            cells.append(f"{p[key]:.3f} | {est['value']:.3f} | {d:.3f}")
        rows += 1
        same_class += klass.get("class") == p["class"]
        print(f"| {judge} | {attribute} | {j['n_targets']} | {cells[0]} | {cells[1]} "
              f"| [{p['ci'][0]:.3f}, {p['ci'][1]:.3f}] "
              f"| {'–' if lo is None else f'[{lo:.3f}, {hi:.3f}]'} "
              f"| {p['width']:.3f} | {'–' if width is None else f'{width:.3f}'} "
              f"| {p['class']} | {klass.get('class', '–')} |")
    print()
    for key, label in (("c1", "ICC(C,1)"), ("a1", "ICC(A,1)")):
        d, where = worst[key]
        print(f"max |Δ| {label}: {d:.4f} ({where})")
    print(f"same class: {same_class} of {rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="the xlsx files to Concord import files")
    c.add_argument("src", type=Path, help="folder with Human_judge.xlsx and the judge xlsx files")
    c.add_argument("out", type=Path, help="output folder")
    c.add_argument("--scale-1-5", action="store_true",
                   help="leave out clinician scores outside 1-5 (then --rubric mentalbench fits)")
    c.set_defaults(run=convert)
    m = sub.add_parser("compare", help="Concord's model-level ICCs beside the published table")
    m.add_argument("agreement", type=Path, help="concord agreement --json --unit model output")
    m.add_argument("published", type=Path, help='"Results/ICC Reliability Analysis.md"')
    m.set_defaults(run=compare)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
