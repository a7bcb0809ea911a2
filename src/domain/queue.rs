//! A queue: one stream of contacts on one channel with one service goal.

use super::InvalidValue;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Voice,
    Chat,
    Email,
    Social,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Voice,
        Channel::Chat,
        Channel::Email,
        Channel::Social,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
            Channel::Social => "social",
        }
    }
}

impl FromStr for Channel {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                InvalidValue::new(
                    "channel",
                    format!("'{s}' is not one of voice, chat, email, social"),
                )
            })
    }
}

/// "X% of contacts answered within T seconds", plus optional caps.
/// Fractions are 0..=1 here; the API speaks percent. Fields are private so
/// every goal has passed [`ServiceGoal::new`] (serde goes through it too).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GoalFields", into = "GoalFields")]
pub struct ServiceGoal {
    service_level: f64,
    answer_within_seconds: f64,
    max_asa_seconds: Option<f64>,
    max_abandon_rate: Option<f64>,
}

/// A goal's fields as they travel in JSON, checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoalFields {
    service_level: f64,
    answer_within_seconds: f64,
    #[serde(default)]
    max_asa_seconds: Option<f64>,
    #[serde(default)]
    max_abandon_rate: Option<f64>,
}

impl TryFrom<GoalFields> for ServiceGoal {
    type Error = InvalidValue;
    fn try_from(f: GoalFields) -> Result<Self, InvalidValue> {
        ServiceGoal::new(
            f.service_level,
            f.answer_within_seconds,
            f.max_asa_seconds,
            f.max_abandon_rate,
        )
    }
}

impl From<ServiceGoal> for GoalFields {
    fn from(g: ServiceGoal) -> Self {
        GoalFields {
            service_level: g.service_level,
            answer_within_seconds: g.answer_within_seconds,
            max_asa_seconds: g.max_asa_seconds,
            max_abandon_rate: g.max_abandon_rate,
        }
    }
}

impl ServiceGoal {
    pub fn new(
        service_level: f64,
        answer_within_seconds: f64,
        max_asa_seconds: Option<f64>,
        max_abandon_rate: Option<f64>,
    ) -> Result<Self, InvalidValue> {
        if !(service_level > 0.0 && service_level < 1.0) {
            return Err(InvalidValue::new(
                "service_level_percent",
                "must be above 0 and below 100 (100% within a finite time needs infinite agents)",
            ));
        }
        if !(answer_within_seconds.is_finite() && answer_within_seconds >= 0.0) {
            return Err(InvalidValue::new(
                "answer_within_seconds",
                "must be 0 or more",
            ));
        }
        if let Some(asa) = max_asa_seconds {
            if !(asa.is_finite() && asa > 0.0) {
                return Err(InvalidValue::new("max_asa_seconds", "must be above 0"));
            }
        }
        if let Some(ab) = max_abandon_rate {
            if !(ab > 0.0 && ab < 1.0) {
                return Err(InvalidValue::new(
                    "max_abandon_percent",
                    "must be above 0 and below 100",
                ));
            }
        }
        Ok(Self {
            service_level,
            answer_within_seconds,
            max_asa_seconds,
            max_abandon_rate,
        })
    }

    /// Any values, unchecked: for core tests that feed the staffing maths
    /// goals the edge would refuse, to see the maths refuse them too.
    #[cfg(test)]
    pub(crate) fn unchecked(
        service_level: f64,
        answer_within_seconds: f64,
        max_asa_seconds: Option<f64>,
        max_abandon_rate: Option<f64>,
    ) -> Self {
        Self {
            service_level,
            answer_within_seconds,
            max_asa_seconds,
            max_abandon_rate,
        }
    }

    /// Share of contacts to answer within [`Self::answer_within_seconds`] (0..1).
    pub fn service_level(&self) -> f64 {
        self.service_level
    }

    pub fn answer_within_seconds(&self) -> f64 {
        self.answer_within_seconds
    }

    pub fn max_asa_seconds(&self) -> Option<f64> {
        self.max_asa_seconds
    }

    /// Highest share of callers who may hang up (Erlang A only).
    pub fn max_abandon_rate(&self) -> Option<f64> {
        self.max_abandon_rate
    }

    /// The same goal without its abandonment cap (what Erlang C can check).
    pub fn without_abandon_cap(self) -> Self {
        Self {
            max_abandon_rate: None,
            ..self
        }
    }
}

