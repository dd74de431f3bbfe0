//! Import: read and check the whole file, check its references against itself and the
//! database, then write everything in one transaction, or nothing at all.
//!
//! The file is read twice. The first reading checks every line and keeps all of it but the
//! articles' texts; the second, once nothing is wrong, feeds the texts to the database a chunk
//! at a time. An import thus holds the text of a few chunks of articles, however large the
//! file: a million articles are over 4 GB of text.

use std::{
    borrow::Borrow,
    collections::{HashMap, HashSet},
    fs::File,
    hash::Hash,
    io::{self, BufRead, BufReader, Seek, SeekFrom},
    sync::Arc,
};

use entity::{
    article, article_body, article_country, article_person, article_related, article_topic,
    country, person, section, topic,
};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement,
};
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinHandle,
};

use super::{
    Counts,
    line::{self, Article, Kind, Line},
    validate::{self, Problem},
};
use crate::{
    search::text::Vocabulary,
    store::{
        catalog, content, editing,
        search::{self, FULL_TEXT_BATCH},
        snapshot, sync, version,
    },
};

/// What an article line replaces of an article already stored under its slug: everything but
/// its id.
const ARTICLE_UPDATES: &[article::Column] = &[
    article::Column::Title,
    article::Column::Lead,
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

/// The checked lines of a file, gathered for writing, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Parsed {
    batch: Batch,
    counts: Counts,
    problems: Vec<Problem>,
    texts: Texts,
}

impl From<Line> for Parsed {
    /// One line already checked on its own, as a write through the API gives.
    fn from(line: Line) -> Self {
        let mut parsed = Self::default();
        parsed.add(1, line);
        parsed
    }
}

impl Parsed {
    /// Adds a checked line, or a problem if its key is defined by an earlier line.
    fn add(&mut self, number: usize, line: Line) {
        let (kind, key) = line.key();
        if let Some(first) = self.batch.line_defining(kind, key) {
            self.problems.push(Problem {
                line: number,
                field: kind.key_field().into(),
                message: format!("{} {key:?} is already defined on line {first}", kind.name()),
            });
            return;
        }
        self.counts.count(kind);
        self.batch.add(number, line);
    }
}

/// Where the articles' titles, leads and bodies are when they are written.
#[derive(Debug, Default)]
enum Texts {
    /// In the lines: a write through the API.
    #[default]
    Kept,
    /// In the file, read again while writing; the lines hold the articles without them.
    File(File),
}

/// Articles in the order of their lines, the statements that write their rows, and their words
/// normalized for search, to come: the database writes their rows meanwhile.
struct Chunk {
    articles: Arc<Vec<Article>>,
    rows: Vec<Statement>,
    words: oneshot::Receiver<Vec<search::Prepared>>,
}

/// What the thread reading the articles needs besides them to make their rows and words: the
/// writer then only runs statements, while this thread builds the next ones.
struct Making {
    backend: DbBackend,
    sections: HashMap<String, i64>,
    names: Names,
}

impl Making {
    /// The statements that write the rows of `articles`, each holding a copy of its articles'
    /// titles and leads; their bodies go to their own table once the articles have ids.
    fn rows(&self, articles: &[Article]) -> Vec<Statement> {
        let rows = articles.iter().map(|a| article::ActiveModel {
            id: NotSet,
            slug: Set(a.slug.clone()),
            title: Set(a.title.clone()),
            lead: Set(a.lead.clone()),
            published_at: Set(a.published_at.micros),
            published_offset: Set(a.published_at.offset),
            updated_at: Set(a.updated_at.map(|t| t.micros)),
            updated_offset: Set(a.updated_at.map(|t| t.offset)),
            status: Set(a.status),
            section_id: Set(self.sections[&a.section]),
            language: Set(a.language.clone()),
        });
        content::upserts(self.backend, article::Column::Slug, ARTICLE_UPDATES, rows).collect()
    }

