//! A Grafana dashboard (JSON model, schemaVersion 39) with one time-series panel per monitored
//! quantity, querying the recording rules of [`super::prometheus`] and drawing the warning and
//! critical levels as threshold lines.
//!
//! The JSON model follows <https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/>;
//! the data source is a dashboard variable `DS_PROMETHEUS` so the file imports into any
//! Grafana with a Prometheus data source.

use super::prometheus::{RulesOptions, recording_rule};
use crate::core::ops::AlertThreshold;
use serde_json::{Value, json};

fn unit_of(quantity: &str) -> &'static str {
    if quantity.starts_with("latency_") {
        "s"
    } else if quantity == "request_rate" {
        "reqps"
    } else if quantity.starts_with("score_") {
        "none"
    } else {
        "percentunit"
    }
}

/// Threshold steps for Grafana: green base, then orange/red at the warning/critical levels.
/// Grafana steps are "from this value up"; for a lower bound the colours run the other way.
fn steps(t: &AlertThreshold, scale: f64) -> Vec<Value> {
    let mut s = Vec::new();
    let lower_c = t.critical.lower.map(|x| x * scale);
    let lower_w = t.warning.lower.map(|x| x * scale);
    if lower_c.is_some() || lower_w.is_some() {
        s.push(json!({"color": "red", "value": null}));
        if let Some(v) = lower_c {
            s.push(json!({"color": "orange", "value": v}));
        }
        if let Some(v) = lower_w {
            s.push(json!({"color": "green", "value": v}));
        }
    } else {
        s.push(json!({"color": "green", "value": null}));
    }
    if let Some(v) = t.warning.upper {
        s.push(json!({"color": "orange", "value": v * scale}));
    }
    if let Some(v) = t.critical.upper {
        s.push(json!({"color": "red", "value": v * scale}));
    }
    s
}

/// The dashboard: a panel per threshold whose quantity has a recording rule, laid out two per
/// row, each with its levels as dashed threshold lines. `title` names the dashboard.
pub fn dashboard_json(thresholds: &[AlertThreshold], opts: &RulesOptions, title: &str) -> Value {
    let panels: Vec<Value> = thresholds
        .iter()
        .filter_map(|t| {
            let (record, _expr, scale) = recording_rule(&t.quantity, opts)?;
            Some((t, record, scale))
        })
        .enumerate()
        .map(|(i, (t, record, scale))| {
            json!({
                "id": i + 1,
                "type": "timeseries",
                "title": t.quantity,
                "description": t.basis,
                "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": (i / 2) * 8},
                "targets": [{
                    "refId": "A",
                    "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                    "expr": record,
                    "legendFormat": t.quantity,
                }],
                "fieldConfig": {
                    "defaults": {
                        "unit": unit_of(&t.quantity),
                        "custom": {"thresholdsStyle": {"mode": "dashed"}},
                        "thresholds": {"mode": "absolute", "steps": steps(t, scale)},
                    },
                    "overrides": [],
                },
                "options": {"legend": {"displayMode": "list", "placement": "bottom"}},
            })
        })
        .collect();
    json!({
        "title": title,
        "uid": null,
        "tags": ["plumb", "model-monitoring"],
        "timezone": "utc",
        "schemaVersion": 39,
        "version": 1,
        "editable": true,
        "time": {"from": "now-24h", "to": "now"},
        "refresh": "1m",
        "templating": {"list": [{
            "name": "DS_PROMETHEUS",
            "label": "Prometheus",
            "type": "datasource",
            "query": "prometheus",
        }]},
        "annotations": {"list": []},
        "panels": panels,
    })
}
