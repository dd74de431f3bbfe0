//! Turning one line of text into a [`Line`], reporting every problem it has.

use std::fmt;

use entity::article::Status;
use serde_json::{Map, Value};

use super::line::{Article, Country, Line, Person, Section, Topic};
use crate::timestamp::Timestamp;

/// One thing wrong with an import, reported as `line N: field: what is wrong`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

pub const DEFAULT_SECTION: &str = "news";
pub const DEFAULT_LANGUAGE: &str = "uk";

/// Parses and checks one non-blank line on its own; references to other lines are checked
/// later, against the whole file and the database.
pub fn parse(line: usize, text: &str) -> Result<Line, Vec<Problem>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => check(line, object),
        Ok(other) => Err(vec![Problem {
            line,
            field: "json".into(),
            message: format!("expected a JSON object, found {}", kind_of(&other)),
        }]),
        Err(error) => Err(vec![Problem {
            line,
            field: "json".into(),
            message: format!("not valid JSON ({error})"),
        }]),
    }
}

/// Checks one object: the whole of a line's validation, shared by import and the API's writes.
pub fn check(line: usize, object: Map<String, Value>) -> Result<Line, Vec<Problem>> {
    let mut fields = Fields {
        line,
        object,
        problems: Vec::new(),
    };
    let parsed = match fields.take("type") {
        None => {
            fields.problem("type", "required field is missing");
            None
        }
        Some(Value::String(kind)) => match kind.as_str() {
            "section" => Some(Line::Section(Section {
                slug: fields.slug("slug"),
                name: fields.required_text("name"),
            })),
            "country" => Some(Line::Country(Country {
                code: fields.country_code("code"),
                name: fields.required_text("name"),
            })),
            "person" => Some(Line::Person(Person {
                slug: fields.slug("slug"),
                name: fields.required_text("name"),
                role: fields.optional_text("role"),
                country: fields
                    .optional_text("country")
                    .map(|code| fields.checked("country", code, is_country_code, COUNTRY_CODE)),
            })),
            "topic" => Some(Line::Topic(Topic {
                slug: fields.slug("slug"),
                name: fields.required_text("name"),
                description: fields.optional_text("description"),
            })),
            "article" => Some(Line::Article(fields.article())),
            other => {
                fields.problem(
                    "type",
                    format!(
                        "unknown type {other:?} (expected section, country, person, topic or article)"
                    ),
                );
                None
            }
        },
        Some(other) => {
            fields.problem(
                "type",
                format!("expected a string, found {}", kind_of(&other)),
            );
            None
        }
    };
    if parsed.is_some() {
        let unknown: Vec<String> = fields.object.keys().cloned().collect();
        for name in unknown {
            fields.problem(&name, "unknown field");
        }
    }
    match parsed {
        Some(parsed) if fields.problems.is_empty() => Ok(parsed),
        _ => Err(fields.problems),
    }
}

const SLUG: &str = "a slug (1 to 120 lower-case ASCII letters, digits and single hyphens)";
const COUNTRY_CODE: &str = "an ISO 3166-1 alpha-2 code (two upper-case letters)";
const LANGUAGE: &str = "a BCP 47 language tag (e.g. uk, en-GB)";

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, 1 to 120 characters.
pub fn is_slug(text: &str) -> bool {
    (1..=120).contains(&text.len())
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

pub fn is_country_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase())
}

/// The shape of a BCP 47 tag: a 2–3 or 4–8 letter primary subtag, then subtags of 1 to 8
/// letters and digits.
pub fn is_language_tag(text: &str) -> bool {
    let mut subtags = text.split('-');
    let primary_ok = subtags.next().is_some_and(|primary| {
        (2..=8).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic())
    });
    primary_ok
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The fields of one line not yet read, and what was wrong with those that were.
struct Fields {
    line: usize,
    object: Map<String, Value>,
    problems: Vec<Problem>,
}

