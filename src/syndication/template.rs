//! The URLs feeds and sitemaps write: the site's, and the template of the frontend's article
//! pages, both checked once at start so that a typo fails the server instead of every link it
//! would write.

use chrono_tz::Tz;

use crate::calendar;

/// What a template can name of an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placeholder {
    Slug,
    Section,
    /// The publication date in the site's time zone, as `YYYY/MM/DD`.
    Date,
    Id,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Placeholder),
}

/// A parsed template such as `https://example.com/{section}/{slug}`, or a path such as
/// `/{date}/{slug}` that is joined to the site's URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArticleUrl {
    parts: Vec<Part>,
    relative: bool,
}

/// What a link is made of.
#[derive(Clone, Copy, Debug)]
pub struct Article<'a> {
    pub id: i64,
    pub slug: &'a str,
    pub section: &'a str,
    pub published_at: i64,
}

const KNOWN: &str = "{slug}, {section}, {date}, {id}";

impl ArticleUrl {
    /// Reads a template; the error says what is wrong with it.
    pub fn parse(template: &str) -> Result<Self, String> {
        let relative = template.starts_with('/');
        if !relative && !template.starts_with("https://") && !template.starts_with("http://") {
            return Err(format!(
                "{template:?} is neither an http(s) URL nor a path starting with /"
            ));
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find(['{', '}']) {
            if rest[open..].starts_with('}') {
                return Err(format!("{template:?} has a }} without a {{"));
            }
            let close = rest[open..]
                .find('}')
                .map(|close| open + close)
                .ok_or_else(|| format!("{template:?} has a {{ without a }}"))?;
            let value = match &rest[open + 1..close] {
                "slug" => Placeholder::Slug,
                "section" => Placeholder::Section,
                "date" => Placeholder::Date,
                "id" => Placeholder::Id,
                other => {
                    return Err(format!(
                        "{template:?} names {{{other}}}; the placeholders are {KNOWN}"
                    ));
                }
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            parts.push(Part::Value(value));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        let unique = |p: &Part| matches!(p, Part::Value(Placeholder::Slug | Placeholder::Id));
        if !parts.iter().any(unique) {
            return Err(format!(
                "{template:?} names neither {{slug}} nor {{id}}, so every article would get the same URL"
            ));
        }
        Ok(Self { parts, relative })
    }

    /// The article's URL; a path template is joined to `site`. Slugs are lower-case ASCII
    /// letters, digits and hyphens, so nothing needs escaping.
    pub fn render(&self, site: &str, article: Article<'_>, zone: Tz) -> String {
        let mut url = String::with_capacity(96);
        if self.relative {
            url.push_str(site);
        }
        for part in &self.parts {
            match part {
                Part::Text(text) => url.push_str(text),
                Part::Value(Placeholder::Slug) => url.push_str(article.slug),
                Part::Value(Placeholder::Section) => url.push_str(article.section),
                Part::Value(Placeholder::Id) => url.push_str(&article.id.to_string()),
                Part::Value(Placeholder::Date) => url.push_str(
                    &calendar::local_date(article.published_at, zone)
                        .format("%Y/%m/%d")
                        .to_string(),
                ),
            }
        }
        url
    }
}

/// The site's URL as given, less a trailing slash: an http(s) URL with a host and perhaps a
/// path, to which paths are appended.
pub fn site_url(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
    if host.is_empty() || host.starts_with('/') || host.contains(['?', '#', ' ']) {
        return Err(format!(
            "{url:?} is not a site URL (scheme, host and an optional path)"
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Kyiv;

    use super::*;
    use crate::timestamp::Timestamp;

    fn article(published: &str) -> Article<'static> {
        Article {
            id: 42,
            slug: "umierov-na-ramshtaini",
            section: "news",
            published_at: Timestamp::parse(published).expect("valid").micros,
        }
    }

    #[test]
    fn placeholders_take_the_article_and_dates_the_site_time_zone() {
        let template =
            ArticleUrl::parse("https://example.com/{section}/{date}/{slug}-{id}.html").expect("ok");
        assert_eq!(
            template.render(
                "https://ignored.example",
                article("2024-09-06T21:30:00Z"),
                Kyiv
            ),
            "https://example.com/news/2024/09/07/umierov-na-ramshtaini-42.html"
        );
    }

    #[test]
    fn paths_join_the_site_url() {
        let template = ArticleUrl::parse("/{slug}").expect("ok");
        assert_eq!(
            template.render(
                "https://example.com",
                article("2024-09-07T10:00:00+03:00"),
                Kyiv
            ),
            "https://example.com/umierov-na-ramshtaini"
        );
    }

    #[test]
    fn site_urls_lose_their_trailing_slash() {
        assert_eq!(
            site_url("https://example.com/news/").as_deref(),
            Ok("https://example.com/news")
        );
        for wrong in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://e.com/?a=1",
        ] {
            assert!(site_url(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn mistakes_are_refused_with_a_reason() {
        for (template, reason) in [
            ("example.com/{slug}", "neither an http(s) URL"),
            ("https://example.com/{title}", "names {title}"),
            ("https://example.com/{slug", "{ without a }"),
            ("https://example.com/slug}", "} without a {"),
            (
                "https://example.com/{section}",
                "every article would get the same URL",
            ),
        ] {
            let error = ArticleUrl::parse(template).expect_err(template);
            assert!(error.contains(reason), "{template}: {error}");
        }
    }
}