    /// The words of `a`, its text's and its people's and topics' names, for search.
    fn words(&self, a: &Article, vocabulary: &mut Vocabulary) -> search::Prepared {
        let name = |kind: Kind, slug: &String| self.names[&kind][slug].as_str();
        let people = a.people.iter().map(|slug| name(Kind::Person, slug));
        let topics = a.topics.iter().map(|slug| name(Kind::Topic, slug));
        search::Prepared::of(
            (&a.title, a.lead.as_deref(), &a.body),
            people.chain(topics),
            a.status == article::Status::Published,
            a.published_at.micros,
            vocabulary,
        )
    }
}

impl Texts {
    /// Hands the writer the articles `kept` by the first reading, with their texts and the
    /// statements that write them, a chunk at a time, then normalizes the chunk's words on
    /// another thread while the database writes it. Each article read again is checked against
    /// the one kept before anything is made of it: the ids and names here are those of what was
    /// checked.
    fn chunks(
        self,
        kept: Arc<Vec<Article>>,
        making: Making,
    ) -> (mpsc::Receiver<Chunk>, JoinHandle<Result<(), ImportError>>) {
        let (sender, receiver) = mpsc::channel(1);
        let reading = tokio::task::spawn_blocking(move || {
            let mut vocabulary = Vocabulary::default();
            let mut sent = 0;
            // Refused only when the writer has stopped, with an error of its own to report.
            let stopped = || ImportError::Io(io::ErrorKind::BrokenPipe.into());
            let mut send = |articles: Vec<Article>| {
                let checked = kept.get(sent..sent + articles.len());
                if !checked.is_some_and(|checked| checked.iter().zip(&articles).all(same_but_texts))
                {
                    return Err(file_changed());
                }
                sent += articles.len();
                let rows = making.rows(&articles);
                let articles = Arc::new(articles);
                let (words, prepared) = oneshot::channel();
                let chunk = Chunk {
                    articles: Arc::clone(&articles),
                    rows,
                    words: prepared,
                };
                sender.blocking_send(chunk).map_err(|_| stopped())?;
                let prepared = articles
                    .iter()
                    .map(|a| making.words(a, &mut vocabulary))
                    .collect();
                words.send(prepared).map_err(|_| stopped())
            };
            match self {
                Texts::Kept => send(kept.to_vec())?,
                Texts::File(file) => reread(file, &mut send)?,
            }
            if sent == kept.len() {
                Ok(())
            } else {
                Err(file_changed())
            }
        });
        (receiver, reading)
    }
}

/// Reads the articles of `file` again, in order, a chunk at a time.
fn reread(
    mut file: File,
    mut send: impl FnMut(Vec<Article>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    file.seek(SeekFrom::Start(0))?;
    let mut chunk = Vec::with_capacity(FULL_TEXT_BATCH);
    each_line(
        BufReader::with_capacity(1 << 20, file),
        |_| {},
        |number, text| {
            match text.map(|text| validate::parse(number, text)) {
                Some(Ok(Line::Article(article))) => chunk.push(article),
                Some(Ok(_)) => {}
                _ => return Err(file_changed()),
            }
            if chunk.len() == FULL_TEXT_BATCH {
                send(std::mem::take(&mut chunk))?;
            }
            Ok(())
        },
    )?;
    if chunk.is_empty() {
        Ok(())
    } else {
        send(chunk)
    }
}

/// What a second reading of the file reports when it no longer holds what the first checked.
fn file_changed() -> ImportError {
    ImportError::Io(io::Error::other("the file changed while it was imported"))
}

/// Calls `each` with the number and text of every line of `input` that is not blank (`None` for
/// one that is not UTF-8), telling `progress` how many bytes have been read.
fn each_line(
    mut input: impl BufRead,
    progress: impl Fn(u64),
    mut each: impl FnMut(usize, Option<&str>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        let read = input.read_until(b'\n', &mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        progress(read as u64);
        match simdutf8::basic::from_utf8(&buffer) {
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => each(number, Some(text))?,
            Err(_) => each(number, None)?,
        }
    }
}

/// Reads every line of `file`, collecting the problems of all lines (and keys defined twice).
/// `progress` is told how many bytes have been read.
pub fn read(file: File, progress: impl Fn(u64)) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    let input = BufReader::with_capacity(1 << 20, &file);
    each_line(input, progress, |number, text| {
        let Some(text) = text else {
            parsed.problems.push(Problem {
                line: number,
                field: "json".into(),
                message: "not valid UTF-8".into(),
            });
            return Ok(());
        };
        match validate::parse(number, text) {
            Ok(line) => parsed.add(number, without_text(line)),
            Err(found) => parsed.problems.extend(found),
        }
        Ok(())
    })?;
    parsed.texts = Texts::File(file);
    Ok(parsed)
}

/// Whether an article of the second reading is the one `kept` from the first, texts aside: what
/// was checked is what gets written.
fn same_but_texts((kept, read): (&Article, &Article)) -> bool {
    fn checked(a: &Article) -> impl PartialEq + '_ {
        let lists = [&a.people, &a.countries, &a.topics, &a.related];
        let when = (&a.published_at, &a.updated_at, &a.status);
        (&a.slug, when, &a.section, &a.language, lists)
    }
    checked(kept) == checked(read)
}

