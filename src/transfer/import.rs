//! Import: read and check the whole file, check its references against itself and the
//! database, then write everything in one transaction, or nothing at all.

use std::{
    collections::{HashMap, HashSet},
    io::BufRead,
    sync::Arc,
};

use entity::{
    article, article_country, article_person, article_related, article_topic, country, person,
    section, topic,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DatabaseConnection, DbErr,
};

use super::{
    Counts,
    line::{self, Article, Kind, Line},
    validate::{self, Problem},
};
use crate::{
    search::text::Vocabulary,
    store::{CHUNK, catalog, content, editing, search, snapshot, sync, version},
};

/// What an article line replaces of an article already stored under its slug: everything but
/// its id.
const ARTICLE_UPDATES: &[article::Column] = &[
    article::Column::Title,
    article::Column::Lead,
    article::Column::Body,
    article::Column::PublishedAt,
    article::Column::PublishedOffset,
    article::Column::UpdatedAt,
    article::Column::UpdatedOffset,
    article::Column::Status,
    article::Column::SectionId,
    article::Column::Language,
];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has problems; the database was not touched.
    #[error("{} problem(s) found; nothing was imported", .0.len())]
    Rejected(Vec<Problem>),
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The checked lines of a file, each with its line number, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Parsed {
    lines: Vec<(usize, Line)>,
    problems: Vec<Problem>,
}

impl From<Line> for Parsed {
    /// One line already checked on its own, as a write through the API gives.
    fn from(line: Line) -> Self {
        Self {
            lines: vec![(1, line)],
            problems: Vec::new(),
        }
    }
}

/// Reads every line, collecting the problems of all lines (and keys defined twice).
/// `progress` is told how many bytes have been read.
pub fn read(mut input: impl BufRead, progress: impl Fn(u64)) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    let problems = &mut parsed.problems;
    let mut defined: HashMap<(Kind, String), usize> = HashMap::new();
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        let read = input.read_until(b'\n', &mut buffer)?;
        if read == 0 {
            break;
        }
        number += 1;
        progress(read as u64);
        let Ok(text) = simdutf8::basic::from_utf8(&buffer) else {
            problems.push(Problem {
                line: number,
                field: "json".into(),
                message: "not valid UTF-8".into(),
            });
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match validate::parse(number, text) {
            Ok(line) => {
                let (kind, key) = line.key();
                match defined.get(&(kind, key.to_owned())) {
                    Some(first) => problems.push(Problem {
                        line: number,
                        field: kind.key_field().into(),
                        message: format!(
                            "{} {key:?} is already defined on line {first}",
                            kind.name()
                        ),
                    }),
                    None => {
                        defined.insert((kind, key.to_owned()), number);
                        parsed.lines.push((number, line));
                    }
                }
            }
            Err(found) => problems.extend(found),
        }
    }
    Ok(parsed)
}

/// Checks the references of the lines that parsed, then, if the file has no problem at all,
/// writes every line in one transaction.
pub async fn apply(db: &DatabaseConnection, parsed: Parsed) -> Result<Counts, ImportError> {
    let txn = snapshot::begin_bulk_write(db).await?;
    let version = version::bump(&txn).await?;
    let counts = stage(&txn, parsed, version).await?;
    txn.commit().await?;
    Ok(counts)
}

/// Checks the references of `parsed` and writes it through `db`, a transaction the caller
/// commits, or drops to leave everything as it was when a problem is found.
/// `version` is the content version the caller's transaction made: the changes are logged
/// under it for delta sync.
pub async fn stage(
    db: &impl ConnectionTrait,
    parsed: Parsed,
    version: i64,
) -> Result<Counts, ImportError> {
    let mut counts = Counts::default();
    let mut batch = Batch::default();
    for (number, line) in parsed.lines {
        counts.count(line.key().0);
        batch.add(number, line);
    }
    let mut problems = parsed.problems;
    problems.extend(batch.unresolved(db).await?);
    if !problems.is_empty() {
        // Stable: a line's problems stay in field order.
        problems.sort_by_key(|problem| problem.line);
        return Err(ImportError::Rejected(problems));
    }
    batch.write(db, version).await?;
    Ok(counts)
}

/// One reference from a line to a key of some kind, kept to report it if it resolves to nothing.
#[derive(Debug)]
struct Reference {
    line: usize,
    field: String,
    kind: Kind,
    key: String,
}

