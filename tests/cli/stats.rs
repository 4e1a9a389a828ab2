//! `rep stats`: weekly entries, questions asked and resolved, median time to a first answer and
//! occurrences per domain, at a fixed clock.

use serde_json::{Value, json};

use crate::map::team;
use crate::support::Repo;

fn week(week: &str, counts: [u64; 4], median: Option<f64>) -> Value {
    json!({"week": week, "entries": counts[0], "questions_asked": counts[1],
           "questions_resolved": counts[2], "occurrences": counts[3],
           "median_hours_to_first_answer": median})
}

const WEEKS: [&str; 5] = [
    "2026-10-26",
    "2026-11-02",
    "2026-11-09",
    "2026-11-16",
    "2026-11-23",
];

#[test]
fn stats_count_each_week_of_each_domain() {
    let t = team();
    let z = [0, 0, 0, 0];
    // NOW is Friday 2026-11-27: five weeks back starts on Monday 2026-10-26. In postgres, the
    // questions of the week of 11-02 had first answers after 24 and 6 hours: median 15.
    assert_eq!(
        t.repo.json(&["stats", "--weeks", "5"]),
        json!([
            {"domain": "dns", "weeks": [
                week(WEEKS[0], z, None), week(WEEKS[1], z, None), week(WEEKS[2], z, None),
                week(WEEKS[3], z, None), week(WEEKS[4], [4, 3, 0, 0], None)]},
            {"domain": "k8s", "weeks": [
                week(WEEKS[0], z, None), week(WEEKS[1], [0, 0, 0, 3], None),
                week(WEEKS[2], [1, 1, 0, 0], None), week(WEEKS[3], z, None),
                week(WEEKS[4], [1, 1, 0, 0], None)]},
            {"domain": "postgres", "weeks": [
                week(WEEKS[0], [1, 0, 0, 0], None), week(WEEKS[1], [2, 2, 1, 1], Some(15.0)),
                week(WEEKS[2], [1, 0, 0, 0], None), week(WEEKS[3], z, None),
                week(WEEKS[4], z, None)]},
        ])
    );
    // --domain sums sub-domains under the one asked for; an empty range has no rows.
    let k8s = t.repo.json(&["stats", "--weeks", "5", "--domain", "k8s"]);
    assert_eq!(k8s.as_array().unwrap().len(), 1);
    assert_eq!(k8s[0]["domain"], "k8s");
    assert_eq!(
        t.repo
            .json(&["stats", "--weeks", "1", "--domain", "postgres"]),
        json!([])
    );
    insta::assert_snapshot!("stats_table", t.repo.ok(&["stats", "--weeks", "6"]));
}

#[test]
fn a_resolution_counts_in_its_week_even_for_an_older_question() {
    let repo = Repo::new();
    let q = repo.add_at(
        "2026-10-01T09:00:00Z",
        &["question", "Old question", "-d", "pg", "--as", "bo"],
    );
    let reply = repo.answer_at("2026-10-02T09:00:00Z", "cy", &q, "like this");
    repo.rep_at("2026-11-25T09:00:00Z", &["accept", &reply, "--as", "bo"])
        .success();
    assert_eq!(
        repo.json(&["stats", "--weeks", "1"]),
        json!([{"domain": "pg", "weeks": [week("2026-11-23", [0, 0, 1, 0], None)]}])
    );
    // The question's own week has it asked, answered after 24 hours, not resolved.
    let weeks = repo.json(&["stats", "--weeks", "9"]);
    assert_eq!(
        weeks[0]["weeks"][0],
        week("2026-09-28", [1, 1, 0, 0], Some(24.0))
    );
}
