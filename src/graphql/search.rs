//! Search: the published articles holding every word of a query, best or newest first, each
//! with its matching words highlighted.

use std::sync::Arc;

use async_graphql::{
    Context, Enum, ErrorExtensions, Object, OutputType, Result,
    connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields},
    dataloader::{DataLoader, HashMapCache},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::{article, article_body};

use super::{
    article::{Article, ArticleFilter},
    loaders::{self, ByIdLoader},
    pagination::{self, DEFAULT_PAGE_SIZE},
    reader::Reader,
};
use crate::{
    error::AppError,
    search::{
        snippet,
        text::{MAX_QUERY_WORDS, Query},
    },
    store::search::{self, Order, Position},
};

/// How search hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum)]
pub enum SearchOrder {
    /// Best first: 2 points for each word of the query in the title, 1 for each in the lead
    /// or in the names of the article's people and topics; newest first among equals.
    #[default]
    Relevance,
    /// Newest first, as in the feed.
    Newest,
}

impl From<SearchOrder> for Order {
    fn from(order: SearchOrder) -> Self {
        match order {
            SearchOrder::Relevance => Self::Relevance,
            SearchOrder::Newest => Self::Newest,
        }
    }
}

#[derive(Debug)]
pub struct SearchConnectionName;

impl ConnectionNameType for SearchConnectionName {
    fn type_name<T: OutputType>() -> String {
        "SearchConnection".into()
    }
}

#[derive(Debug)]
pub struct SearchHitName;

impl EdgeNameType for SearchHitName {
    fn type_name<T: OutputType>() -> String {
        "SearchHit".into()
    }
}

pub type SearchConnection =
    Connection<String, Article, EmptyFields, Highlights, SearchConnectionName, SearchHitName>;

/// Most words a snippet may be asked for.
const MAX_SNIPPET_WORDS: i32 = 100;

/// What a hit shows of why it matched.
#[derive(Debug)]
pub struct Highlights {
    article: article::Model,
    body: String,
    query: Arc<Query>,
    score: i64,
}

#[Object]
impl Highlights {
    /// The hit's score in the relevance order: 2 points for each word of the query found in
    /// the title, plus 1 for each found in the lead or in the names of its people and topics.
    async fn score(&self) -> i32 {
        i32::try_from(self.score).unwrap_or(i32::MAX)
    }

    /// The title as HTML: escaped, with the words that match the query in `<mark>`.
    async fn highlighted_title(&self) -> String {
        snippet::highlight(&self.article.title, &self.query)
    }

    /// About `words` words of the lead, or else of the body as plain text, around the first
    /// word that matches the query, as HTML: escaped, matching words in `<mark>`, «…» where
    /// the text was cut. When only the title or the names matched, the opening of the lead
    /// (or of the body), unmarked.
    async fn snippet(
        &self,
        #[graphql(default = 30, desc = "About how many words (1 to 100).")] words: i32,
    ) -> Result<String> {
        let size = usize::try_from(words)
            .ok()
            .filter(|&size| (1..=MAX_SNIPPET_WORDS as usize).contains(&size))
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "words: must be between 1 and {MAX_SNIPPET_WORDS}, got {words}"
                ))
                .extend()
            })?;
        let body = crate::body::to_text(&self.body);
        let lead = self.article.lead.as_deref().unwrap_or_default();
        Ok(snippet::around_first_match(lead, &self.query, size)
            .or_else(|| snippet::around_first_match(&body, &self.query, size))
            .unwrap_or_else(|| {
                let opening = if lead.is_empty() { &body } else { lead };
                snippet::opening(opening, size)
            }))
    }
}

