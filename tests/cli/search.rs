//! `rep search`: ranking, stemming, prefixes, hostile queries, `--raw`, filters and output.

use crate::support::{Repo, fixture, parse_json, redact_fixture, stderr, stdout};

#[test]
fn a_title_match_ranks_above_a_body_match() {
    let repo = Repo::new();
    let in_body = repo.add(&[
        "story",
        "A long night",
        "-m",
        "We ran vacuum by hand at 3am.",
    ]);
    let in_title = repo.add(&[
        "tool",
        "Vacuum a big table",
        "-m",
        "Use a maintenance window.",
    ]);
    let in_tag = repo.add(&["tool", "Table maintenance", "-t", "vacuum"]);
    assert_eq!(repo.search_ids(&["vacuum"]), [in_title, in_tag, in_body]);
}

#[test]
fn hits_carry_the_entry_a_score_and_a_snippet() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        "Find what holds a lock",
        "-m",
        "Join pg_locks with activity.",
    ]);
    let hits = repo.json(&["search", "activity"]);
    let hit = &hits[0];
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hit["id"], id.as_str());
    assert_eq!(hit["title"], "Find what holds a lock");
    assert_eq!(hit["deleted"], false);
    assert!(hit["score"].is_f64(), "{hit}");
    assert_eq!(hit["snippet"], "Join pg_locks with **activity**.");
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "author",
            "body",
            "command",
            "created_at",
            "deleted",
            "domain",
            "id",
            "kind",
            "link",
            "matched",
            "score",
            "short_id",
            "snippet",
            "tags",
            "title",
            "updated_at"
        ]
    );
    // Scores are ordered within a tier: lower is better.
    repo.add(&["tool", "Activity monitor"]);
    repo.add(&[
        "tool",
        "Activity of the locks",
        "-m",
        "No activity, no locks.",
    ]);
    let hits = repo.json(&["search", "activity"]);
    let scores = |tier: &str| -> Vec<f64> {
        hits.as_array()
            .unwrap()
            .iter()
            .filter(|h| h["matched"] == tier)
            .map(|h| h["score"].as_f64().unwrap())
            .collect()
    };
    let names = scores("name");
    assert_eq!(names.len(), 2, "{hits}");
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    assert_eq!(hits[0]["title"], "Activity monitor");
    assert_eq!(hits[2]["matched"], "stem");
}

#[test]
fn words_match_their_other_forms() {
    let repo = Repo::new();
    let id = repo.add(&["problem", "Locking storms during deploys"]);
    assert_eq!(repo.search_ids(&["locks"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["lock"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["deploy", "storm"]), [id.as_str()]);
    let accented = repo.add(&["story", "Café crème outage"]);
    assert_eq!(repo.search_ids(&["cafe"]), [accented]);
}

#[test]
fn every_word_must_match() {
    let repo = Repo::new();
    let both = repo.add(&["tool", "vacuum and bloat"]);
    repo.add(&["tool", "vacuum only"]);
    assert_eq!(repo.search_ids(&["vacuum", "bloat"]), [both.as_str()]);
    assert_eq!(repo.search_ids(&["vacuum bloat"]), [both]);
}

#[test]
fn the_last_word_matches_as_a_prefix_unless_followed_by_a_space() {
    let repo = Repo::new();
    let id = repo.add(&["tool", "Autovacuum tuning"]);
    assert_eq!(repo.search_ids(&["autovac"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["tuning", "autovac"]), [id.as_str()]);
    // Only the last word is a prefix.
    assert!(repo.search_ids(&["tun", "autovac"]).is_empty());
    assert!(repo.search_ids(&["autovac", "tuning"]).is_empty());
    assert!(repo.search_ids(&["autovac "]).is_empty());
}

#[test]
fn hostile_queries_are_just_text() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        "NEAR AND OR NOT a:b -x",
        "-m",
        "star * quote \" caret ^",
    ]);
    for query in [
        "\"",
        "*",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR",
        "a:b",
        "-x",
        "^",
        "(",
        ")",
        "{",
        "title:",
        "\"unterminated",
        "a OR",
        "x AND NOT",
        "col:*",
        "+",
        "'",
        "\\",
        "--",
        "NEAR(a b, 2)",
    ] {
        // `--` so that clap leaves `-x` and `--` to the query.
        let assert = repo.rep(&["search", "--json", "--", query]).success();
        let hits = parse_json(&stdout(&assert));
        assert!(hits.is_array(), "{query:?}");
    }
    assert_eq!(repo.search_ids(&["AND"]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["NEAR("]), [id.as_str()]);
    assert_eq!(repo.search_ids(&["a:b"]), [id.as_str()]);
    let dashed = repo.rep(&["search", "--json", "--", "-x"]).success();
    assert_eq!(
        crate::support::ids_of(&parse_json(&stdout(&dashed))),
        [id.as_str()]
    );
    assert_eq!(repo.search_ids(&["not", "or"]), [id]);
    // Without any word there is nothing to search for.
    let assert = repo.rep(&["search", "*"]).success();
    assert_eq!(stdout(&assert), "");
    assert!(stderr(&assert).contains("nothing matches `*`"));
}

