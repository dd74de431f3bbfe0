//! Relay cursor connections over the newest-first article order.
//!
//! A cursor is an opaque token for one position in that order, (published_at, id), so a walk
//! never skips or repeats an article however many share a timestamp.

use async_graphql::{
    Context, ErrorExtensions, Object,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{article::Article, loaders, reader::Reader};
use crate::{
    error::AppError,
    store::feed::{self, Direction, Filter, Position, Window},
};

pub type ArticleConnection = Connection<String, Article>;

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// Marks our cursors, so one from elsewhere is refused instead of misread.
const CURSOR_PREFIX: &str = "article:";

/// The Relay arguments of one listing field.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageArgs {
    /// The page these arguments ask for; `look_behind` tells, for the direction they walk,
    /// whether the caller shows what lies behind their cursor.
    pub fn window(&self, look_behind: impl FnOnce(Direction) -> bool) -> Result<Window, AppError> {
        let (direction, size, name) = match (self.first, self.last) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "first and last cannot be combined: page forward with first/after or backward with last/before",
                ));
            }
            (_, Some(last)) => (Direction::Backward, last, "last"),
            (first, None) => (
                Direction::Forward,
                first.unwrap_or(DEFAULT_PAGE_SIZE),
                "first",
            ),
        };
        Ok(Window {
            direction,
            limit: page_size(name, size)?,
            after: self
                .after
                .as_deref()
                .map(|c| decode("after", c))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode("before", c))
                .transpose()?,
            look_behind: look_behind(direction),
        })
    }
}

/// A page size given as argument `name`, checked against the bounds every listing shares.
pub fn page_size(name: &str, size: i32) -> Result<u64, AppError> {
    u64::try_from(size)
        .ok()
        .filter(|_| size <= MAX_PAGE_SIZE)
        .ok_or_else(|| {
            AppError::invalid(format!(
                "{name}: must be between 0 and {MAX_PAGE_SIZE}, got {size}"
            ))
        })
}

/// What a listing field costs in query complexity: its page size times what each item selects.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    size as usize * child_complexity
}

/// The `articles` field of people, topics, countries and sections: the feed narrowed to one of
/// them, merged into each of those types.
#[derive(Debug)]
pub struct ArticlesOf(pub Filter);

#[Object]
impl ArticlesOf {
    /// Its published articles, newest first, paged like `feed`.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Articles per page, walking towards older ones (0 to 100, default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Articles per page, walking towards newer ones (0 to 100).")] last: Option<
            i32,
        >,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
    ) -> async_graphql::Result<ArticleConnection> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        articles(ctx, self.0.clone(), args).await
    }
}

/// One page of the public articles `filter` selects.
pub async fn articles(
    ctx: &Context<'_>,
    filter: Filter,
    args: PageArgs,
) -> async_graphql::Result<ArticleConnection> {
    let window = args
        .window(|direction| shows_behind(ctx, direction))
        .map_err(|e| e.extend())?;
    let db = Reader::of(ctx)?;
    let now = chrono::Utc::now().timestamp_micros();
    let page = feed::page(&db, &filter, window, now)
        .await
        .map_err(|e| AppError::from(e).extend())?;
    loaders::prefetch(ctx, &page.articles).await?;
    let mut connection = Connection::new(page.has_previous, page.has_next);
    connection.edges.extend(
        page.articles
            .into_iter()
            .map(|article| Edge::new(encode(Position::of(&article)), Article(article))),
    );
    Ok(connection)
}

/// Whether the query shows the one flag of `pageInfo` that takes a statement of its own: if
/// articles lie behind the cursor a walk starts from, `hasPreviousPage` going forward and
/// `hasNextPage` going backward. Fragments count; an alias does not hide the field; a field or
/// fragment that `@skip` or `@include` leaves out is gone from the query before it runs.
fn shows_behind(ctx: &Context<'_>, direction: Direction) -> bool {
    let flag = match direction {
        Direction::Forward => "hasPreviousPage",
        Direction::Backward => "hasNextPage",
    };
    ctx.look_ahead().field("pageInfo").field(flag).exists()
}

pub fn encode(position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{CURSOR_PREFIX}{}:{}",
        position.published_at, position.id
    ))
}

fn decode(argument: &str, cursor: &str) -> Result<Position, AppError> {
    let position = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (published_at, id) = text.strip_prefix(CURSOR_PREFIX)?.split_once(':')?;
            Some(Position {
                published_at: published_at.parse().ok()?,
                id: id.parse().ok()?,
            })
        });
    position.ok_or_else(|| {
        AppError::invalid(format!(
            "{argument}: {cursor:?} is not a cursor of this list; use a cursor from its edges or pageInfo"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let position = Position {
            published_at: -1_725_658_200_000_000,
            id: 42,
        };
        assert_eq!(decode("after", &encode(position)).ok(), Some(position));
    }

    #[test]
    fn foreign_cursors_are_refused() {
        for cursor in [
            "",
            "!!!",
            "YXJyYXljb25uZWN0aW9uOjU",
            &URL_SAFE_NO_PAD.encode("article:x:1"),
        ] {
            assert!(decode("after", cursor).is_err(), "{cursor}");
        }
    }
}
