//! The search index and the queries over it.
//!
//! For every article, the full-text index holds its distinct terms as `crate::search`
//! normalizes them (title, lead, names of its people and topics, body): on SQLite a contentless
//! FTS5 table, `article_terms`, keyed by the article's id as its rowid; on PostgreSQL
//! `article_document`, whose terms a GIN index over a tsvector serves (see the migrations
//! `m20261125_000010_create_search` and `m20261125_000011_slim_search_index`).
//! `article_search` is narrow: whether the article is published and when, and `head` (title)
//! and `summary` (lead and names) words for ranking, so that ranking every hit of a common
//! word reads little. The SQL that asks the full-text indexes is raw because neither `MATCH`
//! nor `@@` has a SeaORM form; everything else is built with sea-query.
//!
//! Rows are rewritten by [`reindex`] inside the transaction that changes the content, so the
//! index never trails the articles: a reader sees both before a write or both after it.

use std::collections::HashMap;

use entity::{article, article_body, article_person, article_topic, person, topic};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, DeriveIden, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, RelationTrait,
    sea_query::{Expr, ExprTrait, Query},
};

use tokio::task::JoinHandle;

use super::{CHUNK, article::linked_keys, feed};
use crate::{
    body,
    search::text::{self, Query as Words, Term, Vocabulary},
};

/// The version of the word normalization the rows were written with. Raising it (when the
/// stemmer or the tokenizer changes) makes [`backfill`] rewrite every row at the next start.
pub const VERSION: i32 = 1;

/// Points a word scores when it is in the title, and when it is in the lead or the names.
const HEAD_POINTS: i64 = 2;
const SUMMARY_POINTS: i64 = 1;

#[derive(Clone, Copy, Debug, DeriveIden)]
enum Searched {
    ArticleSearch,
    ArticleDocument,
    ArticleTerms,
    Rowid,
    Terms,
    ArticleId,
    Version,
    Published,
    PublishedAt,
    Head,
    Summary,
    Document,
}

/// Articles a statement writes to the full-text table at most. FTS5 turns what one statement
/// writes into at least one new segment, and later merges segments; a few large ones cost far
/// less merging than many small ones (the migration `m20261128_000012_larger_fts_batches`
/// sizes its in-memory hash for such batches). Two values a row keep it under the
/// bind-parameter limits.
pub const FULL_TEXT_BATCH: usize = 16_000;

/// Rewrites the search rows of `article_ids` from the articles as they are now in `db`: their
/// title, lead, body, status, publication time and the names of their people and topics. Ids
/// of articles that no longer exist are skipped.
///
/// Call it inside the transaction that changes any of that (an import, a mutation), with every
/// article it touched (in any order, repeats allowed), so that search follows the change in the
/// same commit. After a person or topic is renamed, pass its [`linked_articles`]. An import,
/// which holds the text of its articles already, gives their words to [`index`] instead.
///
/// The words of each batch of articles are normalized on a blocking thread while the database
/// writes the rows of the batch before: on two cores indexing goes at the pace of the slower of
/// the two, not of both in turn.
pub async fn reindex(db: &impl ConnectionTrait, article_ids: &[i64]) -> Result<(), DbErr> {
    let mut article_ids = article_ids.to_vec();
    article_ids.sort_unstable();
    article_ids.dedup();
    let mut normalizing: Option<JoinHandle<Vec<(i64, Prepared)>>> = None;
    for batch in article_ids.chunks(FULL_TEXT_BATCH) {
        let articles = article::Entity::find()
            .filter(article::Column::Id.is_in(batch.iter().copied()))
            .find_also_related(article_body::Entity)
            .all(db)
            .await?;
        let mut names = names(db, batch).await?;
        let prepared = tokio::task::spawn_blocking(move || {
            let mut vocabulary = Vocabulary::default();
            articles
                .iter()
                .map(|(article, body)| {
                    let names = names.remove(&article.id).unwrap_or_default();
                    let body = body.as_ref().map_or("", |row| row.body.as_str());
                    let prepared = Prepared::of_article(article, body, &names, &mut vocabulary);
                    (article.id, prepared)
                })
                .collect()
        });
        if let Some(previous) = normalizing.replace(prepared) {
            index(db, joined(previous).await?, i64::MAX).await?;
        }
    }
    if let Some(last) = normalizing {
        index(db, joined(last).await?, i64::MAX).await?;
    }
    Ok(())
}