#[derive(Debug, Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Published articles holding every word of `query` in their title, lead, body, or the
    /// names of their people and topics. Case, accents and the apostrophes ', ’ and ʼ do not
    /// matter; common Ukrainian word forms match each other («Японії» finds «Японія»); the
    /// last word matches as a prefix while it is being typed (when the query ends inside it).
    /// A query with no words answers an empty connection. Paged forward like `feed`.
    #[graphql(complexity = "pagination::cost(first, None, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The words to look for (at most 16).")] query: String,
        #[graphql(desc = "Hits per page (0 to 100, default 20).")] first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Only articles matching all of these.")] filter: Option<ArticleFilter>,
        #[graphql(desc = "Best first (RELEVANCE, the default) or newest first (NEWEST).")]
        order: Option<SearchOrder>,
    ) -> Result<SearchConnection> {
        let order = order.unwrap_or_default();
        let limit = pagination::page_size("first", first.unwrap_or(DEFAULT_PAGE_SIZE))
            .map_err(|e| e.extend())?;
        let words = Query::parse(&query);
        if words.terms.len() > MAX_QUERY_WORDS {
            return Err(AppError::invalid(format!(
                "query: at most {MAX_QUERY_WORDS} words, got {}",
                words.terms.len()
            ))
            .extend());
        }
        let after = after
            .as_deref()
            .map(|cursor| decode(order, cursor))
            .transpose()
            .map_err(|e| e.extend())?;
        let db = Reader::of(ctx)?;
        let now = chrono::Utc::now().timestamp_micros();
        let filter = filter.unwrap_or_default().into();
        let page = search::page(&db, &words, &filter, order.into(), after, limit, now)
            .await
            .map_err(|e| AppError::from(e).extend())?;
        // The hits' bodies were read for their snippets: they are at hand already.
        ctx.data::<DataLoader<ByIdLoader<article_body::Entity>, HashMapCache>>()?
            .feed_many(page.hits.iter().map(|hit| {
                let id = hit.article.id;
                let body = hit.body.clone();
                (
                    id,
                    article_body::Model {
                        article_id: id,
                        body,
                    },
                )
            }))
            .await;
        let articles: Vec<article::Model> =
            page.hits.iter().map(|hit| hit.article.clone()).collect();
        loaders::prefetch(ctx, &articles).await?;
        let query = Arc::new(words);
        let mut connection = SearchConnection::new(false, page.has_next);
        connection
            .edges
            .extend(page.hits.into_iter().zip(articles).map(|(hit, article)| {
                let cursor = encode(order, hit.position());
                let highlights = Highlights {
                    article: hit.article,
                    body: hit.body,
                    query: query.clone(),
                    score: hit.score,
                };
                Edge::with_additional_fields(cursor, Article(article), highlights)
            }));
        Ok(connection)
    }
}

/// Marks search cursors, with the order they belong to, so that a cursor of the feed or of the
/// other order is refused instead of misread.
fn prefix(order: SearchOrder) -> &'static str {
    match order {
        SearchOrder::Relevance => "search:relevance:",
        SearchOrder::Newest => "search:newest:",
    }
}

fn encode(order: SearchOrder, position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}{}:{}:{}",
        prefix(order),
        position.score,
        position.published_at,
        position.id
    ))
}

fn decode(order: SearchOrder, cursor: &str) -> Result<Position, AppError> {
    let position = URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let mut parts = text.strip_prefix(prefix(order))?.split(':');
            let position = Position {
                score: parts.next()?.parse().ok()?,
                published_at: parts.next()?.parse().ok()?,
                id: parts.next()?.parse().ok()?,
            };
            parts.next().is_none().then_some(position)
        });
    position.ok_or_else(|| {
        AppError::invalid(format!(
            "after: {cursor:?} is not a cursor of this search and order; use a cursor from its edges or pageInfo"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_keep_to_their_order() {
        let position = Position {
            score: 3,
            published_at: -1_725_658_200_000_000,
            id: 42,
        };
        let cursor = encode(SearchOrder::Relevance, position);
        assert_eq!(decode(SearchOrder::Relevance, &cursor).ok(), Some(position));
        assert!(decode(SearchOrder::Newest, &cursor).is_err());
        let feed = pagination::encode(crate::store::feed::Position {
            published_at: 1,
            id: 1,
        });
        for foreign in ["", "!!!", &feed] {
            assert!(decode(SearchOrder::Newest, foreign).is_err(), "{foreign}");
        }
    }
}