/// Everything the core needs to know about a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    pub name: String,
    pub channel: Channel,
    pub interval_minutes: u32,
    pub time_zone: Tz,
    pub goal: ServiceGoal,
    /// Share of paid time agents are not available (breaks, training, absence): 0..1.
    pub shrinkage: f64,
    /// Highest occupancy agents should run at: (0, 1].
    pub max_occupancy: f64,
    /// Channel-specific staffing inputs.
    pub staffing: StaffingOptions,
    /// Handle time forecast when the history has none (seconds).
    pub default_aht_seconds: Option<f64>,
    /// When the queue takes contacts (default: 24 h, every day).
    pub hours: super::OpeningHours,
    /// The days of its weekend (default: Saturday and Sunday).
    pub weekend: super::WeekendDays,
    /// The share (0.5–0.999) of open intervals the planner wants expected
    /// to meet the goal under the forecast's uncertainty (the mean chance,
    /// bought at the fewest agents; see `staffing::share`). `None`: staff
    /// for the point forecast.
    pub interval_confidence: Option<f64>,
    /// The share of the history's counted contacts that reach agents
    /// (0.01–2; the history may count voice-menu hang-ups the queue never
    /// sees). `None`: learnt from the queue's call records before a
    /// forecast's origin when they overlap the history, else 1.
    pub offered_share: Option<f64>,
}

/// What the channel's staffing model needs beyond the goal. `None` means
/// the channel's default (see `StaffingOptions::with_defaults`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StaffingOptions {
    /// Voice: mean time callers wait before hanging up. Set: Erlang A
    /// (abandonment); unset: Erlang C (nobody abandons).
    pub patience_seconds: Option<f64>,
    /// Chat: how many chats one agent handles at once (default 2).
    pub chat_concurrency: Option<u32>,
    /// Email/social: how long an item may wait for its answer (default 24 h).
    pub deadline_seconds: Option<f64>,
}

pub const DEFAULT_CHAT_CONCURRENCY: u32 = 2;
pub const DEFAULT_DEADLINE_SECONDS: f64 = 24.0 * 3600.0;

impl StaffingOptions {
    /// Checks each option belongs to the channel and is in range.
    pub fn check(self, channel: Channel) -> Result<Self, InvalidValue> {
        if let Some(p) = self.patience_seconds {
            if channel != Channel::Voice {
                return Err(InvalidValue::new(
                    "patience_seconds",
                    "applies to voice queues only",
                ));
            }
            if !(p.is_finite() && p > 0.0) {
                return Err(InvalidValue::new("patience_seconds", "must be above 0"));
            }
        }
        if let Some(k) = self.chat_concurrency {
            if channel != Channel::Chat {
                return Err(InvalidValue::new(
                    "chat_concurrency",
                    "applies to chat queues only",
                ));
            }
            if !(1..=10).contains(&k) {
                return Err(InvalidValue::new(
                    "chat_concurrency",
                    "must be 1 to 10 chats at once",
                ));
            }
        }
        if let Some(d) = self.deadline_seconds {
            if !matches!(channel, Channel::Email | Channel::Social) {
                return Err(InvalidValue::new(
                    "deadline_seconds",
                    "applies to email and social queues only",
                ));
            }
            if !(d.is_finite() && d > 0.0) {
                return Err(InvalidValue::new("deadline_seconds", "must be above 0"));
            }
        }
        Ok(self)
    }
}

impl QueueSpec {
    pub fn new(
        name: &str,
        channel: Channel,
        interval_minutes: u32,
        time_zone: &str,
        goal: ServiceGoal,
        shrinkage: f64,
        max_occupancy: f64,
    ) -> Result<Self, InvalidValue> {
        let name = super::text::checked_text("name", name, 200)?;
        parse_interval_minutes(interval_minutes)?;
        let time_zone = parse_time_zone(time_zone)?;
        if !(0.0..1.0).contains(&shrinkage) {
            return Err(InvalidValue::new(
                "shrinkage_percent",
                "must be at least 0 and below 100",
            ));
        }
        if !(max_occupancy > 0.0 && max_occupancy <= 1.0) {
            return Err(InvalidValue::new(
                "max_occupancy_percent",
                "must be above 0 and at most 100",
            ));
        }
        Ok(Self {
            name,
            channel,
            interval_minutes,
            time_zone,
            goal,
            shrinkage,
            max_occupancy,
            staffing: StaffingOptions::default(),
            default_aht_seconds: None,
            hours: super::OpeningHours::default(),
            weekend: super::WeekendDays::default(),
            interval_confidence: None,
            offered_share: None,
        })
    }

    /// Sets the handle time used when the history has none.
    pub fn with_default_aht(mut self, seconds: Option<f64>) -> Result<Self, InvalidValue> {
        if let Some(s) = seconds {
            if !(s.is_finite() && s > 0.0 && s <= 86_400.0) {
                return Err(InvalidValue::new(
                    "default_aht_seconds",
                    format!("{s} must be above 0 and at most 86400"),
                ));
            }
        }
        self.default_aht_seconds = seconds;
        Ok(self)
    }

    /// Sets the share of open intervals expected to meet the goal, in
    /// percent (`None`: staff for the point forecast, as without forecast
    /// risk).
    pub fn with_interval_confidence(mut self, percent: Option<f64>) -> Result<Self, InvalidValue> {
        if let Some(p) = percent {
            if !(p.is_finite() && (50.0..=99.9).contains(&p)) {
                return Err(InvalidValue::new(
                    "interval_confidence_percent",
                    format!("{p} must be from 50 to 99.9 (the share of open intervals expected to meet the goal)"),
                ));
            }
        }
        self.interval_confidence = percent.map(|p| p / 100.0);
        Ok(self)
    }

