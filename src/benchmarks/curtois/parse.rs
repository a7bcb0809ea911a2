//! Parser for the Curtois & Qu text format (and for roster files).
//!
//! Sections, in any order, each introduced by a `SECTION_…` line; `#`
//! starts a comment line; blank lines are ignored. Takes `&str` (no I/O).

use super::{Cover, CurtoisError, CurtoisInstance, CurtoisRoster, Employee, ShiftType};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    None,
    Horizon,
    Shifts,
    Staff,
    DaysOff,
    OnRequests,
    OffRequests,
    Cover,
}

fn err(line: usize, msg: impl Into<String>) -> CurtoisError {
    CurtoisError::Parse {
        line,
        message: msg.into(),
    }
}

fn num<T: std::str::FromStr>(line: usize, field: &str, what: &str) -> Result<T, CurtoisError> {
    let f = field.trim();
    // Instance 15 writes one requirement as "-0".
    let f = if f == "-0" { "0" } else { f };
    f.parse::<T>()
        .map_err(|_| err(line, format!("{what}: '{field}' is not a number")))
}

/// Parse an instance file (the text of `InstanceN.txt`).
pub fn parse_instance(text: &str) -> Result<CurtoisInstance, CurtoisError> {
    let mut section = Section::None;
    let mut days: Option<usize> = None;
    // Raw rows kept until all shift ids are known.
    let mut shift_rows: Vec<(usize, String, u32, String)> = Vec::new();
    let mut staff_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut off_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut on_req: Vec<(usize, Vec<String>)> = Vec::new();
    let mut off_req: Vec<(usize, Vec<String>)> = Vec::new();
    let mut cover_rows: Vec<(usize, Vec<String>)> = Vec::new();

    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("SECTION_") {
            section = match name.trim() {
                "HORIZON" => Section::Horizon,
                "SHIFTS" => Section::Shifts,
                "STAFF" => Section::Staff,
                "DAYS_OFF" => Section::DaysOff,
                "SHIFT_ON_REQUESTS" => Section::OnRequests,
                "SHIFT_OFF_REQUESTS" => Section::OffRequests,
                "COVER" => Section::Cover,
                other => return Err(err(ln, format!("unknown section SECTION_{other}"))),
            };
            continue;
        }
        let fields: Vec<String> = line.split(',').map(|s| s.trim().to_string()).collect();
        match section {
            Section::None => return Err(err(ln, "data before the first SECTION_ line")),
            Section::Horizon => {
                if days.is_some() {
                    return Err(err(ln, "SECTION_HORIZON has more than one value"));
                }
                let d: usize = num(ln, line, "horizon")?;
                if d == 0 {
                    return Err(err(ln, "horizon must be at least one day"));
                }
                days = Some(d);
            }
            Section::Shifts => {
                if fields.len() < 2 {
                    return Err(err(ln, "shift line needs `ID, minutes[, forbidden]`"));
                }
                let minutes: u32 = num(ln, &fields[1], "shift length")?;
                let forb = fields.get(2).cloned().unwrap_or_default();
                shift_rows.push((ln, fields[0].clone(), minutes, forb));
            }
            Section::Staff => staff_rows.push((ln, fields)),
            Section::DaysOff => off_rows.push((ln, fields)),
            Section::OnRequests => on_req.push((ln, fields)),
            Section::OffRequests => off_req.push((ln, fields)),
            Section::Cover => cover_rows.push((ln, fields)),
        }
    }

    let days = days.ok_or_else(|| err(0, "missing SECTION_HORIZON"))?;
    if shift_rows.is_empty() {
        return Err(err(0, "no shifts"));
    }
    let mut shift_index: HashMap<String, usize> = HashMap::new();
    for (ln, id, _, _) in &shift_rows {
        if id.is_empty() {
            return Err(err(*ln, "blank shift id"));
        }
        if shift_index.insert(id.clone(), shift_index.len()).is_some() {
            return Err(err(*ln, format!("shift '{id}' defined twice")));
        }
    }
    let lookup_shift = |ln: usize, id: &str| -> Result<usize, CurtoisError> {
        shift_index
            .get(id.trim())
            .copied()
            .ok_or_else(|| err(ln, format!("unknown shift '{id}'")))
    };
    let mut shifts = Vec::with_capacity(shift_rows.len());
    for (ln, id, minutes, forb) in &shift_rows {
        let mut forbidden_next = Vec::new();
        for f in forb.split('|').map(str::trim).filter(|s| !s.is_empty()) {
            forbidden_next.push(lookup_shift(*ln, f)?);
        }
        shifts.push(ShiftType {
            id: id.clone(),
            minutes: *minutes,
            forbidden_next,
        });
    }
    let n_shifts = shifts.len();

    let mut employees = Vec::with_capacity(staff_rows.len());
    let mut emp_index: HashMap<String, usize> = HashMap::new();
    for (ln, f) in &staff_rows {
        let ln = *ln;
        if f.len() != 8 {
            return Err(err(
                ln,
                format!("staff line needs 8 fields, has {}", f.len()),
            ));
        }
        let mut max_shifts = vec![u32::MAX; n_shifts];
        for part in f[1].split('|').map(str::trim).filter(|s| !s.is_empty()) {
            let (sid, n) = part
                .split_once('=')
                .ok_or_else(|| err(ln, format!("max shifts '{part}' is not ID=N")))?;
            max_shifts[lookup_shift(ln, sid)?] = num(ln, n, "max shifts")?;
        }
        let e = Employee {
            id: f[0].clone(),
            max_shifts,
            max_total_minutes: num(ln, &f[2], "max total minutes")?,
            min_total_minutes: num(ln, &f[3], "min total minutes")?,
            max_consecutive_shifts: num(ln, &f[4], "max consecutive shifts")?,
            min_consecutive_shifts: num(ln, &f[5], "min consecutive shifts")?,
            min_consecutive_days_off: num(ln, &f[6], "min consecutive days off")?,
            max_weekends: num(ln, &f[7], "max weekends")?,
            days_off: vec![false; days],
        };
        if emp_index.insert(e.id.clone(), employees.len()).is_some() {
            return Err(err(ln, format!("employee '{}' defined twice", e.id)));
        }
        employees.push(e);
    }
    if employees.is_empty() {
        return Err(err(0, "no staff"));
    }
    let lookup_emp = |ln: usize, id: &str| -> Result<usize, CurtoisError> {
        emp_index
            .get(id.trim())
            .copied()
            .ok_or_else(|| err(ln, format!("unknown employee '{id}'")))
    };
    let lookup_day = |ln: usize, s: &str| -> Result<usize, CurtoisError> {
        let d: usize = num(ln, s, "day")?;
        if d >= days {
            return Err(err(
                ln,
                format!("day {d} outside the horizon of {days} days"),
            ));
        }
        Ok(d)
    };
    for (ln, f) in &off_rows {
        let e = lookup_emp(*ln, &f[0])?;
        for s in f[1..].iter().filter(|s| !s.is_empty()) {
            let d = lookup_day(*ln, s)?;
            employees[e].days_off[d] = true;
        }
    }
    let n_emp = employees.len();
    let mut on_weight = vec![0u32; n_emp * days * n_shifts];
    let mut off_weight = vec![0u32; n_emp * days * n_shifts];
    for (rows, target) in [(&on_req, &mut on_weight), (&off_req, &mut off_weight)] {
        for (ln, f) in rows.iter() {
            if f.len() != 4 {
                return Err(err(
                    *ln,
                    "request line needs `EmployeeID, Day, ShiftID, Weight`",
                ));
            }
            let e = lookup_emp(*ln, &f[0])?;
            let d = lookup_day(*ln, &f[1])?;
            let t = lookup_shift(*ln, &f[2])?;
            let w: u32 = num(*ln, &f[3], "weight")?;
            target[(e * days + d) * n_shifts + t] += w;
        }
    }
    let mut cover = vec![Cover::default(); days * n_shifts];
    for (ln, f) in &cover_rows {
        if f.len() != 5 {
            return Err(err(
                *ln,
                "cover line needs `Day, ShiftID, Requirement, Under, Over`",
            ));
        }
        let d = lookup_day(*ln, &f[0])?;
        let t = lookup_shift(*ln, &f[1])?;
        cover[d * n_shifts + t] = Cover {
            requirement: num(*ln, &f[2], "requirement")?,
            under_weight: num(*ln, &f[3], "under weight")?,
            over_weight: num(*ln, &f[4], "over weight")?,
        };
    }
    Ok(CurtoisInstance {
        days,
        shifts,
        employees,
        on_weight,
        off_weight,
        cover,
        on_request_count: on_req.len(),
        off_request_count: off_req.len(),
    })
}

