//! Days: the sidebar's grouping of the feed by local publication date, newest first.

use async_graphql::{
    Context, ErrorExtensions, InputValueError, InputValueResult, MergedObject, Object, Result,
    Scalar, ScalarType, Value,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::NaiveDate;

use super::{article::ArticleFilter, pagination::ArticlesOf, reader::Reader};
use crate::{
    calendar,
    config::SiteConfig,
    error::AppError,
    store::feed::{self, Filter},
};

/// A calendar date, `YYYY-MM-DD`, in the site's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD`, in the site's time zone.
#[Scalar]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!("{text:?} is not a date (YYYY-MM-DD)"))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

pub const DEFAULT_DAYS: i32 = 7;
pub const MAX_DAYS: i32 = 31;

/// Marks day cursors, so one from elsewhere is refused instead of misread.
const CURSOR_PREFIX: &str = "day:";

/// One day that has articles.
#[derive(Debug, MergedObject)]
pub struct Day(DayFields, ArticlesOf);

#[derive(Debug)]
struct DayFields(NaiveDate);

#[Object]
impl DayFields {
    /// The day, in the site's time zone.
    async fn date(&self) -> Date {
        Date(self.0)
    }
}

#[derive(Debug, Default)]
pub struct DayQuery;

#[Object]
impl DayQuery {
    /// The feed grouped by day for a sidebar: the most recent days that have articles, newest
    /// first, each with its date and its articles (paged like `feed`). An article belongs to
    /// the day of its publication in the site's time zone.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_DAYS).clamp(1, MAX_DAYS) as usize * child_complexity"
    )]
    async fn days(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Days per page (1 to 31, default 7).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor: older days.")] after: Option<String>,
        #[graphql(desc = "Only articles matching all of these.")] filter: Option<ArticleFilter>,
    ) -> Result<Connection<String, Day>> {
        let count = first.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&count) {
            return Err(AppError::invalid(format!(
                "first: must be between 1 and {MAX_DAYS}, got {count}"
            ))
            .extend());
        }
        let zone = ctx.data::<SiteConfig>()?.time_zone;
        let db = Reader::of(ctx)?;
        let filter: Filter = filter.unwrap_or_default().into();
        let mut before = match &after {
            Some(cursor) => Some(calendar::day_start(
                decode(cursor).map_err(|e| e.extend())?,
                zone,
            )),
            None => None,
        };
        let now = chrono::Utc::now().timestamp_micros();
        let mut days = Vec::new();
        while days.len() <= count as usize {
            let newest = feed::latest(&db, &filter, before, now)
                .await
                .map_err(|e| AppError::from(e).extend())?;
            let Some(published_at) = newest else { break };
            let date = calendar::local_date(published_at, zone);
            days.push(date);
            before = Some(calendar::day_start(date, zone));
        }
        let has_next = days.len() > count as usize;
        days.truncate(count as usize);
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(days.into_iter().map(|date| {
            let (start, end) = calendar::day_range(date, zone);
            let within = Filter {
                published_since: Some(
                    filter
                        .published_since
                        .map_or(start, |since| since.max(start)),
                ),
                published_before: Some(
                    filter
                        .published_before
                        .map_or(end, |before| before.min(end)),
                ),
                ..filter.clone()
            };
            Edge::new(encode(date), Day(DayFields(date), ArticlesOf(within)))
        }));
        Ok(connection)
    }
}

fn encode(date: NaiveDate) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{date}"))
}

fn decode(cursor: &str) -> Result<NaiveDate, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| NaiveDate::parse_from_str(text.strip_prefix(CURSOR_PREFIX)?, "%Y-%m-%d").ok())
        .ok_or_else(|| {
            AppError::invalid(format!(
                "after: {cursor:?} is not a cursor of this list; use a cursor from its edges or pageInfo"
            ))
        })
}
