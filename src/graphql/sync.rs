//! Delta sync for apps that keep a copy of the feed: `changes(since:)` gives, in order, every
//! article whose public state changed since a token, and a new token.
//!
//! A sync runs in two phases. First the change log (`store::sync`), in (version, slug) order up
//! to the version current when it is read: every write and import logs what it changed under
//! the version it made, in commit order, so nothing below a version is ever missed. Each logged
//! slug is resolved against the present: `PUBLISHED` with the article if it is public now,
//! `REMOVED` otherwise (a draft, a deleted article, an old slug, an article still scheduled).
//! Then the clock: articles whose scheduled time came since the previous sync began, which no
//! write announced. Applying every change in order gives exactly what a full walk of the feed
//! gives at the end of the sync.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ErrorExtensions, Object, Result, SimpleObject};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entity::article;

use super::{article::Article, loaders, reader::Reader};
use crate::{
    error::AppError,
    store::{
        feed::{self, Position},
        sync::{self, LogPosition},
        version,
    },
};

/// Most changes in one answer.
const MAX_CHANGES: i32 = 100;

/// What happened to the article under a slug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ChangeKind {
    /// It is in the feed, as `article` shows: add it, or replace the copy under this slug.
    Published,
    /// It is not in the feed (unpublished, deleted, renamed away, or not yet due): remove the
    /// copy under this slug, if any.
    Removed,
}

/// One change to apply, in order.
#[derive(Debug)]
pub struct ArticleChange {
    slug: String,
    kind: ChangeKind,
    article: Option<article::Model>,
}

#[Object]
impl ArticleChange {
    async fn slug(&self) -> &str {
        &self.slug
    }

    async fn kind(&self) -> ChangeKind {
        self.kind
    }

    /// The article as the feed shows it, when `PUBLISHED`.
    async fn article(&self) -> Option<Article> {
        self.article.clone().map(Article)
    }
}

/// A page of changes and where to go on from.
#[derive(Debug, SimpleObject)]
pub struct ChangePage {
    changes: Vec<ArticleChange>,
    /// Pass as `since` next time. Tokens are opaque and do not expire.
    token: String,
    /// More changes are waiting: ask again at once with `token`.
    has_more: bool,
}

#[derive(Debug, Default)]
pub struct SyncQuery;

#[Object]
impl SyncQuery {
    /// Every article whose public state changed since `since`, in order. Without `since`, the
    /// whole feed: the start of a copy.
    #[graphql(complexity = "first.clamp(1, MAX_CHANGES) as usize * child_complexity")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token of the previous answer; none for a first sync.")] since: Option<
            String,
        >,
        #[graphql(default = 100, desc = "Most changes in this answer (1 to 100).")] first: i32,
    ) -> Result<ChangePage> {
        let limit = u64::try_from(first)
            .ok()
            .filter(|&n| (1..=MAX_CHANGES as u64).contains(&n))
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "first: must be between 1 and {MAX_CHANGES}, got {first}"
                ))
                .extend()
            })?;
        let db = Reader::of(ctx)?;
        let now = chrono::Utc::now().timestamp_micros();
        let current = version::current(&db).await.map_err(internal)?;
        let mut token = match &since {
            None => Token {
                log: LogPosition {
                    version: 0,
                    slug: String::new(),
                },
                since: now,
                lapses: None,
            },
            Some(text) => Token::decode(text).map_err(|e| e.extend())?,
        };
        if token.log.version > current {
            return Err(AppError::invalid(
                "since: this token is not from this database: start again without `since`",
            )
            .extend());
        }
        let mut changes = Vec::new();
        if token.lapses.is_none() {
            let mut logged = sync::changes_after(&db, &token.log, current, limit + 1)
                .await
                .map_err(internal)?;
            let more = logged.len() as u64 > limit;
            logged.truncate(limit as usize);
            let slugs: Vec<&str> = logged.iter().map(|p| p.slug.as_str()).collect();
            let mut found: HashMap<String, article::Model> = sync::articles_by_slug(&db, &slugs)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|a| (a.slug.clone(), a))
                .collect();
            for position in &logged {
                let article = found
                    .remove(&position.slug)
                    .filter(|a| feed::is_public(a, now));
                changes.push(ArticleChange {
                    slug: position.slug.clone(),
                    kind: if article.is_some() {
                        ChangeKind::Published
                    } else {
                        ChangeKind::Removed
                    },
                    article,
                });
            }
            if let Some(last) = logged.pop() {
                token.log = last;
            }
            if more {
                return page(ctx, changes, &token, true).await;
            }
            token.lapses = Some(Lapses {
                upto: now,
                after: Position {
                    published_at: token.since,
                    id: i64::MAX,
                },
            });
        }
        if let Some(lapses) = &mut token.lapses {
            let room = limit - changes.len() as u64;
            let mut lapsed = sync::lapsed(&db, lapses.after, lapses.upto, room + 1)
                .await
                .map_err(internal)?;
            let more = lapsed.len() as u64 > room;
            lapsed.truncate(room as usize);
            if let Some(last) = lapsed.last() {
                lapses.after = Position::of(last);
            }
            changes.extend(lapsed.into_iter().map(|a| ArticleChange {
                slug: a.slug.clone(),
                kind: ChangeKind::Published,
                article: Some(a),
            }));
            if more {
                return page(ctx, changes, &token, true).await;
            }
            token.since = lapses.upto;
        }
        token.lapses = None;
        page(ctx, changes, &token, false).await
    }
}