#[test]
fn raw_takes_fts5_syntax() {
    let repo = Repo::new();
    let full = repo.add(&["tool", "vacuum full rewrites the table"]);
    let plain = repo.add(&["tool", "vacuum in the background"]);
    assert_eq!(
        repo.search_ids(&["--raw", "vacuum NOT full"]),
        [plain.as_str()]
    );
    let mut either = repo.search_ids(&["--raw", "full OR background"]);
    either.sort();
    let mut expected = vec![full.clone(), plain];
    expected.sort();
    assert_eq!(either, expected);
    assert_eq!(
        repo.search_ids(&["--raw", "\"rewrites the\""]),
        [full.as_str()]
    );
    assert_eq!(repo.search_ids(&["--raw", "title:rewrite*"]), [full]);
}

#[test]
fn broken_raw_syntax_is_a_usage_error() {
    let repo = Repo::new();
    repo.add(&["tool", "vacuum"]);
    for query in [
        "\"unterminated",
        "AND",
        "vacuum NOT",
        "nosuchcolumn:x",
        "NEAR(",
    ] {
        let assert = repo.rep(&["search", "--raw", query]).code(2);
        assert_eq!(stdout(&assert), "", "{query:?}");
        let err = stderr(&assert);
        assert!(
            err.contains("error: invalid search syntax"),
            "{query:?}: {err}"
        );
        assert!(err.contains("hint: drop --raw"), "{query:?}: {err}");
    }
}

#[test]
fn no_hits_is_success_with_a_note() {
    let repo = Repo::new();
    repo.add(&["tool", "vacuum"]);
    let assert = repo.rep(&["search", "kubernetes"]).success();
    assert_eq!(stdout(&assert), "");
    assert_eq!(
        stderr(&assert),
        "note: nothing matches `kubernetes`: try fewer or other words, or write it down with `rep ask` or `rep add`\n"
    );
    let assert = repo.rep(&["search", "kubernetes", "--json"]).success();
    assert_eq!(parse_json(&stdout(&assert)), serde_json::json!([]));
    assert!(stderr(&assert).contains("nothing matches"));
    assert_eq!(
        stderr(&repo.rep(&["search", "kubernetes", "-q"]).success()),
        ""
    );
    // On an empty repertoire too.
    let empty = Repo::empty();
    let assert = empty.rep(&["search", "x", "--json"]).success();
    assert_eq!(parse_json(&stdout(&assert)), serde_json::json!([]));
}

#[test]
fn a_query_is_required() {
    let repo = Repo::new();
    repo.rep(&["search"]).code(2);
}

#[test]
fn filters_apply_to_hits() {
    let (repo, entries) = fixture();
    let id = |i: usize| entries[i].1["id"].as_str().unwrap().to_owned();
    // "pg" appears in the tags of 0 and 4.
    let mut all = repo.search_ids(&["pg"]);
    all.sort();
    let mut expected = vec![id(0), id(4)];
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(
        repo.search_ids(&["pg", "--kind", "tool", "-d", "postgres/vacuum"]),
        [id(4)]
    );
    assert_eq!(repo.search_ids(&["pg", "-t", "locks"]), [id(0)]);
    assert_eq!(repo.search_ids(&["pg", "--since", "2026-11-23"]), [id(4)]);
    assert!(repo.search_ids(&["pg", "--author", "bo"]).is_empty());
    assert_eq!(
        repo.search_ids(&["certs", "-a", "bo", "-d", "k8s"]),
        [id(3)]
    );
    assert!(repo.search_ids(&["certs", "-d", "postgres"]).is_empty());
}

