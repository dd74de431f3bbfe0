//! Newest-first listings of public articles, paged by keyset on (published_at, id).
//!
//! A listing filtered by a topic, person or country is driven from that link table, whose index
//! (key, published_at, article_id) serves the order directly; the other filters become
//! conditions. Either way a page costs one index range scan, however deep it starts.

use entity::{
    article, article_country, article_person, article_topic, country, person, section, topic,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
    sea_query::{
        Alias, DynIden, Expr, ExprTrait, IntoIden, Query, SelectStatement, SubQueryStatement,
    },
};

/// Which public articles a listing holds; every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub section: Option<String>,
    pub topic: Option<String>,
    pub person: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    /// Inclusive lower bound, in microseconds since the epoch.
    pub published_since: Option<i64>,
    /// Exclusive upper bound, in microseconds since the epoch.
    pub published_before: Option<i64>,
}

/// A place in the newest-first order: the sort key of one article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub published_at: i64,
    pub id: i64,
}

impl Position {
    pub fn of(article: &article::Model) -> Self {
        Self {
            published_at: article.published_at,
            id: article.id,
        }
    }
}

/// Forward walks towards older articles (`first`/`after`), backward towards newer ones
/// (`last`/`before`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// One page request, already validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub direction: Direction,
    pub limit: u64,
    /// Only articles older than this position.
    pub after: Option<Position>,
    /// Only articles newer than this position.
    pub before: Option<Position>,
    /// Whether to find out if any article lies on the far side of the position a walk starts
    /// from (`after` going forward, `before` going backward). That takes a statement of its
    /// own, a tenth of a deep page's time one request at a time, so it only runs for a caller
    /// that shows it; not asked, the page says there is none.
    pub look_behind: bool,
}

#[derive(Debug)]
pub struct Page {
    /// Newest first, whichever the direction.
    pub articles: Vec<article::Model>,
    pub has_previous: bool,
    pub has_next: bool,
}

/// The condition every public read applies: published, and its time has come.
pub fn public(now: i64) -> Condition {
    Condition::all()
        .add(article::Column::Status.eq(article::Status::Published))
        .add(article::Column::PublishedAt.lte(now))
}

/// [`public`] for an article already read.
pub fn is_public(article: &article::Model, now: i64) -> bool {
    article.status == article::Status::Published && article.published_at <= now
}

pub async fn page(
    db: &impl ConnectionTrait,
    filter: &Filter,
    window: Window,
    now: i64,
) -> Result<Page, DbErr> {
    let listing = Listing::new(filter);
    let universe = Range::of(filter, now);
    let range = Range {
        lower: later(universe.lower, window.before),
        upper: earlier(universe.upper, window.after),
    };
    let order = match window.direction {
        Direction::Forward => Order::Desc,
        Direction::Backward => Order::Asc,
    };
    let mut articles = listing
        .select(range)
        .order_by(listing.published_at(), order.clone())
        .order_by(listing.id(), order)
        .limit(window.limit + 1)
        .all(db)
        .await?;
    let has_more = articles.len() as u64 > window.limit;
    articles.truncate(window.limit as usize);
    if window.direction == Direction::Backward {
        articles.reverse();
    }
    // Items exist on the far side of the cursor a walk started from when anything lies at or
    // beyond it: the cursor's own article counts.
    let behind = match window.direction {
        Direction::Forward => window.after.map(|after| Range {
            lower: later(universe.lower, Some(after.below())),
            upper: universe.upper,
        }),
        Direction::Backward => window.before.map(|before| Range {
            lower: universe.lower,
            upper: earlier(universe.upper, Some(before.above())),
        }),
    };
    let has_behind = match behind.filter(|_| window.look_behind) {
        Some(range) => listing.newest_key(range, db).await?.is_some(),
        None => false,
    };
    let (has_previous, has_next) = match window.direction {
        Direction::Forward => (has_behind, has_more),
        Direction::Backward => (has_more, has_behind),
    };
    Ok(Page {
        articles,
        has_previous,
        has_next,
    })
}

/// The public articles `filter` selects, with the two columns of their newest-first key: what
/// search narrows by its words and orders its own way.
pub(super) fn listing(filter: &Filter, now: i64) -> (Select<article::Entity>, Expr, Expr) {
    let listing = Listing::new(filter);
    let select = listing.select(Range::of(filter, now));
    (select, listing.published_at(), listing.id())
}

/// The publication time of the newest public article in `filter` published before `before`.
pub async fn latest(
    db: &impl ConnectionTrait,
    filter: &Filter,
    before: Option<i64>,
    now: i64,
) -> Result<Option<i64>, DbErr> {
    let listing = Listing::new(filter);
    let universe = Range::of(filter, now);
    let range = Range {
        lower: universe.lower,
        upper: earlier(universe.upper, before.map(Position::first_at)),
    };
    let newest = listing.newest_key(range, db).await?;
    Ok(newest.map(|position| position.published_at))
}

impl Position {
    /// The first position at a moment: before every article published then.
    fn first_at(micros: i64) -> Self {
        Self {
            published_at: micros,
            id: i64::MIN,
        }
    }

    /// The key right below this one: "newer than it" takes this one in.
    fn below(self) -> Self {
        Self {
            id: self.id.saturating_sub(1),
            ..self
        }
    }

    /// The key right above this one: "older than it" takes this one in.
    fn above(self) -> Self {
        Self {
            id: self.id.saturating_add(1),
            ..self
        }
    }
}

