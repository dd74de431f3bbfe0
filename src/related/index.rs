//! The related-articles index and its ranking.
//!
//! score(a, b) = Σ weight(f) over the people, topics and countries f that a and b share.
//! Articles are ranked by score, then newest first, then by id (descending, as in the feed).
//! Ranking never scores the whole archive: it walks the posting lists (one per person, topic and
//! country, newest first) of the article's own features, from the newest visible article on,
//! and sets aside the lists that cannot lift an article above the current fifth-best score (see
//! `ranking.rs`). The result is exact.
//!
//! Everything lives in a few flat arrays (about 45 bytes an article at a million articles with
//! six links each): a `Vec` or a hash-map entry per article would cost more than its contents.
//! The few long lists have a bitmap besides (about 6 bytes an article at a million), for the
//! ranking to look articles up in.
//! An article's own features are not kept: the caller reads the few of the article asked about
//! from the database, which spares the index a copy of every link.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;

use super::ranking::{self, Postings, Rank};
use crate::config::RelatedWeights;

/// What an article can share with another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    Person(i64),
    Topic(i64),
    Country(i64),
}

/// What kind of feature a posting list is for; the target's own id is not needed once its
/// articles are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Person,
    Topic,
    Country,
}

impl Kind {
    fn of(feature: Feature) -> Self {
        match feature {
            Feature::Person(_) => Self::Person,
            Feature::Topic(_) => Self::Topic,
            Feature::Country(_) => Self::Country,
        }
    }

    fn weight(self, weights: RelatedWeights) -> u32 {
        match self {
            Self::Person => weights.person,
            Self::Topic => weights.topic,
            Self::Country => weights.country,
        }
    }
}

/// No article has this rank.
const NONE: Rank = Rank::MAX;

/// A list holding at least one article in this many has a bitmap, at most twice the size of
/// the list itself. Sparser lists are cheap to seek in: their postings lie close together.
const DENSE: usize = 64;

/// Lists of ranks or feature numbers, all in one array: list `i` is
/// `items[starts[i]..starts[i + 1]]`.
#[derive(Debug)]
struct Lists {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn get(&self, list: usize) -> &[u32] {
        &self.items[self.starts[list] as usize..self.starts[list + 1] as usize]
    }
}

#[derive(Debug)]
pub struct RelatedIndex {
    /// The content version this index was built from.
    version: i64,
    /// By rank: the article's id and publication time.
    articles: Vec<(i64, i64)>,
    /// By article id less `first_id`: the article's rank, or `NONE`. Ids come from a sequence,
    /// so this is about as long as `articles`.
    rank_of: Vec<Rank>,
    first_id: i64,
    /// By feature number: the kind of feature.
    kinds: Vec<Kind>,
    /// The number of each feature that has a published article.
    numbers: HashMap<Feature, u32>,
    /// By feature number: the ranks of its articles, ascending.
    postings: Lists,
    /// By feature number, for the long lists only: the same ranks as a bitmap.
    members: HashMap<u32, FixedBitSet>,
    /// `(article, pick)` as ranks, by article, each article's picks in the editor's order.
    picks: Vec<(Rank, Rank)>,
}

/// Collects the index from what the database streams, holding each row only as long as it
/// takes to file it.
#[derive(Debug)]
pub struct Builder {
    index: RelatedIndex,
    last: Option<Feature>,
}

impl Builder {
    /// Starts from the published articles `(id, published_at)`, with room for `links` links.
    pub fn new(version: i64, mut articles: Vec<(i64, i64)>, links: usize) -> Self {
        articles.sort_unstable_by_key(|&(id, published_at)| std::cmp::Reverse((published_at, id)));
        let first_id = articles.iter().map(|&(id, _)| id).min().unwrap_or(0);
        let last_id = articles.iter().map(|&(id, _)| id).max().unwrap_or(-1);
        let mut rank_of = vec![NONE; usize::try_from(last_id - first_id + 1).unwrap_or(0)];
        for (rank, &(id, _)) in (0..).zip(&articles) {
            rank_of[(id - first_id) as usize] = rank;
        }
        Self {
            index: RelatedIndex {
                version,
                articles,
                rank_of,
                first_id,
                kinds: Vec::new(),
                numbers: HashMap::new(),
                postings: Lists {
                    starts: vec![0],
                    items: Vec::with_capacity(links),
                },
                members: HashMap::new(),
                picks: Vec::new(),
            },
            last: None,
        }
    }