/// A line as kept between the two readings: an article without its title, lead and body.
fn without_text(line: Line) -> Line {
    match line {
        Line::Article(article) => Line::Article(Article {
            title: String::new(),
            lead: None,
            body: String::new(),
            ..article
        }),
        other => other,
    }
}

/// Checks the references of the lines that parsed, then, if the file has no problem at all,
/// writes every line in one transaction.
pub async fn apply(db: &DatabaseConnection, parsed: Parsed) -> Result<Counts, ImportError> {
    let txn = snapshot::begin_bulk_write(db).await?;
    let version = version::bump(&txn).await?;
    let counts = stage(&txn, parsed, version).await?;
    snapshot::commit_bulk_write(txn).await?;
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
    let Parsed {
        batch,
        counts,
        mut problems,
        texts,
    } = parsed;
    problems.extend(batch.unresolved(db).await?);
    if !problems.is_empty() {
        // Stable: a line's problems stay in field order.
        problems.sort_by_key(|problem| problem.line);
        return Err(ImportError::Rejected(problems));
    }
    batch.write(db, version, texts).await?;
    Ok(counts)
}

/// One reference from a line to a key of some kind.
#[derive(Debug)]
struct Reference<'a> {
    line: usize,
    /// The field, and the reference's place when the field is a list.
    field: (&'static str, Option<usize>),
    kind: Kind,
    key: &'a str,
}

impl Reference<'_> {
    /// The field as a problem names it: `section`, or `people[0]`.
    fn field(&self) -> String {
        match self.field {
            (name, Some(index)) => format!("{name}[{index}]"),
            (name, None) => name.to_owned(),
        }
    }
}

/// Natural key to id, per kind, for every section, country, person and topic the batch defines
/// or names.
type Ids = HashMap<Kind, HashMap<String, i64>>;

/// Slug to name of the people and of the topics the batch's articles name, as stored.
type Names = HashMap<Kind, HashMap<String, String>>;

#[derive(Debug, Default)]
struct Batch {
    sections: Vec<section::ActiveModel>,
    countries: Vec<country::ActiveModel>,
    people: Vec<(person::ActiveModel, Option<String>)>,
    topics: Vec<topic::ActiveModel>,
    /// Without their texts when these are read again from the file. Shared with the thread
    /// that reads them again, which checks each against its line here.
    articles: Arc<Vec<Article>>,
    /// The line of each article.
    article_lines: Vec<usize>,
    /// The line of each person that names a country, and the country's code.
    person_countries: Vec<(usize, String)>,
    /// The section, country, person and topic lines, to tell which of them change what is
    /// stored.
    catalogue: HashMap<(Kind, String), Line>,
    /// Each key the batch defines, and its line.
    defined: HashMap<Kind, HashMap<String, usize>>,
}