/// Rewrites the search rows of `articles` from their words, [`Prepared`] from their text and
/// names as this transaction wrote them. Only those with an id below `new_from` may have rows
/// to remove: an import passes the next id at its start (ids only grow, so the articles it
/// created have none), anything else `i64::MAX`.
pub async fn index(
    db: &impl ConnectionTrait,
    articles: Vec<(i64, Prepared)>,
    new_from: i64,
) -> Result<(), DbErr> {
    for batch in batches(articles) {
        let stored: Vec<i64> = batch
            .iter()
            .map(|(id, _)| *id)
            .filter(|&id| id < new_from)
            .collect();
        remove(db, &stored).await?;
        write(db, batch).await?;
    }
    Ok(())
}

/// `items` in batches of [`FULL_TEXT_BATCH`].
fn batches<T>(items: Vec<T>) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.into_iter().peekable();
    std::iter::from_fn(move || {
        items
            .peek()
            .is_some()
            .then(|| items.by_ref().take(FULL_TEXT_BATCH).collect())
    })
}

/// Deletes the search rows of `articles`.
async fn remove(db: &impl ConnectionTrait, articles: &[i64]) -> Result<(), DbErr> {
    let terms = TermsTable::of(db.get_database_backend());
    for chunk in articles.chunks(CHUNK) {
        for (table, id) in [
            (Searched::ArticleSearch, Searched::ArticleId),
            (terms.table, terms.id),
        ] {
            let delete = Query::delete()
                .from_table(table)
                .and_where(Expr::col(id).is_in(chunk.iter().copied()))
                .to_owned();
            db.execute(&delete).await?;
        }
    }
    Ok(())
}

/// Where each backend keeps the terms of an article.
struct TermsTable {
    table: Searched,
    id: Searched,
    terms: Searched,
}

impl TermsTable {
    fn of(backend: DbBackend) -> Self {
        match backend {
            DbBackend::Postgres => Self {
                table: Searched::ArticleDocument,
                id: Searched::ArticleId,
                terms: Searched::Document,
            },
            _ => Self {
                table: Searched::ArticleTerms,
                id: Searched::Rowid,
                terms: Searched::Terms,
            },
        }
    }
}

/// The names of the people and topics of each of `articles`, in their order.
async fn names(
    db: &impl ConnectionTrait,
    articles: &[i64],
) -> Result<HashMap<i64, Vec<String>>, DbErr> {
    let people = linked_keys::<article_person::Entity, _>(
        db,
        article_person::Column::ArticleId,
        article_person::Column::Position,
        article_person::Relation::Person.def(),
        person::Column::Name,
        articles,
    )
    .await?;
    let topics = linked_keys::<article_topic::Entity, _>(
        db,
        article_topic::Column::ArticleId,
        article_topic::Column::Position,
        article_topic::Relation::Topic.def(),
        topic::Column::Name,
        articles,
    )
    .await?;
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in people.into_iter().chain(topics) {
        names.entry(id).or_default().push(name);
    }
    Ok(names)
}

async fn joined(prepared: JoinHandle<Vec<(i64, Prepared)>>) -> Result<Vec<(i64, Prepared)>, DbErr> {
    prepared
        .await
        .map_err(|error| DbErr::Custom(format!("indexing words failed: {error}")))
}

