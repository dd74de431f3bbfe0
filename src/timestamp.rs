//! Moments as vistka stores them: UTC microseconds plus the offset they were written with.

use chrono::{DateTime, FixedOffset, Offset, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// A publication or update time. Integers sort identically on every backend; the offset lets
/// export and the API give back the editor's own wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub micros: i64,
    pub offset: i32,
}

impl Timestamp {
    /// Reads an RFC 3339 date-time with an offset; the error says what is expected.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| {
            format!(
                "{text:?} is not an RFC 3339 date-time with an offset (e.g. 2024-04-12T14:20:00+03:00)"
            )
        })?;
        if parsed.timestamp_subsec_nanos() % 1_000 != 0 {
            return Err(format!("{text:?} is more precise than a microsecond"));
        }
        Ok(Self::from(parsed))
    }

    /// This moment, to the microsecond, with the offset `zone` has now.
    pub fn now_in(zone: chrono_tz::Tz) -> Self {
        let now = Utc::now();
        Self {
            micros: now.timestamp_micros(),
            offset: now.with_timezone(&zone).offset().fix().local_minus_utc(),
        }
    }

    pub fn to_datetime(self) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(self.offset).unwrap_or_else(|| Utc.fix());
        DateTime::from_timestamp_micros(self.micros)
            .unwrap_or_default()
            .with_timezone(&offset)
    }

    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

/// Serialized as RFC 3339 text, the form of the interchange format.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(moment: DateTime<FixedOffset>) -> Self {
        Self {
            micros: moment.timestamp_micros(),
            offset: moment.offset().local_minus_utc(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn keeps_the_offset_it_was_written_with() {
        let kyiv = Timestamp::parse("2024-09-07T00:30:00+03:00").expect("valid");
        assert_eq!(kyiv.offset, 3 * 3600);
        assert_eq!(kyiv.micros, 1_725_658_200_000_000);
        assert_eq!(kyiv.to_rfc3339(), "2024-09-07T00:30:00+03:00");
        let utc = Timestamp::parse("2024-09-06T21:30:00.250Z").expect("valid");
        assert_eq!(utc.to_rfc3339(), "2024-09-06T21:30:00.250+00:00");
    }

    #[test]
    fn refuses_what_it_cannot_keep() {
        assert!(Timestamp::parse("2024-09-07 00:30").is_err());
        assert!(Timestamp::parse("2024-09-07T00:30:00").is_err());
        assert!(Timestamp::parse("2024-09-07T00:30:00.123456789+03:00").is_err());
    }
}
