//! Command definitions and their thin handlers.

use std::path::{Path, PathBuf};

use crate::analysis;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::merge::{MergeConflict, MergeOptions, MergeSummary, Resolution};
use concord_core::{RaterKind, Rubric, Study};
use concord_io::export::{export, ExportLayout};
use concord_io::import::{
    import_ratings, import_responses, ColumnMap, RatingLayout, RESPONSE_FIELDS,
};

/// Concord: rate LLM responses on rubrics and measure agreement.
#[derive(Parser)]
#[command(name = "concord", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new study file with a rubric.
    New {
        file: PathBuf,
        /// Built-in template name (mentalbench) or a rubric TOML file.
        #[arg(long, default_value = "mentalbench")]
        rubric: String,
        /// Display name (defaults to the file name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Import prompts and responses (CSV, JSONL, Parquet; one row per response).
    Import {
        file: PathBuf,
        data: PathBuf,
        /// Column override, field=column (fields: item_id, prompt, response_id, model, response).
        #[arg(long = "map", value_name = "FIELD=COLUMN")]
        map: Vec<String>,
        #[arg(long)]
        format: Option<String>,
    },
    /// Ratings made elsewhere: earlier human rounds or LLM-judge scores.
    Ratings {
        #[command(subcommand)]
        command: RatingsCommand,
    },
    /// Export the current annotation set.
    Export {
        file: PathBuf,
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Layout::Long)]
        layout: Layout,
        #[arg(long)]
        format: Option<String>,
    },
    /// Counts of items, responses, raters and ratings.
    Info {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Check the file's integrity and the store's invariants.
    Check { file: PathBuf },
    /// Show a rubric (a study's, a template or a TOML file), validating it.
    Rubric {
        /// A study file, a template name or a rubric TOML file.
        source: String,
        #[arg(long)]
        json: bool,
    },
    /// List raters, or add one.
    Raters {
        file: PathBuf,
        /// Add a rater with this name.
        #[arg(long)]
        add: Option<String>,
        #[arg(long, value_enum, default_value_t = Kind::Human)]
        kind: Kind,
        #[arg(long)]
        json: bool,
    },
    /// Assign responses to raters: each response to OVERLAP of the named raters.
    Assign {
        file: PathBuf,
        /// Rater names, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        raters: Vec<String>,
        #[arg(long, default_value_t = 2)]
        overlap: usize,
    },
    /// Write one rater's package (their assigned responses and their own ratings).
    Package {
        file: PathBuf,
        #[arg(long)]
        rater: String,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Seal a rater package for return to the lead: a self-contained copy with every saved
    /// rating and a manifest the merge checks.
    Return {
        package: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Merge returned packages into a study: each is validated first and refused whole, with
    /// the row and the reason, if anything in it is wrong. Prints a receipt per package.
    Merge {
        file: PathBuf,
        #[arg(required = true)]
        packages: Vec<PathBuf>,
        /// The files are copies of this study (e.g. a co-lead's), not rater packages.
        #[arg(long)]
        copy: bool,
        /// Merge a package edited after its return anyway; the reason is kept in the receipt.
        #[arg(long, value_name = "REASON")]
        accept_altered: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the cells a rater edited in two copies after they diverged, or resolve one.
    Conflicts {
        file: PathBuf,
        /// Conflict id to resolve (see the list).
        #[arg(long, requires_all = ["keep", "by"])]
        resolve: Option<i64>,
        /// Which value to keep.
        #[arg(long, value_enum)]
        keep: Option<Keep>,
        /// Who decided.
        #[arg(long)]
        by: Option<String>,
        /// Also list resolved conflicts.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// List merge receipts.
    Merges {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Record ratings from standard input, one per line: `RESPONSE_ID ATTRIBUTE VALUE` (VALUE `-`
    /// clears). Each line is saved durably before `ok` is printed for it.
    Rate {
        file: PathBuf,
        #[arg(long)]
        rater: String,
    },
    /// Create a synthetic demo study with known properties.
    Demo(DemoArgs),
    /// Inter-rater and judge-vs-human agreement per attribute and group, with 95% CIs.
    Agreement(analysis::AgreementArgs),
    /// Draw one chart to an SVG or PNG file.
    Plot(analysis::PlotArgs),
    /// Write a self-contained HTML report (summary, methods, tables, all charts).
    Report(analysis::ReportArgs),
    /// Model scores with valid intervals: a few clinician ratings plus one judge's scores on
    /// every response (PPI++), with differences and a ranking.
    Estimate(crate::estimate::EstimateArgs),
    /// How many more ratings an interval width needs: human ICC, judge bias and limits, PPI++.
    Plan(crate::estimate::PlanArgs),
    /// Which responses clinicians should rate next (active sampling), optionally assigned.
    Next(crate::estimate::NextArgs),
    /// List responses the human raters disagree on most, for adjudication.
    Disagreements {
        file: PathBuf,
        #[arg(long)]
        attribute: Option<String>,
        /// Smallest max−min spread to list.
        #[arg(long, default_value_t = 2)]
        min_range: i64,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Record the adjudicated (gold) value of one response × attribute, or with --history list
    /// every gold value ever set (optionally for one RESPONSE).
    Gold {
        file: PathBuf,
        response: Option<String>,
        #[arg(requires = "value")]
        attribute: Option<String>,
        #[arg(requires = "by")]
        value: Option<i64>,
        /// Who decided.
        #[arg(long)]
        by: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long, conflicts_with_all = ["attribute", "value", "by"])]
        history: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show or change study settings.
    Settings {
        file: PathBuf,
        /// Hide models from raters (on/off).
        #[arg(long)]
        blind: Option<bool>,
        /// Flags raters can set, comma-separated.
        #[arg(long, value_delimiter = ',')]
        flags: Option<Vec<String>>,
        #[arg(long)]
        overlap: Option<u32>,
        /// JUDGE=MODEL: leave the judge's own model out of system-level analyses (repeatable).
        #[arg(long = "exclude-own", value_name = "JUDGE=MODEL")]
        exclude_own: Vec<String>,
        /// Who raters send returned packages to (shown to them when they return one).
        #[arg(long)]
        return_to: Option<String>,
    },
}

#[derive(Subcommand)]
enum RatingsCommand {
    /// Import ratings: long (response_id, rater, attribute, score) or wide (one column per attribute).
    Import {
        file: PathBuf,
        data: PathBuf,
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long, value_enum, default_value_t = Layout::Long)]
        layout: Layout,
        #[arg(long)]
        format: Option<String>,
    },
}

#[derive(Args)]
struct DemoArgs {
    out: PathBuf,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    #[arg(long, default_value_t = 40)]
    items: usize,
    #[arg(long, default_value_t = 3)]
    models: usize,
    #[arg(long, default_value_t = 3)]
    raters: usize,
    #[arg(long, default_value_t = 2)]
    judges: usize,
    /// Share of responses each human rates.
    #[arg(long, default_value_t = 1.0)]
    coverage: f64,
    /// Standard deviation of human noise (scale points).
    #[arg(long, default_value_t = 0.6)]
    noise: f64,
    /// Mean judge inflation (scale points); judge i of n gets inflation·i/n.
    #[arg(long, default_value_t = 0.7)]
    inflation: f64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Layout {
    Long,
    Wide,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Human,
    Llm,
}

impl From<Kind> for RaterKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Human => RaterKind::Human,
            Kind::Llm => RaterKind::Llm,
        }
    }
}

pub(crate) fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serializable")
    );
}

