//! `rep version` and `rep --version`.

use crate::support::Repo;

#[test]
fn json_names_the_contract_versions() {
    let repo = Repo::new();
    let v = repo.json(&["version"]);
    assert_eq!(
        v,
        serde_json::json!({
            "name": "rep",
            "version": env!("CARGO_PKG_VERSION"),
            "json_schema": 1,
            "database_schema": 15,
        })
    );
    assert!(!repo.db().exists(), "version must not open the database");
}

#[test]
fn human_output() {
    let repo = Repo::new();
    assert_eq!(
        repo.ok(&["version"]),
        format!(
            "rep {}\njson schema 1\ndatabase schema 15\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(
        repo.ok(&["--version"]),
        format!("rep {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(repo.ok(&["-V"]), repo.ok(&["--version"]));
}