/// Natural key to id, per kind, for every key the batch defines or names.
type Ids = HashMap<Kind, HashMap<String, i64>>;

#[derive(Debug, Default)]
struct Batch {
    sections: Vec<section::ActiveModel>,
    countries: Vec<country::ActiveModel>,
    people: Vec<(person::ActiveModel, Option<String>)>,
    topics: Vec<topic::ActiveModel>,
    /// Shared with the thread that normalizes their words.
    articles: Arc<Vec<Article>>,
    /// The section, country, person and topic lines, to tell which of them change what is
    /// stored.
    catalogue: HashMap<(Kind, String), Line>,
    defined: HashMap<Kind, HashSet<String>>,
    references: Vec<Reference>,
}

impl Batch {
    fn add(&mut self, number: usize, line: Line) {
        let (kind, key) = line.key();
        self.defined.entry(kind).or_default().insert(key.to_owned());
        if kind != Kind::Article {
            self.catalogue.insert((kind, key.to_owned()), line.clone());
        }
        match line {
            Line::Section(s) => self.sections.push(section::ActiveModel {
                id: NotSet,
                slug: Set(s.slug),
                name: Set(s.name),
            }),
            Line::Country(c) => self.countries.push(country::ActiveModel {
                id: NotSet,
                code: Set(c.code),
                name: Set(c.name),
            }),
            Line::Person(p) => {
                if let Some(code) = &p.country {
                    self.refer(number, "country".into(), Kind::Country, code);
                }
                self.people.push((
                    person::ActiveModel {
                        id: NotSet,
                        slug: Set(p.slug),
                        name: Set(p.name),
                        role: Set(p.role),
                        country_id: NotSet,
                    },
                    p.country,
                ));
            }
            Line::Topic(t) => self.topics.push(topic::ActiveModel {
                id: NotSet,
                slug: Set(t.slug),
                name: Set(t.name),
                description: Set(t.description),
            }),
            Line::Article(a) => {
                self.refer(number, "section".into(), Kind::Section, &a.section);
                for (field, kind, keys) in [
                    ("people", Kind::Person, &a.people),
                    ("countries", Kind::Country, &a.countries),
                    ("topics", Kind::Topic, &a.topics),
                    ("related", Kind::Article, &a.related),
                ] {
                    for (index, key) in keys.iter().enumerate() {
                        self.refer(number, format!("{field}[{index}]"), kind, key);
                    }
                }
                Arc::make_mut(&mut self.articles).push(a);
            }
        }
    }

    fn refer(&mut self, line: usize, field: String, kind: Kind, key: &str) {
        self.references.push(Reference {
            line,
            field,
            kind,
            key: key.to_owned(),
        });
    }

    /// References that name no key of this batch or of the database.
    async fn unresolved(&self, db: &impl ConnectionTrait) -> Result<Vec<Problem>, DbErr> {
        let mut wanted: HashMap<Kind, HashSet<&str>> = HashMap::new();
        for reference in &self.references {
            if !self.defines(reference.kind, &reference.key) {
                wanted
                    .entry(reference.kind)
                    .or_default()
                    .insert(&reference.key);
            }
        }
        let mut stored = HashSet::new();
        for (kind, keys) in wanted {
            let keys: Vec<&str> = keys.into_iter().collect();
            stored.extend(
                lookup(db, kind, &keys)
                    .await?
                    .into_keys()
                    .map(|key| (kind, key)),
            );
        }
        Ok(self
            .references
            .iter()
            .filter(|r| !self.defines(r.kind, &r.key) && !stored.contains(&(r.kind, r.key.clone())))
            .map(|r| Problem {
                line: r.line,
                field: r.field.clone(),
                message: format!(
                    "no {} {:?} in the file or the database",
                    r.kind.name(),
                    r.key
                ),
            })
            .collect())
    }

    fn defines(&self, kind: Kind, key: &str) -> bool {
        self.defined
            .get(&kind)
            .is_some_and(|keys| keys.contains(key))
    }