impl Fields {
    fn problem(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            line: self.line,
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Removes a field; `null` counts as absent.
    fn take(&mut self, name: &str) -> Option<Value> {
        self.object.remove(name).filter(|value| !value.is_null())
    }

    fn optional_text(&mut self, name: &str) -> Option<String> {
        match self.take(name)? {
            Value::String(text) => Some(text),
            other => {
                self.problem(
                    name,
                    format!("expected a string, found {}", kind_of(&other)),
                );
                None
            }
        }
    }

    /// A string that must be present (it may be empty).
    fn required(&mut self, name: &str) -> Option<String> {
        if !self.object.contains_key(name) || self.object[name].is_null() {
            self.problem(name, "required field is missing");
            return None;
        }
        self.optional_text(name)
    }

    /// A string that must be present and not blank.
    fn required_text(&mut self, name: &str) -> String {
        let Some(text) = self.required(name) else {
            return String::new();
        };
        if text.trim().is_empty() {
            self.problem(name, "must not be empty");
        }
        text
    }

    /// Keeps `text` when `valid`, reporting it as not `what` otherwise.
    fn checked(
        &mut self,
        field: &str,
        text: String,
        valid: fn(&str) -> bool,
        what: &str,
    ) -> String {
        if !valid(&text) {
            self.problem(field, format!("{text:?} is not {what}"));
        }
        text
    }

    fn slug(&mut self, name: &str) -> String {
        self.keyed(name, is_slug, SLUG)
    }

    fn country_code(&mut self, name: &str) -> String {
        self.keyed(name, is_country_code, COUNTRY_CODE)
    }

    fn keyed(&mut self, name: &str, valid: fn(&str) -> bool, what: &str) -> String {
        match self.required(name) {
            Some(text) => self.checked(name, text, valid, what),
            None => String::new(),
        }
    }

    fn time(&mut self, name: &str, required: bool) -> Option<Timestamp> {
        let text = if required {
            self.required(name)?
        } else {
            self.optional_text(name)?
        };
        Timestamp::parse(&text)
            .map_err(|message| self.problem(name, message))
            .ok()
    }

    /// An array of natural keys, each checked by `valid`, none twice.
    fn keys(&mut self, name: &str, valid: fn(&str) -> bool, what: &str) -> Vec<String> {
        let items = match self.take(name) {
            None => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.problem(
                    name,
                    format!("expected an array, found {}", kind_of(&other)),
                );
                return Vec::new();
            }
        };
        let mut keys: Vec<String> = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let field = format!("{name}[{index}]");
            match item {
                Value::String(key) if !valid(&key) => {
                    self.problem(&field, format!("{key:?} is not {what}"));
                }
                Value::String(key) => {
                    if let Some(first) = keys.iter().position(|seen| *seen == key) {
                        self.problem(
                            &field,
                            format!("{key:?} is already listed at {name}[{first}]"),
                        );
                    }
                    keys.push(key);
                }
                other => self.problem(
                    &field,
                    format!("expected a string, found {}", kind_of(&other)),
                ),
            }
        }
        keys
    }

    fn article(&mut self) -> Article {
        let slug = self.slug("slug");
        let title = self.required_text("title");
        let lead = self.optional_text("lead");
        let body = self.required("body").unwrap_or_default();
        let published_at = self.time("published_at", true);
        let updated_at = self.time("updated_at", false);
        let status = match self.optional_text("status").as_deref() {
            None | Some("published") => Status::Published,
            Some("draft") => Status::Draft,
            Some(other) => {
                self.problem(
                    "status",
                    format!("{other:?} is not one of published, draft"),
                );
                Status::Published
            }
        };
        let section = match self.optional_text("section") {
            Some(section) => self.checked("section", section, is_slug, SLUG),
            None => DEFAULT_SECTION.to_owned(),
        };
        let language = match self.optional_text("language") {
            Some(language) => self.checked("language", language, is_language_tag, LANGUAGE),
            None => DEFAULT_LANGUAGE.to_owned(),
        };
        let people = self.keys("people", is_slug, SLUG);
        let countries = self.keys("countries", is_country_code, COUNTRY_CODE);
        let topics = self.keys("topics", is_slug, SLUG);
        let related = self.keys("related", is_slug, SLUG);
        if related.contains(&slug) {
            self.problem("related", "an article cannot be related to itself");
        }
        Article {
            slug,
            title,
            lead,
            body,
            published_at: published_at.unwrap_or(Timestamp {
                micros: 0,
                offset: 0,
            }),
            updated_at,
            status,
            section,
            language,
            people,
            countries,
            topics,
            related,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(7, text)
            .expect_err("the line is invalid")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn slugs_follow_the_format() {
        for good in ["news", "a", "umierov-na-ramshtaini", "covid-19"] {
            assert!(is_slug(good), "{good}");
        }
        for bad in ["", "News", "a--b", "-a", "a-", "a_b", "ä", &"a".repeat(121)] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn reports_every_problem_of_a_line() {
        assert_eq!(
            problems(
                r#"{"type":"article","slug":"Bad Slug","title":"","published_at":"yesterday","people":["ok","ok",3],"colour":"red"}"#
            ),
            [
                "line 7: slug: \"Bad Slug\" is not a slug (1 to 120 lower-case ASCII letters, digits and single hyphens)",
                "line 7: title: must not be empty",
                "line 7: body: required field is missing",
                "line 7: published_at: \"yesterday\" is not an RFC 3339 date-time with an offset (e.g. 2024-04-12T14:20:00+03:00)",
                "line 7: people[1]: \"ok\" is already listed at people[0]",
                "line 7: people[2]: expected a string, found a number",
                "line 7: colour: unknown field",
            ]
        );
    }

    #[test]
    fn names_what_is_not_a_line() {
        assert_eq!(
            problems("[1]"),
            ["line 7: json: expected a JSON object, found an array"]
        );
        assert_eq!(
            problems(r#"{"type":"tag","slug":"x"}"#),
            [
                "line 7: type: unknown type \"tag\" (expected section, country, person, topic or article)"
            ]
        );
        assert!(problems("{not json")[0].starts_with("line 7: json: not valid JSON"));
    }

    #[test]
    fn fills_in_the_defaults() {
        let Ok(Line::Article(article)) = parse(
            1,
            r#"{"type":"article","slug":"a","title":"T","body":"","published_at":"2024-04-12T14:20:00+03:00"}"#,
        ) else {
            panic!("a minimal article is valid");
        };
        assert_eq!(article.section, "news");
        assert_eq!(article.language, "uk");
        assert_eq!(article.status, Status::Published);
        assert!(article.people.is_empty() && article.related.is_empty());
    }
}