/// Inserts the rows of articles whose old rows are gone: the full-text terms of all of them in
/// one statement, the ranking rows a chunk at a time.
async fn write(db: &impl ConnectionTrait, rows: Vec<(i64, Prepared)>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let terms = TermsTable::of(db.get_database_backend());
    let mut document = Query::insert();
    document
        .into_table(terms.table)
        .columns([terms.id, terms.terms]);
    for chunk in rows.chunks(CHUNK) {
        let mut search = Query::insert();
        search.into_table(Searched::ArticleSearch).columns([
            Searched::ArticleId,
            Searched::Version,
            Searched::Published,
            Searched::PublishedAt,
            Searched::Head,
            Searched::Summary,
        ]);
        for (id, row) in chunk {
            search.values_panic([
                (*id).into(),
                VERSION.into(),
                row.published.into(),
                row.published_at.into(),
                row.head.as_str().into(),
                row.summary.as_str().into(),
            ]);
        }
        db.execute(&search).await?;
    }
    for (id, row) in rows {
        document.values_panic([id.into(), row.document.into()]);
    }
    db.execute(&document).await?;
    Ok(())
}

/// The articles that name any of `people` or have any of `topics`: those whose rows hold the
/// names of these, to [`reindex`] after they are renamed.
pub async fn linked_articles(
    db: &impl ConnectionTrait,
    people: &[i64],
    topics: &[i64],
) -> Result<Vec<i64>, DbErr> {
    let mut articles = linking::<article_person::Entity>(
        db,
        article_person::Column::ArticleId,
        article_person::Column::PersonId,
        people,
    )
    .await?;
    articles.extend(
        linking::<article_topic::Entity>(
            db,
            article_topic::Column::ArticleId,
            article_topic::Column::TopicId,
            topics,
        )
        .await?,
    );
    articles.sort_unstable();
    articles.dedup();
    Ok(articles)
}

/// The articles link table `L` links to any of `targets`.
async fn linking<L: EntityTrait>(
    db: &impl ConnectionTrait,
    article_id: L::Column,
    target: L::Column,
    targets: &[i64],
) -> Result<Vec<i64>, DbErr> {
    let mut articles = Vec::new();
    for chunk in targets.chunks(CHUNK) {
        let ids: Vec<i64> = L::find()
            .select_only()
            .column(article_id)
            .filter(target.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        articles.extend(ids);
    }
    Ok(articles)
}

/// Writes the rows of articles that have none, or one from an older [`VERSION`]: a database
/// made before search existed, or indexed by an older stemmer. Runs at every start, after the
/// migrations and in their transaction, so concurrent starts index each article once.
/// Returns how many articles it indexed.
pub async fn backfill(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let current = Query::select()
        .column(Searched::ArticleId)
        .from(Searched::ArticleSearch)
        .and_where(Expr::col(Searched::Version).eq(VERSION))
        .to_owned();
    let missing: Vec<i64> = article::Entity::find()
        .select_only()
        .column(article::Column::Id)
        .filter(article::Column::Id.not_in_subquery(current))
        .into_tuple()
        .all(db)
        .await?;
    reindex(db, &missing).await?;
    Ok(missing.len())
}

/// An article's words, normalized: all its search rows need. Normalizing is most of what
/// indexing costs, so it is done apart from the database: on another thread, while the
/// database writes something else.
#[derive(Debug)]
pub struct Prepared {
    published: bool,
    published_at: i64,
    /// The title's terms, [`padded`].
    head: String,
    /// The terms of the lead and of the names of the article's people and topics, [`padded`].
    summary: String,
    /// The distinct terms of the title, the lead and the body, in their order, then those of
    /// the names, joined by spaces: the full-text indexes answer only whether an article holds
    /// a term, so the body's repeats are left out.
    document: String,
}

impl Prepared {
    /// The words of an article with this title, lead and (Markdown) body, and the `names` of
    /// its people and topics. A name's term may already be in the document: both full-text
    /// indexes keep a term of an article once however often it comes.
    pub fn of<'a>(
        (title, lead, body): (&str, Option<&str>, &str),
        names: impl IntoIterator<Item = &'a str>,
        published: bool,
        published_at: i64,
        vocabulary: &mut Vocabulary,
    ) -> Self {
        let body = body::to_text(body);
        let head: Vec<String> = text::terms(title).collect();
        let mut summary: Vec<String> = lead
            .map(|lead| text::terms(lead).collect())
            .unwrap_or_default();
        let mut document = vocabulary
            .distinct_terms([title, lead.unwrap_or_default(), &body])
            .join(" ");
        for name in names {
            for term in text::terms(name) {
                // No empty term: PostgreSQL's `array_to_tsvector` refuses one.
                if !document.is_empty() {
                    document.push(' ');
                }
                document.push_str(&term);
                summary.push(term);
            }
        }
        Self {
            published,
            published_at,
            head: padded(&head),
            summary: padded(&summary),
            document,
        }
    }

    fn of_article(
        article: &article::Model,
        body: &str,
        names: &[String],
        vocabulary: &mut Vocabulary,
    ) -> Self {
        Self::of(
            (&article.title, article.lead.as_deref(), body),
            names.iter().map(String::as_str),
            article.status == article::Status::Published,
            article.published_at,
            vocabulary,
        )
    }
}

