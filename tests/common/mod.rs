//! Helpers shared by the integration tests: golden files, fixture logs read with the `csv`
//! crate (independently of Plumb's own ingest), and an XML well-formedness checker for the SVG
//! and HTML exports. Each test crate uses a subset, hence `dead_code` is allowed.
#![allow(dead_code)]

use serde_json::Value;

/// The golden file `tests/fixtures/goldens/<name>` (written by a committed Python generator).
pub fn goldens(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/goldens/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture log of `tests/fixtures/logs/`, read column by column with the `csv` crate.
pub struct FixtureLog {
    headers: csv::StringRecord,
    records: Vec<csv::StringRecord>,
}

impl FixtureLog {
    /// Read `tests/fixtures/logs/<name>` (`.csv` is added when missing).
    pub fn read(name: &str) -> Self {
        let file = if name.ends_with(".csv") {
            name.to_string()
        } else {
            format!("{name}.csv")
        };
        let path = format!("{}/tests/fixtures/logs/{file}", env!("CARGO_MANIFEST_DIR"));
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let headers = reader.headers().expect("header").clone();
        let records = reader.records().map(|r| r.expect("row")).collect();
        Self { headers, records }
    }

    fn index(&self, column: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }

    /// The column's cells as text.
    pub fn strings(&self, column: &str) -> Vec<String> {
        let i = self.index(column);
        self.records.iter().map(|r| r[i].to_string()).collect()
    }

    /// The column's cells parsed as numbers.
    pub fn floats(&self, column: &str) -> Vec<f64> {
        let i = self.index(column);
        self.records
            .iter()
            .map(|r| {
                r[i].parse()
                    .unwrap_or_else(|_| panic!("{column}: {:?}", &r[i]))
            })
            .collect()
    }

    /// The column's cells parsed as 0/1 labels.
    pub fn labels(&self, column: &str) -> Vec<u8> {
        let i = self.index(column);
        self.records
            .iter()
            .map(|r| {
                r[i].parse()
                    .unwrap_or_else(|_| panic!("{column}: {:?}", &r[i]))
            })
            .collect()
    }
}

/// The `score` and `label` columns of a fixture log.
pub fn scores_and_labels(name: &str) -> (Vec<f64>, Vec<u8>) {
    let log = FixtureLog::read(name);
    (log.floats("score"), log.labels("label"))
}

/// A JSON number, or a panic naming the value.
pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(f)
        .collect()
}

/// Well-formed XML (one root, balanced tags, quoted attributes, only the five named entities
/// and numeric references, no comments); a doctype or XML declaration is skipped.
pub fn check_xml(s: &str) -> Result<(), String> {
    fn check_text(t: &str) -> Result<(), String> {
        let mut rest = t;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after.find(';').ok_or("unterminated entity")?;
            let ent = &after[..end];
            let ok = matches!(ent, "lt" | "gt" | "amp" | "quot" | "apos")
                || (ent.starts_with('#')
                    && ent[1..]
                        .trim_start_matches('x')
                        .chars()
                        .all(|c| c.is_ascii_hexdigit())
                    && end > 1);
            if !ok {
                return Err(format!("bad entity &{ent};"));
            }
            rest = &after[end + 1..];
        }
        if t.contains('<') || t.contains('>') {
            return Err("raw angle bracket in text".into());
        }
        Ok(())
    }
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    let b = s.as_bytes();
    let mut seen_root = false;
    while i < b.len() {
        if b[i] == b'<' {
            let end = s[i..].find('>').ok_or("unterminated tag")? + i;
            let tag = &s[i + 1..end];
            if tag.starts_with('?') || tag.starts_with('!') {
                if tag.starts_with("!--") {
                    return Err("comment in the document".into());
                }
                i = end + 1;
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let top = stack.pop().ok_or("close without open")?;
                if top != name.trim() {
                    return Err(format!("</{name}> closes <{top}>"));
                }
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
                {
                    return Err(format!("bad tag name {name:?}"));
                }
                let mut rest = body[name.len()..].trim_start();
                while !rest.is_empty() {
                    let eq = rest
                        .find('=')
                        .ok_or(format!("attribute without value in <{name}>"))?;
                    let an = rest[..eq].trim();
                    if an.is_empty()
                        || !an
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
                    {
                        return Err(format!("bad attribute name {an:?}"));
                    }
                    let after = rest[eq + 1..].trim_start();
                    let q = after.chars().next().ok_or("missing quote")?;
                    if q != '"' && q != '\'' {
                        return Err("unquoted attribute".into());
                    }
                    let close = after[1..].find(q).ok_or("unterminated attribute")? + 1;
                    check_text(&after[1..close])?;
                    rest = after[close + 1..].trim_start();
                }
                if stack.is_empty() && seen_root {
                    return Err("second root element".into());
                }
                seen_root = true;
                if !self_closing {
                    stack.push(name);
                }
            }
            i = end + 1;
        } else {
            let end = s[i..].find('<').map_or(b.len(), |e| e + i);
            let text = &s[i..end];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err("text outside the root".into());
            }
            check_text(text)?;
            i = end;
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    if !seen_root {
        return Err("no root".into());
    }
    Ok(())
}

/// Elements the HTML report may contain: its own HTML and what plotters' SVG backend writes
/// (the one list of the export test and the XSS corpus test).
pub const HTML_REPORT_ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "main",
    "footer",
    "section",
    "div",
    "span",
    "h1",
    "h2",
    "h3",
    "p",
    "b",
    "br",
    "code",
    "sup",
    "a",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "svg",
    "g",
    "path",
    "text",
    "circle",
    "rect",
    "line",
    "polyline",
    "polygon",
];