fn rater_id(study: &Study, name: &str) -> Result<String> {
    Ok(study
        .find_rater(name)?
        .with_context(|| format!("no rater named '{name}' in {}", study.path().display()))?
        .id)
}

fn rate(file: &Path, rater: &str) -> Result<()> {
    use std::io::{BufRead, Write};
    let study = Study::open(file)?;
    let rater = rater_id(&study, rater)?;
    let response_ids = study.response_ids()?;
    let mut out = std::io::stdout().lock();
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [response, attribute, value] = parts[..] else {
            bail!("stdin line {}: expected RESPONSE_ID ATTRIBUTE VALUE", n + 1);
        };
        let id = response_ids
            .get(response)
            .with_context(|| format!("stdin line {}: unknown response '{response}'", n + 1))?;
        let value = match value {
            "-" => None,
            v => Some(
                v.parse()
                    .with_context(|| format!("stdin line {}: '{v}' is not an integer", n + 1))?,
            ),
        };
        let event = study.set_rating(&rater, id, attribute, value)?;
        writeln!(
            out,
            "ok {} {response} {attribute} {}",
            event.id,
            value_text(value)
        )?;
        out.flush()?;
    }
    // Fold the log into the file so that the study file alone holds every rating.
    study.close()?;
    Ok(())
}

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::New { file, rubric, name } => {
            let rubric = Rubric::builtin_or_file(&rubric)?;
            let name = name.unwrap_or_else(|| {
                file.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            });
            Study::create(&file, &name, &rubric)?;
            println!(
                "created {} with rubric {} ({} attributes)",
                file.display(),
                rubric.name,
                rubric.attributes.len()
            );
        }
        Command::Import {
            file,
            data,
            map,
            format,
        } => {
            let study = Study::open(&file)?;
            let map = ColumnMap::parse(&map, &RESPONSE_FIELDS)?;
            let s = import_responses(&study, &data, format.as_deref(), &map)?;
            println!(
                "{}: {} rows: {} items and {} responses added, {} already present",
                data.display(),
                s.rows,
                s.items_added,
                s.responses_added,
                s.unchanged
            );
        }
        Command::Ratings {
            command:
                RatingsCommand::Import {
                    file,
                    data,
                    kind,
                    layout,
                    format,
                },
        } => {
            let study = Study::open(&file)?;
            let layout = match layout {
                Layout::Long => RatingLayout::Long,
                Layout::Wide => RatingLayout::Wide,
            };
            let s = import_ratings(&study, &data, format.as_deref(), layout, kind.into())?;
            println!(
                "{}: {} rows: {} ratings and {} rationales added, {} raters created, {} values unchanged",
                data.display(),
                s.rows,
                s.ratings_added,
                s.notes_added,
                s.raters_added,
                s.unchanged
            );
        }
        Command::Export {
            file,
            out,
            layout,
            format,
        } => {
            let study = Study::open(&file)?;
            let layout = match layout {
                Layout::Long => ExportLayout::Long,
                Layout::Wide => ExportLayout::Wide,
            };
            let s = export(&study, &out, format.as_deref(), layout)?;
            println!("wrote {} rows to {}", s.rows, out.display());
        }
        Command::Info { file, json } => {
            let study = Study::open(&file)?;
            if let Some(warning) = study.storage_warning() {
                eprintln!("warning: {warning}");
            }
            let info = study.info()?;
            if json {
                print_json(&info);
            } else {
                println!("{}", info.name);
                println!("  items      {}", info.items);
                println!("  responses  {}", info.responses);
                println!(
                    "  raters     {} human, {} LLM",
                    info.raters.human, info.raters.llm
                );
                println!(
                    "  ratings    {} current values ({} events)",
                    info.ratings, info.events
                );
            }
        }
        Command::Check { file } => {
            let study = Study::open(&file)?;
            if let Some(warning) = study.storage_warning() {
                eprintln!("warning: {warning}");
            }
            let problems = study.check()?;
            if !problems.is_empty() {
                bail!("{}: {}", file.display(), problems.join("; "));
            }
            println!("{}: ok", file.display());
        }
        Command::Rubric { source, json } => {
            let rubric = if Path::new(&source)
                .extension()
                .is_some_and(|e| e == "concord")
            {
                Study::open(Path::new(&source))?.rubric()?
            } else {
                Rubric::builtin_or_file(&source)?
            };
            if json {
                print_json(&rubric);
            } else {
                println!(
                    "{} ({} attributes; flags: {})",
                    rubric.name,
                    rubric.attributes.len(),
                    rubric.flags.join(", ")
                );
                for a in &rubric.attributes {
                    let group = a.group.as_deref().unwrap_or("-");
                    println!(
                        "  {:<18} {:<5} {}–{}  {}",
                        a.key, group, a.scale_min, a.scale_max, a.description
                    );
                }
            }
        }
        Command::Raters {
            file,
            add,
            kind,
            json,
        } => {
            let study = Study::open(&file)?;
            if let Some(name) = add {
                let r = study.add_rater(&name, kind.into())?;
                println!("added {} ({})", r.name, r.kind.as_str());
                return Ok(());
            }
            let raters = study.raters()?;
            if json {
                print_json(&raters);
            } else {
                for r in raters {
                    let p = study.progress(&r.id)?;
                    println!(
                        "{:<24} {:<6} {} / {} assigned rated",
                        r.name,
                        r.kind.as_str(),
                        p.done,
                        p.total
                    );
                }
            }
        }
        Command::Assign {
            file,
            raters,
            overlap,
        } => {
            let study = Study::open(&file)?;
            let ids = raters
                .iter()
                .map(|n| rater_id(&study, n))
                .collect::<Result<Vec<_>>>()?;
            let added = study.assign_with_overlap(&ids, overlap)?;
            for (name, n) in raters.iter().zip(added) {
                println!("{name}: {n} responses assigned");
            }
        }
        Command::Package { file, rater, out } => {
            let study = Study::open(&file)?;
            let id = study.export_package(&rater_id(&study, &rater)?, &out)?;
            println!("wrote package {id} for {rater} to {}", out.display());
        }
        Command::Return { package, out, json } => {
            let returned = Study::open(&package)?.return_package(&out)?;
            if json {
                print_json(&returned);
            } else {
                println!("{}", returned.message);
                println!(
                    "sha256 of its events: {}",
                    returned.manifest.events_sha256.as_deref().unwrap_or("")
                );
            }
        }
        Command::Merge {
            file,
            packages,
            copy,
            accept_altered,
            json,
        } => {
            let study = Study::open(&file)?;
            let opts = MergeOptions {
                copy,
                accept_altered,
            };
            let mut summaries = Vec::new();
            for p in &packages {
                let s = study.merge(p, &opts)?;
                if !json {
                    print_receipt(&s);
                }
                summaries.push(s);
            }
            if json {
                print_json(&summaries);
            }
        }
        Command::Conflicts {
            file,
            resolve,
            keep,
            by,
            all,
            json,
        } => {
            let study = Study::open(&file)?;
            if let (Some(id), Some(keep), Some(by)) = (resolve, keep, by) {
                let c = study.resolve_conflict(id, keep.into(), &by)?;
                if json {
                    print_json(&c);
                } else {
                    println!(
                        "conflict {id} resolved: {} / {} / {} = {}",
                        c.rater,
                        c.response_id,
                        c.attribute,
                        value_text(c.current)
                    );
                }
            } else {
                let list = if all {
                    study.conflict_history()?
                } else {
                    study.conflicts()?
                };
                if json {
                    print_json(&list);
                } else if list.is_empty() {
                    println!("no open conflicts");
                } else {
                    for c in &list {
                        print_conflict(c);
                    }
                }
            }
        }
        Command::Merges { file, json } => {
            let history = Study::open(&file)?.merge_history()?;
            if json {
                print_json(&history);
            } else {
                for s in &history {
                    print_receipt(s);
                }
            }
        }
        Command::Rate { file, rater } => rate(&file, &rater)?,
        Command::Disagreements {
            file,
            attribute,
            min_range,
            limit,
            json,
        } => {
            let list = Study::open(&file)?.disagreements(attribute.as_deref(), min_range, limit)?;
            if json {
                print_json(&list);
            } else {
                for d in list {
                    let values: Vec<String> =
                        d.values.iter().map(|(r, v)| format!("{r}={v}")).collect();
                    let gold = d.gold.map(|g| format!("  gold={g}")).unwrap_or_default();
                    println!(
                        "{:<24} {:<16} range {}  {}{gold}",
                        d.response_id,
                        d.attribute,
                        d.range,
                        values.join(" ")
                    );
                }
            }
        }
        Command::Gold {
            file,
            response,
            attribute,
            value,
            by,
            reason,
            history,
            json,
        } => {
            let study = Study::open(&file)?;
            if history {
                let events = study.gold_history(response.as_deref())?;
                if json {
                    print_json(&events);
                } else {
                    for g in events {
                        println!(
                            "{}  {:<24} {:<16} {}  by {}{}",
                            g.at,
                            g.response_id,
                            g.attribute,
                            g.value,
                            g.adjudicator,
                            if g.reason.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", g.reason)
                            }
                        );
                    }
                }
            } else {
                let (Some(response), Some(attribute), Some(value), Some(by)) =
                    (response, attribute, value, by)
                else {
                    bail!("give RESPONSE ATTRIBUTE VALUE and --by NAME, or --history");
                };
                let g = study.set_gold(&response, &attribute, value, &by, &reason)?;
                if json {
                    print_json(&g);
                } else {
                    println!(
                        "gold {} / {} = {} (by {})",
                        g.response_id, g.attribute, g.value, g.adjudicator
                    );
                }
            }
        }
        Command::Agreement(a) => analysis::agreement(a)?,
        Command::Plot(a) => analysis::plot(a)?,
        Command::Report(a) => analysis::report(a)?,
        Command::Estimate(a) => crate::estimate::estimate(a)?,
        Command::Plan(a) => crate::estimate::plan(a)?,
        Command::Next(a) => crate::estimate::next(a)?,
        Command::Settings {
            file,
            blind,
            flags,
            overlap,
            exclude_own,
            return_to,
        } => {
            let study = Study::open(&file)?;
            let mut settings = study.settings()?;
            if let Some(b) = blind {
                settings.blind = b;
            }
            if let Some(f) = flags {
                settings.flags = f;
            }
            if let Some(o) = overlap {
                settings.overlap_target = o;
            }
            for (judge, model) in analysis::parse_pairs(&exclude_own)? {
                settings.exclude_own.entry(judge).or_default().push(model);
            }
            if let Some(to) = return_to {
                settings.return_to = to.trim().to_string();
            }
            print_json(&study.set_settings(&settings)?);
        }
        Command::Demo(a) => {
            let opts = DemoOptions {
                seed: a.seed,
                items: a.items,
                models: a.models,
                raters: a.raters,
                judges: a.judges,
                coverage: a.coverage,
                noise: a.noise,
                inflation: a.inflation,
                ..DemoOptions::default()
            };
            if !(0.0..=1.0).contains(&opts.coverage) {
                bail!("--coverage must be between 0 and 1");
            }
            let study = create_demo(&a.out, &opts)?;
            let info = study.info()?;
            println!(
                "created {}: {} items, {} responses, {} human raters, {} judges, {} ratings",
                a.out.display(),
                info.items,
                info.responses,
                info.raters.human,
                info.raters.llm,
                info.ratings
            );
        }
    }
    Ok(())
}