/// Parse a roster: one line per employee, `EMPLOYEE_ID<whitespace>s0 s1 …`,
/// a shift id or `-` per day; `#` lines are comments. Lines may come in any
/// order but every employee needs exactly one.
pub fn parse_roster(inst: &CurtoisInstance, text: &str) -> Result<CurtoisRoster, CurtoisError> {
    let mut rows: Vec<Option<Vec<Option<usize>>>> = vec![None; inst.employees.len()];
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut tokens = line.split_whitespace();
        let id = tokens.next().unwrap_or_default();
        let e = inst
            .employee_index(id)
            .ok_or_else(|| err(ln, format!("unknown employee '{id}'")))?;
        let mut row = Vec::with_capacity(inst.days);
        for tok in tokens {
            if tok == "-" {
                row.push(None);
            } else {
                let t = inst
                    .shift_index(tok)
                    .ok_or_else(|| err(ln, format!("unknown shift '{tok}'")))?;
                row.push(Some(t));
            }
        }
        if row.len() != inst.days {
            return Err(err(
                ln,
                format!(
                    "employee '{id}' has {} days, horizon is {}",
                    row.len(),
                    inst.days
                ),
            ));
        }
        if rows[e].replace(row).is_some() {
            return Err(err(ln, format!("employee '{id}' listed twice")));
        }
    }
    let mut assignment = Vec::with_capacity(rows.len());
    for (e, r) in rows.into_iter().enumerate() {
        assignment.push(r.ok_or_else(|| {
            err(
                0,
                format!(
                    "employee '{}' missing from the roster",
                    inst.employees[e].id
                ),
            )
        })?);
    }
    Ok(CurtoisRoster { assignment })
}

/// Write a roster in the format [`parse_roster`] reads, employees in
/// instance order, tab after the id, one space between days.
pub fn format_roster(inst: &CurtoisInstance, roster: &CurtoisRoster) -> String {
    let mut out = String::new();
    for (e, row) in roster.assignment.iter().enumerate() {
        out.push_str(&inst.employees[e].id);
        out.push('\t');
        let cells: Vec<&str> = row
            .iter()
            .map(|c| match c {
                Some(t) => inst.shifts[*t].id.as_str(),
                None => "-",
            })
            .collect();
        out.push_str(&cells.join(" "));
        out.push('\n');
    }
    out
}
