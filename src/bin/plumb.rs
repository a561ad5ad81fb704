//! `plumb`: the native command-line interface, a thin shell over `plumb::core`.
//!
//! `plumb audit <log> [--current <log>] [--split-…] [--score COL] [--label COL] …` prints the
//! JSON report (schema `plumb.report/v1`), the same serializer the browser's export uses.
//! `plumb summarize <log> [--segment COL] [--split-at TS] > summary.csv` writes the summary
//! file (`docs/summary-input.md`) that `plumb audit summary.csv` reads.
//! Exit codes: 0 success (and every gate passed), 1 a gate failed, 2 usage or input error.

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    use clap::{Args, Parser, Subcommand, ValueEnum};

    use plumb::core::analysis;
    use plumb::core::export::{Decision, SignOff, html, markdown};
    use plumb::core::gates;
    use plumb::core::report::{
        BinStrategy, CostMatrix, IntervalMethod, ScoreTransform, Settings, WindowSpec,
    };

    /// Plumb: calibration, discrimination and drift of a model's prediction log.
    #[derive(Parser, Debug)]
    #[command(name = "plumb", version, about, long_about = None)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    // Parsed once per process: the size difference between the variants does not matter.
    #[allow(clippy::large_enum_variant)]
    #[derive(Subcommand, Debug)]
    enum Command {
        /// Analyse a prediction log (optionally against a second one) and print the JSON report.
        Audit(AuditArgs),
        /// Write monitoring exports derived from a reference log: Prometheus alerting and
        /// recording rules, an Alertmanager policy and a Grafana dashboard.
        Alerts(AlertsArgs),
        /// Write the summary file of a log (per-cell counts and sums by window, segment and
        /// label; docs/summary-input.md), the same format the SQL in sql/ produces.
        Summarize(SummarizeArgs),
    }

    #[derive(Args, Debug)]
    struct SummarizeArgs {
        /// The log to summarise.
        log: PathBuf,
        /// The score column (detected when omitted).
        #[arg(long)]
        score: Option<String>,
        /// The label column (detected when omitted).
        #[arg(long)]
        label: Option<String>,
        /// The label value counted as positive (detected when omitted).
        #[arg(long)]
        positive: Option<String>,
        /// A segment column: one summary per value (default: one segment, `(all)`).
        #[arg(long)]
        segment: Option<String>,
        /// Split by time: rows before this timestamp are `reference`, the rest `current`.
        #[arg(long, conflicts_with = "split_fraction")]
        split_at: Option<String>,
        /// Split by row order in time: the first fraction F is `reference`.
        #[arg(long)]
        split_fraction: Option<f64>,
        /// Equal-width cells of [0, 1].
        #[arg(long, default_value_t = plumb::core::summary::DEFAULT_BUCKETS)]
        buckets: u32,
        /// Write here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    }

    #[derive(Args, Debug)]
    struct AlertsArgs {
        /// The reference log the alert levels are derived from (needs a timestamp column).
        log: PathBuf,
        /// The current log (read with the reference's roles); its operational summary is
        /// written beside the exports as `plumb-operations-current.json`.
        #[arg(long)]
        current: Option<PathBuf>,
        /// The score column (detected when omitted).
        #[arg(long)]
        score: Option<String>,
        /// The timestamp column (detected when omitted).
        #[arg(long)]
        timestamp: Option<String>,
        /// The latency column, in milliseconds (detected when omitted).
        #[arg(long)]
        latency: Option<String>,
        /// The status or error column (detected when omitted).
        #[arg(long)]
        status: Option<String>,
        /// Decision threshold for the predicted-positive rate.
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Time-bucket width (default: the finest the data allows).
        #[arg(long, value_enum)]
        granularity: Option<GranularityArg>,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum GranularityArg {
        Minute,
        Hour,
        Day,
    }

    impl From<GranularityArg> for plumb::core::ops::Granularity {
        fn from(g: GranularityArg) -> Self {
            match g {
                GranularityArg::Minute => Self::Minute,
                GranularityArg::Hour => Self::Hour,
                GranularityArg::Day => Self::Day,
            }
        }
    }

    #[derive(Args, Debug)]
    struct AuditArgs {
        /// The prediction log (CSV/TSV, optionally .gz). With --current, the reference window.
        log: PathBuf,
        /// A second log: the current window, mapped with the first log's columns.
        #[arg(long, conflicts_with_all = ["split_at", "split_fraction", "split_column"])]
        current: Option<PathBuf>,
        /// Split one log by time: rows before this timestamp (ISO 8601 or epoch seconds) are the
        /// reference, the rest the current window.
        #[arg(long, conflicts_with_all = ["split_fraction", "split_column"])]
        split_at: Option<String>,
        /// Split one log by row order in time: the first fraction F (0 < F < 1) is the reference.
        #[arg(long, conflicts_with = "split_column")]
        split_fraction: Option<f64>,
        /// Split one log by a column's value: COL=REF_VALUE,CUR_VALUE (e.g. model_version=v2,v3).
        #[arg(long)]
        split_column: Option<String>,
        /// The score column (detected when omitted).
        #[arg(long)]
        score: Option<String>,
        /// How the score becomes a probability.
        #[arg(long, value_enum)]
        score_transform: Option<TransformArg>,
        /// The label column (detected when omitted).
        #[arg(long)]
        label: Option<String>,
        /// The label value counted as positive (detected when omitted).
        #[arg(long)]
        positive: Option<String>,
        /// A challenger score column compared with the champion --score on the same rows
        /// (repeatable; replaces the detected challengers). COL:TRANSFORM (identity, percent
        /// or logit) gives the challenger its own transform; plain COL reads it with the
        /// score's transform.
        #[arg(
            long = "challenger",
            value_name = "COL[:TRANSFORM]",
            conflicts_with = "no_challengers"
        )]
        challengers: Vec<String>,
        /// Compare no challengers, even if some are detected.
        #[arg(long)]
        no_challengers: bool,
        /// Reliability bins.
        #[arg(long, default_value_t = 10)]
        bins: usize,
        /// Binning strategy, as scikit-learn's calibration_curve.
        #[arg(long, value_enum, default_value_t = StrategyArg::Uniform)]
        strategy: StrategyArg,
        /// Interval for the observed rate per bin.
        #[arg(long, value_enum, default_value_t = IntervalArg::ClopperPearson)]
        interval: IntervalArg,
        /// Decision threshold (positive iff score ≥ threshold).
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// Cost of a false positive (expected cost and the cost-optimal threshold).
        #[arg(long, default_value_t = 1.0)]
        cost_fp: f64,
        /// Cost of a false negative.
        #[arg(long, default_value_t = 1.0)]
        cost_fn: f64,
        /// Time-bucket width of the operational view (`operations`; default: the finest the
        /// data allows).
        #[arg(long, value_enum)]
        granularity: Option<GranularityArg>,
        /// Acceptance gates (TOML, `[[gate]]` tables). Exit code 1 when a gate fails.
        #[arg(long)]
        gates: Option<PathBuf>,
        /// Output format: the JSON report, a Markdown summary for a pull request or ticket, or a
        /// self-contained HTML report (inline CSS and SVG charts, no script).
        #[arg(long, value_enum, default_value_t = FormatArg::Json)]
        format: FormatArg,
        /// Sign-off: the reviewer's name.
        #[arg(long, requires = "decision")]
        reviewer: Option<String>,
        /// Sign-off: the decision.
        #[arg(long, value_enum, requires = "reviewer")]
        decision: Option<DecisionArg>,
        /// Sign-off: the rationale (and any conditions).
        #[arg(long, default_value = "", requires = "reviewer")]
        rationale: String,
        /// Drift over time: chunks of the current window by `auto`, `day`, `week` or a number of
        /// rows (e.g. 500).
        #[arg(long, default_value = "auto")]
        chunking: String,
        /// Drift method: METHOD for every column, or COL=METHOD for one column (repeatable).
        /// Methods: ks, chi2, psi, wasserstein_norm, js_distance, kl, hellinger.
        #[arg(long)]
        drift_method: Vec<String>,
        /// Write the report here instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum FormatArg {
        Json,
        Md,
        Html,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum DecisionArg {
        Approve,
        ApproveWithConditions,
        Reject,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum StrategyArg {
        Uniform,
        Quantile,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum IntervalArg {
        ClopperPearson,
        Wilson,
    }

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum TransformArg {
        Identity,
        Percent,
        Logit,
    }

    /// `COL[:TRANSFORM]` of `--challenger`: the suffix after the last `:` is a transform only
    /// when it names one (`identity`, `percent`, `logit`), so a column name with a colon in it
    /// still works.
    fn challenger_arg(arg: &str) -> (&str, Option<ScoreTransform>) {
        if let Some((column, suffix)) = arg.rsplit_once(':') {
            let t = match suffix.trim().to_ascii_lowercase().as_str() {
                "identity" => Some(ScoreTransform::Identity),
                "percent" => Some(ScoreTransform::Percent),
                "logit" => Some(ScoreTransform::Logit),
                _ => None,
            };
            if t.is_some() && !column.is_empty() {
                return (column, t);
            }
        }
        (arg, None)
    }

    /// Run the CLI; the error string is shown to the user as is.
    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let result = match cli.command {
            Command::Audit(args) => audit(args),
            Command::Alerts(args) => alerts(args),
            Command::Summarize(args) => summarize(args),
        };
        match result {
            Ok(code) => code,
            Err(message) => {
                eprintln!("plumb: {message}");
                ExitCode::from(2)
            }
        }
    }

    fn read(path: &Path) -> Result<analysis::LoadedFile, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        analysis::load_file(&name, &bytes).map_err(|e| format!("{name}: {e}"))
    }

    fn summarize(args: SummarizeArgs) -> Result<ExitCode, String> {
        let log = read(&args.log)?;
        let mut mapping = analysis::detect_mapping(&log);
        if args.score.is_some() {
            mapping.score = args.score;
        }
        if let Some(label) = args.label {
            mapping.label = Some(label);
            mapping.positive_label = None;
        }
        if args.positive.is_some() {
            mapping.positive_label = args.positive;
        }
        mapping.challengers.clear();
        analysis::complete_mapping(&log, &mut mapping);
        let window = match (args.split_at, args.split_fraction) {
            (Some(timestamp), _) => WindowSpec::SplitAt { timestamp },
            (None, Some(fraction)) => WindowSpec::SplitFraction { fraction },
            (None, None) => WindowSpec::All,
        };
        let summary = plumb::core::summary::summarize(
            &log,
            &mapping,
            &window,
            args.segment.as_deref(),
            args.buckets,
        )
        .map_err(|e| format!("{}: {e}", log.name))?;
        let text = summary.to_csv();
        match args.out {
            Some(path) => std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            None => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                match out.write_all(text.as_bytes()) {
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                        return Err(format!("cannot write the summary: {e}"));
                    }
                    _ => {}
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    fn alerts(args: AlertsArgs) -> Result<ExitCode, String> {
        if !(0.0..=1.0).contains(&args.threshold) {
            return Err("--threshold must be within [0, 1]".into());
        }
        let reference = read(&args.log)?;
        let mut mapping = analysis::detect_mapping(&reference);
        if args.score.is_some() {
            mapping.score = args.score;
        }
        if args.timestamp.is_some() {
            mapping.timestamp = args.timestamp;
        }
        if args.latency.is_some() {
            mapping.latency = args.latency;
        }
        if args.status.is_some() {
            mapping.status = args.status;
        }
        let settings = Settings {
            threshold: args.threshold,
            ops_granularity: args.granularity.map(Into::into),
            ..Settings::default()
        };
        let exports = analysis::alert_exports(&reference, &mapping, &settings)
            .map_err(|e| format!("{}: {e}", reference.name))?;
        std::fs::create_dir_all(&args.out)
            .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
        let write = |name: &str, text: &str| {
            let path = args.out.join(name);
            std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        write("plumb-rules.yml", &exports.rules_yaml)?;
        write("plumb-alertmanager.yml", &exports.policy_yaml)?;
        write("plumb-dashboard.json", &exports.dashboard_json)?;
        let json = |v: &dyn erased::Json| v.to_json();
        write(
            "plumb-operations-reference.json",
            &json(&exports.operations),
        )?;
        write("plumb-thresholds.json", &json(&exports.thresholds))?;
        if let Some(path) = &args.current {
            let current = read(path)?;
            let ops = analysis::operations(&current, &mapping, &settings)
                .map_err(|e| format!("{}: {e}", current.name))?;
            write("plumb-operations-current.json", &json(&ops))?;
        }
        eprintln!(
            "plumb: wrote {} alert levels to {}",
            exports.thresholds.len(),
            args.out.display()
        );
        Ok(ExitCode::SUCCESS)
    }

    /// Pretty JSON of any serialisable value (a tiny object-safe wrapper for the writer above).
    mod erased {
        pub trait Json {
            fn to_json(&self) -> String;
        }
        impl<T: serde::Serialize> Json for T {
            fn to_json(&self) -> String {
                serde_json::to_string_pretty(self).unwrap_or_default()
            }
        }
    }

    fn audit(args: AuditArgs) -> Result<ExitCode, String> {
        if args.bins < 1 {
            return Err("--bins must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&args.threshold) {
            return Err("--threshold must be within [0, 1]".into());
        }
        let reference = read(&args.log)?;
        let current = args.current.as_deref().map(read).transpose()?;

        let mut mapping = analysis::detect_mapping(&reference);
        if let Some(score) = args.score {
            mapping.score = Some(score);
        }
        if let Some(t) = args.score_transform {
            mapping.score_transform = match t {
                TransformArg::Identity => ScoreTransform::Identity,
                TransformArg::Percent => ScoreTransform::Percent,
                TransformArg::Logit => ScoreTransform::Logit,
            };
        }
        if let Some(label) = args.label {
            mapping.label = Some(label);
            mapping.positive_label = None;
        }
        if let Some(positive) = args.positive {
            mapping.positive_label = Some(positive);
        }
        if args.no_challengers {
            mapping.challengers.clear();
        } else if !args.challengers.is_empty() {
            // Explicit: a challenger that is the score or the label is reported as an error.
            mapping.challengers.clear();
            mapping.challenger_transforms.clear();
            for arg in &args.challengers {
                let (column, transform) = challenger_arg(arg);
                if let Some(t) = transform {
                    mapping.set_challenger_transform(column, t);
                }
                mapping.challengers.push(column.to_string());
            }
        } else {
            // Detected: drop one that --score or --label has taken.
            let (score, label) = (mapping.score.clone(), mapping.label.clone());
            mapping
                .challengers
                .retain(|c| Some(c) != score.as_ref() && Some(c) != label.as_ref());
        }
        analysis::complete_mapping(&reference, &mut mapping);

        let settings = Settings {
            bins: args.bins,
            strategy: match args.strategy {
                StrategyArg::Uniform => BinStrategy::Uniform,
                StrategyArg::Quantile => BinStrategy::Quantile,
            },
            interval: match args.interval {
                IntervalArg::ClopperPearson => IntervalMethod::ClopperPearson,
                IntervalArg::Wilson => IntervalMethod::Wilson,
            },
            threshold: args.threshold,
            costs: CostMatrix {
                fp: args.cost_fp,
                fn_: args.cost_fn,
                ..CostMatrix::default()
            },
            ops_granularity: args.granularity.map(Into::into),
            chunking: plumb::core::timeline::Chunking::parse(&args.chunking)
                .map_err(|e| format!("--chunking: {e}"))?,
            ..Settings::default()
        };
        let mut settings = settings;
        for spec in &args.drift_method {
            let method_of = |key: &str| {
                plumb::core::metrics::drift::DriftMethod::from_key(key.trim()).ok_or_else(|| {
                    format!("--drift-method: unknown method {key:?} (ks, chi2, psi, wasserstein_norm, js_distance, kl, hellinger)")
                })
            };
            match spec.split_once('=') {
                Some((column, key)) => {
                    settings
                        .drift_methods
                        .insert(column.to_string(), method_of(key)?);
                }
                None => settings.drift_method = Some(method_of(spec)?),
            }
        }
        let gates = match &args.gates {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                Some(gates::parse_gates(&text).map_err(|e| format!("{}: {e}", path.display()))?)
            }
            None => None,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs_f64());

        let window = if current.is_some() {
            WindowSpec::TwoFiles
        } else if let Some(at) = args.split_at {
            WindowSpec::SplitAt { timestamp: at }
        } else if let Some(fraction) = args.split_fraction {
            WindowSpec::SplitFraction { fraction }
        } else if let Some(spec) = args.split_column {
            let (column, values) = spec
                .split_once('=')
                .ok_or("--split-column takes COL=REF_VALUE,CUR_VALUE")?;
            let (reference, current) = values
                .split_once(',')
                .ok_or("--split-column takes COL=REF_VALUE,CUR_VALUE")?;
            WindowSpec::SplitColumn {
                column: column.to_string(),
                reference: reference.to_string(),
                current: current.to_string(),
            }
        } else {
            WindowSpec::All
        };

        let report = analysis::analyze(
            &analysis::Request {
                reference: &reference,
                current: current.as_ref(),
                mapping: &mapping,
                settings: &settings,
                window,
                now,
                depth: analysis::Depth::Complete,
            },
            "plumb",
        )
        .map_err(|e| e.to_string())?;
        let mut report = report;
        if let Some(gates) = &gates {
            report.apply_gates(gates);
        }
        if let (Some(reviewer), Some(decision)) = (args.reviewer, args.decision) {
            report.signoff = Some(SignOff {
                reviewer,
                decision: match decision {
                    DecisionArg::Approve => Decision::Approve,
                    DecisionArg::ApproveWithConditions => Decision::ApproveWithConditions,
                    DecisionArg::Reject => Decision::Reject,
                },
                rationale: args.rationale,
                timestamp: format!(
                    "{}Z",
                    plumb::core::render::format_timestamp(now.unwrap_or_default())
                        .replace(' ', "T")
                ),
            });
        }
        let json = match args.format {
            FormatArg::Json => analysis::report_json(&report).map_err(|e| e.to_string())?,
            FormatArg::Md => markdown::markdown_report(
                &report,
                report.gate_report().as_ref(),
                report.signoff.as_ref(),
            ),
            FormatArg::Html => html::html_report(
                &report,
                report.gate_report().as_ref(),
                report.signoff.as_ref(),
            ),
        };
        match args.out {
            Some(path) => std::fs::write(&path, json + "\n")
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            None => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                match writeln!(out, "{json}") {
                    // A closed pipe (`plumb audit … | head`) is not an error worth a panic.
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                        return Err(format!("cannot write the report: {e}"));
                    }
                    _ => {}
                }
            }
        }
        if report.verdict == Some(gates::Verdict::Fail) {
            let failed: Vec<String> = report
                .gates
                .iter()
                .flatten()
                .filter(|g| !g.passed)
                .map(|g| g.name.clone())
                .collect();
            eprintln!("plumb: gates failed: {}", failed.join(", "));
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