#[test]
fn limit_caps_the_hits() {
    let repo = Repo::new();
    for i in 0..25 {
        repo.add(&["tool", &format!("lock trick {i}"), "-q"]);
    }
    assert_eq!(repo.search_ids(&["lock"]).len(), 20);
    assert_eq!(repo.search_ids(&["lock", "-n", "3"]).len(), 3);
    assert_eq!(repo.search_ids(&["lock", "--limit", "100"]).len(), 25);
}

#[test]
fn table_snapshot() {
    let (repo, entries) = fixture();
    let out = repo.ok(&["search", "pg"]);
    insta::assert_snapshot!("search_table", redact_fixture(&out, &entries));
    let out = repo.ok(&["search", "archive"]);
    insta::assert_snapshot!("search_body_snippet", redact_fixture(&out, &entries));
}

/// Issue 14's cases on a small fixture: the entry whose name is the query comes first, then
/// whole-word matches of names and titles, then prefixes; tiers never interleave.
#[test]
fn an_exact_name_ranks_first_then_words_then_prefixes() {
    let repo = Repo::new();
    let tool = |title: &str, cmd: &str| repo.add(&["tool", title, "--cmd", cmd]);
    let hwloc = tool("hwloc-ls — Display the hardware topology.", "hwloc-ls");
    tool(
        "mimikatz lsadump — Dump LSA secrets with ls tools.",
        "mimikatz",
    );
    let ls = tool("ls — List directory contents.", "ls -la");
    tool(
        "git get-tar-commit-id — Get the commit ID from a tar archive.",
        "git get-tar-commit-id",
    );
    let commit = tool(
        "git commit — Commit files to the repository.",
        "git commit -m msg",
    );
    tool(
        "ibmcloud target — Set the target account.",
        "ibmcloud target",
    );
    tool(
        "rustup target — Manage targets of a toolchain.",
        "rustup target add",
    );
    let tar = tool("tar — Archiving utility.", "tar cf target.tar file");
    let kubectl_get = tool("kubectl get — Get kubectl objects.", "kubectl get pods");
    let kubectl = tool(
        "kubectl — Run commands against kubernetes clusters.",
        "kubectl version",
    );
    assert_eq!(repo.search_ids(&["ls"])[0], ls);
    assert_eq!(
        repo.search_ids(&["ls"])[1],
        hwloc,
        "a whole word of a name next"
    );
    assert_eq!(repo.search_ids(&["git", "commit"])[0], commit);
    assert_eq!(repo.search_ids(&["tar"])[0], tar);
    let kube = repo.search_ids(&["kubectl"]);
    assert_eq!(kube[..2], [kubectl, kubectl_get]);
    // A half-typed name: every kubectl page, by prefix.
    assert_eq!(repo.search_ids(&["kubec"]).len(), 2);
    let tiers: Vec<String> = repo
        .json(&["search", "ls"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["matched"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tiers[0], "exact");
    let order = ["exact", "name", "name-prefix", "words", "prefix", "stem"];
    let ranks: Vec<usize> = tiers
        .iter()
        .map(|t| order.iter().position(|o| o == t).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{tiers:?}");
}

/// A tool is found by the command it runs as strongly as by its title.
#[test]
fn a_tool_is_found_by_its_command_name() {
    let repo = Repo::new();
    let by_body = repo.add(&["story", "Tuning notes", "-m", "psql was slow that day."]);
    let by_command = repo.add(&[
        "tool",
        "Find what holds a lock",
        "--cmd",
        "psql -c 'SELECT 1'",
    ]);
    assert_eq!(repo.search_ids(&["psql"]), [by_command, by_body]);
}

/// The last word stays a prefix of the unstemmed word however many letters are typed: the
/// stemmed index holds "certif", which `certifi` and longer are not prefixes of. The word
/// index holds names, titles, tags and commands; a body is searched by stem, and a half-typed
/// word of a body by its completions.
#[test]
fn a_half_typed_word_keeps_matching_as_it_grows() {
    let repo = Repo::new();
    let id = repo.add(&[
        "tool",
        "Rotate the certificates",
        "--tag",
        "deployment",
        "-m",
        "Before the maintenance window.",
    ]);
    for typed in [
        "cert",
        "certif",
        "certifi",
        "certifica",
        "certificat",
        "certificates",
    ] {
        assert_eq!(repo.search_ids(&[typed]), [id.as_str()], "{typed}");
    }
    for typed in [
        "deploym",
        "deploymen",
        "rotate certifica",
        "maintenance",
        "window",
        // Words of the body only, held by stem (`mainten`): their completions meet it.
        "mainte",
        "maintena",
        "maintenanc",
        "before the maintena",
    ] {
        assert_eq!(repo.search_ids(&[typed]), [id.as_str()], "{typed}");
    }
    // No gap for what was found by prefix.
    assert!(
        repo.json(&["gaps"])
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["kind"] != "search_miss")
    );
}

/// A word that matches nothing is corrected to the nearest word the repertoire holds; the
/// search says so on stderr and in `corrected`, and it is not a miss for `rep gaps`.
#[test]
fn a_typo_is_corrected_and_said() {
    let repo = Repo::new();
    let rsync = repo.add(&[
        "tool",
        "rsync — Transfer files.",
        "--cmd",
        "rsync -a src dst",
    ]);
    let commit = repo.add(&["tool", "git commit — Commit files.", "--cmd", "git commit"]);
    let kubectl = repo.add(&["tool", "Show the pods", "--cmd", "kubectl get pods"]);
    let out = repo.rep(&["search", "rsycn"]).success();
    assert_eq!(
        stderr(&out).trim(),
        r#"showing results for "rsync" (no match for "rsycn")"#
    );
    assert!(stdout(&out).contains("rsync — Transfer files."));
    let hits = repo.json(&["search", "rsycn"]);
    assert_eq!(hits[0]["id"], rsync.as_str());
    assert_eq!(hits[0]["corrected"], "rsync");
    assert_eq!(repo.search_ids(&["git", "comit"]), [commit.as_str()]);
    assert_eq!(repo.search_ids(&["kubeclt"]), [kubectl.as_str()]);
    // Words that are right carry no `corrected` and no note.
    let out = repo.rep(&["search", "--json", "rsync"]).success();
    assert_eq!(stderr(&out), "");
    assert!(parse_json(&stdout(&out))[0].get("corrected").is_none());
    // Found through a correction is found; nothing near is a miss.
    repo.rep(&["search", "zzzzqqq"]).success();
    let misses: Vec<String> = repo
        .json(&["gaps"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["kind"] == "search_miss")
        .map(|g| g["subject"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(misses, ["zzzzqqq"]);
}

/// The word index (names, titles, tags, commands) reads tldr's bracket marks and Unicode
/// compatibility forms as plain words; the stored text stays as written.
#[test]
fn marks_ligatures_and_case_are_normalised_in_the_index_only() {
    let repo = Repo::new();
    let title = "tar — E[x]tract an archive [f]ile.";
    let tar = repo.add(&["tool", title, "--tag", "Lis[t]-ﬁles"]);
    let plain = repo.add(&["tool", "Read a FILE header", "--cmd", "Ｆｕｌｌ width"]);
    assert_eq!(repo.search_ids(&["extract", "archive"]), [tar.as_str()]);
    assert_eq!(repo.search_ids(&["list", "files"]), [tar.as_str()]);
    assert_eq!(repo.search_ids(&["header", "ﬁle"]), [plain.as_str()]);
    assert_eq!(repo.search_ids(&["file", "HEADER"]), [plain.as_str()]);
    assert_eq!(repo.search_ids(&["full", "width"]), [plain.as_str()]);
    assert_eq!(repo.entry(&tar)["title"], title, "stored text stays exact");
}

/// A body's marked and compatibility-form words are found as the plain words, by stem too,
/// through an edit and through an import of the exchange file; the body stays as written.
#[test]
fn marks_in_a_body_are_read_as_plain_words() {
    let repo = Repo::new();
    let body = "E[x]tract an archive into the current directory:\n\n`tar xf {{source.tar}}`";
    let tar = repo.add(&["tool", "tar — Archiving utility.", "-m", body]);
    repo.add(&[
        "tool",
        "unzip — Extract archives",
        "-m",
        "Unpacks zip files.",
    ]);
    let other = repo.add(&["story", "The ﬁrst outage", "-m", "Nothing to see."]);
    let found = |words: &[&str]| repo.search_ids(words);
    assert!(found(&["extract", "archive", "current"]) == [tar.as_str()]);
    assert!(found(&["extracting", "archives", "directory"]) == [tar.as_str()]);
    assert_eq!(repo.entry(&tar)["body"], body, "stored text stays exact");
    repo.ok(&["edit", &other, "-m", "L[i]st the ﬁles that failed."]);
    assert_eq!(found(&["list", "files", "failed"]), [other.as_str()]);
    repo.ok(&["edit", &other, "-m", "Nothing marked now."]);
    assert!(found(&["list", "files", "failed"]).is_empty());
    // Imported from an exchange file, into an empty repertoire (the bulk index) and not.
    let file = repo.path().join("all.jsonl");
    repo.ok(&["export", file.to_str().unwrap()]);
    repo.ok(&["--db", "seeded.db", "add", "tool", "Seed"]);
    for db in ["fresh.db", "seeded.db"] {
        repo.ok(&["--db", db, "import", file.to_str().unwrap()]);
        let hits = repo.json(&["--db", db, "search", "extract", "archive", "current"]);
        assert_eq!(hits[0]["id"], tar.as_str(), "{hits}");
    }
    repo.ok(&["doctor", "-q"]);
}

/// `--limit 0` is no limit, in every command that takes `--limit`.
#[test]
fn limit_zero_means_all() {
    let repo = Repo::new();
    for i in 0..25 {
        repo.add(&["question", &format!("Vacuum question {i}")]);
    }
    assert_eq!(repo.search_ids(&["vacuum", "-n", "0"]).len(), 25);
    assert_eq!(repo.search_ids(&["vacuum"]).len(), 20);
    assert_eq!(repo.search_ids(&["--raw", "vacuum", "-n", "0"]).len(), 25);
    assert_eq!(repo.list_ids(&["-n", "0"]).len(), 25);
    let members = |limit: &str| {
        repo.json(&["who", "vacuum", "-n", limit])
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(members("0"), 1);
    let gaps = |limit: &str| repo.json(&["gaps", "-n", limit]).as_array().unwrap().len();
    assert!(gaps("0") > 1 && gaps("1") == 1, "{}", gaps("0"));
}

/// A search that finds nothing is remembered for `rep gaps` without waiting on the disk: the
/// miss stays in SQLite's log (no checkpoint, whose syncs were most of its time) and is read
/// from there; the next durable write checkpoints the log again as it closes.
#[test]
fn a_miss_is_recorded_without_a_checkpoint() {
    let repo = Repo::new();
    repo.add(&["tool", "Rotate certificates"]);
    let log = repo.path().join("rep.db-wal");
    let log_len = || std::fs::metadata(&log).map_or(0, |m| m.len());
    assert_eq!(log_len(), 0, "a durable write leaves the log checkpointed");
    repo.rep(&["search", "zzzzqqq"]).success();
    assert!(log_len() > 0, "the miss waits in the log");
    let misses = |repo: &Repo| -> Vec<String> {
        repo.json(&["gaps"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == "search_miss")
            .map(|g| g["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(misses(&repo), ["zzzzqqq"]);
    repo.add(&["tool", "Renew tokens"]);
    assert_eq!(log_len(), 0, "the next write's close copies it in");
    assert_eq!(misses(&repo), ["zzzzqqq"]);
}

/// An import into an empty repertoire large enough that FTS5 writes its terms out several times
/// (each index builds in 8 MiB of memory) leaves each full-text index merged into one segment:
/// a search then reads one segment per term, and the next `rep add` merges nothing.
#[test]
fn a_bulk_import_leaves_each_full_text_index_in_one_segment() {
    let repo = Repo::new();
    // Words from a large vocabulary, so that the terms fill memory quickly.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut words = |prefix: char, n: usize| -> String {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                format!("{prefix}{}", state % 200_000)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut text = String::from(crate::trust_support::header_line());
    text.push('\n');
    for i in 0..2_000u32 {
        let mut record: serde_json::Value =
            serde_json::from_str(&crate::trust_support::record_line(7, i, &["bulk"]))
                .expect("a record");
        let title: String = words('t', 30).chars().take(300).collect();
        record["title"]["value"] = title.into();
        record["body"]["value"] = words('w', 150).into();
        record["command"]["value"] = words('c', 150).into();
        text.push_str(&record.to_string());
        text.push('\n');
    }
    let file = repo.path().join("bulk.jsonl");
    std::fs::write(&file, text).expect("write the exchange file");
    repo.rep(&["import", file.to_str().expect("utf-8"), "-q"])
        .success();
    let db = repo.db();
    for index in ["entries_fts", "entries_words"] {
        let segments = crate::trust_support::count(
            &db,
            &format!("SELECT count(DISTINCT segid) FROM {index}_idx"),
        );
        assert_eq!(segments, 1, "{index}");
    }
    crate::trust_support::assert_sound(&db);
}
