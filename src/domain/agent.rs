//! An agent as the planner enters it: a person with an HR id and a contract.

use super::InvalidValue;

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