impl Batch {
    fn add(&mut self, number: usize, line: Line) {
        let (kind, key) = line.key();
        self.defined
            .entry(kind)
            .or_default()
            .insert(key.to_owned(), number);
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
                    self.person_countries.push((number, code.clone()));
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
                Arc::make_mut(&mut self.articles).push(a);
                self.article_lines.push(number);
            }
        }
    }

    /// Every reference of the batch's lines, in line order and, within a line, in field
    /// order. Made when asked, not kept: an archive of a million articles makes millions.
    fn references(&self) -> impl Iterator<Item = Reference<'_>> {
        let people = self.person_countries.iter().map(|(line, code)| Reference {
            line: *line,
            field: ("country", None),
            kind: Kind::Country,
            key: code,
        });
        let articles = self
            .articles
            .iter()
            .zip(&self.article_lines)
            .flat_map(|(a, &line)| {
                let section = Reference {
                    line,
                    field: ("section", None),
                    kind: Kind::Section,
                    key: &a.section,
                };
                let lists = [
                    ("people", Kind::Person, &a.people),
                    ("countries", Kind::Country, &a.countries),
                    ("topics", Kind::Topic, &a.topics),
                    ("related", Kind::Article, &a.related),
                ];
                let listed = lists.into_iter().flat_map(move |(name, kind, keys)| {
                    keys.iter().enumerate().map(move |(index, key)| Reference {
                        line,
                        field: (name, Some(index)),
                        kind,
                        key,
                    })
                });
                std::iter::once(section).chain(listed)
            });
        people.chain(articles)
    }

    /// References that name no key of this batch or of the database.
    async fn unresolved(&self, db: &impl ConnectionTrait) -> Result<Vec<Problem>, DbErr> {
        let mut wanted: HashMap<Kind, HashSet<&str>> = HashMap::new();
        for reference in self.references() {
            if !self.defines(reference.kind, reference.key) {
                wanted
                    .entry(reference.kind)
                    .or_default()
                    .insert(reference.key);
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
            .references()
            .filter(|r| {
                !self.defines(r.kind, r.key) && !stored.contains(&(r.kind, r.key.to_owned()))
            })
            .map(|r| Problem {
                line: r.line,
                field: r.field(),
                message: format!(
                    "no {} {:?} in the file or the database",
                    r.kind.name(),
                    r.key
                ),
            })
            .collect())
    }

    fn defines(&self, kind: Kind, key: &str) -> bool {
        self.line_defining(kind, key).is_some()
    }

    /// The line of the batch that defines `key` of `kind`, if one does.
    fn line_defining(&self, kind: Kind, key: &str) -> Option<usize> {
        self.defined.get(&kind)?.get(key).copied()
    }

    /// The names, as now stored, of the people and topics the batch's articles name: their
    /// search rows hold them.
    async fn names(&self, db: &impl ConnectionTrait) -> Result<Names, DbErr> {
        let people = self.keys(Kind::Person);
        let people =
            catalog::find_by_keys::<person::Entity>(db, person::Column::Slug, &people).await?;
        let topics = self.keys(Kind::Topic);
        let topics =
            catalog::find_by_keys::<topic::Entity>(db, topic::Column::Slug, &topics).await?;
        Ok(HashMap::from([
            (
                Kind::Person,
                people.into_iter().map(|p| (p.slug, p.name)).collect(),
            ),
            (
                Kind::Topic,
                topics.into_iter().map(|t| (t.slug, t.name)).collect(),
            ),
        ]))
    }

    /// The keys of `kind` this batch defines or names, to look up their ids after upserting.
    fn keys(&self, kind: Kind) -> Vec<&str> {
        let mut keys: HashSet<&str> = self
            .defined
            .get(&kind)
            .map(|keys| keys.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.extend(self.references().filter(|r| r.kind == kind).map(|r| r.key));
        keys.into_iter().collect()
    }

    /// Writes the batch, its articles' texts taken from `texts`.
    async fn write(
        mut self,
        db: &impl ConnectionTrait,
        version: i64,
        texts: Texts,
    ) -> Result<(), ImportError> {
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
        for kind in [Kind::Section, Kind::Person, Kind::Topic] {
            self.load(db, &mut ids, kind).await?;
        }
        let making = Making {
            backend: db.get_database_backend(),
            sections: ids[&Kind::Section].clone(),
            names: self.names(db).await?,
        };
        let known = Known {
            ids: &ids,
            version,
            new_from: content::next_article_id(db).await?,
        };
        let (mut chunks, reading) = texts.chunks(Arc::clone(&self.articles), making);
        let mut written: Vec<i64> = Vec::with_capacity(self.articles.len());
        while let Some(chunk) = chunks.recv().await {
            written.extend(write_articles(db, &known, chunk).await?);
        }
        reading
            .await
            .map_err(|error| DbErr::Custom(format!("reading the articles failed: {error}")))??;
        self.write_related(db, &written).await?;
        self.record(db, &ids, &changed, version).await?;
        self.reindex(db, &ids, &changed, &written).await?;
        Ok(())
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

    /// Logs for delta sync the articles showing a section, person, topic or country whose
    /// stored row the batch `changed` (or, for a country, showing a person of it); the batch's
    /// own articles are logged as they are written.
    async fn record(
        &self,
        db: &impl ConnectionTrait,
        ids: &Ids,
        changed: &HashSet<(Kind, String)>,
        version: i64,
    ) -> Result<(), DbErr> {
        let defined = |kind| self.touched(ids, changed, kind);
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

    /// Brings up to date the search rows of the articles showing a person or topic whose name
    /// the batch `changed`, but for those it has `written` (and indexed as it wrote them).
    async fn reindex(
        &self,
        db: &impl ConnectionTrait,
        ids: &Ids,
        changed: &HashSet<(Kind, String)>,
        written: &[i64],
    ) -> Result<(), DbErr> {
        let defined = |kind| self.touched(ids, changed, kind);
        let written: HashSet<i64> = written.iter().copied().collect();
        let mut renamed =
            search::linked_articles(db, &defined(Kind::Person), &defined(Kind::Topic)).await?;
        renamed.retain(|id| !written.contains(id));
        search::reindex(db, &renamed).await
    }

    /// Ids of the rows of `kind` (not articles) whose stored row the batch `changed`.
    fn touched(&self, ids: &Ids, changed: &HashSet<(Kind, String)>, kind: Kind) -> Vec<i64> {
        self.defined
            .get(&kind)
            .into_iter()
            .flat_map(HashMap::keys)
            .filter(|key| changed.contains(&(kind, (*key).clone())))
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

    /// Links the batch's articles, their ids `written` in the same order, to their related
    /// articles: these may come anywhere in the file, so only once all are written. Only the
    /// related articles the batch does not define are looked up.
    async fn write_related(&self, db: &impl ConnectionTrait, written: &[i64]) -> Result<(), DbErr> {
        let stored: HashSet<&str> = self
            .articles
            .iter()
            .flat_map(|a| &a.related)
            .filter(|key| !self.defines(Kind::Article, key))
            .map(String::as_str)
            .collect();
        let stored = lookup(db, Kind::Article, &Vec::from_iter(stored)).await?;
        let defined = self.articles.iter().map(|a| a.slug.as_str());
        let targets: HashMap<&str, i64> = stored
            .iter()
            .map(|(slug, &id)| (slug.as_str(), id))
            .chain(defined.zip(written.iter().copied()))
            .collect();
        let related = link_rows(&self.articles, written, &targets, |a| &a.related);
        let related = related.map(|row| article_related::ActiveModel {
            article_id: Set(row.article_id),
            related_id: Set(row.target_id),
            position: Set(row.position),
        });
        content::replace_links(db, article_related::Column::ArticleId, written, related).await
    }
}

/// What writing a chunk of articles needs besides the chunk.
struct Known<'a> {
    /// Those of sections, people, countries and topics.
    ids: &'a Ids,
    /// The content version the import makes.
    version: i64,
    /// The next article id at the start of the import: articles with this id or above it are
    /// new.
    new_from: i64,
}

/// Writes a chunk of articles with their texts: their rows, their people, countries and topics,
/// their entries in the log of changes, and, once their words are ready, their search rows.
/// Returns their ids, in order.
async fn write_articles(
    db: &impl ConnectionTrait,
    known: &Known<'_>,
    Chunk {
        articles,
        rows,
        words,
    }: Chunk,
) -> Result<Vec<i64>, DbErr> {
    content::execute(db, rows).await?;
    let slugs: Vec<&str> = articles.iter().map(|a| a.slug.as_str()).collect();
    editing::forget_old_slugs(db, &slugs).await?;
    let stored = lookup(db, Kind::Article, &slugs).await?;
    let article_ids: Vec<i64> = articles.iter().map(|a| stored[&a.slug]).collect();
    let bodies: Vec<article_body::ActiveModel> = articles
        .iter()
        .zip(&article_ids)
        .map(|(a, &id)| article_body::ActiveModel {
            article_id: Set(id),
            body: Set(a.body.clone()),
        })
        .collect();
    content::upsert(
        db,
        article_body::Column::ArticleId,
        &[article_body::Column::Body],
        bodies,
    )
    .await?;
    write_links(db, known.ids, &articles, &article_ids).await?;
    sync::record_articles(db, article::Column::Id, &article_ids, known.version).await?;
    // Dropped unsent only when that thread failed; awaiting it then tells why.
    let words = words
        .await
        .map_err(|_| DbErr::Custom("normalizing the articles' words failed".into()))?;
    let indexed = article_ids.iter().copied().zip(words).collect();
    search::index(db, indexed, known.new_from).await?;
    Ok(article_ids)
}

/// Links `articles`, of ids `article_ids`, to their people, countries and topics.
async fn write_links(
    db: &impl ConnectionTrait,
    ids: &Ids,
    articles: &[Article],
    article_ids: &[i64],
) -> Result<(), DbErr> {
    let people = link_rows(articles, article_ids, &ids[&Kind::Person], |a| &a.people);
    let people = people.map(article_person::ActiveModel::from);
    let countries = link_rows(articles, article_ids, &ids[&Kind::Country], |a| {
        &a.countries
    });
    let countries = countries.map(article_country::ActiveModel::from);
    let topics = link_rows(articles, article_ids, &ids[&Kind::Topic], |a| &a.topics);
    let topics = topics.map(article_topic::ActiveModel::from);
    let ids = article_ids;
    content::replace_links(db, article_person::Column::ArticleId, ids, people).await?;
    content::replace_links(db, article_country::Column::ArticleId, ids, countries).await?;
    content::replace_links(db, article_topic::Column::ArticleId, ids, topics).await
}

/// One row per key of each article's `list`, in list order, its target resolved to an id.
fn link_rows<'a, K: Borrow<str> + Eq + Hash>(
    articles: &'a [Article],
    article_ids: &'a [i64],
    targets: &'a HashMap<K, i64>,
    list: fn(&Article) -> &Vec<String>,
) -> impl Iterator<Item = LinkRow> + 'a {
    articles
        .iter()
        .zip(article_ids)
        .flat_map(move |(article, &article_id)| {
            (0..)
                .zip(list(article))
                .map(move |(position, key)| LinkRow {
                    article_id,
                    target_id: targets[key.as_str()],
                    position,
                    published_at: article.published_at.micros,
                })
        })
}

/// One entry of an article's list, ready for its link table.
#[derive(Debug)]
struct LinkRow {
    article_id: i64,
    target_id: i64,
    position: i32,
    published_at: i64,
}

/// The row of a [`LinkRow`] in the link tables of people, countries and topics, each naming
/// its target's column.
macro_rules! link_table_rows {
    ($($table:ident . $target:ident),*) => {$(
        impl From<LinkRow> for $table::ActiveModel {
            fn from(row: LinkRow) -> Self {
                Self {
                    article_id: Set(row.article_id),
                    $target: Set(row.target_id),
                    position: Set(row.position),
                    published_at: Set(row.published_at),
                }
            }
        }
    )*};
}

link_table_rows!(
    article_person.person_id,
    article_country.country_id,
    article_topic.topic_id
);

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
