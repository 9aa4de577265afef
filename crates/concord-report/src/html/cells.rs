//! Escaping and the table pieces every section of the report writes: numbers, estimate cells,
//! table heads and row labels.

use std::fmt::Write as _;

use concord_stats::ppi::MeanCi;
use concord_stats::Estimate;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn names(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        esc(&list.join(", "))
    }
}

/// A number as printed in the tables: three decimals, never "-0.000".
pub(super) fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".to_string()
    } else {
        s
    }
}

/// A table cell with estimate, CI and n, or "—" and the reason.
pub(super) fn cell(e: &Estimate) -> String {
    match e.value {
        Some(v) => {
            let n =
                e.n.map_or_else(String::new, |n| format!("<br><small>n = {n}</small>"));
            format!("<td>{}{}{n}</td>", num(v), ci_span(e.ci95))
        }
        None => not_estimated(e.reason.as_deref()),
    }
}

/// The bracketed 95% interval printed after a value, or nothing.
pub(super) fn ci_span(ci95: Option<[f64; 2]>) -> String {
    ci95.map_or_else(String::new, |[lo, hi]| {
        format!(" <span class=\"ci\">[{}, {}]</span>", num(lo), num(hi))
    })
}

/// The cell of a value that could not be estimated: "—" and the reason.
pub(super) fn not_estimated(reason: Option<&str>) -> String {
    format!(
        "<td class=\"na\">—<br><small>{}</small></td>",
        esc(reason.unwrap_or("not estimable"))
    )
}

pub(super) fn share(v: Option<f64>) -> String {
    v.map_or_else(
        || "<td class=\"na\">—</td>".to_string(),
        |v| format!("<td>{}</td>", num(v)),
    )
}

pub(crate) fn head(h: &mut String, caption: &str, columns: &[&str]) {
    let _ = write!(
        h,
        "<div class=\"wide\"><table>\n<caption class=\"note\">{caption}</caption>\n<thead><tr>"
    );
    for (i, c) in columns.iter().enumerate() {
        let class = if i == 0 { " class=\"name\"" } else { "" };
        let _ = write!(h, "<th{class}>{c}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

pub(crate) fn row_start(h: &mut String, label: &str, composite: bool) {
    let class = if composite {
        " class=\"composite\""
    } else {
        ""
    };
    let _ = write!(h, "<tr{class}><td class=\"name\">{}</td>", esc(label));
}

/// A table cell with a PPI mean and its interval, or "—" and the reason.
pub(super) fn mean_cell(m: &MeanCi) -> String {
    match m.value {
        Some(v) => format!("<td>{}{}</td>", num(v), ci_span(m.ci95)),
        None => not_estimated(m.reason.as_deref()),
    }
}