/// Words with a space on each side of each: `LIKE '% word %'` then finds whole words.
fn padded(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// By score, then newest first.
    Relevance,
    /// Newest first, as in the feed.
    Newest,
}

/// A place in a search's order: the whole sort key of one hit, so that pages never skip or
/// repeat a hit, however many share a score and a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Ignored in the newest-first order.
    pub score: i64,
    pub published_at: i64,
    pub id: i64,
}

#[derive(Debug)]
pub struct Hit {
    pub article: article::Model,
    /// Read with the hit, for its snippet.
    pub body: String,
    /// 2 points for each word of the query found in the title, plus 1 for each found in the
    /// lead or in the names of the article's people and topics (words found only in the body
    /// score nothing, but match).
    pub score: i64,
}

impl Hit {
    pub fn position(&self) -> Position {
        Position {
            score: self.score,
            published_at: self.article.published_at,
            id: self.article.id,
        }
    }
}

#[derive(Debug)]
pub struct Page {
    pub hits: Vec<Hit>,
    pub has_next: bool,
}

/// The public articles in `filter` holding every word of `words`, in `order`, after `after`:
/// at most `limit` of them. A query without words matches nothing.
pub async fn page(
    db: &impl ConnectionTrait,
    words: &Words,
    filter: &feed::Filter,
    order: Order,
    after: Option<Position>,
    limit: u64,
    now: i64,
) -> Result<Page, DbErr> {
    if words.is_empty() {
        return Ok(Page {
            hits: Vec::new(),
            has_next: false,
        });
    }
    let (mut select, published_at, id) = if *filter == feed::Filter::default() {
        // The whole archive: `article_search` alone says what is public, so ranking every hit
        // of a common word reads only its narrow rows.
        let column = |name: Searched| Expr::col((Searched::ArticleSearch, name));
        let select = Query::select()
            .from(Searched::ArticleSearch)
            .and_where(column(Searched::Published).eq(true))
            .and_where(column(Searched::PublishedAt).lte(now))
            .to_owned();
        (
            select,
            column(Searched::PublishedAt),
            column(Searched::ArticleId),
        )
    } else {
        let (listing, published_at, id) = feed::listing(filter, now);
        let mut select = listing.into_query();
        select.inner_join(
            Searched::ArticleSearch,
            Expr::col((Searched::ArticleSearch, Searched::ArticleId))
                .equals((article::Entity, article::Column::Id)),
        );
        (select, published_at, id)
    };
    let score = score(&words.terms);
    // Only the sort key is read for every hit; articles and their bodies only for the page's.
    select
        .clear_selects()
        .expr(id.clone())
        .expr(published_at.clone())
        .expr(score.clone())
        .and_where(matching(db.get_database_backend(), &words.terms));
    let mut key = vec![published_at, id];
    if order == Order::Relevance {
        key.insert(0, score);
    }
    if let Some(after) = after {
        let mut at = vec![Expr::val(after.published_at), Expr::val(after.id)];
        if order == Order::Relevance {
            at.insert(0, Expr::val(after.score));
        }
        select.and_where(Expr::tuple(key.clone()).lt(Expr::tuple(at)));
    }
    for column in key {
        select.order_by_expr(column, sea_orm::Order::Desc);
    }
    select.limit(limit + 1);
    let mut keys = db
        .query_all(&select)
        .await?
        .iter()
        .map(|row| row.try_get_many_by_index::<(i64, i64, i64)>())
        .collect::<Result<Vec<_>, _>>()?;
    let has_next = keys.len() as u64 > limit;
    keys.truncate(limit as usize);
    let ids: Vec<i64> = keys.iter().map(|&(id, _, _)| id).collect();
    let articles = super::article::find_public_by_ids(db, &ids, now).await?;
    let mut bodies = super::article::bodies(db, &ids).await?;
    let scores: HashMap<i64, i64> = keys.iter().map(|&(id, _, score)| (id, score)).collect();
    let hits = articles
        .into_iter()
        .map(|article| Hit {
            score: scores[&article.id],
            body: bodies.remove(&article.id).unwrap_or_default(),
            article,
        })
        .collect();
    Ok(Page { hits, has_next })
}