    /// Sets the share of counted contacts offered to agents, in percent
    /// (`None`: learn it from call records, see `offered_share`).
    pub fn with_offered_percent(mut self, percent: Option<f64>) -> Result<Self, InvalidValue> {
        if let Some(p) = percent {
            if !(p.is_finite() && (1.0..=200.0).contains(&p)) {
                return Err(InvalidValue::new(
                    "offered_percent",
                    format!("{p} must be from 1 to 200 (contacts offered to agents per 100 the history counts)"),
                ));
            }
        }
        self.offered_share = percent.map(|p| p / 100.0);
        Ok(self)
    }

    /// Sets the opening hours.
    pub fn with_hours(mut self, hours: super::OpeningHours) -> Self {
        self.hours = hours;
        self
    }

    /// Sets the weekend days.
    pub fn with_weekend(mut self, weekend: super::WeekendDays) -> Self {
        self.weekend = weekend;
        self
    }

    /// Sets the channel's staffing inputs, refusing ones that do not fit it.
    pub fn with_staffing(mut self, staffing: StaffingOptions) -> Result<Self, InvalidValue> {
        self.staffing = staffing.check(self.channel)?;
        Ok(self)
    }

    pub fn grid(&self) -> super::Grid {
        super::Grid::new(self.interval_minutes, self.time_zone)
    }
}

pub fn parse_interval_minutes(minutes: u32) -> Result<u32, InvalidValue> {
    match minutes {
        15 | 30 | 60 => Ok(minutes),
        _ => Err(InvalidValue::new(
            "interval_minutes",
            format!("{minutes} is not one of 15, 30, 60"),
        )),
    }
}

pub fn parse_time_zone(name: &str) -> Result<Tz, InvalidValue> {
    name.parse::<Tz>().map_err(|_| {
        InvalidValue::new(
            "time_zone",
            format!("'{name}' is not an IANA time zone name"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal() -> ServiceGoal {
        ServiceGoal::new(0.8, 20.0, None, None).unwrap()
    }

    #[test]
    fn rejects_bad_queue_fields() {
        let bad_zone = QueueSpec::new("q", Channel::Voice, 15, "Mars/Olympus", goal(), 0.3, 0.85);
        assert_eq!(bad_zone.unwrap_err().field, "time_zone");
        let bad_interval = QueueSpec::new("q", Channel::Voice, 20, "UTC", goal(), 0.3, 0.85);
        assert_eq!(bad_interval.unwrap_err().field, "interval_minutes");
        let bad_shrink = QueueSpec::new("q", Channel::Voice, 15, "UTC", goal(), 1.0, 0.85);
        assert_eq!(bad_shrink.unwrap_err().field, "shrinkage_percent");
        assert!(QueueSpec::new("q", Channel::Chat, 30, "Europe/Paris", goal(), 0.3, 0.85).is_ok());
    }

    #[test]
    fn staffing_options_must_fit_the_channel() {
        let voice = QueueSpec::new("q", Channel::Voice, 15, "UTC", goal(), 0.3, 0.85).unwrap();
        let patient = StaffingOptions {
            patience_seconds: Some(120.0),
            ..Default::default()
        };
        assert!(voice.clone().with_staffing(patient).is_ok());
        let chatty = StaffingOptions {
            chat_concurrency: Some(3),
            ..Default::default()
        };
        assert_eq!(
            voice.clone().with_staffing(chatty).unwrap_err().field,
            "chat_concurrency"
        );
        let chat = QueueSpec::new("c", Channel::Chat, 15, "UTC", goal(), 0.3, 0.85).unwrap();
        assert!(chat.clone().with_staffing(chatty).is_ok());
        let too_many = StaffingOptions {
            chat_concurrency: Some(0),
            ..Default::default()
        };
        assert!(chat.with_staffing(too_many).is_err());
        let email = QueueSpec::new("e", Channel::Email, 60, "UTC", goal(), 0.3, 0.85).unwrap();
        let late = StaffingOptions {
            deadline_seconds: Some(-1.0),
            ..Default::default()
        };
        assert_eq!(
            email.with_staffing(late).unwrap_err().field,
            "deadline_seconds"
        );
    }

    #[test]
    fn a_goal_reads_back_through_its_checks() {
        let g = goal();
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<ServiceGoal>(&json).unwrap(), g);
        let bad = r#"{"service_level": 1.0, "answer_within_seconds": 20}"#;
        let e = serde_json::from_str::<ServiceGoal>(bad).unwrap_err();
        assert!(e.to_string().contains("service_level_percent"), "{e}");
    }

    #[test]
    fn rejects_impossible_goal() {
        assert!(ServiceGoal::new(1.0, 20.0, None, None).is_err());
        assert!(ServiceGoal::new(0.8, -1.0, None, None).is_err());
        assert!(ServiceGoal::new(0.8, 20.0, Some(0.0), None).is_err());
    }

    #[test]
    fn channel_round_trips() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), c);
        }
        assert!("fax".parse::<Channel>().is_err());
    }
}
