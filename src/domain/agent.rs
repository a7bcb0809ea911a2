//! An agent as the planner enters it: a person with an HR id and a contract.

use super::csv_table::{cell, CsvTable};
use super::{ImportError, InvalidValue};

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    pub name: String,
    pub external_id: String,
    pub min_week_hours: f64,
    pub max_week_hours: f64,
}

impl NewAgent {
    pub fn new(
        name: &str,
        external_id: &str,
        min_week_hours: f64,
        max_week_hours: f64,
    ) -> Result<Self, InvalidValue> {
        let name = super::text::checked_text("name", name, 200)?;
        let external_id = super::text::checked_text("external_id", external_id, 100)?;
        if !(min_week_hours.is_finite() && min_week_hours >= 0.0) {
            return Err(InvalidValue::new("min_week_hours", "must be 0 or more"));
        }
        if !(max_week_hours.is_finite() && max_week_hours > 0.0 && max_week_hours <= 168.0) {
            return Err(InvalidValue::new(
                "max_week_hours",
                "must be above 0 and at most 168",
            ));
        }
        if min_week_hours > max_week_hours {
            return Err(InvalidValue::new(
                "min_week_hours",
                "is above max_week_hours",
            ));
        }
        Ok(Self {
            name,
            external_id,
            min_week_hours,
            max_week_hours,
        })
    }
}

/// Columns of an agent CSV (`external_id` and `name` required).
const CSV_COLUMNS: [&str; 4] = ["external_id", "name", "min_week_hours", "max_week_hours"];

/// One data row of an agent CSV: its line, and the agent or what is wrong
/// with it (left to the caller, which names the row).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedAgentRow {
    pub line: usize,
    pub agent: Result<NewAgent, InvalidValue>,
}

/// Reads `external_id,name[,min_week_hours][,max_week_hours]` with a header
/// row (any order; weekly hours default to 0 and 40, as in JSON). A file
/// that is not such a table is an [`ImportError`]; a row whose values break
/// a rule is returned with its error.
pub fn parse_agents_csv(bytes: &[u8]) -> Result<Vec<ParsedAgentRow>, ImportError> {
    let mut table = CsvTable::open(
        bytes,
        &CSV_COLUMNS,
        "external_id, name[, min_week_hours][, max_week_hours]",
    )?;
    let (id_col, name_col) = (table.required("external_id")?, table.required("name")?);
    let (min_col, max_col) = (
        table.column("min_week_hours"),
        table.column("max_week_hours"),
    );
    let mut rows = Vec::new();
    for row in table.rows() {
        let (line, record) = row?;
        let cell = |col: usize| cell(&record, col);
        let hours = |col: Option<usize>, field: &str, default: f64| match col.map(cell) {
            None | Some("") => Ok(default),
            Some(s) => s
                .parse::<f64>()
                .map_err(|_| InvalidValue::new(field, format!("'{s}' is not a number of hours"))),
        };
        let agent = hours(min_col, "min_week_hours", 0.0).and_then(|min| {
            let max = hours(max_col, "max_week_hours", 40.0)?;
            NewAgent::new(cell(name_col), cell(id_col), min, max)
        });
        rows.push(ParsedAgentRow { line, agent });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_csv_reads_rows_and_keeps_each_rows_error() {
        let csv = "name,external_id,max_week_hours\nAna,E1,38\nBen,E2,\nCy,E3,lots\n";
        let rows = parse_agents_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        let ana = rows[0].agent.as_ref().unwrap();
        assert_eq!((ana.external_id.as_str(), ana.max_week_hours), ("E1", 38.0));
        assert_eq!(rows[1].agent.as_ref().unwrap().max_week_hours, 40.0);
        let bad = rows[2].agent.as_ref().unwrap_err();
        assert_eq!((rows[2].line, bad.field.as_str()), (4, "max_week_hours"));
    }

    #[test]
    fn agent_csv_names_a_missing_or_unknown_column() {
        let e = parse_agents_csv(b"name\nAna\n").unwrap_err();
        assert!(
            matches!(e, ImportError::Cell { ref column, .. } if column == "external_id"),
            "{e}"
        );
        let e = parse_agents_csv(b"external_id,name,team\nE1,Ana,x\n").unwrap_err();
        assert!(
            matches!(e, ImportError::Cell { ref column, .. } if column == "team"),
            "{e}"
        );
    }
}