async fn page(
    ctx: &Context<'_>,
    changes: Vec<ArticleChange>,
    token: &Token,
    has_more: bool,
) -> Result<ChangePage> {
    let articles: Vec<article::Model> = changes.iter().filter_map(|c| c.article.clone()).collect();
    loaders::prefetch_under(ctx, &[&["changes", "article"]], &articles).await?;
    Ok(ChangePage {
        changes,
        token: token.encode(),
        has_more,
    })
}

fn internal(error: sea_orm::DbErr) -> async_graphql::Error {
    AppError::from(error).extend()
}

/// Where a sync stands: the last logged change applied, when the sync run began (lapses after
/// it are still to come), and, once the log is done, how far the lapses have been read.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    log: LogPosition,
    since: i64,
    lapses: Option<Lapses>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Lapses {
    upto: i64,
    after: Position,
}

impl Token {
    fn encode(&self) -> String {
        let mut text = format!("sync:{}:{}:{}", self.log.version, self.log.slug, self.since);
        if let Some(lapses) = &self.lapses {
            text.push_str(&format!(
                ":{}:{}:{}",
                lapses.upto, lapses.after.published_at, lapses.after.id
            ));
        }
        URL_SAFE_NO_PAD.encode(text)
    }

    fn decode(token: &str) -> Result<Self, AppError> {
        let invalid = || AppError::invalid("since: not a token `changes` gave");
        let text = URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(invalid)?;
        let parts: Vec<&str> = text.split(':').collect();
        let number = |part: &str| part.parse::<i64>().map_err(|_| invalid());
        let (log, since) = match parts.as_slice() {
            ["sync", version, slug, since, ..] => (
                LogPosition {
                    version: number(version)?,
                    slug: (*slug).to_owned(),
                },
                number(since)?,
            ),
            _ => return Err(invalid()),
        };
        let lapses = match parts.as_slice() {
            [_, _, _, _] => None,
            [_, _, _, _, upto, published_at, id] => Some(Lapses {
                upto: number(upto)?,
                after: Position {
                    published_at: number(published_at)?,
                    id: number(id)?,
                },
            }),
            _ => return Err(invalid()),
        };
        Ok(Self { log, since, lapses })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back_and_refuse_anything_else() {
        for token in [
            Token {
                log: LogPosition {
                    version: 7,
                    slug: "a-b".into(),
                },
                since: 5,
                lapses: None,
            },
            Token {
                log: LogPosition {
                    version: 0,
                    slug: String::new(),
                },
                since: -1,
                lapses: Some(Lapses {
                    upto: 9,
                    after: Position {
                        published_at: 3,
                        id: i64::MAX,
                    },
                }),
            },
        ] {
            assert_eq!(Token::decode(&token.encode()).ok(), Some(token));
        }
        for bad in [
            "",
            "!!",
            &URL_SAFE_NO_PAD.encode("sync:x:a:1"),
            &URL_SAFE_NO_PAD.encode("article:1:2"),
        ] {
            assert!(Token::decode(bad).is_err(), "{bad}");
        }
    }
}