/// Which value a resolved conflict keeps.
#[derive(Clone, Copy, ValueEnum)]
enum Keep {
    /// The value the study held before the merge.
    Here,
    /// The merged package's value.
    Incoming,
    /// What the cell shows now.
    Current,
}

impl From<Keep> for Resolution {
    fn from(k: Keep) -> Resolution {
        match k {
            Keep::Here => Resolution::Here,
            Keep::Incoming => Resolution::Incoming,
            Keep::Current => Resolution::Current,
        }
    }
}

fn value_text(v: Option<i64>) -> String {
    v.map_or_else(|| "(empty)".to_string(), |v| v.to_string())
}

fn print_receipt(s: &MergeSummary) {
    if s.already_merged {
        println!("{}: already merged; nothing to do", s.file);
        return;
    }
    println!(
        "{}: merged {} ({} events, {} notes, {} gold; {} cells changed; {} conflicts)",
        s.file,
        s.kind,
        s.events_added,
        s.notes_added,
        s.gold_added,
        s.cells_changed,
        s.conflicts.len()
    );
    if let Some(reason) = &s.accepted_altered {
        println!("  accepted although altered after return: {reason}");
    }
    for r in &s.raters {
        println!(
            "  {}: {} events added, {} cells changed, {} conflicts",
            r.rater, r.events_added, r.cells_changed, r.conflicts
        );
    }
    for c in &s.conflicts {
        print_conflict(c);
    }
}

fn print_conflict(c: &MergeConflict) {
    let state = match &c.resolved {
        Some(r) => format!(
            "resolved to {} by {} at {}",
            value_text(r.value),
            r.by,
            r.at
        ),
        None => format!("now {}", value_text(c.current)),
    };
    println!(
        "  conflict {}: {} on {} / {}: here {}, incoming {}; {state}",
        c.id,
        c.rater,
        c.response_id,
        c.attribute,
        value_text(c.here),
        value_text(c.incoming)
    );
}
