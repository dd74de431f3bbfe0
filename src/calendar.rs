//! Days in the site's time zone: an article belongs to the day of its local publication time,
//! so one published at 00:30 in Kyiv belongs to that day although it is still the day before
//! in UTC.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The local calendar date of a moment given in microseconds since the epoch.
pub fn local_date(micros: i64, zone: Tz) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
}

/// The first microsecond of a local day. Where a time-zone change skips midnight, the day
/// starts at its first moment that exists.
pub fn day_start(date: NaiveDate, zone: Tz) -> i64 {
    let mut local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..24 {
        if let Some(start) = zone.from_local_datetime(&local).earliest() {
            return start.timestamp_micros();
        }
        local += chrono::Duration::minutes(30);
    }
    local.and_utc().timestamp_micros()
}

/// The day as a half-open range of microseconds: [start, start of the next day).
pub fn day_range(date: NaiveDate, zone: Tz) -> (i64, i64) {
    let next = date.succ_opt().unwrap_or(date);
    (day_start(date, zone), day_start(next, zone))
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Kyiv;

    use super::*;
    use crate::timestamp::Timestamp;

    #[test]
    fn half_past_midnight_in_kyiv_is_that_day() {
        let moment = Timestamp::parse("2024-09-07T00:30:00+03:00").expect("valid");
        let date = local_date(moment.micros, Kyiv);
        assert_eq!(date.to_string(), "2024-09-07");
        assert_eq!(
            local_date(moment.micros, chrono_tz::UTC).to_string(),
            "2024-09-06"
        );
        let (start, end) = day_range(date, Kyiv);
        assert!(start <= moment.micros && moment.micros < end);
        assert_eq!(end - start, 24 * 3600 * 1_000_000);
    }

    #[test]
    fn days_around_clock_changes_have_their_real_length() {
        let spring = NaiveDate::from_ymd_opt(2024, 3, 31).expect("date");
        let (start, end) = day_range(spring, Kyiv);
        assert_eq!(end - start, 23 * 3600 * 1_000_000);
    }
}
