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

impl From<&article::Model> for Position {
    fn from(article: &article::Model) -> Self {
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

pub async fn page(
    db: &impl ConnectionTrait,
    filter: &Filter,
    window: Window,
    now: i64,
) -> Result<Page, DbErr> {
    let listing = Listing::new(filter, now);
    let (order, away, back) = match window.direction {
        Direction::Forward => (Order::Desc, window.after, window.before),
        Direction::Backward => (Order::Asc, window.before, window.after),
    };
    let toward_older = window.direction == Direction::Forward;
    let mut select = listing.select();
    if let Some(start) = away {
        select = select.filter(listing.beyond(start, toward_older, false));
    }
    if let Some(end) = back {
        select = select.filter(listing.beyond(end, !toward_older, false));
    }
    let mut articles = select
        .order_by(listing.published_at(), order.clone())
        .order_by(listing.id(), order)
        .limit(window.limit + 1)
        .all(db)
        .await?;
    let has_more = articles.len() as u64 > window.limit;
    articles.truncate(window.limit as usize);
    // Items exist on the other side of the cursor when anything lies at or beyond it.
    let has_behind = match away {
        Some(start) => listing
            .select()
            .filter(listing.beyond(start, !toward_older, true))
            .limit(1)
            .one(db)
            .await?
            .is_some(),
        None => false,
    };
    if window.direction == Direction::Backward {
        articles.reverse();
    }
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
    fn new(filter: &Filter, now: i64) -> Self {
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

        let mut select = article::Entity::find().filter(public(now));
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
        if let Some(since) = filter.published_since {
            select = select.filter(article::Column::PublishedAt.gte(since));
        }
        if let Some(before) = filter.published_before {
            select = select.filter(article::Column::PublishedAt.lt(before));
        }
        Self { select, driver }
    }

    fn select(&self) -> Select<article::Entity> {
        self.select.clone()
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

    /// Articles strictly past `position` towards older ones (or newer ones), or also the
    /// article at it when `inclusive`.
    fn beyond(&self, position: Position, toward_older: bool, inclusive: bool) -> Expr {
        let key = Expr::tuple([self.published_at(), self.id()]);
        let at = Expr::tuple([Expr::val(position.published_at), Expr::val(position.id)]);
        match (toward_older, inclusive) {
            (true, false) => key.lt(at),
            (true, true) => key.lte(at),
            (false, false) => key.gt(at),
            (false, true) => key.gte(at),
        }
    }
}