    /// The keys of `kind` this batch defines or names, to look up their ids after upserting.
    fn keys(&self, kind: Kind) -> Vec<&str> {
        let mut keys: HashSet<&str> = self
            .defined
            .get(&kind)
            .map(|keys| keys.iter().map(String::as_str).collect())
            .unwrap_or_default();
        keys.extend(
            self.references
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.key.as_str()),
        );
        keys.into_iter().collect()
    }

    async fn write(mut self, db: &impl ConnectionTrait, version: i64) -> Result<(), DbErr> {
        let changed = self.changed_catalogue(db).await?;
        let mut ids = Ids::new();
        content::upsert(
            db,
            section::Column::Slug,
            &[section::Column::Name],
            std::mem::take(&mut self.sections),
        )
        .await?;
        content::upsert(
            db,
            country::Column::Code,
            &[country::Column::Name],
            std::mem::take(&mut self.countries),
        )
        .await?;
        self.load(db, &mut ids, Kind::Country).await?;
        let people = std::mem::take(&mut self.people)
            .into_iter()
            .map(|(mut person, country)| {
                person.country_id =
                    Set(country.and_then(|code| ids[&Kind::Country].get(&code).copied()));
                person
            })
            .collect::<Vec<_>>();
        content::upsert(
            db,
            person::Column::Slug,
            &[
                person::Column::Name,
                person::Column::Role,
                person::Column::CountryId,
            ],
            people,
        )
        .await?;
        content::upsert(
            db,
            topic::Column::Slug,
            &[topic::Column::Name, topic::Column::Description],
            std::mem::take(&mut self.topics),
        )
        .await?;
        self.load(db, &mut ids, Kind::Section).await?;
        // The articles' words are normalized on another core while the database writes them,
        // from the same copy of their text.
        let texts = Arc::clone(&self.articles);
        let prepared = tokio::task::spawn_blocking(move || {
            let mut vocabulary = Vocabulary::default();
            texts
                .iter()
                .map(|a| {
                    let published = a.status == article::Status::Published;
                    let text = (a.title.as_str(), a.lead.as_deref(), a.body.as_str());
                    search::Prepared::of(text, published, a.published_at.micros, &mut vocabulary)
                })
                .collect::<Vec<_>>()
        });
        let sections = &ids[&Kind::Section];
        // Made a statement's worth at a time, not all at once: each holds a copy of its
        // article's text.
        for chunk in self.articles.chunks(CHUNK) {
            let rows: Vec<article::ActiveModel> = chunk
                .iter()
                .map(|a| article::ActiveModel {
                    id: NotSet,
                    slug: Set(a.slug.clone()),
                    title: Set(a.title.clone()),
                    lead: Set(a.lead.clone()),
                    body: Set(a.body.clone()),
                    published_at: Set(a.published_at.micros),
                    published_offset: Set(a.published_at.offset),
                    updated_at: Set(a.updated_at.map(|t| t.micros)),
                    updated_offset: Set(a.updated_at.map(|t| t.offset)),
                    status: Set(a.status),
                    section_id: Set(sections[&a.section]),
                    language: Set(a.language.clone()),
                })
                .collect();
            content::upsert(db, article::Column::Slug, ARTICLE_UPDATES, rows).await?;
        }
        let slugs: Vec<&str> = self.articles.iter().map(|a| a.slug.as_str()).collect();
        editing::forget_old_slugs(db, &slugs).await?;
        for kind in [Kind::Person, Kind::Topic, Kind::Article] {
            self.load(db, &mut ids, kind).await?;
        }
        self.write_links(db, &ids).await?;
        self.record(db, &ids, &changed, version).await?;
        let prepared = prepared
            .await
            .map_err(|error| DbErr::Custom(format!("indexing words failed: {error}")))?;
        // Written, and its words prepared: the bodies are not needed for what is left.
        if let Some(articles) = Arc::get_mut(&mut self.articles) {
            articles.iter_mut().for_each(|a| a.body = String::new());
        }
        self.reindex(db, &ids, &changed, prepared).await
    }

    /// The section, country, person and topic lines whose stored row they change. Keys new to
    /// the database are not among them: only articles of this batch can name those.
    async fn changed_catalogue(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<HashSet<(Kind, String)>, DbErr> {
        let keys = |kind: Kind| -> Vec<&str> {
            self.catalogue
                .keys()
                .filter(|(k, _)| *k == kind)
                .map(|(_, key)| key.as_str())
                .collect()
        };
        let mut stored: Vec<Line> = Vec::new();
        let sections = keys(Kind::Section);
        for s in
            catalog::find_by_keys::<section::Entity>(db, section::Column::Slug, &sections).await?
        {
            stored.push(Line::Section(line::Section {
                slug: s.slug,
                name: s.name,
            }));
        }
        let countries = keys(Kind::Country);
        for c in
            catalog::find_by_keys::<country::Entity>(db, country::Column::Code, &countries).await?
        {
            stored.push(Line::Country(line::Country {
                code: c.code,
                name: c.name,
            }));
        }
        let topics = keys(Kind::Topic);
        for t in catalog::find_by_keys::<topic::Entity>(db, topic::Column::Slug, &topics).await? {
            stored.push(Line::Topic(line::Topic {
                slug: t.slug,
                name: t.name,
                description: t.description,
            }));
        }
        let people = keys(Kind::Person);
        let people =
            catalog::find_by_keys::<person::Entity>(db, person::Column::Slug, &people).await?;
        let country_ids: Vec<i64> = people.iter().filter_map(|p| p.country_id).collect();
        let codes =
            catalog::find_by_ids::<country::Entity>(db, country::Column::Id, &country_ids).await?;
        for p in people {
            let country = p
                .country_id
                .and_then(|id| codes.get(&id))
                .map(|c| c.code.clone());
            stored.push(Line::Person(line::Person {
                slug: p.slug,
                name: p.name,
                role: p.role,
                country,
            }));
        }
        Ok(stored
            .into_iter()
            .filter(|line| {
                let (kind, key) = line.key();
                self.catalogue.get(&(kind, key.to_owned())) != Some(line)
            })
            .map(|line| {
                let (kind, key) = line.key();
                (kind, key.to_owned())
            })
            .collect())
    }

    /// Logs for delta sync every article whose readers see something new: those of the batch,
    /// and those showing a section, person, topic or country whose stored row the batch
    /// `changed` (or, for a country, showing a person of it).
    async fn record(
        &self,
        db: &impl ConnectionTrait,
        ids: &Ids,
        changed: &HashSet<(Kind, String)>,
        version: i64,
    ) -> Result<(), DbErr> {
        let defined = |kind| self.touched(ids, changed, kind);
        sync::record_articles(db, article::Column::Id, &defined(Kind::Article), version).await?;
        let sections = defined(Kind::Section);
        sync::record_articles(db, article::Column::SectionId, &sections, version).await?;
        let countries = defined(Kind::Country);
        let mut shown_people = defined(Kind::Person);
        if !countries.is_empty() {
            shown_people.extend(content::people_of_countries(db, &countries).await?);
        }
        sync::record_linked::<article_person::Entity>(
            db,
            (
                article_person::Column::ArticleId,
                article_person::Column::PersonId,
            ),
            &shown_people,
            version,
        )
        .await?;
        sync::record_linked::<article_topic::Entity>(
            db,
            (
                article_topic::Column::ArticleId,
                article_topic::Column::TopicId,
            ),
            &defined(Kind::Topic),
            version,
        )
        .await?;
        sync::record_linked::<article_country::Entity>(
            db,
            (
                article_country::Column::ArticleId,
                article_country::Column::CountryId,
            ),
            &countries,
            version,
        )
        .await
    }

    /// Brings the search index up to date with what this batch wrote: its articles, from their
    /// `prepared` words, and the articles showing a person or topic whose name it `changed`.
    async fn reindex(
        &self,
        db: &impl ConnectionTrait,
        ids: &Ids,
        changed: &HashSet<(Kind, String)>,
        prepared: Vec<search::Prepared>,
    ) -> Result<(), DbErr> {
        let defined = |kind| self.touched(ids, changed, kind);
        let written: Vec<(i64, search::Prepared)> = self
            .articles
            .iter()
            .map(|a| ids[&Kind::Article][&a.slug])
            .zip(prepared)
            .collect();
        let written_ids: HashSet<i64> = written.iter().map(|(id, _)| *id).collect();
        let mut renamed =
            search::linked_articles(db, &defined(Kind::Person), &defined(Kind::Topic)).await?;
        renamed.retain(|id| !written_ids.contains(id));
        search::reindex(db, &renamed).await?;
        search::index(db, written).await
    }

    /// Ids of the batch's articles, or of the rows of another kind whose stored row it
    /// `changed`.
    fn touched(&self, ids: &Ids, changed: &HashSet<(Kind, String)>, kind: Kind) -> Vec<i64> {
        self.defined
            .get(&kind)
            .into_iter()
            .flatten()
            .filter(|key| kind == Kind::Article || changed.contains(&(kind, (*key).clone())))
            .filter_map(|key| ids.get(&kind)?.get(key).copied())
            .collect()
    }

    async fn load(
        &self,
        db: &impl ConnectionTrait,
        ids: &mut Ids,
        kind: Kind,
    ) -> Result<(), DbErr> {
        let keys = self.keys(kind);
        ids.insert(kind, lookup(db, kind, &keys).await?);
        Ok(())
    }

    async fn write_links(&self, db: &impl ConnectionTrait, ids: &Ids) -> Result<(), DbErr> {
        let article_ids: Vec<i64> = self
            .articles
            .iter()
            .map(|a| ids[&Kind::Article][&a.slug])
            .collect();
        let people = self.link_rows(ids, Kind::Person, &article_ids, |a| &a.people);
        let people = people.map(|row| article_person::ActiveModel {
            article_id: Set(row.article_id),
            person_id: Set(row.target_id),
            position: Set(row.position),
            published_at: Set(row.published_at),
        });
        let countries = self.link_rows(ids, Kind::Country, &article_ids, |a| &a.countries);
        let countries = countries.map(|row| article_country::ActiveModel {
            article_id: Set(row.article_id),
            country_id: Set(row.target_id),
            position: Set(row.position),
            published_at: Set(row.published_at),
        });
        let topics = self.link_rows(ids, Kind::Topic, &article_ids, |a| &a.topics);
        let topics = topics.map(|row| article_topic::ActiveModel {
            article_id: Set(row.article_id),
            topic_id: Set(row.target_id),
            position: Set(row.position),
            published_at: Set(row.published_at),
        });
        let related = self.link_rows(ids, Kind::Article, &article_ids, |a| &a.related);
        let related = related.map(|row| article_related::ActiveModel {
            article_id: Set(row.article_id),
            related_id: Set(row.target_id),
            position: Set(row.position),
        });
        let ids = &article_ids;
        content::replace_links(db, article_person::Column::ArticleId, ids, people).await?;
        content::replace_links(db, article_country::Column::ArticleId, ids, countries).await?;
        content::replace_links(db, article_topic::Column::ArticleId, ids, topics).await?;
        content::replace_links(db, article_related::Column::ArticleId, ids, related).await
    }

    /// One row per key of each article's `list`, in list order, its target resolved to an id.
    fn link_rows<'a>(
        &'a self,
        ids: &'a Ids,
        kind: Kind,
        article_ids: &'a [i64],
        list: fn(&Article) -> &Vec<String>,
    ) -> impl Iterator<Item = LinkRow> + 'a {
        self.articles
            .iter()
            .zip(article_ids)
            .flat_map(move |(article, &article_id)| {
                (0..)
                    .zip(list(article))
                    .map(move |(position, key)| LinkRow {
                        article_id,
                        target_id: ids[&kind][key],
                        position,
                        published_at: article.published_at.micros,
                    })
            })
    }
}

/// One entry of an article's list, ready for its link table.
#[derive(Debug)]
struct LinkRow {
    article_id: i64,
    target_id: i64,
    position: i32,
    published_at: i64,
}

async fn lookup(
    db: &impl ConnectionTrait,
    kind: Kind,
    keys: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    match kind {
        Kind::Section => {
            catalog::ids_by_key::<section::Entity>(
                db,
                section::Column::Id,
                section::Column::Slug,
                keys,
            )
            .await
        }
        Kind::Country => {
            catalog::ids_by_key::<country::Entity>(
                db,
                country::Column::Id,
                country::Column::Code,
                keys,
            )
            .await
        }
        Kind::Person => {
            catalog::ids_by_key::<person::Entity>(
                db,
                person::Column::Id,
                person::Column::Slug,
                keys,
            )
            .await
        }
        Kind::Topic => {
            catalog::ids_by_key::<topic::Entity>(db, topic::Column::Id, topic::Column::Slug, keys)
                .await
        }
        Kind::Article => {
            catalog::ids_by_key::<article::Entity>(
                db,
                article::Column::Id,
                article::Column::Slug,
                keys,
            )
            .await
        }
    }
}
