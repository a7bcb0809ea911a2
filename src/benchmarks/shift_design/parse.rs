//! Parser for the MiniZinc data (`.dzn`) subset of the DBAI shift-design
//! files: statements `name = value;` (a statement may span lines), values
//! a number or a one-dimensional array `[v, v, …]` of numbers, `%` starts
//! a comment. Takes `&str` (no I/O).

use super::{Instance, ShiftType, Weights};
use std::collections::HashMap;
use std::fmt;

/// A parse or validation error: the 1-based line and, when known, the
/// field it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    /// Field name (`demand`, `minStart`, …); empty for syntax errors
    /// outside a field.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.field, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

fn err(line: usize, field: &str, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        field: field.to_string(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(String),
    Eq,
    Semi,
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.split('%').next().unwrap_or("");
        let chars: Vec<char> = line.chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            match c {
                c if c.is_whitespace() => k += 1,
                '=' => {
                    out.push((Tok::Eq, ln));
                    k += 1;
                }
                ';' => {
                    out.push((Tok::Semi, ln));
                    k += 1;
                }
                '[' => {
                    out.push((Tok::Open, ln));
                    k += 1;
                }
                ']' => {
                    out.push((Tok::Close, ln));
                    k += 1;
                }
                ',' => {
                    out.push((Tok::Comma, ln));
                    k += 1;
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    let s = k;
                    while k < chars.len() && (chars[k].is_ascii_alphanumeric() || chars[k] == '_') {
                        k += 1;
                    }
                    out.push((Tok::Ident(chars[s..k].iter().collect()), ln));
                }
                c if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => {
                    let s = k;
                    k += 1;
                    while k < chars.len()
                        && (chars[k].is_ascii_alphanumeric() || chars[k] == '.' || chars[k] == '-')
                    {
                        k += 1;
                    }
                    out.push((Tok::Num(chars[s..k].iter().collect()), ln));
                }
                other => return Err(err(ln, "", format!("unexpected character '{other}'"))),
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
enum Value {
    Scalar(String, usize),
    Array(Vec<(String, usize)>),
}

struct Field {
    line: usize,
    value: Value,
}

fn statements(toks: &[(Tok, usize)]) -> Result<HashMap<String, Field>, ParseError> {
    let mut out: HashMap<String, Field> = HashMap::new();
    let mut i = 0;
    let last = toks.last().map_or(1, |t| t.1);
    let at = |i: usize| toks.get(i).map_or(last, |t| t.1);
    while i < toks.len() {
        let (name, ln) = match &toks[i] {
            (Tok::Ident(n), ln) => (n.clone(), *ln),
            (t, ln) => return Err(err(*ln, "", format!("expected a field name, got {t:?}"))),
        };
        i += 1;
        if toks.get(i).map(|t| &t.0) != Some(&Tok::Eq) {
            return Err(err(at(i), &name, "expected '=' after the field name"));
        }
        i += 1;
        let value = match toks.get(i) {
            Some((Tok::Num(s), l)) => {
                i += 1;
                Value::Scalar(s.clone(), *l)
            }
            Some((Tok::Open, _)) => {
                i += 1;
                let mut items = Vec::new();
                loop {
                    match toks.get(i) {
                        Some((Tok::Close, _)) => {
                            i += 1;
                            break;
                        }
                        Some((Tok::Num(s), l)) => {
                            items.push((s.clone(), *l));
                            i += 1;
                            match toks.get(i) {
                                Some((Tok::Comma, _)) => i += 1,
                                Some((Tok::Close, _)) => {}
                                _ => return Err(err(at(i), &name, "expected ',' or ']' in array")),
                            }
                        }
                        None => return Err(err(at(i), &name, "unterminated array (missing ']')")),
                        Some((t, l)) => {
                            return Err(err(*l, &name, format!("unexpected {t:?} in array")))
                        }
                    }
                }
                Value::Array(items)
            }
            Some((t, l)) => return Err(err(*l, &name, format!("expected a value, got {t:?}"))),
            None => return Err(err(at(i), &name, "missing value")),
        };
        if toks.get(i).map(|t| &t.0) != Some(&Tok::Semi) {
            return Err(err(at(i), &name, "expected ';' after the value"));
        }
        i += 1;
        if let Some(prev) = out.get(&name) {
            return Err(err(
                ln,
                &name,
                format!("defined twice (first on line {})", prev.line),
            ));
        }
        out.insert(name, Field { line: ln, value });
    }
    Ok(out)
}

const KNOWN: [&str; 15] = [
    "interval",
    "days",
    "demand",
    "shiftTypes",
    "minStart",
    "maxStart",
    "minLength",
    "maxLength",
    "minDuties",
    "maxDuties",
    "avgMinutes",
    "weightUnderCover",
    "weightOverCover",
    "weightDutiesPerWeek",
    "weightShiftInstances",
];

struct Fields {
    map: HashMap<String, Field>,
    eof_line: usize,
}

impl Fields {
    fn get(&self, name: &str) -> Result<&Field, ParseError> {
        self.map
            .get(name)
            .ok_or_else(|| err(self.eof_line, name, "missing field"))
    }

    fn line(&self, name: &str) -> usize {
        self.map.get(name).map_or(self.eof_line, |f| f.line)
    }

    fn scalar_text(&self, name: &str) -> Result<(&str, usize), ParseError> {
        let f = self.get(name)?;
        match &f.value {
            Value::Scalar(s, l) => Ok((s, *l)),
            Value::Array(_) => Err(err(f.line, name, "expected a number, got an array")),
        }
    }

    fn uint(&self, name: &str) -> Result<u64, ParseError> {
        let (s, l) = self.scalar_text(name)?;
        s.parse::<u64>()
            .map_err(|_| err(l, name, format!("'{s}' is not a non-negative integer")))
    }

    fn real(&self, name: &str) -> Result<f64, ParseError> {
        let (s, l) = self.scalar_text(name)?;
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(err(l, name, format!("'{s}' is not a non-negative number"))),
        }
    }

    fn uints(&self, name: &str) -> Result<Vec<(u64, usize)>, ParseError> {
        let f = self.get(name)?;
        match &f.value {
            Value::Array(items) => items
                .iter()
                .map(|(s, l)| {
                    s.parse::<u64>()
                        .map(|v| (v, *l))
                        .map_err(|_| err(*l, name, format!("'{s}' is not a non-negative integer")))
                })
                .collect(),
            Value::Scalar(..) => Err(err(f.line, name, "expected an array, got a number")),
        }
    }
}

/// Parse a `.dzn` instance and validate it (shapes, windows inside the
/// day, `minX ≤ maxX`, lengths at least 1 and at most the horizon).
pub fn parse_instance(text: &str) -> Result<Instance, ParseError> {
    let toks = tokenize(text)?;
    let map = statements(&toks)?;
    let eof_line = text.lines().count().max(1);
    for (name, f) in &map {
        if !KNOWN.contains(&name.as_str()) {
            return Err(err(f.line, name, "unknown field"));
        }
    }
    let fields = Fields { map, eof_line };

    let interval = fields.uint("interval")?;
    if interval == 0 || interval > 1440 || 1440 % interval != 0 {
        return Err(err(
            fields.line("interval"),
            "interval",
            format!("{interval} minutes does not divide a day (1440)"),
        ));
    }
    let interval = interval as u32;
    let slots_per_day = (1440 / interval) as usize;
    let days = fields.uint("days")? as usize;
    if days == 0 || days > 366 {
        return Err(err(
            fields.line("days"),
            "days",
            format!("{days} is not in 1..=366"),
        ));
    }
    let demand_items = fields.uints("demand")?;
    let total = days * slots_per_day;
    if demand_items.len() != total {
        return Err(err(
            fields.line("demand"),
            "demand",
            format!(
                "{} values, expected days × 1440/interval = {days} × {slots_per_day} = {total}",
                demand_items.len()
            ),
        ));
    }
    let mut demand = Vec::with_capacity(total);
    for (v, l) in demand_items {
        demand.push(u32::try_from(v).map_err(|_| err(l, "demand", "value too large"))?);
    }

    let n_types = fields.uint("shiftTypes")? as usize;
    if n_types == 0 {
        return Err(err(
            fields.line("shiftTypes"),
            "shiftTypes",
            "at least one shift type is needed",
        ));
    }
    let arr = |name: &str| -> Result<Vec<(usize, usize)>, ParseError> {
        let v = fields.uints(name)?;
        if v.len() != n_types {
            return Err(err(
                fields.line(name),
                name,
                format!("{} values, expected shiftTypes = {n_types}", v.len()),
            ));
        }
        Ok(v.into_iter().map(|(x, l)| (x as usize, l)).collect())
    };
    let min_start = arr("minStart")?;
    let max_start = arr("maxStart")?;
    let min_length = arr("minLength")?;
    let max_length = arr("maxLength")?;
    let mut shift_types = Vec::with_capacity(n_types);
    for t in 0..n_types {
        let (ms, ms_l) = min_start[t];
        let (xs, xs_l) = max_start[t];
        let (ml, ml_l) = min_length[t];
        let (xl, xl_l) = max_length[t];
        if xs >= slots_per_day {
            return Err(err(
                xs_l,
                "maxStart",
                format!(
                    "type {}: start slot {xs} is not inside the day (0..{slots_per_day})",
                    t + 1
                ),
            ));
        }
        if ms > xs {
            return Err(err(
                ms_l,
                "minStart",
                format!("type {}: minStart {ms} > maxStart {xs}", t + 1),
            ));
        }
        if ml == 0 {
            return Err(err(
                ml_l,
                "minLength",
                format!("type {}: length must be at least 1 slot", t + 1),
            ));
        }
        if ml > xl {
            return Err(err(
                ml_l,
                "minLength",
                format!("type {}: minLength {ml} > maxLength {xl}", t + 1),
            ));
        }
        if xl > total {
            return Err(err(
                xl_l,
                "maxLength",
                format!(
                    "type {}: length {xl} slots is longer than the horizon ({total})",
                    t + 1
                ),
            ));
        }
        shift_types.push(ShiftType {
            min_start: ms,
            max_start: xs,
            min_length: ml,
            max_length: xl,
        });
    }

    let min_duties = fields.real("minDuties")?;
    let max_duties = fields.real("maxDuties")?;
    if min_duties > max_duties {
        return Err(err(
            fields.line("minDuties"),
            "minDuties",
            format!("{min_duties} > maxDuties {max_duties}"),
        ));
    }
    let avg_minutes = fields.uint("avgMinutes")?;
    let avg_minutes = u32::try_from(avg_minutes)
        .map_err(|_| err(fields.line("avgMinutes"), "avgMinutes", "value too large"))?;
    let weights = Weights {
        under_cover: fields.uint("weightUnderCover")?,
        over_cover: fields.uint("weightOverCover")?,
        duties_per_week: fields.uint("weightDutiesPerWeek")?,
        shift_instances: fields.uint("weightShiftInstances")?,
    };
    Ok(Instance {
        interval,
        days,
        demand,
        shift_types,
        min_duties,
        max_duties,
        avg_minutes,
        weights,
    })
}