/// The articles whose document holds every term, asked of the backend's full-text index. The
/// query text is built from normalized words only (letters and digits), each quoted, so no
/// input can form an operator of FTS5's or tsquery's language.
fn matching(backend: DbBackend, terms: &[Term]) -> Expr {
    match backend {
        DbBackend::Postgres => {
            let query = terms
                .iter()
                .map(|term| format!("'{}'{}", term.stem, if term.prefix { ":*" } else { "" }))
                .collect::<Vec<_>>()
                .join(" & ");
            Expr::cust_with_values(
                r#""article_search"."article_id" IN (SELECT "article_id" FROM "article_document" WHERE "terms" @@ CAST($1 AS tsquery))"#,
                [query],
            )
        }
        _ => {
            let query = terms
                .iter()
                .map(|term| format!("\"{}\"{}", term.stem, if term.prefix { " *" } else { "" }))
                .collect::<Vec<_>>()
                .join(" ");
            Expr::cust_with_values(
                r#""article_search"."article_id" IN (SELECT rowid FROM article_terms WHERE article_terms MATCH ?)"#,
                [query],
            )
        }
    }
}

/// The score of a hit (see [`Hit::score`]), computed alike on both backends from the padded
/// `head` and `summary` words.
fn score(terms: &[Term]) -> Expr {
    let points = |column: Searched, pattern: &str, points: i64| -> Expr {
        Expr::case(
            Expr::col((Searched::ArticleSearch, column)).like(pattern),
            Expr::val(points),
        )
        .finally(Expr::val(0_i64))
        .into()
    };
    terms
        .iter()
        .flat_map(|term| {
            let pattern = if term.prefix {
                format!("% {}%", term.stem)
            } else {
                format!("% {} %", term.stem)
            };
            [
                points(Searched::Head, &pattern, HEAD_POINTS),
                points(Searched::Summary, &pattern, SUMMARY_POINTS),
            ]
        })
        .reduce(|sum, points| sum.add(points))
        .unwrap_or_else(|| Expr::val(0_i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PostgreSQL's `array_to_tsvector` refuses an empty term: a document made only of names
    /// must not start with a space.
    #[test]
    fn a_document_of_names_alone_has_no_empty_term() {
        let names = ["Особа 17"];
        let prepared = Prepared::of(
            ("«…»", None, ""),
            names,
            true,
            0,
            &mut Vocabulary::default(),
        );
        assert_eq!(prepared.document, "особ 17");
        assert_eq!(prepared.summary, " особ 17 ");
    }
}