    /// Files `article` under `feature`. Links must come grouped by feature: a feature met again
    /// after another would be taken for a new one.
    pub fn link(&mut self, feature: Feature, article: i64) {
        let Some(rank) = self.index.rank(article) else {
            return;
        };
        if self.last != Some(feature) {
            self.close_list();
            self.last = Some(feature);
            let number = self.index.kinds.len() as u32;
            self.index.numbers.insert(feature, number);
            self.index.kinds.push(Kind::of(feature));
        }
        self.index.postings.items.push(rank);
    }

    /// Files `pick` as the next of `article`'s picks; picks of unpublished articles, or
    /// unpublished picks, are left out.
    pub fn pick(&mut self, article: i64, pick: i64) {
        if let (Some(article), Some(pick)) = (self.index.rank(article), self.index.rank(pick)) {
            self.index.picks.push((article, pick));
        }
    }

    /// Ends the list being filed; its ranks come newest first from the database, but sorting
    /// them here keeps the index right whatever order they came in.
    fn close_list(&mut self) {
        let postings = &mut self.index.postings;
        let start = *postings.starts.last().unwrap_or(&0) as usize;
        if postings.items.len() > start {
            postings.items[start..].sort_unstable();
            postings.starts.push(postings.items.len() as u32);
        }
    }

    pub fn finish(mut self) -> RelatedIndex {
        self.close_list();
        let index = &mut self.index;
        index.postings.items.shrink_to_fit();
        index.postings.starts.shrink_to_fit();
        index.kinds.shrink_to_fit();
        index.numbers.shrink_to_fit();
        index.picks.sort_by_key(|&(article, _)| article);
        index.picks.shrink_to_fit();
        let articles = index.articles.len();
        index.members = (0..index.kinds.len())
            .map(|number| (number as u32, index.postings.get(number)))
            .filter(|(_, ranks)| ranks.len() * DENSE >= articles)
            .map(|(number, ranks)| {
                let mut members = FixedBitSet::with_capacity(articles);
                members.extend(ranks.iter().map(|&rank| rank as usize));
                (number, members)
            })
            .collect();
        self.index
    }
}

impl RelatedIndex {
    pub fn version(&self) -> i64 {
        self.version
    }

    fn rank(&self, id: i64) -> Option<Rank> {
        let slot = usize::try_from(id.checked_sub(self.first_id)?).ok()?;
        self.rank_of.get(slot).copied().filter(|&rank| rank != NONE)
    }

    /// The rank of the newest article visible at `now`: every article from it on is visible.
    fn first_visible(&self, now: i64) -> usize {
        self.articles
            .partition_point(|&(_, published_at)| published_at > now)
    }

    /// The publication time of the newest article visible at `now`. It moves exactly when an
    /// embargo lapses (an embargoed article is newer than every visible one), so with the
    /// version it says whether any public read may have changed.
    pub fn newest_visible(&self, now: i64) -> Option<i64> {
        self.articles
            .get(self.first_visible(now))
            .map(|&(_, published_at)| published_at)
    }

    /// How many articles published from `since` to `now` (both inclusive) are visible. With the
    /// version it says whether a listing of a moving time window, such as the last 48 hours,
    /// may have changed: the count moves when an article enters or leaves the window.
    pub fn visible_since(&self, since: i64, now: i64) -> usize {
        let past_window = self
            .articles
            .partition_point(|&(_, published_at)| published_at >= since);
        past_window.saturating_sub(self.first_visible(now))
    }

    /// The articles among the newest `window` visible at `now`, published `since` or later,
    /// that `before` did not show at `then`, newest first: what has just entered the top of the
    /// feed, whether by a write, an import anywhere, or an embargo lapsing.
    pub fn newly_visible(
        &self,
        (before, then): (&Self, i64),
        (since, now): (i64, i64),
        window: usize,
    ) -> Vec<i64> {
        self.articles[self.first_visible(now)..]
            .iter()
            .take(window)
            .take_while(|&&(_, published_at)| published_at >= since)
            .filter(|&&(id, _)| !before.is_visible(id, then))
            .map(|&(id, _)| id)
            .collect()
    }