/// Articles strictly between two positions. Every time bound of a listing, the embargo
/// (`now`), the filter's time range and the cursors, folds into these two, so the database
/// sees one range on its (published_at, id) index, and a deep page costs what the first does.
#[derive(Clone, Copy, Debug)]
struct Range {
    /// Only articles newer than this.
    lower: Option<Position>,
    /// Only articles older than this.
    upper: Option<Position>,
}

impl Range {
    /// What a filter and the clock allow: published by `now`, within the filter's time range.
    fn of(filter: &Filter, now: i64) -> Self {
        Self {
            lower: filter.published_since.map(Position::first_at),
            upper: earlier(
                Some(Position::first_at(now.saturating_add(1))),
                filter.published_before.map(Position::first_at),
            ),
        }
    }
}

fn key(position: Position) -> (i64, i64) {
    (position.published_at, position.id)
}

fn earlier(a: Option<Position>, b: Option<Position>) -> Option<Position> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(a) <= key(b) { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn later(a: Option<Position>, b: Option<Position>) -> Option<Position> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(a) >= key(b) { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// A link table that a filter can drive the listing from.
struct Link {
    table: DynIden,
    target_column: DynIden,
    target_table: DynIden,
    target_key: DynIden,
    value: String,
}

impl Link {
    fn table(&self) -> DynIden {
        self.table.clone()
    }

    fn column(&self, name: &str) -> Expr {
        Expr::col((self.table(), Alias::new(name).into_iden()))
    }

    /// `link.target_id = (SELECT id FROM target WHERE key = value)`: resolved once per query.
    fn matches(&self) -> Expr {
        let target = Query::select()
            .column(Alias::new("id"))
            .from(self.target_table.clone())
            .and_where(Expr::col(self.target_key.clone()).eq(self.value.as_str()))
            .to_owned();
        Expr::col((self.table(), self.target_column.clone())).eq(scalar(target))
    }
}

fn scalar(select: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

struct Listing {
    select: Select<article::Entity>,
    driver: Option<Link>,
}

impl Listing {
    fn new(filter: &Filter) -> Self {
        let mut links: Vec<Link> = [
            (
                &filter.topic,
                article_topic::Entity.into_iden(),
                article_topic::Column::TopicId.into_iden(),
                topic::Entity.into_iden(),
                topic::Column::Slug.into_iden(),
            ),
            (
                &filter.person,
                article_person::Entity.into_iden(),
                article_person::Column::PersonId.into_iden(),
                person::Entity.into_iden(),
                person::Column::Slug.into_iden(),
            ),
            (
                &filter.country,
                article_country::Entity.into_iden(),
                article_country::Column::CountryId.into_iden(),
                country::Entity.into_iden(),
                country::Column::Code.into_iden(),
            ),
        ]
        .into_iter()
        .filter_map(|(value, table, target_column, target_table, target_key)| {
            value.as_ref().map(|value| Link {
                table,
                target_column,
                target_table,
                target_key,
                value: value.clone(),
            })
        })
        .collect();
        let driver = (!links.is_empty()).then(|| links.remove(0));

        let mut select =
            article::Entity::find().filter(article::Column::Status.eq(article::Status::Published));
        if let Some(driver) = &driver {
            QueryTrait::query(&mut select).inner_join(
                driver.table(),
                driver
                    .column("article_id")
                    .equals((article::Entity, article::Column::Id)),
            );
            select = select.filter(driver.matches());
        }
        for link in &links {
            let member = Query::select()
                .expr(Expr::val(1))
                .from(link.table())
                .and_where(
                    link.column("article_id")
                        .equals((article::Entity, article::Column::Id)),
                )
                .and_where(link.matches())
                .to_owned();
            select = select.filter(Expr::exists(member));
        }
        if let Some(slug) = &filter.section {
            let section = Query::select()
                .column(section::Column::Id)
                .from(section::Entity)
                .and_where(section::Column::Slug.eq(slug.as_str()))
                .to_owned();
            select = select.filter(
                Expr::col((article::Entity, article::Column::SectionId)).eq(scalar(section)),
            );
        }
        if let Some(language) = &filter.language {
            select = select.filter(article::Column::Language.eq(language.as_str()));
        }
        Self { select, driver }
    }

    /// The listing's articles within `range`.
    fn select(&self, range: Range) -> Select<article::Entity> {
        let key = || Expr::tuple([self.published_at(), self.id()]);
        let at = |p: Position| Expr::tuple([Expr::val(p.published_at), Expr::val(p.id)]);
        let mut select = self.select.clone();
        if let Some(lower) = range.lower {
            select = select.filter(key().gt(at(lower)));
        }
        if let Some(upper) = range.upper {
            select = select.filter(key().lt(at(upper)));
        }
        select
    }

    /// The sort key of the listing's newest article within `range`, if any: read from the
    /// driving table's index alone.
    async fn newest_key(
        &self,
        range: Range,
        db: &impl ConnectionTrait,
    ) -> Result<Option<Position>, DbErr> {
        let key: Option<(i64, i64)> = self
            .select(range)
            .select_only()
            .expr(self.published_at())
            .expr(self.id())
            .order_by(self.published_at(), Order::Desc)
            .order_by(self.id(), Order::Desc)
            .into_tuple()
            .one(db)
            .await?;
        Ok(key.map(|(published_at, id)| Position { published_at, id }))
    }

    /// The sort key columns of the driving table: the link table's copy when there is one, so
    /// that its index serves both the range and the order.
    fn published_at(&self) -> Expr {
        match &self.driver {
            Some(link) => link.column("published_at"),
            None => Expr::col((article::Entity, article::Column::PublishedAt)),
        }
    }

    fn id(&self) -> Expr {
        match &self.driver {
            Some(link) => link.column("article_id"),
            None => Expr::col((article::Entity, article::Column::Id)),
        }
    }
}
