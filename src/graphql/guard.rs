//! Refusing abusive documents before they cost anything: nesting deep enough to overflow the
//! parser's stack (checked on the raw text, before parsing), alias bombs, and documents wide
//! enough to make validation slow.

use std::sync::Arc;

use async_graphql::{
    Request, ServerError, ServerResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use super::errors::with_code;
use crate::config::QueryLimits;

#[derive(Debug)]
pub struct Guard {
    limits: QueryLimits,
}

impl Guard {
    pub fn new(limits: QueryLimits) -> Self {
        Self { limits }
    }
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Self {
            limits: self.limits,
        })
    }
}

#[async_trait::async_trait]
impl Extension for Guard {
    /// Runs before anything parses the document, persisted queries included.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let deepest = nesting(&request.query);
        if deepest > self.limits.max_nesting {
            return Err(ServerError::new(
                format!(
                    "the document is nested {deepest} levels deep (braces, brackets and parentheses); at most {} are allowed",
                    self.limits.max_nesting
                ),
                None,
            ));
        }
        // Parsed here once (persisted queries arrive parsed already), then kept for execution.
        let mut request = next.run(ctx, request).await?;
        self.check_size(request.parsed_query()?)?;
        Ok(request)
    }
}

impl Guard {
    fn check_size(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let sets = document
            .operations
            .iter()
            .map(|(_, operation)| &operation.node.selection_set.node)
            .chain(
                document
                    .fragments
                    .values()
                    .map(|fragment| &fragment.node.selection_set.node),
            );
        let size = sets.fold(Size::default(), |total, set| total + Size::of(set));
        let refusal = if size.aliases > self.limits.max_aliases {
            format!(
                "the document has {} aliased fields; at most {} are allowed",
                size.aliases, self.limits.max_aliases
            )
        } else if size.fields > self.limits.max_fields {
            format!(
                "the document selects {} fields; at most {} are allowed",
                size.fields, self.limits.max_fields
            )
        } else {
            return Ok(());
        };
        Err(with_code(
            ServerError::new(refusal, None),
            "GRAPHQL_VALIDATION_FAILED",
        ))
    }
}

/// Fields and aliased fields in a selection set, nested ones included.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    fields: usize,
    aliases: usize,
}

impl std::ops::Add for Size {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            fields: self.fields + other.fields,
            aliases: self.aliases + other.aliases,
        }
    }
}

impl Size {
    fn of(set: &SelectionSet) -> Self {
        set.items
            .iter()
            .map(|selection| match &selection.node {
                Selection::Field(field) => {
                    let own = Size {
                        fields: 1,
                        aliases: usize::from(field.node.alias.is_some()),
                    };
                    own + Size::of(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => Size::of(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => Size::default(),
            })
            .fold(Size::default(), |total, size| total + size)
    }
}

/// The deepest nesting of `{`, `[` and `(` in a GraphQL document, strings and comments aside.
pub fn nesting(document: &str) -> usize {
    let bytes = document.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'"' if bytes[at..].starts_with(b"\"\"\"") => {
                at += 3;
                while at < bytes.len() && !bytes[at..].starts_with(b"\"\"\"") {
                    at += if bytes[at..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                at += 2;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::nesting;

    #[test]
    fn nesting_counts_structure_not_text() {
        assert_eq!(nesting("{ feed { edges { node { slug } } } }"), 4);
        assert_eq!(nesting(r#"{ a(s: "{{{[[[") { b } }"#), 2);
        assert_eq!(nesting("{ a # {{{{{{\n b }"), 1);
        assert_eq!(nesting(r#"{ a(s: """ {{{ \""" [[[ """) }"#), 2);
        assert_eq!(nesting(&"[".repeat(10_000)), 10_000);
        assert_eq!(nesting("\"unterminated {{{"), 0);
    }
}
