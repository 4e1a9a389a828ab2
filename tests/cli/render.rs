//! `rep show` renders Markdown bodies for the terminal, and only rep's own styles reach it.

use crate::support::{Repo, redact, stdout};

const BODY: &str = "\
# Rotating the certs

Run it from the **bastion**, not your laptop; the _staging_ cluster only.

## Steps

- renew with `certbot renew`
- reload the ingress
  - check the expiry after

1. one
2. two

```sh
kubectl -n ingress rollout restart deploy/nginx
# not a heading
```

> it took us *three* tries the first time

---
snake_case_names stay as they are; 2 * 3 * 4 too.";

#[test]
fn markdown_body_plain_and_coloured() {
    let repo = Repo::new();
    let id = repo.add(&["story", "Cert rotation", "-d", "k8s", "-m", BODY]);
    let entry = repo.entry(&id);
    let plain = stdout(&repo.rep(&["show", &id]).success());
    insta::assert_snapshot!("show_markdown_plain", redact(&plain, &[("ID01", &entry)]));
    let coloured = stdout(&repo.rep(&["show", &id, "--color", "always"]).success());
    // The body only: the coloured header holds the random short id inside escape codes.
    let body = coloured.split_once("\n\n").expect("a body").1;
    insta::assert_snapshot!("show_markdown_colour", body.replace('\x1b', "<ESC>"));
}

#[test]
fn escapes_in_a_body_never_reach_the_terminal() {
    let repo = Repo::new();
    let body = "# \x1b]0;owned\x07Title\n\x1b[2J**\x1b[31mred**\n```\n\x1b]52;c;ZXZpbA==\x07x\n```";
    let id = repo.add(&["story", "Hostile", "-m", body]);
    let shown = stdout(&repo.rep(&["show", &id, "--color", "always"]).success());
    for bad in ["\x1b]", "\x1b[2J", "\x1b[31m", "\x07"] {
        assert!(!shown.contains(bad), "{bad:?} passed: {shown:?}");
    }
    assert!(shown.contains("Title") && shown.contains("red"));
}
