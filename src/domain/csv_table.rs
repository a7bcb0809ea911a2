//! The header-checked CSV tables the imports read (history, agents, calls):
//! cells trimmed, a header row whose every column must be known, and rows
//! numbered as the file's lines (the header is line 1) so that an error
//! names where it is.

use super::ImportError;

pub struct CsvTable<'a> {
    reader: csv::Reader<&'a [u8]>,
    headers: csv::StringRecord,
}

impl<'a> CsvTable<'a> {
    /// Reads the header row; a column not in `known` is refused, `expected`
    /// saying in the error what the columns may be.
    pub fn open(bytes: &'a [u8], known: &[&str], expected: &str) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| ImportError::Line {
                line: 1,
                message: format!("unreadable header: {e}"),
            })?
            .clone();
        if let Some(unknown) = headers.iter().find(|h| !known.contains(h)) {
            return Err(ImportError::cell(
                1,
                unknown,
                format!("unknown column (expected {expected})"),
            ));
        }
        Ok(CsvTable { reader, headers })
    }

    /// Where an optional column is.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Where a column the table must have is.
    pub fn required(&self, name: &str) -> Result<usize, ImportError> {
        self.column(name)
            .ok_or_else(|| ImportError::cell(1, name, "missing column"))
    }

    /// The data rows with their line numbers; a row the CSV reader cannot
    /// read is an error on its line.
    pub fn rows(
        &mut self,
    ) -> impl Iterator<Item = Result<(usize, csv::StringRecord), ImportError>> + use<'_, 'a> {
        self.reader.records().enumerate().map(|(i, record)| {
            let line = i + 2;
            record.map(|r| (line, r)).map_err(|e| ImportError::Line {
                line,
                message: e.to_string(),
            })
        })
    }
}

/// A cell of `record` (empty past its end).
pub fn cell(record: &csv::StringRecord, column: usize) -> &str {
    record.get(column).unwrap_or("")
}