    fn is_visible(&self, id: i64, at: i64) -> bool {
        self.rank(id)
            .is_some_and(|rank| self.articles[rank as usize].1 <= at)
    }

    /// Up to `count` article ids related to `article`, whose people, topics and countries are
    /// `features`: its picks published by `now`, in the editor's order, then the best-scored
    /// others (score above zero, never the article itself, never a pick twice).
    pub fn related(
        &self,
        article: i64,
        features: &[Feature],
        count: usize,
        weights: RelatedWeights,
        now: i64,
    ) -> Vec<i64> {
        let Some(me) = self.rank(article) else {
            return Vec::new();
        };
        let from = self.first_visible(now);
        let listed = self.picks.partition_point(|&(a, _)| a < me);
        let picks: Vec<Rank> = self.picks[listed..]
            .iter()
            .take_while(|&&(a, _)| a == me)
            .map(|&(_, pick)| pick)
            .filter(|&pick| pick as usize >= from)
            .take(count)
            .collect();
        let lists: Vec<Postings<'_>> = features
            .iter()
            .filter_map(|feature| self.numbers.get(feature))
            .map(|&number| Postings {
                ranks: self.postings.get(number as usize),
                weight: self.kinds[number as usize].weight(weights),
                members: self.members.get(&number),
            })
            .collect();
        let scored = ranking::best(&lists, from as Rank, count - picks.len(), |rank| {
            rank != me && !picks.contains(&rank)
        });
        picks
            .into_iter()
            .chain(scored)
            .map(|rank| self.articles[rank as usize].0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const WEIGHTS: RelatedWeights = RelatedWeights {
        person: 3,
        topic: 2,
        country: 1,
    };

    /// The index of `articles` with `features` in any order, as `refresh` builds it.
    fn build(
        version: i64,
        articles: Vec<(i64, i64)>,
        features: impl IntoIterator<Item = (i64, Feature)>,
        picks: impl IntoIterator<Item = (i64, i64)>,
    ) -> RelatedIndex {
        let mut links: Vec<(Feature, i64)> = features.into_iter().map(|(a, f)| (f, a)).collect();
        links.sort_unstable();
        let mut builder = Builder::new(version, articles, links.len());
        for (feature, article) in links {
            builder.link(feature, article);
        }
        for (article, pick) in picks {
            builder.pick(article, pick);
        }
        builder.finish()
    }

    /// The features of `article` among `features`, as the database gives them to `related`.
    fn of(features: &[(i64, Feature)], article: i64) -> Vec<Feature> {
        features
            .iter()
            .filter(|&&(a, _)| a == article)
            .map(|&(_, f)| f)
            .collect()
    }

    /// The definition, applied to every article: what the index must agree with.
    fn brute_force(
        articles: &[(i64, i64)],
        features: &[(i64, Feature)],
        article: i64,
        count: usize,
        weights: RelatedWeights,
        now: i64,
    ) -> Vec<i64> {
        let mine = of(features, article);
        let mut scored: Vec<(u32, i64, i64)> = articles
            .iter()
            .filter(|&&(id, published)| id != article && published <= now)
            .map(|&(id, published)| {
                let theirs = of(features, id);
                let score = mine
                    .iter()
                    .filter(|f| theirs.contains(f))
                    .map(|&f| Kind::of(f).weight(weights))
                    .sum();
                (score, published, id)
            })
            .filter(|&(score, _, _)| score > 0)
            .collect();
        scored.sort_by(|a, b| b.cmp(a));
        scored
            .into_iter()
            .take(count)
            .map(|(_, _, id)| id)
            .collect()
    }

    fn feature() -> impl Strategy<Value = Feature> {
        prop_oneof![
            (0..4i64).prop_map(Feature::Person),
            (0..3i64).prop_map(Feature::Topic),
            (0..2i64).prop_map(Feature::Country),
        ]
    }

    /// More people than topics than countries, as in a newsroom: lists of very different
    /// lengths.
    fn wide_feature() -> impl Strategy<Value = Feature> {
        prop_oneof![
            (0..40i64).prop_map(Feature::Person),
            (0..12i64).prop_map(Feature::Topic),
            (0..4i64).prop_map(Feature::Country),
        ]
    }

    /// Links drawn as `(index into articles, feature)`, each made once, to the articles' ids.
    fn linked(articles: &[(i64, i64)], links: Vec<(usize, Feature)>) -> Vec<(i64, Feature)> {
        links
            .into_iter()
            .filter(|(a, _)| *a < articles.len())
            .map(|(a, f)| (articles[a].0, f))
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect()
    }

    proptest! {
        #[test]
        fn ranking_matches_the_definition(
            times in prop::collection::vec(0..6i64, 1..60),
            links in prop::collection::vec((0..60usize, feature()), 0..200),
            count in 0..8usize,
            now in 0..7i64,
        ) {
            let articles: Vec<(i64, i64)> = (1..).zip(times).collect();
            let features = linked(&articles, links);
            let index = build(1, articles.clone(), features.clone(), []);
            for &(article, _) in &articles {
                prop_assert_eq!(
                    index.related(article, &of(&features, article), count, WEIGHTS, now),
                    brute_force(&articles, &features, article, count, WEIGHTS, now),
                    "article {}", article
                );
            }
        }

        /// Larger archives and any weights (zero included), so that the fifth-best score rises
        /// through many levels and the lists set aside change several times.
        #[test]
        fn ranking_matches_the_definition_whatever_the_weights(
            times in prop::collection::vec(0..40i64, 50..300),
            links in prop::collection::vec((0..300usize, wide_feature()), 0..1200),
            (person, topic, country) in (0..6u32, 0..6u32, 0..6u32),
            count in 1..8usize,
            now in 0..45i64,
        ) {
            let weights = RelatedWeights { person, topic, country };
            let articles: Vec<(i64, i64)> = (1..).zip(times).collect();
            let features = linked(&articles, links);
            let index = build(1, articles.clone(), features.clone(), []);
            for &(article, _) in articles.iter().step_by(7) {
                prop_assert_eq!(
                    index.related(article, &of(&features, article), count, weights, now),
                    brute_force(&articles, &features, article, count, weights, now),
                    "article {}", article
                );
            }
        }
    }

    #[test]
    fn picks_come_first_and_only_once() {
        let articles = vec![(1, 10), (2, 20), (3, 30), (4, 40), (5, 50)];
        let features = [
            (1, Feature::Topic(7)),
            (2, Feature::Topic(7)),
            (3, Feature::Topic(7)),
            (4, Feature::Person(1)),
        ];
        let index = build(1, articles, features, [(1, 4), (1, 2), (1, 9)]);
        let mine = [Feature::Topic(7)];
        assert_eq!(index.related(1, &mine, 5, WEIGHTS, 100), [4, 2, 3]);
        assert_eq!(index.related(1, &mine, 1, WEIGHTS, 100), [4]);
        assert_eq!(
            index.related(1, &mine, 5, WEIGHTS, 35),
            [2, 3],
            "embargoed picks wait"
        );
        assert!(index.related(99, &mine, 5, WEIGHTS, 100).is_empty());
    }

    #[test]
    fn a_window_counts_what_is_visible_in_it() {
        let articles = vec![(1, 10), (2, 20), (3, 20), (4, 30), (5, 50)];
        let index = build(1, articles, [], []);
        assert_eq!(index.visible_since(20, 40), 3, "both ends are inclusive");
        assert_eq!(index.visible_since(21, 40), 1);
        assert_eq!(index.visible_since(0, 100), 5);
        assert_eq!(index.visible_since(60, 100), 0);
        assert_eq!(index.visible_since(40, 30), 0, "an empty window");
    }

    #[test]
    fn what_enters_the_top_of_the_feed_is_newly_visible() {
        let before = build(1, vec![(1, 10), (2, 20), (3, 50)], [], []);
        let after = build(
            2,
            vec![(1, 10), (2, 20), (3, 50), (4, 30), (5, 5), (6, 90)],
            [],
            [],
        );
        // At 60, article 3's embargo (50) has lapsed and 4 was written; 5 is too old to enter
        // the newest three, or to count as published since 6, and 6 is still embargoed.
        assert_eq!(after.newly_visible((&before, 40), (0, 60), 3), [3, 4]);
        assert_eq!(after.newly_visible((&before, 40), (0, 60), 10), [3, 4, 5]);
        assert_eq!(after.newly_visible((&before, 40), (6, 60), 10), [3, 4]);
        assert!(after.newly_visible((&after, 60), (0, 60), 10).is_empty());
        assert_eq!(after.newly_visible((&after, 60), (0, 90), 10), [6]);
    }
}
